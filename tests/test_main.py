"""The process entry point: output arrives whole, exit codes are kept, exit handlers run."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import Invoke


def watchbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "watchbook", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_profile_of_a_command_is_written(sample_journal: Path, tmp_path: Path) -> None:
    # The process ends the ordinary way, so tools that write at exit (cProfile, coverage) work.
    profile = tmp_path / "list.prof"
    result = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "watchbook", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "blame-2017" in result.stdout
    import pstats

    assert pstats.Stats(str(profile)).total_calls > 0


def test_exit_handlers_run(sample_journal: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    program = (
        "import atexit, pathlib, sys\n"
        f"atexit.register(lambda: pathlib.Path({str(marker)!r}).write_text('yes'))\n"
        "sys.argv = ['watchbook', 'where']\n"
        "from watchbook.__main__ import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "yes"


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
    assert usage.stderr == "Error: QUERY: missing (see 'watchbook search --help')\n"
    helped = watchbook("--help")
    assert helped.returncode == 0
    assert "Usage:" in helped.stdout
