"""Output that fits: rich tables on a real terminal, plain lines with NO_COLOR or a pipe."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_in_terminal

BOX = set("│┃━─╇┼")


@pytest.mark.parametrize("command", [["list"], ["stats"], ["show", "blame"]])
def test_a_terminal_gets_rich_output(sample_journal: Path, command: list[str]) -> None:
    out = run_in_terminal(command, {"NO_COLOR": None, "TERM": "xterm-256color"})
    assert "\x1b[" in out or BOX & set(out)


@pytest.mark.parametrize("command", [["list"], ["stats"], ["show", "blame"]])
def test_no_color_gives_plain_lines_even_on_a_terminal(
    sample_journal: Path, command: list[str]
) -> None:
    out = run_in_terminal(command, {"NO_COLOR": "1", "TERM": "xterm-256color"})
    assert "\x1b[" not in out
    assert not BOX & set(out)
    assert "█" not in out


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
