"""On a real terminal (a pty): what a person sees, and what they can copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Terminal, run_in_terminal

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.mark.parametrize(
    ("args", "code"),
    [(["list", "--tag", "no-such-tag"], 0), (["search", "zzqxw"], 1), (["list"], 0)],
)
def test_an_empty_result_says_so_instead_of_drawing_an_empty_table(
    journal_dir: Path, sample_journal: Path, args: list[str], code: int
) -> None:
    if args == ["list"]:
        for path in sample_journal.glob("*.toml"):
            path.unlink()
    terminal = Terminal(args)
    assert terminal.finish() == code
    assert ANSI.sub("", terminal.output) == "No entries match\n"


# A table, the facts grid with a Markdown review, and plain sections: every rich output goes
# through the same trimmed stream (render.console).
@pytest.mark.parametrize("args", [["list"], ["show", "Blame!"], ["stats"]])
def test_terminal_lines_end_without_padding(sample_journal: Path, args: list[str]) -> None:
    out = run_in_terminal(args, {"TERM": "xterm-256color", "NO_COLOR": None})
    lines = [ANSI.sub("", line) for line in out.split("\r\n")]
    assert len([line for line in lines if line.strip()]) > 3
    padded = [line for line in lines if line != line.rstrip()]
    assert padded == []
