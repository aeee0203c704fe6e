"""The process entry point: it leaves without interpreter teardown, so nothing may be lost."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke


def watchbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watchbook", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def leaving_with(code: str) -> subprocess.CompletedProcess[str]:
    """A process that prints without a newline, then calls leave(code)."""
    program = (
        "import sys\n"
        "from watchbook.__main__ import leave\n"
        "sys.stdout.write('unfinished line')\n"
        "sys.stderr.write('half a warning')\n"
        f"leave({code})\n"
        "print('never printed')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(("code", "status"), [("None", 0), ("0", 0), ("3", 3), ("141", 141)])
def test_leave_flushes_both_streams_and_keeps_the_exit_code(code: str, status: int) -> None:
    result = leaving_with(code)
    assert result.returncode == status
    assert result.stdout == "unfinished line"
    assert result.stderr == "half a warning"


def test_leave_with_a_message_prints_it_and_exits_1() -> None:
    result = leaving_with("'Aborted by a callback'")
    assert result.returncode == 1
    assert result.stderr == "half a warningAborted by a callback\n"


def test_a_long_output_arrives_whole_through_a_pipe(invoke: Invoke, journal_dir: Path) -> None:
    # Far more than one pipe buffer (64 KiB) of JSON, all of which must be written before exit.
    for number in range(150):
        added = invoke(
            "add", f"Night Train {number}", "--year", "2001", "--score", "7",
            "--verdict", "A long verdict " + "x" * 400,
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    result = watchbook("list", "--json")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) > 65536
    listed = json.loads(result.stdout)
    assert len(listed) == 150
    assert listed == json.loads(invoke("list", "--json").stdout)


def test_writes_made_by_one_process_are_whole_for_the_next(journal_dir: Path) -> None:
    added = watchbook("add", "Blame!", "--year", "2017", "--score", "6", "--tag", "cyberpunk")
    assert added.returncode == 0, added.stderr
    found = watchbook("search", "blame", "--json")
    assert found.returncode == 0, found.stderr
    assert [hit["slug"] for hit in json.loads(found.stdout)] == ["blame-2017"]
    linked = watchbook("add", "Knights of Sidonia", "--year", "2014", "--score", "7")
    assert linked.returncode == 0, linked.stderr
    index = journal_dir / ".watchbook" / "index.sqlite"
    with sqlite3.connect(index) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    again = watchbook("search", "sidonia", "--json")
    assert [hit["slug"] for hit in json.loads(again.stdout)] == ["knights-of-sidonia-2014"]


def test_errors_and_usage_keep_their_exit_codes(journal_dir: Path) -> None:
    missing = watchbook("show", "nothing like this")
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr.startswith("Error: ")
    assert len(missing.stderr.splitlines()) == 1
    bad = watchbook("add", "Akira", "--score", "12")
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: ")
    usage = watchbook("search")
    assert usage.returncode == 2
    assert "Missing argument" in usage.stderr
    helped = watchbook("--help")
    assert helped.returncode == 0
    assert "Usage:" in helped.stdout
