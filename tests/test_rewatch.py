"""Rewatches keep history: each viewing may carry its own score and note, the entry's score is
the latest given, and what changed is said; contradictions and impossible dates are refused."""

from __future__ import annotations

import csv
import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook.entry import Entry, Viewing
from watchbook.entry_file import dump_entry, parse_entry
from watchbook.errors import InvalidValue
from watchbook.stats import compute_stats
from watchbook.validation import entry_from_dict

OLD_VERDICT = "Great premise and action; the characters are cardboard."


def read(journal: Path, slug: str = "blame-2017") -> dict[str, object]:
    return tomllib.loads((journal / f"{slug}.toml").read_text(encoding="utf-8"))


def test_a_rewatch_score_becomes_the_entry_score_and_the_old_one_stays_with_its_viewing(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("add", "Blame!", "--score", "7", "--rewatch", "--watched", "2024-03-09")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1] == "Score 6 -> 7 (the 2017-05-22 viewing keeps 6)"
    entry = read(sample_journal)
    assert entry["score"] == 7 and entry["verdict"] == OLD_VERDICT
    assert entry["watched"] == [
        {"date": dt.date(2017, 5, 22), "score": 6},
        {"date": dt.date(2024, 3, 9), "score": 7},
    ]


def test_a_third_viewing_scored_anew_leaves_every_earlier_one_its_score(
    invoke: Invoke, sample_journal: Path
) -> None:
    # The 2017 viewing (no score of its own) stood for the entry's 6: only the viewing just
    # before the new score used to keep it, and the diary then showed 7 for 2017.
    assert invoke("add", "blame", "--rewatch", "--watched", "2019-01-01").exit_code == 0
    result = invoke("add", "blame", "--rewatch", "--watched", "2024-03-09", "--score", "7")
    assert result.exit_code == 0, result.stderr
    assert "Score 6 -> 7 (the viewings of 2017-05-22, 2019-01-01 keep 6)" in result.stderr
    assert read(sample_journal)["watched"] == [
        {"date": dt.date(2017, 5, 22), "score": 6},
        {"date": dt.date(2019, 1, 1), "score": 6},
        {"date": dt.date(2024, 3, 9), "score": 7},
    ]
    diary = invoke("diary", "--year", "2017")
    assert diary.exit_code == 0 and "\t6/10\t" in diary.stdout


def test_a_rewatch_ends_the_run_under_way_and_needs_a_day_when_not_watched(
    invoke: Invoke, journal_dir: Path
) -> None:
    added = invoke("add", "Show A", "--year", "2020", "--kind", "series", "--status", "planned")
    assert added.exit_code == 0, added.stderr
    assert invoke("watch", "show-a-2020", "2/5", "--on", "2025-01-03").exit_code == 0
    before = (journal_dir / "show-a-2020.toml").read_bytes()
    # Dropped or watching, with no day given: no viewing to record. It was a traceback.
    for status in ("dropped", "watching"):
        refused = invoke("add", "show-a-2020", "--rewatch", "--status", status)
        assert refused.exit_code == 2 and refused.stdout == ""
        assert refused.stderr.startswith("Error: --rewatch: records a viewing, and a ")
        assert refused.stderr.count("\n") == 1
    assert (journal_dir / "show-a-2020.toml").read_bytes() == before
    # Watched whole: the run at episode 2 ends (it stayed, and `next` lost the title).
    result = invoke("add", "show-a-2020", "--rewatch", "--watched", "2025-01-04")
    assert result.exit_code == 0, result.stderr
    assert "Run ended (it was at episode 2)" in result.stderr
    entry = read(journal_dir, "show-a-2020")
    assert entry["status"] == "watched" and "progress" not in entry
    assert entry["watched"] == [dt.date(2025, 1, 4)]


def test_a_rewatch_verdict_keeps_the_old_one_on_the_viewing_before(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke(
        "add", "Blame!", "--rewatch", "--watched", "2024-03-09", "--verdict", "Grew on me."
    )
    assert result.exit_code == 0, result.stderr
    assert "Verdict replaced (the 2017-05-22 viewing keeps the old one as its note)" in (
        result.stderr
    )
    entry = read(sample_journal)
    assert entry["verdict"] == "Grew on me." and entry["score"] == 6
    assert entry["watched"] == [
        {"date": dt.date(2017, 5, 22), "note": OLD_VERDICT},
        dt.date(2024, 3, 9),
    ]


def test_a_rewatch_without_a_score_leaves_the_entry_as_it_was(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("add", "Blame!", "--rewatch", "--watched", "2024-03-09", "--note", "Again.")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1:] == []
    entry = read(sample_journal)
    assert entry["score"] == 6
    assert entry["watched"] == [
        dt.date(2017, 5, 22),
        {"date": dt.date(2024, 3, 9), "note": "Again."},
    ]


def test_a_viewing_recorded_late_does_not_change_the_entry_score(
    invoke: Invoke, sample_journal: Path
) -> None:
    invoke("add", "Blame!", "--rewatch", "--watched", "2024-03-09", "--score", "7")
    late = invoke("add", "Blame!", "--rewatch", "--watched", "2020-01-01", "--score", "5")
    assert late.exit_code == 0
    assert "Score stays 7 (the 2024-03-09 viewing is later" in late.stderr
    entry = read(sample_journal)
    assert entry["score"] == 7
    assert [v["score"] for v in entry["watched"]] == [6, 5, 7]  # type: ignore[union-attr, index]


def test_a_rewatch_review_is_added_as_a_dated_section(invoke: Invoke, sample_journal: Path) -> None:
    before = str(read(sample_journal)["review"])
    invoke("add", "Blame!", "--rewatch", "--watched", "2024-03-09", "--review", "Still cardboard.")
    review = str(read(sample_journal)["review"])
    assert review.startswith(before.rstrip("\n"))
    assert review.endswith("\n\n**2024-03-09**\n\nStill cardboard.\n")


def test_the_short_form_stays_and_the_long_form_reads_back(tmp_path: Path) -> None:
    short = 'title = "Blame!"\nyear = 2017\nstatus = "watched"\nscore = 6\nwatched = [2017-05-22]\n'
    entry = parse_entry(short, "blame-2017", "blame-2017.toml")
    assert entry.viewings == [Viewing(dt.date(2017, 5, 22))]
    assert dump_entry(entry) == short
    long = (
        'title = "Blame!"\nstatus = "watched"\nscore = 7\nwatched = [\n    { date = 2017-05-22, score = 6 },\n'
        '    2019-01-01,\n    { date = 2024-03-09, score = 7, note = "Big screen.", seats = "front" },\n]\n'
    )
    entry = parse_entry(long, "blame-2017", "blame-2017.toml")
    assert entry.viewings == [
        Viewing(dt.date(2017, 5, 22), 6),
        Viewing(dt.date(2019, 1, 1)),
        Viewing(dt.date(2024, 3, 9), 7, "Big screen.", {"seats": "front"}),
    ]
    assert entry.watched == [dt.date(2017, 5, 22), dt.date(2019, 1, 1), dt.date(2024, 3, 9)]
    assert dump_entry(entry) == long


@pytest.mark.parametrize(
    ("watched", "field"),
    [
        ([{"score": 6}], "watched"),
        ([{"date": dt.date(2020, 1, 1), "score": 11}], "watched.score"),
        ([{"date": dt.date(2020, 1, 1), "note": "two\nlines"}], "watched.note"),
        ([{"date": "yesterday"}], "watched.date"),
    ],
)
def test_a_bad_viewing_names_what_is_wrong(watched: list[object], field: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        entry_from_dict({"title": "X", "watched": watched})
    assert caught.value.field == field


def test_show_stats_and_exports_use_the_score_of_each_viewing(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    invoke(
        "add", "Blame!", "--rewatch", "--watched", "2024-03-09", "--score", "8", "--note", "Big."
    )
    shown = invoke("show", "Blame!").stdout.splitlines()
    assert "Watched: 2017-05-22 (6/10)" in shown and "Watched: 2024-03-09 (8/10): Big." in shown
    record = json.loads(invoke("show", "Blame!", "--json").stdout)
    assert record["watched"] == ["2017-05-22", "2024-03-09"]
    assert record["viewings"] == [
        {"date": "2017-05-22", "score": 6, "note": None},
        {"date": "2024-03-09", "score": 8, "note": "Big."},
    ]
    in_2017 = json.loads(invoke("stats", "--year", "2017", "--json").stdout)
    assert in_2017["mean_score"] == 6
    everything = json.loads(invoke("stats", "--json").stdout)
    assert {"slug": "blame-2017", "title": "Blame!", "year": 2017, "first": 6, "latest": 8} in (
        everything["rescored"]
    )
    invoke("export", "--format", "csv", "--out", str(tmp_path / "diary.csv"))
    with (tmp_path / "diary.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Title"] == "Blame!"]
    assert [(r["WatchedDate"], r["Rating10"]) for r in rows] == [
        ("2017-05-22", "6"),
        ("2024-03-09", "8"),
    ]
    assert rows[1]["Review"].startswith("Big.\n\n")
    invoke("export", "--out", str(tmp_path / "site"))
    page = (tmp_path / "site" / "blame-2017.md").read_text(encoding="utf-8")
    assert (
        "- **Watched:** 2 viewings\n  - 2017-05-22 · 6/10\n  - 2024-03-09 · 8/10 · Big.\n" in page
    )


def test_stats_of_a_year_count_what_you_thought_that_year() -> None:
    seen = Entry(
        "A",
        "a",
        score=9,
        watched=[Viewing(dt.date(2010, 1, 1), 5), Viewing(dt.date(2020, 1, 1), 9)],
    )
    other = Entry("B", "b", score=7, watched=[dt.date(2010, 5, 1)])
    assert compute_stats([seen, other], 2010).mean_score == 6
    assert compute_stats([seen, other], 2020).mean_score == 9
    assert compute_stats([seen, other]).mean_score == 8


def write_export(folder: Path, diary: list[list[str]]) -> Path:
    folder.mkdir()
    with (folder / "diary.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"]
        )
        writer.writerows(diary)
    return folder


def test_letterboxd_diary_ratings_become_viewing_scores(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    export = write_export(
        tmp_path / "letterboxd",
        [
            ["2019-10-02", "The Shining", "1980", "https://boxd.it/a1", "3", "", "", "2019-10-01"],
            [
                "2023-10-31",
                "The Shining",
                "1980",
                "https://boxd.it/a2",
                "4.5",
                "Yes",
                "",
                "2023-10-31",
            ],
            ["2020-11-02", "Parasite", "2019", "https://boxd.it/a3", "5", "", "", "2020-11-01"],
        ],
    )
    assert invoke("import", "letterboxd", str(export)).exit_code == 0
    shining = read(journal_dir, "the-shining-1980")
    assert shining["score"] == 9
    assert shining["watched"] == [
        {"date": dt.date(2019, 10, 1), "score": 6},
        {"date": dt.date(2023, 10, 31), "score": 9},
    ]
    # One viewing rated as the film is: the short form says it all.
    assert read(journal_dir, "parasite-2019")["watched"] == [dt.date(2020, 11, 1)]


def test_an_import_fills_in_the_score_of_a_viewing_the_journal_has(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    invoke(
        "add",
        "The Shining",
        "--year",
        "1980",
        "--score",
        "9",
        "--watched",
        "2019-10-01",
        "--watched",
        "2023-10-31",
    )
    export = write_export(
        tmp_path / "letterboxd",
        [["2019-10-02", "The Shining", "1980", "https://boxd.it/a1", "3", "", "", "2019-10-01"]],
    )
    result = invoke("import", "letterboxd", str(export))
    assert result.exit_code == 0 and "viewing scores" in result.stdout
    shining = read(journal_dir, "the-shining-1980")
    assert shining["score"] == 9
    assert shining["watched"] == [{"date": dt.date(2019, 10, 1), "score": 6}, dt.date(2023, 10, 31)]
    again = invoke("import", "letterboxd", str(export))
    assert "created 0, merged 0, unchanged 1" in again.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--status", "planned", "--watched", "2020-01-01"], "Error: --watched: a planned title has no viewings yet (leave out --watched or --status planned)\n"),
        (["--watched", "1800-01-01"], "Error: --watched: 1800-01-01 is before 1870-01-01, the earliest viewing date watchbook records\n"),
        (["--watched", "2999-01-01"], "Error: --watched: 2999-01-01 is in the future\n"),
        (["--status", "planned", "--note", "Soon."], "Error: --note: a planned title has no viewing to note yet (leave out --note or --status planned)\n"),
        (["--status", "dropped", "--note", "Gave up."], "Error: --note: a dropped title has no viewing to note (give --watched)\n"),
    ],
)  # fmt: skip
def test_contradictions_and_impossible_dates_are_refused_in_one_line(
    invoke: Invoke, journal_dir: Path, args: list[str], message: str
) -> None:
    result = invoke("add", "Paprika", "--year", "2006", *args)
    assert result.exit_code == 2
    assert result.stderr == message and result.stdout == ""
    assert not journal_dir.exists() or not list(journal_dir.glob("*.toml"))


def test_a_planned_rewatch_is_a_contradiction(invoke: Invoke, sample_journal: Path) -> None:
    before = (sample_journal / "blame-2017.toml").read_bytes()
    result = invoke("add", "Blame!", "--rewatch", "--status", "planned")
    assert result.exit_code == 2 and result.stderr.startswith("Error: --rewatch: ")
    assert (sample_journal / "blame-2017.toml").read_bytes() == before


def test_the_earliest_and_latest_viewing_dates_are_accepted(
    invoke: Invoke, journal_dir: Path
) -> None:
    today = dt.date.today().isoformat()
    assert invoke("add", "Old", "--watched", "1870-01-01").exit_code == 0
    assert invoke("add", "New", "--watched", today).exit_code == 0
    assert read(journal_dir, "new")["watched"] == [dt.date.today()]
