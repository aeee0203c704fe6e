"""Each speed trick on and off (WATCHBOOK_OFF=name), on the target it is there for.

A trick stays only if it gains at least 5% on a documented target (docs/benchmarks.md). For
each one this times its target both ways, alternating on and off run by run, each run paired
with a floor run just before it, and reports the medians, the median ratios to the floor and
the gain (1 - on/off, from the medians of the paired ratios):

- parallel-build: the first build of a 10,000-entry index, with links (`show` with no index);
- lazy-links: the first build of a `search` (with the trick, links are left for later);
- quiet-edits: one score edited by hand, then `search` (10,000 entries);
- listing-pieces: the same edit and search, at 10,000 and, with --full, 100,000 entries;
- read-ahead, one-command, import-gc: a warm `search` (10,000 entries), what start-up costs.

The HTML export's tricks (plain-reviews, gc-freeze, incremental-site) are measured by
export_speed.py, on the site they are there for.

    python benchmarks/tricks.py [--runs 9] [--full] [--only NAME,...] [--work /tmp/watchbook-speed]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import change_one, environment, journal_for, run, watchbook
from timing import FLOOR, SETTLE


def compare(
    label: str,
    command: list[str],
    env: dict[str, str],
    trick: str,
    runs: int,
    before: Callable[[dict[str, str]], None] | None = None,
) -> str:
    """One table row: the command with the trick and without it, alternating."""
    results: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    for number in range(runs * 2):
        on = number % 2 == 0
        trial_env = env if on else {**env, "WATCHBOOK_OFF": trick}
        if before:
            before(trial_env)
        floor = run(FLOOR, trial_env)[0]
        elapsed, _peak, code = run(command, trial_env)
        if code != 0:
            raise SystemExit(f"{label}: exit {code} with the trick {'on' if on else 'off'}")
        results[on][0].append(elapsed)
        results[on][1].append(elapsed / floor)
    on_time, on_ratio = (statistics.median(v) for v in results[True])
    off_time, off_ratio = (statistics.median(v) for v in results[False])
    gain = 1 - on_ratio / off_ratio
    return (
        f"| {trick} | {label} | {on_time * 1000:,.0f} ms ({on_ratio:.2f}x) | "
        f"{off_time * 1000:,.0f} ms ({off_ratio:.2f}x) | {gain:+.0%} |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--full", action="store_true", help="also 100,000 entries")
    parser.add_argument("--work", type=Path, default=Path("/tmp/watchbook-speed"))
    parser.add_argument("--only", help="these tricks only (names separated by commas)")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None

    def wanted(trick: str) -> bool:
        return only is None or trick in only

    args.work.mkdir(parents=True, exist_ok=True)
    env = environment(args.work)
    run(FLOOR, env)
    rows = []
    sizes = [10_000] + ([100_000] if args.full else [])
    for n in sizes:
        journal = journal_for(args.work, n)
        index = journal / ".watchbook"
        some = sorted(journal.glob("*.toml"))[n // 2].stem

        def no_index(_env: dict[str, str], index: Path = index) -> None:
            shutil.rmtree(index, ignore_errors=True)

        edits = [0]

        def edit(
            trial_env: dict[str, str],
            journal: Path = journal,
            some: str = some,
            edits: list[int] = edits,
        ) -> None:
            # Settle in the same mode (the stored listing takes that mode's shape), with every
            # link in place, then edit one score by hand.
            time.sleep(SETTLE)
            run(watchbook(journal, "show", some), trial_env)
            edits[0] += 1
            change_one(journal, edits[0])

        search = watchbook(journal, "search", "sidnoia")
        build_runs = max(3, args.runs // 3) if n <= 10_000 else 1
        if n == 10_000 and wanted("parallel-build"):
            rows.append(
                compare(
                    "first build with links (`show`)",
                    watchbook(journal, "show", some),
                    env,
                    "parallel-build",
                    build_runs,
                    no_index,
                )
            )
        if n == 10_000 and wanted("lazy-links"):
            rows.append(
                compare("first build (`search`)", search, env, "lazy-links", build_runs, no_index)
            )
        run(watchbook(journal, "show", some), env)
        if n == 10_000 and wanted("quiet-edits"):
            rows.append(
                compare(
                    "one file changed, then `search`", search, env, "quiet-edits", args.runs, edit
                )
            )
        for trick in ("read-ahead", "one-command", "import-gc"):
            if n == 10_000 and wanted(trick):
                rows.append(compare("warm `search`", search, env, trick, args.runs))
        run(watchbook(journal, "show", some), env)
        if wanted("listing-pieces"):
            rows.append(
                compare(
                    f"one file changed, then `search` ({n:,} entries)",
                    search,
                    env,
                    "listing-pieces",
                    args.runs,
                    edit,
                )
            )
    print("| trick | target | on | off | gain |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
