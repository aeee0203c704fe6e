"""rm asks on stderr, and only a person at a terminal; without one it needs --yes."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.test_cli import snapshot


def answer_on_a_terminal(args: list[str], question: bytes, answer: bytes) -> tuple[int, str, str]:
    """Run watchbook with a terminal as stdin and stdout but stderr piped apart; type `answer`
    once `question` shows on stderr. The exit code, what the terminal showed, and stderr."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchbook", *args],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(follower)
    assert proc.stderr is not None
    err = b""
    while question not in err:
        ready, _, _ = select.select([proc.stderr], [], [], 30)
        chunk = os.read(proc.stderr.fileno(), 65536) if ready else b""
        assert chunk, f"no {question!r} on stderr: {err!r}"
        err += chunk
    # As a person answers: once the program has settled into reading.
    time.sleep(0.2)
    os.write(leader, answer)
    shown = b""
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        assert ready, f"the command did not end: {shown!r}"
        try:
            data = os.read(leader, 65536)
        except OSError:  # the other side closed: the process is done
            break
        if not data:
            break
        shown += data
    err += proc.stderr.read()
    code = proc.wait(timeout=30)
    os.close(leader)
    return code, shown.decode("utf-8", "replace"), err.decode("utf-8", "replace")


# --- rm ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [None, "y\n", "n\n"])
def test_rm_without_a_terminal_or_yes_refuses(
    invoke: Invoke, sample_journal: Path, typed: str | None
) -> None:
    # A 'y' in a script's input is not a person answering: without a terminal, --yes is needed.
    before = snapshot(sample_journal)
    result = invoke("rm", "Jupiter Ascending", input=typed)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no terminal to ask whether to delete Jupiter Ascending (2015) "
        "(jupiter-ascending-2015.toml); nothing was deleted (--yes deletes without asking)\n"
    )
    assert snapshot(sample_journal) == before


def test_rm_asks_on_stderr_at_a_terminal(sample_journal: Path) -> None:
    code, shown, err = answer_on_a_terminal(["rm", "Jupiter Ascending"], b"[y/N]: ", b"y\r")
    assert code == 0, err
    assert "Delete" not in shown
    assert err.startswith("Delete Jupiter Ascending (2015) (jupiter-ascending-2015.toml)? [y/N]: ")
    assert err.endswith(f"Deleted {sample_journal / 'jupiter-ascending-2015.toml'}\n")
    assert not (sample_journal / "jupiter-ascending-2015.toml").exists()


def test_rm_answered_no_at_a_terminal_keeps_the_file(sample_journal: Path) -> None:
    before = snapshot(sample_journal)
    code, shown, err = answer_on_a_terminal(["rm", "Jupiter Ascending"], b"[y/N]: ", b"n\r")
    assert code == 1
    assert "Delete" not in shown
    assert err.endswith("? [y/N]: Nothing deleted.\n")
    assert snapshot(sample_journal) == before
