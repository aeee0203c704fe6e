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


FULL = Path("/dev/full")


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("unbuffered", ["1", None], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["show", "blame"],
        ["export", "--format", "json", "--out", "-"],
        ["--help"],
    ],
)
def test_a_full_disk_under_stdout_is_one_line_and_exit_2(
    sample_journal: Path, args: list[str], unbuffered: str | None
) -> None:
    # `watchbook list > /dev/full`: the write is refused, and what was buffered must not be
    # written again at exit (Python's 'Exception ignored ... OSError', exit 120).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    if unbuffered:
        env["PYTHONUNBUFFERED"] = unbuffered
    with FULL.open("w") as full:
        result = subprocess.run(
            [sys.executable, "-m", "watchbook", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    assert result.stderr == "Error: cannot write the output: No space left on device\n"
    assert result.returncode == 2


@pytest.mark.parametrize("args", [["list"], ["list", "--json"], ["where"]])
def test_a_closed_stdout_is_one_line_and_exit_2(sample_journal: Path, args: list[str]) -> None:
    # `watchbook list >&-`: Python has no sys.stdout at all.
    result = subprocess.run(
        ["sh", "-c", 'exec "$0" -m watchbook "$@" >&-', sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stderr == "Error: cannot write the output: stdout is closed\n"
    assert result.returncode == 2


HOLDER_PROBE = """
import atexit, os, sys
atexit.register(lambda: print(os.readlink("/proc/self/fd/1"), file=sys.stderr))
sys.argv = ["watchbook", *sys.argv[1:]]
from watchbook.__main__ import main
main()
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
def test_a_closed_stdout_is_held_so_no_file_takes_its_number(sample_journal: Path) -> None:
    # With descriptor 1 free, the next file opened (the read-ahead pipe, an entry, the index)
    # would take it, and a child writing to its stdout (an editor) would write into that file.
    result = subprocess.run(
        ["sh", "-c", 'p="$1"; shift; exec "$0" -c "$p" "$@" >&-', sys.executable, HOLDER_PROBE,
         "add", "Paprika", "--year", "2006", "--score", "8"],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    *said, held = result.stderr.splitlines()
    assert held == os.devnull
    assert said == ["Added Paprika (2006)", "Error: cannot write the output: stdout is closed"]
    assert result.returncode == 2
    # The entry was written (before its path could not be), and whole.
    assert 'title = "Paprika"' in (sample_journal / "paprika-2006.toml").read_text("utf-8")
    assert watchbook("check").returncode == 0


FDS_PROBE = """
import atexit, os, sys
def held():
    with open(os.environ["WB_FDS"], "w") as out:
        out.write(" ".join(os.readlink(f"/proc/self/fd/{n}") for n in (0, 1, 2)))
atexit.register(held)
sys.argv = ["watchbook", *sys.argv[1:]]
from watchbook.__main__ import main
main()
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize(("closing", "code"), [("<&-", 0), ("2>&-", 1)])
def test_a_closed_stdin_or_stderr_is_held_too(
    sample_journal: Path, tmp_path: Path, closing: str, code: int
) -> None:
    # `show` of nothing says so on stderr: with stderr closed, said to nothing, and exit 1 kept.
    args = ["where"] if code == 0 else ["show", "nothing like this"]
    fds = tmp_path / "fds"
    result = subprocess.run(
        ["sh", "-c", f'p="$1"; shift; exec "$0" -c "$p" "$@" {closing}', sys.executable, FDS_PROBE, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "WB_FDS": str(fds)},
        timeout=120,
    )  # fmt: skip
    assert result.returncode == code, result.stderr
    held = fds.read_text().split()[0 if closing == "<&-" else 2]
    assert held == os.devnull


# Ctrl-C `delay` seconds after the interpreter starts running watchbook (a timer inside the
# process: the test's own scheduling does not blur it, and Python's start-up is left out).
INTERRUPT_PROBE = """
import os, signal, sys
from watchbook.__main__ import main
signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
delay, sys.argv = float(sys.argv[1]), ["watchbook", *sys.argv[2:]]
signal.setitimer(signal.ITIMER_REAL, delay)
main()
"""
INTERRUPTED = "Error: interrupted; no file was left half-written\n"


def test_ctrl_c_at_any_moment_of_start_up_is_one_line_and_130(journal_dir: Path) -> None:
    # Most of a short command's first 0.1 s is Python importing Typer, Click and the commands,
    # and Typer building them: Ctrl-C there came out as a traceback from inside an import, or
    # as a silent 130, or was lost in an importlib callback.
    write_journal(journal_dir, 2000, seed=5, reviews=False)
    open_index(Journal(journal_dir)).close()
    seen = []
    for delay in (0.0005, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07):
        result = subprocess.run(
            [sys.executable, "-c", INTERRUPT_PROBE, str(delay), "list"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        seen.append((delay, result.returncode, result.stderr))
    wrong = [s for s in seen if s[1:] != (130, INTERRUPTED) and s[1:] != (0, "")]
    assert wrong == []
    # The early ones land before the command has done anything.
    assert all(code == 130 for delay, code, _ in seen if delay <= 0.02)
