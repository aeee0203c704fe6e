"""An entry file's text: what watchbook writes, and reading what a person wrote (both parsers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchbook import entry_file
from watchbook.entry_file import dump_entry, parse_entry
from watchbook.errors import InvalidFile, InvalidValue
from watchbook.journal import Journal
from watchbook.validation import entry_from_dict


def test_written_file_is_compact_and_readable() -> None:
    entry = entry_from_dict(
        {
            "title": "Blame!",
            "year": 2017,
            "watched": ["2017-05-22"],
            "tags": ["anime", "sci-fi"],
            "review": 'He said "run".\nA path: C:\\City\n',
            "links": [{"to": "knights-of-sidonia-2014", "why": "same studio"}],
        },
        slug="blame-2017",
    )
    text = dump_entry(entry)
    assert 'tags = ["anime", "sci-fi"]' in text
    assert "watched = [2017-05-22]" in text
    assert "review = '''\nHe said \"run\".\nA path: C:\\City\n'''" in text
    assert text.rstrip().endswith('[[links]]\nto = "knights-of-sidonia-2014"\nwhy = "same studio"')
    assert parse_entry(text, "blame-2017", "blame-2017.toml") == entry


def test_review_with_triple_quotes_still_round_trips() -> None:
    entry = entry_from_dict(
        {"title": "X", "review": "It's '''odd''' and \"\"\"odder\"\"\".\n"}, "x"
    )
    assert parse_entry(dump_entry(entry), "x", "x.toml") == entry


@pytest.mark.parametrize("reader", ["tomli", "tomllib"])
@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('title = "Blame!"\nscore = 6\nverdict = "unclosed\n', "not valid TOML", 3),
        ("title = " + "[" * 2000 + "]" * 2000 + "\n", "nested too deeply", None),
        ('title = "Blame!"\nyear = ' + "1" * 5000 + "\n", "number too long", None),
        ('title = "Blame!"\nscore = "six"\n', "score", 2),
    ],
)
def test_both_toml_readers_report_a_bad_file_the_same_way(
    monkeypatch: pytest.MonkeyPatch, reader: str, text: str, message: str, line: int | None
) -> None:
    import sys

    from watchbook.errors import InvalidFile

    if reader == "tomllib":
        monkeypatch.setitem(sys.modules, "tomli", None)  # as if tomli were not installed
    assert entry_file.toml_reader().__name__ == reader
    with pytest.raises(InvalidFile) as caught:
        parse_entry(text, "blame-2017", "blame-2017.toml")
    assert message in str(caught.value)
    assert caught.value.line == line
    good = 'title = "Blame!"\nyear = 2017\nscore = 6\nwatched = [2024-03-01]\n'
    assert parse_entry(good, "blame-2017", "blame-2017.toml").watched[0].isoformat() == "2024-03-01"


def round_trip(data: dict[str, object], slug: str = "x") -> str:
    """Write an entry, check it reads back as the same entry, and return its text."""
    entry = entry_from_dict(data, slug)
    text = dump_entry(entry)
    assert parse_entry(text, slug, f"{slug}.toml") == entry
    return text


@pytest.mark.parametrize(
    "link",
    [
        {"why": "same studio and manga author, and the same vast city of stairs and shafts!"},
        {"why": "same studio", "note": "a key of the user's\nover two lines"},
    ],
)
def test_a_link_too_long_for_one_line_is_written_as_a_valid_table(link: dict[str, str]) -> None:
    # tomli-w writes such a list as [[links]] tables, not inline: the key name must still
    # be the key's, not the first line of those tables.
    text = round_trip({"title": "Blame!", "links": [{"to": "knights-of-sidonia", **link}]})
    assert "\n[[links]]\nto = " in text or text.startswith("[[links]]")
    assert "[[[[" not in text


def test_a_users_list_of_long_tables_keeps_its_name() -> None:
    screenings = [{"where": "the old cinema on the corner of the square", "note": "one\ntwo"}] * 2
    text = round_trip({"title": "X", "screenings": screenings})
    assert text.count("[[screenings]]") == 2


def test_a_user_key_holding_an_equals_sign_is_written_whole() -> None:
    text = round_trip({"title": "X", "a = b": ["x"], "c = d": "line\nline"})
    assert '"a = b" = ["x"]' in text


def test_a_long_user_key_in_progress_stays_in_its_one_line_table() -> None:
    progress = {
        "seen": 1,
        "date": "2024-01-01",
        "where": "Watching it with my sister on Sunday evenings, after dinner, on the big TV",
        "note": "two\nlines",
    }
    data = {"title": "Kappa", "kind": "series", "status": "watching", "episodes": 12}
    text = round_trip({**data, "progress": progress})
    assert text.count("progress = {") == 1


@pytest.mark.parametrize("control", ["\x07", "\x00", "\x1b", "\x7f", "\x0b"])
def test_a_multi_line_user_string_with_a_control_character_stays_valid(control: str) -> None:
    round_trip({"title": "Gamma", "memo": f"line one\nline two {control}"})


def test_a_text_that_would_not_read_back_is_never_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The last guard: should the writer ever make a file that does not read back as the
    # entry, nothing is written and the file on disk stays as it was.
    journal = Journal(tmp_path / "journal")
    entry = entry_from_dict({"title": "Blame!", "year": 2017, "score": 6}, "blame-2017")
    path = journal.create(entry)
    before = path.read_bytes()
    entry.score = 7
    for broken in ("title = 'Blame!'\n[[[[links]]\nto]]\n", "title = 'Blame'\nyear = 2017\n"):
        monkeypatch.setattr(entry_file, "dump_entry", lambda _entry, text=broken: text)
        with pytest.raises(InvalidValue, match="reads back"):
            journal.update(entry)
        assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # A line of the review that looks like the key is not where the key is.
        ("title = 'X'\nreview = '''\nscore = 5 was my first thought\n'''\nscore = 11\n", 5),
        ('title = "X"\nreview = """\nscore = 5\n"""\nscore = 11\n', 5),
        # A quoted key is the same key.
        ('title = "X"\n"score" = 11\n', 2),
        ("title = 'X'\n'score' = 11\n", 2),
    ],
)
def test_a_bad_value_is_reported_on_the_line_of_its_key(text: str, line: int) -> None:
    with pytest.raises(InvalidFile) as caught:
        parse_entry(text, "x", "x.toml")
    assert caught.value.line == line
