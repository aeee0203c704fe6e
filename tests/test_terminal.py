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


# An SGR code's parameters that set a colour: foreground, background, 256 and true colour.
COLOUR_PARAMS = re.compile(r"^(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])$")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colours(text: str) -> list[str]:
    """The colour parameters of the escape codes in `text`."""
    return [p for m in SGR.finditer(text) for p in m.group(1).split(";") if COLOUR_PARAMS.match(p)]


@pytest.mark.parametrize(
    "args",
    [["list"], ["search", "sidonia"], ["stats"], ["show", "Blame!"], ["recommend", "Blame!"]],
)
@pytest.mark.parametrize(
    ("env", "codes"),
    [({"NO_COLOR": "1", "TERM": "xterm-256color"}, True), ({"TERM": "dumb"}, False)],
    ids=["no-color", "term-dumb"],
)
def test_no_color_and_a_dumb_terminal_keep_the_terminal_layout_without_colour(
    sample_journal: Path, args: list[str], env: dict[str, str], codes: bool
) -> None:
    # NO_COLOR turns colour off and nothing else (no-color.org); TERM=dumb also takes every
    # escape code away. Neither is a pipe: the tables and headings stay.
    coloured = run_in_terminal(args, {"TERM": "xterm-256color", "NO_COLOR": None})
    plain = run_in_terminal(args, {"NO_COLOR": None, **env})
    assert colours(coloured)
    assert colours(plain) == []
    if not codes:
        assert ANSI.sub("", plain) == plain
    assert ANSI.sub("", plain) == ANSI.sub("", coloured)
    assert "\t" not in plain


@pytest.mark.parametrize(
    "env", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["no-color", "term-dumb"]
)
@pytest.mark.parametrize(
    ("args", "code"), [(["list", "--tag", "no-such-tag"], 0), (["search", "zzqxq"], 1)]
)
def test_an_empty_result_says_so_without_colour_too(
    sample_journal: Path, env: dict[str, str], args: list[str], code: int
) -> None:
    terminal = Terminal(args, env)
    assert terminal.finish() == code
    assert ANSI.sub("", terminal.output) == "No entries match\n"
