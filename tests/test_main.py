"""The process entry point: output arrives whole, exit codes are kept, exit handlers run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, Invoke
from watchbook.index.store import open_index
from watchbook.journal import Journal

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import write_journal


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


@pytest.mark.parametrize("unbuffered", ["1", None], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    "args",
    [["list", "--json"], ["export", "--format", "json", "--out", "-"]],
    ids=["list", "export"],
)
def test_a_reader_that_leaves_mid_output_gives_141(
    journal_dir: Path, args: list[str], unbuffered: str | None
) -> None:
    # `watchbook list --json | head -c 10`: megabytes of JSON, the reader gone after 10 bytes.
    # With PYTHONUNBUFFERED (or -u) stdout has no buffer: one write(2) that stops short when the
    # reader leaves, which Python's text layer took as done, and the command exited 0.
    write_journal(journal_dir, 1000, seed=3, reviews=False)
    open_index(Journal(journal_dir)).close()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchbook", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(10)) == 10
    proc.stdout.close()
    code = proc.wait(timeout=60)
    assert proc.stderr.read() == b""
    assert code == 141
