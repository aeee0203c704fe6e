"""The journal folder's listing, and reading it ahead in a child process at start-up."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from watchbook.listing import (
    ENV_VAR,
    journal_folder,
    read_ahead,
    read_ahead_target,
    scan_folder,
)

linux_only = pytest.mark.skipif(
    sys.platform != "linux" or (os.cpu_count() or 1) < 2,
    reason="the listing is read ahead on Linux with two cores or more",
)


def write_entries(folder: Path, *slugs: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        (folder / f"{slug}.toml").write_text(f'title = "{slug}"\n', encoding="utf-8")


def wait_for(pid: int) -> None:
    """Until the child has ended, leaving it for watchbook to collect."""
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["search", "sidonia"], (None,)),
        (["-j", "/tmp/j", "show", "blame"], ("/tmp/j",)),
        (["--journal", "j", "list"], ("j",)),
        (["--journal=j", "recommend"], ("j",)),
        (["-jj", "export", "--out", "x"], ("j",)),
        (["stats"], (None,)),
        (["check", "--json"], (None,)),
    ],
)
def test_commands_that_only_read_the_index_are_read_ahead(
    argv: list[str], target: tuple[str | None]
) -> None:
    assert read_ahead_target(argv) == target


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--help"],
        ["--version"],
        ["-j", "j"],
        ["add", "Blame!"],
        ["edit", "blame"],
        ["import", "letterboxd", "x.zip"],
        ["link", "a", "b"],
        ["where"],
        ["--unknown", "search", "x"],
    ],
)
def test_commands_that_write_or_wait_are_not(argv: list[str]) -> None:
    assert read_ahead_target(argv) is None


def test_journal_folder_follows_the_documented_order(tmp_path: Path) -> None:
    env = {ENV_VAR: "~/from-env"}
    assert journal_folder("~/mine", env, str(tmp_path)) == (
        os.path.expanduser("~/mine"),
        "--journal",
    )
    assert journal_folder(None, env, str(tmp_path))[0] == os.path.expanduser("~/from-env")
    (tmp_path / "journal").mkdir()
    assert journal_folder(None, {}, str(tmp_path))[0] == str(tmp_path / "journal")


def test_scan_folder_lists_entry_files_only(tmp_path: Path) -> None:
    write_entries(tmp_path, "akira-1988", "blame-2017")
    (tmp_path / ".hidden.toml").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    listing = scan_folder(tmp_path)
    assert sorted(listing) == ["akira-1988.toml", "blame-2017.toml"]
    size = (tmp_path / "akira-1988.toml").stat().st_size
    assert listing["akira-1988.toml"][0] == size
    assert scan_folder(tmp_path / "missing") == {}


@linux_only
def test_a_command_sees_the_folder_as_it_was_when_it_started(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    write_entries(folder, "akira-1988", "blame-2017")
    pid = read_ahead(["-j", str(folder), "search", "akira"])
    assert pid is not None
    wait_for(pid)
    write_entries(folder, "added-later")
    # The first listing is the child's, made before the file was added; later ones are fresh.
    assert sorted(scan_folder(folder)) == ["akira-1988.toml", "blame-2017.toml"]
    assert "added-later.toml" in scan_folder(folder)


@linux_only
def test_a_listing_read_ahead_for_another_folder_is_not_used(tmp_path: Path) -> None:
    write_entries(tmp_path / "a", "akira-1988")
    write_entries(tmp_path / "b", "blame-2017")
    pid = read_ahead(["-j", str(tmp_path / "a"), "list"])
    assert pid is not None
    wait_for(pid)
    assert list(scan_folder(tmp_path / "b")) == ["blame-2017.toml"]
    assert list(scan_folder(tmp_path / "a")) == ["akira-1988.toml"]


@linux_only
def test_the_journal_from_the_environment_is_read_ahead(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_entries(journal_dir, "akira-1988")
    monkeypatch.setenv(ENV_VAR, str(journal_dir))
    pid = read_ahead(["show", "akira"])
    assert pid is not None
    wait_for(pid)
    write_entries(journal_dir, "added-later")
    assert list(scan_folder(journal_dir)) == ["akira-1988.toml"]


@linux_only
def test_a_missing_folder_read_ahead_lists_nothing(tmp_path: Path) -> None:
    pid = read_ahead(["-j", str(tmp_path / "none"), "search", "x"])
    assert pid is not None
    assert scan_folder(tmp_path / "none") == {}


@linux_only
def test_a_child_that_failed_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_entries(tmp_path, "akira-1988")

    def no_space(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    # The child cannot write its answer down: the parent lists the folder itself.
    monkeypatch.setattr(os, "write", no_space)
    pid = read_ahead(["-j", str(tmp_path), "search", "x"])
    assert pid is not None
    wait_for(pid)
    monkeypatch.undo()
    assert list(scan_folder(tmp_path)) == ["akira-1988.toml"]


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


@linux_only
@pytest.mark.parametrize("variable", ["COMP_WORDS", "_TYPER_COMPLETE_ARGS"])
def test_completion_reads_ahead_the_journal_named_on_the_line_being_completed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    folder = tmp_path / "my journal"
    write_entries(folder, "akira-1988")
    monkeypatch.setenv("_WATCHBOOK_COMPLETE", "complete_bash")
    monkeypatch.setenv(variable, f"watchbook --journal '{folder}' show 'Aki")
    pid = read_ahead(["watchbook"])
    assert pid is not None
    wait_for(pid)
    write_entries(folder, "added-later")
    assert list(scan_folder(folder)) == ["akira-1988.toml"]


PIPE_PROBE = """
import os, sys, time
import watchbook.listing as listing
listing._scan = lambda folder: time.sleep(10) or {}
assert listing.read_ahead(["-j", sys.argv[1], "search", "x"]) is not None
print("answered", flush=True)
os._exit(0)  # without collecting the child: it must not hold this process's output open
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


def test_without_memfd_the_command_lists_the_folder_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_entries(tmp_path, "akira-1988")
    monkeypatch.delattr(os, "memfd_create", raising=False)
    assert read_ahead(["-j", str(tmp_path), "search", "x"]) is None
    assert list(scan_folder(tmp_path)) == ["akira-1988.toml"]


def test_listing_changes_find_what_a_plain_comparison_finds() -> None:
    from watchbook.listing import (
        CHUNK,
        listing_bytes,
        listing_changes,
        listing_files,
        patched_listing,
    )

    draw = random.Random(5)
    for size in (0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 7):
        before = {
            f"entry-{i:05d}.toml": (draw.randrange(900, 3000), 10**18 + i) for i in range(size)
        }
        for _ in range(20):
            after = dict(before)
            names = list(after)
            for name in draw.sample(names, min(len(names), draw.randrange(4))):
                after[name] = (after[name][0] + 1, after[name][1])  # edited
            for name in draw.sample(names, min(len(names), draw.randrange(3))):
                del after[name]  # removed
            for n in range(draw.randrange(3)):
                after[f"new-{n}-{draw.random()}.toml"] = (10, 20)  # added
            if draw.random() < 0.3:
                after = dict(draw.sample(list(after.items()), len(after)))  # another order
            old, new = listing_bytes(before), listing_bytes(after)
            assert listing_files(new) == after and list(listing_files(new)) == list(after)
            changes = listing_changes(old, new)
            assert changes.changed == {n: s for n, s in after.items() if before.get(n) != s}
            assert changes.removed == before.keys() - after.keys()
            assert changes.total == len(after)
            marks = {name: (-1, stat[1]) for name, stat in changes.changed.items()}
            patched = {n: marks.get(n, s) for n, s in after.items()}
            assert patched_listing(new, marks, changes.pieces) == listing_bytes(patched)


def test_a_damaged_listing_is_a_value_error() -> None:
    from watchbook.listing import listing_bytes, listing_changes, listing_files

    good = listing_bytes({"a.toml": (1, 2)})
    for bad in (b"", b"\x00", good[:-3], b"i\x01\x00\x00\x00"):
        with pytest.raises(ValueError):
            listing_files(bad)
        with pytest.raises(ValueError):
            listing_changes(good, bad)


def test_the_read_ahead_commands_are_commands_that_only_read() -> None:
    from watchbook.cli import COMMAND_ORDER
    from watchbook.listing import READ_AHEAD_COMMANDS

    assert READ_AHEAD_COMMANDS.issubset(COMMAND_ORDER)
    # These write entry files, or wait for a person: they list the folder themselves.
    assert not READ_AHEAD_COMMANDS & {"add", "edit", "rm", "link", "unlink", "import", "init"}


def test_the_listing_module_imports_nothing_heavy() -> None:
    # It is imported before anything else, to start the read-ahead as early as possible.
    probe = (
        "import sys; before = set(sys.modules); import watchbook.listing; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert set(result.stdout.split()) <= {"__future__", "watchbook", "watchbook.listing"}


@linux_only
def test_a_big_folder_is_listed_by_two_processes_the_same_as_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import watchbook.listing as listing

    folder = tmp_path / "journal"
    write_entries(folder, *(f"film-{n}" for n in range(301)))
    (folder / "film-7.toml").write_text("title = 'longer than the others'\n", encoding="utf-8")
    (folder / "gone.toml").symlink_to(folder / "nowhere")  # cannot be stat'ed: (-1, -1)
    (folder / ".hidden.toml").write_text("")
    monkeypatch.setattr(listing, "SPLIT_MIN", 10**9)
    alone = scan_folder(folder)
    helpers: list[int] = []
    real_forked = listing._forked

    def counted(work: object, detach: bool = False) -> object:
        helpers.append(1)
        return real_forked(work, detach)  # type: ignore[arg-type]

    monkeypatch.setattr(listing, "_forked", counted)
    monkeypatch.setattr(listing, "SPLIT_MIN", 100)
    split = scan_folder(folder)
    assert helpers == [1]
    assert list(split.items()) == list(alone.items())
    assert alone["gone.toml"] == (-1, -1) and len(alone) == 302
    # A helper that fails leaves its half to the parent.
    monkeypatch.setattr(listing, "_forked", lambda work, detach=False: real_forked(lambda: b""))
    assert list(scan_folder(folder).items()) == list(alone.items())
