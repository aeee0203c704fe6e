"""Import speed: the 3,086-row IMDb ratings file into an empty journal in under 15 s (issue 6).

Each measurement runs `python -m watchbook --journal J import ...` as a fresh process, so
interpreter start-up, reading and decoding the export, planning, writing every entry file
atomically (temporary file, fsync, link, folder fsync) and building the index all count.

Floors, measured in the same run on the same disk:
- `start`: `watchbook --version`, the cost of any command at all;
- `write`: plain Python writing the same entry files' bytes, each with the same durability
  (write, fsync, folder fsync), into an empty folder, one after another and from as many
  threads as the importer uses (it writes in parallel because a disk commits concurrent
  fsyncs together);
so `import / (start + write)` says what parsing, matching, validation and the index add.
Also timed: the same import run again (everything unchanged: nothing is written), and the
Letterboxd and MyAnimeList fixtures into empty journals.

Usage: python benchmarks/import_speed.py [--runs 3]
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

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures"
IMDB = FIXTURES / "imdb" / "ratings.csv"
LETTERBOXD = FIXTURES / "letterboxd"
MAL = FIXTURES / "mal" / "animelist.xml"
TARGET_SECONDS = 15.0
# As many threads as the importer writes with (watchbook.importers.merge.WRITERS).
WRITERS = 8


def run(*args: str) -> float:
    """Seconds for one `watchbook ARGS` process (it must succeed)."""
    command = [sys.executable, "-m", "watchbook", *args]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def fresh_import(journal: Path, service: str, path: Path) -> Callable[[], float]:
    """A measurement: import into a journal that does not exist yet."""

    def go() -> float:
        shutil.rmtree(journal, ignore_errors=True)
        # Let the deletion reach the disk so it does not slow the next run's creates.
        os.sync()
        return run("--journal", str(journal), "import", service, str(path))

    return go


def write_floor(source: Path, target: Path, threads: int = 1) -> float:
    """Seconds to write the same entry files with the same durability, in plain Python."""
    from concurrent.futures import ThreadPoolExecutor

    data = [(p.name, p.read_bytes()) for p in source.iterdir() if p.suffix == ".toml"]
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    os.sync()
    started = time.perf_counter()
    folder = os.open(target, os.O_RDONLY)

    def write(item: tuple[str, bytes]) -> None:
        with open(target / item[0], "wb") as handle:
            handle.write(item[1])
            handle.flush()
            os.fsync(handle.fileno())
        os.fsync(folder)

    try:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(write, data))
    finally:
        os.close(folder)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="watchbook-import-bench-"))
    try:
        journal = root / "journal"
        results: list[tuple[str, list[float]]] = []
        results.append(("start (--version)", [run("--version") for _ in range(args.runs)]))
        results.append(
            ("imdb import", [fresh_import(journal, "imdb", IMDB)() for _ in range(args.runs)])
        )
        files = len(list(journal.glob("*.toml")))
        again = [
            run("--journal", str(journal), "import", "imdb", str(IMDB)) for _ in range(args.runs)
        ]
        results.append(("imdb again (unchanged)", again))
        floor = root / "floor"
        results.append(("write floor", [write_floor(journal, floor) for _ in range(args.runs)]))
        threaded = [write_floor(journal, floor, WRITERS) for _ in range(args.runs)]
        results.append((f"write floor, {WRITERS} threads", threaded))
        other = root / "other"
        results.append(
            (
                "letterboxd import",
                [fresh_import(other, "letterboxd", LETTERBOXD)() for _ in range(args.runs)],
            )
        )
        results.append(
            ("mal import", [fresh_import(other, "mal", MAL)() for _ in range(args.runs)])
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    medians = {label: statistics.median(times) for label, times in results}
    print(f"IMDb ratings: {files:,} entry files written")
    for label, times in results:
        shown = ", ".join(f"{t:.2f}" for t in times)
        print(f"{label:<26} median {medians[label]:6.2f} s   ({shown})")
    imdb = medians["imdb import"]
    for name in ("write floor", f"write floor, {WRITERS} threads"):
        floor = medians["start (--version)"] + medians[name]
        print(f"import / (start + {name}) = {imdb / floor:.2f}")
    print(f"target: under {TARGET_SECONDS:g} s -> {'met' if imdb < TARGET_SECONDS else 'MISSED'}")
    return 0 if imdb < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
