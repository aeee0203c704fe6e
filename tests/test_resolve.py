"""QUERY resolution in the commands: a clear best is used by commands that read and asked about
by commands that change files; candidates are named with their ids; broken files are named."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.test_links import write


def snapshot(journal: Path) -> dict[str, bytes]:
    """Every entry file's bytes, to check that nothing changed."""
    return {p.name: p.read_bytes() for p in sorted(journal.glob("*.toml"))}


def test_show_uses_the_clear_best_match_and_says_so(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("show", "matrx")
    assert result.exit_code == 0
    assert result.stdout.startswith("The Matrix (1999)\n")
    assert result.stderr == "Showing The Matrix (1999) for 'matrx'\n"
    # A title named exactly needs no note.
    assert invoke("show", "the matrix").stderr == ""


def test_recommend_uses_the_clear_best_match_and_says_so(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("recommend", "matrx", "--limit", "1")
    assert result.exit_code == 0 and result.stdout
    assert result.stderr == "Showing The Matrix (1999) for 'matrx'\n"


@pytest.mark.parametrize(
    "args",
    [
        ["rm", "matrx", "--yes"],
        ["edit", "matrx"],
        ["link", "matrx", "blame"],
        ["unlink", "matrx", "blame"],
        ["link", "blame", "matrx"],
        ["watch", "matrx"],
    ],
)
def test_commands_that_change_files_refuse_to_guess_without_a_terminal(
    invoke: Invoke, sample_journal: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")  # never reached
    before = snapshot(sample_journal)
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'matrx' does not name an entry exactly, and this command changes files: "
        "The Matrix (1999) [the-matrix-1999]. Use the id in brackets to pick one.\n"
    )
    assert snapshot(sample_journal) == before


def test_candidates_are_named_with_their_ids(invoke: Invoke, sample_journal: Path) -> None:
    # Two entries with the same title and year can only be told apart by their ids.
    write(sample_journal, "the-matrix-1999-2", title="The Matrix", year=1999, kind="movie")
    both = "The Matrix (1999) [the-matrix-1999]; The Matrix (1999) [the-matrix-1999-2]"
    exact = invoke("show", "the matrix")
    assert exact.exit_code == 1
    assert exact.stderr == (
        f"Error: 2 entries are called 'the matrix': {both}. Use the id in brackets to pick one.\n"
    )
    missing = invoke("show", "matrices")
    assert missing.exit_code == 1
    assert missing.stderr == (
        "Error: No entry 'matrices'. Did you mean: The Matrix (1999) [the-matrix-1999], "
        "The Matrix (1999) [the-matrix-1999-2]?\n"
    )
    assert invoke("show", "the-matrix-1999-2", "--json").exit_code == 0


@pytest.mark.parametrize("command", ["show", "recommend", "rm", "edit"])
@pytest.mark.parametrize("query", ["", "!!!"])
def test_a_query_with_nothing_to_look_for_is_bad_input_everywhere(
    invoke: Invoke, sample_journal: Path, command: str, query: str
) -> None:
    searched = invoke("search", query)
    result = invoke(command, query)
    assert result.exit_code == searched.exit_code == 2
    assert result.stderr == searched.stderr
    assert (
        result.stderr
        == f"Error: QUERY: must hold a letter or a digit to search for (got {query!r})\n"
    )


# (`edit` opens a broken file it names exactly, to fix it: tests/test_editing.py.)
@pytest.mark.parametrize("args", [["show", "blame"], ["recommend", "blame"], ["rm", "blame"],
                                  ["show", "blame-2017"]])  # fmt: skip
def test_a_broken_file_is_named_not_replaced_by_another_entry(
    invoke: Invoke, sample_journal: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")  # never reached
    write(sample_journal, "blame-movie-edition-2017", title="Blame! Movie Edition", year=2017,
          kind="movie", score=7)  # fmt: skip
    broken = sample_journal / "blame-2017.toml"
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("score = 6\n", "score = = 6\n"), encoding="utf-8")
    line = text.splitlines().index("score = 6") + 1
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: blame-2017.toml:{line}: not valid TOML")
    assert f"the best match for {args[1]!r}" in result.stderr
    assert "Warning" not in result.stderr  # named once, in the error
    assert broken.exists()


def test_a_broken_file_is_known_by_the_title_it_still_states(
    invoke: Invoke, sample_journal: Path
) -> None:
    # Its name says nothing of the title: the title line it still has does.
    (sample_journal / "blame-2017.toml").rename(sample_journal / "my-favourite.toml")
    broken = sample_journal / "my-favourite.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "score = \n", encoding="utf-8")
    write(sample_journal, "blame-movie-edition-2017", title="Blame! Movie Edition", year=2017)
    result = invoke("show", "blame")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: my-favourite.toml:")


def test_an_exact_title_is_still_found_beside_a_broken_file(
    invoke: Invoke, sample_journal: Path
) -> None:
    (sample_journal / "blame-2017.toml").write_text("title = \n", encoding="utf-8")
    write(sample_journal, "blame-movie-edition-2017", title="Blame! Movie Edition", year=2017)
    result = invoke("show", "Blame! Movie Edition")
    assert result.exit_code == 0 and result.stdout.startswith("Blame! Movie Edition (2017)")


# --- on a terminal ------------------------------------------------------------------------------


def _take_terminal() -> None:
    """In the child: make the pseudo-terminal on stdin the controlling one (Ctrl-C works)."""
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def converse(args: list[str], steps: list[tuple[str, bytes]]) -> tuple[str, int]:
    """Run watchbook on a pseudo-terminal, typing each answer once its question has appeared;
    return everything the terminal showed and the exit code."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "watchbook", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "200"},
        start_new_session=True,
        preexec_fn=_take_terminal,
    )
    os.close(follower)
    shown = b""

    def read_until(wanted: bytes | None, start: int) -> int:
        """Read until `wanted` shows after `start` (None: until the end); where it ends."""
        nonlocal shown
        while wanted is None or wanted not in shown[start:]:
            ready, _, _ = select.select([leader], [], [], 30)
            assert ready, f"no {wanted!r} in {shown!r}"
            try:
                data = os.read(leader, 65536)
            except OSError:  # the other side closed: the process is done
                data = b""
            if not data:
                assert wanted is None, f"no {wanted!r} in {shown!r}"
                return len(shown)
            shown += data
        return shown.index(wanted, start) + len(wanted)

    start = 0
    for question, answer in steps:
        start = read_until(question.encode(), start)
        # As a person answers: after the program has settled into reading. (A Ctrl-C typed
        # in the instant before Python's input() reaches read(2) waits for the next key.)
        time.sleep(0.2)
        os.write(leader, answer)
    read_until(None, start)
    code = proc.wait(timeout=30)
    os.close(leader)
    return shown.decode("utf-8", "replace"), code


def test_rm_asks_which_entry_on_a_terminal_and_asks_again_after_a_bad_answer(
    sample_journal: Path,
) -> None:
    shown, code = converse(
        ["rm", "matrx"],
        [("Which one?", b"7\n"), ("Which one?", b"1\n"), ("Delete The Matrix", b"y\n")],
    )
    assert code == 0, shown
    assert "'matrx' does not name an entry exactly. Did you mean:" in shown
    assert "1. The Matrix (1999) [the-matrix-1999]" in shown
    assert "type a number from 1 to 1 (got '7'); try again (Ctrl-C to stop)" in shown
    assert not (sample_journal / "the-matrix-1999.toml").exists()


@pytest.mark.parametrize("answer", [b"\x04", b"\x03", b"\r"], ids=["eof", "ctrl-c", "enter"])
def test_leaving_the_question_changes_nothing(sample_journal: Path, answer: bytes) -> None:
    before = snapshot(sample_journal)
    shown, code = converse(["link", "matrx", "blame"], [("Which one?", answer)])
    assert code == 1, shown
    assert "Cancelled: nothing was written." in shown
    assert "Traceback" not in shown
    assert snapshot(sample_journal) == before


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("the godfather part 3", None),
        ("guardians of the galaxy vol 3", None),
        ("godfather part 2", "the-godfather-part-ii-1974"),
        ("godfather part ii", "the-godfather-part-ii-1974"),
        ("guardians galaxy vol two", "guardians-of-the-galaxy-vol-2-2017"),
        ("godfathr", "the-godfather-1972"),
    ],
)
def test_another_number_in_a_query_is_another_title(
    invoke: Invoke, journal_dir: Path, query: str, found: str | None
) -> None:
    # 'godfather part 3' used to open Part II as the clearly best match (a typo of one word).
    for title, year in (
        ("The Godfather", 1972),
        ("The Godfather Part II", 1974),
        ("Guardians of the Galaxy Vol. 2", 2017),
    ):
        added = invoke(
            "add", title, "--year", str(year), "--kind", "movie", "--watched", "2020-01-01"
        )
        assert added.exit_code == 0, added.stderr
    result = invoke("show", query, "--json")
    if found is None:
        assert result.exit_code == 1 and result.stdout == ""
        assert result.stderr.startswith(f"Error: No entry {query!r}. Did you mean: ")
    else:
        assert result.exit_code == 0, result.stderr
        assert f'"slug": "{found}"' in result.stdout
