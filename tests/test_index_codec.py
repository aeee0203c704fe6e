"""The index's codec: every entry comes back from the index exactly as its file says."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import Invoke
from watchbook.entry import Entry, Link, Viewing
from watchbook.index.codec import (
    IndexDamaged,
    decode_entry,
    encode_entry,
    pack,
    tag_value,
    unpack,
    untag_value,
)

# What a TOML file can hold below the top level: tables, arrays, and scalars of every kind.
scalars = st.one_of(
    st.text(max_size=8),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
keys = st.one_of(st.text(max_size=6), st.sampled_from(["$date", "$time", "$datetime", "$", "$$x"]))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)


@given(st.dictionaries(keys, values, max_size=4))
def test_any_table_of_the_users_comes_back_as_it_was(table: dict[str, object]) -> None:
    assert untag_value(tag_value(table)) == table


@pytest.mark.parametrize(
    "table",
    [
        {"$date": "2020-01-01"},
        {"$time": "10:00:00"},
        {"$datetime": "2020-01-01T10:00:00"},
        {"$$date": "2020-01-01"},
        {"note": {"$date": dt.date(2020, 1, 1)}},
    ],
)
def test_a_table_that_looks_like_a_date_stays_a_table(table: dict[str, object]) -> None:
    entry = Entry(title="Odd", slug="odd", extra={"mine": table})
    assert decode_entry(encode_entry(entry)).extra == {"mine": table}


def test_links_with_extra_keys_survive() -> None:
    link = Link(to="other", why="because", extra={"$date": "x", "seen": dt.date(2024, 5, 1)})
    entry = Entry(title="A", slug="a", links=[link])
    assert decode_entry(encode_entry(entry)).links == [link]


def test_show_json_prints_a_users_dollar_table_as_written(
    invoke: Invoke, journal_dir: Path
) -> None:
    journal_dir.mkdir()
    (journal_dir / "odd-2020.toml").write_text(
        'title = "Odd"\nyear = 2020\n\n[mine]\n"$date" = "2020-01-01"\n', encoding="utf-8"
    )
    first = invoke("show", "odd-2020", "--json")  # builds the index
    again = invoke("show", "odd-2020", "--json")  # read back from it
    for result in (first, again):
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["mine"] == {"$date": "2020-01-01"}


@pytest.mark.parametrize(
    "damaged",
    [b"", b"\x00\x01", b"not marshal at all", encode_entry(Entry(title="A", slug="a"))[:-4]],
)
def test_bytes_that_do_not_decode_are_reported_as_damage(damaged: bytes) -> None:
    with pytest.raises(IndexDamaged):
        decode_entry(damaged)


def test_a_blob_with_a_wrong_checksum_is_damage() -> None:
    blob = pack({"a": [1, 2, 3]})
    assert unpack(blob) == {"a": [1, 2, 3]}
    with pytest.raises(IndexDamaged):
        unpack(blob[:-1] + b"\x00")


viewings = st.builds(
    Viewing,
    st.dates(),
    st.one_of(st.none(), st.integers(0, 20).map(lambda n: n / 2 if n % 2 else n // 2)),
    st.one_of(st.none(), st.text(max_size=10)),
    st.dictionaries(keys, values, max_size=2),
)


@given(st.lists(viewings, max_size=4))
def test_viewings_keep_their_scores_notes_and_keys_of_yours(seen: list[Viewing]) -> None:
    entry = Entry(title="A", slug="a", score=7, watched=seen)
    back = decode_entry(encode_entry(entry))
    assert back == entry
    assert back.viewings == sorted(seen, key=lambda v: v.date)
