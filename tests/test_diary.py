"""diary and the year in review: the library on known entries, the commands on the sample journal
and on a Letterboxd history imported by the test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook.diary import diary
from watchbook.entry import Entry
from watchbook.errors import InvalidValue
from watchbook.review_text import heatmap_lines
from watchbook.year_review import heatmap, longest_streak, year_review

D = dt.date


def known() -> list[Entry]:
    return [
        Entry("A", "a", 2001, "movie", "watched", 9, watched=[D(2020, 1, 5), D(2023, 3, 1)],
              tags=["x"], creators=["Ann"]),
        Entry("B", "b", 2023, "movie", "watched", 8, watched=[D(2023, 3, 2)], tags=["X", "y"]),
        Entry("C", "c", 2003, "series", "dropped", 3, watched=[D(2023, 3, 3)], creators=["Ann"]),
        Entry("D", "d", 2004, "movie", "watched", 5, watched=[D(2010, 1, 1)]),
        Entry("E", "e", 2005, "series", "planned", None, tags=["y"]),
        Entry("F", "f", 2006, None, "watched", None, watched=[D(2023, 12, 31)]),
    ]  # fmt: skip


def test_the_diary_is_every_viewing_in_date_order_with_rewatches_marked() -> None:
    lines = diary(known())
    assert [(line.date, line.slug, line.rewatch) for line in lines] == [
        (D(2010, 1, 1), "d", False),
        (D(2020, 1, 5), "a", False),
        (D(2023, 3, 1), "a", True),
        (D(2023, 3, 2), "b", False),
        (D(2023, 3, 3), "c", False),
        (D(2023, 12, 31), "f", False),
    ]
    assert [line.slug for line in diary(known(), 2023, 3)] == ["a", "b", "c"]
    assert [line.slug for line in diary(known(), month=1)] == ["d", "a"]
    assert diary(known(), 1999) == []
    assert diary(known())[2].score == 9.0 and diary(known())[5].score is None


@pytest.mark.parametrize(("year", "month"), [(None, 0), (None, 13), (0, None)])
def test_a_period_that_cannot_be_is_refused(year: int | None, month: int | None) -> None:
    with pytest.raises(InvalidValue):
        diary(known(), year, month)


def test_the_year_in_review_counts_first_watches_rewatches_and_streaks() -> None:
    review = year_review(known(), 2023)
    assert (review.viewings, review.titles, review.first_watches, review.rewatches) == (4, 4, 3, 1)
    assert review.per_month["2023-03"] == 3 and review.per_month["2023-12"] == 1
    assert review.per_day == {"2023-03-01": 1, "2023-03-02": 1, "2023-03-03": 1, "2023-12-31": 1}
    assert review.streak is not None
    assert (review.streak.days, review.streak.start, review.streak.end) == (
        3,
        "2023-03-01",
        "2023-03-03",
    )
    # The journal's mean score is 6.25: B is a good new title, C a disappointment, A a rewatch.
    assert [t.slug for t in review.best_new] == ["b"]
    assert [t.slug for t in review.disappointments] == ["c"]
    # A, B and C were scored (9, 8, 3); D (5) is the only scored title of another year.
    assert review.mean_score == pytest.approx((9 + 8 + 3) / 3, abs=0.01)
    assert review.usual_mean_score == 5
    assert "above your usual" in review.comparison
    assert review.top_creators[0].name == "Ann" and review.top_creators[0].count == 2


def test_a_year_without_viewings_is_empty() -> None:
    review = year_review(known(), 1990)
    assert (review.viewings, review.titles, review.streak, review.mean_score) == (0, 0, None, None)
    assert review.comparison == "No scores for titles watched in 1990."


def test_the_longest_streak_is_the_first_of_equally_long_ones() -> None:
    days = [D(2024, 1, 1), D(2024, 1, 2), D(2024, 2, 1), D(2024, 2, 2), D(2024, 3, 9)]
    streak = longest_streak(days)
    assert streak is not None and (streak.days, streak.start) == (2, "2024-01-01")
    assert longest_streak([]) is None


def test_the_heatmap_has_a_cell_for_every_day_in_its_weekday_row() -> None:
    grid = heatmap({"2024-01-01": 1, "2024-12-31": 5}, 2024)
    days = [day for week in grid.weeks for day in week if day is not None]
    assert len(days) == 366
    # 2024-01-01 was a Monday, 2024-12-31 a Tuesday.
    assert grid.weeks[0][0] is not None and grid.weeks[0][0].level == 1
    assert grid.weeks[-1][1] is not None and grid.weeks[-1][1].level == 4
    assert grid.months[0] == (0, "Jan") and len(grid.months) == 12
    lines = heatmap_lines(grid, ".-+*#")
    assert lines[1].startswith("Mon -") and lines[2].rstrip().endswith("#")
    assert "4 or more" in lines[-1]


@pytest.mark.parametrize(("year", "days"), [(1, 365), (9999, 365)])
def test_the_heatmap_of_the_first_and_last_years_a_date_can_have(year: int, days: int) -> None:
    # 9999-12-31 is the last date there is: the calendar must not step past it.
    last = f"{year:04}-12-31"
    grid = heatmap({last: 2}, year)
    cells = [day for week in grid.weeks for day in week if day is not None]
    assert len(cells) == days and cells[-1].date.isoformat() == last
    assert all(len(week) == 7 for week in grid.weeks)


def test_the_site_and_stats_of_a_viewing_on_the_last_date_there_is(
    tmp_path: Path, invoke: Invoke
) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "far-off.toml").write_text(
        'title = "Far Off"\nyear = 2001\nscore = 7\nwatched = [9999-12-31]\n', "utf-8"
    )
    site = invoke(
        "--journal", str(journal), "export", "--format", "html", "--out", str(tmp_path / "s")
    )
    assert site.exit_code == 0, site.stderr
    assert (tmp_path / "s" / "years" / "9999.html").is_file()
    for command in (["stats"], ["diary"], ["stats", "--json"]):
        result = invoke("--journal", str(journal), *command)
        assert result.exit_code == 0, result.stderr


# --- the commands ----------------------------------------------------------------------------


def test_diary_on_the_sample_journal(sample_journal: Path, invoke: Invoke) -> None:
    result = invoke("diary")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert lines[0] == "1999-07-03\tThe Matrix\t1999\t9.5/10\t\tthe-matrix-1999"
    assert lines[-1] == "2021-12-20\tThe Matrix\t1999\t9.5/10\trewatch\tthe-matrix-1999"
    dates = [line.split("\t")[0] for line in lines]
    assert dates == sorted(dates)
    result = invoke("diary", "--year", "2015", "--json")
    data = json.loads(result.stdout)
    assert [d["slug"] for d in data] == [
        "jupiter-ascending-2015",
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
    ]
    assert data[0] == {
        "date": "2015-02-08", "slug": "jupiter-ascending-2015", "title": "Jupiter Ascending",
        "year": 2015, "score": 4.0, "rewatch": False, "viewing": 1, "note": None,
    }  # fmt: skip
    assert invoke("diary", "--year", "2015", "--month", "3").stdout.count("\n") == 1


def test_diary_refuses_a_month_that_is_not_one(sample_journal: Path, invoke: Invoke) -> None:
    result = invoke("diary", "--month", "13")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "--month: must be a whole number from 1 to 12 (got 13)" in result.stderr


def test_stats_year_has_the_review_and_the_heatmap(sample_journal: Path, invoke: Invoke) -> None:
    result = invoke("stats", "--year", "2015")
    assert result.exit_code == 0
    text = result.stdout
    assert "# 2015 in review" in text
    assert "3 viewings of 3 titles: 3 first watches, 0 rewatches" in text
    heat = text.split("# Viewings per day in 2015\n")[1].splitlines()
    assert (
        heat[0].startswith("    Jan") and heat[1].startswith("Mon ") and heat[7].startswith("Sun ")
    )
    # Three days with a viewing, each marked once.
    assert sum(line[4:].count("-") for line in heat[1:8]) == 3
    data = json.loads(invoke("stats", "--year", "2015", "--json").stdout)
    assert data["review"]["viewings"] == 3 and data["review"]["first_watches"] == 3
    assert data["review"]["per_day"] == {"2015-02-08": 1, "2015-03-14": 1, "2015-08-02": 1}
    assert data["review"]["disappointments"][0]["slug"] == "jupiter-ascending-2015"
    assert "review" not in json.loads(invoke("stats", "--json").stdout)


LETTERBOXD_DIARY = """\
Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date
2024-01-03,Paprika,2006,https://boxd.it/a1,4.5,,,2024-01-02
2024-01-04,Perfect Blue,1997,https://boxd.it/a2,3,,,2024-01-03
2024-01-05,Paprika,2006,https://boxd.it/a3,4.5,Yes,,2024-01-04
2024-07-20,Tokyo Godfathers,2003,https://boxd.it/a4,2,,,2024-07-20
2023-05-01,Millennium Actress,2001,https://boxd.it/a5,5,,,2023-05-01
"""


def test_diary_and_the_year_in_review_of_an_imported_letterboxd_history(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    export = tmp_path / "letterboxd"
    export.mkdir()
    (export / "diary.csv").write_text(LETTERBOXD_DIARY, encoding="utf-8")
    result = invoke("import", "letterboxd", str(export))
    assert result.exit_code == 0, result.output
    lines = invoke("diary", "--year", "2024").stdout.splitlines()
    assert [line.split("\t")[:5] for line in lines] == [
        ["2024-01-02", "Paprika", "2006", "9/10", ""],
        ["2024-01-03", "Perfect Blue", "1997", "6/10", ""],
        ["2024-01-04", "Paprika", "2006", "9/10", "rewatch"],
        ["2024-07-20", "Tokyo Godfathers", "2003", "4/10", ""],
    ]
    review = json.loads(invoke("stats", "--year", "2024", "--json").stdout)["review"]
    assert (review["viewings"], review["titles"], review["first_watches"], review["rewatches"]) == (
        4, 3, 3, 1,
    )  # fmt: skip
    assert review["streak"] == {"days": 3, "start": "2024-01-02", "end": "2024-01-04"}
    assert [t["title"] for t in review["best_new"]] == ["Paprika"]
    assert [t["title"] for t in review["disappointments"]] == ["Tokyo Godfathers", "Perfect Blue"]
    assert review["usual_mean_score"] == 10
    site = tmp_path / "site"
    assert invoke("export", "--format", "html", "--out", str(site)).exit_code == 0
    page = (site / "years" / "2024.html").read_text(encoding="utf-8")
    assert "2024 in review" in page and "Tokyo Godfathers" in page and "rewatch" in page


def test_the_projects_letterboxd_fixture_gives_a_diary_and_a_review(
    invoke: Invoke, journal_dir: Path
) -> None:
    from tests.conftest import ROOT

    result = invoke("import", "letterboxd", str(ROOT / "tests" / "fixtures" / "letterboxd"))
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in invoke("diary").stdout.splitlines()]
    assert lines and [line[0] for line in lines] == sorted(line[0] for line in lines)
    viewings = json.loads(invoke("stats", "--json").stdout)["viewings"]
    assert len(lines) == viewings
    busiest = max(
        {line[0][:4] for line in lines}, key=lambda y: sum(line[0].startswith(y) for line in lines)
    )
    review = json.loads(invoke("stats", "--year", busiest, "--json").stdout)["review"]
    assert review["viewings"] == sum(line[0].startswith(busiest) for line in lines)
    assert review["first_watches"] + review["rewatches"] == review["viewings"]
    assert sum(review["per_day"].values()) == review["viewings"]


def test_a_viewing_with_its_own_score_and_note_shows_them(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    journal_dir.mkdir()
    (journal_dir / "blame-2017.toml").write_text(
        'title = "Blame!"\nyear = 2017\nscore = 7\n'
        "watched = [{ date = 2017-05-22, score = 6 }, "
        '{ date = 2024-03-09, score = 7, note = "Better on a big screen." }, 2024-03-10]\n',
        encoding="utf-8",
    )
    lines = [line.split("\t")[:5] for line in invoke("diary").stdout.splitlines()]
    assert lines == [
        ["2017-05-22", "Blame!", "2017", "6/10", ""],
        ["2024-03-09", "Blame!", "2017", "7/10", "rewatch"],
        ["2024-03-10", "Blame!", "2017", "7/10", "rewatch"],
    ]
    data = json.loads(invoke("diary", "--json").stdout)
    assert data[1]["note"] == "Better on a big screen." and data[0]["score"] == 6
    review = json.loads(invoke("stats", "--year", "2017", "--json").stdout)["review"]
    assert review["mean_score"] == 6
    site = tmp_path / "site"
    assert invoke("export", "--format", "html", "--out", str(site)).exit_code == 0
    page = (site / "entries" / "blame-2017.html").read_text(encoding="utf-8")
    viewings = page.split('<ol class="viewings">')[1].split("</ol>")[0]
    assert viewings.count("<li>") == 3
    assert "6/10" in viewings and "Better on a big screen." in viewings
