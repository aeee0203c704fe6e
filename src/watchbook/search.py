"""Turning what a person types into entries: QUERY resolution for show, edit, rm and friends."""

from __future__ import annotations

import re
from collections.abc import Sequence

from watchbook.entry import Entry
from watchbook.errors import Ambiguous, NotFound
from watchbook.text import title_key

_TRAILING_YEAR = re.compile(r"^(?P<title>.+?)\s*[\(\[]?(?P<year>(18|19|20)\d\d)[\)\]]?$")
# A fuzzy match must reach this score (0-100) and beat the runner-up by the margin to be chosen.
FUZZY_FLOOR = 80.0
CLEAR_MARGIN = 6.0
SUGGEST_FLOOR = 55.0


def _keys(entry: Entry) -> list[str]:
    return [title_key(entry.title), *(title_key(alias) for alias in entry.aliases)]


def _split_year(query: str) -> tuple[str, int | None]:
    match = _TRAILING_YEAR.match(query.strip())
    if match and match.group("title").strip():
        return match.group("title").strip(), int(match.group("year"))
    return query.strip(), None


def fuzzy_title_score(query_key: str, entry: Entry) -> float:
    """How well a folded query matches an entry's title or aliases, 0-100."""
    from rapidfuzz import fuzz

    best = 0.0
    for key in _keys(entry):
        if not key:
            continue
        score = max(fuzz.ratio(query_key, key), fuzz.token_sort_ratio(query_key, key))
        if len(query_key) >= 4 and len(query_key) < len(key):
            # A partial title ("sidonia") is a good answer, but below a whole one.
            score = max(score, 0.9 * fuzz.partial_ratio(query_key, key))
        best = max(best, score)
    return best


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
    key = title_key(text)
    pool = [e for e in entries if year is None or e.year in (None, year)]
    scored = sorted(((fuzzy_title_score(key, e), e) for e in pool), key=lambda p: -p[0])
    if scored and scored[0][0] >= FUZZY_FLOOR:
        best = scored[0][0]
        close = [e for s, e in scored if best - s < CLEAR_MARGIN]
        if len(close) == 1:
            return close[0]
        raise Ambiguous(f"{query!r} matches several entries", _labels(close))
    suggestions = [e.label for s, e in scored[:3] if s >= SUGGEST_FLOOR]
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    raise NotFound(f"No entry {query!r}.{hint}", suggestions)


def find_similar(entries: Sequence[Entry], title: str, year: int | None) -> Entry | None:
    """An existing entry that is probably the same title (for add's duplicate check)."""
    from rapidfuzz import fuzz

    key = title_key(title)
    best: tuple[float, Entry] | None = None
    for entry in entries:
        if year is not None and entry.year is not None and entry.year != year:
            continue
        score = max((fuzz.ratio(key, other) for other in _keys(entry) if other), default=0.0)
        if score >= 92 and (best is None or score > best[0]):
            best = (score, entry)
    return best[1] if best else None


def _labels(entries: Sequence[Entry]) -> list[str]:
    return [f"{e.label} [{e.slug}]" for e in entries]
