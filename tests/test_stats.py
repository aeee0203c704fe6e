"""stats: the numbers on a known journal, the histogram's shape, plain and JSON output."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

from tests.conftest import Invoke
from watchbook.entry import Entry
from watchbook.journal import Journal
from watchbook.stats import compute_stats

D = dt.date


def known_entries() -> list[Entry]:
    return [
        Entry(
            "A",
            "a",
            2001,
            "movie",
            "watched",
            8,
            watched=[D(2020, 1, 5), D(2023, 3, 1)],
            tags=["x"],
        ),
        Entry("B", "b", 2002, "movie", "watched", 6.5, watched=[D(2023, 3, 9)], tags=["X", "y"]),
        Entry(
            "C", "c", 2003, "series", "dropped", 3, watched=[D(2023, 11, 2)], creators=["Studio"]
        ),
        Entry("D", "d", 2004, "movie", "watched", 9, watched=[D(2010, 1, 1)], creators=["Studio"]),
        Entry("E", "e", 2005, "series", "planned", None, tags=["y"]),
        Entry(
            "F",
            "f",
            2006,
            None,
            "watched",
            8,
            watched=[D(2019, 6, 1), D(2021, 1, 1), D(2022, 1, 1)],
        ),
    ]


def test_counts_scores_and_histogram() -> None:
    stats = compute_stats(known_entries(), today=D(2024, 1, 1))
    assert stats.entries == 6
    assert stats.by_status == {"watched": 4, "dropped": 1, "planned": 1}
    assert stats.by_kind == {"movie": 3, "series": 2, "unknown": 1}
    assert stats.viewings == 8
    assert stats.viewings_per_year == {
        "2010": 1,
        "2019": 1,
        "2020": 1,
        "2021": 1,
        "2022": 1,
        "2023": 3,
    }
    assert stats.month_year == 2023
    assert stats.viewings_per_month["2023-03"] == 2 and stats.viewings_per_month["2023-11"] == 1
    assert sum(stats.viewings_per_month.values()) == 3
    scores = [8, 6.5, 3, 9, 8]
    assert stats.mean_score == round(statistics.fmean(scores), 2)
    assert stats.median_score == statistics.median(scores)
    # 21 bins from 0 to 10 in half steps; each score in its own bin.
    assert list(stats.histogram) == [f"{n / 2:g}" for n in range(21)]
    assert stats.histogram["8"] == 2 and stats.histogram["6.5"] == 1 and stats.histogram["3"] == 1
    assert sum(stats.histogram.values()) == len(scores)


def test_groups_rewatches_and_favourites() -> None:
    stats = compute_stats(known_entries(), today=D(2024, 1, 1))
    tags = {g.name: (g.count, g.mean_score) for g in stats.top_tags}
    assert tags["x"] == (2, 7.25)  # "x" and "X" are one tag
    assert tags["y"] == (2, 6.5)  # the planned entry has no score to average
    assert [(g.name, g.count, g.mean_score) for g in stats.top_creators] == [("Studio", 2, 6.0)]
    assert [(t.slug, t.value) for t in stats.most_rewatched] == [("f", 3), ("a", 2)]
    favourites = stats.longest_unwatched_favourites
    assert [t.slug for t in favourites] == ["d", "f", "a"]
    assert favourites[0].value == (D(2024, 1, 1) - D(2010, 1, 1)).days


def test_year_limits_everything_to_that_year() -> None:
    stats = compute_stats(known_entries(), year=2023)
    assert stats.entries == 3
    assert stats.viewings == 3
    assert stats.viewings_per_year == {"2023": 3}
    assert stats.month_year == 2023


def test_generosity_sentence_follows_the_scores() -> None:
    generous = [Entry(str(n), str(n), score=s) for n, s in enumerate([9, 8.5, 8, 10])]
    harsh = [Entry(str(n), str(n), score=s) for n, s in enumerate([2, 4, 5, 3])]
    assert compute_stats(generous).generosity.startswith("You score generously")
    assert compute_stats(harsh).generosity.startswith("You score harshly")
    assert compute_stats([]).generosity == "No scores yet."


def write_known(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    for entry in known_entries():
        journal.create(entry)


def test_stats_json_matches_the_library(invoke: Invoke, journal_dir: Path) -> None:
    write_known(journal_dir)
    result = invoke("stats", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["histogram"]["8"] == 2
    assert data["by_status"]["planned"] == 1
    assert data["most_rewatched"][0]["slug"] == "f"


def test_stats_piped_is_plain_text_with_bars_in_proportion(
    invoke: Invoke, journal_dir: Path
) -> None:
    write_known(journal_dir)
    out = invoke("stats").stdout
    assert "\x1b[" not in out and "█" not in out and "│" not in out
    bars = {}
    in_histogram = False
    for line in out.splitlines():
        if line.startswith("# "):
            in_histogram = line == "# Score histogram"
        elif in_histogram:
            parts = line.split()
            bars[parts[0]] = line.count("#")
    assert bars["8"] == 2 * bars["6.5"] > 0
    assert bars["0"] == 0 and len(bars) == 21


def test_stats_on_an_empty_journal(invoke: Invoke, journal_dir: Path) -> None:
    journal_dir.mkdir()
    result = invoke("stats", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["entries"] == 0 and data["mean_score"] is None
    plain = invoke("stats")
    assert plain.exit_code == 0
    assert plain.stdout.splitlines()[:3] == ["# Journal", "No entries.", "viewings: 0"]


def test_stats_for_a_year_with_nothing_watched_says_so(invoke: Invoke, journal_dir: Path) -> None:
    write_known(journal_dir)
    lines = invoke("stats", "--year", "1950").stdout.splitlines()
    assert lines[:3] == ["# Journal", "No entries watched in 1950.", "viewings: 0"]
    assert not any(line.endswith(": ") or line == "kinds: " for line in lines)
    every = invoke("stats").stdout.splitlines()[1]
    assert every.startswith(f"{len(known_entries())} entries: ")


def test_a_tag_or_creator_written_twice_in_other_case_counts_once(
    invoke: Invoke, journal_dir: Path
) -> None:
    # Files written by hand may repeat a tag in another case; it is still one entry's tag.
    journal_dir.mkdir()
    (journal_dir / "paprika-2006.toml").write_text(
        'title = "Paprika"\nyear = 2006\nscore = 8\nwatched = [2024-03-01]\n'
        'tags = ["Anime", "anime"]\ncreators = ["Satoshi Kon", "satoshi kon"]\n',
        encoding="utf-8",
    )
    result = invoke("stats", "--year", "2024", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = json.loads(result.stdout)
    for found in (data, data["review"]):
        assert found["top_tags"] == [{"name": "Anime", "count": 1, "mean_score": 8.0}]
        assert found["top_creators"] == [{"name": "Satoshi Kon", "count": 1, "mean_score": 8.0}]
    plain = invoke("stats")
    assert plain.exit_code == 0 and plain.stderr == ""
    assert "Anime\t1\tmean 8" in plain.stdout.splitlines()
    assert "Anime\t2" not in plain.stdout


def test_a_year_counts_only_its_own_scores_and_viewings(invoke: Invoke, journal_dir: Path) -> None:
    # Serial, scored 9 in 2023, had three episodes seen again in 2024: its 9 counted as a 2024
    # score ("2 scored, mean 7"). Charlie's viewing of 2024 made it "most rewatched" in 2023.
    journal_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "serial": 'title = "Serial"\nkind = "series"\nepisodes = 10\nscore = 9\n'
        "watched = [2023-05-01]\n",
        "film": 'title = "Film"\nkind = "movie"\nscore = 5\nwatched = [2024-03-03]\n',
        "charlie": 'title = "Charlie"\nyear = 2012\nkind = "movie"\nscore = 7\n'
        "watched = [2023-12-31, 2024-01-01]\n",
    }
    for slug, text in files.items():
        (journal_dir / f"{slug}.toml").write_text(text, encoding="utf-8")
    assert invoke("watch", "serial", "3", "--on", "2024-03-04").exit_code == 0
    in_2024 = json.loads(invoke("stats", "--year", "2024", "--json").stdout)
    # Film's 5 and Charlie's 7 (its 2024 viewing): not Serial's 9 of 2023.
    assert (in_2024["scored"], in_2024["mean_score"]) == (2, 6)
    in_2023 = json.loads(invoke("stats", "--year", "2023", "--json").stdout)
    assert in_2023["viewings"] == 2 and in_2023["most_rewatched"] == []
    everything = json.loads(invoke("stats", "--json").stdout)
    assert [t["slug"] for t in everything["most_rewatched"]] == ["charlie"]


def test_a_year_lists_only_the_titles_rescored_that_year(invoke: Invoke, journal_dir: Path) -> None:
    # Foxtrot was scored 3 in 2020 and 5 in 2024: `stats --year 2023` listed it all the same.
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / "foxtrot.toml").write_text(
        'title = "Foxtrot"\nkind = "movie"\nscore = 5\nwatched = [\n'
        "    { date = 2020-05-01, score = 3 },\n    2023-02-02,\n"
        "    { date = 2024-06-01, score = 5 },\n]\n",
        encoding="utf-8",
    )

    def rescored(*year: str) -> list[tuple[str, float, float]]:
        result = invoke("stats", *year, "--json")
        assert result.exit_code == 0, result.stderr
        return [(r["slug"], r["first"], r["latest"]) for r in json.loads(result.stdout)["rescored"]]

    assert rescored() == [("foxtrot", 3, 5)]
    assert rescored("--year", "2024") == [("foxtrot", 3, 5)]
    # 2023's viewing has no score of its own: the entry's 5 stands for it, against 3 before.
    assert rescored("--year", "2023") == [("foxtrot", 3, 5)]
    assert rescored("--year", "2020") == []
