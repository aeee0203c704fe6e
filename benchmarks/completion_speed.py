"""Whole-process timings of shell completion (one TAB) on a 10,000-entry journal, warm index.

Every TAB starts a watchbook process that answers with candidates, so this times what bash
runs: `python -m watchbook` with _WATCHBOOK_COMPLETE=complete_bash, COMP_WORDS and COMP_CWORD
set. Each run follows a floor run (python -c "import typer, rapidfuzz.process, sqlite3", what
any Typer CLI pays), and the ratio is the median over those pairs; `watchbook where`, which
reads no journal, shows what starting any subcommand costs.

Cases: the QUERY of `show` (part of a title word, a title with a typo, a slug being typed,
nothing typed yet), and the values of `list --tag` and `add --creator`, as bash asks; the
first case also as zsh and fish ask (their answers carry descriptions). Target: under 300 ms
(median) for each.

Usage: python benchmarks/completion_speed.py [--entries 10000] [--runs 9] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import shlex
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from corpus import typo_title  # noqa: E402
from timing import SETTLE, WATCHBOOK, generated_journal, paired_times, timed  # noqa: E402

TARGET_MS = 300.0


def asks(line: str, shell: str = "bash") -> dict[str, str]:
    """The variables a shell's completion function sets for completing the end of `line`."""
    if shell != "bash":
        # zsh and fish send the line as typed (fish: asking for the candidates themselves).
        return {
            "_WATCHBOOK_COMPLETE": f"complete_{shell}",
            "_TYPER_COMPLETE_ARGS": line,
            "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        }
    # bash passes its words joined by spaces (quotes kept); a trailing space starts a new word.
    words = shlex.split(line)
    cword = len(words) if line.endswith(" ") else len(words) - 1
    return {"_WATCHBOOK_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(cword)}


def candidates(env: dict[str, str]) -> list[str]:
    """What one completion answers (to show that each case completes to something)."""
    result = subprocess.run(WATCHBOOK, env=env, capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with generated_journal("completion", args.entries, args.seed, args.entries // 20) as (
        _journal,
        entries,
        env,
    ):
        start = time.perf_counter()
        timed([*WATCHBOOK, "where"], env)
        first = {**env, **asks("watchbook show a")}
        timed(WATCHBOOK, first)
        print(f"first completion (builds the index): {time.perf_counter() - start:.2f} s")
        time.sleep(SETTLE)  # past the index's 'just written' window, so later runs only read

        # Cases drawn from the journal: a word of a long title, typed halfway.
        long_title = max((e for e in entries if e.status == "watched"), key=lambda e: len(e.title))
        word = max(long_title.title.split(), key=len).strip(":!,.")
        tag = Counter(t for e in entries for t in e.tags).most_common(1)[0][0]
        creator = Counter(c for e in entries for c in e.creators).most_common(1)[0][0]
        surname = creator.split()[-1]
        typo = typo_title(random.Random(args.seed), entries[len(entries) // 3].title)
        part = f"watchbook show {word[: max(3, len(word) - 2)]}"
        cases = [
            ("show QUERY: part of a title word", part, "bash"),
            ("show QUERY: a title with a typo", f"watchbook show {shlex.quote(typo)}", "bash"),
            ("show QUERY: a slug being typed", f"watchbook show {entries[7].slug[:10]}", "bash"),
            ("show QUERY: nothing typed yet", "watchbook show ", "bash"),
            ("list --tag value", f"watchbook list --tag {tag[:3]}", "bash"),
            ("add --creator value", f"watchbook add X --creator {surname[:4]}", "bash"),
            ("show QUERY, zsh: part of a title word", part, "zsh"),
            ("show QUERY, fish: part of a title word", part, "fish"),
        ]
        # What starting any subcommand costs (it reads no journal), for context.
        where = paired_times([*WATCHBOOK, "where"], env, args.runs)
        rows = []
        for name, line, shell in cases:
            asking = {**env, **asks(line, shell)}
            found = candidates(asking)
            first = found[0][:80] if found else "nothing"
            print(f"{shell} {line!r}: {len(found)} line(s) of answer, first: {first!r}")
            label = f"{name} (`{line.removeprefix('watchbook ')}`)"
            rows.append((label, paired_times(WATCHBOOK, asking, args.runs)))

    print(f"\n{args.entries:,} entries, warm index, {args.runs} runs each, each run just after")
    print("a floor run; x floor is the median of each run's ratio to its floor run\n")
    print("| completion | median | floor | × floor | best |")
    print("|---|---:|---:|---:|---:|")
    missed = False
    for name, times in [("watchbook where (reads no journal)", where), *rows]:
        missed |= times is not where and times.median * 1000 >= TARGET_MS
        print(
            f"| {name} | {times.median * 1000:.0f} ms | {times.floor_median * 1000:.0f} ms "
            f"| {times.ratio:.2f} | {times.best * 1000:.0f} ms |"
        )
    print(
        f"\ntarget: every completion under {TARGET_MS:.0f} ms (median): {'missed' if missed else 'met'}"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
