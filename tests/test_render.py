"""Output that fits: rich tables on a real terminal, plain lines with NO_COLOR or a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

BOX = set("│┃━─╇┼")


def run_in_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run watchbook with a pseudo-terminal as stdout and return what it printed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchbook", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "120", **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=30)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("command", [["list"], ["stats"], ["show", "blame"]])
def test_a_terminal_gets_rich_output(sample_journal: Path, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    out = run_in_terminal(command, {**env, "TERM": "xterm-256color"})
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
