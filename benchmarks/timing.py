"""Timing whole watchbook processes, the way a person runs them: shared by the benchmarks."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

# What any Typer CLI with these dependencies pays before doing anything.
FLOOR = [sys.executable, "-c", "import typer, rapidfuzz.process, sqlite3"]
WATCHBOOK = [sys.executable, "-m", "watchbook"]


def timed(command: list[str], env: dict[str, str]) -> float:
    """Seconds one run of a command takes, start to exit; it must succeed."""
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def run_times(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """(median, best) of several runs, after one untimed warm-up run.

    The best run is the better estimate on a machine other work shares; both are reported.
    """
    timed(command, env)
    times = [timed(command, env) for _ in range(runs)]
    return statistics.median(times), min(times)
