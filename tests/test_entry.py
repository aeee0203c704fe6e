"""The Entry model: validation of every field, the written key order, and the TOML round trip."""

from __future__ import annotations

import datetime as dt
import json
import math
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Invoke
from watchbook.entry import KINDS, SCALAR_ORDER, STATUSES, Entry, Link, format_score
from watchbook.entry_file import dump_entry, parse_entry
from watchbook.errors import InvalidValue
from watchbook.validation import entry_from_dict, validate


@pytest.mark.parametrize("score", [0, 10, 6, 6.5, 7.0, "8", "8.5"])
def test_scores_in_half_steps_are_accepted(score: object) -> None:
    entry = entry_from_dict({"title": "X", "score": score})
    assert entry.score == float(score)  # type: ignore[arg-type]
    assert isinstance(entry.score, int) == float(score).is_integer()  # type: ignore[arg-type]


@pytest.mark.parametrize("score", [11, -1, 6.3, "abc", math.nan, math.inf, True, "NaN", [6]])
def test_bad_scores_name_the_field_and_the_allowed_values(score: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        entry_from_dict({"title": "X", "score": score})
    assert caught.value.field == "score"
    assert "0 to 10 in steps of 0.5" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"title": "nul\x00byte"}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": 5}, "title"),
        ({}, "title"),
        ({"title": "X", "kind": "film"}, "kind"),
        ({"title": "X", "status": "seen"}, "status"),
        ({"title": "X", "year": "soon"}, "year"),
        ({"title": "X", "year": True}, "year"),
        ({"title": "X", "year": 1500}, "year"),
        ({"title": "X", "watched": "yesterday-ish"}, "watched"),
        ({"title": "X", "watched": [dt.date(2020, 1, 1), 5]}, "watched"),
        ({"title": "X", "verdict": "one\ntwo"}, "verdict"),
        ({"title": "X", "status": "planned", "score": 5}, "score"),
        ({"title": "X", "tags": [1]}, "tags"),
        ({"title": "X", "links": [{"why": "no target"}]}, "links.to"),
        ({"title": "X", "links": "blame-2017"}, "links"),
        ({"title": "X", "ids": ["tt1"]}, "ids"),
        ({"title": "X", "review": "bell\x07"}, "review"),
    ],
)
def test_invalid_values_raise_naming_the_field(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        entry_from_dict(data)
    assert caught.value.field == field


def test_reading_is_liberal_in_shapes() -> None:
    entry = entry_from_dict(
        {
            "title": "  Blame!  ",
            "kind": "Movie",
            "watched": dt.date(2017, 5, 22),
            "tags": "anime",
            "ids": {"mal": 34055},
        }
    )
    assert entry.title == "Blame!"
    assert entry.kind == "movie"
    assert entry.watched == [dt.date(2017, 5, 22)]
    assert entry.tags == ["anime"]
    assert entry.ids == {"mal": "34055"}
    assert entry.status == "watched"


def test_viewings_are_kept_oldest_first() -> None:
    entry = entry_from_dict({"title": "X", "watched": ["2021-12-20", dt.date(1999, 7, 3)]})
    assert entry.watched == [dt.date(1999, 7, 3), dt.date(2021, 12, 20)]
    assert entry.last_watched == dt.date(2021, 12, 20)


def test_keys_are_written_in_the_documented_order_with_unknown_fields_kept() -> None:
    data = {
        "links": [{"to": "b", "why": "c", "mine": 1}],
        "review": "text",
        "my_field": "kept",
        "where": "cinema",
        "score": 7,
        "title": "T",
        "year": 2000,
        "custom_table": {"a": 1},
    }
    entry = entry_from_dict(data)
    written = list(entry.to_dict())
    known = [k for k in written if k in SCALAR_ORDER]
    assert known == [k for k in SCALAR_ORDER if k in known]
    assert written.index("my_field") < written.index("review") < written.index("custom_table")
    assert written[-1] == "links"
    assert entry.to_dict()["links"] == [{"to": "b", "why": "c", "mine": 1}]


def test_format_score() -> None:
    assert format_score(6) == "6/10"
    assert format_score(7.5) == "7.5/10"
    assert format_score(None) == ""


def test_validate_turns_flag_text_into_numbers() -> None:
    entry = validate(Entry(title="X", score="7.5"))  # type: ignore[arg-type]
    assert entry.score == 7.5


def test_to_json_has_every_field_and_iso_dates() -> None:
    entry = entry_from_dict({"title": "X", "watched": [dt.date(2020, 2, 29)]}, slug="x")
    data = entry.to_json()
    assert data["slug"] == "x"
    assert data["watched"] == ["2020-02-29"]
    for key in ("year", "kind", "status", "score", "verdict", "tags", "creators", "aliases"):
        assert key in data


# --- round trip ------------------------------------------------------------------------------

line_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40
).filter(lambda s: s.strip() and s == s.strip())
review_text = st.lists(line_text | st.just(""), min_size=1, max_size=6).map("\n".join)
scores = st.integers(0, 20).map(lambda n: n // 2 if n % 2 == 0 else n / 2)
plain_keys = st.text(alphabet=string.ascii_lowercase + "_", min_size=3, max_size=10).map(
    lambda k: f"x_{k}"
)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    status = draw(st.sampled_from(STATUSES))
    review = draw(st.none() | review_text)
    return Entry(
        title=draw(line_text),
        slug="entry",
        year=draw(st.none() | st.integers(1870, 2100)),
        kind=draw(st.none() | st.sampled_from(KINDS)),
        status=status,
        score=None if status == "planned" else draw(st.none() | scores),
        verdict=draw(st.none() | line_text),
        watched=sorted(
            draw(st.lists(st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), max_size=4))
        ),
        tags=draw(st.lists(line_text, max_size=4, unique=True)),
        creators=draw(st.lists(line_text, max_size=3, unique=True)),
        aliases=draw(st.lists(line_text, max_size=2, unique=True)),
        where=draw(st.none() | line_text),
        review=review.strip("\n") + "\n" if review and review.strip() else None,
        ids=draw(st.dictionaries(st.sampled_from(["imdb", "mal", "letterboxd"]), line_text)),
        links=[
            Link(to=t, why=w)
            for t, w in draw(st.lists(st.tuples(line_text, line_text), max_size=3))
        ],
        extra=draw(st.dictionaries(plain_keys, st.integers() | line_text, max_size=2)),
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_write_then_read_gives_the_same_entry(entry: Entry) -> None:
    text = dump_entry(entry)
    assert parse_entry(text, "entry", "entry.toml") == entry


def test_json_of_a_user_key_holding_nan_or_inf_is_valid_json() -> None:
    import json

    text = 'title = "X"\nweight = nan\nspan = [inf, -inf, 1.5]\nwatched = [{ date = 2020-01-01, odd = -nan }]\n'
    entry = parse_entry(text, "x", "x.toml")
    data = entry.to_json()
    strict = json.loads(json.dumps(data, allow_nan=False))
    assert strict["weight"] == "nan" and strict["span"] == ["inf", "-inf", 1.5]
    assert strict["viewings"][0]["odd"] == "nan"


def test_a_users_key_named_like_one_json_adds_never_replaces_it(
    tmp_path: Path, invoke: Invoke
) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "blame-2017.toml").write_text(
        'title = "Blame!"\nyear = 2017\nscore = 6\nwatched = [2017-05-22]\nslug = "my-blame"\n'
        'viewings = "none"\nbacklinks = "mine"\npath = "/elsewhere"\n',
        "utf-8",
    )
    for command in (["show", "blame-2017", "--json"], ["list", "--json"]):
        result = invoke("--journal", str(journal), *command)
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        record = data[0] if isinstance(data, list) else data
        assert record["slug"] == "blame-2017"
        assert record["viewings"] == [{"date": "2017-05-22", "score": None, "note": None}]
        assert record["path"] == str(journal / "blame-2017.toml")
        assert record.get("backlinks", []) == []
    out = tmp_path / "all.json"
    result = invoke("--journal", str(journal), "export", "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    (record,) = json.loads(out.read_text("utf-8"))["entries"]
    assert record["slug"] == "blame-2017" and "viewings" not in record
    # The file keeps them: they are the user's.
    assert 'slug = "my-blame"' in (journal / "blame-2017.toml").read_text("utf-8")
