"""Shell completion candidates, read from the index: entries for a QUERY, existing tags and creators.

Completion runs on every TAB, so it reads only what the index already holds (the folded search
keys and a few columns of the entries table) and decodes at most `LIMIT` entries. Each
candidate is (value, description): entries complete to their slug (unique, no spaces, and
every QUERY accepts it) described as 'Title (Year)'; tags and creators to their spelling in
the journal, described by how many entries use them.

Matching is fuzzy (a title's words being typed, typos, word order: the same scorer as
`search`), but when some candidates start with exactly what was typed, only those are
offered (case aside): a shell replaces the typed word with what the candidates have in common,
which must not be shorter than what is already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

# Every candidate comes from the up-to-date index, rebuilt once if damaged. No progress callback:
# nothing may be drawn while the shell waits for candidates.
from watchbook.index.store import read_index
from watchbook.search import KeyField

if TYPE_CHECKING:
    from watchbook.index.view import IndexView
    from watchbook.journal import Journal

LIMIT = 20
# Keys scored properly per pass of the fast matchers (the scorer is Python, they are C).
POOL = 60
# Weaker matches than this are not offered (search.NAME_FLOOR).
FLOOR = 45.0

Candidate = tuple[str, str]


def entries(journal: Journal, incomplete: str, limit: int = LIMIT) -> list[Candidate]:
    """(slug, 'Title (Year)') of the entries matching what is typed, best first."""
    return read_index(journal, links=False, read=lambda view: _entries(view, incomplete, limit))


def tags(journal: Journal, incomplete: str, limit: int = LIMIT) -> list[Candidate]:
    """(tag, 'N entries') of the journal's tags matching what is typed, best first."""
    return read_index(
        journal, links=False, read=lambda view: _words(view, KeyField.TAGS, incomplete, limit)
    )


def creators(journal: Journal, incomplete: str, limit: int = LIMIT) -> list[Candidate]:
    """(creator, 'N entries') of the journal's creators matching what is typed, best first."""
    return read_index(
        journal, links=False, read=lambda view: _words(view, KeyField.CREATORS, incomplete, limit)
    )


def choices(options: Sequence[str], incomplete: str) -> list[str]:
    """The fixed choices (kinds, statuses, ...) that start with what is typed, else contain it."""
    typed = incomplete.strip().casefold()
    starting = [o for o in options if o.startswith(typed)]
    return starting or [o for o in options if typed in o]


def _entries(view: IndexView, incomplete: str, limit: int) -> list[Candidate]:
    from watchbook.matching import query_key

    typed = incomplete.strip()
    if not typed:
        # Nothing typed yet: the latest viewings first.
        return _labels(view, view.latest_ids(limit))
    best: dict[int, float] = {}
    # A slug being typed (or pasted): its entries in slug order, from the slug index.
    lowered = typed.casefold()
    for rowid, slug in view.slugs_starting(lowered, POOL):
        best[rowid] = 100.0 if slug == lowered else 88.0 + 9.0 * len(lowered) / len(slug)
    key = query_key(typed)
    if key:
        keys, rows = view.search_data().columns(KeyField.NAMES)
        for score, at in _rank_keys(key, keys):
            for rowid in rows[at]:
                if score > best.get(rowid, 0.0):
                    best[rowid] = score
    if not best:
        return []
    records = view.summaries(best)

    def order(rowid: int) -> tuple[float, float, int, str]:
        record = records[rowid]
        # As search orders equal matches: your higher score, then the latest viewing.
        mine = record.score if record.score is not None else -1.0
        return (-round(best[rowid], 1), -mine, -record.last, record.slug)

    ranked = sorted((rowid for rowid in best if rowid in records), key=order)
    starting = [rowid for rowid in ranked if records[rowid].slug.startswith(lowered)]
    return _labels(view, (starting or ranked)[:limit])


def _labels(view: IndexView, rowids: list[int]) -> list[Candidate]:
    found = view.entries_by_id(rowids)
    return [(found[r].slug, found[r].label) for r in rowids if r in found]


def _words(view: IndexView, field: KeyField, incomplete: str, limit: int) -> list[Candidate]:
    """Tags or creators as the journal spells them, best first."""
    from watchbook.matching import query_key
    from watchbook.text import fold_name

    keys, rows = view.search_data().columns(field)

    counts: dict[int, int] = {}

    def uses(at: int) -> int:
        if at not in counts:
            counts[at] = len(rows[at])
        return counts[at]

    typed = incomplete.strip()
    key = query_key(typed)
    if not typed:
        ranked = sorted(range(len(keys)), key=lambda at: (-uses(at), keys[at]))
    elif key:
        # Best match first; among equals, the most used.
        scored = _rank_keys(key, keys)
        scored.sort(key=lambda s: (-round(s[0], 1), -uses(s[1]), keys[s[1]]))
        ranked = [at for _score, at in scored]
    else:
        return []
    # The key is folded ('sci fi'); the value is a spelling some entry uses ('Sci-Fi'). Twice
    # the limit: some may not start with what was typed once spelled out.
    shown = ranked[: limit * 2]
    first = {at: rows[at][0] for at in shown}
    found = view.entries_by_id(set(first.values()))
    candidates: list[Candidate] = []
    for at in shown:
        entry = found.get(first[at])
        names = (entry.tags if field == KeyField.TAGS else entry.creators) if entry else []
        spelling = next((n for n in names if fold_name(n) == keys[at]), keys[at])
        count = uses(at)
        candidates.append((spelling, f"{count} {'entry' if count == 1 else 'entries'}"))
    starting = [c for c in candidates if c[0].casefold().startswith(typed.casefold())]
    return (starting or candidates)[:limit]


def _rank_keys(key: str, keys: list[str]) -> list[tuple[float, int]]:
    """(score, position) of the folded keys matching a folded query, as search scores names."""
    from watchbook.matching import fuzzy_candidates, name_score

    found: set[int] = set()
    # Being typed: keys that start with the query, or have a word that does (shortest first:
    # the prefix scores best on them).
    spaced = " " + key
    typed = [at for at, k in enumerate(keys) if k.startswith(key) or spaced in k]
    found.update(sorted(typed, key=lambda at: len(keys[at]))[:POOL])
    found.update(fuzzy_candidates(key, keys, POOL))
    scored = ((name_score(key, keys[at]), at) for at in found)
    return [(score, at) for score, at in scored if score >= FLOOR]
