"""Turning what a person types into entries: ranked search, and QUERY resolution for show & co.

How one name is matched (kinds and scores) is watchbook.matching. Search ranks entries by
their best match: the kind first (whole words > word prefixes > typos > partial), then the
score, then your score of the entry, then the more recent viewing. Creators score 0.9 of a
name, tags 0.8; verdict and review text (SQLite full-text) score 56-76, below a real name
match. What these passes miss is ordered, below all of them, by a last whole-string pass
(WRatio) with a floor, so a reasonable match is never left out while nonsense finds nothing.

A QUERY (show, edit, rm, link, unlink, recommend) names an entry exactly by its slug, or by a
title or alias that folds the same (case, accents, punctuation, a library-style article);
else by the clearly best match (see resolve_entry), which commands say they used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, NamedTuple, Protocol

from watchbook.entry import Entry
from watchbook.errors import Ambiguous, InvalidFile, InvalidValue, NotFound, UnreadableMatch
from watchbook.matching import (
    NO_MATCH,
    MatchKind,
    NameMatch,
    best_match,
    fuzzy_candidates,
    last_pass,
    query_forms,
    word_candidates,
)
from watchbook.text import arabic_numerals, fold, name_forms, number_marks, title_key

if TYPE_CHECKING:
    from watchbook.index.searchdata import EntrySummary

_TRAILING_YEAR = r"^(?P<title>.+?)\s*[\(\[]?(?P<year>(18|19|20)\d\d)[\)\]]?$"
# QUERY resolution: a match that is not exact is used when it scores at least FUZZY_FLOOR and
# no other entry of the same kind of match comes within CLEAR_MARGIN of it.
FUZZY_FLOOR = 80.0
CLEAR_MARGIN = 6.0
SUGGEST_FLOOR = 55.0
# The most results one search gives.
MAX_LIMIT = 1_000_000
# search: weaker name matches are left out; field weights relative to a name.
NAME_FLOOR = 45.0
CREATOR_WEIGHT = 0.9
TAG_WEIGHT = 0.8
# The last pass's WRatio (0-100) is scaled into 0-40, below every other match.
LAST_PASS_WEIGHT = 0.4
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


class KeyField(IntEnum):
    """The kinds of folded key an entry is found by."""

    NAMES = 0  # titles and aliases, in each of their forms (text.name_forms)
    CREATORS = 1
    TAGS = 2
    WORKS = 3  # creators as recommend compares them (text.creator_key)


class KeyColumns(Protocol):
    """Folded keys of one kind, and the row ids of the entries under each (the index's)."""

    def columns(self, field: KeyField) -> tuple[list[str], Sequence[list[int]]]: ...


# Summaries of some entries by row id (what a search result needs without decoding the entry).
Summaries = Callable[[Iterable[int]], Mapping[int, "EntrySummary"]]


def require_query(query: str) -> list[str]:
    """The query's folded forms; InvalidValue when it holds no letter or digit to look for."""
    forms = query_forms(query)
    if not forms:
        raise InvalidValue("QUERY", f"must hold a letter or a digit to search for (got {query!r})")
    return forms


def name_keys(entry: Entry) -> list[str]:
    """Folded names a search finds the entry by: each form of its title and aliases."""
    keys: list[str] = []
    for name in (entry.title, *entry.aliases):
        for key in name_forms(name):
            if key not in keys:
                keys.append(key)
    return keys


# --- search -----------------------------------------------------------------------------------


class Hit:
    """One search result: which entry, how well, and through which field."""

    __slots__ = (
        "field", "key", "kind", "last_watched", "rowid", "score", "slug", "user_score",
    )  # fmt: skip

    def __init__(self, rowid: int, slug: str, match: NameMatch, field: str, key: str,
                 user_score: float | None = None, last_watched: int = 0) -> None:  # fmt: skip
        self.rowid, self.slug = rowid, slug
        self.kind, self.score = match
        self.field = field  # name, creator, tag, verdict, review
        self.key = key  # the folded name, creator or tag that matched ("" for text)
        self.user_score, self.last_watched = user_score, last_watched

    def sort_key(self) -> tuple[int, float, float, int, str]:
        """Best first: the kind of match, its score (to a tenth), your score, the latest viewing."""
        return (
            -self.kind,
            -round(self.score, 1),
            -(self.user_score if self.user_score is not None else -1.0),
            -self.last_watched,
            self.slug,
        )


# (row id, "verdict" or "review", words of the query found side by side there: 0 when apart).
TextSearch = Callable[[str, int], Sequence[tuple[int, str, int]]]
# The best match found for each entry so far, by row id: (match, field, folded key).
Found = dict[int, tuple[NameMatch, str, str]]


def name_candidates(forms: list[str], keys: list[str], limit: int) -> set[int]:
    """Positions of the keys worth scoring for any form of a query."""
    found: set[int] = set()
    for form in forms:
        found |= fuzzy_candidates(form, keys, limit) | word_candidates(form, keys, limit)
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
    # More than any journal holds changes nothing, and rapidfuzz takes a C long.
    limit = min(limit, MAX_LIMIT)
    filters = _Filters(kind, status, tag, min_score)
    typed = _rank(data, query, summaries, texts, filters, limit)
    title, year = split_year(query)
    if year is None:
        return typed
    # 'Dune (1984)', as QUERY takes it: that year's entry of the title first, when the title
    # alone finds one clearly ('Blade Runner 2049' names a title of 2017, not one of 2049).
    dated = _rank(
        data, title, summaries, texts, _Filters(kind, status, tag, min_score, year), limit
    )
    if not dated or dated[0].score < FUZZY_FLOOR:
        return typed
    first = {hit.rowid for hit in dated}
    return (dated + [hit for hit in typed if hit.rowid not in first])[:limit]


def _rank(
    data: KeyColumns,
    query: str,
    summaries: Summaries,
    texts: TextSearch | None,
    filters: _Filters,
    limit: int,
) -> list[Hit]:
    """rank() for the query as typed, with its filters."""
    forms = query_forms(query)
    if not forms:
        return []
    # Best match per entry first; what each entry is (kind, score, ...) is read afterwards,
    # for those entries only.
    best: Found = {}

    def offer(rowid: int, match: NameMatch, field: str, matched: str) -> None:
        if rowid not in best or match > best[rowid][0]:
            best[rowid] = (match, field, matched)

    pool = max(60, limit * 4)
    for column, weight, matched_by in (
        (KeyField.NAMES, 1.0, "name"),
        (KeyField.CREATORS, CREATOR_WEIGHT, "creator"),
    ):
        keys, rows = data.columns(column)
        for index in name_candidates(forms, keys, pool):
            found = best_match(forms, keys[index])
            if found.score >= NAME_FLOOR:
                for rowid in rows[index]:
                    offer(
                        rowid, found._replace(score=found.score * weight), matched_by, keys[index]
                    )
    tags, rows = data.columns(KeyField.TAGS)
    for index, name in enumerate(tags):
        found = best_match(forms, name, articles=False)
        if found.score >= 90.0:
            for rowid in rows[index]:
                offer(rowid, found._replace(score=found.score * TAG_WEIGHT), "tag", name)
    if texts is not None:
        for rowid, text_field, phrase_words in texts(query, pool):
            score = TEXT_SCORES[(text_field, min(phrase_words, 3))]
            offer(rowid, NameMatch(MatchKind.PARTIAL, score), text_field, "")
    hits = filters.hits(best, summaries)
    if len(hits) < limit:
        # The last pass: names the passes above missed, ordered by whole-string likeness.
        missed: Found = {}
        keys, rows = data.columns(KeyField.NAMES)
        for index, score in last_pass(query, keys, pool):
            match = NameMatch(MatchKind.PARTIAL, score * LAST_PASS_WEIGHT)
            for rowid in rows[index]:
                if rowid not in best and rowid not in missed:
                    missed[rowid] = (match, "name", keys[index])
        hits += filters.hits(missed, summaries)
    hits.sort(key=Hit.sort_key)
    return hits[:limit]


class _Filters:
    """search's --kind, --status, --tag and --min-score, applied to entry summaries."""

    def __init__(self, kind: str | None, status: str | None, tag: str | None,
                 min_score: float | None, year: int | None = None) -> None:  # fmt: skip
        self.kind, self.status, self.min_score, self.year = kind, status, min_score, year
        self.tag = fold(tag) if tag else None

    def hits(self, found: Found, summaries: Summaries) -> list[Hit]:
        """The entries found that pass the filters, as hits."""
        hits = []
        for rowid, record in summaries(found).items():
            if (
                (self.kind is None or record.kind == self.kind)
                and (self.status is None or record.status == self.status)
                and (self.tag is None or self.tag in record.tags)
                and (self.year is None or record.year == self.year)
                and (
                    self.min_score is None
                    or (record.score is not None and record.score >= self.min_score)
                )
            ):
                match, field, matched = found[rowid]
                hits.append(
                    Hit(rowid, record.slug, match, field, matched, record.score, record.last)
                )
        return hits


def describe(hit: Hit, entry: Entry) -> tuple[str, str]:
    """The field that matched ('title', 'alias', ...) and the words shown for it."""
    if hit.field == "name":
        if hit.key in name_forms(entry.title):
            return "title", entry.title
        for alias in entry.aliases:
            if hit.key in name_forms(alias):
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


class Resolution(NamedTuple):
    """What a QUERY names: one entry (exactly, or as the clearly best match), or candidates."""

    query: str
    # The entry meant, or None when several are about as likely (see `candidates`).
    entry: Entry | None
    # Named by its slug, or a title or alias that folds the same: no guess.
    exact: bool
    # The likeliest entries, best first (the entry itself first when there is one).
    candidates: tuple[Entry, ...]

    def chosen(self) -> Entry:
        """The entry; Ambiguous, naming the candidates, when there is none."""
        if self.entry is not None:
            return self.entry
        if self.exact:
            message = f"{len(self.candidates)} entries are called {self.query!r}"
        else:
            message = f"{self.query!r} matches several entries"
        raise Ambiguous(message, labels(self.candidates))


def labels(entries: Iterable[Entry]) -> list[str]:
    """Entries as a person tells them apart: 'The Matrix (1999) [the-matrix-1999]'."""
    return [f"{e.label} [{e.slug}]" for e in entries]


def split_year(query: str) -> tuple[str, int | None]:
    """A query without its trailing year ('dune 1984', 'Dune (1984)'), and the year."""
    match = re.match(_TRAILING_YEAR, query.strip())
    if match and match.group("title").strip():
        return match.group("title").strip(), int(match.group("year"))
    return query.strip(), None


def entry_match(forms: list[str], entry: Entry) -> NameMatch:
    """How well a query (its folded forms) matches an entry's title or aliases."""
    return max((best_match(forms, key) for key in name_keys(entry)), default=NO_MATCH)


def _suggestion_score(key: str, entry: Entry) -> float:
    """A looser likeness for 'Did you mean' (whole-string similarity counts too)."""
    from rapidfuzz import fuzz

    loose = max(
        (max(fuzz.ratio(key, k), fuzz.token_sort_ratio(key, k)) for k in name_keys(entry)),
        default=0.0,
    )
    return max(entry_match([key], entry).score, loose)


def find_entry(entries: Sequence[Entry], query: str) -> Entry:
    """The one entry QUERY means: a slug, a title or alias, or a clearly best fuzzy match."""
    return resolve_entry(entries, query).chosen()


def resolve_entry(
    entries: Sequence[Entry],
    query: str,
    unreadable: Sequence[InvalidFile] = (),
    stated: Mapping[str, str] | None = None,
) -> Resolution:
    """What QUERY names among these entries (see Resolution).

    A fuzzy match is used when it scores at least FUZZY_FLOOR (80) and no other entry with
    the same kind of match (whole words, prefix, typo) scores within CLEAR_MARGIN (6) of it.
    A file that does not parse is never passed over for another entry: when one of
    `unreadable` matches QUERY at least as well as the best entry, by its name or by the
    title it still states (`stated`, by file name), UnreadableMatch.
    """
    query = query.strip()
    require_query(query)
    slug = query.removesuffix(".toml")
    for entry in entries:
        if entry.slug == slug:
            return Resolution(query, entry, True, (entry,))
    broken = _broken_match(query, unreadable, stated or {})
    text, year = split_year(query)
    for candidate_text, candidate_year in ((query, None), (text, year)):
        wanted = set(name_forms(candidate_text))
        exact = sorted((e for e in entries if wanted & set(name_keys(e))), key=lambda e: e.slug)
        if candidate_year is not None:
            exact = [e for e in exact if e.year == candidate_year]
        if exact:
            _check_broken(query, broken, NameMatch(MatchKind.WHOLE, 100.0))
            return Resolution(query, exact[0] if len(exact) == 1 else None, True, tuple(exact))
    forms = require_query(text)
    pool = [e for e in entries if year is None or e.year in (None, year)]
    # A number in the query names one title of a run: another number is another title, never
    # a typo ('godfather part 3' is not Part II, nor the first film).
    numbers = number_marks(arabic_numerals(forms[0]))
    scored = sorted(
        (
            (entry_match(forms, e), e)
            for e in _plausible(pool, forms[0])
            if not numbers or any(number_marks(arabic_numerals(k)) == numbers for k in name_keys(e))
        ),
        key=lambda pair: (-pair[0].kind, -pair[0].score, pair[1].slug),
    )
    _check_broken(query, broken, scored[0][0] if scored else NO_MATCH)
    if scored and scored[0][0].score >= FUZZY_FLOOR:
        best = scored[0][0]
        close = tuple(
            e
            for m, e in scored
            if m.kind == best.kind
            and best.score - m.score < CLEAR_MARGIN
            and m.score >= FUZZY_FLOOR
        )
        if len(close) > 1:
            return Resolution(query, None, False, close)
        likely = tuple(e for m, e in scored[:5] if m.score >= SUGGEST_FLOOR)
        return Resolution(query, close[0], False, likely)
    suggested = sorted(
        ((_suggestion_score(forms[0], e), e) for e in _plausible(pool, forms[0], loose=True)),
        key=lambda p: -p[0],
    )
    suggestions = labels(e for s, e in suggested[:3] if s >= SUGGEST_FLOOR)
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
    keep = {keys[i] for i in name_candidates([key], keys, 60)}
    if key in names:
        keep.add(key)
    if loose:
        keep.update(
            choice
            for choice, _s, _i in process.extract(
                key, keys, scorer=fuzz.token_sort_ratio, processor=None, limit=10
            )
        )
    chosen: dict[str, Entry] = {}
    for name in keep:
        for entry in names[name]:
            chosen[entry.slug] = entry
    return list(chosen.values())


# A file's name as the title it was made from: 'the-matrix-1999-2.toml' -> 'the matrix'.
_SLUG_TAIL = r"(?:-(?:18|19|20)\d\d)?(?:-\d{1,3})?$"


def _broken_match(
    query: str, unreadable: Sequence[InvalidFile], stated: Mapping[str, str]
) -> tuple[NameMatch, InvalidFile] | None:
    """The file that does not parse which QUERY matches best, if any matches well."""
    slug = query.removesuffix(".toml")
    forms = query_forms(query)
    best: tuple[NameMatch, InvalidFile] | None = None
    for problem in unreadable:
        stem = problem.path.removesuffix(".toml")
        if stem == slug:
            raise UnreadableMatch(query, problem)
        names = {stem.replace("-", " "), re.sub(_SLUG_TAIL, "", stem).replace("-", " ")}
        names.update(name_forms(stated.get(problem.path, "")))
        match = max(best_match(forms, name) for name in names)
        if match.score >= FUZZY_FLOOR and (best is None or match > best[0]):
            best = (match, problem)
    return best


def _check_broken(
    query: str, broken: tuple[NameMatch, InvalidFile] | None, entry_match: NameMatch
) -> None:
    """UnreadableMatch when the unreadable file matches QUERY at least as well as any entry."""
    if broken is not None and broken[0] >= entry_match:
        raise UnreadableMatch(query, broken[1])


def find_similar(entries: Sequence[Entry], title: str, year: int | None) -> Entry | None:
    """An existing entry that is probably the same title (for add's duplicate check)."""
    from rapidfuzz import fuzz

    key = arabic_numerals(title_key(title))
    numbers = number_marks(key)
    best: tuple[float, Entry] | None = None
    for entry in entries:
        if year is not None and entry.year is not None and entry.year != year:
            continue
        others = (arabic_numerals(title_key(other)) for other in (entry.title, *entry.aliases))
        score = max(
            # 'Rocky II' and 'Rocky III' are near in spelling but are two films.
            (
                fuzz.ratio(key, other)
                for other in others
                if other and number_marks(other) == numbers
            ),
            default=0.0,
        )
        if score >= 92 and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None
