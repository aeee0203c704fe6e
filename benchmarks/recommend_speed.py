"""Whole-process timings of `watchbook recommend` on a 10,000-entry journal with a warm index.

Compares, as separate processes (the way a person runs them):
- the floor: python -c "import typer, rapidfuzz.process, sqlite3" (what any Typer CLI pays);
- `watchbook recommend QUERY` for a few entries (target: at most 1.5 x the floor);
- `watchbook recommend` with 500 planned entries (target: under 2 x the floor);
- `watchbook where`, which reads no journal, as the cost of starting any subcommand.

Usage: python benchmarks/recommend_speed.py [--entries 10000] [--planned 500] [--runs 9]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from timing import WATCHBOOK, generated_journal, paired_times  # noqa: E402


def pick_queries(entries: list, count: int = 3) -> list[str]:
    """Titles of well-connected watched entries that name exactly one entry."""
    titles = Counter(e.title.casefold() for e in entries)
    chosen = [
        e.title
        for e in entries
        if e.status == "watched"
        and len(e.creators) >= 2
        and e.review
        and titles[e.title.casefold()] == 1
        and len(e.title) > 8
    ]
    step = max(1, len(chosen) // count)
    return chosen[::step][:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--planned", type=int, default=500)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    with generated_journal("recommend", args.entries, args.seed, args.planned) as (
        _journal,
        entries,
        env,
    ):
        start = time.perf_counter()
        subprocess.run([*WATCHBOOK, "recommend", "--limit", "1"], env=env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"first run (builds the index): {time.perf_counter() - start:.2f} s")

        # What starting any subcommand costs (it reads no journal), for context.
        rows = [("watchbook where", None, paired_times([*WATCHBOOK, "where"], env, args.runs))]
        for title in pick_queries(entries):
            times = paired_times([*WATCHBOOK, "recommend", title], env, args.runs)
            rows.append((f"recommend {title!r}", 1.5, times))
        times = paired_times([*WATCHBOOK, "recommend"], env, args.runs)
        rows.append((f"recommend (watchlist, {args.planned} planned)", 2.0, times))

    print(f"\n{args.entries:,} entries, warm index, {args.runs} runs each, each run just after")
    print("a floor run; x floor is the median of each run's ratio to its floor run\n")
    print("| command | median | floor | x floor | best | floor (best) | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    failed = False
    for name, target, times in rows:
        verdict = ""
        if target is not None:
            ok = times.ratio <= target
            failed |= not ok
            verdict = f"≤ {target:g}x: {'met' if ok else 'missed'}"
        print(
            f"| {name} | {times.median * 1000:.0f} ms | {times.floor_median * 1000:.0f} ms "
            f"| {times.ratio:.2f} | {times.best * 1000:.0f} ms | {times.floor_best * 1000:.0f} ms "
            f"| {verdict} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
