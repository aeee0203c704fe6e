"""What recommend reads from the index: holders of creators, links by kind, scored entries.

Each answer comes in the cheapest form SQLite can give it: the sqlite3 module spends several
thousand instructions on every row it hands over, so long lists come back joined into one string
per column, and the partial indexes of schema.INDEXES answer the common filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from watchbook.index.schema import chunks, marks

if TYPE_CHECKING:
    from watchbook.index.view import IndexView
    from watchbook.links import DerivedRow

_SCORED = "FROM entries INDEXED BY entries_liked WHERE status != 'planned' AND score >= 0"


def entry_scores(view: IndexView) -> list[tuple[str, str, float | None, int]]:
    """(slug, status, score, last viewing as an ordinal or 0) of every entry."""
    # From an index holding these columns: a scan of the entries themselves would read every
    # review on the way.
    return view.conn.execute(
        "SELECT slug, status, score, ifnull(last, 0) FROM entries INDEXED BY entries_records"
    ).fetchall()


def creator_holders(view: IndexView, key: str) -> list[str]:
    """Slugs of the entries with a creator key (text.creator_key)."""
    rows = view.conn.execute("SELECT slug FROM creators WHERE key = ?", (key,))
    return [slug for (slug,) in rows]


def slugs_by_id(view: IndexView) -> dict[int, str]:
    """Row id -> slug of every entry."""
    # Read from the slug index alone (the condition makes SQLite use it), which is far cheaper
    # than one table lookup per row.
    return dict(view.conn.execute("SELECT id, slug FROM entries WHERE slug > ''"))


def ids_and_slugs(view: IndexView, known: Iterable[Any], by_id: bool) -> dict[Any, Any]:
    """Row id -> slug of the entries with these ids (by_id), else slug -> row id (those found)."""
    given, other = ("id", "slug") if by_id else ("slug", "id")
    found: dict[Any, Any] = {}
    for chunk in chunks(sorted(set(known)), 500):
        sql = f"SELECT {given}, {other} FROM entries WHERE {given} IN ({marks(len(chunk))})"
        found.update(view.conn.execute(sql, chunk))
    return found


def planned_slugs(view: IndexView) -> list[str]:
    """Slugs of the entries on the watchlist."""
    rows = view.conn.execute(
        "SELECT slug FROM entries INDEXED BY entries_planned WHERE status = 'planned'"
    )
    return [slug for (slug,) in rows]


def derived_rows(view: IndexView, slugs: Iterable[str], kinds: Iterable[str]) -> set[DerivedRow]:
    """The derived rows of these kinds that start or end at any of these entries."""
    from watchbook.links import DerivedRow

    found: set[DerivedRow] = set()
    kinds = sorted(kinds)
    for chunk in chunks(sorted(set(slugs)), 400):
        where = f"IN ({marks(len(chunk))}) AND kind IN ({marks(len(kinds))})"
        found.update(
            map(
                DerivedRow._make,
                view.conn.execute(
                    f"SELECT source, target, kind, detail FROM derived WHERE source {where} "
                    f"UNION SELECT source, target, kind, detail FROM derived WHERE target {where}",
                    [*chunk, *kinds, *chunk, *kinds],
                ),
            )
        )
    return found


def scored_count(view: IndexView) -> int:
    """How many watched entries have a score."""
    return int(view.conn.execute(f"SELECT count(*) {_SCORED}").fetchone()[0])


def middle_scores(view: IndexView) -> list[float]:
    """The middle score of the watched, scored entries (two of them when their count is even)."""
    count = scored_count(view)
    if not count:
        return []
    rows = view.conn.execute(
        f"SELECT score {_SCORED} ORDER BY score LIMIT ? OFFSET ?",
        (2 - count % 2, (count - 1) // 2),
    )
    return [score for (score,) in rows]


def running_at_least(view: IndexView, threshold: float) -> list[str]:
    """Slugs of the entries being watched, with a run under way, scored at least `threshold`."""
    rows = view.conn.execute(
        "SELECT slug FROM entries INDEXED BY entries_running "
        "WHERE status = 'watching' AND running = 1 AND score >= ?",
        (threshold,),
    )
    return [slug for (slug,) in rows]


def scored_at_least(view: IndexView, threshold: float) -> list[tuple[int, str, float]]:
    """(row id, slug, score) of the watched entries scored at least `threshold`."""
    ids, slugs, scores = view.conn.execute(
        "SELECT group_concat(id), group_concat(slug, char(31)), group_concat(score) "
        f"{_SCORED} AND score >= ?",
        (threshold,),
    ).fetchone()
    if not ids:
        return []
    # A file name with a control character is never an entry, so char(31) splits cleanly.
    return list(
        zip(
            map(int, ids.split(",")),
            slugs.split("\x1f"),
            map(float, scores.split(",")),
            strict=True,
        )
    )


def reviewed_count(view: IndexView) -> int:
    """How many entries have a verdict or a review."""
    return int(view.conn.execute("SELECT count(*) FROM texts").fetchone()[0])


def review_frequency(view: IndexView, words: set[str]) -> dict[str, int]:
    """How many verdicts and reviews hold each of these words (from the full-text vocabulary)."""
    found: dict[str, int] = {}
    for chunk in chunks(sorted(words), 400):
        sql = f"SELECT term, doc FROM text_words WHERE term IN ({marks(len(chunk))})"
        found.update(view.conn.execute(sql, chunk))
    return found


_TASTE = "FROM entries INDEXED BY entries_taste WHERE status != 'planned' AND score >= 0"


def taste_rows(view: IndexView) -> tuple[list[int], list[str], list[float]]:
    """Row ids, slugs and scores of the watched, scored entries, column by column, slug order."""
    # From a covering index, as joined strings: one row, not thousands, crosses into Python;
    # scores are halves, sent as whole numbers (cheaper to write and to read back).
    ids, slugs, halves = view.conn.execute(
        "SELECT group_concat(id), group_concat(slug, char(31)), "
        f"group_concat(CAST(score * 2 AS INTEGER)) {_TASTE}"
    ).fetchone()
    if not ids:
        return [], [], []
    return (
        list(map(int, ids.split(","))),
        slugs.split("\x1f"),
        list(map((0.5).__mul__, map(int, halves.split(",")))),
    )


def taste_ratings(view: IndexView) -> dict[int, float]:
    """Row id -> community rating of the watched, scored entries that have one."""
    ids, ratings = view.conn.execute(
        f"SELECT group_concat(id), group_concat(community) {_TASTE} AND community IS NOT NULL"
    ).fetchone()
    if not ids:
        return {}
    return dict(zip(map(int, ids.split(",")), map(float, ratings.split(",")), strict=True))


def taste_groups(view: IndexView) -> list[tuple[int | None, str | None, int, float, int, float]]:
    """Per decade (year // 10) and kind of the scored entries: count, score sum, rated, rating sum."""
    # By kind and year, the order of an index, so SQLite adds up as it scans without sorting;
    # the years' rows are merged into decades here.
    rows = view.conn.execute(
        "SELECT kind, year, count(*), total(score), count(community), total(community) "
        "FROM entries INDEXED BY entries_groups WHERE status != 'planned' AND score >= 0 "
        "GROUP BY kind, year"
    )
    groups: dict[tuple[int | None, str | None], list[float]] = {}
    for kind, year, *sums in rows:
        key = (None if year is None else year // 10, kind)
        if key in groups:
            groups[key] = [a + b for a, b in zip(groups[key], sums, strict=True)]
        else:
            groups[key] = sums
    return [(decade, kind, int(n), s, int(r), c) for (decade, kind), (n, s, r, c) in groups.items()]
