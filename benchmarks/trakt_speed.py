"""Trakt import speed: a real-sized export (thousands of plays) in well under 15 s (issue 21).

A made-up export in the newer layout (benchmarks/trakt_export.py: 20,000 plays by default,
about 2,700 films and shows, with ratings and a watchlist) is zipped, then imported by a fresh
`python -m watchbook --journal J import trakt export.zip` process into a journal that does not
exist yet, so start-up, reading the zip, parsing the JSON, working out the runs, planning,
writing every entry file atomically and building the index all count. Each run is paired with a
run of the floor (`python -c "import typer, rapidfuzz.process, sqlite3"`) just before it, and
the ratio of the two is reported with the seconds (benchmarks/timing.py). A dry run of the same
export (read and plan, nothing written) is timed the same way.

Usage: python benchmarks/trakt_speed.py [--runs 3] [--plays 20000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from timing import FLOOR, WATCHBOOK, journal_env, timed
from trakt_export import make_export, write_zip

TARGET_SECONDS = 15.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plays", type=int, default=20_000)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="watchbook-trakt-bench-"))
    try:
        plan = make_export(args.plays)
        export = write_zip(plan, root / "trakt-export.zip")
        journal = root / "journal"
        env = journal_env(journal)
        command = [*WATCHBOOK, "--journal", str(journal), "import", "trakt", str(export)]
        rows: dict[str, list[tuple[float, float]]] = {"import": [], "dry run": []}
        for _ in range(args.runs):
            for label, extra in (("dry run", ["--dry-run"]), ("import", [])):
                shutil.rmtree(journal, ignore_errors=True)
                floor = timed(FLOOR, env)
                rows[label].append((timed([*command, *extra], env), floor))
        titles = len(list(journal.glob("*.toml")))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"export: {plan.history_items:,} plays, {plan.films:,} films, {plan.shows:,} shows, "
        f"{plan.planned:,} planned; {titles:,} entry files written"
    )
    worst = 0.0
    for label, pairs in rows.items():
        seconds = statistics.median(t for t, _ in pairs)
        ratio = statistics.median(t / f for t, f in pairs)
        floor = statistics.median(f for _, f in pairs)
        worst = max(worst, seconds)
        print(f"{label:<8} median {seconds:6.2f} s, floor {floor:.3f} s, ratio {ratio:6.1f}")
    met = worst < TARGET_SECONDS
    print(f"target: under {TARGET_SECONDS:g} s -> {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
