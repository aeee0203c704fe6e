"""An entry file's text: what watchbook writes, and reading what a person wrote (both parsers)."""

from __future__ import annotations

import pytest

from watchbook import entry_file
from watchbook.entry_file import dump_entry, parse_entry
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
