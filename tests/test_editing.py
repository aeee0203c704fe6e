"""editing.py: the three-way merge, side copies, and a working copy that is never lost."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Invoke
from tests.test_cli import fake_editor
from watchbook.editing import BASE, OURS, SEPARATOR, THEIRS, merge_texts
from watchbook.journal import Journal

lines = st.lists(st.sampled_from(["a\n", "b\n", "c\n", "title = 1\n", "\n"]), max_size=8)
texts = lines.map("".join)


@settings(max_examples=200, deadline=None)
@given(base=texts, mine=texts, theirs=texts)
def test_a_side_that_changed_nothing_takes_the_other_side(
    base: str, mine: str, theirs: str
) -> None:
    assert merge_texts(base, mine, base) == (mine, True)
    assert merge_texts(base, base, theirs) == (theirs, True)
    assert merge_texts(base, mine, mine) == (mine, True)


@settings(max_examples=200, deadline=None)
@given(base=texts, mine=texts, theirs=texts)
def test_a_merge_is_clean_or_marks_every_conflict(base: str, mine: str, theirs: str) -> None:
    merged, clean = merge_texts(base, mine, theirs)
    markers = [line for line in merged.splitlines() if line in (OURS, BASE, SEPARATOR, THEIRS)]
    if clean:
        assert markers == []
    else:
        assert markers and len(markers) % 4 == 0
        # Keeping "your edit" in every conflict gives back exactly what the user wrote
        # wherever the other side left the base alone.
        assert OURS in merged


def test_changes_to_different_lines_are_both_kept() -> None:
    base = 'title = "Blame!"\nscore = 6\nwatched = [2017-05-22]\n'
    mine = 'title = "Blame!"\nscore = 8\nwatched = [2017-05-22]\n'
    theirs = 'title = "Blame!"\nscore = 6\nwatched = [2017-05-22, 2024-02-02]\n'
    assert merge_texts(base, mine, theirs) == (
        'title = "Blame!"\nscore = 8\nwatched = [2017-05-22, 2024-02-02]\n',
        True,
    )


def test_changes_to_the_same_line_are_marked_like_git() -> None:
    merged, clean = merge_texts("a\nscore = 6\nz\n", "a\nscore = 8\nz\n", "a\nscore = 7\nz\n")
    assert not clean
    assert merged == (
        f"a\n{OURS}\nscore = 8\n{BASE}\nscore = 6\n{SEPARATOR}\nscore = 7\n{THEIRS}\nz\n"
    )


def test_side_copies_are_numbered_and_never_replace_anything(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    journal.ensure()
    first = journal.save_aside("blame-2017", b"one")
    second = journal.save_aside("blame-2017", b"two")
    assert (first.name, second.name) == ("blame-2017.toml.edited", "blame-2017.toml.edited-2")
    assert (first.read_bytes(), second.read_bytes()) == (b"one", b"two")
    assert journal.files() == []  # not entries


def test_an_edit_that_cannot_be_saved_keeps_the_working_copy_and_says_where(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (sample_journal / "the-matrix-1999.toml").read_bytes()
    fake_editor(tmp_path, monkeypatch, before.decode() + 'mood = "kept"\n')
    assert invoke("list").exit_code == 0

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    result = invoke("edit", "the-matrix-1999")
    assert result.exit_code == 2
    assert "No space left on device; nothing was changed" in result.stderr
    kept = Path(result.stderr.split("it is kept in ", 1)[1].splitlines()[0])
    try:
        assert kept.read_bytes() == before + b'mood = "kept"\n'
    finally:
        kept.unlink()
    assert (sample_journal / "the-matrix-1999.toml").read_bytes() == before


def test_an_edit_that_changes_nothing_leaves_no_copy_behind(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = tmp_path / "seen"
    editor = tmp_path / "editor.py"
    editor.write_text(f"import sys\nopen({str(seen)!r}, 'w').write(sys.argv[1])\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    result = invoke("edit", "blame")
    assert result.exit_code == 0 and result.stderr == "No changes.\n"
    assert not Path(seen.read_text()).exists()


# --- an edit that is not a valid entry is kept aside, never saved over the file ---------------

BLAME = "blame-2017.toml"


def in_review_conflict(text: str) -> str:
    """The Blame! file with a git-style conflict inside its review."""
    return text.replace(
        "The City is the real star.",
        "<<<<<<< HEAD\nThe City is the true star.\n=======\nThe City is the only star.\n"
        ">>>>>>> theirs\n",
    )


def kept_path(stderr: str) -> Path:
    """The side file an error names ('... your text is kept in PATH)')."""
    return Path(stderr.split("your text is kept in ", 1)[1].split(")", 1)[0].strip())


def edit_at_a_terminal(
    journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *steps: dict[str, Any],
    answers: str,
) -> Any:  # fmt: skip
    """`watchbook edit blame-2017` as at a terminal, the editor following these steps."""
    import watchbook.cli.commands.journal as commands
    from tests.test_reliability_model import RacingEditor

    monkeypatch.setattr(commands, "interactive", lambda: True)
    return RacingEditor(tmp_path).edit(journal, "blame-2017", *steps, answers=answers)


def test_a_merge_left_with_markers_is_kept_aside_and_the_other_writers_version_stays(
    sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / BLAME
    original = target.read_text(encoding="utf-8")
    mine = original.replace("score = 6\n", "score = 7\n")
    theirs = original.replace("score = 6\n", "score = 8\n")
    conflicted, clean = merge_texts(original, mine, theirs)
    assert not clean
    result = edit_at_a_terminal(
        sample_journal,
        tmp_path,
        monkeypatch,
        {"save": [str(target), theirs], "text": mine},
        {"expect": conflicted},  # closed as it was given: the markers are still there
        answers="y\nn\n",  # merge: yes; reopen on the markers: no
    )
    assert result.exit_code == 3, result.stderr
    assert "Reopen the editor?" in result.stderr
    # The other writer's version is on disk, whole; nothing with markers was saved over it.
    assert target.read_text(encoding="utf-8") == theirs
    error = result.stderr.splitlines()[-1]
    assert error.startswith(f"Error: {BLAME}:5: conflict marker") and "not saved" in error
    side = kept_path(error)
    assert side == sample_journal / f"{BLAME}.edited-2"
    assert side.read_text(encoding="utf-8") == conflicted
    assert (sample_journal / f"{BLAME}.edited").read_text(encoding="utf-8") == mine


def test_conflict_markers_in_a_review_are_not_saved_without_a_terminal(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / BLAME
    before = target.read_bytes()
    marked = in_review_conflict(before.decode())
    fake_editor(tmp_path, monkeypatch, marked)
    result = invoke("edit", "blame-2017")
    assert result.exit_code == 2, result.stderr
    assert f"Error: {BLAME}:13: conflict marker '<<<<<<< HEAD'" in result.stderr
    assert "Saved" not in result.stderr
    assert target.read_bytes() == before
    assert kept_path(result.stderr).read_text(encoding="utf-8") == marked


def test_conflict_markers_in_a_review_reopen_the_editor_on_a_terminal(
    sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / BLAME
    original = target.read_text(encoding="utf-8")
    settled = original.replace("real star", "only star")
    result = edit_at_a_terminal(
        sample_journal,
        tmp_path,
        monkeypatch,
        {"text": in_review_conflict(original)},
        {"text": settled},
        answers="y\n",
    )
    assert result.exit_code == 0, result.stderr
    assert "conflict marker '<<<<<<< HEAD'" in result.stderr
    assert "Reopen the editor?" in result.stderr
    assert target.read_text(encoding="utf-8") == settled
    assert not list(sample_journal.glob("*.edited*"))


def test_a_markdown_heading_underline_is_not_a_conflict_marker() -> None:
    from watchbook.editing import conflict_marker

    assert conflict_marker("review = '''\nTitle\n=======\nText\n'''\n") is None
    assert conflict_marker("a\n<<<<<<<not a marker\n") is None
    assert conflict_marker("a\n=======\nb\n>>>>>>> theirs\n") == (2, "=======")
    assert conflict_marker("x\r\n||||||| base\r\n") == (2, "||||||| base")


def test_an_edit_that_empties_the_file_without_a_terminal_keeps_the_entry(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / "the-matrix-1999.toml"
    before = target.read_bytes()
    fake_editor(tmp_path, monkeypatch, "")
    result = invoke("edit", "the-matrix-1999")
    assert result.exit_code == 2
    assert "the-matrix-1999.toml: title: is required (not saved: " in result.stderr
    assert target.read_bytes() == before
    side = kept_path(result.stderr)
    assert side == sample_journal / "the-matrix-1999.toml.edited" and side.read_bytes() == b""
    assert "the-matrix-1999" in invoke("list").stdout


def test_an_invalid_edit_declined_at_the_reopen_question_is_kept_aside(
    sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / BLAME
    before = target.read_bytes()
    broken = before.decode() + "score = = 7\n"
    result = edit_at_a_terminal(
        sample_journal, tmp_path, monkeypatch, {"text": broken}, answers="n\n"
    )
    assert result.exit_code == 2, result.stderr
    assert target.read_bytes() == before
    assert kept_path(result.stderr).read_text(encoding="utf-8") == broken


# --- a file that does not parse can be opened when named exactly ------------------------------


@pytest.mark.parametrize("query", ["blame-2017", "blame-2017.toml", "Blame!", "blame! (2017)"])
def test_edit_opens_a_broken_file_named_exactly_and_saves_the_fix(
    invoke: Invoke,
    sample_journal: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
) -> None:
    target = sample_journal / BLAME
    good = target.read_text(encoding="utf-8")
    target.write_text(good + "score = = 7\n", encoding="utf-8")
    fixed = good.replace("score = 6\n", "score = 7\n")
    fake_editor(tmp_path, monkeypatch, fixed)
    result = invoke("edit", query)
    assert result.exit_code == 0, result.stderr
    assert f"Saved {target}" in result.stderr
    assert target.read_text(encoding="utf-8") == fixed


def test_edit_still_refuses_a_broken_file_matched_only_loosely(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / BLAME
    target.write_text(target.read_text(encoding="utf-8") + "score = = 7\n", encoding="utf-8")
    before = target.read_bytes()
    fake_editor(tmp_path, monkeypatch, "opened")
    result = invoke("edit", "blam")
    assert result.exit_code == 1, result.stderr
    assert "does not parse; fix the file and try again" in result.stderr
    # Its title with another year names another film, not this file.
    assert invoke("edit", "Blame! (2016)").exit_code == 1
    assert target.read_bytes() == before


def test_a_broken_file_opened_and_left_broken_is_unchanged(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = sample_journal / BLAME
    target.write_text(target.read_text(encoding="utf-8") + "score = = 7\n", encoding="utf-8")
    before = target.read_bytes()
    fake_editor(tmp_path, monkeypatch, before.decode() + "more = = junk\n")
    result = invoke("edit", "blame-2017")
    assert result.exit_code == 2, result.stderr
    assert "not saved" in result.stderr
    assert target.read_bytes() == before
