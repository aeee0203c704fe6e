"""editing.py: the three-way merge, side copies, and a working copy that is never lost."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

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
