"""Turning what a person types into entries: ranked search, and QUERY resolution for show & co.

Scoring, 0-100, decided here rather than taken from a scorer's default:
- a name (title or alias) is compared word by word: how much of the query its words explain
  (exact word, a word being typed, a small typo) and how much of the name the query covers;
  an exact name scores 100, the name without its article or punctuation 97-99, a name that
  starts with the query 88-98, the same words in another order about 95;
- a query word that matches nothing in a name pulls the score down hard, so a very short title
  ("M", "Up") cannot ride on one letter of an unrelated query, which is what
  `process.extract(..., scorer=WRatio)` lets happen through partial matching;
- creators score 0.9 of a name, tags 0.8; verdict and review text (SQLite full-text) score
  56-68, always below a real name match (70 and up);
- equal (rounded) scores go to the entry with the higher score of yours, then the more
  recent viewing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Protocol

from watchbook.entry import Entry
from watchbook.errors import Ambiguous, NotFound
from watchbook.text import (
    STOPWORDS,
    arabic_numerals,
    fold,
    number_marks,
    title_key,
    unmove_article,
)

if TYPE_CHECKING:
    from watchbook.index.searchdata import EntrySummary

_TRAILING_YEAR = re.compile(r"^(?P<title>.+?)\s*[\(\[]?(?P<year>(18|19|20)\d\d)[\)\]]?$")
# find_entry: a fuzzy match must reach this score and beat the runner-up by the margin.
FUZZY_FLOOR = 80.0
CLEAR_MARGIN = 6.0
SUGGEST_FLOOR = 55.0
# search: weaker name matches are left out; field weights relative to a name.
NAME_FLOOR = 45.0
CREATOR_WEIGHT = 0.9
TAG_WEIGHT = 0.8
# Text matches: a phrase of 3+ words, of 2 words, one word, or every word but apart.
TEXT_SCORES = {
    ("verdict", 3): 76.0,
    ("review", 3): 74.0,
    ("verdict", 2): 68.0,
    ("review", 2): 66.0,
    ("verdict", 1): 62.0,
    ("review", 1): 60.0,
    ("verdict", 0): 58.0,
    ("review", 0): 56.0,
}
_ARTICLES = ("the", "a", "an")


class KeyField(IntEnum):
    """The kinds of folded key an entry is found by."""

    NAMES = 0  # titles and aliases
    CREATORS = 1
    TAGS = 2
    WORKS = 3  # creators as recommend compares them (text.creator_key)


class KeyColumns(Protocol):
    """Folded keys of one kind, and the row ids of the entries under each (the index's)."""

    def columns(self, field: KeyField) -> tuple[list[str], Sequence[list[int]]]: ...


# Summaries of some entries by row id (what a search result needs without decoding the entry).
Summaries = Callable[[Iterable[int]], Mapping[int, "EntrySummary"]]


# --- scoring one name -------------------------------------------------------------------------


def _word_quality(query_word: str, name_word: str, typing: bool) -> float:
    """How well one query word matches one word of a name, 0-1."""
    from rapidfuzz.distance import OSA

    if query_word == name_word:
        return 1.0
    if query_word.isdigit() or name_word.isdigit():
        return 0.0  # '3' is not the beginning of '30', nor a typo of '4'
    if name_word.startswith(query_word) and (typing or len(query_word) >= 4):
        # A word still being typed, or a word shortened on purpose.
        return 0.75 + 0.2 * len(query_word) / len(name_word)
    if min(len(query_word), len(name_word)) >= 4:
        similarity = OSA.normalized_similarity(query_word, name_word)
        if similarity >= 0.75:
            return 0.9 * similarity
        if typing and len(name_word) > len(query_word):
            # A typo in a word still being typed: compare with the name word's beginning.
            head = OSA.normalized_similarity(query_word, name_word[: len(query_word)])
            if head >= 0.75:
                return 0.7 * head
    return 0.0


def _weights(words: list[str]) -> list[int]:
    """Each word counts by its length, a stop word two (unless there are only stop words)."""
    # 'the children and' is more than 'children', but not by much.
    if all(w in STOPWORDS for w in words):
        return [len(w) for w in words]
    return [2 if w in STOPWORDS else len(w) for w in words]


def name_score(query_key: str, name_key: str) -> float:
    """How well a folded query matches one folded name (title, alias or creator), 0-100."""
    from rapidfuzz.distance import OSA

    if not query_key or not name_key:
        return 0.0
    if query_key == name_key:
        return 100.0
    query_words, name_words = query_key.split(), name_key.split()
    bare_query = _strip_article(query_words)
    bare_name = _strip_article(name_words)
    if bare_query == bare_name:
        return 99.0
    if "".join(query_words) == "".join(name_words):
        return 97.0  # "psychopass" for "Psycho-Pass", "spider man" for "Spiderman"
    best = 0.0
    for start in (name_key, " ".join(bare_name)):
        if start.startswith(query_key) and len(start) > len(query_key):
            # Typing a name from its start is strong evidence, above the same words mid-name.
            best = max(best, 88.0 + 9.0 * len(query_key) / len(start))
    # Word by word, with the query's leading article and without it.
    for wanted in {tuple(query_words), tuple(bare_query)}:
        best = max(best, _words_score(list(wanted), name_words))
    # A few typos anywhere in a whole name (one per six letters at most), each costing 3.
    allowed = max(1, len(name_key) // 6)
    typos = OSA.distance(query_key, name_key, score_cutoff=allowed)
    if typos <= allowed:
        best = max(best, 95.0 - 3.0 * typos)
    return min(best, 98.0)


def _words_score(wanted: list[str], offered: list[str]) -> float:
    """How well a name's words explain the query's words, 0-97."""
    # Scores high when they explain it nearly whole; then by how much of the name the query
    # covers, in the same order, side by side.
    wanted_weights = _weights(wanted)
    offered_weights = _weights(offered)
    last = len(wanted) - 1
    explained = 0.0
    covered = [0.0] * len(offered)
    positions: list[int] = []
    goods: list[set[int]] = []
    for index, (word, weight) in enumerate(zip(wanted, wanted_weights, strict=True)):
        qualities = [_word_quality(word, other, index == last) for other in offered]
        quality = max(qualities, default=0.0)
        explained += quality * weight
        if quality:
            good = {i for i, q in enumerate(qualities) if q == quality}
            goods.append(good)
            position = min(good)
            positions.append(position)
            covered[position] = max(covered[position], quality)
    explained /= sum(wanted_weights)
    coverage = sum(q * w for q, w in zip(covered, offered_weights, strict=True))
    coverage /= sum(offered_weights)
    if explained < 0.6:
        return 75.0 * explained
    in_order = positions == sorted(positions)
    # The matched words side by side somewhere in the name ('forest legacy' in '... the
    # Forest Legacy', even when 'forest' also appears earlier).
    side_by_side = len(goods) > 1 and any(
        all(start + k in good for k, good in enumerate(goods)) for start in goods[0]
    )
    # Side by side weighs most: 'forest legacy' is a phrase of '... the Forest Legacy'.
    return 55.0 + 35.0 * explained**4 + 4.0 * coverage * explained + in_order + 2.0 * side_by_side


def _strip_article(words: list[str]) -> list[str]:
    return words[1:] if len(words) > 1 and words[0] in _ARTICLES else words


def query_key(query: str) -> str:
    """The folded form of what was typed, with a library-style article put back in front."""
    return fold(unmove_article(query.strip()))


# --- search -----------------------------------------------------------------------------------


class Hit:
    """One search result: which entry, how well, and through which field."""

    __slots__ = ("field", "key", "last_watched", "rowid", "score", "slug", "user_score")

    def __init__(self, rowid: int, slug: str, score: float, field: str, key: str,
                 user_score: float | None = None, last_watched: int = 0) -> None:  # fmt: skip
        self.rowid, self.slug, self.score = rowid, slug, score
        self.field = field  # name, creator, tag, verdict, review
        self.key = key  # the folded name, creator or tag that matched ("" for text)
        self.user_score, self.last_watched = user_score, last_watched

    def sort_key(self) -> tuple[float, float, int, str]:
        """Best first: match score (to a tenth), then your score, then the latest viewing."""
        return (
            -round(self.score, 1),
            -(self.user_score if self.user_score is not None else -1.0),
            -self.last_watched,
            self.slug,
        )


# (row id, "verdict" or "review", words of the query found side by side there: 0 when apart).
TextSearch = Callable[[str, int], Sequence[tuple[int, str, int]]]


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


def rank(
    data: KeyColumns,
    query: str,
    summaries: Summaries,
    *,
    texts: TextSearch | None = None,
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    min_score: float | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Entries matching the query, best first, from the index's search data."""
    key = query_key(query)
    if not key:
        return []
    # Best match per entry first; what each entry is (kind, score, ...) is read afterwards,
    # for those entries only.
    best: dict[int, tuple[float, str, str]] = {}

    def offer(rowid: int, score: float, field: str, matched: str) -> None:
        if rowid not in best or score > best[rowid][0]:
            best[rowid] = (score, field, matched)

    pool = max(60, limit * 4)
    for column, weight, matched_by in (
        (KeyField.NAMES, 1.0, "name"),
        (KeyField.CREATORS, CREATOR_WEIGHT, "creator"),
    ):
        keys, rows = data.columns(column)
        for index in fuzzy_candidates(key, keys, pool):
            score = name_score(key, keys[index]) * weight
            if score >= NAME_FLOOR * weight:
                for rowid in rows[index]:
                    offer(rowid, score, matched_by, keys[index])
    tags, rows = data.columns(KeyField.TAGS)
    for index, name in enumerate(tags):
        score = name_score(key, name) * TAG_WEIGHT
        if score >= 0.9 * 100 * TAG_WEIGHT:
            for rowid in rows[index]:
                offer(rowid, score, "tag", name)
    if texts is not None:
        for rowid, text_field, phrase_words in texts(query, pool):
            offer(rowid, TEXT_SCORES[(text_field, min(phrase_words, 3))], text_field, "")
    tag_key = fold(tag) if tag else None
    hits = []
    for rowid, record in summaries(best).items():
        if (
            (kind is None or record.kind == kind)
            and (status is None or record.status == status)
            and (tag_key is None or tag_key in record.tags)
            and (min_score is None or (record.score is not None and record.score >= min_score))
        ):
            score, field, matched = best[rowid]
            hits.append(Hit(rowid, record.slug, score, field, matched, record.score, record.last))
    hits.sort(key=Hit.sort_key)
    return hits[:limit]


def describe(hit: Hit, entry: Entry) -> tuple[str, str]:
    """The field that matched ('title', 'alias', ...) and the words shown for it."""
    if hit.field == "name":
        if hit.key in (title_key(entry.title), fold(entry.title)):
            return "title", entry.title
        for alias in entry.aliases:
            if hit.key in (title_key(alias), fold(alias)):
                return "alias", alias
        return "title", entry.title
    if hit.field == "creator":
        for creator in entry.creators:
            if fold(creator) == hit.key:
                return "creator", creator
    if hit.field == "tag":
        for tag in entry.tags:
            if fold(tag) == hit.key:
                return "tag", tag
    return hit.field, ""


# --- QUERY resolution -------------------------------------------------------------------------


def _keys(entry: Entry) -> list[str]:
    return [title_key(entry.title), *(title_key(alias) for alias in entry.aliases)]


def _split_year(query: str) -> tuple[str, int | None]:
    match = _TRAILING_YEAR.match(query.strip())
    if match and match.group("title").strip():
        return match.group("title").strip(), int(match.group("year"))
    return query.strip(), None


def fuzzy_title_score(query_key: str, entry: Entry) -> float:
    """How well a folded query matches an entry's title or aliases, 0-100."""
    return max((name_score(query_key, key) for key in name_keys(entry)), default=0.0)


def name_keys(entry: Entry) -> list[str]:
    """Folded names a search finds the entry by: title and aliases."""
    # 'Matrix, The' as 'the matrix': a query typed library-style is turned round the same way.
    keys: list[str] = []
    for name in (entry.title, *entry.aliases):
        key = title_key(name)
        if key and key not in keys:
            keys.append(key)
    return keys


def _suggestion_score(query_key: str, entry: Entry) -> float:
    """A looser likeness for 'Did you mean' (whole-string similarity counts too)."""
    from rapidfuzz import fuzz

    loose = max(
        (max(fuzz.ratio(query_key, k), fuzz.token_sort_ratio(query_key, k)) for k in _keys(entry)),
        default=0.0,
    )
    return max(fuzzy_title_score(query_key, entry), loose)


def find_entry(entries: Sequence[Entry], query: str) -> Entry:
    """The one entry QUERY means: a slug, a title or alias, or a clearly best fuzzy match."""
    query = query.strip()
    slug = query.removesuffix(".toml")
    for entry in entries:
        if entry.slug == slug:
            return entry
    text, year = _split_year(query)
    for candidate_text, candidate_year in ((query, None), (text, year)):
        key = title_key(candidate_text)
        exact = [e for e in entries if key and key in _keys(e)]
        if candidate_year is not None:
            exact = [e for e in exact if e.year == candidate_year]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            raise Ambiguous(f"{len(exact)} entries are called {query!r}", _labels(exact))
    key = query_key(text)
    pool = [e for e in entries if year is None or e.year in (None, year)]
    scored = sorted(
        ((fuzzy_title_score(key, e), e) for e in _plausible(pool, key)), key=lambda p: -p[0]
    )
    if scored and scored[0][0] >= FUZZY_FLOOR:
        best = scored[0][0]
        close = [e for s, e in scored if best - s < CLEAR_MARGIN and s >= FUZZY_FLOOR]
        if len(close) == 1:
            return close[0]
        raise Ambiguous(f"{query!r} matches several entries", _labels(close))
    suggested = sorted(
        ((_suggestion_score(key, e), e) for e in _plausible(pool, key, loose=True)),
        key=lambda p: -p[0],
    )
    suggestions = [e.label for s, e in suggested[:3] if s >= SUGGEST_FLOOR]
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise NotFound(f"No entry {query!r}.{hint}", suggestions)


def _plausible(entries: Sequence[Entry], key: str, loose: bool = False) -> Iterable[Entry]:
    """Entries worth scoring word by word (all of them for small journals)."""
    if len(entries) <= 300:
        return entries
    from rapidfuzz import fuzz, process

    names: dict[str, list[Entry]] = {}
    for entry in entries:
        for name in name_keys(entry):
            names.setdefault(name, []).append(entry)
    keys = list(names)
    keep = {keys[i] for i in fuzzy_candidates(key, keys, 60)}
    if key in names:
        keep.add(key)
    if loose:
        keep.update(
            choice
            for choice, _s, _i in process.extract(
                key, list(names), scorer=fuzz.token_sort_ratio, processor=None, limit=10
            )
        )
    chosen: dict[str, Entry] = {}
    for name in keep:
        for entry in names[name]:
            chosen[entry.slug] = entry
    return list(chosen.values())


def find_similar(entries: Sequence[Entry], title: str, year: int | None) -> Entry | None:
    """An existing entry that is probably the same title (for add's duplicate check)."""
    from rapidfuzz import fuzz

    key = arabic_numerals(title_key(title))
    numbers = number_marks(key)
    best: tuple[float, Entry] | None = None
    for entry in entries:
        if year is not None and entry.year is not None and entry.year != year:
            continue
        others = (arabic_numerals(other) for other in _keys(entry) if other)
        score = max(
            # 'Rocky II' and 'Rocky III' are near in spelling but are two films.
            (fuzz.ratio(key, other) for other in others if number_marks(other) == numbers),
            default=0.0,
        )
        if score >= 92 and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None


def _labels(entries: Sequence[Entry]) -> list[str]:
    return [f"{e.label} [{e.slug}]" for e in entries]
