"""Library functions behind the commands: sorting and filtering entries."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke
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


def test_listing_with_a_limit_reads_the_same_entries_as_the_whole_journal(
    journal_dir: Path,
) -> None:
    from watchbook.actions import filter_entries, list_entries
    from watchbook.entry_file import dump_entry
    from watchbook.index.store import load_catalog
    from watchbook.journal import Journal

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from corpus import make_entries

    made = make_entries(300, seed=21, planned=40)
    made[0].score, made[1].score = 7, 7.0  # an int and a float score that tie
    journal_dir.mkdir()
    for entry in made:
        (journal_dir / f"{entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")
    journal = Journal(journal_dir)
    everything = load_catalog(journal).entries
    some_tag = next(t for e in made for t in e.tags)
    filters = [
        {},
        {"status": "planned"},
        {"kind": "movie", "min_score": 6.5},
        {"year": made[3].year},
        {"tag": some_tag.upper()},
    ]
    for where in filters:
        for by in ("watched", "score", "year", "title"):
            for reverse in (False, True):
                for limit in (None, 1, 7, 500):
                    expected = sort_entries(filter_entries(everything, **where), by, reverse)
                    got = list_entries(journal, **where, sort=by, reverse=reverse, limit=limit)
                    assert got == expected[:limit], (where, by, reverse, limit)


@pytest.mark.parametrize(
    ("first", "fix", "again", "new_file"),
    [
        # The year fixed by hand (the slug never changes): the 2018 film is another entry.
        (["Halloween", "--year", "2018"], ("year = 2018", "year = 2007"),
         ["Halloween", "--year", "2018"], "halloween-2018-2.toml"),
        # Two titles that make one slug: "Death Race 2000" (no year) and Death Race of 2000.
        (["Death Race 2000"], None, ["Death Race", "--year", "2000"], "death-race-2000-2.toml"),
    ],
)  # fmt: skip
def test_add_takes_a_file_of_the_same_name_for_the_same_title_only_when_it_is(
    first: list[str], fix: tuple[str, str] | None, again: list[str], new_file: str,
    tmp_path: Path, invoke: Invoke,
) -> None:  # fmt: skip
    journal = tmp_path / "journal"
    added = invoke("--journal", str(journal), "add", *first, "--kind", "movie", "--score", "6",
                   "--watched", "2019-10-31")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    (path,) = journal.glob("*.toml")
    before = path.read_text("utf-8")
    if fix:
        before = before.replace(*fix)
        path.write_text(before, "utf-8")
    result = invoke("--journal", str(journal), "add", *again, "--kind", "movie", "--score", "7",
                    "--watched", "2020-10-31")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (journal / new_file).is_file()
    assert path.read_text("utf-8") == before  # the other film is untouched


def test_add_without_a_year_of_a_title_kept_for_two_years_asks_which(
    invoke: Invoke, sample_journal: Path
) -> None:
    from tests.test_links import write

    write(sample_journal, "ghost-in-the-shell-2017", title="Ghost in the Shell", year=2017,
          kind="movie", score=5)  # fmt: skip
    before = {p.name: p.read_bytes() for p in sample_journal.glob("*.toml")}
    result = invoke("add", "Ghost in the Shell", "--score", "7", "--watched", "2024-01-02")
    assert result.exit_code == 1, result.stderr
    assert "give --year" in result.stderr
    assert "[ghost-in-the-shell-1995]" in result.stderr
    assert "[ghost-in-the-shell-2017]" in result.stderr
    assert {p.name: p.read_bytes() for p in sample_journal.glob("*.toml")} == before
    dated = invoke("add", "Ghost in the Shell", "--year", "2017", "--rewatch",
                   "--watched", "2024-01-02")  # fmt: skip
    assert dated.exit_code == 0, dated.stderr
    assert "2024-01-02" in (sample_journal / "ghost-in-the-shell-2017.toml").read_text("utf-8")
