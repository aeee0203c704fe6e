"""Episodes, progress and undated rewatches in the file format: read, checked, written, indexed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook.entry import Entry, Viewing
from watchbook.entry_file import dump_entry, parse_entry
from watchbook.errors import InvalidFile, InvalidValue
from watchbook.index.codec import decode_entry, encode_entry
from watchbook.journal import Journal
from watchbook.progress import Progress, fraction
from watchbook.validation import entry_from_dict, validate

D = dt.date

HAND_WRITTEN = """\
title = "Knights of Sidonia"
year = 2014
kind = "series"
status = "watching"
episodes = 12
# five episodes in, the fifth on a Saturday
progress = { seen = 5, date = 2024-03-09, started = 2024-03-01, where = "Netflix" }
watched = [2015-01-10]
rewatches = 1
"""


def test_a_hand_written_series_reads_every_field() -> None:
    entry = parse_entry(HAND_WRITTEN, "knights-of-sidonia-2014", "knights-of-sidonia-2014.toml")
    assert entry.episodes == 12 and entry.rewatches == 1
    assert entry.progress == Progress(5, D(2024, 3, 9), D(2024, 3, 1), {"where": "Netflix"})
    assert entry.watched == [D(2015, 1, 10)] and entry.status == "watching"


def test_the_short_forms_and_text_values_a_person_might_type() -> None:
    entry = entry_from_dict(
        {"title": "Dark", "kind": "series", "episodes": "26", "progress": 4, "rewatches": 2}
    )
    assert (entry.episodes, entry.progress, entry.rewatches) == (26, Progress(4), 2)
    quoted = entry_from_dict({"title": "Dark", "progress": {"seen": 4, "date": "2023-10-04"}})
    assert quoted.progress == Progress(4, D(2023, 10, 4))
    # A time of day is kept as its day.
    timed = entry_from_dict(
        {"title": "Dark", "progress": {"seen": 4, "date": dt.datetime(2023, 10, 4, 21)}}
    )
    assert timed.progress == Progress(4, D(2023, 10, 4))


def test_older_files_without_the_fields_stay_valid_and_unchanged() -> None:
    text = 'title = "Blame!"\nyear = 2017\nkind = "movie"\nstatus = "watched"\nwatched = [2017-05-22]\n'
    entry = parse_entry(text, "blame-2017", "blame-2017.toml")
    assert (entry.episodes, entry.progress, entry.rewatches) == (None, None, None)
    assert dump_entry(entry) == text


def test_written_back_in_the_documented_order_on_one_line() -> None:
    entry = parse_entry(HAND_WRITTEN, "knights-of-sidonia-2014", "k.toml")
    assert dump_entry(entry) == (
        'title = "Knights of Sidonia"\n'
        "year = 2014\n"
        'kind = "series"\n'
        'status = "watching"\n'
        "episodes = 12\n"
        'progress = { seen = 5, date = 2024-03-09, started = 2024-03-01, where = "Netflix" }\n'
        "watched = [2015-01-10]\n"
        "rewatches = 1\n"
    )
    bare = Entry("Dark", kind="series", status="watching", progress=Progress(4))
    assert "progress = 4\n" in dump_entry(bare)


def test_a_progress_table_written_as_a_toml_table_round_trips() -> None:
    text = 'title = "Dark"\nstatus = "watching"\n\n[progress]\nseen = 4\n\n[progress.notes]\nmood = "eerie"\n'
    entry = parse_entry(text, "dark", "dark.toml")
    assert entry.progress == Progress(4, extra={"notes": {"mood": "eerie"}})
    assert parse_entry(dump_entry(entry), "dark", "dark.toml") == entry


def test_the_index_codec_keeps_every_new_field() -> None:
    entry = parse_entry(HAND_WRITTEN, "knights-of-sidonia-2014", "k.toml")
    assert decode_entry(encode_entry(entry)) == entry
    plain = Entry("Dark", slug="dark", progress=Progress(4), status="watching")
    assert decode_entry(encode_entry(plain)) == plain


def test_json_gives_every_field_with_nulls() -> None:
    entry = parse_entry(HAND_WRITTEN, "knights-of-sidonia-2014", "k.toml")
    data = entry.to_json()
    assert data["episodes"] == 12 and data["rewatches"] == 1
    assert data["progress"] == {
        "seen": 5,
        "date": "2024-03-09",
        "started": "2024-03-01",
        "where": "Netflix",
    }
    film = Entry("Blame!").to_json()
    assert (film["episodes"], film["progress"], film["rewatches"]) == (None, None, None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"episodes": 0}, "episodes: must be a whole number from 1 to 100,000 (got 0)"),
        (
            {"episodes": "twelve"},
            "episodes: must be a whole number from 1 to 100,000 (got 'twelve')",
        ),
        ({"episodes": 2.5}, "episodes: must be a whole number from 1 to 100,000 (got 2.5)"),
        ({"rewatches": True}, "rewatches: must be a whole number from 1 to 100,000 (got True)"),
        ({"progress": 0}, "progress: must be a whole number from 1 to 100,000 (got 0)"),
        ({"progress": [5]}, "progress: must be the episodes seen, or a table like"),
        ({"progress": {"date": D(2024, 1, 1)}}, "progress: needs the episodes seen"),
        ({"progress": {"seen": -1}}, "progress.seen: must be a whole number"),
        (
            {"progress": {"seen": 2, "date": "soon"}},
            "progress.date: must be a date like 2017-05-22 (got 'soon')",
        ),
        (
            {"progress": {"seen": 2, "date": D(2024, 1, 1), "started": D(2024, 2, 1)}},
            "progress.started: 2024-02-01 is after the last episode's date (2024-01-01)",
        ),
        ({"episodes": 3, "progress": 4}, "progress.seen: 4 is more than the 3 episodes it has"),
        (
            {"kind": "movie", "episodes": 2},
            "episodes: a movie has no episodes (only a series, season or special has them)",
        ),
        ({"kind": "short", "progress": 1}, "progress: a short has no episodes"),
        (
            {"status": "planned", "progress": 1},
            "progress: a planned title has no progress yet (set status to watching)",
        ),
    ],
)
def test_bad_values_are_refused_naming_the_field(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        entry_from_dict({"title": "Dark", **fields})
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_a_hand_edited_file_with_a_bad_progress_is_skipped_with_its_line(
    invoke: Invoke, journal_dir: Path
) -> None:
    journal_dir.mkdir()
    (journal_dir / "dark-2017.toml").write_text(
        'title = "Dark"\nyear = 2017\nkind = "series"\nepisodes = 26\nprogress = 27\n'
    )
    (journal_dir / "blame-2017.toml").write_text('title = "Blame!"\nyear = 2017\n')
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stdout.startswith("blame-2017\t")
    assert (
        "Warning: skipped dark-2017.toml:5: progress.seen: 27 is more than the 26 episodes it has"
        in result.stderr
    )


def test_a_hand_edited_progress_shows_in_list_show_and_next(
    invoke: Invoke, journal_dir: Path
) -> None:
    journal_dir.mkdir()
    (journal_dir / "knights-of-sidonia-2014.toml").write_text(HAND_WRITTEN)
    listed = invoke("list")
    assert listed.stdout.split("\t")[4] == "watching 5/12"
    shown = invoke("show", "sidonia")
    assert "Progress: 5/12, the last on 2024-03-09 (this run since 2024-03-01)\n" in shown.stdout
    assert "Rewatches: 1 more, on days not recorded\n" in shown.stdout
    up_next = invoke("next")
    assert up_next.stdout == (
        "knights-of-sidonia-2014\tKnights of Sidonia\t2014\tseries\t5/12\t2024-03-09\t\n"
    )


def test_validate_keeps_the_fields_and_a_rewrite_keeps_the_users_extra_keys(
    journal_dir: Path,
) -> None:
    journal = Journal(journal_dir)
    journal.ensure()
    (journal_dir / "k.toml").write_text(HAND_WRITTEN)
    entry = journal.get("k")
    entry.add_viewing(Viewing(D(2024, 4, 1)))
    journal.update(validate(entry))
    again = journal.get("k")
    assert again.progress == Progress(5, D(2024, 3, 9), D(2024, 3, 1), {"where": "Netflix"})
    assert again.watched == [D(2015, 1, 10), D(2024, 4, 1)]


def test_fraction_says_what_is_unknown() -> None:
    assert fraction(5, 12) == "5/12"
    assert fraction(5, None) == "5/?"
    assert fraction(None, 12) == "?/12"


def test_a_broken_file_error_names_the_nested_field_line() -> None:
    text = 'title = "Dark"\nkind = "series"\nprogress = { seen = 2, date = "soon" }\n'
    with pytest.raises(InvalidFile) as caught:
        parse_entry(text, "dark", "dark.toml")
    assert str(caught.value) == (
        "dark.toml:3: progress.date: must be a date like 2017-05-22 (got 'soon')"
    )
