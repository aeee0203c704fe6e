"""The index: a disposable SQLite cache of the journal beside it, kept fresh by itself.

`<journal>/.watchbook/index.sqlite` holds every parsed entry (as marshal bytes), the files that
could not be read, the derived links, a full-text index of verdicts and reviews, and two
ready-made structures for warm commands (the folder listing it was built from, and search
keys). Every command lists the folder once (names, sizes, mtimes; see watchbook.listing) and
compares it with the stored listing; only files that were added, changed or removed are read
again, and an edit no link or key depends on rewrites one row. A missing, corrupt or
older-version index is rebuilt. Readers never wait (WAL); one writer at a time patches it under
SQLite's write lock, and rebuilding from scratch also takes `index.lock`. The TOML files stay
the only source of truth: deleting the index loses nothing.
"""

from __future__ import annotations

import array
import contextlib
import datetime as dt
import marshal
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from watchbook.entry import Entry, Link, dismissed
from watchbook.errors import Conflict, InvalidFile, NotFound
from watchbook.journal import Journal, printable_name
from watchbook.listing import (
    SUFFIX,
    Listing,
    ListingChanges,
    Stat,
    listing_bytes,
    listing_changes,
    patched_listing,
    read_listing,
)
from watchbook.search import name_keys
from watchbook.text import creator_key, fold_name, series_key, split_words

if TYPE_CHECKING:
    import sqlite3

    from watchbook.links import DerivedRow, EntryLink, LinkGraph, MentionFinder, MentionKey

# The link machinery (and its dataclasses) is imported only by what needs it, so that a warm
# `search` does not pay for it.

SCHEMA_VERSION = 8
INDEX_NAME = "index.sqlite"
LOCK_NAME = "index.lock"
LOCK_TIMEOUT = 60.0
# A file changed this recently may change again within the same mtime tick, unseen: keep
# re-reading it until it is older than this.
RACY_NS = 500_000_000
# Past this share of changed files, rebuilding everything is faster than patching.
REBUILD_SHARE = 0.3

Progress = Callable[[int, int], None]
_T = TypeVar("_T")


class Catalog:
    """A consistent view of the journal: entries by slug, problems, and the link graph."""

    def __init__(
        self,
        entries: Sequence[Entry],
        problems: Sequence[InvalidFile] | None = None,
        links: Sequence[EntryLink] | None = None,
        *,
        link_source: LinkSource | None = None,
    ) -> None:
        self.entries = list(entries)
        self.problems = list(problems or [])
        self._links = list(links) if links is not None else None
        self._link_source = link_source
        self._graph: LinkGraph | None = None
        self._by_slug = {e.slug: e for e in self.entries}

    @property
    def links(self) -> list[EntryLink]:
        """Every link: the user's own, then the derived ones (loaded on first use)."""
        if self._links is None:
            self._links = self._link_source.all_links() if self._link_source else []
        return self._links

    @links.setter
    def links(self, value: Sequence[EntryLink]) -> None:
        self._links, self._graph = list(value), None

    @property
    def graph(self) -> LinkGraph:
        """Links and backlinks by slug."""
        from watchbook.links import LazyLinkGraph, LinkGraph

        if self._graph is None:
            if self._links is None and self._link_source is not None:
                source = self._link_source
                self._graph = LazyLinkGraph(source.all_links, source.links_of)
            else:
                self._graph = LinkGraph(self.links)
        return self._graph

    def get(self, slug: str) -> Entry:
        """The entry with this slug."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise NotFound(f"no entry with id {slug!r}") from None

    def has(self, slug: str) -> bool:
        """True when an entry with this slug exists."""
        return slug in self._by_slug

    def derived_links(self) -> list[EntryLink]:
        """Only the links the index found (not dismissed)."""
        return [link for link in self.links if link.derived]


class LinkSource:
    """Derived rows from the index, merged into links with the user's own."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        entries: Sequence[Entry],
        before: Callable[[], None] | None = None,
    ) -> None:
        from watchbook.links import dismissed_pairs, user_links

        self.conn = conn
        # Called before the first query (the view derives links a build left for later).
        self.before = before
        self.entries = entries
        self.years = {e.slug: e.year for e in entries}
        self.dismissed = dismissed_pairs(entries)
        self.user = user_links(entries)
        self._rows: list[DerivedRow] | None = None

    def _merge(self, rows: Iterable[tuple[str, str, str, str]]) -> list[EntryLink]:
        from watchbook.links import DerivedRow, merge_rows

        return merge_rows(list(map(DerivedRow._make, rows)), self.years, self.dismissed)

    def _query(self, sql: str, *args: str) -> list[tuple[str, str, str, str]]:
        import sqlite3

        if self._rows is None:
            try:
                if self.before:
                    self.before()
                    self.before = None
                return self.conn.execute(sql, args).fetchall()
            except sqlite3.DatabaseError:
                # The index broke after it was opened: work the links out from the entries.
                from watchbook.links import derive_all

                self._rows = derive_all(self.entries)
        wanted = set(args)
        return [
            (r.source, r.target, r.kind, r.detail)
            for r in self._rows
            if not wanted or r.source in wanted or r.target in wanted
        ]

    def all_links(self) -> list[EntryLink]:
        """User links, then every derived link."""
        return self.user + self._merge(self._query(_SELECT_DERIVED))

    def links_of(self, slug: str) -> list[EntryLink]:
        """Every link starting or ending at one entry."""
        rows = self._query(
            f"{_SELECT_DERIVED} WHERE source = ? UNION ALL "
            f"{_SELECT_DERIVED} WHERE target = ? AND source != ?",
            slug,
            slug,
            slug,
        )
        user = [k for k in self.user if slug in (k.source, k.target)]
        return user + self._merge(rows)


_SELECT_DERIVED = "SELECT source, target, kind, detail FROM derived"


class IndexLinkSource(LinkSource):
    """The links of single entries from the index alone, without reading the whole journal."""

    def __init__(self, view: IndexView) -> None:
        self.conn = view.conn
        self.view = view
        self.before = view.require_links
        self.user, self.dismissed = view.user_ties()
        self.years = {}
        self._rows = None

    @property  # type: ignore[override]
    def entries(self) -> Sequence[Entry]:
        """Every entry: only needed if the derived links cannot be read."""
        return self.view.entries()

    def _merge(self, rows: Iterable[tuple[str, str, str, str]]) -> list[EntryLink]:
        rows = list(rows)
        # Years of both ends (and whether they exist), for these rows only.
        self.years.update(self.view.years({end for row in rows for end in row[:2]}))
        return super()._merge(rows)


class EntryWithLinks(NamedTuple):
    """One entry, its links and backlinks, and the label of every entry they lead to."""

    entry: Entry
    outgoing: list[EntryLink]
    incoming: list[EntryLink]
    labels: dict[str, str]


def find_entries(
    journal: Journal, queries: Sequence[str], progress: Progress | None = None
) -> list[Entry]:
    """The entries some QUERYs mean, each resolved as `show` does, read from the index."""

    def read(view: IndexView) -> list[Entry]:
        view.problems()
        return [view.find(query) for query in queries]

    return read_index(journal, read, progress, links=False)


def derived_pair(
    journal: Journal, first_query: str, second_query: str, progress: Progress | None = None
) -> tuple[Entry, Entry, bool]:
    """Two entries QUERYs mean, and whether the index found a link between them."""

    def read(view: IndexView) -> tuple[Entry, Entry, bool]:
        view.problems()
        first, second = view.find(first_query), view.find(second_query)
        pair = {first.slug, second.slug}
        links = IndexLinkSource(view).links_of(first.slug)
        return first, second, any(k.derived and {k.source, k.target} == pair for k in links)

    return read_index(journal, read, progress)


def entry_with_links(
    journal: Journal, query: str, progress: Progress | None = None
) -> EntryWithLinks:
    """The entry QUERY means, with its links both ways, read from the index (not every entry)."""

    def read(view: IndexView) -> EntryWithLinks:
        view.problems()
        entry = view.find(query)
        links = IndexLinkSource(view).links_of(entry.slug)
        outgoing = [k for k in links if k.source == entry.slug]
        incoming = [k for k in links if k.target == entry.slug]
        others = {k.target for k in outgoing} | {k.source for k in incoming}
        labels = {slug: other.label for slug, other in view.entries_by_slug(others).items()}
        return EntryWithLinks(entry, outgoing, incoming, labels)

    return read_index(journal, read, progress)


# --- public entry points ----------------------------------------------------------------------


class IndexDamaged(Exception):
    """The index file cannot be trusted (not SQLite, wrong version, failed checks)."""


# What reading a damaged index can raise (beyond what opening it checks): rebuild and retry.
DAMAGE = (IndexDamaged, ValueError, TypeError, KeyError, IndexError)


def load_catalog(
    journal: Journal, progress: Progress | None = None, *, links: bool = True
) -> Catalog:
    """The journal as a Catalog, from the index (brought up to date first; see Index.view)."""
    import sqlite3

    try:
        return open_index(journal, progress, links=links).catalog()
    except (sqlite3.DatabaseError, *DAMAGE):
        return open_index(journal, progress, rebuild=True, links=links).catalog()


def open_index(
    journal: Journal,
    progress: Progress | None = None,
    *,
    rebuild: bool = False,
    links: bool = True,
) -> IndexView:
    """An up-to-date, read-only view of the index (rebuilt first when asked or needed)."""
    index = Index(journal, progress)
    return index.view(rebuild=rebuild, links=links)


def read_index(
    journal: Journal,
    read: Callable[[IndexView], _T],
    progress: Progress | None = None,
    *,
    links: bool = True,
) -> _T:
    """Run `read` on an up-to-date view of the index, rebuilt once if it turns out damaged.

    `links=False` when `read` needs no links (see Index.view).
    """
    import sqlite3

    for rebuild in (False, True):
        view = open_index(journal, progress, rebuild=rebuild, links=links)
        try:
            return read(view)
        except (sqlite3.DatabaseError, *DAMAGE):
            if rebuild:
                raise
        finally:
            view.close()
    raise AssertionError("unreachable: the second try either returns or raises")


def reindex(journal: Journal, progress: Progress | None = None) -> IndexView:
    """Rebuild the index from the TOML files (never needed, but reassuring)."""
    return open_index(journal, progress, rebuild=True)


# --- entry encoding (type-preserving marshal) -------------------------------------------------


def _tag(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _tag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tag(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, text),) = value.items()
            if key == "$datetime":
                return dt.datetime.fromisoformat(text)
            if key == "$date":
                return dt.date.fromisoformat(text)
            if key == "$time":
                return dt.time.fromisoformat(text)
        return {k: _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


def encode_entry(entry: Entry) -> bytes:
    """The entry as compact bytes that decode back to an equal Entry."""
    data = [
        entry.title,
        entry.slug,
        entry.year,
        entry.kind,
        entry.status,
        entry.score,
        entry.verdict,
        [d.isoformat() for d in entry.watched],
        entry.tags,
        entry.creators,
        entry.aliases,
        entry.where,
        entry.review,
        entry.ids,
        [[k.to, k.why, _tag(k.extra)] for k in entry.links],
        _tag(entry.extra),
    ]
    # Marshal, not JSON: quicker to read back (`list` reads every entry) and no json import.
    # Version 2 has no back-references, so equal entries give equal bytes.
    return marshal.dumps(data, 2)


def decode_entry(data: bytes) -> Entry:
    """The Entry encode_entry() wrote (no re-validation: the index wrote it from a valid one)."""
    try:
        fields = marshal.loads(data)
    except (EOFError, TypeError) as exc:  # damaged: the caller rebuilds on ValueError
        raise ValueError(f"index entry unreadable: {exc}") from None
    (
        title, slug, year, kind, status, score, verdict, watched,
        tags, creators, aliases, where, review, ids, links, extra,
    ) = fields  # fmt: skip
    return Entry(
        title=title,
        slug=slug,
        year=year,
        kind=kind,
        status=status,
        score=score,
        verdict=verdict,
        watched=[dt.date.fromisoformat(d) for d in watched],
        tags=tags,
        creators=creators,
        aliases=aliases,
        where=where,
        review=review,
        ids=ids,
        links=[Link(to=to, why=why, extra=_untag(more)) for to, why, more in links],
        extra=_untag(extra) if extra else {},
    )


# --- search keys ------------------------------------------------------------------------------


SearchKeys = tuple[list[str], list[str], list[str], list[str]]


def search_keys(entry: Entry) -> SearchKeys:
    """The folded names, creators and tags a search finds an entry by, and its creator keys."""
    return (
        name_keys(entry),
        list(dict.fromkeys(k for k in (fold_name(c) for c in entry.creators) if k)),
        list(dict.fromkeys(k for k in (fold_name(t) for t in entry.tags) if k)),
        # As recommend matches creators (word order and company suffixes ignored).
        list(dict.fromkeys(k for k in (creator_key(c) for c in entry.creators) if k)),
    )


def entry_columns(entry: Entry) -> tuple[Any, ...]:
    """What search reads of an entry without decoding it: kind, status, score, viewing, tags."""
    last = entry.last_watched
    return (
        entry.kind,
        entry.status,
        entry.score,
        last.toordinal() if last else 0,
        "\x1f".join(dict.fromkeys(k for k in (fold_name(t) for t in entry.tags) if k)),
    )


class SearchData:
    """Row ids of entries by each folded name, creator and tag, and by creator key (one blob)."""

    # Stored as parallel lists (keys, row ids) that search hands to rapidfuzz as they are; the
    # dictionaries are only made when asked for (by an update, or a test). The creator keys are
    # the watchlist's inverted list of creators, read without one SQL row per holder.

    FIELDS = ("names", "creators", "tags", "works")

    def __init__(
        self,
        names: dict[str, list[int]] | None = None,
        creators: dict[str, list[int]] | None = None,
        tags: dict[str, list[int]] | None = None,
        works: dict[str, list[int]] | None = None,
    ) -> None:
        self._tables = [names or {}, creators or {}, tags or {}, works or {}]
        self._columns: list[tuple[list[str], list[Rows]]] | None = None
        self._lookups: dict[int, dict[str, Rows]] = {}
        # Set by IndexView.search_data: row id -> Record, for the rows asked about.
        self.records: Callable[[Iterable[int]], dict[int, Record]] = lambda ids: {}

    def columns(self, field: int) -> tuple[list[str], list[Rows]]:
        """Keys and their packed row ids, as two lists (0 names, 1 creators, 2 tags, 3 works)."""
        # Unpack the row ids of one key with row_ids().
        if self._columns is not None:
            return self._columns[field]
        table = self._tables[field]
        return list(table), [_pack_rows(rows) for rows in table.values()]

    def rows_of(self, field: int, key: str) -> list[int]:
        """The row ids under one key (0 names, 1 creators, 2 tags, 3 works), the others packed."""
        return self.row_array(field, key).tolist()

    def count_of(self, field: int, key: str) -> int:
        """How many row ids one key has, without unpacking them."""
        if self._columns is None:
            return len(self._tables[field].get(key, ()))
        rows = self._lookup(field).get(key)
        if rows is None:
            return 0
        return 1 if isinstance(rows, int) else len(rows) // _ROW_SIZE

    def row_array(self, field: int, key: str) -> array.array[int]:
        """The row ids under one key as an array, for set operations in C."""
        if self._columns is None:
            return array.array("I", self._tables[field].get(key, ()))
        rows = self._lookup(field).get(key)
        return array.array("I") if rows is None else _row_array(rows)

    def _lookup(self, field: int) -> dict[str, Rows]:
        lookup = self._lookups.get(field)
        if lookup is None:
            assert self._columns is not None
            lookup = self._lookups[field] = dict(zip(*self._columns[field], strict=True))
        return lookup

    def _table(self, field: int) -> dict[str, list[int]]:
        self._lookups.clear()
        if self._columns is not None:
            self._tables = [
                {key: row_ids(rows) for key, rows in zip(*column, strict=True)}
                for column in self._columns
            ]
            self._columns = None
        return self._tables[field]

    @property
    def names(self) -> dict[str, list[int]]:
        """Row ids by folded title or alias."""
        return self._table(0)

    @property
    def creators(self) -> dict[str, list[int]]:
        """Row ids by folded creator."""
        return self._table(1)

    @property
    def tags(self) -> dict[str, list[int]]:
        """Row ids by folded tag."""
        return self._table(2)

    @property
    def works(self) -> dict[str, list[int]]:
        """Row ids by creator key (creator_key())."""
        return self._table(3)

    def add(self, rowid: int, keys: SearchKeys) -> None:
        """Index one entry under its keys."""
        self._lookups.clear()
        for field, words in enumerate(keys):
            if self._columns is None:
                table = self._tables[field]
                for key in words:
                    table.setdefault(key, []).append(rowid)
                continue
            # Patched in place: unpacking every key of a big journal costs more.
            column_keys, column_rows = self._columns[field]
            for key in words:
                try:
                    at = column_keys.index(key)
                except ValueError:
                    column_keys.append(key)
                    column_rows.append(rowid)
                else:
                    column_rows[at] = _pack_rows([*row_ids(column_rows[at]), rowid])

    def remove(self, rowid: int, keys: SearchKeys) -> None:
        """Forget one entry (filed under these keys)."""
        self._lookups.clear()
        for field, words in enumerate(keys):
            if self._columns is None:
                table = self._tables[field]
                for key in words:
                    rows = table.get(key)
                    if rows and rowid in rows:
                        rows.remove(rowid)
                        if not rows:
                            del table[key]
                continue
            column_keys, column_rows = self._columns[field]
            for key in words:
                try:
                    at = column_keys.index(key)
                except ValueError:
                    continue
                left = [r for r in row_ids(column_rows[at]) if r != rowid]
                if left:
                    column_rows[at] = _pack_rows(left)
                else:
                    del column_keys[at], column_rows[at]

    def dump(self) -> bytes:
        """The data as a blob."""
        return _pack([self.columns(field) for field in range(len(self.FIELDS))])

    @classmethod
    def load(cls, blob: bytes) -> SearchData:
        """The data from a blob (ValueError when damaged)."""
        columns = _unpack(blob)
        if len(columns) != len(cls.FIELDS) or any(len(k) != len(r) for k, r in columns):
            raise ValueError("index search data has the wrong shape")
        data = cls()
        data._columns = [(list(keys), list(rows)) for keys, rows in columns]
        return data


# The row ids of one key: most keys belong to one entry (an int); the others are packed as
# bytes, which load at once however many there are, and are unpacked only when needed.
Rows = int | bytes


_ROW_SIZE = array.array("I").itemsize


def _pack_rows(rows: list[int]) -> Rows:
    return rows[0] if len(rows) == 1 else array.array("I", rows).tobytes()


def row_ids(rows: Rows) -> list[int]:
    """The row ids of one key of SearchData.columns()."""
    return [rows] if isinstance(rows, int) else _row_array(rows).tolist()


def _row_array(rows: Rows) -> array.array[int]:
    if isinstance(rows, int):
        return array.array("I", (rows,))
    unpacked = array.array("I")
    unpacked.frombytes(rows)
    return unpacked


class Record:
    """What search knows of one entry without decoding it."""

    __slots__ = ("kind", "last", "score", "slug", "status", "tags", "year")

    def __init__(self, slug: str, year: int | None, kind: str | None, status: str,
                 score: float | None, last: int, tags: str) -> None:  # fmt: skip
        self.slug, self.year, self.kind, self.status = slug, year, kind, status
        self.score, self.last, self.tags = score, last, tags.split("\x1f") if tags else []

    @property
    def last_watched(self) -> dt.date | None:
        """The latest viewing, as Entry.last_watched gives it."""
        return dt.date.fromordinal(self.last) if self.last else None


def _pack(value: Any) -> bytes:
    return _with_checksum(marshal.dumps(value))


def _with_checksum(data: bytes) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big") + data


def _checked(blob: bytes) -> bytes:
    """A stored blob's data once its checksum is verified (ValueError when damaged)."""
    # SQLite pages carry no checksum; a damaged blob is refused rather than trusted.
    if len(blob) < 4 or zlib.crc32(blob[4:]).to_bytes(4, "big") != blob[:4]:
        raise ValueError("index blob checksum mismatch")
    return blob[4:]


def _unpack(blob: bytes) -> Any:
    try:
        return marshal.loads(_checked(blob))
    except (EOFError, TypeError) as exc:
        raise ValueError(str(exc)) from None


# --- the folder listing -----------------------------------------------------------------------


def stored_listing(listing: dict[str, Stat], read_at: int) -> dict[str, Stat]:
    """The listing to store: files changed just before they were read are marked racy."""
    # Such a file could be rewritten within the same mtime tick with the same size; a stored size
    # of -1 never matches a real one, so it is read again by the next command.
    racy_after = read_at - RACY_NS
    return {n: (size if mtime < racy_after else -1, mtime) for n, (size, mtime) in listing.items()}


# --- the index itself -------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, status TEXT, score REAL, last INTEGER,
    year INTEGER, kind TEXT, tags TEXT, tied INTEGER NOT NULL, series TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE TABLE problems (name TEXT PRIMARY KEY, message TEXT NOT NULL, line INTEGER);
CREATE TABLE mention_keys (
    gram TEXT NOT NULL, slug TEXT NOT NULL, tokens TEXT NOT NULL, typo_ok INTEGER NOT NULL,
    case_form TEXT NOT NULL
);
CREATE TABLE title_words (word TEXT NOT NULL, slug TEXT NOT NULL, typo INTEGER NOT NULL);
CREATE TABLE creators (key TEXT NOT NULL, slug TEXT NOT NULL, position INTEGER, name TEXT);
CREATE TABLE derived (
    source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,
    PRIMARY KEY (source, target, kind)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE texts USING fts5 (verdict, review, content='', tokenize='unicode61');
CREATE VIRTUAL TABLE text_words USING fts5vocab (texts, 'row');
"""
# Made once the tables are filled (sorting once is cheaper than keeping them up to date).
_INDEXES = """
CREATE INDEX entries_series ON entries (series);
CREATE INDEX entries_records ON entries (slug, status, score, last, year);
CREATE INDEX entries_tied ON entries (tied) WHERE tied = 1;
CREATE INDEX entries_planned ON entries (slug) WHERE status = 'planned';
CREATE INDEX entries_liked ON entries (score, slug) WHERE status != 'planned' AND score >= 0;
"""
_LINK_INDEXES = """
CREATE INDEX mention_keys_gram ON mention_keys (gram);
CREATE INDEX mention_keys_slug ON mention_keys (slug);
CREATE INDEX title_words_slug ON title_words (slug);
CREATE INDEX creators_key ON creators (key, slug);
CREATE INDEX creators_slug ON creators (slug);
CREATE INDEX derived_target ON derived (target);
"""
_TABLES = ("meta", "blobs", "entries", "problems", "mention_keys", "title_words", "creators",
           "derived", "texts", "text_words")  # fmt: skip


def fts_text(text: str | None) -> str:
    """The words of a verdict or review as the full-text index stores them."""
    return " ".join(split_words(text)) if text else ""


class Index:
    """The index file of one journal."""

    def __init__(self, journal: Journal, progress: Progress | None = None) -> None:
        self.journal = journal
        self.progress = progress
        self.path = journal.state_dir / Path(INDEX_NAME)

    # -- connections

    def _connect(self, path: str) -> sqlite3.Connection:
        import sqlite3

        conn = sqlite3.connect(path, timeout=LOCK_TIMEOUT, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 60000")
        # With WAL, NORMAL never corrupts; a crash may only lose the last update of a cache
        # that is checked against the files on every run anyway.
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _open_existing(self) -> sqlite3.Connection | None:
        """A connection to a trustworthy index file, or None when it must be rebuilt."""
        import sqlite3

        if not self.path.is_file():
            return None
        try:
            conn = self._connect(str(self.path))
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            if version != SCHEMA_VERSION or not tables.issuperset(_TABLES):
                conn.close()
                return None
            return conn
        except sqlite3.DatabaseError:
            return None

    def view(self, rebuild: bool = False, links: bool = True) -> IndexView:
        """Bring the index up to date and return a read view of it, with its links.

        `links=False`: the caller reads no links, so a build may leave them for later (and a
        reader of them derives them then; see IndexView.require_links).
        """
        import sqlite3

        listed = read_listing(self.journal.path)
        if not self.journal.path.is_dir():
            # No journal yet: nothing to cache, and reading must not create folders.
            return self._memory_view(listed.files, links)
        for _attempt in range(3):
            try:
                conn = None if rebuild else self._open_existing()
                if conn is not None:
                    view = IndexView(conn, self.journal, self.progress)
                    if view.listing_matches(listed):
                        return _with_links(view) if links else view
                    # The same connection patches it, once its read snapshot is over: closing
                    # it would checkpoint the log, and opening another costs as much again.
                    conn.execute("ROLLBACK")
                view = self._update(listed, rebuild, conn, links)
                return _with_links(view) if links else view
            except (sqlite3.DatabaseError, *DAMAGE):
                # Damaged beyond what an update repairs: start from nothing.
                rebuild = True
            except Conflict:
                # Another process holds the index for too long: answer from memory instead.
                return self._memory_view(listed.files, links)
            except OSError:
                if not self._writable():
                    return self._memory_view(listed.files, links)
                raise
        return self._memory_view(listed.files, links)

    def _writable(self) -> bool:
        try:
            self.journal.ensure()
        except OSError:
            return False
        return os.access(self.journal.state_dir, os.W_OK)

    def _memory_view(self, listing: dict[str, Stat], links: bool) -> IndexView:
        """A throwaway in-memory index (read-only journal, or none yet)."""
        conn = self._connect(":memory:")
        Builder(conn, self.journal, self.progress).build(listing, links)
        return IndexView(conn, self.journal, self.progress)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.journal.ensure()
        try:
            with FileLock(str(self.journal.state_dir / LOCK_NAME), timeout=LOCK_TIMEOUT):
                yield
        except Timeout:
            raise Conflict(
                f"another watchbook process has been updating the index for {LOCK_TIMEOUT:g}s"
            ) from None

    def _update(
        self,
        listed: Listing,
        rebuild: bool,
        conn: sqlite3.Connection | None = None,
        links: bool = True,
    ) -> IndexView:
        """Patch the index for what changed, or rebuild it (under the index lock)."""
        import sqlite3

        if conn is None and not rebuild:
            conn = self._open_existing()
        if conn is None:
            with self._lock():
                # Another process may have rebuilt it while this one waited for the lock.
                conn = None if rebuild else self._open_existing()
                if conn is None:
                    self._build_file(listed.files, links)
                    return IndexView(self._connect(str(self.path)), self.journal, self.progress)
        # A patch needs no lock file: SQLite's write lock lets one writer in at a time, and
        # what changed is worked out again once inside.
        try:
            conn.execute("BEGIN IMMEDIATE")
            changes = listing_changes(_checked(_blob(conn, "listing")), listed.raw)
            count = len(changes.changed) + len(changes.removed)
            if not count:
                conn.execute("COMMIT")
            elif count > max(50, REBUILD_SHARE * changes.total):
                conn.execute("ROLLBACK")
                Builder(conn, self.journal, self.progress).build(listed.files, links)
            else:
                Updater(conn, self.journal).apply(listed, changes)
                conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return IndexView(conn, self.journal, self.progress)

    def _build_file(self, listing: dict[str, Stat], links: bool) -> None:
        """Build a new index beside the old one and move it into place (under the index lock)."""
        # Nobody else can see the new file while it is written, so it is written the cheap way:
        # no rollback journal, no syncing on the way, a big page cache. It is synced once, turned
        # into a WAL database and closed before it replaces the old index.
        import sqlite3

        for stale in self.path.parent.glob(f"{INDEX_NAME}.*.tmp*"):
            # Left by a rebuild that was killed: only a holder of the lock builds.
            with contextlib.suppress(OSError):
                stale.unlink()
        temporary = self.path.with_name(f"{INDEX_NAME}.{os.getpid()}.tmp")
        conn = sqlite3.connect(str(temporary), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -65536")
            Builder(conn, self.journal, self.progress).build(listing, links)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.close()
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            self._remove_files()
            os.replace(temporary, self.path)
        except BaseException:
            conn.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{temporary}{suffix}")
            raise

    def _remove_files(self) -> None:
        # Only under the index lock: the database and its WAL files go together, so that a
        # stale WAL is never replayed into a fresh file.
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")


def _with_links(view: IndexView) -> IndexView:
    # Derived now, while the caller's progress bar is up, rather than at the first read.
    try:
        view.require_links()
    except BaseException:
        view.close()
        raise
    return view


def _blob(conn: sqlite3.Connection, name: str) -> bytes:
    row = conn.execute("SELECT data FROM blobs WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise IndexDamaged(f"the index has no {name}")
    return bytes(row[0])


class IndexView:
    """Read access to an up-to-date index, inside one read transaction (a consistent snapshot)."""

    def __init__(
        self, conn: sqlite3.Connection, journal: Journal, progress: Progress | None = None
    ) -> None:
        self.conn = conn
        self.journal = journal
        self.progress = progress
        self._links_ready = False
        self._search: SearchData | None = None
        self._ties: tuple[list[EntryLink], set[frozenset[str]]] | None = None
        if not conn.in_transaction:
            conn.execute("BEGIN")

    def listing_matches(self, listing: Listing) -> bool:
        """True when the folder is exactly as the index last saw it (one comparison of bytes)."""
        return _blob(self.conn, "listing")[4:] == listing.raw

    def close(self) -> None:
        """End the snapshot."""
        self.conn.close()

    def require_links(self) -> None:
        """Before reading links: derive them if the build left them for later."""
        if self._links_ready:
            return
        conn = self.conn
        if links_due(conn):
            # A write, between two snapshots; another process may be doing the same, and then
            # this one waits for it and finds nothing left to do.
            conn.execute("ROLLBACK")
            try:
                conn.execute("BEGIN IMMEDIATE")
                derive_due_links(conn, self.journal, self.progress)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            finally:
                conn.execute("BEGIN")
        self._links_ready = True

    # -- what commands read

    def problems(self) -> list[InvalidFile]:
        """Files that could not be read, by name (also recorded on the Journal for warnings)."""
        found = [
            InvalidFile(name, message, line)
            for name, message, line in self.conn.execute(
                "SELECT name, message, line FROM problems ORDER BY name"
            )
        ]
        self.journal.problems.update((p.path, p) for p in found)
        return found

    def entries(self) -> list[Entry]:
        """Every readable entry, in file-name order."""
        rows = self.conn.execute("SELECT data FROM entries ORDER BY slug").fetchall()
        return [decode_entry(data) for (data,) in rows]

    def entries_by_id(self, ids: Iterable[int]) -> dict[int, Entry]:
        """Some entries by their row id."""
        return _entries_by_id(self.conn, list(ids))

    def catalog(self) -> Catalog:
        """Entries, problems and (lazily) links."""
        problems = self.problems()
        entries = self.entries()
        source = LinkSource(self.conn, entries, before=self.require_links)
        return Catalog(entries, problems, link_source=source)

    def search_data(self) -> SearchData:
        """The search keys of every entry (records of entries are read when asked for)."""
        if self._search is None:
            self._search = SearchData.load(_blob(self.conn, "search"))
            self._search.records = self.records
        return self._search

    def entries_by_slug(self, slugs: Iterable[str]) -> dict[str, Entry]:
        """Some entries by slug (those that exist)."""
        found: dict[str, Entry] = {}
        for chunk in _chunks(sorted(set(slugs)), 500):
            marks = ",".join("?" * len(chunk))
            for (data,) in self.conn.execute(
                f"SELECT data FROM entries WHERE slug IN ({marks})", chunk
            ):
                entry = decode_entry(data)
                found[entry.slug] = entry
        return found

    def user_ties(self) -> tuple[list[EntryLink], set[frozenset[str]]]:
        """Every link written by hand and every dismissed pair (from the few files with any)."""
        from watchbook.links import dismissed_pairs, user_links

        if self._ties is None:
            # Only the entries with [[links]] or an `unlinked` list, which the index marks.
            rows = self.conn.execute("SELECT data FROM entries WHERE tied = 1")
            tied = [decode_entry(data) for (data,) in rows]
            self._ties = (user_links(tied), dismissed_pairs(tied))
        return self._ties

    def years(self, slugs: Iterable[str]) -> dict[str, int | None]:
        """Release years of some entries (only those that exist)."""
        found: dict[str, int | None] = {}
        for chunk in _chunks(sorted(set(slugs)), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT slug, year FROM entries WHERE slug IN ({marks})"
            found.update(self.conn.execute(sql, chunk))
        return found

    def find(self, query: str) -> Entry:
        """The entry QUERY means, as search.find_entry() decides, reading only plausible entries."""
        from watchbook.search import find_entry, rank
        from watchbook.text import title_key

        slug = query.strip().removesuffix(".toml")
        named = self.entries_by_slug([slug])
        if slug in named:
            return named[slug]
        data = self.search_data()
        exact = data.rows_of(0, title_key(query))
        if exact:
            # Entries with exactly this title or alias: find_entry picks one or says which.
            return find_entry(list(self.entries_by_id(exact).values()), query)
        hits = rank(data, query, limit=25)
        if not hits:
            # Nothing close: the whole journal, so that the error can suggest spellings.
            return find_entry(self.entries(), query)
        return find_entry(list(self.entries_by_id(hit.rowid for hit in hits).values()), query)

    def all_records(self) -> list[Record]:
        """The search record of every entry (tags folded), in slug order."""
        rows = self.conn.execute(
            "SELECT slug, year, kind, status, score, last, tags FROM entries ORDER BY slug"
        )
        return [Record(*fields) for fields in rows]

    def records(self, ids: Iterable[int]) -> dict[int, Record]:
        """Search records of some entries, by row id."""
        found: dict[int, Record] = {}
        for chunk in _chunks(sorted(set(ids)), 500):
            marks = ",".join("?" * len(chunk))
            for rowid, *fields in self.conn.execute(
                "SELECT id, slug, year, kind, status, score, last, tags FROM entries "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                found[rowid] = Record(*fields)
        return found

    def text_matches(self, query: str, limit: int) -> list[tuple[int, str, int]]:
        """Verdicts and reviews holding the query's words: (row id, column, phrase length)."""
        # The phrase length is the number of query words found side by side, 0 when the words are
        # all there but apart.
        words = split_words(query)
        if not words:
            return []
        phrase = '"' + " ".join(words) + '"'
        every = " AND ".join(f'"{w}"' for w in words)
        hits: dict[int, tuple[int, str, int]] = {}
        for length, expression in ((len(words), phrase), (0, every)):
            for column in ("verdict", "review"):
                sql = "SELECT rowid FROM texts WHERE texts MATCH ? ORDER BY bm25(texts) LIMIT ?"
                for (rowid,) in self.conn.execute(sql, (f"{column} : ({expression})", limit)):
                    hits.setdefault(rowid, (rowid, column, length))
            if len(words) == 1:
                break
        return list(hits.values())

    def counts(self) -> tuple[int, int, int]:
        """Entries, unreadable files, derived rows."""
        self.require_links()
        return (
            self.conn.execute("SELECT count(*) FROM entries").fetchone()[0],
            self.conn.execute("SELECT count(*) FROM problems").fetchone()[0],
            self.conn.execute("SELECT count(*) FROM derived").fetchone()[0],
        )


def _entries_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Entry]:
    found: dict[int, Entry] = {}
    for chunk in _chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        for rowid, data in conn.execute(
            f"SELECT id, data FROM entries WHERE id IN ({marks})", chunk
        ):
            found[rowid] = decode_entry(data)
    return found


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading files ----------------------------------------------------------------------------


def read_files(journal: Journal, names: Iterable[str]) -> tuple[list[Entry], list[InvalidFile]]:
    """Parse these entry files; the unreadable ones become problems."""
    entries: list[Entry] = []
    problems: list[InvalidFile] = []
    for name in sorted(names):
        try:
            entries.append(journal.read_path(journal.path / name))
        except InvalidFile as problem:
            problems.append(problem)
        except OSError as exc:
            problems.append(InvalidFile(name, f"cannot be read: {exc.strerror or exc}"))
    return entries, problems


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
        from watchbook.links import creator_names, mention_keys, mention_text
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
        from watchbook.links import MentionKey

        return [MentionKey(self.slug, *key) for key in self.keys]


class Prepared:
    """Everything the index stores about one parsed file, worked out in a worker process."""

    __slots__ = ("facts", "fts", "row", "search", "slug")

    def __init__(self, entry: Entry, links: bool) -> None:
        self.slug = entry.slug
        self.row = _entry_row(entry)
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
    entries, problems = read_files(Journal(folder), names)
    return [Prepared(e, links) for e in entries], [(p.path, p.reason, p.line) for p in problems]


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
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


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
        from watchbook.links import MentionFinder, group_keys, mention_rows

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
            for table in _TABLES[::-1]:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            _run_script(conn, _SCHEMA)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            facts: list[LinkFacts] = []
            search = SearchData()
            rowid = 0
            # Rows are written as parsed files arrive, and their bulk dropped right away.
            for ready, problems in self._read(sorted(listing), links):
                first = rowid + 1
                conn.executemany(
                    f"INSERT INTO entries VALUES ({_ENTRY_MARKS})",
                    [(rowid, *p.row) for rowid, p in enumerate(ready, start=first)],
                )
                conn.executemany(
                    "INSERT INTO texts (rowid, verdict, review) VALUES (?, ?, ?)",
                    [(rowid, *p.fts) for rowid, p in enumerate(ready, start=first) if p.fts],
                )
                conn.executemany("INSERT INTO problems VALUES (?, ?, ?)", problems)
                for rowid, item in enumerate(ready, start=first):
                    search.add(rowid, item.search)
                if links:
                    facts += [p.facts for p in ready if p.facts]
            if links:
                self.derive_links(facts)
            else:
                _put_blob(conn, LINKS_DUE, b"")
            _put_blob(conn, "search", search.dump())
            _put_listing(conn, listing_bytes(stored_listing(listing, read_at)))
            _run_script(conn, _INDEXES + _LINK_INDEXES)
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
        from watchbook.links import creator_rows_of, key_words, series_rows_of, typo_index

        conn = self.conn
        keys = [k for f in facts for k in f.mention_keys()]
        words = [(w, s, int(t)) for s, ks in _by_slug(keys) for w, t in key_words(ks)]
        typos = typo_index({(w, bool(t)) for w, _s, t in words})
        with self._scanning(facts, keys, typos) as mentions:
            # While reviews are scanned: the other links, and the tables behind them.
            derived = series_rows_of((f.slug, f.series, f.title) for f in facts)
            derived += creator_rows_of((f.slug, f.creators) for f in facts)
            conn.executemany("INSERT INTO mention_keys VALUES (?, ?, ?, ?, ?)", _key_rows(keys))
            conn.executemany("INSERT INTO title_words VALUES (?, ?, ?)", words)
            _put_blob(conn, "typos", _pack_typos(typos))
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
    # The tables are empty: filled first and indexed after, as a build does.
    for statement in _statements(_LINK_INDEXES):
        conn.execute(f"DROP INDEX {statement.split()[2]}")  # CREATE INDEX name ON ...
    Builder(conn, journal, progress).derive_links(facts, progress)
    _run_script(conn, _LINK_INDEXES)
    conn.execute("DELETE FROM blobs WHERE name = ?", (LINKS_DUE,))
    if progress:
        progress(3, 3)


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one (executescript would end the transaction)."""
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def links_due(conn: sqlite3.Connection) -> bool:
    """Whether the index was built without its links, which the first reader of them derives."""
    return conn.execute("SELECT 1 FROM blobs WHERE name = ?", (LINKS_DUE,)).fetchone() is not None


# Present in `blobs` while the links are yet to be derived: a build for a command that needs none
# of them (search, list, completion) leaves them to the first command that does.
LINKS_DUE = "links due"


Problem = tuple[str, str, "int | None"]


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
_ENTRY_MARKS = ",".join("?" * 11)
_ENTRY_COLUMNS = "slug, status, score, last, year, kind, tags, tied, series, data"


def _entry_row(entry: Entry) -> tuple[Any, ...]:
    kind, status, score, last, tags = entry_columns(entry)
    tied = int(bool(entry.links or dismissed(entry)))
    return (entry.slug, status, score, last, entry.year, kind, tags, tied,
            series_key(entry.title), encode_entry(entry))  # fmt: skip


def _key_rows(keys: Iterable[MentionKey]) -> list[tuple[str, str, str, int, str]]:
    return [(k.gram, k.slug, " ".join(k.tokens), int(k.typo_ok), k.case_form) for k in keys]


def _by_slug(keys: Iterable[MentionKey]) -> Iterator[tuple[str, list[MentionKey]]]:
    grouped: dict[str, list[MentionKey]] = {}
    for key in keys:
        grouped.setdefault(key.slug, []).append(key)
    yield from grouped.items()


def _pack_typos(index: Mapping[str, set[str]]) -> bytes:
    return _pack({variant: sorted(words) for variant, words in index.items()})


def _put_listing(conn: sqlite3.Connection, data: bytes) -> None:
    """Store a listing's bytes (listing_bytes), with a checksum."""
    _put_blob(conn, "listing", _with_checksum(data))


def _put_blob(conn: sqlite3.Connection, name: str, data: bytes) -> None:
    conn.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (name, data))


# --- patching what changed --------------------------------------------------------------------


class Updater:
    """Applies added, changed and removed files to the index (inside the caller's transaction)."""

    def __init__(self, conn: sqlite3.Connection, journal: Journal) -> None:
        self.conn = conn
        self.journal = journal

    def _old(self, slugs: Iterable[str]) -> dict[str, tuple[int, Entry]]:
        found: dict[str, tuple[int, Entry]] = {}
        wanted = list(slugs)
        for chunk in _chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for rowid, data in self.conn.execute(
                f"SELECT id, data FROM entries WHERE slug IN ({marks})", chunk
            ):
                entry = decode_entry(data)
                found[entry.slug] = (rowid, entry)
        return found

    def apply(self, listed: Listing, changes: ListingChanges) -> None:
        """Re-read changed files, forget removed ones, and refresh every derived link they touch."""
        conn = self.conn
        changed = set(changes.changed)
        names = changed | changes.removed
        # Only names that are text can be entries; the others are problems, nothing more.
        slugs = {n[: -len(SUFFIX)] for n in names if _is_text(n)}
        read_at = time.time_ns()
        new_entries, problems = read_files(self.journal, changed)
        new = {e.slug: e for e in new_entries}
        old = self._old(slugs)
        # Problems are stored under a printable name (file names may hold any bytes).
        for name in names:
            conn.execute("DELETE FROM problems WHERE name = ?", (printable_name(name),))
        conn.executemany(
            "INSERT INTO problems VALUES (?, ?, ?)",
            [(p.path, p.reason, p.line) for p in problems],
        )
        # An entry changed only where no link, search key or review text depends on it (a
        # score, a viewing, its status...) keeps its row id and everything else: the most
        # common edit rewrites one row.
        quiet = {s for s in slugs & old.keys() & new.keys() if _same_ties(old[s][1], new[s])}
        for slug in quiet:
            conn.execute(
                f"UPDATE entries SET ({_ENTRY_COLUMNS}) = ({_ENTRY_MARKS[2:]}) WHERE id = ?",
                (*_entry_row(new[slug]), old[slug][0]),
            )
        if slugs - quiet:
            self._relink(
                slugs - quiet,
                {s: e for s, e in new.items() if s not in quiet},
                {s: row for s, row in old.items() if s not in quiet},
            )
        # The folder as listed, with the files just read marked when they may change unseen.
        fresh = stored_listing(changes.changed, read_at)
        marks = {name: stat for name, stat in fresh.items() if stat != changes.changed[name]}
        _put_listing(
            conn, patched_listing(listed.raw, marks, changes.pieces) if marks else listed.raw
        )

    def _relink(
        self, slugs: set[str], new: dict[str, Entry], old: dict[str, tuple[int, Entry]]
    ) -> None:
        """Replace the rows, search keys, texts and derived links of entries that changed."""
        conn = self.conn
        search = SearchData.load(_blob(conn, "search"))
        for slug in slugs & old.keys():
            rowid, entry = old[slug]
            if entry.verdict or entry.review:
                conn.execute(
                    "INSERT INTO texts (texts, rowid, verdict, review) VALUES ('delete', ?, ?, ?)",
                    (rowid, fts_text(entry.verdict), fts_text(entry.review)),
                )
            conn.execute("DELETE FROM entries WHERE id = ?", (rowid,))
            search.remove(rowid, search_keys(entry))
        for entry in new.values():
            cursor = conn.execute(
                f"INSERT INTO entries ({_ENTRY_COLUMNS}) VALUES ({_ENTRY_MARKS[2:]})",
                _entry_row(entry),
            )
            rowid = int(cursor.lastrowid or 0)
            if entry.verdict or entry.review:
                conn.execute(
                    "INSERT INTO texts (rowid, verdict, review) VALUES (?, ?, ?)",
                    (rowid, fts_text(entry.verdict), fts_text(entry.review)),
                )
            search.add(rowid, search_keys(entry))
        _put_blob(conn, "search", search.dump())
        # Links still to be derived (by the first command that reads them) need no patching.
        if not links_due(conn):
            self._patch_links(slugs, new, {s: entry for s, (_rowid, entry) in old.items()})

    def _patch_links(self, slugs: set[str], new: dict[str, Entry], old: dict[str, Entry]) -> None:
        """Refresh the link tables and every derived link the changed entries touch."""
        from watchbook.links import (
            MENTION,
            SERIES,
            creator_names,
            key_words,
            mention_keys,
            typo_index,
        )

        conn = self.conn
        # Which names changed decides whose incoming mentions must be looked for again.
        renamed = {
            s
            for s in slugs
            if (s in old) != (s in new) or (s in old and _names(old[s]) != _names(new[s]))
        }
        # Creator keys before the change, to notice creators crossing the cap.
        touched_keys = {k for s in slugs if s in old for k in creator_names(old[s])}
        touched_keys |= {k for e in new.values() for k in creator_names(e)}
        before = self._creator_counts(touched_keys)
        for slug in slugs:
            # Title words only change with the names (below).
            for table in ("mention_keys", "creators"):
                conn.execute(f"DELETE FROM {table} WHERE slug = ?", (slug,))
            conn.execute("DELETE FROM derived WHERE source = ? AND kind = ?", (slug, MENTION))
            conn.execute(
                "DELETE FROM derived WHERE (source = ? OR target = ?) AND kind = ?",
                (slug, slug, SERIES),
            )
            if slug in renamed:
                conn.execute("DELETE FROM derived WHERE target = ? AND kind = ?", (slug, MENTION))
        keys_of = {slug: mention_keys(entry) for slug, entry in new.items()}
        for slug, entry in new.items():
            conn.executemany(
                "INSERT INTO mention_keys VALUES (?, ?, ?, ?, ?)", _key_rows(keys_of[slug])
            )
            conn.executemany(
                "INSERT INTO creators VALUES (?, ?, ?, ?)",
                [(k, slug, i, n) for i, (k, n) in enumerate(creator_names(entry).items())],
            )
        if renamed:
            # Titles changed: their words, and the typo neighbourhood built from all words.
            for slug in renamed:
                conn.execute("DELETE FROM title_words WHERE slug = ?", (slug,))
            conn.executemany(
                "INSERT INTO title_words VALUES (?, ?, ?)",
                [
                    (w, slug, int(t))
                    for slug in renamed
                    if slug in keys_of
                    for w, t in key_words(keys_of[slug])
                ],
            )
            rows = conn.execute("SELECT word, max(typo) FROM title_words GROUP BY word")
            _put_blob(conn, "typos", _pack_typos(typo_index((w, bool(t)) for w, t in rows)))
        old_keys = [k for s in renamed if s in old for k in mention_keys(old[s])]
        self._mentions(new, keys_of, renamed, old_keys)
        self._series(new)
        self._creators(slugs, touched_keys, before)

    # -- derived links

    def _finder(self) -> MentionFinder:
        from watchbook.links import MentionFinder, MentionKey, group_keys

        conn = self.conn

        neighbourhood: dict[str, list[str]] = _unpack(_blob(conn, "typos"))

        def variants(strings: set[str]) -> Mapping[str, set[str]]:
            return {s: set(neighbourhood[s]) for s in strings & neighbourhood.keys()}

        def grams(strings: set[str]) -> Mapping[str, Any]:
            keys: list[MentionKey] = []
            for chunk in _chunks(sorted(strings), 900):
                marks = ",".join("?" * len(chunk))
                keys.extend(
                    MentionKey(slug, tuple(tokens.split(" ")), bool(typo_ok), case_form)
                    for slug, tokens, typo_ok, case_form in conn.execute(
                        "SELECT slug, tokens, typo_ok, case_form FROM mention_keys "
                        f"WHERE gram IN ({marks})",
                        chunk,
                    )
                )
            return group_keys(keys)

        def doc_frequency(words: set[str]) -> Mapping[str, int]:
            found: dict[str, int] = {}
            for chunk in _chunks(sorted(words), 900):
                marks = ",".join("?" * len(chunk))
                found.update(
                    conn.execute(
                        f"SELECT term, doc FROM text_words WHERE term IN ({marks})", chunk
                    ).fetchall()
                )
            return found

        return MentionFinder(variants, grams, grams, doc_frequency)

    def _mentions(
        self,
        new: dict[str, Entry],
        keys_of: dict[str, list[MentionKey]],
        renamed: set[str],
        old_keys: list[MentionKey],
    ) -> None:
        from watchbook.links import MENTION, mention_text

        conn = self.conn
        finder = self._finder()
        # Reviews to scan again: every new or changed one, and every other one that may name
        # a title that appeared, disappeared or changed (a longer name can hide a shorter one,
        # so their mentions are recomputed whole).
        keys = [k for slug in renamed if slug in keys_of for k in keys_of[slug]] + old_keys
        candidates: set[int] = set()
        for key in keys:
            candidates |= self._texts_matching(key)
        found = _entries_by_id(conn, sorted(candidates))
        sources = [e for e in found.values() if e.slug not in new]
        sources += [e for e in new.values()]
        for entry in sources:
            conn.execute("DELETE FROM derived WHERE source = ? AND kind = ?", (entry.slug, MENTION))
            if entry.verdict or entry.review:
                targets = finder.find(mention_text(entry), entry.slug)
                conn.executemany(
                    "INSERT OR IGNORE INTO derived VALUES (?, ?, ?, '')",
                    [(entry.slug, t, MENTION) for t in sorted(targets)],
                )

    def _texts_matching(self, key: MentionKey) -> set[int]:
        """Row ids of verdicts and reviews that could name this key (a superset)."""
        words = list(key.tokens)
        if key.case_form and len(words) == 1:
            expressions = [f'"{words[0]}"']
        else:
            expressions = ['"' + " ".join(words) + '"']
            if key.typo_ok:
                for i in range(len(words)):
                    before, after = " ".join(words[:i]), " ".join(words[i + 1 :])
                    parts = [f'"{p}"' for p in (before, after) if p]
                    expressions.append(
                        f"NEAR({' '.join(parts)}, 1)" if len(parts) == 2 else parts[0]
                    )
        found: set[int] = set()
        for expression in expressions:
            found.update(
                rowid
                for (rowid,) in self.conn.execute(
                    "SELECT rowid FROM texts WHERE texts MATCH ?", (expression,)
                )
            )
        return found

    def _series(self, new: dict[str, Entry]) -> None:
        from watchbook.links import series_row

        conn = self.conn
        for slug, entry in new.items():
            key = series_key(entry.title)
            partners = conn.execute(
                "SELECT data FROM entries WHERE series = ? AND slug != ?", (key, slug)
            ).fetchall()
            for (data,) in partners:
                row = series_row(entry, decode_entry(data))
                conn.execute(
                    "INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)",
                    (row.source, row.target, row.kind, row.detail),
                )

    def _creator_counts(self, keys: Iterable[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in _chunks(sorted(set(keys)), 900):
            marks = ",".join("?" * len(chunk))
            counts.update(
                self.conn.execute(
                    f"SELECT key, count(*) FROM creators WHERE key IN ({marks}) GROUP BY key",
                    chunk,
                ).fetchall()
            )
        return counts

    def _creators(self, slugs: set[str], keys: set[str], before: dict[str, int]) -> None:
        from watchbook.links import CREATOR_CAP, CREATORS, creator_row

        conn = self.conn
        after = self._creator_counts(keys)
        crossed = {
            k for k in keys if (before.get(k, 0) <= CREATOR_CAP) != (after.get(k, 0) <= CREATOR_CAP)
        }
        # Entries whose creator links may change: the changed ones, and everyone holding a
        # creator that just became too common (or stopped being so).
        affected = set(slugs)
        for key in crossed:
            affected.update(
                s for (s,) in conn.execute("SELECT slug FROM creators WHERE key = ?", (key,))
            )
        for slug in affected:
            conn.execute(
                "DELETE FROM derived WHERE (source = ? OR target = ?) AND kind = ?",
                (slug, slug, CREATORS),
            )
        for slug in sorted(affected):
            shared: dict[str, dict[str, tuple[int, str]]] = {}
            mine = [k for (k,) in conn.execute("SELECT key FROM creators WHERE slug = ?", (slug,))]
            usable = [k for k, n in self._creator_counts(mine).items() if n <= CREATOR_CAP]
            marks = ",".join("?" * len(usable))
            rows = conn.execute(
                "SELECT other.slug, other.key, other.position, other.name, "
                "mine.position, mine.name FROM creators AS mine "
                "JOIN creators AS other ON other.key = mine.key AND other.slug != mine.slug "
                f"WHERE mine.slug = ? AND mine.key IN ({marks})",
                (slug, *usable),
            ).fetchall()
            for other, key, other_pos, other_name, my_pos, my_name in rows:
                # Names as the entry with the smaller slug writes them, in its order.
                shared.setdefault(other, {})[key] = (
                    (my_pos, my_name) if slug < other else (other_pos, other_name)
                )
            for other, names in shared.items():
                a, b = sorted((slug, other))
                row = creator_row(a, b, names.values())
                conn.execute(
                    "INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)",
                    (row.source, row.target, row.kind, row.detail),
                )


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _same_ties(before: Entry, after: Entry) -> bool:
    """Whether two versions of an entry agree on all that links, search keys and texts use."""
    return (before.title, before.aliases, before.year, before.creators, before.tags,
            before.verdict, before.review) == (after.title, after.aliases, after.year,
            after.creators, after.tags, after.verdict, after.review)  # fmt: skip


def _names(entry: Entry) -> list[tuple[str, ...]]:
    from watchbook.links import mention_keys

    return [(*k.tokens, k.case_form) for k in mention_keys(entry)]


# --- check ------------------------------------------------------------------------------------


def check_journal(journal: Journal, progress: Progress | None = None) -> dict[str, Any]:
    """Read every file again and report problems (with file and line) and suggested links."""
    from watchbook.links import likely_duplicates

    view = open_index(journal, progress, rebuild=True)
    catalog = view.catalog()
    problems: list[dict[str, Any]] = [
        {"kind": "invalid", "file": p.path, "line": p.line, "message": p.reason}
        for p in catalog.problems
    ]
    slugs = {e.slug for e in catalog.entries}
    for entry in catalog.entries:
        name = f"{entry.slug}{SUFFIX}"
        for link in entry.links:
            if link.to not in slugs:
                problems.append(
                    {
                        "kind": "missing-link",
                        "file": name,
                        "line": _line_of(
                            journal, name, f"to\\s*=\\s*[\"']{_re_escape(link.to)}[\"']"
                        ),
                        "message": f"links to {link.to!r}, which is not in the journal",
                    }
                )
        for other in dismissed(entry):
            if other not in slugs:
                problems.append(
                    {
                        "kind": "missing-link",
                        "file": name,
                        "line": _line_of(journal, name, r"unlinked\s*="),
                        "message": f"unlinked lists {other!r}, which is not in the journal",
                    }
                )
    for first, second, reason in likely_duplicates(catalog.entries):
        name = f"{first.slug}{SUFFIX}"
        problems.append(
            {
                "kind": "duplicate",
                "file": name,
                "line": _line_of(journal, name, r"title\s*="),
                "message": f"probably the same as {second.slug}{SUFFIX} ({reason})",
                "other": f"{second.slug}{SUFFIX}",
            }
        )
    written = {frozenset((k.source, k.target)) for k in catalog.links if not k.derived}
    suggestions = [
        {"from": k.source, "to": k.target, "why": k.why}
        for k in catalog.derived_links()
        if len(k.kinds) >= 2 and frozenset((k.source, k.target)) not in written
    ]
    problems.sort(key=lambda p: (p["file"], p["line"] or 0, p["kind"]))
    return {
        "ok": not problems,
        "files": len(catalog.entries) + len(catalog.problems),
        "problems": problems,
        "suggestions": suggestions,
    }


def _re_escape(text: str) -> str:
    import re

    return re.escape(text)


def _line_of(journal: Journal, name: str, pattern: str) -> int | None:
    """The first line of an entry file matching a pattern (for 'file:line' reports)."""
    import re

    try:
        text = (journal.path / name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    compiled = re.compile(rf"^\s*\[*\s*{pattern}")
    for number, line in enumerate(text.splitlines(), start=1):
        if compiled.search(line):
            return number
    return None
