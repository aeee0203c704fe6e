"""recommend: each signal on its own, rarity weighting, reasons, the watchlist and its fallback."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_JOURNAL, Invoke, run_in_terminal
from watchbook.index.catalog import Catalog
from watchbook.index.store import load_catalog, open_index
from watchbook.journal import Journal, make_slug
from watchbook.recommend.evidence import combine, evidence_totals, rarity, scaled
from watchbook.recommend.indexed import IndexRelations
from watchbook.recommend.related import related
from watchbook.recommend.sources import CatalogRelations
from watchbook.recommend.watchlist import rewatch_ideas, watchlist
from watchbook.recommend.wording import ReviewWords
from watchbook.validation import entry_from_dict


def add(folder: Path, title: str, **fields: Any) -> str:
    """Write one entry file through the library and return its slug."""
    slug = make_slug(title, fields.get("year"))
    entry = entry_from_dict({"title": title, **fields}, slug)
    Journal(folder).create(entry)
    return slug


def recommend_json(invoke: Invoke, *args: str) -> list[dict[str, Any]]:
    result = invoke("recommend", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def slugs(results: list[dict[str, Any]]) -> list[str]:
    return [r["slug"] for r in results]


def by_slug(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["slug"]: r for r in results}


# --- the method's two formulas ----------------------------------------------------------------


def test_rarity_is_one_for_a_pair_and_zero_for_everyone() -> None:
    assert rarity(2, 100) == pytest.approx(1.0)
    assert rarity(100, 100) == pytest.approx(0.0)
    values = [rarity(n, 1000) for n in (2, 5, 30, 300, 1000)]
    assert values == sorted(values, reverse=True)


def test_evidence_combines_like_independent_chances() -> None:
    assert combine([]) == 0.0
    assert combine([0.5, 0.5]) == pytest.approx(0.75)
    assert combine([0.9]) < combine([0.9, 0.1]) < 1.0
    # The score scales evidence, so a near-certain tie keeps its lead over a weaker one.
    assert scaled(0.99, 0.8) > scaled(0.9, 1.0)
    assert scaled(0.5, 1.0) == pytest.approx(0.5)


# --- each signal on its own -------------------------------------------------------------------


def test_your_own_link_relates_entries_both_ways(invoke: Invoke, journal_dir: Path) -> None:
    add(journal_dir, "Paris, Texas", year=1984, score=8)
    add(
        journal_dir,
        "Wings of Desire",
        year=1987,
        score=9,
        links=[{"to": "paris-texas-1984", "why": "Wenders in two countries"}],
    )
    add(journal_dir, "Unrelated Film", year=2001, score=5)
    forward = recommend_json(invoke, "Wings of Desire")
    assert slugs(forward) == ["paris-texas-1984"]
    assert forward[0]["reasons"] == ["you linked them: Wenders in two countries"]
    backward = recommend_json(invoke, "Paris, Texas")
    assert slugs(backward) == ["wings-of-desire-1987"]
    assert backward[0]["reasons"] == ["you linked them: Wenders in two countries"]


def test_a_mention_in_a_review_relates_both_entries(invoke: Invoke, journal_dir: Path) -> None:
    add(journal_dir, "Stalker", year=1979, score=9)
    add(
        journal_dir,
        "Annihilation",
        year=2018,
        score=7,
        review="The shimmer owes a lot to Stalker and its zone.",
    )
    add(journal_dir, "Unrelated Film", year=2001, score=5)
    from_writer = recommend_json(invoke, "Annihilation")
    assert slugs(from_writer) == ["stalker-1979"]
    assert from_writer[0]["reasons"] == ["mentioned in Annihilation's review"]
    from_named = recommend_json(invoke, "Stalker")
    assert slugs(from_named) == ["annihilation-2018"]
    assert from_named[0]["reasons"] == ["its review mentions Stalker"]


def test_the_same_series_relates_entries(invoke: Invoke, journal_dir: Path) -> None:
    add(journal_dir, "Paddington", year=2014, score=8)
    add(journal_dir, "Paddington 2", year=2017, score=9)
    add(journal_dir, "Unrelated Film", year=2001, score=5)
    results = recommend_json(invoke, "Paddington")
    assert slugs(results) == ["paddington-2-2017"]
    assert results[0]["reasons"] == ["same series"]


def test_shared_creators_match_however_they_are_written(invoke: Invoke, journal_dir: Path) -> None:
    add(
        journal_dir,
        "First Show",
        year=2010,
        score=7,
        creators=["Production I.G", "Tetsurō Araki", "Polygon Pictures Inc."],
    )
    add(
        journal_dir,
        "Second Show",
        year=2012,
        score=7,
        creators=["Production IG", "Tetsuro Araki", "Polygon Pictures"],
    )
    add(journal_dir, "Unrelated Film", year=2001, score=5, creators=["Someone Else"])
    results = recommend_json(invoke, "First Show")
    assert slugs(results) == ["second-show-2012"]
    (reason,) = results[0]["reasons"]
    assert reason.startswith("shared creators: ")
    # Named as the queried entry writes them.
    assert set(reason.removeprefix("shared creators: ").split(", ")) == {
        "Production I.G",
        "Tetsurō Araki",
        "Polygon Pictures Inc.",
    }


def test_shared_tags_relate_entries_and_are_named(invoke: Invoke, journal_dir: Path) -> None:
    add(journal_dir, "Heat", year=1995, score=9, tags=["heist", "Los Angeles"])
    add(journal_dir, "Thief", year=1981, score=8, tags=["Heist", "los-angeles"])
    add(journal_dir, "Unrelated Film", year=2001, score=5, tags=["musical"])
    results = recommend_json(invoke, "Heat")
    assert slugs(results) == ["thief-1981"]
    assert results[0]["reasons"] == ["shared tags: heist, Los Angeles"]


def test_similar_review_wording_ranks_the_closer_review_first(
    invoke: Invoke, journal_dir: Path
) -> None:
    add(
        journal_dir,
        "Query Film",
        year=2000,
        score=7,
        tags=["drama"],
        review="Lighthouse keepers go mad with the foghorn, gulls and endless storms.",
    )
    add(
        journal_dir,
        "Close Review",
        year=2001,
        score=7,
        tags=["drama"],
        review="Another lighthouse, another keeper losing his mind to the foghorn.",
    )
    add(
        journal_dir,
        "Distant Review",
        year=2002,
        score=7,
        tags=["drama"],
        review="A cheerful wedding comedy with a brass band and a cake fight.",
    )
    for number in range(4):
        add(journal_dir, f"Filler {number}", year=1990 + number, review="A quiet family picnic.")
    results = recommend_json(invoke, "Query Film")
    assert slugs(results)[:2] == ["close-review-2001", "distant-review-2002"]
    close, distant = results[0], results[1]
    assert close["relatedness"] > distant["relatedness"]
    wording = [r for r in close["reasons"] if r.startswith("similar reviews: ")]
    assert wording, close["reasons"]
    assert {"lighthouse", "foghorn"} & set(wording[0].removeprefix("similar reviews: ").split(", "))
    assert not any(r.startswith("similar reviews") for r in distant["reasons"])


def test_the_candidates_score_orders_otherwise_equal_ties(
    invoke: Invoke, journal_dir: Path
) -> None:
    add(journal_dir, "Query Film", year=2000, score=7, tags=["noir"])
    add(journal_dir, "Liked One", year=2001, score=9, tags=["noir"])
    add(journal_dir, "Disliked One", year=2002, score=3, tags=["noir"])
    add(journal_dir, "Unrelated Film", year=2003, score=5, tags=["musical"])
    results = recommend_json(invoke, "Query Film")
    assert slugs(results) == ["liked-one-2001", "disliked-one-2002"]
    assert results[0]["relatedness"] > results[1]["relatedness"]
    assert results[0]["reasons"] == results[1]["reasons"]


# --- rarity (IDF) -----------------------------------------------------------------------------


def test_a_common_tag_ranks_below_a_rare_creator(invoke: Invoke, journal_dir: Path) -> None:
    add(journal_dir, "Query Film", year=2000, score=7, tags=["drama"], creators=["Rare Person"])
    add(journal_dir, "Common Tag", year=2001, score=7, tags=["drama"])
    add(journal_dir, "Rare Creator", year=2002, score=7, creators=["Rare Person"])
    for number in range(12):
        add(journal_dir, f"Other Drama {number}", year=1980 + number, score=7, tags=["drama"])
    results = recommend_json(invoke, "Query Film")
    assert results[0]["slug"] == "rare-creator-2002"
    assert results[0]["reasons"] == ["shared creator: Rare Person"]
    common = by_slug(results).get("common-tag-2001")
    assert common is None or common["relatedness"] < results[0]["relatedness"] / 3


def test_the_same_shared_tag_counts_less_the_more_entries_carry_it(tmp_path: Path) -> None:
    def relatedness(others_with_tag: int) -> float:
        folder = tmp_path / f"journal-{others_with_tag}"
        query = add(folder, "Query Film", year=2000, score=7, tags=["noir"])
        add(folder, "Partner", year=2001, score=7, tags=["noir"])
        for number in range(20):
            tags = ["noir"] if number < others_with_tag else ["other"]
            add(folder, f"Filler {number}", year=1970 + number, score=7, tags=tags)
        entries = Journal(folder).load_all().entries
        source = CatalogRelations(Catalog(entries))
        found = {r.entry.slug: r.relatedness for r in related(source, source.load([query])[query])}
        return found.get("partner-2001") or 0.0

    rare, some, common = relatedness(0), relatedness(5), relatedness(20)
    assert rare > some > common


# --- reasons, output and edge cases -----------------------------------------------------------


def test_sample_journal_blame_puts_both_knights_of_sidonia_first(
    invoke: Invoke, sample_journal: Path
) -> None:
    results = recommend_json(invoke, "Blame!")
    assert set(slugs(results)[:2]) == {
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
    }
    first = by_slug(results)["knights-of-sidonia-2014"]["reasons"]
    assert "you linked them: same studio and manga author" in first
    assert "mentioned in Blame!'s review" in first
    creators = next(r for r in first if r.startswith("shared creators: "))
    assert {"Polygon Pictures", "Tsutomu Nihei"} <= set(creators.split(": ")[1].split(", "))
    assert all(0.0 <= r["relatedness"] <= 1.0 for r in results)
    values = [r["relatedness"] for r in results]
    assert values == sorted(values, reverse=True)


def test_sample_journal_the_matrix_finds_jupiter_ascending(
    invoke: Invoke, sample_journal: Path
) -> None:
    results = by_slug(recommend_json(invoke, "The Matrix"))
    reasons = results["jupiter-ascending-2015"]["reasons"]
    creators = next(r for r in reasons if r.startswith("shared creators: "))
    assert {"Lana Wachowski", "Lilly Wachowski"} <= set(creators.split(": ")[1].split(", "))


def test_sample_journal_ghost_in_the_shell_finds_psycho_pass(
    invoke: Invoke, sample_journal: Path
) -> None:
    results = by_slug(recommend_json(invoke, "Ghost in the Shell"))
    reasons = results["psycho-pass-2012"]["reasons"]
    assert "shared creator: Production I.G" in reasons
    assert "its review mentions Ghost in the Shell" in reasons


def test_json_objects_carry_every_documented_field(invoke: Invoke, sample_journal: Path) -> None:
    results = recommend_json(invoke, "Blame!", "--limit", "2")
    assert len(results) == 2
    for item in results:
        assert {
            "slug",
            "title",
            "year",
            "kind",
            "status",
            "score",
            "relatedness",
            "reasons",
        } <= set(item)
        assert item["mode"] == "related"
        assert isinstance(item["reasons"], list) and item["reasons"]


def test_piped_output_is_one_tab_separated_line_per_result(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("recommend", "The Matrix", "--limit", "3")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    fields = [line.split("\t") for line in lines]
    assert all(len(f) == 8 for f in fields)
    assert fields[0][0] == "jupiter-ascending-2015"
    assert float(fields[0][6]) >= float(fields[1][6]) >= float(fields[2][6])
    assert "shared creators: " in fields[0][7]


def test_an_entry_with_no_relations_says_so_and_exits_zero(
    invoke: Invoke, journal_dir: Path
) -> None:
    add(journal_dir, "Lonely Film", year=1999, score=6, tags=["unique"], creators=["Nobody"])
    add(journal_dir, "Other Film", year=2005, score=8, tags=["different"], creators=["Somebody"])
    plain = invoke("recommend", "Lonely Film")
    assert plain.exit_code == 0
    assert plain.stdout == ""
    assert "Nothing related to Lonely Film (1999) yet" in plain.stderr
    as_json = invoke("recommend", "Lonely Film", "--json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) == []
    assert "Nothing related" in as_json.stderr


def test_an_unknown_query_is_not_found(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("recommend", "Completely Unknown Title")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No entry")


def test_a_dismissed_link_no_longer_counts(invoke: Invoke, sample_journal: Path) -> None:
    before = by_slug(recommend_json(invoke, "Blame!"))
    assert "ajin-demi-human-2016" in before
    dismissed = invoke("unlink", "Blame!", "Ajin")
    assert dismissed.exit_code == 0, dismissed.stderr
    after = by_slug(recommend_json(invoke, "Blame!"))
    ajin = after.get("ajin-demi-human-2016")
    assert ajin is None or not any("creator" in r for r in ajin["reasons"])
    assert "knights-of-sidonia-2014" in after


# --- watchlist mode ---------------------------------------------------------------------------


def taste_journal(folder: Path) -> None:
    add(folder, "Loved Film", year=2001, score=9, creators=["Ann Director"], tags=["western"],
        watched=[dt.date(2010, 1, 1)])  # fmt: skip
    add(folder, "Hated Film", year=2002, score=3, creators=["Bob Maker"], tags=["musical"],
        watched=[dt.date(2011, 1, 1)])  # fmt: skip
    add(folder, "Fine Film", year=2003, score=6, watched=[dt.date(2012, 1, 1)])
    add(folder, "Good Film", year=2004, score=7, watched=[dt.date(2013, 1, 1)])
    add(folder, "By Ann", year=2020, status="planned", creators=["Ann Director"])
    add(folder, "Western Too", year=2021, status="planned", tags=["western"])
    add(folder, "By Bob", year=2022, status="planned", creators=["Bob Maker"])
    add(folder, "Stranger", year=2023, status="planned", tags=["documentary"])


def test_watchlist_puts_what_matches_your_favourites_first(
    invoke: Invoke, journal_dir: Path
) -> None:
    taste_journal(journal_dir)
    results = recommend_json(invoke)
    assert [r["mode"] for r in results] == ["watchlist"] * 4
    assert slugs(results)[:2] == ["by-ann-2020", "western-too-2021"]
    assert results[0]["reasons"] == ["like Loved Film (9/10): shared creator: Ann Director"]
    assert results[1]["reasons"] == ["like Loved Film (9/10): shared tag: western"]
    # Sharing a maker with a film you disliked earns nothing.
    tail = by_slug(results)
    assert tail["by-bob-2022"]["relatedness"] == 0
    assert tail["stranger-2023"]["relatedness"] == 0
    assert tail["stranger-2023"]["reasons"] == [
        "nothing in common yet with the titles you scored highest"
    ]


def test_watchlist_table_when_piped_and_limit(invoke: Invoke, journal_dir: Path) -> None:
    taste_journal(journal_dir)
    result = invoke("recommend", "--limit", "1")
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.split("\t")[0] == "by-ann-2020"
    assert "like Loved Film (9/10)" in line


def test_no_watchlist_gives_rewatch_ideas_clearly_labelled(
    invoke: Invoke, journal_dir: Path
) -> None:
    add(journal_dir, "Old Favourite", year=1990, score=9, watched=[dt.date(2005, 5, 5)])
    add(journal_dir, "Recent Favourite", year=1995, score=9.5, watched=[dt.date(2023, 1, 1)])
    add(journal_dir, "Middling", year=1996, score=6, watched=[dt.date(2001, 1, 1)])
    add(journal_dir, "Poor", year=1997, score=3, watched=[dt.date(2000, 1, 1)])
    add(journal_dir, "Decent", year=1998, score=7, watched=[dt.date(2002, 1, 1)])
    result = invoke("recommend", "--json")
    assert result.exit_code == 0, result.stderr
    assert "Nothing planned" in result.stderr and "Rewatch ideas" in result.stderr
    ideas = json.loads(result.stdout)
    assert slugs(ideas) == ["old-favourite-1990", "recent-favourite-1995"]
    for idea in ideas:
        assert idea["mode"] == "rewatch"
        assert idea["relatedness"] is None
        assert idea["reasons"][0].startswith("rewatch idea: ")
    assert "last seen 2005-05-05" in ideas[0]["reasons"][0]


def test_an_empty_journal_has_nothing_to_suggest(invoke: Invoke, journal_dir: Path) -> None:
    journal_dir.mkdir()
    result = invoke("recommend", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "Nothing to suggest yet" in result.stderr


def test_library_watchlist_and_rewatch_on_the_sample(sample_journal: Path) -> None:
    entries = Journal(sample_journal).load_all().entries
    source = CatalogRelations(Catalog(entries))
    ordered = [r.entry.slug for r in watchlist(source)]
    assert ordered[0] == "ghost-in-the-shell-2-innocence-2004"
    assert set(ordered) == {e.slug for e in entries if e.status == "planned"}
    ideas = rewatch_ideas(source, today=dt.date(2025, 1, 1))
    assert [r.entry.slug for r in ideas] == ["ghost-in-the-shell-1995", "the-matrix-1999"]
    assert ideas[0].reasons == [
        "rewatch idea: you scored it 9/10, last seen 2019-06-01 (5 years ago)"
    ]


# --- the index and the files agree -----------------------------------------------------------


QUALITY_JOURNAL = Path(__file__).resolve().parent / "recommend_quality"


def both_sources(
    tmp_path: Path, original: Path
) -> tuple[Catalog, CatalogRelations, IndexRelations]:
    """A copy of a journal, with a dismissal and hand-written links, read from files and index."""
    folder = tmp_path / "journal"
    shutil.copytree(original, folder, ignore=shutil.ignore_patterns(".watchbook"))
    first, second, third = sorted(folder.glob("*.toml"))[:3]
    first.write_text(first.read_text() + f'unlinked = ["{second.stem}"]\n')
    second.write_text(second.read_text() + f'\n[[links]]\nto = "{first.stem}"\nwhy = "test"\n')
    # Two links between the same pair, one each way: still one piece of evidence.
    for a, b in ((second, third), (third, second)):
        a.write_text(a.read_text() + f'\n[[links]]\nto = "{b.stem}"\nwhy = "pair"\n')
    journal = Journal(folder)
    catalog = load_catalog(journal)
    return catalog, CatalogRelations(catalog), IndexRelations(open_index(journal))


@pytest.mark.parametrize("original", [SAMPLE_JOURNAL, QUALITY_JOURNAL], ids=["sample", "quality"])
def test_the_index_answers_exactly_as_the_files_do(tmp_path: Path, original: Path) -> None:
    catalog, files, index = both_sources(tmp_path, original)

    def summary(items: list[Any]) -> list[tuple[str, float | None, list[str]]]:
        return [
            (r.entry.slug, None if r.relatedness is None else round(r.relatedness, 9), r.reasons)
            for r in items
        ]

    for entry in catalog.entries:
        assert index.resolve(entry.title).chosen().slug == entry.slug
        assert summary(related(index, entry, 20)) == (summary(related(files, entry, 20)))
    assert summary(watchlist(index, None)) == summary(watchlist(files, None))
    today = dt.date(2025, 1, 1)
    assert summary(rewatch_ideas(index, None, today)) == summary(rewatch_ideas(files, None, today))


@pytest.mark.parametrize("original", [SAMPLE_JOURNAL, QUALITY_JOURNAL], ids=["sample", "quality"])
def test_the_watchlists_shortcuts_through_the_index_agree_with_the_files(
    tmp_path: Path, original: Path
) -> None:
    # The index reads liked entries, tag holders and link evidence its own way for the watchlist;
    # every entry is asked about, as if all were planned.
    catalog, files, index = both_sources(tmp_path, original)
    liked = files.liked()
    assert liked and index.liked() == liked
    assert sorted(index.liked_runs()) == sorted(files.liked_runs())
    slugs = [e.slug for e in catalog.entries]
    from_files = files.taste_links(slugs, liked)
    from_index = index.taste_links(slugs, liked)
    assert from_index.keys() == from_files.keys()
    for slug in slugs:
        assert from_index[slug] == pytest.approx(from_files[slug]), slug
    assert any(from_files.values())
    features = {
        (kind, key)
        for e in catalog.entries
        for kind, keys in (("tag", files.features(e).tags), ("creator", files.features(e).creators))
        for key in keys
    }
    for kind, key in features:
        assert index.liked_holders(kind, key, liked) == files.liked_holders(kind, key, liked)
        assert index.holder_count(kind, key) == files.holder_count(kind, key)
    assert any(index.liked_holders(kind, key, liked) for kind, key in features)


def write_corpus(journal_dir: Path, count: int, seed: int) -> Journal:
    """A generated journal (benchmarks/corpus.py), with some series under way."""
    import sys

    from tests.conftest import ROOT
    from watchbook.entry_file import dump_entry
    from watchbook.progress import Progress

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from corpus import make_entries

    journal_dir.mkdir()
    for number, entry in enumerate(make_entries(count, seed=seed)):
        if entry.status == "watching" and number % 3:
            # A run under way, the last episode seen on a day of its own.
            entry.kind, entry.episodes = "series", 24
            entry.progress = Progress(1 + number % 20, dt.date(2024, 1, 1) + dt.timedelta(number))
        (journal_dir / f"{entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")
    return Journal(journal_dir)


def test_the_index_finds_the_liked_runs_under_way_as_the_files_do(journal_dir: Path) -> None:
    # The index reads them from the middle score and one query, not from every entry's score.
    from watchbook.recommend.continuing import continuing

    journal = write_corpus(journal_dir, 400, seed=8)
    catalog = load_catalog(journal)
    files, index = CatalogRelations(catalog), IndexRelations(open_index(journal))
    runs = set(files.liked_runs())
    under_way = {e.slug for e in catalog.entries if e.slug in runs and e.progress is not None}
    # The index leaves out the liked runs with no episode seen: nothing to continue there.
    assert under_way and runs - under_way and sorted(index.liked_runs()) == sorted(under_way)
    going = [r.entry.slug for r in continuing(files, None)]
    assert going and [r.entry.slug for r in continuing(index, None)] == going


def test_the_index_picks_the_same_candidates_as_the_files_where_many_tie(journal_dir: Path) -> None:
    # The index adds evidence up by row id and names only the candidates that can make the cut;
    # hundreds share a common tag and tie, which the slug order decides, as from the files.
    journal = write_corpus(journal_dir, 600, seed=9)
    catalog = load_catalog(journal)
    files, index = CatalogRelations(catalog), IndexRelations(open_index(journal))
    anchors = [e for e in catalog.entries if e.tags][::20]
    ties_at_the_cut = 0
    for anchor in anchors:
        features = files.features(anchor)
        links = files.links_by_other(anchor.slug)
        mates = files.series_mates(anchor)
        from_files = files.rough_candidates(anchor, features, links, mates, 12)
        assert len(from_files) == 12
        assert index.rough_candidates(anchor, features, links, mates, 12) == from_files
        values = evidence_totals(files, features, files.holders, links, mates)
        values.pop(anchor.slug, None)
        cut = values[from_files[-1]]
        ties_at_the_cut += sum(1 for value in values.values() if value == cut) > 1
    assert ties_at_the_cut >= len(anchors) // 2


# --- a real terminal --------------------------------------------------------------------------


def test_a_terminal_gets_a_table_with_relatedness(sample_journal: Path) -> None:
    out = run_in_terminal(["recommend", "Blame!"], {"NO_COLOR": None, "TERM": "xterm-256color"})
    assert "Related to Blame! (2017)" in out
    assert "Related" in out and "Why" in out
    assert "Knights of Sidonia" in out
    assert set("│━") & set(out)


def test_review_similarity_is_the_cosine_of_the_tf_idf_vectors() -> None:
    # Written out the long way: a's words at their own rarity, b's other words at the
    # root-mean-square rarity of a's words, (1 + ln count) for repeated words.
    import math

    held_by = {"tunnels": 1, "megastructure": 2, "silent": 9, "cyborg": 4, "rusted": 3}
    words = ReviewWords(10, lambda asked: {w: held_by[w] for w in asked if w in held_by})
    a = entry_from_dict(
        {"title": "A", "review": "Silent tunnels, silent cyborg, megastructure."}, "a"
    )
    b = entry_from_dict(
        {"title": "B", "review": "A cyborg in rusted tunnels; tunnels everywhere, stairs."}, "b"
    )
    counts_a = {"silent": 2, "tunnels": 1, "cyborg": 1, "megastructure": 1}
    counts_b = {"cyborg": 1, "rusted": 1, "tunnels": 2, "everywhere": 1, "stairs": 1}
    own = {w: math.log(11 / (held_by.get(w, 1) + 0.5)) for w in counts_a}
    typical = math.sqrt(sum(r * r for r in own.values()) / len(own))
    vec_a = {w: (1 + math.log(n)) * own[w] for w, n in counts_a.items()}
    vec_b = {w: (1 + math.log(n)) * own.get(w, typical) for w, n in counts_b.items()}
    dot = sum(vec_a[w] * vec_b[w] for w in vec_a.keys() & vec_b.keys())
    expected = (
        dot
        / math.sqrt(sum(v * v for v in vec_a.values()))
        / math.sqrt(sum(v * v for v in vec_b.values()))
    )

    cosine, top = words.similarity(a, b)

    assert cosine == pytest.approx(expected, rel=1e-9)
    assert 0 < cosine < 1
    # The rarer shared word, repeated in b, weighs most.
    assert top == ["tunnels", "cyborg"]
    assert words.similarity(a, a)[0] == pytest.approx(1.0)
    assert (
        words.similarity(a, entry_from_dict({"title": "C", "review": "Nothing alike."}, "c"))[0]
        == 0.0
    )


def test_the_small_statistics_agree_with_the_statistics_module() -> None:
    import random
    import statistics

    from watchbook.recommend.evidence import _mean, _median, _upper_quartile

    draw = random.Random(7)
    for size in range(1, 40):
        scores = [draw.choice([1.0, 3.0, 5.0, 5.5, 6.0, 7.5, 8.0, 9.0, 10.0]) for _ in range(size)]
        expected = (
            statistics.quantiles(scores, n=4, method="inclusive")[2] if size > 1 else scores[0]
        )
        assert _upper_quartile(scores) == pytest.approx(expected)
        assert _median(scores) == statistics.median(scores)
        assert _mean(scores) == pytest.approx(statistics.fmean(scores))


def test_rewatch_ideas_include_watched_titles_with_no_day_recorded(
    invoke: Invoke, journal_dir: Path
) -> None:
    # `watched` may be left out of a watched entry: such a journal got "Nothing to suggest yet:
    # ... score what you have watched", though every title was scored.
    journal_dir.mkdir(parents=True, exist_ok=True)
    for number, score in enumerate([4, 5, 6, 7, 8, 9], start=1):
        (journal_dir / f"film-{number}.toml").write_text(
            f'title = "Film {number}"\nyear = 2000\nkind = "movie"\nscore = {score}\n',
            encoding="utf-8",
        )
    result = invoke("recommend", "--json")
    assert result.exit_code == 0, result.stderr
    ideas = json.loads(result.stdout)
    assert [idea["slug"] for idea in ideas] == ["film-6", "film-5"]
    assert ideas[0]["reasons"] == ["rewatch idea: you scored it 9/10, no day of viewing recorded"]


# --- review wording reads the words, not the link addresses -------------------------------------


def test_review_words_leave_out_link_addresses_and_keep_the_link_text() -> None:
    from watchbook.recommend.wording import review_words

    review = (
        '[Al Pacino](https://letterboxd.com/actor/al-pacino/ "Pacino") shouts; '
        "![Poster](https://a.ltrbxd.com/poster.jpg) <https://example.org/heat/diner>, "
        "https://www.imdb.com/title/tt0113277/ (www.example.com/heat-page) "
        "[Val Kilmer](https://en.wikipedia.org/wiki/Heat_(1995_film)) and [the diner][1].\n"
        "\n"
        '[1]: https://letterboxd.com/film/heat-1995/ "Heat"\n'
    )
    assert review_words(review) == {
        "pacino": 1, "shouts": 1, "poster": 1, "val": 1, "kilmer": 1, "diner": 1
    }  # fmt: skip


def test_link_addresses_in_two_reviews_do_not_make_them_similar(
    invoke: Invoke, sample_journal: Path
) -> None:
    # Each review names an actor with a Letterboxd link: "similar reviews: actor, https,
    # letterboxdcom" came from the addresses alone.
    add(sample_journal, "Heat", year=1995, score=9, tags=["crime"], review=(
        "The diner scene is perfect. [Pacino](https://letterboxd.com/actor/al-pacino/) shouts."
    ))  # fmt: skip
    add(sample_journal, "Paddington 2", year=2017, score=8, tags=["crime"], review=(
        "Marmalade in prison! [Hugh Grant](https://letterboxd.com/actor/hugh-grant/) steals it."
    ))  # fmt: skip
    found = by_slug(recommend_json(invoke, "heat-1995"))
    assert found["paddington-2-2017"]["reasons"] == ["shared tag: crime"]
    # Read from the index or from the files, the same answer.
    journal = Journal(sample_journal)
    catalog = load_catalog(journal)
    heat = catalog.get("heat-1995")
    files, index = CatalogRelations(catalog), IndexRelations(open_index(journal))
    assert [(r.entry.slug, r.relatedness, r.reasons) for r in related(index, heat)] == [
        (r.entry.slug, r.relatedness, r.reasons) for r in related(files, heat)
    ]
