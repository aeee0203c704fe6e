"""Derived links (mentions, same series, shared creators), show's links and backlinks, link/unlink."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook.entry import Entry
from watchbook.entry_file import dump_entry
from watchbook.links import (
    CREATORS,
    MENTION,
    SERIES,
    MentionFinder,
    creator_rows,
    derive_all,
    mention_keys,
    merge_rows,
    series_rows,
)
from watchbook.text import creator_key, series_key


def finder(*titles: str) -> MentionFinder:
    """A mention finder over entries with these titles (slug = title)."""
    return MentionFinder.from_keys(k for t in titles for k in mention_keys(Entry(title=t, slug=t)))


def write(journal: Path, slug: str, **fields: object) -> Path:
    """Write an entry file by hand, the way a user (or their editor) would."""
    journal.mkdir(exist_ok=True)
    entry = Entry(slug=slug, **fields)  # type: ignore[arg-type]
    path = journal / f"{slug}.toml"
    path.write_text(dump_entry(entry), encoding="utf-8")
    return path


def show_json(invoke: Invoke, query: str) -> dict:
    result = invoke("show", query, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


# --- mentions ---------------------------------------------------------------------------------


def test_review_mentions_become_derived_links(invoke: Invoke, sample_journal: Path) -> None:
    links = show_json(invoke, "blame-2017")["links"]
    derived = {k["to"]: k["why"] for k in links if k["derived"]}
    for target in ("knights-of-sidonia-2014", "the-matrix-1999", "ghost-in-the-shell-1995"):
        assert "mentioned in the review" in derived[target].split("; ")
    assert "cloud-atlas-2012" not in derived


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I could not support it.", False),  # 'up' inside a word
        ("I gave up halfway.", False),  # the everyday word, not the title
        ("Up close, it is prettier.", False),  # a capital only because a sentence starts
        ("Better than Up, honestly.", True),
        ("We watched Up again.", True),
    ],
)
def test_short_title_needs_word_boundaries_and_its_own_spelling(text: str, found: bool) -> None:
    assert (finder("Up").find(text) == {"Up"}) is found


@pytest.mark.parametrize(
    ("title", "text", "found"),
    [
        # A one-word name opening a sentence or a line: the capital says nothing.
        ("Maybe", "A fun whodunit. Maybe not as cute as it wants to be.", False),
        ("Maybe", "A fun whodunit.  Maybe not as cute as it wants to be.", False),
        ("Maybe", "I said:\n\n> Maybe next time.", False),
        ("Maybe", "- Maybe later\n- Never", False),
        ("Maybe", "It is no Maybe, but close.", True),
        # A title styled in lower case is named with a capital in running text.
        ("if....", "If only it were shorter; if it were, I would rewatch it.", False),
        ("if....", "Anderson's If.... did this better.", True),
        # Longer names need a capital on a real word when the review uses capitals at all.
        ("Do the Right Thing", "He never seems to do the right thing. A pity.", False),
        ("Do the Right Thing", "It owes a lot to Do the Right Thing.", True),
        ("Do the Right Thing", "it owes a lot to do the right thing, honestly", True),
        ("The House", "Buying the house is the whole plot. I loved it.", False),
        ("The House", "The House is a better comedy.", True),
        # Apostrophes and dots inside a word join it.
        ("Don", "Honestly, I Don't know.", False),
        ("Don", "Better than Don, the 2006 one.", True),
        ("S.W.A.T.", "We watched S.W.A.T. again.", True),
        # An article dropped from a two-word title leaves too common a word.
        ("The Road", "As loud as Fury Road, and I mean it.", False),
        ("The Texas Chainsaw Massacre", "Better than Texas Chainsaw Massacre.", True),
        # A quotation opening with the word is a sentence opening, unless it quotes the title.
        ("if....", 'He asked: "If you needed help, who would you call?"', False),
        ("Up", 'I loved "Up" as a kid.', True),
        ("Up", "I loved “Up”, honestly.", True),
        # A capitalised word beside a one-word name makes it part of a longer name ...
        ("Big", "It was a TCM Big Screen showing.", False),
        ("Noah", "They make the ones in Noah Baumbach's films likeable.", False),
        ("Devil", "Our lads Devil-Fire and Viper see a ghost.", False),
        ("M", "Then some peanut M&Ms and the film.", False),
        ("Akira", "A homage to Kurosawa Akira, of course.", False),
        ("Hell", "His High and Low (Heaven & Hell) is better.", False),
        # ... but not a possessive, a lower-case word, "I", or a word opening the sentence.
        ("Alien", "Ridley Scott's Alien still works.", True),
        ("Alien", "An Alien-like creature, then nothing.", True),
        ("Alien", "After Alien I needed a walk.", True),
        ("Alien", "Watching Alien again, I noticed the cat.", True),
        ("Big", "I loved Big as a kid.", True),
    ],
)
def test_capitals_decide_whether_common_words_name_a_title(
    title: str, text: str, found: bool
) -> None:
    assert (finder(title).find(text) == {title}) is found


def test_a_letterboxd_film_link_names_the_film_of_its_address() -> None:
    titles = ("Alien: Covenant", "Prometheus", "Dune", "The Road", "Mad Max: Fury Road")
    text = (
        "Then [the prequel](https://letterboxd.com/film/prometheus/) and "
        "[Covenant](https://letterboxd.com/film/alien-covenant/), and "
        "https://letterboxd.com/someone/film/dune-2021/ (the year tells remakes apart)."
    )
    assert finder(*titles).find(text) == {"Alien: Covenant", "Prometheus", "Dune"}
    # The whole address must be a title: mad-max-fury-road is not The Road.
    road = "See https://letterboxd.com/film/mad-max-fury-road/ for more."
    assert finder("The Road").find(road) == set()
    assert finder(*titles).find(road) == {"Mad Max: Fury Road"}


def test_mentions_ignore_case_punctuation_and_accents_for_long_titles() -> None:
    titles = ("Knights of Sidonia", "Pokémon: The First Movie", "Psycho-Pass")
    found = finder(*titles).find("like knights of SIDONIA, pokemon the first movie and psycho pass")
    assert found == set(titles)


@pytest.mark.parametrize(
    ("title", "text", "found"),
    [
        # Written as one word, as search accepts it, with the care one-word names get.
        ("Psycho-Pass", "I liked Psychopass more than its sequel.", True),
        ("Psycho-Pass", "I liked PsychoPass more than its sequel.", True),
        ("Psycho-Pass", "Psychopass opens with a chase.", False),
        ("Psycho-Pass", "I liked psychopass more than its sequel.", False),
        ("Psycho-Pass", "A Psychopass Fan Club meeting.", False),
        ("Spider-Man", "Nothing like Spiderman, sadly.", True),
        # Parts joined by a dot, written apart.
        ("Mr.Nobody", "It reminded me of Mr. Nobody, though less wild.", True),
        ("Mr.Nobody", "It reminded me of Mr Nobody, though less wild.", True),
        ("Mr.Nobody", "It reminded me of MrNobody, though less wild.", True),
    ],
)
def test_names_joined_by_marks_are_found_written_apart_or_as_one_word(
    title: str, text: str, found: bool
) -> None:
    assert (finder(title).find(text) == {title}) is found


def test_a_review_writing_a_title_as_one_word_links_it(
    invoke: Invoke, sample_journal: Path
) -> None:
    write(sample_journal, "minority-report-2002", title="Minority Report", year=2002,
          review="A precrime story; Psychopass took the idea further.")  # fmt: skip
    links = show_json(invoke, "minority-report-2002")["links"]
    assert {"to": "psycho-pass-2012", "why": "mentioned in the review", "derived": True} in links


def test_a_small_typo_matches_a_long_title_but_not_a_short_one() -> None:
    assert finder("Knights of Sidonia").find("as in Knights of Sidnoia") == {"Knights of Sidonia"}
    assert finder("Blame!").find("unlike Blmae it drags") == set()
    # Two typos are too many.
    assert finder("Knights of Sidonia").find("as in Knigths of Sidnoia") == set()


def test_a_longer_title_wins_over_the_shorter_one_it_contains() -> None:
    long = "Knights of Sidonia: Battle for Planet Nine"
    found = finder("Knights of Sidonia", long).find(f"I preferred {long} to the rest.")
    assert found == {long}


def test_an_entry_does_not_mention_itself() -> None:
    assert finder("Alien").find("Alien is the best Alien film", source="Alien") == set()


# --- same series ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Knights of Sidonia", "Knights of Sidonia: Battle for Planet Nine"),
        ("The Matrix", "The Matrix Reloaded"),
        ("Attack on Titan", "Attack on Titan Season 2"),
        ("Ghost in the Shell", "Ghost in the Shell 2: Innocence"),
        ("Matrix, The", "The Matrix Revolutions"),
    ],
)
def test_same_series(first: str, second: str) -> None:
    assert series_key(first) == series_key(second)
    rows = series_rows([Entry(title=first, slug="a"), Entry(title=second, slug="b")])
    assert [(r.kind, r.detail) for r in rows] == [(SERIES, "same series")]


@pytest.mark.parametrize(("first", "second"), [("Apollo 13", "Apollo 18"), ("Up", "Up in the Air")])
def test_not_the_same_series(first: str, second: str) -> None:
    assert series_key(first) != series_key(second)


def test_remakes_share_a_title_not_a_series() -> None:
    rows = series_rows([Entry(title="Dune", slug="d1", year=1984), Entry(title="Dune", slug="d2")])
    assert [r.detail for r in rows] == ["same title"]


# --- shared creators --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Polygon Pictures Inc.", "polygon pictures"),
        ("Tetsurō Araki", "Tetsuro Araki"),
        ("Production I.G", "Production IG"),
        ("Kyoto Animation Co., Ltd.", "Kyoto Animation"),
        ("Araki Tetsurō", "Tetsuro Araki"),
    ],
)
def test_creator_names_are_normalised(first: str, second: str) -> None:
    assert creator_key(first) == creator_key(second)
    rows = creator_rows(
        [
            Entry(title="A", slug="a", creators=[first]),
            Entry(title="B", slug="b", creators=[second]),
        ]
    )
    assert [(r.source, r.target, r.kind, r.detail) for r in rows] == [("a", "b", CREATORS, first)]


def test_different_creators_do_not_link() -> None:
    entries = [
        Entry(title="A", slug="a", creators=["Studio Ghibli"]),
        Entry(title="B", slug="b", creators=["Studio Trigger"]),
    ]
    assert creator_rows(entries) == []


def test_a_creator_on_very_many_entries_links_nothing_by_itself() -> None:
    entries = [Entry(title=f"T{i}", slug=f"t{i}", creators=["Big Studio"]) for i in range(40)]
    entries[0].creators.append("Rare Person")
    entries[1].creators.append("Rare Person")
    rows = creator_rows(entries, cap=20)
    assert [(r.source, r.target, r.detail) for r in rows] == [("t0", "t1", "Rare Person")]


def test_merged_links_point_from_newer_to_older_and_join_reasons() -> None:
    entries = [
        Entry(title="Knights of Sidonia", slug="kos", year=2014, creators=["Polygon Pictures"]),
        Entry(
            title="Knights of Sidonia: Battle for Planet Nine",
            slug="kos2",
            year=2015,
            creators=["Polygon Pictures Inc."],
        ),
    ]
    links = merge_rows(derive_all(entries), {e.slug: e.year for e in entries})
    assert [(k.source, k.target, k.why, k.kinds) for k in links] == [
        ("kos2", "kos", "same series; same creator: Polygon Pictures", (SERIES, CREATORS))
    ]


def test_symmetric_evidence_follows_a_mention() -> None:
    old = Entry(title="Old Film Title", slug="old", year=1990, review="Better than New Film Title.")
    new = Entry(title="New Film Title", slug="new", year=2000)
    old.creators = new.creators = ["Same Person"]
    links = merge_rows(derive_all([old, new]), {"old": 1990, "new": 2000})
    assert [(k.source, k.target, k.kinds) for k in links] == [("old", "new", (MENTION, CREATORS))]


# --- in the journal: show, files untouched ----------------------------------------------------


def test_show_lists_derived_links_and_backlinks_with_why(
    invoke: Invoke, sample_journal: Path
) -> None:
    out = invoke("show", "Blame!").stdout
    for label in (
        "→ Knights of Sidonia (2014)",
        "→ Knights of Sidonia: Battle for Planet Nine (2015)",
        "→ The Matrix (1999) (mentioned in the review)",
        "→ Ghost in the Shell (1995) (mentioned in the review)",
    ):
        assert label in out
    backlinks = show_json(invoke, "ghost-in-the-shell-1995")["backlinks"]
    assert {
        "from": "psycho-pass-2012",
        "why": "mentioned in the review; same creator: Production I.G",
        "derived": True,
    } in backlinks
    assert {"from", "why", "derived"} == set(backlinks[0])


def test_derived_links_never_touch_the_files(invoke: Invoke, sample_journal: Path) -> None:
    before = {p.name: p.read_bytes() for p in sample_journal.glob("*.toml")}
    assert invoke("show", "Blame!").exit_code == 0
    assert {p.name: p.read_bytes() for p in sample_journal.glob("*.toml")} == before


def test_a_new_review_mention_is_found_without_reindexing(
    invoke: Invoke, sample_journal: Path
) -> None:
    assert invoke("list").exit_code == 0  # the index exists now
    write(sample_journal, "cube-1997", title="Cube", year=1997, review="Smaller than Cloud Atlas.")
    backlinks = show_json(invoke, "cloud-atlas-2012")["backlinks"]
    assert {"from": "cube-1997", "why": "mentioned in the review", "derived": True} in backlinks


# --- link and unlink --------------------------------------------------------------------------


def read(journal: Path, slug: str) -> dict:
    return tomllib.loads((journal / f"{slug}.toml").read_text(encoding="utf-8"))


def test_link_writes_only_the_first_file(invoke: Invoke, sample_journal: Path) -> None:
    other = (sample_journal / "cloud-atlas-2012.toml").read_bytes()
    result = invoke("link", "jupiter ascending", "Cloud Atlas", "--why", "the Wachowskis again")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(sample_journal / "jupiter-ascending-2015.toml")
    assert read(sample_journal, "jupiter-ascending-2015")["links"] == [
        {"to": "cloud-atlas-2012", "why": "the Wachowskis again"}
    ]
    assert (sample_journal / "cloud-atlas-2012.toml").read_bytes() == other
    links = show_json(invoke, "jupiter-ascending-2015")["links"]
    assert {"to": "cloud-atlas-2012", "why": "the Wachowskis again", "derived": False} in links


def test_link_twice_changes_nothing_and_link_to_itself_is_refused(
    invoke: Invoke, sample_journal: Path
) -> None:
    assert invoke("link", "Blame!", "Knights of Sidonia").exit_code == 0
    assert "already links" in invoke("link", "Blame!", "Knights of Sidonia").stderr
    assert len(read(sample_journal, "blame-2017")["links"]) == 1
    result = invoke("link", "Blame!", "blame-2017")
    assert result.exit_code == 2 and "itself" in result.stderr


def test_link_again_with_another_reason_rewrites_the_reason(
    invoke: Invoke, sample_journal: Path
) -> None:
    assert invoke("link", "Blame!", "Knights of Sidonia", "--why", "old reason").exit_code == 0
    result = invoke("link", "Blame!", "Knights of Sidonia", "--why", "new reason")
    assert result.exit_code == 0, result.stderr
    assert "Updated the link Blame! (2017) → Knights of Sidonia" in result.stderr
    links = read(sample_journal, "blame-2017")["links"]
    assert [link for link in links if link["to"].startswith("knights-of-sidonia")] == [
        {"to": "knights-of-sidonia-2014", "why": "new reason"}
    ]


def test_unlink_removes_a_written_link(invoke: Invoke, sample_journal: Path) -> None:
    invoke("link", "Cloud Atlas", "Jupiter Ascending")
    result = invoke("unlink", "Cloud Atlas", "Jupiter Ascending")
    assert result.exit_code == 0, result.stderr
    data = read(sample_journal, "cloud-atlas-2012")
    assert "links" not in data
    # They still share creators, so the index's link stays, now dismissed by the user.
    assert data["unlinked"] == ["jupiter-ascending-2015"]


def test_unlink_dismisses_a_derived_link_for_good(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("unlink", "Blame!", "The Matrix")
    assert result.exit_code == 0, result.stderr
    assert read(sample_journal, "blame-2017")["unlinked"] == ["the-matrix-1999"]
    assert read(sample_journal, "blame-2017")["links"] == [
        {"to": "knights-of-sidonia-2014", "why": "same studio and manga author"}
    ]

    def linked() -> bool:
        data = show_json(invoke, "the-matrix-1999")
        return any(k["from"] == "blame-2017" for k in data["backlinks"])

    assert not linked()
    shutil.rmtree(sample_journal / ".watchbook")  # the dismissal lives in the TOML file
    assert not linked()
    # Linking by hand undoes the dismissal.
    assert invoke("link", "Blame!", "The Matrix").exit_code == 0
    assert "unlinked" not in read(sample_journal, "blame-2017")
    assert linked()


def test_unlink_works_from_either_side_of_a_derived_link(
    invoke: Invoke, sample_journal: Path
) -> None:
    # The index shows this one as Psycho-Pass → Ghost in the Shell; unlink from the other end.
    assert invoke("unlink", "Ghost in the Shell", "Psycho-Pass").exit_code == 0
    links = show_json(invoke, "psycho-pass-2012")["links"]
    assert all(k["to"] != "ghost-in-the-shell-1995" for k in links)


def test_unlink_without_any_link_exits_1(invoke: Invoke, sample_journal: Path) -> None:
    before = (sample_journal / "cloud-atlas-2012.toml").read_bytes()
    result = invoke("unlink", "Cloud Atlas", "Attack on Titan")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cloud-atlas-2012 has no link to attack-on-titan-2013")
    assert (sample_journal / "cloud-atlas-2012.toml").read_bytes() == before


def test_unlink_mentions_a_link_written_in_the_other_file(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("unlink", "Knights of Sidonia", "Blame!")
    assert result.exit_code == 0
    assert "unlink blame-2017 knights-of-sidonia-2014" in result.stderr


def test_titles_with_no_letter_or_digit_are_not_duplicates(
    invoke: Invoke, journal_dir: Path
) -> None:
    # Both fold to nothing: that says nothing about them being one title entered twice.
    write(journal_dir, "mark", title="?", year=2001)
    write(journal_dir, "marks", title="!!!", year=2001)
    write(journal_dir, "clap", title="🎬", year=2001)
    write(journal_dir, "camera", title="🎥")
    result = invoke("check", "--json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["problems"] == []
    assert result.stderr == ""
    # The same title written twice is still one.
    write(journal_dir, "mark-2", title="?", year=2001)
    result = invoke("check")
    assert result.exit_code == 1
    assert "mark" in result.stdout and "probably the same" in result.stdout
