"""The watchlist by predicted score: the model, its reasons, its fallback, community ratings."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, Invoke, run_in_terminal
from watchbook.entry import community_rating
from watchbook.errors import InvalidValue
from watchbook.index.catalog import Catalog
from watchbook.index.store import load_catalog, open_index
from watchbook.journal import Journal, make_slug
from watchbook.recommend.indexed import IndexRelations
from watchbook.recommend.sources import CatalogRelations
from watchbook.recommend.taste import MIN_SCORED, ridge_fit
from watchbook.recommend.watchlist import rewatch_ideas, watchlist
from watchbook.validation import entry_from_dict

ANN, BOB = "Ann Director", "Bob Maker"


def add(folder: Path, title: str, **fields: Any) -> str:
    """Write one entry file through the library and return its slug."""
    slug = make_slug(title, fields.get("year"))
    fields.setdefault("watched", [dt.date(2020, 1, 1)] if fields.get("status") != "planned" else [])
    Journal(folder).create(entry_from_dict({"title": title, **fields}, slug))
    return slug


def watchlist_json(invoke: Invoke) -> tuple[list[dict[str, Any]], str]:
    result = invoke("recommend", "--json", "--limit", "50")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout), result.stderr


def by_slug(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["slug"]: r for r in results}


ANN_SCORES, BOB_SCORES = [9, 9, 8.5, 9.5, 8, 9], [3, 4, 2.5, 3.5, 4, 3]
MUSICAL_SCORES, OTHER_SCORES = [3, 2, 3.5, 2.5], [6, 7, 5, 6.5, 7, 6, 5.5, 6]


def makers_journal(folder: Path) -> None:
    """24 scored films: Ann's scored high, Bob's low, musicals low, the rest in between."""
    for n, score in enumerate(ANN_SCORES):
        add(folder, f"Ann Film {n}", year=2000 + n, score=score, creators=[ANN], tags=["drama"])
    for n, score in enumerate(BOB_SCORES):
        add(folder, f"Bob Film {n}", year=2000 + n, score=score, creators=[BOB], tags=["drama"])
    for n, score in enumerate(MUSICAL_SCORES):
        add(folder, f"Musical {n}", year=2010 + n, score=score, tags=["musical"])
    for n, score in enumerate(OTHER_SCORES):
        add(folder, f"Other Film {n}", year=1990 + n, score=score, tags=["drama"])


# --- what the prediction says -----------------------------------------------------------------


def test_a_title_by_makers_you_score_low_is_predicted_below_one_by_makers_you_score_high(
    invoke: Invoke, journal_dir: Path
) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "New Ann Film", year=2021, status="planned", creators=[ANN], tags=["drama"])
    add(journal_dir, "New Bob Film", year=2021, status="planned", creators=[BOB], tags=["drama"])
    results, stderr = watchlist_json(invoke)
    assert [r["slug"] for r in results] == ["new-ann-film-2021", "new-bob-film-2021"]
    assert "Fewer than" not in stderr
    ann, bob = results
    scores = [*ANN_SCORES, *BOB_SCORES, *MUSICAL_SCORES, *OTHER_SCORES]
    mean = sum(scores) / len(scores)
    assert bob["predicted"] < mean < ann["predicted"]
    assert ann["mode"] == bob["mode"] == "watchlist"
    assert ann["reasons"][0].startswith("you score Ann Director titles 8.8 on average (+")
    assert bob["reasons"][-1].startswith("you score Bob Maker titles 3.3 on average (-")


def test_reasons_name_what_pulled_a_title_down_as_well_as_up(
    invoke: Invoke, journal_dir: Path
) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "Ann Sings", year=2022, status="planned", creators=[ANN], tags=["musical"])
    (result,), _ = watchlist_json(invoke)
    up = [r for r in result["reasons"] if re.search(r"\(\+\d+\.\d\)$", r)]
    down = [r for r in result["reasons"] if re.search(r"\(-\d+\.\d\)$", r)]
    assert any(r.startswith("you score Ann Director titles 8.8 on average") for r in up)
    assert any(r.startswith("you score musical titles 2.8 on average") for r in down)
    # Ups come first, each side strongest first.
    assert result["reasons"] == up + down


def test_piped_and_terminal_output_show_the_likely_score(invoke: Invoke, journal_dir: Path) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "New Ann Film", year=2021, status="planned", creators=[ANN])
    result = invoke("recommend")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    fields = line.split("\t")
    assert fields[0] == "new-ann-film-2021" and fields[5] == ""
    assert re.fullmatch(r"likely \d+\.\d/10", fields[6])
    assert "you score Ann Director titles 8.8 on average" in fields[7]


def test_a_terminal_gets_a_likely_column(journal_dir: Path) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "New Ann Film", year=2021, status="planned", creators=[ANN])
    out = run_in_terminal(["recommend"], {"NO_COLOR": None, "TERM": "xterm-256color"})
    assert "Your watchlist, by the score you would likely give" in out
    assert "Likely" in out and re.search(r"\d\.\d/10", out)


def test_a_tie_to_a_title_you_scored_is_named_with_its_score(
    invoke: Invoke, journal_dir: Path
) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "Paddington", year=2014, score=10)
    add(journal_dir, "Paddington 2", year=2017, status="planned")
    (result,), _ = watchlist_json(invoke)
    assert result["reasons"][0].startswith("you scored Paddington 10/10, same series (+")


def test_a_community_rating_moves_the_prediction_and_is_named(
    invoke: Invoke, journal_dir: Path
) -> None:
    # Scores that follow IMDb's ratings, so the fit trusts them.
    for n in range(24):
        rating = 5.0 + n * 0.15
        add(journal_dir, f"Film {n}", year=2000, score=round(rating * 2) / 2,
            community={"imdb": round(rating, 1), "imdb_votes": 1000 + n})  # fmt: skip
    add(journal_dir, "Acclaimed", year=2001, status="planned", community={"imdb": 8.5})
    add(journal_dir, "Panned", year=2001, status="planned", community={"imdb": 4.2})
    results, _ = watchlist_json(invoke)
    acclaimed, panned = results
    assert (acclaimed["slug"], panned["slug"]) == ("acclaimed-2001", "panned-2001")
    assert acclaimed["predicted"] > 7.5 and panned["predicted"] < 5.5
    assert acclaimed["reasons"][0].startswith("IMDb users rate it 8.5 (+")
    assert panned["reasons"][-1].startswith("IMDb users rate it 4.2 (-")


def test_a_title_without_a_community_rating_is_judged_on_your_scores_alone(
    invoke: Invoke, journal_dir: Path
) -> None:
    # IMDb rates horror as low as this person scores it, so among rated titles the rating says
    # it all; a horror title added by hand, without a rating, must still come out low.
    for n in range(12):
        add(journal_dir, f"Horror {n}", year=2000, score=3, tags=["horror"],
            community={"imdb": 5.0})  # fmt: skip
        add(journal_dir, f"Drama {n}", year=2000, score=8, tags=["drama"],
            community={"imdb": 7.5})  # fmt: skip
    add(journal_dir, "New Horror", year=2001, status="planned", tags=["horror"])
    add(journal_dir, "New Drama", year=2001, status="planned", tags=["drama"])
    results, _ = watchlist_json(invoke)
    drama, horror = results
    assert (drama["slug"], horror["slug"]) == ("new-drama-2001", "new-horror-2001")
    assert horror["predicted"] < 5 and drama["predicted"] > 6
    assert horror["reasons"][0].startswith("you score horror titles 3.0 on average (-")


def test_nothing_known_about_a_title_says_so(invoke: Invoke, journal_dir: Path) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "Mystery Box", status="planned")
    (result,), _ = watchlist_json(invoke)
    assert result["reasons"] == [
        "nothing in your journal says much about it yet: your mean score is 5.5"
    ]


# --- the fallback -----------------------------------------------------------------------------


def test_a_tiny_journal_falls_back_and_says_so(invoke: Invoke, journal_dir: Path) -> None:
    for n in range(MIN_SCORED - 1):
        add(journal_dir, f"Seen {n}", year=2000, score=9 if n % 2 else 4, creators=[f"Maker {n}"])
    add(journal_dir, "Planned", year=2001, status="planned", creators=["Maker 1"])
    results, stderr = watchlist_json(invoke)
    assert f"Fewer than {MIN_SCORED} scored titles" in stderr
    assert results[0]["predicted"] is None
    assert results[0]["reasons"] == ["like Seen 1 (9/10): shared creator: Maker 1"]
    # One more scored title and the order is by predicted score, without the note.
    add(journal_dir, "Seen more", year=2000, score=7)
    results, stderr = watchlist_json(invoke)
    assert "Fewer than" not in stderr
    assert isinstance(results[0]["predicted"], float)


# --- the index and the files agree ------------------------------------------------------------


def test_the_index_predicts_exactly_as_the_files_do(tmp_path: Path, journal_dir: Path) -> None:
    makers_journal(journal_dir)
    add(journal_dir, "Ann Sings", year=2022, status="planned", creators=[ANN], tags=["musical"])
    add(journal_dir, "Other Film 9", year=1999, status="planned", community={"imdb": 7.3})
    for n in range(3):
        # Ratings whose sums are not exact in binary: both sides must still agree.
        add(journal_dir, f"Rated Film {n}", year=1990 + n, score=6 + n, tags=["musical"],
            community={"imdb": 6.1 + n / 3})  # fmt: skip
    journal = Journal(journal_dir)
    files = watchlist(CatalogRelations(load_catalog(journal)), None)
    index = watchlist(IndexRelations(open_index(journal)), None)

    def summary(items: list[Any]) -> list[tuple[str, float, list[str]]]:
        return [(r.entry.slug, round(r.predicted, 9), r.reasons) for r in items]

    assert summary(index) == summary(files)
    assert len(files) == 2 and files[0].predicted != files[1].predicted


def test_without_the_index_sequels_with_punctuation_in_their_titles_are_one_series() -> None:
    titles = ["G.I. Joe: The Rise of Cobra", "G.I. Joe: Retaliation", "Salem's Lot",
              "Salem's Lot 2", "Amélie", "Unrelated"]  # fmt: skip
    entries = [entry_from_dict({"title": t}, make_slug(t)) for t in titles]
    relations = CatalogRelations(Catalog(entries))
    mates = {e.slug: relations.series_mates(e) for e in entries}
    assert mates["g-i-joe-the-rise-of-cobra"] == ["g-i-joe-retaliation"]
    assert mates["salems-lot"] == ["salems-lot-2"]
    assert mates["amelie"] == mates["unrelated"] == []


# --- the fit ----------------------------------------------------------------------------------


def test_the_fit_recovers_known_weights_and_keeps_them_at_zero_or_above() -> None:
    rows = [[x, (x * 7) % 5 - 2.0] for x in (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0)]
    targets = [2.0 * a + 0.5 * b for a, b in rows]
    assert ridge_fit(rows, targets, [0.0, 0.0], 1e-9) == pytest.approx([2.0, 0.5])
    # A term that goes against the scores is left out rather than given a negative weight.
    against = [2.0 * a - 0.5 * b for a, b in rows]
    weights = ridge_fit(rows, against, [0.0, 0.0], 1e-9)
    assert weights[1] == 0.0 and weights[0] > 0
    # With nothing to learn from, the weights stay where they started.
    assert ridge_fit([], [], [1.0, 0.5], 10.0) == pytest.approx([1.0, 0.5])


# --- community ratings in the file ------------------------------------------------------------


def test_community_ratings_are_read_written_and_kept_apart(journal_dir: Path) -> None:
    add(journal_dir, "The Matrix", year=1999, score=9.5,
        community={"imdb": 8.7, "imdb_votes": 2109000})  # fmt: skip
    path = journal_dir / "the-matrix-1999.toml"
    written = tomllib.loads(path.read_text())
    assert written["community"] == {"imdb": 8.7, "imdb_votes": 2109000}
    assert written["score"] == 9.5
    (entry,) = Journal(journal_dir).load_all().entries
    assert community_rating(entry) == 8.7
    # Written by hand, inline: read the same way.
    path.write_text('title = "The Matrix"\ncommunity = { imdb = 8, mal = 9.0 }\n')
    (entry,) = Journal(journal_dir).load_all().entries
    assert community_rating(entry) == 8.5


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("8.1", "community: must be a table like { imdb = 8.1, imdb_votes = 1002277 }"),
        ('{ imdb = "high" }', "community.imdb: must be a rating from 0 to 10 (got 'high')"),
        ("{ imdb = 11 }", "community.imdb: must be a rating from 0 to 10 (got 11)"),
        ("{ imdb = true }", "community.imdb: must be a rating from 0 to 10 (got True)"),
        ("{ imdb_votes = -3 }", "community.imdb_votes: must be a whole number of votes"),
        ("{ imdb_votes = 1.5 }", "community.imdb_votes: must be a whole number of votes"),
    ],
)
def test_a_bad_community_table_is_refused_naming_the_key(table: str, message: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        entry_from_dict(tomllib.loads(f'title = "X"\ncommunity = {table}\n'))
    assert message in str(caught.value)


RATINGS = """\
Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors
tt0133093,10,2020-01-02,The Matrix,https://www.imdb.com/title/tt0133093/,movie,{matrix},136,1999,"Action, Sci-Fi",{votes},1999-03-31,"Lana Wachowski, Lilly Wachowski"
tt0000001,6,2020-01-03,Odd Row,https://www.imdb.com/title/tt0000001/,movie,n/a,90,2000,Drama,lots,2000-01-01,Someone
"""


def test_import_keeps_imdbs_rating_and_a_newer_export_updates_it(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    export = tmp_path / "ratings.csv"
    export.write_text(RATINGS.format(matrix="8.7", votes="1900000"), encoding="utf-8")
    assert invoke("import", "imdb", str(export)).exit_code == 0
    path = journal_dir / "the-matrix-1999.toml"
    assert tomllib.loads(path.read_text())["community"] == {"imdb": 8.7, "imdb_votes": 1900000}
    # A cell that does not read costs only the community numbers, not the row.
    odd = tomllib.loads((journal_dir / "odd-row-2000.toml").read_text())
    assert odd["score"] == 6 and "community" not in odd
    # The same export again changes nothing.
    again = json.loads(invoke("import", "imdb", str(export), "--json").stdout)
    assert (again["created"], again["merged"], again["unchanged"]) == (0, 0, 2)
    # A rating the user added by hand to the table stays; a newer export's numbers replace the
    # old ones; the user's own score is never touched.
    text = path.read_text().replace("[community]\n", "[community]\nmal = 9.1\n")
    path.write_text(text.replace("score = 10", "score = 9.5"))
    export.write_text(RATINGS.format(matrix="8.8", votes="2100000"), encoding="utf-8")
    newer = json.loads(invoke("import", "imdb", str(export), "--json").stdout)
    (merged,) = [e for e in newer["entries"] if e["action"] == "merged"]
    assert merged["slug"] == "the-matrix-1999" and merged["changes"] == ["community"]
    written = tomllib.loads(path.read_text())
    assert written["community"] == {"mal": 9.1, "imdb": 8.8, "imdb_votes": 2100000}
    assert written["score"] == 9.5


def test_show_lists_the_community_ratings(invoke: Invoke, journal_dir: Path) -> None:
    add(journal_dir, "The Matrix", year=1999, score=9.5,
        community={"imdb": 8.7, "imdb_votes": 2109000, "mal": 9})  # fmt: skip
    result = invoke("show", "the matrix")
    assert result.exit_code == 0, result.stderr
    assert "Community: imdb 8.7 (2,109,000 votes), mal 9\n" in result.stdout


def test_imdbs_rating_is_kept_for_every_title_of_the_projects_export(
    invoke: Invoke, journal_dir: Path
) -> None:
    export = FIXTURES / "imdb" / "ratings.csv"
    assert invoke("import", "imdb", str(export)).exit_code == 0
    entries = {e.ids["imdb"]: e for e in Journal(journal_dir).load_all().entries}
    assert entries["tt0133093"].extra["community"] == {"imdb": 8.7, "imdb_votes": 1765432}
    assert all(community_rating(e) is not None for e in entries.values())


def test_the_real_imdb_export_keeps_a_rating_for_every_rated_title(real_exports: Path) -> None:
    from watchbook.importers.imdb import read_imdb

    records = read_imdb(real_exports / "imdb" / "ratings.csv").records
    rated = [r.entry for r in records if community_rating(r.entry) is not None]
    assert len(records) == 3086 and len(rated) >= 3000
    assert all(1 <= (community_rating(e) or 0) <= 10 for e in rated)
    assert all(e.extra["community"]["imdb_votes"] >= 0 for e in rated)


# --- the order before enough scores: dismissals and --limit ---------------------------------


def test_a_dismissed_link_does_not_decide_which_titles_a_short_watchlist_shows(
    invoke: Invoke, sample_journal: Path
) -> None:
    # Innocence's only ties with Ghost in the Shell are then its creators and series, both
    # dismissed: it was still picked for --limit 1 by the rough sum, ahead of Cloud Atlas.
    innocence = sample_journal / "ghost-in-the-shell-2-innocence-2004.toml"
    text = re.sub(r"(?m)^tags = .*$", 'tags = ["sequel"]', innocence.read_text())
    innocence.write_text(text)
    unlinked = invoke("unlink", "ghost-in-the-shell-2-innocence-2004", "ghost-in-the-shell-1995")
    assert unlinked.exit_code == 0, unlinked.stderr
    full, _ = watchlist_json(invoke)
    assert [r["slug"] for r in full][:1] == ["cloud-atlas-2012"]
    for limit in range(1, len(full) + 1):
        result = invoke("recommend", "--json", "--limit", str(limit))
        assert json.loads(result.stdout) == full[:limit], limit


def planned_corpus(folder: Path) -> Journal:
    """A generated journal with too few scores to fit: planned titles, some with notes."""
    import sys

    from tests.conftest import ROOT
    from watchbook.entry_file import dump_entry

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import make_entries

    entries = make_entries(60, seed=3, planned=45)
    seen = [e for e in entries if e.status != "planned"]
    planned = [e for e in entries if e.status == "planned"]
    for number, entry in enumerate(planned[::3]):
        # Notes of their own: review wording then counts, which the rough sum leaves out.
        entry.review = seen[number % len(seen)].review
    # And a dismissal between a planned title and a liked one sharing a creator.
    liked = max(seen, key=lambda e: e.score or 0)
    for entry in planned:
        if set(entry.creators) & set(liked.creators):
            entry.extra["unlinked"] = [liked.slug]
            break
    folder.mkdir()
    for entry in entries:
        (folder / f"{entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")
    return Journal(folder)


@pytest.mark.parametrize("which", ["sample", "quality", "corpus"])
def test_a_shorter_watchlist_is_the_start_of_a_longer_one(
    tmp_path: Path, journal_dir: Path, which: str
) -> None:
    from tests.conftest import SAMPLE_JOURNAL
    from watchbook.recommend.watchlist import affinity_watchlist

    if which == "corpus":
        journal = planned_corpus(journal_dir)
    else:
        original = SAMPLE_JOURNAL if which == "sample" else FIXTURES.parent / "recommend_quality"
        shutil.copytree(original, journal_dir, ignore=shutil.ignore_patterns(".watchbook"))
        # Every planned title unlinked from the liked title it shares most with.
        for path in sorted(journal_dir.glob("*.toml")):
            if 'status = "planned"' in path.read_text():
                path.write_text(path.read_text() + 'unlinked = ["' + LIKED[which] + '"]\n')
        journal = Journal(journal_dir)
    catalog = load_catalog(journal)
    for relations in (CatalogRelations(catalog), IndexRelations(open_index(journal))):
        planned = relations.planned()

        def shown(limit: int | None) -> list[tuple[str, float, list[str]]]:
            found = affinity_watchlist(relations, planned, limit)  # noqa: B023
            return [(r.entry.slug, round(r.relatedness or 0.0, 9), r.reasons) for r in found]

        full = shown(None)
        assert len(full) == len(planned)
        for limit in range(1, len(full) + 1):
            assert shown(limit) == full[:limit], (which, limit)


# The liked title each planned title of a journal is unlinked from in the test above.
LIKED = {"sample": "ghost-in-the-shell-1995", "quality": "the-matrix-1999"}


# --- rewatch ideas ----------------------------------------------------------------------------


def test_rewatch_ideas_are_watched_titles_only(invoke: Invoke, journal_dir: Path) -> None:
    # A dropped series scored 9 with no viewing came first, "no day of viewing recorded".
    add(journal_dir, "Loved Film", year=2000, score=9, watched=[dt.date(2015, 1, 1)])
    add(journal_dir, "Fine Film", year=2001, score=6, watched=[dt.date(2016, 1, 1)])
    add(journal_dir, "Okay Film", year=2002, score=5, watched=[dt.date(2017, 1, 1)])
    add(journal_dir, "Abandoned Show", year=2010, kind="series", status="dropped", score=9)
    add(journal_dir, "Halfway Show", year=2011, kind="series", status="watching", score=9.5)
    results = json.loads(invoke("recommend", "--json").stdout)
    assert [r["slug"] for r in results] == ["loved-film-2000"]
    journal = Journal(journal_dir)
    for relations in (CatalogRelations(load_catalog(journal)), IndexRelations(open_index(journal))):
        assert [r.entry.slug for r in rewatch_ideas(relations)] == ["loved-film-2000"]


def test_a_viewing_dated_in_the_future_is_not_seen_today(journal_dir: Path) -> None:
    add(journal_dir, "Future Seen", year=2000, score=9, watched=[dt.date(2030, 6, 1)])
    add(journal_dir, "Seen Yesterday", year=2001, score=9, watched=[dt.date(2026, 12, 4)])
    add(journal_dir, "Other", year=2002, score=3, watched=[dt.date(2020, 1, 1)])
    relations = CatalogRelations(load_catalog(Journal(journal_dir)))
    ideas = {r.entry.slug: r.reasons for r in rewatch_ideas(relations, today=dt.date(2026, 12, 5))}
    assert ideas["seen-yesterday-2001"] == [
        "rewatch idea: you scored it 9/10, last seen 2026-12-04 (1 day ago)"
    ]
    (reason,) = ideas["future-seen-2000"]
    assert "(today)" not in reason and " ago" not in reason
    assert reason == "rewatch idea: you scored it 9/10, a viewing dated 2030-06-01, still to come"


def test_the_taste_benchmark_copies_an_entry_whole() -> None:
    # benchmarks/taste_quality.py hides scores by copying entries: a copy that lost the
    # viewings (or failed, as when Entry took them under another name) would skew every figure.
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "taste_quality.py"
    spec = importlib.util.spec_from_file_location("taste_quality", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry = entry_from_dict(
        {"title": "X", "score": 7, "watched": [{"date": "2020-01-01", "score": 6}, "2021-02-02"]},
        "x",
    )
    assert module._copy(entry) == entry
