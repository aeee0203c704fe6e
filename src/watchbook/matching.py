"""How well what a person typed matches one name (a title, an alias, a creator), and how.

Names and queries are compared as folded words (text.name_forms): split at every mark, and,
as a second form, with the marks inside a word dropped ('Mr.Nobody' is 'mr nobody' and
'mrnobody'), a library-style article put back in front ('Gattopardo, Il' is 'il gattopardo').

A match has a kind, which ranks first, and a score, 0-100, which ranks within a kind:
- WHOLE: every query word is a word of the name (a number may be written another way: '2',
  'ii', 'two'); PREFIX: every query word is a word of the name or the beginning of one;
  TYPO: every query word is found, some misspelt; PARTIAL: some query word is not found.
  So `ghost` puts 'Ghost Dad' and 'Sea Ghost' above 'Ghosting, The', whatever the scores.
- Scores: an exact name 100, the name without its article 99, the same letters spaced
  differently ('spider man', 'Spiderman') 97, a name that starts with the query 88-97, the
  same words in another order about 95; word by word, how much of the query the name's words
  explain and how much of the name the query covers; a few typos in the whole name (its
  numbers unchanged) 95 less 3 a typo. A query word that matches nothing pulls the score down
  hard, so a very short title ("M", "Up") cannot ride on one letter of an unrelated query.
- A query's article can be left out of the comparison, but such a match ranks no higher than
  a typo: 'a sol' is 'A Soldier in Utopia' before 'Sol de Oaxaca, El'.

Candidates are found by fast C scorers and by the query's words (fuzzy_candidates,
word_candidates); what they miss, a last whole-string pass (last_pass) may still find.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import NamedTuple

from watchbook.text import ARTICLES, STOPWORDS, name_forms, number_marks, number_value

# The last pass keeps names whose whole-string similarity with the query reaches this (tuned
# on the harder benchmark's seed 11: lower lets random letters find titles, higher loses
# titles typed with their words run together).
LAST_PASS_FLOOR = 70.0


class MatchKind(IntEnum):
    """How a query's words were found in a name, weakest first (ranks before the score)."""

    PARTIAL = 0
    TYPO = 1
    PREFIX = 2
    WHOLE = 3


class NameMatch(NamedTuple):
    """How a query matches one name: compared as (kind, score), the better one greater."""

    kind: MatchKind
    score: float


NO_MATCH = NameMatch(MatchKind.PARTIAL, 0.0)


def query_forms(query: str) -> list[str]:
    """The folded forms a query is compared in (see text.name_forms); [] when nothing is left."""
    return name_forms(query)


def query_key(query: str) -> str:
    """The main folded form of what was typed ('' when it holds no letter or digit)."""
    forms = name_forms(query)
    return forms[0] if forms else ""


def best_match(forms: list[str], name_key: str, articles: bool = True) -> NameMatch:
    """The best match of any of the query's forms with one folded name (see name_match)."""
    if len(forms) == 1:
        return name_match(forms[0], name_key, articles)
    return max(name_match(form, name_key, articles) for form in forms)


def name_score(query_key: str, name_key: str) -> float:
    """How well a folded query matches one folded name, 0-100 (the score of name_match)."""
    return name_match(query_key, name_key).score


def name_match(query_key: str, name_key: str, articles: bool = True) -> NameMatch:
    """How well, and how, a folded query matches one folded name (title, alias or creator).

    `articles=False` for names that never take one (tags): 'the war' is not the tag 'war'.
    """
    from rapidfuzz.distance import OSA

    if not query_key or not name_key:
        return NO_MATCH
    if query_key == name_key:
        return NameMatch(MatchKind.WHOLE, 100.0)
    query_words, name_words = query_key.split(), name_key.split()
    bare_query = _strip_article(query_words) if articles else query_words
    bare_name = _strip_article(name_words) if articles else name_words
    if bare_query == bare_name:
        return NameMatch(MatchKind.WHOLE, 99.0)
    if "".join(query_words) == "".join(name_words):
        return NameMatch(MatchKind.WHOLE, 97.0)  # "spider man" for "Spiderman"
    similarity = OSA.normalized_similarity
    best = _words_match(query_words, name_words, similarity)
    if len(bare_query) < len(query_words):
        # The query's article left out ('the lobster' for 'Lobster Tales'): a looser reading.
        loose = _words_match(bare_query, name_words, similarity)
        best = max(best, NameMatch(min(loose.kind, MatchKind.TYPO), loose.score))
    for start in (name_key, " ".join(bare_name)):
        if start.startswith(query_key) and len(start) > len(query_key):
            # Typing a name from its start is strong evidence, above the same words mid-name;
            # it is whole words when the query stops where a word of the name does.
            kind = MatchKind.WHOLE if start[len(query_key)] == " " else MatchKind.PREFIX
            best = max(best, NameMatch(kind, 88.0 + 9.0 * len(query_key) / len(start)))
    # A few typos anywhere in a whole name, with or without its article ('matrx' for 'The
    # Matrix'): one per six letters at most, each costing 3. A different number is another
    # title, not a typo ('Rocky 2', 'Rocky 5').
    for typed, name in {(query_key, name_key), (" ".join(bare_query), " ".join(bare_name))}:
        allowed = max(1, len(name) // 6)
        typos = OSA.distance(typed, name, score_cutoff=allowed)
        if typos <= allowed and number_marks(typed) == number_marks(name):
            best = max(best, NameMatch(MatchKind.TYPO, 95.0 - 3.0 * typos))
    return NameMatch(best.kind, min(best.score, 98.0))


# OSA.normalized_similarity: passed down rather than imported in these hot functions (an
# import statement costs more than the comparison of two short words).
Similarity = Callable[[str, str], float]


def _word_match(
    query_word: str, value: str | None, name_word: str, typing: bool, similarity: Similarity
) -> tuple[float, MatchKind]:
    """How well one query word (`value`: the number it writes) matches one word of a name, 0-1,
    and how."""
    if query_word == name_word:
        return 1.0, MatchKind.WHOLE
    if value is not None and value == number_value(name_word):
        return 1.0, MatchKind.WHOLE  # '2' for 'II', 'two' for '2'
    if query_word.isdigit() or name_word.isdigit():
        return 0.0, MatchKind.PARTIAL  # '3' is not the beginning of '30', nor a typo of '4'
    if name_word.startswith(query_word) and (typing or len(query_word) >= 4):
        # A word still being typed, or a word shortened on purpose.
        return 0.75 + 0.2 * len(query_word) / len(name_word), MatchKind.PREFIX
    if min(len(query_word), len(name_word)) >= 4:
        alike = similarity(query_word, name_word)
        if alike >= 0.75:
            return 0.9 * alike, MatchKind.TYPO
        if typing and len(name_word) > len(query_word):
            # A typo in a word still being typed: compare with the name word's beginning.
            head = similarity(query_word, name_word[: len(query_word)])
            if head >= 0.75:
                return 0.7 * head, MatchKind.TYPO
    return 0.0, MatchKind.PARTIAL


def _weights(words: list[str]) -> list[int]:
    """Each word counts by its length, a stop word two (unless there are only stop words)."""
    # 'the children and' is more than 'children', but not by much.
    if all(w in STOPWORDS for w in words):
        return [len(w) for w in words]
    return [2 if w in STOPWORDS else len(w) for w in words]


def _words_match(wanted: list[str], offered: list[str], similarity: Similarity) -> NameMatch:
    """How well a name's words explain the query's words: a score up to 97, and the kind."""
    # Scores high when they explain it nearly whole; then by how much of the name the query
    # covers, in the same order, side by side.
    wanted_weights = _weights(wanted)
    offered_weights = _weights(offered)
    last = len(wanted) - 1
    explained = 0.0
    kind = MatchKind.WHOLE
    covered = [0.0] * len(offered)
    positions: list[int] = []
    goods: list[set[int]] = []
    for index, (word, weight) in enumerate(zip(wanted, wanted_weights, strict=True)):
        value, typing = number_value(word), index == last
        found = [_word_match(word, value, other, typing, similarity) for other in offered]
        quality, word_kind = max(found, default=(0.0, MatchKind.PARTIAL))
        kind = min(kind, word_kind)
        explained += quality * weight
        if quality:
            good = {i for i, (q, _k) in enumerate(found) if q == quality}
            goods.append(good)
            position = min(good)
            positions.append(position)
            covered[position] = max(covered[position], quality)
    explained /= sum(wanted_weights)
    coverage = sum(q * w for q, w in zip(covered, offered_weights, strict=True))
    coverage /= sum(offered_weights)
    if explained < 0.6:
        return NameMatch(MatchKind.PARTIAL, 75.0 * explained)
    # Every word of the name, and only those, in another order ('hard die' for 'Die Hard') counts
    # as in order: a longer name holding the typed words in that order ('Party Hard, Die Young')
    # explains them no better and the name much less.
    in_order = positions == sorted(positions) or (explained == 1.0 and coverage == 1.0)
    # The matched words side by side somewhere in the name ('forest legacy' in '... the
    # Forest Legacy', even when 'forest' also appears earlier).
    side_by_side = len(goods) > 1 and any(
        all(start + k in good for k, good in enumerate(goods)) for start in goods[0]
    )
    # Side by side weighs most: 'forest legacy' is a phrase of '... the Forest Legacy'.
    score = 55.0 + 35.0 * explained**4 + 4.0 * coverage * explained + in_order + 2.0 * side_by_side
    return NameMatch(kind, score)


def _strip_article(words: list[str]) -> list[str]:
    return words[1:] if len(words) > 1 and words[0] in ARTICLES else words


# --- candidates -------------------------------------------------------------------------------


def fuzzy_candidates(query: str, keys: list[str], limit: int) -> set[int]:
    """Positions of keys worth scoring properly, found by fast C scorers."""
    from rapidfuzz import fuzz, process

    passes = [(fuzz.ratio, 60.0)]
    if " " in query:
        passes.append((fuzz.token_set_ratio, 70.0))  # words in another order, or some left out
    if len(query) >= 3:
        passes.append((fuzz.partial_ratio, 75.0))
    found: set[int] = set()
    for scorer, cutoff in passes:
        found.update(
            index
            for _choice, _score, index in process.extract(
                query, keys, scorer=scorer, processor=None, score_cutoff=cutoff, limit=limit
            )
        )
    return found


def word_candidates(query: str, keys: list[str], limit: int) -> set[int]:
    """Positions of keys holding every query word as a word or the beginning of one.

    Those holding every word whole come first, then the shortest (they score best): the C
    scorers' cut-off may miss some of them when hundreds of names share a word.
    """
    words = query.split()
    content = [w for w in words if w not in STOPWORDS] or words
    anchor = max(content, key=len)
    # One line per key; the line of each place where a word starts with the anchor.
    text = "\n".join(keys)
    holding: set[int] = set()
    line, counted = 0, 0
    at = text.find(anchor)
    while at >= 0:
        if at == 0 or text[at - 1] in " \n":
            line += text.count("\n", counted, at)
            counted = at
            holding.add(line)
        at = text.find(anchor, at + 1)
    ranked: list[tuple[bool, int, int]] = []
    for at in holding:
        key_words = keys[at].split()
        if all(any(k.startswith(w) for k in key_words) for w in words):
            ranked.append((not all(w in key_words for w in words), len(keys[at]), at))
    ranked.sort()
    return {at for _partial, _length, at in ranked[:limit]}


def last_pass(query: str, keys: list[str], limit: int) -> list[tuple[int, float]]:
    """(position, similarity 0-100) of the keys most like the whole query, best first.

    Similarity is rapidfuzz's ratio of the whole strings, or of their words sorted, whichever
    is higher, after utils.default_process. (The keys are stored folded, which that leaves
    as they are, so only the query goes through it.) WRatio was tried: its partial alignment
    scores a name sharing one word ('the') with the query, or a short name inside it, at 85.5,
    above real matches typed with two typos and a missing space, and it takes 4 times longer.
    """
    from rapidfuzz import fuzz, process, utils

    query = utils.default_process(query)
    best: dict[int, float] = {}
    # Sorting the words puts several words typed in another order back; a query of one
    # word has no order to put back.
    scorers = (fuzz.ratio, fuzz.token_sort_ratio) if " " in query else (fuzz.ratio,)
    for scorer in scorers:
        for _choice, score, index in process.extract(
            query, keys, scorer=scorer, processor=None, score_cutoff=LAST_PASS_FLOOR, limit=limit
        ):
            best[index] = max(score, best.get(index, 0.0))
    return sorted(best.items(), key=lambda pair: -pair[1])[:limit]
