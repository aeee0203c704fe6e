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
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

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
