"""Library functions behind the commands: sorting and filtering entries."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from watchbook.actions import sort_entries
from watchbook.entry import Entry
from watchbook.text import title_key


def some_entries(count: int, seed: int) -> list[Entry]:
    draw = random.Random(seed)
    titles = ["The Matrix", "Matrix, The", "Akira", "Blame!", "Up", "Élan", "akira", "Zed"]
    return [
        Entry(
            title=draw.choice(titles),
            slug=f"entry-{i:03d}",
            year=draw.choice([None, 1988, 1999, 2017]),
            score=draw.choice([None, 3, 6, 6.5, 9]),
            watched=[
                dt.date(2020, 1, 1) + dt.timedelta(days=draw.randrange(5))
                for _ in range(draw.randrange(3))
            ],
        )
        for i in range(count)
    ]


@pytest.mark.parametrize("by", ["score", "year", "watched", "title"])
@pytest.mark.parametrize("reverse", [False, True])
def test_sorting_puts_missing_values_last_and_breaks_ties_by_slug(by: str, reverse: bool) -> None:
    entries = some_entries(60, seed=len(by) + reverse)
    draw = random.Random(3)
    draw.shuffle(entries)
    value = {
        "score": lambda e: e.score,
        "year": lambda e: e.year,
        "watched": lambda e: e.last_watched,
        "title": lambda e: title_key(e.title),
    }[by]
    result = sort_entries(entries, by, reverse)
    assert sorted(e.slug for e in result) == sorted(e.slug for e in entries)
    present = [e for e in result if value(e) is not None]
    missing = result[len(present) :]
    assert all(value(e) is None for e in missing)
    assert [e.slug for e in missing] == sorted(e.slug for e in missing)
    # Highest (or A-Z for titles) first, flipped by reverse; equal values in slug order.
    descending = (by != "title") != reverse
    for first, second in itertools.pairwise(present):
        a, b = value(first), value(second)
        assert (a >= b) if descending else (a <= b)
        if a == b:
            assert first.slug < second.slug
