"""search: what a person types finds the entry; ranking; output; QUERY resolution for show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.test_links import show_json, write
from watchbook.entry import Entry
from watchbook.errors import Ambiguous, InvalidValue, NotFound
from watchbook.index.queries import search_journal
from watchbook.journal import Journal
from watchbook.matching import name_score, query_key
from watchbook.search import find_entry


def search(invoke: Invoke, *args: str) -> list[dict]:
    result = invoke("search", *args, "--json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def slugs(invoke: Invoke, *args: str) -> list[str]:
    return [hit["slug"] for hit in search(invoke, *args)]


@pytest.fixture
def extra_titles(sample_journal: Path) -> Path:
    """The sample journal plus titles the categories need: accents, a typo target, short ones."""
    write(sample_journal, "pokemon-the-first-movie-1998", title="Pokémon: The First Movie",
          year=1998, kind="movie", score=5)  # fmt: skip
    write(sample_journal, "neon-genesis-evangelion-1995", title="Neon Genesis Evangelion",
          year=1995, kind="series", score=9)  # fmt: skip
    write(sample_journal, "lobster-the-2015", title="Lobster, The", year=2015, kind="movie")
    for short in ("M", "Up", "Z", "It", "Us"):
        write(sample_journal, f"{short.lower()}-title", title=short, kind="movie", score=7)
    return sample_journal


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sidnoia", "knights-of-sidonia-2014"),  # typo
        ("evangelon", "neon-genesis-evangelion-1995"),  # typo
        ("blame", "blame-2017"),  # missing punctuation
        ("psychopass", "psycho-pass-2012"),  # missing punctuation, joined words
        ("POKEMON", "pokemon-the-first-movie-1998"),  # case and accents
        ("sidonia knights", "knights-of-sidonia-2014"),  # word order
        ("planet nine", "knights-of-sidonia-battle-for-planet-nine-2015"),  # part of a title
        ("knights of sid", "knights-of-sidonia-2014"),  # still typing
        ("the lobster", "lobster-the-2015"),  # library-style title, typed normally
        ("Matrix, The", "the-matrix-1999"),  # ... and the other way round
        ("shingeki no kyojin", "attack-on-titan-2013"),  # an alias
        ("kokaku kidotai", "ghost-in-the-shell-1995"),  # an accented alias
        ("tetsuro araki", "attack-on-titan-2013"),  # a creator, accents ignored
        ("rusted catwalks", "blame-2017"),  # a phrase from a review
        ("judges you before you act", "psycho-pass-2012"),  # words from a verdict
    ],
)
def test_search_finds_what_a_person_types(
    invoke: Invoke, extra_titles: Path, query: str, expected: str
) -> None:
    assert slugs(invoke, query)[0] == expected


def test_search_reports_which_field_matched(invoke: Invoke, extra_titles: Path) -> None:
    def match(query: str) -> dict:
        return search(invoke, query)[0]["match"]

    assert match("shingeki no kyojin") == {
        "field": "alias",
        "score": 100.0,
        "text": "Shingeki no Kyojin",
    }
    assert match("nihei")["field"] == "creator" and match("nihei")["text"] == "Tsutomu Nihei"
    assert match("rusted catwalks")["field"] == "review"
    assert match("Blame!")["field"] == "title"
    assert match("dystopia") == {"field": "tag", "score": 80.0, "text": "dystopia"}


def test_short_titles_do_not_flood_unrelated_queries(invoke: Invoke, extra_titles: Path) -> None:
    shorts = {"m-title", "up-title", "z-title", "it-title", "us-title"}
    for query in ("support group", "the matrix", "knights of sid", "summer", "mamoru oshii"):
        assert not shorts & set(slugs(invoke, query)), query
    # ... but typing the short title finds it first.
    assert slugs(invoke, "up")[0] == "up-title"
    assert slugs(invoke, "M")[0] == "m-title"


def test_a_creator_query_finds_every_entry_of_that_creator(
    invoke: Invoke, sample_journal: Path
) -> None:
    found = slugs(invoke, "nihei")
    assert set(found[:3]) == {
        "blame-2017",
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
    }
    # Equal matches: the higher score of yours first.
    assert found[:3] == [
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
        "blame-2017",
    ]


def test_title_ranks_above_review_and_exact_above_fuzzy(
    invoke: Invoke, sample_journal: Path
) -> None:
    # Knights of Sidonia is in Blame!'s review; the title match must come first.
    hits = search(invoke, "knights of sidonia")
    assert [h["slug"] for h in hits[:2]] == [
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
    ]
    review_hits = [h for h in hits if h["match"]["field"] == "review"]
    assert review_hits and all(h["match"]["score"] < hits[1]["match"]["score"] for h in review_hits)
    assert hits[0]["match"]["score"] == 100.0 > hits[1]["match"]["score"]


def test_ties_go_to_the_higher_score_then_the_latest_viewing(
    invoke: Invoke, sample_journal: Path
) -> None:
    write(sample_journal, "dune-1984", title="Dune", year=1984, score=5, watched=[])
    write(sample_journal, "dune-2021", title="Dune", year=2021, score=8)
    assert slugs(invoke, "dune")[:2] == ["dune-2021", "dune-1984"]
    import datetime as dt

    write(sample_journal, "heat-1995", title="Heat", year=1995, score=8,
          watched=[dt.date(2001, 1, 1)])  # fmt: skip
    write(sample_journal, "heat-2013", title="Heat", year=2013, score=8,
          watched=[dt.date(2020, 1, 1)])  # fmt: skip
    assert slugs(invoke, "heat")[:2] == ["heat-2013", "heat-1995"]


def test_filters(invoke: Invoke, sample_journal: Path) -> None:
    assert set(slugs(invoke, "cyberpunk", "--kind", "series")) == {"psycho-pass-2012"}
    assert set(slugs(invoke, "ghost", "--status", "planned")) == {
        "ghost-in-the-shell-2-innocence-2004"
    }
    assert slugs(invoke, "nihei", "--min-score", "7") == ["knights-of-sidonia-2014"]
    assert set(slugs(invoke, "polygon", "--tag", "MECHA")) == {
        "knights-of-sidonia-2014",
        "knights-of-sidonia-battle-for-planet-nine-2015",
    }
    assert len(slugs(invoke, "cyberpunk", "--limit", "2")) == 2
    bad = invoke("search", "x", "--kind", "opera")
    assert bad.exit_code == 2 and "--kind" in bad.stderr
    assert invoke("search", "x", "--limit", "0").exit_code == 2


def test_search_json_shape(invoke: Invoke, sample_journal: Path) -> None:
    hits = search(invoke, "sidnoia")
    assert set(hits[0]) >= {
        "slug", "title", "year", "kind", "status", "score", "verdict", "path", "match"
    }  # fmt: skip
    assert hits[0]["path"] == str(sample_journal / "knights-of-sidonia-2014.toml")
    assert set(hits[0]["match"]) >= {"field", "score"}


def test_no_hits_prints_nothing_or_an_empty_array_and_exits_1(
    invoke: Invoke, sample_journal: Path
) -> None:
    piped = invoke("search", "zzqqxx")
    assert piped.exit_code == 1 and piped.stdout == ""
    as_json = invoke("search", "zzqqxx", "--json")
    assert as_json.exit_code == 1 and json.loads(as_json.stdout) == []


@pytest.mark.parametrize("query", ["", "   ", "!!!", "?"])
def test_a_query_with_nothing_to_search_for_is_bad_input(
    invoke: Invoke, sample_journal: Path, query: str
) -> None:
    result = invoke("search", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: QUERY: must hold a letter or a digit to search for (got {query!r})\n"
    )


def test_piped_output_is_one_tab_separated_line_per_hit(
    invoke: Invoke, sample_journal: Path
) -> None:
    lines = invoke("search", "ghost in the shell").stdout.splitlines()
    fields = lines[0].split("\t")
    assert fields[:5] == ["ghost-in-the-shell-1995", "Ghost in the Shell", "1995", "movie", "9/10"]
    assert fields[6] == "title: Ghost in the Shell"
    assert all(len(line.split("\t")) == 7 for line in lines)


def test_search_on_a_journal_that_does_not_exist_yet(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("search", "anything")
    assert result.exit_code == 1 and result.stdout == ""
    assert not journal_dir.exists()


# --- the scorer -------------------------------------------------------------------------------


@pytest.mark.parametrize("short", ["m", "up", "z", "it"])
@pytest.mark.parametrize("query", ["support group", "matrix", "summer wars", "the iron giant"])
def test_a_short_name_scores_low_for_a_longer_unrelated_query(short: str, query: str) -> None:
    assert name_score(query_key(query), short) < 45


def test_scores_order_exact_prefix_and_typo() -> None:
    name = "knights of sidonia"
    exact = name_score("knights of sidonia", name)
    prefix = name_score("knights of sid", name)
    typo = name_score("knigths of sidonia", name)
    assert exact == 100 > prefix > typo > 80


# --- QUERY resolution (show, edit, rm) ----------------------------------------------------------


def test_find_entry_picks_a_clear_best_and_refuses_a_tie(sample_journal: Path) -> None:
    from watchbook.journal import Journal

    entries = Journal(sample_journal).load_all().entries
    assert (
        find_entry(entries, "planet nine").slug == "knights-of-sidonia-battle-for-planet-nine-2015"
    )
    assert find_entry(entries, "jupiter ascendng").slug == "jupiter-ascending-2015"
    # Both Sidonia titles hold the word equally well: the user must choose.
    with pytest.raises(Ambiguous) as tie:
        find_entry(entries, "sidonia")
    assert tie.value.candidates[0].startswith("Knights of Sidonia (2014)")
    with pytest.raises(NotFound) as missing:
        find_entry(entries, "Psycho Killers")
    assert missing.value.suggestions == ["Psycho-Pass (2012) [psycho-pass-2012]"]


def test_find_entry_scales_to_a_big_list() -> None:
    entries = [Entry(title=f"Film number {i}", slug=f"film-{i}", year=2000) for i in range(2000)]
    entries.append(Entry(title="Knights of Sidonia", slug="kos", year=2014))
    assert find_entry(entries, "knights of sidnoia").slug == "kos"


def test_search_journal_refuses_a_query_with_nothing_to_search_for(journal_dir: Path) -> None:
    with pytest.raises(InvalidValue, match="QUERY"):
        search_journal(Journal(journal_dir), "?!")
    assert not journal_dir.exists()  # refused before any index was made


# --- what the harder benchmark found (issue 17) -------------------------------------------------


@pytest.fixture
def harder_titles(sample_journal: Path) -> Path:
    """The sample journal plus titles joined by punctuation, with moved articles, possessives,
    sequels, and words that some titles hold whole and others only begin with."""
    for slug, title, year, score in [
        ("mr-nobody-2009", "Mr.Nobody", 2009, 6),
        ("johnny-nobody-1961", "Johnny Nobody", 1961, 9),
        ("little-nobody-1936", "Little Nobody", 1936, 9),
        ("gattopardo-il-1963", "Gattopardo, Il", 1963, 8),
        ("olvidados-los-1950", "Olvidados, Los", 1950, 8),
        ("sophies-choice-1982", "Sophie's Choice", 1982, 7),
        ("schindlers-list-1993", "Schindler's List", 1993, 9),
        ("ghosting-the", "Ghosting, The", None, 2),
        ("ghost-dad-1990", "Ghost Dad", 1990, 3),
        ("sea-ghost", "Sea Ghost", None, 4),
        ("rocky-ii", "Rocky II", None, 6),
        ("rocky-v", "Rocky V", None, 8),
        ("the-modern-ocean", "The Modern Ocean", None, 5),
        ("die-hard-1988", "Die Hard", 1988, 6),
        ("party-hard-die-young-2018", "Party Hard, Die Young", 2018, 9),
    ]:
        write(sample_journal, slug, title=title, year=year, kind="movie", score=score)
    return sample_journal


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nobody mr", "mr-nobody-2009"),  # parts joined by a dot are words of their own
        ("nobody", "mr-nobody-2009"),  # ... so its one word covers more of it
        ("mr nobody", "mr-nobody-2009"),
        ("mrnobody", "mr-nobody-2009"),
        ("il gat", "gattopardo-il-1963"),  # a moved article and a word being typed
        ("los olv", "olvidados-los-1950"),
        ("olvidados", "olvidados-los-1950"),
        ("sophe s chioce", "sophies-choice-1982"),  # two typos beside a short token
        ("shindlr s lsit", "schindlers-list-1993"),
        ("rocky 2", "rocky-ii"),  # a number written another way; 5 is not a typo of 2
        ("the modrenoecan", "the-modern-ocean"),  # only a whole-string comparison finds it
        ("hard die", "die-hard-1988"),  # its words in another order, not a longer name's phrase
    ],
)
def test_the_harder_cases_find_the_title(
    invoke: Invoke, harder_titles: Path, query: str, expected: str
) -> None:
    assert slugs(invoke, query)[:1] == [expected]


def test_titles_holding_a_word_whole_come_before_those_only_beginning_with_it(
    invoke: Invoke, harder_titles: Path
) -> None:
    found = slugs(invoke, "ghost")
    whole = {"ghost-dad-1990", "sea-ghost", "ghost-in-the-shell-1995",
             "ghost-in-the-shell-2-innocence-2004"}  # fmt: skip
    assert set(found[:4]) == whole
    assert found.index("ghosting-the") > 3


@pytest.mark.parametrize("query", ["zzqqxx", "qwxzvkj", "xkcdqp"])
def test_nonsense_still_finds_nothing(invoke: Invoke, harder_titles: Path, query: str) -> None:
    result = invoke("search", query)
    assert result.exit_code == 1 and result.stdout == ""


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Mission: Impossible – Dead Reckoning Part One", "Mission: Impossible – Dead Reckoning Part Two"),
        ("The Hunger Games: Mockingjay – Part One", "The Hunger Games: Mockingjay – Part Two"),
    ],
)  # fmt: skip
def test_titles_that_differ_in_a_number_word_are_not_duplicates(
    invoke: Invoke, journal_dir: Path, first: str, second: str
) -> None:
    assert invoke("add", first).exit_code == 0
    result = invoke("add", second)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Added {second}\n"
    assert result.stdout.strip().endswith(".toml")
    assert len(list(journal_dir.glob("*.toml"))) == 2


def test_a_number_word_and_its_digits_are_one_title(invoke: Invoke, journal_dir: Path) -> None:
    assert invoke("add", "Dead Reckoning Part One", "--year", "2023").exit_code == 0
    result = invoke("add", "Dead Reckoning Part 1", "--year", "2023")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: Dead Reckoning Part One (2023) is already in the")


@pytest.fixture
def remakes(sample_journal: Path) -> Path:
    """The sample journal with remakes, a numbered sequel and Turkish titles."""
    write(sample_journal, "dune-1984", title="Dune", year=1984, kind="movie", score=5)
    write(sample_journal, "dune-2021", title="Dune", year=2021, kind="movie", score=8)
    write(sample_journal, "blade-runner-1982", title="Blade Runner", year=1982, kind="movie")
    write(sample_journal, "blade-runner-2049-2017", title="Blade Runner 2049", year=2017)
    write(sample_journal, "alien-1979", title="Alien", year=1979, kind="movie", score=9)
    write(sample_journal, "aliens-1986", title="Aliens", year=1986, kind="movie", score=8)
    write(sample_journal, "alien3-1992", title="Alien³", year=1992, kind="movie", score=5)
    write(sample_journal, "kis-uykusu-2014", title="Kış Uykusu", year=2014, kind="movie")
    write(sample_journal, "istanbul-hatirasi-2005", title="İstanbul Hatırası", year=2005)
    return sample_journal


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Dune (1984)", "dune-1984"),  # the label watchbook prints
        ("dune 2021", "dune-2021"),
        ("Blade Runner 2049", "blade-runner-2049-2017"),  # a year that is part of a title
        ("alien 1979", "alien-1979"),
    ],
)
def test_search_takes_a_trailing_year_as_show_does(
    query: str, first: str, invoke: Invoke, remakes: Path
) -> None:
    assert slugs(invoke, query)[0] == first
    assert show_json(invoke, query)["slug"] == first


def test_a_superscript_number_is_a_sequel_number(invoke: Invoke, remakes: Path) -> None:
    assert slugs(invoke, "alien 3")[0] == "alien3-1992"
    assert show_json(invoke, "alien 3")["slug"] == "alien3-1992"
    related = invoke("recommend", "Alien", "--json")
    assert related.exit_code == 0, related.stderr
    reasons = {item["slug"]: " | ".join(item["reasons"]) for item in json.loads(related.stdout)}
    assert "same series" in reasons["alien3-1992"]


@pytest.mark.parametrize(
    ("query", "slug"),
    [("KIŞ UYKUSU", "kis-uykusu-2014"), ("kis uykusu", "kis-uykusu-2014"),
     ("İSTANBUL HATIRASI", "istanbul-hatirasi-2005"), ("istanbul hatirasi", "istanbul-hatirasi-2005")],
)  # fmt: skip
def test_turkish_titles_in_capitals_name_their_entry_exactly(
    query: str, slug: str, invoke: Invoke, remakes: Path
) -> None:
    result = invoke("show", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["slug"] == slug
    assert "Showing" not in result.stderr  # named exactly, not a guess


def test_a_huge_limit_is_no_crash(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("search", "blame", "--limit", str(2**61))
    assert result.exit_code == 0, result.stderr
    assert "Blame!" in result.stdout
