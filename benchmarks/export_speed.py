"""Export speed: 10,000 entries exported as Markdown in under 5 s, whole process (issue 5).

Each measurement runs `python -m watchbook --journal J export ...` as a fresh process, so
interpreter start-up, loading the journal from the index and writing every file all count.
The index is built once first (that cost belongs to the index benchmark) and timed apart.

A 1,000-entry journal is exported with and without the "Recommended" lists, which are on by
default up to that size.

Floors, measured in the same run on the same disk:
- `list`: the same process reading the same catalog and printing one line per entry;
- `write`: plain Python writing the same 10,001 files' bytes into an empty folder;
so `export / (list + write)` says how much rendering and the folder rules add.

Usage: python benchmarks/export_speed.py [--entries 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import write_journal

TARGET_SECONDS = 5.0


def run(journal: Path, *args: str) -> float:
    """Seconds for one `watchbook --journal J ARGS` process (it must succeed)."""
    command = [sys.executable, "-m", "watchbook", "--journal", str(journal), *args]
    # Start each run with nothing left to flush from the runs before (untimed): otherwise the
    # disk writing back the previous export's files slows this one's file creation.
    os.sync()
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def timed(label: str, runs: int, action: Callable[[], float]) -> tuple[str, list[float]]:
    """Run a measurement `runs` times; its times."""
    return label, [action() for _ in range(runs)]


def write_floor(source: Path, target: Path) -> float:
    """Seconds to write the same files' bytes into an empty folder with plain open/write."""
    data = [(p.name, p.read_bytes()) for p in source.iterdir() if p.suffix == ".md"]
    target.mkdir()
    started = time.perf_counter()
    for name, content in data:
        with open(target / name, "wb") as handle:
            handle.write(content)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="watchbook-export-bench-"))
    try:
        journal = root / "journal"
        write_journal(journal, args.entries, seed=5, planned=args.entries // 20, reviews=True)
        index_build = run(journal, "list")
        run(journal, "export", "--out", str(root / "warm-up"))
        folders = iter(range(1_000_000))
        out = root / "out"

        def fresh(*flags: str) -> Callable[[], float]:
            def go() -> float:
                # A new folder each time: deleting 10,000 files just before would make the
                # kernel's clean-up compete with the export's file creation.
                nonlocal out
                out = root / f"out-{next(folders)}"
                return run(journal, "export", "--out", str(out), *flags)

            return go

        results = [
            timed("list (floor: same catalog, no export)", args.runs, lambda: run(journal, "list")),
            timed("export, new folder", args.runs, fresh()),
            timed(
                "export again, nothing changed",
                args.runs,
                lambda: run(journal, "export", "--out", str(out)),
            ),
            timed("export --front-matter, new folder", args.runs, fresh("--front-matter")),
            timed("export --single-file", args.runs, fresh("--single-file")),
            timed("export --format json", args.runs, fresh("--format", "json")),
            timed("export --format csv", args.runs, fresh("--format", "csv")),
        ]
        # The largest journal that gets "Recommended" lists by default.
        small = root / "journal-1000"
        write_journal(small, 1000, seed=6, planned=50, reviews=True)
        run(small, "list")
        for label, flag in (
            ("1,000 entries, Recommended lists on (default)", "--recommended"),
            ("1,000 entries, --no-recommended", "--no-recommended"),
        ):
            results.append(
                timed(
                    label,
                    args.runs,
                    lambda flag=flag: run(
                        small, "export", "--out", str(root / f"small-{next(folders)}"), flag
                    ),
                )
            )
        out = root / "out-final"
        run(journal, "export", "--out", str(out))
        files = sum(1 for p in out.iterdir() if p.suffix == ".md")
        floor_write = statistics.median(
            write_floor(out, root / f"floor-{run_number}") for run_number in range(args.runs)
        )
        results.append((f"write floor: {files} files, plain open/write", [floor_write]))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{args.entries} entries, {args.runs} runs each, median (min-max) seconds")
    print(f"index build (first command, not part of export): {index_build:.2f}")
    medians = {}
    for label, times in results:
        medians[label] = statistics.median(times)
        print(f"  {label:<45} {medians[label]:6.2f}  ({min(times):.2f}-{max(times):.2f})")
    export_new = medians["export, new folder"]
    floor = medians["list (floor: same catalog, no export)"] + floor_write
    print(f"export / (list + write floor) = {export_new / floor:.2f}")
    ok = export_new < TARGET_SECONDS
    print(f"target: new-folder export under {TARGET_SECONDS:g} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
