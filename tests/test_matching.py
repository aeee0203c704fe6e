"""The name scorer: kinds of match before scores, numbers, articles, the last whole-string pass."""

from __future__ import annotations

import pytest

from watchbook.matching import (
    MatchKind,
    last_pass,
    name_match,
    name_score,
    query_forms,
    query_key,
    word_candidates,
)


@pytest.mark.parametrize(
    ("query", "name", "kind"),
    [
        ("ghost", "ghost dad", MatchKind.WHOLE),
        ("ghost", "sea ghost", MatchKind.WHOLE),
        ("ghost", "the ghosting", MatchKind.PREFIX),
        ("knights of sid", "knights of sidonia", MatchKind.PREFIX),
        ("knigths of sidonia", "knights of sidonia", MatchKind.TYPO),
        ("nobody mr", "mr nobody", MatchKind.WHOLE),
        ("nobody mr", "johnny nobody", MatchKind.PARTIAL),
        ("rocky 2", "rocky ii", MatchKind.WHOLE),
        ("godfather part two", "the godfather part 2", MatchKind.WHOLE),
    ],
)
def test_the_kind_of_match(query: str, name: str, kind: MatchKind) -> None:
    assert name_match(query, name).kind == kind


def test_a_whole_word_beats_the_beginning_of_a_word_whatever_the_scores() -> None:
    whole, prefix = name_match("ghost", "ghost dad"), name_match("ghost", "the ghosting")
    # The prefix of a short title scores higher; the kind decides first.
    assert prefix.score > whole.score
    assert whole > prefix


@pytest.mark.parametrize(
    ("query", "exact_words", "longer"),
    [
        # Both from real titles: the typed words in that order inside a longer title must not
        # beat the title made of exactly those words.
        ("hard die", "die hard", "party hard die young"),
        ("man iron", "iron man", "man of iron"),
    ],
)
def test_the_same_words_in_another_order_beat_a_longer_name_holding_them_in_order(
    query: str, exact_words: str, longer: str
) -> None:
    assert name_match(query, exact_words) > name_match(query, longer)
    assert name_match(query, exact_words).score == 95.0


def test_another_number_is_another_title_not_a_typo() -> None:
    assert name_match("rocky 2", "rocky ii") > name_match("rocky 2", "rocky v")
    assert name_score("rocky 2", "rocky 5") < 80
    assert name_score("rocky 2", "rocky 3") < 80


def test_a_moved_article_and_the_beginning_of_the_next_word() -> None:
    assert name_match("il gat", "il gattopardo").score >= 88
    # The article typed counts: 'A Soldier ...' before 'El Sol de Oaxaca' for 'a sol'.
    assert name_match("a sol", "a soldier in utopia") > name_match("a sol", "el sol de oaxaca")
    # ... and a title without it is still found, after those with it.
    assert name_match("gattopardo", "il gattopardo").score >= 97


def test_an_article_never_turns_into_a_tag() -> None:
    assert name_match("the war", "war", articles=False).score < 90
    assert name_match("the war", "war").score == 99


@pytest.mark.parametrize(
    ("typed", "forms"),
    [
        ("Mr.Nobody", ["mr nobody", "mrnobody"]),
        ("Sophie's Choice", ["sophie s choice", "sophies choice"]),
        ("Gattopardo, Il", ["il gattopardo"]),
        ("  Psycho-Pass ", ["psycho pass", "psychopass"]),
        ("!!!", []),
    ],
)
def test_a_query_is_read_split_at_every_mark_and_joined(typed: str, forms: list[str]) -> None:
    assert query_forms(typed) == forms
    assert query_key(typed) == (forms[0] if forms else "")


def test_word_candidates_put_whole_words_and_short_names_first() -> None:
    keys = [f"the ghosting {i}" for i in range(50)] + ["a long title with ghost in it", "sea ghost"]
    found = word_candidates("ghost", keys, 2)
    assert found == {50, 51}


def test_the_last_pass_finds_a_mangled_title_and_nothing_for_nonsense() -> None:
    keys = ["the modern ocean", "the ghost dad", "bjorn and the last daughter season 2", "xx"]
    assert [at for at, _score in last_pass("the modrenoecan", keys, 10)] == [0]
    assert last_pass("zzqqxx", keys, 10) == []


@pytest.mark.parametrize(
    "name", ["Kōkaku Kidōtai", "Mr.Nobody", "Gattopardo, Il", "攻殻機動隊", "Ça Ira", "Любовь"]
)
def test_stored_keys_are_already_what_default_process_makes_of_them(name: str) -> None:
    # The last pass runs rapidfuzz's default_process on the query only.
    from rapidfuzz import utils

    assert all(utils.default_process(key) == key for key in query_forms(name))
