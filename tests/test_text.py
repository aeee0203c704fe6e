"""Text helpers: how titles, names and reviews are folded into what search and links compare."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from watchbook.text import (
    arabic_numerals,
    creator_key,
    fold,
    fold_keep_case,
    group_key,
    has_control_chars,
    name_forms,
    number_marks,
    number_value,
    series_key,
    split_words,
    strip_accents,
    title_key,
    unmove_article,
    words,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Kōkaku Kidōtai", "kokaku kidotai"),
        ("Blame!", "blame"),
        ("Psycho-Pass", "psycho pass"),
        ("Don't Look Up", "dont look up"),
        ("S.W.A.T.", "swat"),
        ("  Knights   of Sidonia  ", "knights of sidonia"),
        ("Amélie", "amelie"),
        ("STRASSE", "strasse"),
        ("Straße", "strasse"),
        ("攻殻機動隊", "攻殻機動隊"),
        ("!!!", ""),
    ],
)
def test_fold_keeps_letters_and_digits_only(text: str, folded: str) -> None:
    assert fold(text) == folded


@given(st.text(max_size=40))
def test_the_fast_word_split_agrees_with_fold(text: str) -> None:
    assert split_words(text) == fold(text).split() == words(text)


@given(st.text(max_size=40))
def test_keeping_case_changes_nothing_but_case(text: str) -> None:
    assert [w.casefold() for w in split_words(text, keep_case=True)] == [
        w.casefold() for w in fold_keep_case(text).split()
    ]


def test_strip_accents_leaves_ascii_alone_and_decomposes_the_rest() -> None:
    text = "plain ascii text"
    assert strip_accents(text) is text
    assert strip_accents("Tetsurō Araki, Zoë") == "Tetsuro Araki, Zoe"


@pytest.mark.parametrize(
    ("title", "turned"),
    [
        ("Matrix, The", "The Matrix"),
        ("Beautiful Mind, A", "A Beautiful Mind"),
        ("The Matrix", "The Matrix"),
        ("Up", "Up"),
        ("Gattopardo, Il", "Il Gattopardo"),
        ("Sceicco Bianco, Lo", "Lo Sceicco Bianco"),
        ("Olvidados, Los", "Los Olvidados"),
        ("Horas, Las", "Las Horas"),
        ("Avventura, L'", "L'Avventura"),
        ("Leben der Anderen, Das", "Das Leben der Anderen"),
        ("Rome, Open City", "Rome, Open City"),
    ],
)
def test_a_library_style_article_moves_back_to_the_front(title: str, turned: str) -> None:
    assert unmove_article(title) == turned


def test_title_keys_match_however_the_title_is_written() -> None:
    assert title_key("Matrix, The") == title_key("the matrix") == "the matrix"
    assert title_key("Blame!") == title_key("blame")
    assert title_key("Blade Runner") != title_key("Blade Runner 2049")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Tsutomu Nihei", "NIHEI Tsutomu"),
        ("Production I.G", "Production IG"),
        ("Studio Ghibli, Inc.", "Studio Ghibli"),
        ("Tetsurō Araki", "Tetsuro Araki"),
    ],
)
def test_one_creator_key_however_the_name_is_written(first: str, second: str) -> None:
    assert creator_key(first) == creator_key(second)


def test_different_people_keep_different_keys() -> None:
    assert creator_key("Lana Wachowski") != creator_key("Lilly Wachowski")


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Knights of Sidonia", "knights of sidonia"),
        ("Knights of Sidonia: Battle for Planet Nine", "knights of sidonia"),
        ("Attack on Titan Season 2", "attack on titan"),
        ("Rocky II", "rocky"),
        ("The Matrix Reloaded", "the matrix"),
        ("Toy Story 3", "toy story"),
        ("Matrix, The", "the matrix"),
        ("Mission: Impossible - Dead Reckoning Part One", "mission"),
    ],
)
def test_series_key_drops_subtitles_seasons_and_sequel_marks(title: str, key: str) -> None:
    assert series_key(title) == key


@pytest.mark.parametrize(
    ("one", "other"),
    [
        # A number word is a sequel mark only after 'part', 'season', ...; an article is part of
        # the name. These were "same series" in show, recommend and the watchlist.
        ("The Brave One", "Brave"),
        ("The One", "One Eight Seven"),
        ("The Mission", "Mission: Impossible"),
        ("The Arrival", "Arrival"),
        ("The Host", "Host"),
    ],
)
def test_titles_that_are_no_series_of_each_other(one: str, other: str) -> None:
    assert series_key(one) != series_key(other)


def test_numbers_tell_sequels_apart() -> None:
    assert number_marks("rocky ii") == ["2"] == number_marks("rocky 2")
    assert number_marks("apollo 13") != number_marks("apollo 18")
    assert arabic_numerals("rocky iii") == "rocky 3"


@pytest.mark.parametrize(
    ("text", "newlines_ok", "found"),
    [
        ("plain", False, False),
        ("two\nlines", False, True),
        ("two\nlines", True, False),
        ("a\tb", True, False),
        ("bell\x07", True, True),
        ("rtl \u202e override", True, True),
        ("lone \ud800 surrogate", True, True),
    ],
)
def test_control_characters_are_found(text: str, newlines_ok: bool, found: bool) -> None:
    assert has_control_chars(text, allow_newlines=newlines_ok) is found


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("Mr.Nobody", ["mr nobody", "mrnobody"]),
        ("Schindler's List", ["schindler s list", "schindlers list"]),
        (
            "Knights of Sidonia: Battle for Planet Nine",
            ["knights of sidonia battle for planet nine"],
        ),
        ("Avventura, L'", ["l avventura", "lavventura"]),
        ("Face/Off", ["face off", "faceoff"]),
        ("Kōkaku Kidōtai", ["kokaku kidotai"]),
        ("?!", []),
    ],
)
def test_names_are_split_at_every_mark_and_also_kept_joined(name: str, forms: list[str]) -> None:
    assert name_forms(name) == forms


@pytest.mark.parametrize(
    ("word", "value"),
    [("2", "2"), ("02", "2"), ("ii", "2"), ("two", "2"), ("x", "10"), ("i", None), ("ghost", None)],
)
def test_numbers_written_as_digits_numerals_or_words(word: str, value: str | None) -> None:
    assert number_value(word) == value


def test_the_spellings_of_one_tag_or_creator_share_a_key() -> None:
    assert len({group_key("tags", t) for t in ("dr\u00f4le", "dro\u0302le", "DR\u00d4LE")}) == 1
    assert group_key("tags", "Sci-Fi") == group_key("tags", "sci fi")
    assert group_key("creators", "Lee, Ann") == group_key("creators", "ann lee")
    assert group_key("creators", "Studio Nine Inc.") == group_key("creators", "Studio Nine")
    # Punctuation only: its own key, not one shared with every other such name.
    assert group_key("tags", "!!!") != group_key("tags", "???")
