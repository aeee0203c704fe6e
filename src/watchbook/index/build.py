"""Building an index from scratch: read every file, derive every link, write every table.

A journal of PARALLEL_MIN files or more is parsed, and its reviews scanned for mentions, in two
forked worker processes (Linux): both are pure Python and split cleanly by file. That is the
`parallel-build` trick (docs/benchmarks.md); `WATCHBOOK_OFF=parallel-build` does it all here.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from watchbook.errors import InvalidFile
from watchbook.index.codec import decode_entry
from watchbook.index.schema import (
    ENTRY_MARKS,
    INDEXES,
    LINK_INDEXES,
    LINKS_DUE,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
    add_history_triggers,
    drop_history_triggers,
    entry_row,
    fts_text,
    key_rows,
    links_due,
    new_lineage,
    pack_typos,
    put_blob,
    put_listing,
    run_script,
    statements,
    stored_listing,
)
from watchbook.index.searchdata import SearchData, SearchKeys, search_keys
from watchbook.listing import split_listing
from watchbook.text import series_key

if TYPE_CHECKING:
    import sqlite3

    from watchbook.entry import Entry
    from watchbook.index import Progress
    from watchbook.journal import Journal
    from watchbook.links import DerivedRow
    from watchbook.listing import Stat
    from watchbook.mentions import MentionFinder, MentionKey

Problem = tuple[str, str, "int | None"]


# --- building from scratch --------------------------------------------------------------------


# Rebuilds of at least this many files use two processes (fork, Linux only): parsing TOML and
# scanning reviews for mentions are pure Python and split cleanly by file.
PARALLEL_MIN = 2000
_CHUNKS = 16


class LinkFacts(NamedTuple):
    """What deriving links needs of one entry, in plain values (they cross between processes)."""

    slug: str
    keys: list[tuple[tuple[str, ...], bool, str]]
    creators: list[tuple[str, str]]
    series: str
    title: str
    text: str

    @classmethod
    def of(cls, entry: Entry) -> LinkFacts:
        """The facts of one entry."""
        from watchbook.links import creator_names
        from watchbook.mentions import mention_keys, mention_text
        from watchbook.text import title_key

        return cls(
            entry.slug,
            [(k.tokens, k.typo_ok, k.case_form) for k in mention_keys(entry)],
            list(creator_names(entry).items()),
            series_key(entry.title),
            title_key(entry.title),
            mention_text(entry),
        )

    def mention_keys(self) -> list[MentionKey]:
        """The entry's mention keys."""
        from watchbook.mentions import MentionKey

        return [MentionKey(self.slug, *key) for key in self.keys]


class Prepared:
    """Everything the index stores about one parsed file, worked out in a worker process."""

    __slots__ = ("facts", "fts", "row", "search", "slug")

    def __init__(self, entry: Entry, links: bool) -> None:
        self.slug = entry.slug
        self.row = entry_row(entry)
        # None when there is no text at all: the full-text table holds no row for it.
        has_text = entry.verdict or entry.review
        self.fts = (fts_text(entry.verdict), fts_text(entry.review)) if has_text else None
        self.search = search_keys(entry)
        self.facts = LinkFacts.of(entry) if links else None

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)


def _prepare(
    job: tuple[str, list[str], bool],
) -> tuple[list[Prepared], list[tuple[str, str, int | None]]]:
    """Parse some files of a journal (runs in a worker process)."""
    from watchbook.journal import Journal

    folder, names, links = job
    read = Journal(folder).read_files(names)
    return [Prepared(e, links) for e in read.entries], [
        (p.path, p.reason, p.line) for p in read.problems
    ]


# The finder and texts a forked scanning worker inherits from the parent.
_SCAN_JOB: tuple[MentionFinder, list[tuple[str, str]]] | None = None


def _scan(bounds: tuple[int, int]) -> tuple[list[tuple[str, list[Any]]], dict[str, int]]:
    """Scan some reviews for mentions (runs in a worker process)."""
    assert _SCAN_JOB is not None
    finder, texts = _SCAN_JOB
    # Counts of misspelt words in this part only (a worker may be given several parts).
    finder.seen.clear()
    scanned = [(slug, finder.scan(text, slug)) for slug, text in texts[bounds[0] : bounds[1]]]
    return scanned, dict(finder.seen)


def _parallel() -> bool:
    from watchbook.tricks import enabled

    # Fork is cheap and safe here: watchbook starts no threads (its progress bar has none).
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and enabled("parallel-build")


def _split(count: int, parts: int) -> list[tuple[int, int]]:
    step = max(1, -(-count // parts))
    return [(i, min(count, i + step)) for i in range(0, count, step)]


class Builder:
    """Fills an empty (or emptied) index from every file in the folder."""

    def __init__(
        self, conn: sqlite3.Connection, journal: Journal, progress: Progress | None
    ) -> None:
        self.conn = conn
        self.journal = journal
        self.progress = progress

    def _read(
        self, names: list[str], links: bool
    ) -> Iterator[tuple[list[Prepared], list[Problem]]]:
        total = len(names)
        # Reading is most of the time; the rest of the build counts as a last fifth.
        steps = total + total // 4
        folder = str(self.journal.path)
        jobs = [(folder, names[a:b], links) for a, b in _split(total, _CHUNKS)]
        done = 0
        with _pool(total) as pool:
            for ready, unreadable in pool(_prepare, jobs):
                # Problems a worker found go on this process's Journal too (for the warnings).
                for path, reason, line in unreadable:
                    self.journal.problems[path] = InvalidFile(path, reason, line)
                done += len(ready) + len(unreadable)
                if self.progress:
                    self.progress(done, steps)
                yield ready, unreadable

    @contextlib.contextmanager
    def _scanning(
        self, facts: list[LinkFacts], keys: list[MentionKey], typos: Mapping[str, set[str]]
    ) -> Iterator[Callable[[], list[DerivedRow]]]:
        """Scan every review for mentions meanwhile; yields a function that waits for the rows."""
        # In two worker processes when the journal is big, while this process goes on.
        from watchbook.links import mention_rows
        from watchbook.mentions import MentionFinder, group_keys

        global _SCAN_JOB
        by_gram = group_keys(keys)

        def variants(strings: set[str]) -> Mapping[str, set[str]]:
            return {s: typos[s] for s in strings & typos.keys()}

        def grams(strings: set[str]) -> Mapping[str, Any]:
            return {s: by_gram[s] for s in strings & by_gram.keys()}

        # As MentionFinder.from_keys() makes it, with the typo index worked out only once.
        finder = MentionFinder(variants, grams, grams)
        texts = [(f.slug, f.text) for f in facts if f.text]
        parts = _split(len(texts), 2)

        def rows(
            results: list[tuple[list[tuple[str, list[Any]]], dict[str, int]]],
        ) -> list[DerivedRow]:
            # Misspelt words are judged by their count over the whole journal.
            finder.seen.clear()
            for _part, seen in results:
                finder.seen.update(seen)
            return mention_rows(finder, [item for part, _seen in results for item in part])

        _SCAN_JOB = (finder, texts)
        try:
            if len(texts) < PARALLEL_MIN or not _parallel():
                results = [_scan(part) for part in parts]
                yield lambda: rows(results)
                return
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(2) as pool:
                pending = pool.map_async(_scan, parts)
                yield lambda: rows(pending.get())
        finally:
            _SCAN_JOB = None

    def build(self, listing: dict[str, Stat], links: bool = True) -> None:
        """Read every file and write every table, in one transaction (links: or mark them due)."""
        total = len(listing)
        read_at = time.time_ns()
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for table in TABLES[::-1]:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            run_script(conn, SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            facts: list[LinkFacts] = []
            keys: list[tuple[int, SearchKeys]] = []
            rowid = 0
            # Rows are written as parsed files arrive, and their bulk dropped right away.
            for ready, problems in self._read(sorted(listing), links):
                first = rowid + 1
                conn.executemany(
                    f"INSERT INTO entries VALUES ({ENTRY_MARKS})",
                    [(rowid, *p.row) for rowid, p in enumerate(ready, start=first)],
                )
                conn.executemany(
                    "INSERT INTO texts (rowid, verdict, review) VALUES (?, ?, ?)",
                    [(rowid, *p.fts) for rowid, p in enumerate(ready, start=first) if p.fts],
                )
                conn.executemany("INSERT INTO problems VALUES (?, ?, ?)", problems)
                for rowid, item in enumerate(ready, start=first):
                    keys.append((rowid, item.search))
                if links:
                    facts += [p.facts for p in ready if p.facts]
            if links:
                self.derive_links(facts)
            else:
                put_blob(conn, LINKS_DUE, b"")
            put_blob(conn, "search", SearchData.of_entries(keys).dump())
            put_listing(conn, split_listing(stored_listing(listing, read_at)))
            run_script(conn, INDEXES + LINK_INDEXES)
            new_lineage(conn)
            add_history_triggers(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        if self.progress:
            self.progress(total + total // 4, total + total // 4)

    def derive_links(self, facts: list[LinkFacts], progress: Progress | None = None) -> None:
        """Find every entry's links and write them, with the tables that keep them up to date.

        `progress` is told (2, 3) once only the review scan is left (see derive_due_links).
        """
        from watchbook.links import creator_rows_of, series_rows_of
        from watchbook.mentions import key_words, typo_index

        conn = self.conn
        keys = [k for f in facts for k in f.mention_keys()]
        words = [(w, s, int(t)) for s, ks in _by_slug(keys) for w, t in key_words(ks)]
        typos = typo_index({(w, bool(t)) for w, _s, t in words})
        with self._scanning(facts, keys, typos) as mentions:
            # While reviews are scanned: the other links, and the tables behind them.
            derived = series_rows_of((f.slug, f.series, f.title) for f in facts)
            derived += creator_rows_of((f.slug, f.creators) for f in facts)
            conn.executemany("INSERT INTO mention_keys VALUES (?, ?, ?, ?, ?)", key_rows(keys))
            conn.executemany("INSERT INTO title_words VALUES (?, ?, ?)", words)
            put_blob(conn, "typos", pack_typos(typos))
            conn.executemany(
                "INSERT INTO creators VALUES (?, ?, ?, ?)",
                [
                    (key, f.slug, position, name)
                    for f in facts
                    for position, (key, name) in enumerate(f.creators)
                ],
            )
            if progress:
                progress(2, 3)
            derived += mentions()
        conn.executemany(
            "INSERT OR IGNORE INTO derived VALUES (?, ?, ?, ?)",
            sorted((r.source, r.target, r.kind, r.detail) for r in derived),
        )


def derive_due_links(conn: sqlite3.Connection, journal: Journal, progress: Progress | None) -> None:
    """Derive the links a build left for later, from the entries the index holds (in a write)."""
    if not links_due(conn):
        return
    if progress:
        progress(0, 3)
    rows = conn.execute("SELECT data FROM entries ORDER BY id")
    facts = [LinkFacts.of(decode_entry(data)) for (data,) in rows]
    if progress:
        progress(1, 3)
    # The tables are empty: filled first and indexed after, as a build does. Every link is new,
    # so the history starts afresh rather than recording each one.
    for statement in statements(LINK_INDEXES):
        conn.execute(f"DROP INDEX {statement.split()[2]}")  # CREATE INDEX name ON ...
    drop_history_triggers(conn)
    Builder(conn, journal, progress).derive_links(facts, progress)
    run_script(conn, LINK_INDEXES)
    new_lineage(conn)
    add_history_triggers(conn)
    conn.execute("DELETE FROM blobs WHERE name = ?", (LINKS_DUE,))
    if progress:
        progress(3, 3)


def _serial(fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[Any]:
    return (fn(job) for job in jobs)


@contextlib.contextmanager
def _pool(size: int) -> Iterator[Callable[[Callable[[Any], Any], Sequence[Any]], Iterator[Any]]]:
    """Two forked worker processes for big jobs, else the current process."""
    if size < PARALLEL_MIN or not _parallel():
        yield _serial
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(2) as pool:
        yield pool.imap


# The small columns come first and the encoded entry last, so that reading them never walks it;
# `tied` marks the few entries with links written by hand or dismissed ones.
def _by_slug(keys: Iterable[MentionKey]) -> Iterator[tuple[str, list[MentionKey]]]:
    grouped: dict[str, list[MentionKey]] = {}
    for key in keys:
        grouped.setdefault(key.slug, []).append(key)
    yield from grouped.items()
