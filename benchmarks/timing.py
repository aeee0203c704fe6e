"""Timing whole watchbook processes, the way a person runs them: shared by the benchmarks."""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

# What any Typer CLI with these dependencies pays before doing anything.
FLOOR = [sys.executable, "-c", "import typer, rapidfuzz.process, sqlite3"]
WATCHBOOK = [sys.executable, "-m", "watchbook"]
# Seconds after an edit until the index trusts the file again (index.schema.RACY_NS): before
# that, every command reads it again, and a timing would count it.
SETTLE = 3.1


def timed(command: list[str], env: dict[str, str]) -> float:
    """Seconds one run of a command takes, start to exit; it must succeed."""
    start = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


class Paired(NamedTuple):
    """A command timed against the floor run just before each of its runs (seconds)."""

    median: float
    best: float
    floor_median: float
    floor_best: float
    ratio: float  # the median of each run's ratio to its floor run


def paired_times(command: list[str], env: dict[str, str], runs: int) -> Paired:
    """A command's times, each run just after a floor run, and its ratio to those floors.

    Ratios of adjacent runs compare like with like on a machine whose speed drifts from
    minute to minute, which separate series of runs do not.
    """
    timed(command, env)
    times, floors = [], []
    for _ in range(runs):
        floors.append(timed(FLOOR, env))
        times.append(timed(command, env))
    ratio = statistics.median(t / f for t, f in zip(times, floors, strict=True))
    return Paired(
        statistics.median(times), min(times), statistics.median(floors), min(floors), ratio
    )


def journal_env(journal: Path) -> dict[str, str]:
    """The environment a timed watchbook runs in: this journal, no colour, bytecode cached."""
    env = {**os.environ, "WATCHBOOK_JOURNAL": str(journal), "NO_COLOR": "1"}
    # Measure what a user runs: compiled bytecode cached after the first run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


@contextlib.contextmanager
def generated_journal(
    label: str, size: int, seed: int, planned: int
) -> Iterator[tuple[Path, list[Any], dict[str, str]]]:
    """A corpus journal in a temporary folder: its path, its entries, the environment to time in."""
    from corpus import write_journal

    with tempfile.TemporaryDirectory(prefix=f"watchbook-{label}-") as folder:
        journal = Path(folder) / "journal"
        entries = write_journal(journal, size, seed=seed, planned=planned, reviews=True)
        yield journal, entries, journal_env(journal)
