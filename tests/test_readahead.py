"""The journal folder listed ahead in a child process, and the other start-up tricks' switches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import watchbook.readahead as readahead
from watchbook.listing import ENV_VAR, listing_bytes, scan_folder
from watchbook.readahead import PIPE_MAX

linux_only = pytest.mark.skipif(
    sys.platform != "linux" or (os.cpu_count() or 1) < 2,
    reason="the listing is read ahead on Linux with two cores or more",
)


@pytest.fixture(autouse=True)
def nothing_pending() -> None:
    """No child of one test is left for the next one."""
    readahead.take(".")


def write_entries(folder: Path, *slugs: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        (folder / f"{slug}.toml").write_text(f'title = "{slug}"\n', encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["search", "sidonia"], (None, "search")),
        (["-j", "/tmp/j", "show", "blame"], ("/tmp/j", "show")),
        (["--journal", "j", "list"], ("j", "list")),
        (["--journal=j", "recommend"], ("j", "recommend")),
        (["-jj", "export", "--out", "x"], ("j", "export")),
        (["--help"], (None, "")),
        ([], (None, None)),
    ],
)
def test_the_journal_and_the_command_are_found_on_the_line(
    argv: list[str], found: tuple[str | None, str | None]
) -> None:
    assert readahead.journal_and_command(argv) == found


@linux_only
def test_a_reading_command_gets_the_folder_as_it_was_when_it_started(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    write_entries(folder, "akira-1988", "blame-2017")
    before = listing_bytes(scan_folder(folder))
    readahead.start(["-j", str(folder), "search", "akira"])
    time.sleep(0.5)  # the child has listed by now
    write_entries(folder, "added-later")
    assert readahead.take(folder) == before
    # Taken once: the next command lists the folder itself, and sees the new file.
    assert readahead.take(folder) is None
    assert "added-later.toml" in scan_folder(folder)


@linux_only
def test_the_listing_read_ahead_is_what_the_folder_lists(tmp_path: Path) -> None:
    write_entries(tmp_path, "akira-1988", "blame-2017")
    readahead.start(["-j", str(tmp_path), "list"])
    assert readahead.take(tmp_path) == listing_bytes(scan_folder(tmp_path))


@linux_only
@pytest.mark.parametrize("argv", [["add", "X"], ["edit", "x"], ["rm", "x"], ["import", "mal", "f"]])
def test_commands_that_write_or_wait_list_the_folder_themselves(
    tmp_path: Path, argv: list[str]
) -> None:
    readahead.start(["-j", str(tmp_path), *argv])
    assert readahead.take(tmp_path) is None


@linux_only
def test_a_listing_read_ahead_for_another_folder_is_not_used(tmp_path: Path) -> None:
    write_entries(tmp_path / "a", "akira-1988")
    readahead.start(["-j", str(tmp_path / "a"), "list"])
    assert readahead.take(tmp_path / "b") is None


@linux_only
def test_the_journal_from_the_environment_is_read_ahead(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_entries(journal_dir, "akira-1988")
    monkeypatch.setenv(ENV_VAR, str(journal_dir))
    readahead.start(["show", "akira"])
    assert readahead.take(journal_dir) == listing_bytes(scan_folder(journal_dir))


@linux_only
def test_completion_reads_ahead_the_journal_on_the_line_being_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "my journal"
    write_entries(folder, "akira-1988")
    monkeypatch.setenv("_WATCHBOOK_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", f"watchbook --journal '{folder}' show 'Aki")
    readahead.start([])
    assert readahead.take(folder) == listing_bytes(scan_folder(folder))


def test_the_switch_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHBOOK_OFF", "read-ahead")
    forks: list[int] = []
    monkeypatch.setattr(os, "fork", lambda: forks.append(1) or 0)
    readahead.start(["-j", str(tmp_path), "search", "x"])
    assert forks == []
    assert readahead.take(tmp_path) is None


PIPE_PROBE = """
import sys, time
import watchbook.readahead as readahead
from watchbook.readahead import PIPE_MAX
readahead.scan_folder = lambda folder: time.sleep(10) or {}
readahead.start(["-j", sys.argv[1], "search", "x"])
print("answered", flush=True)
"""


@linux_only
def test_the_child_does_not_hold_the_output_open(tmp_path: Path) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", PIPE_PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The reader of the output sees its end when the command ends, not when the child does.
    assert time.monotonic() - started < 8
    assert result.stdout == "answered\n"


def test_a_file_edited_by_hand_is_found_by_the_next_command(journal_dir: Path) -> None:
    env = {**os.environ, ENV_VAR: str(journal_dir), "NO_COLOR": "1"}

    def watchbook(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "watchbook", *args],
            capture_output=True,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
            timeout=60,
        )

    assert watchbook("add", "Akira", "--year", "1988", "--score", "9").returncode == 0
    assert "Akira" in watchbook("search", "akira").stdout
    path = journal_dir / "akira-1988.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Akira", "Neo Tokyo"), "utf-8")
    found = watchbook("search", "neo tokyo")
    assert found.returncode == 0, found.stderr
    assert "Neo Tokyo" in found.stdout
    shown = watchbook("show", "akira-1988", "--json")
    assert '"title": "Neo Tokyo"' in shown.stdout


GC_PROBE = """
import atexit, gc, json, sys
atexit.register(lambda: print(json.dumps([gc.isenabled(), gc.get_freeze_count() > 0]), file=sys.stderr))
sys.argv = ["watchbook", "where"]
from watchbook.__main__ import main
main()
"""


@pytest.mark.parametrize(("off", "frozen"), [("", True), ("import-gc", False)])
def test_the_collector_runs_after_start_up_with_the_loaded_modules_frozen(
    off: str, frozen: bool
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", GC_PROBE],
        capture_output=True,
        text=True,
        env={**os.environ, "WATCHBOOK_OFF": off},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stderr.strip().splitlines()[-1]) == [True, frozen]


def processes_naming(marker: str) -> list[int]:
    """The processes whose command line holds this marker."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker in (entry / "cmdline").read_text("utf-8", "replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@linux_only
def test_the_child_leaves_when_the_command_stops_before_reading_its_answer(tmp_path: Path) -> None:
    # A listing larger than the widest pipe the child may ask for (PIPE_MAX: 4,500 long names
    # make 1.1 MB), and a command line refused before the index is read: the child must not
    # wait forever to write an answer nobody reads.
    journal = tmp_path / "journal-left-behind"
    journal.mkdir()
    for number in range(4500):
        (journal / f"{'long-name-' * 22}{number:05}.toml").write_text('title = "x"\n', "utf-8")
    assert len(listing_bytes(scan_folder(journal))) > PIPE_MAX
    result = subprocess.run(
        [sys.executable, "-m", "watchbook", "-j", str(journal), "search", "x", "--no-such-option"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    deadline = time.monotonic() + 10
    while processes_naming(str(journal)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_naming(str(journal)) == []
