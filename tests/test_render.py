"""Output that fits: rich tables on a real terminal (without colour under NO_COLOR), plain lines on a pipe."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke, run_in_terminal

BOX = set("│┃━─╇┼")


@pytest.mark.parametrize("command", [["list"], ["stats"], ["show", "blame"]])
def test_a_terminal_gets_rich_output(sample_journal: Path, command: list[str]) -> None:
    out = run_in_terminal(command, {"NO_COLOR": None, "TERM": "xterm-256color"})
    assert "\x1b[" in out or BOX & set(out)


@pytest.mark.parametrize("command", [["list"], ["stats"], ["show", "blame"]])
def test_no_color_takes_the_colour_away_but_keeps_the_layout(
    sample_journal: Path, command: list[str]
) -> None:
    out = run_in_terminal(command, {"NO_COLOR": "1", "TERM": "xterm-256color"})
    assert not re.search(r"\x1b\[[0-9;]*(?:3[0-9]|9[0-7])m", out)
    assert BOX & set(out) or "█" in out or "Kind" in out
    assert "\t" not in out


def test_piped_list_is_one_record_per_line_for_grep_and_cut(sample_journal: Path) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "watchbook", "list"], capture_output=True, text=True, check=True
    ).stdout
    anime = [line for line in listed.splitlines() if "Knights" in line]
    assert len(anime) == 2
    assert sorted(line.split("\t")[0] for line in anime) == [
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
    ]


class FakeTerminal:
    """A stderr stand-in that says it is a terminal and keeps what was written."""

    def __init__(self, terminal: bool) -> None:
        self.terminal = terminal
        self.parts: list[str] = []

    def isatty(self) -> bool:
        return self.terminal

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(
    ("terminal", "term", "total", "shown"),
    [
        (True, "xterm", 500, True),
        (False, "xterm", 500, False),  # a pipe or a file never gets a bar
        (True, "dumb", 500, False),
        (True, "xterm", 10, False),  # under the minimum: too quick to be worth a bar
    ],
)
def test_progress_bar_only_on_a_terminal_and_only_for_long_jobs(
    monkeypatch: pytest.MonkeyPatch, terminal: bool, term: str, total: int, shown: bool
) -> None:
    from watchbook.render.progress import ProgressBar

    fake = FakeTerminal(terminal)
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setenv("TERM", term)
    bar = ProgressBar("Working", minimum=100)
    for done in range(1, total + 1, 50):
        bar(done, total)
    bar.close()
    assert ("Working" in "".join(fake.parts)) is shown


def test_rebuild_bar_waits_for_its_delay(monkeypatch: pytest.MonkeyPatch) -> None:
    from watchbook.render.progress import rebuild_progress

    fake = FakeTerminal(True)
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setenv("TERM", "xterm")
    bar = rebuild_progress()
    bar(1, 10_000)  # well inside the first second
    bar.close()
    assert fake.parts == []


def test_a_shown_progress_bar_runs_no_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # The index build forks worker processes while the bar is up: that is only safe with one
    # thread in the process.
    import threading

    from watchbook.render.progress import ProgressBar

    fake = FakeTerminal(True)
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setenv("TERM", "xterm")
    bar = ProgressBar("Working", minimum=1)
    for done in range(1, 501, 50):
        bar(done, 500)
        assert threading.active_count() == 1
    bar(500, 500)
    assert "Working" in "".join(fake.parts)
    bar.close()


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def shown(args: list[str], columns: int) -> list[str]:
    """The lines a terminal this many columns wide shows for a command (colour codes taken out)."""
    out = run_in_terminal(
        args, {"COLUMNS": str(columns), "TERM": "xterm-256color", "NO_COLOR": None}
    )
    return [ANSI.sub("", line) for line in out.split("\r\n")]


@pytest.mark.parametrize("columns", [40, 50, 60, 80])
@pytest.mark.parametrize(
    ("args", "title"), [(["list"], 16), (["search", "sidonia"], 16), (["recommend", "Blame!"], 12)]
)
def test_a_narrow_terminal_leaves_columns_out_rather_than_crush_the_title(
    sample_journal: Path, args: list[str], title: int, columns: int
) -> None:
    from rich.cells import cell_len

    lines = shown(args, columns)
    assert all(cell_len(line) <= columns for line in lines)
    header = next(line for line in lines if line.startswith("Title"))
    # The Title cell, its padding included, up to the first rule.
    assert header.index("┃") >= title
    assert any("Knights of" in line for line in lines)


@pytest.mark.parametrize("columns", [100, 120])
@pytest.mark.parametrize(
    ("args", "headers"),
    [
        (["list"], ["Title", "Year", "Kind", "Status", "Score", "Verdict"]),
        (["search", "sidonia"], ["Title", "Year", "Kind", "Score", "Verdict", "Matched"]),
        (["recommend", "Blame!"], ["Title", "Score", "Related", "Why"]),
    ],
)
def test_a_wide_terminal_keeps_every_column(
    sample_journal: Path, args: list[str], headers: list[str], columns: int
) -> None:
    header = next(line for line in shown(args, columns) if line.startswith("Title"))
    assert [cell.strip() for cell in header.split("┃")] == headers


WEEKDAY_ROW = re.compile(r"^  (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ( ?[·░▒▓█]{20,})$")
BAR = re.compile(r"^  +\S+ █+ \d+$")


@pytest.mark.parametrize(("columns", "halves"), [(40, 2), (50, 2), (60, 1), (100, 1)])
def test_stats_bars_and_the_heatmap_fit_a_narrow_terminal(
    sample_journal: Path, columns: int, halves: int
) -> None:
    from rich.cells import cell_len

    lines = shown(["stats", "--year", "2015"], columns)
    assert all(cell_len(line) <= columns for line in lines)
    # Every weekday row of the heatmap whole on its line: the year at once, or in two halves.
    rows = [
        line
        for line in lines
        if line.strip()[:3] in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ]
    assert len(rows) == 7 * halves
    assert all(WEEKDAY_ROW.match(row) for row in rows), rows
    # Every bar ends with its count on the same line.
    bars = [
        line for line in lines if "█" in line and "viewings a day" not in line and "█ 4" not in line
    ]
    assert bars and all(BAR.match(line) for line in bars), bars


def test_a_terminal_too_narrow_for_half_a_year_leaves_the_heatmap_out_and_says_so(
    sample_journal: Path,
) -> None:
    lines = shown(["stats", "--year", "2015"], 30)
    heading = lines.index("Viewings per day in 2015")
    assert lines[heading + 1] == "  (left out: needs 33 columns)"
    assert not any(line.strip().startswith("Mon") for line in lines)


@pytest.mark.parametrize("columns", [40, 60])
def test_the_next_table_leaves_columns_out_on_a_narrow_terminal(
    sample_journal: Path, invoke: Invoke, columns: int
) -> None:
    from rich.cells import cell_len

    assert invoke("watch", "Knights of Sidonia").exit_code == 0
    lines = shown(["next"], columns)
    assert all(cell_len(line) <= columns for line in lines)
    header = next(line for line in lines if line.startswith("Title"))
    assert header.index("┃") >= 16
    assert any("Knights of" in line for line in lines)
