"""Index and search speed, as whole processes, on generated journals of 1k, 10k (and 100k) entries.

For each size it times, with the median of several runs:
- the floor: `python -c "import typer, rapidfuzz.process, sqlite3"` (what any Typer CLI pays);
- `watchbook where`: watchbook's own start-up, for reference;
- `watchbook search` with a warm index;
- the first index build (`watchbook search` with no index yet, paired with floor runs too),
  which leaves the links for later, as a build for a command that reads none does;
- the links derived later (`watchbook show` right after that build), and a first build with
  links (`watchbook show` with no index yet);
- an incremental update: one file changed, then `watchbook search`;
and the peak memory (max RSS) of each. Warm and incremental searches are each paired with a
floor run just before them; their ratio is the median of the ratios of those pairs (this
machine's speed drifts from minute to minute). `jrnl -contains` on the same entries is timed too when
jrnl is installed (skipped otherwise).

The 100k journal takes a few minutes to generate and index: it runs only with --full.
Bytecode caching is on (PYTHONDONTWRITEBYTECODE unset, a private PYTHONPYCACHEPREFIX), as
for an installed watchbook.

    python benchmarks/speed.py [--full] [--runs 7] [--work /tmp/watchbook-speed]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import make_entries
from timing import FLOOR, SETTLE

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ("sidnoia", "knights of sid", "the silent river", "rusted catwalks", "nihei")


def environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    env["PYTHONPATH"] = str(ROOT / "src")
    env.pop("WATCHBOOK_JOURNAL", None)
    return env


def run(command: list[str], env: dict[str, str]) -> tuple[float, int, int]:
    """Wall time (s), peak RSS (KB) and exit code of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss, process.returncode


def timed(
    commands: list[list[str]], env: dict[str, str], before: object = None
) -> tuple[float, int]:
    """Median seconds and max RSS over the commands (each run once, after `before()`)."""
    times, peaks = [], []
    for command in commands:
        if callable(before):
            before()
        elapsed, peak, _code = run(command, env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def against_floor(
    commands: list[list[str]], env: dict[str, str], before: object = None
) -> tuple[float, float, int]:
    """Median seconds of the commands, the median of their ratios to a floor run just before
    each, and the max RSS.

    Each command is paired with a floor run at the same moment, so that a machine slowing
    down or speeding up between (or within) phases does not skew the ratio.
    """
    times, ratios, peaks = [], [], []
    for command in commands:
        if callable(before):
            before()
        floor = run(FLOOR, env)[0]
        elapsed, peak, _code = run(command, env)
        times.append(elapsed)
        ratios.append(elapsed / floor)
        peaks.append(peak)
    return statistics.median(times), statistics.median(ratios), max(peaks)


def watchbook(journal: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "watchbook", "-j", str(journal), *args]


def journal_for(work: Path, n: int) -> Path:
    """A generated journal of n entries (kept between runs: generating 100k takes a while)."""
    path = work / f"journal-{n}"
    marker = path / ".complete"
    if not marker.exists():
        shutil.rmtree(path, ignore_errors=True)
        # In another process, so that this one stays small: a child's peak memory (as
        # wait4 reports it) would otherwise count what it shared with this process at fork.
        corpus = Path(__file__).resolve().parent / "corpus.py"
        subprocess.run(
            [
                sys.executable,
                str(corpus),
                str(path),
                str(n),
                "--seed",
                "1",
                "--planned",
                str(n // 20),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        marker.write_text("")
        time.sleep(SETTLE)  # past the index's 'just written' window
    return path


def change_one(journal: Path, number: int) -> None:
    """Rewrite one entry file by hand, as an editor would (a different score)."""
    files = sorted(p for p in journal.glob("*.toml"))
    start = (number * 7919) % len(files)
    for path in files[start:] + files[:start]:
        text = path.read_text(encoding="utf-8")
        # A planned entry has no score: the edit would make the file invalid.
        if 'status = "planned"' not in text:
            break
    lines = [line for line in text.splitlines() if not line.startswith("score =")]
    lines.insert(3, f"score = {number % 10}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def jrnl_time(work: Path, n: int, env: dict[str, str], runs: int) -> float | None:
    """`jrnl -contains WORD` on the same entries as a jrnl journal, when jrnl is installed."""
    jrnl = shutil.which("jrnl")
    if jrnl is None:
        return None
    folder = work / f"jrnl-{n}"
    folder.mkdir(exist_ok=True)
    text_file = folder / "journal.txt"
    if not text_file.exists():
        chunks = []
        for entry in make_entries(n, seed=1, planned=n // 20):
            day = entry.watched[0].isoformat() if entry.watched else "2000-01-01"
            chunks.append(f"[{day} 20:00] {entry.title}\n{entry.review or entry.verdict or ''}\n")
        text_file.write_text("\n".join(chunks), encoding="utf-8")
    config = folder / "jrnl.yaml"
    config.write_text(
        f"journals:\n  default:\n    journal: {text_file}\nencrypt: false\n"
        "default_hour: 9\ndefault_minute: 0\neditor: ''\ntimeformat: '%F %r'\n"
        "tagsymbols: '#@'\nhighlight: false\nlinewrap: 79\ncolors: {}\n"
        "indent_character: '|'\nversion: v4.0\n",
        encoding="utf-8",
    )
    command = [jrnl, "--config-file", str(config), "-contains", "catwalks"]
    return timed([command] * runs, env)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also 100,000 entries")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/watchbook-speed"))
    args = parser.parse_args()
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    env = environment(work)
    sizes = [1_000, 10_000] + ([100_000] if args.full else [])
    runs = args.runs

    # Warm the bytecode cache and the disk cache once.
    run(FLOOR, env)
    run([sys.executable, "-m", "watchbook", "--help"], env)
    floor, floor_rss = timed([FLOOR] * runs, env)
    print(
        f"floor (import typer, rapidfuzz.process, sqlite3): {floor * 1000:.0f} ms, {floor_rss / 1024:.0f} MB"
    )
    rows = []
    for n in sizes:
        journal = journal_for(work, n)
        index = journal / ".watchbook"
        where, _ = timed([watchbook(journal, "where")] * runs, env)
        build_runs = 5 if n <= 10_000 else 1
        build, build_ratio, build_rss = against_floor(
            [watchbook(journal, "search", "sidnoia")] * build_runs,
            env,
            before=lambda index=index: shutil.rmtree(index, ignore_errors=True),
        )
        shown = watchbook(journal, "show", sorted(journal.glob("*.toml"))[n // 2].stem)

        def build_without_links(index: Path = index, journal: Path = journal) -> None:
            shutil.rmtree(index, ignore_errors=True)
            run(watchbook(journal, "search", "sidnoia"), env)

        links_later, _ = timed([shown] * build_runs, env, before=build_without_links)
        build_links, build_links_rss = timed(
            [shown] * build_runs,
            env,
            before=lambda index=index: shutil.rmtree(index, ignore_errors=True),
        )
        searches = [watchbook(journal, "search", QUERIES[i % len(QUERIES)]) for i in range(runs)]
        # The listing settles (no file is 'just written' any more); the links are all there,
        # so that an update below patches them as in everyday use.
        run(searches[0], env)
        run(shown, env)
        warm, warm_ratio, warm_rss = against_floor(searches, env)

        def touch(journal: Path = journal, counter: list[int] = [0]) -> None:  # noqa: B006
            time.sleep(SETTLE)  # the previous change is past its 'just written' window
            run(watchbook(journal, "search", "settle"), env)
            counter[0] += 1
            change_one(journal, counter[0])

        incremental, incremental_ratio, _incremental_rss = against_floor(
            searches, env, before=touch
        )
        time.sleep(SETTLE)
        run(searches[0], env)
        jrnl = jrnl_time(work, n, env, runs) if n == 10_000 else None
        rows.append(
            (n, where, warm, warm_ratio, warm_rss, build, build_ratio, build_rss, incremental,
             incremental_ratio, links_later, build_links, build_links_rss)
        )  # fmt: skip
        print(
            f"{n:>7} entries: where {where * 1000:.0f} ms, warm search {warm * 1000:.0f} ms "
            f"({warm_ratio:.2f}x the floor beside it, {warm_rss / 1024:.0f} MB), first build "
            f"{build:.2f} s ({build_ratio:.1f}x the floor, {build_rss / 1024:.0f} MB; links later {links_later:.2f} s, a first "
            f"build with links {build_links:.2f} s, {build_links_rss / 1024:.0f} MB), one changed file "
            f"{incremental * 1000:.0f} ms ({incremental_ratio:.2f}x the floor beside it)"
            + (f", jrnl -contains {jrnl * 1000:.0f} ms" if jrnl else "")
        )
    print()
    print(
        "| entries | `watchbook where` | warm `search` | × floor | peak MB | first build | × floor "
        "| peak MB "
        "| links later | first build with links | peak MB | one file changed | × floor |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (n, where, warm, warm_ratio, warm_rss, build, build_ratio, build_rss, inc, inc_ratio, later,
         with_links, with_links_rss) in rows:  # fmt: skip
        print(
            f"| {n:,} | {where * 1000:.0f} ms | {warm * 1000:.0f} ms | {warm_ratio:.2f} | "
            f"{warm_rss / 1024:.0f} | {build:.2f} s | {build_ratio:.1f} | {build_rss / 1024:.0f} | "
            f"{later:.2f} s | "
            f"{with_links:.2f} s | {with_links_rss / 1024:.0f} | "
            f"{inc * 1000:.0f} ms | {inc_ratio:.2f} |"
        )
    print(
        f"\nfloor: {floor * 1000:.0f} ms at the start; ratios are medians of each run over the floor run beside it"
    )
    if shutil.which("jrnl") is None:
        print("jrnl: not installed, comparison skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
