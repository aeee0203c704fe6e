"""`add` on a real terminal (a pty): every question re-asks a bad answer, Ctrl-C and Ctrl-D leave
without writing, and the rewatch question is asked before the journal is locked."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from tests.conftest import Invoke, Terminal


def read(journal: Path, slug: str) -> dict[str, object]:
    return tomllib.loads((journal / f"{slug}.toml").read_text(encoding="utf-8"))


def test_every_question_re_asks_a_bad_answer_saying_why(journal_dir: Path) -> None:
    terminal = Terminal(["add", "Paprika", "--year", "2006"])
    terminal.expect("Kind: movie, series")
    terminal.send("film")
    assert "must be one of movie" in terminal.expect("Kind: movie, series")
    terminal.send("Movie")
    terminal.expect("Watched on (YYYY-MM-DD, today or yesterday) [today]: ")
    terminal.send("2024-13-40")
    assert "must be a date like 2017-05-22" in terminal.expect("Watched on")
    terminal.send("3000-01-01")
    assert "is in the future" in terminal.expect("Watched on")
    terminal.send("2024-03-09")
    terminal.expect("Score 0-10 (Enter to skip): ")
    terminal.send("seven")
    assert "must be a number from 0 to 10 in steps of 0.5 (got 'seven')" in terminal.expect(
        "Score 0-10"
    )
    terminal.send("7")
    terminal.expect("Verdict, one line (Enter to skip): ")
    terminal.send("Dreams leak into the waking world.")
    assert terminal.finish() == 0
    entry = read(journal_dir, "paprika-2006")
    assert entry["kind"] == "movie" and entry["score"] == 7
    assert entry["watched"] == [dt.date(2024, 3, 9)]
    assert entry["verdict"] == "Dreams leak into the waking world."


@pytest.mark.parametrize("leave", ["interrupt", "end_input"])
def test_ctrl_c_or_ctrl_d_at_a_question_writes_nothing(journal_dir: Path, leave: str) -> None:
    terminal = Terminal(["add", "Paprika", "--kind", "movie", "--watched", "today"])
    terminal.expect("Score 0-10 (Enter to skip): ")
    terminal.send("8")
    terminal.expect("Verdict, one line")
    getattr(terminal, leave)()
    assert terminal.finish() == 1
    assert "Cancelled: nothing was written." in terminal.rest
    assert not list(journal_dir.glob("*.toml"))


def test_the_rewatch_question_re_asks_and_a_rewatch_asks_for_its_own_score_and_note(
    sample_journal: Path,
) -> None:
    terminal = Terminal(["add", "Blame!", "--watched", "2024-03-09"])
    terminal.expect("[r]ewatch, [n]ew separate entry, or [c]ancel? [r]: ")
    terminal.send("x")
    assert "answer r, n or c (got 'x')" in terminal.expect("[c]ancel?")
    terminal.send("r")
    # A rewatch asks for this viewing's score and a note; the kind and the verdict stay.
    terminal.expect("Score for this viewing, 0-10 (Enter to skip; Blame! keeps 6): ")
    terminal.send("7")
    terminal.expect("Note on this viewing, one line (Enter to skip): ")
    terminal.send("Better on a big screen.")
    assert terminal.finish() == 0
    assert "Score 6 -> 7 (the 2017-05-22 viewing keeps 6)" in terminal.rest
    entry = read(sample_journal, "blame-2017")
    assert entry["score"] == 7
    assert entry["verdict"] == "Great premise and action; the characters are cardboard."
    assert entry["watched"] == [
        {"date": dt.date(2017, 5, 22), "score": 6},
        {"date": dt.date(2024, 3, 9), "score": 7, "note": "Better on a big screen."},
    ]


def test_a_rewatch_or_link_named_loosely_asks_which_entry(sample_journal: Path) -> None:
    # Without a terminal add refuses such a QUERY; on one it asks, as rm and link do.
    terminal = Terminal(
        ["add", "matrx", "--rewatch", "--watched", "2024-03-09", "--score", "9",
         "--link", "ghost in the shel"]
    )  # fmt: skip
    assert "'matrx' does not name an entry exactly. Did you mean:" in terminal.expect("Which one?")
    terminal.send("1")
    asked = terminal.expect("Which one?")
    assert "2. Ghost in the Shell 2: Innocence (2004)" in asked
    terminal.send("1")
    terminal.expect("Note on this viewing, one line (Enter to skip): ")
    terminal.send("")
    assert terminal.finish() == 0
    entry = read(sample_journal, "the-matrix-1999")
    assert entry["score"] == 9
    assert {"to": "ghost-in-the-shell-1995"} in entry["links"]  # type: ignore[operator]


def test_cancel_at_the_rewatch_question_writes_nothing(sample_journal: Path) -> None:
    before = (sample_journal / "blame-2017.toml").read_bytes()
    terminal = Terminal(["add", "Blame!"])
    terminal.expect("[c]ancel?")
    terminal.send("c")
    assert terminal.finish() == 1
    assert "Cancelled: nothing was written." in terminal.rest
    assert (sample_journal / "blame-2017.toml").read_bytes() == before


def test_the_rewatch_question_does_not_hold_the_journal_lock(
    invoke: Invoke, sample_journal: Path
) -> None:
    # Asked under the lock, the question made every other writer wait for the answer (and
    # give up after 15 s). Now it is asked first, and the answer is checked again under it.
    from filelock import FileLock

    terminal = Terminal(["add", "Blame!", "--watched", "2024-03-09", "--score", "7"])
    terminal.expect("[c]ancel?")
    with FileLock(str(sample_journal / ".watchbook" / "journal.lock"), timeout=3):
        pass
    linked = invoke("link", "blame-2017", "the-matrix-1999", "--why", "same hunt for a gene")
    assert linked.exit_code == 0, linked.stderr
    terminal.send("r")
    terminal.expect("Note on this viewing")
    terminal.send("")
    assert terminal.finish() == 0
    entry = read(sample_journal, "blame-2017")
    assert {"to": "the-matrix-1999", "why": "same hunt for a gene"} in entry["links"]  # type: ignore[operator]
    assert len(entry["watched"]) == 2  # type: ignore[arg-type]


def test_an_entry_removed_while_the_question_waits_is_not_brought_back(
    sample_journal: Path,
) -> None:
    terminal = Terminal(["add", "Blame!", "--watched", "2024-03-09", "--score", "7"])
    terminal.expect("[c]ancel?")
    (sample_journal / "blame-2017.toml").unlink()
    terminal.send("r")
    terminal.expect("Note on this viewing")
    terminal.send("Second time.")
    assert terminal.finish() == 1
    assert "no longer in the journal" in terminal.rest
    # What was typed is not lost: the command that records it again is printed.
    assert "To try again: watchbook add 'Blame!'" in terminal.rest
    assert "--note 'Second time.'" in terminal.rest
    assert not (sample_journal / "blame-2017.toml").exists()


def test_a_review_written_in_an_editor_that_fails_is_kept_and_named(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # vim's :cq exits 1 after the user wrote the review: the text is theirs, not the editor's.
    import sys

    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'w').write('An hour of writing.\\n')\nsys.exit(1)\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    result = invoke("add", "Perfect Blue", "--year", "1997", "--rewatch", "--edit")
    assert result.exit_code == 2
    assert "exited with status 1" in result.stderr
    kept = Path(result.stderr.split("Your review is kept in ", 1)[1].split()[0])
    try:
        assert kept.read_text(encoding="utf-8") == "An hour of writing.\n"
    finally:
        kept.unlink()
    assert not list(journal_dir.glob("*.toml"))


def test_an_editor_that_fails_on_an_untouched_review_leaves_nothing_behind(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    monkeypatch.setenv("VISUAL", "false")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = invoke("add", "Perfect Blue", "--edit")
    assert result.exit_code == 2 and "Your review is kept" not in result.stderr
    assert not list(tmp_path.glob("watchbook-review-*"))
