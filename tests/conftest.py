"""Shared fixtures: every test gets its own empty journal through $WATCHBOOK_JOURNAL."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from watchbook.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_JOURNAL = ROOT / "journal"
# Small exports the tests own, one folder per service (tests/fixtures/README.md lists them).
FIXTURES = ROOT / "tests" / "fixtures"
# Real exports live beside the project, in ../shared/fixtures (never copied in). CI has them; a
# fresh clone does not, so the tests that read them ask for the `real_exports` fixture below.
REAL_EXPORTS = ROOT.parent / "shared" / "fixtures"


@pytest.fixture(autouse=True)
def journal_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point watchbook at a fresh folder so no test touches a real journal."""
    path = tmp_path / "journal"
    monkeypatch.setenv("WATCHBOOK_JOURNAL", str(path))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


@pytest.fixture
def sample_journal(journal_dir: Path) -> Path:
    """A copy of the shipped sample journal as the journal in use."""
    shutil.copytree(SAMPLE_JOURNAL, journal_dir, ignore=shutil.ignore_patterns(".watchbook"))
    return journal_dir


@pytest.fixture(scope="session")
def real_exports() -> Path:
    """The real-export layer (counts, idempotence, volume): ../shared/fixtures, or a skip.

    With WATCHBOOK_REAL_EXPORTS=required (as .ci/run sets it) a missing folder fails instead,
    so CI cannot lose this layer to a skip without anyone noticing.
    """
    if not REAL_EXPORTS.is_dir():
        if os.environ.get("WATCHBOOK_REAL_EXPORTS") == "required":
            pytest.fail(f"{REAL_EXPORTS} not found, and WATCHBOOK_REAL_EXPORTS=required")
        pytest.skip("../shared/fixtures/ not found: the real-export layer runs in CI")
    return REAL_EXPORTS


Invoke = Callable[..., Result]


@pytest.fixture
def invoke() -> Invoke:
    """Run the CLI in-process: invoke("add", "Blame!", "--score", "6", input=None)."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(
            app, list(args), input=input, catch_exceptions=False, prog_name="watchbook"
        )

    return run


def run_in_terminal(args: list[str], env: dict[str, str | None]) -> str:
    """Run watchbook with a pseudo-terminal as stdout (stderr dropped); return what it printed.

    `env` is laid over this environment; a None value unsets that variable.
    """
    merged = {**os.environ, "COLUMNS": "120", **env}
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchbook", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env={k: v for k, v in merged.items() if v is not None},
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


class Terminal:
    """watchbook on a pseudo-terminal (stdin, stdout and stderr), answered the way a person would.

    `expect` waits for text to appear (Python's prompts and rich's output both go there), `send`
    types a line, `interrupt` presses Ctrl-C and `end_input` Ctrl-D; `finish` returns the exit
    code once the process is done.
    """

    def __init__(self, args: list[str], env: dict[str, str | None] | None = None) -> None:
        merged = {**os.environ, "COLUMNS": "120", "TERM": "xterm", **(env or {})}
        environ = {k: v for k, v in merged.items() if v is not None}
        pid, fd = pty.fork()
        if pid == 0:  # the child: a session of its own with the pty as controlling terminal
            try:
                os.execve(sys.executable, [sys.executable, "-m", "watchbook", *args], environ)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        self.output = ""
        self._read_to = 0

    def _read(self, timeout: float) -> bool:
        import select

        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.output += data.decode("utf-8", "replace").replace("\r\n", "\n")
        return True

    def expect(self, text: str, timeout: float = 30.0) -> str:
        """Wait until `text` is printed; return what was printed since the last expect."""
        import time

        deadline = time.monotonic() + timeout
        while text not in self.output[self._read_to :]:
            left = deadline - time.monotonic()
            if left <= 0 or (not self._read(min(left, 0.5)) and text not in self.output):
                raise AssertionError(f"waited for {text!r}; the terminal shows:\n{self.output}")
        end = self.output.index(text, self._read_to) + len(text)
        seen, self._read_to = self.output[self._read_to : end], end
        return seen

    def send(self, line: str) -> None:
        """Type a line and press Enter."""
        os.write(self.fd, line.encode() + b"\r")

    def interrupt(self) -> None:
        """Press Ctrl-C, as a person does: a moment after the question appears."""
        import time

        # A SIGINT that lands between Python printing a question and starting to read the
        # answer is noted but does not stop the read (CPython's input() only looks when a read
        # is interrupted), so the program would wait for a second Ctrl-C. No person is that
        # fast; a test is, without this pause.
        time.sleep(0.5)
        os.write(self.fd, b"\x03")

    def end_input(self) -> None:
        """Press Ctrl-D at the start of a line (end of input)."""
        os.write(self.fd, b"\x04")

    def finish(self, timeout: float = 30.0) -> int:
        """Read everything until the process ends; its exit code (128 + n for a signal)."""
        import time

        deadline = time.monotonic() + timeout
        while self._read(0.5):
            if time.monotonic() > deadline:
                os.kill(self.pid, 9)
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        code = os.waitstatus_to_exitcode(status)
        return code if code >= 0 else 128 - code

    @property
    def rest(self) -> str:
        """What was printed after the last expect."""
        return self.output[self._read_to :]
