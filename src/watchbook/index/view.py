"""Reading the index: one consistent snapshot, and what commands read from it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from watchbook.errors import InvalidFile, UnreadableMatch
from watchbook.index.codec import decode_entry
from watchbook.index.schema import blob, chunks, history, links_due, marks, stored_listing_matches
from watchbook.index.searchdata import EntrySummary, SearchData
from watchbook.listing import listing_pieces
from watchbook.matching import query_forms
from watchbook.search import KeyField
from watchbook.text import split_words

if TYPE_CHECKING:
    import sqlite3

    from watchbook.entry import Entry
    from watchbook.index import Progress
    from watchbook.index.catalog import Catalog
    from watchbook.journal import Journal
    from watchbook.links import EntryLink
    from watchbook.listing import Listing
    from watchbook.search import Resolution

_SUMMARY_COLUMNS = "slug, year, kind, status, score, last, tags"


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
        try:
            pieces = listing_pieces(listing.raw)[1]
        except ValueError:
            return False
        return stored_listing_matches(self.conn, pieces)

    def close(self) -> None:
        """End the snapshot."""
        self.conn.close()

    def require_links(self) -> None:
        """Before reading links: derive them if the build left them for later."""
        if self._links_ready:
            return
        conn = self.conn
        if links_due(conn):
            from watchbook.index.build import derive_due_links

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

    # -- entries

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
        return entries_by_id(self.conn, list(ids))

    def entries_by_slug(self, slugs: Iterable[str]) -> dict[str, Entry]:
        """Some entries by slug (those that exist)."""
        found: dict[str, Entry] = {}
        for chunk in chunks(sorted(set(slugs))):
            for (data,) in self.conn.execute(
                f"SELECT data FROM entries WHERE slug IN ({marks(len(chunk))})", chunk
            ):
                entry = decode_entry(data)
                found[entry.slug] = entry
        return found

    def history(self) -> tuple[str, int]:
        """The index's lineage and generation: what a reader made from it is as of these."""
        return history(self.conn)

    def changed_since(self, generation: int) -> set[str]:
        """Slugs whose entry or derived links were written after that generation (same lineage)."""
        rows = self.conn.execute("SELECT slug FROM changes WHERE generation > ?", (generation,))
        return {slug for (slug,) in rows}

    def entry_count(self) -> int:
        """How many readable entries there are."""
        return int(self.conn.execute("SELECT count(*) FROM entries").fetchone()[0])

    def catalog(self) -> Catalog:
        """Entries, problems and (lazily) links."""
        from watchbook.index.catalog import Catalog, LinkSource

        problems = self.problems()
        entries = self.entries()
        source = LinkSource(self.conn, entries, before=self.require_links)
        return Catalog(entries, problems, link_source=source)

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
        for chunk in chunks(sorted(set(slugs))):
            sql = f"SELECT slug, year FROM entries WHERE slug IN ({marks(len(chunk))})"
            found.update(self.conn.execute(sql, chunk))
        return found

    # -- search

    def search_data(self) -> SearchData:
        """The search keys of every entry."""
        if self._search is None:
            self._search = SearchData.load(blob(self.conn, "search"))
        return self._search

    def find(self, query: str) -> Entry:
        """The entry QUERY means (Ambiguous when several are about as likely)."""
        return self.resolve(query).chosen()

    def resolve(self, query: str) -> Resolution:
        """What QUERY names, as search.resolve_entry() decides, reading only plausible entries."""
        from watchbook.search import Resolution, rank, require_query, resolve_entry, split_year

        forms = require_query(query)
        query = query.strip()
        slug = query.removesuffix(".toml")
        named = self.entries_by_slug([slug])
        if slug in named:
            return Resolution(query, named[slug], True, (named[slug],))
        data = self.search_data()
        text, _year = split_year(query)
        exact = {
            rowid
            for form in {*forms, *query_forms(text)}
            for rowid in data.rows_of(KeyField.NAMES, form)
        }
        if exact:
            # Entries with exactly this title or alias: resolve_entry picks one or says which.
            entries = list(self.entries_by_id(exact).values())
        else:
            hits = rank(data, query, self.summaries, limit=25)
            # Nothing close: the whole journal, so that the error can suggest spellings.
            entries = (
                list(self.entries_by_id(hit.rowid for hit in hits).values())
                if hits
                else self.entries()
            )
        unreadable = self.problems()
        stated = {
            problem.path: title
            for problem in unreadable
            if (title := self.journal.stated_title(problem.path))
        }
        try:
            return resolve_entry(entries, query, unreadable, stated)
        except UnreadableMatch as error:
            # The error names the file; it is not warned about again.
            self.journal.problems.pop(error.problem.path, None)
            raise

    def all_summaries(self) -> list[EntrySummary]:
        """The summary of every entry (tags folded), in slug order."""
        rows = self.conn.execute(f"SELECT {_SUMMARY_COLUMNS} FROM entries ORDER BY slug")
        return [EntrySummary(*fields) for fields in rows]

    def summaries(self, ids: Iterable[int]) -> dict[int, EntrySummary]:
        """Summaries of some entries, by row id."""
        found: dict[int, EntrySummary] = {}
        for chunk in chunks(sorted(set(ids))):
            for rowid, *fields in self.conn.execute(
                f"SELECT id, {_SUMMARY_COLUMNS} FROM entries WHERE id IN ({marks(len(chunk))})",
                chunk,
            ):
                found[rowid] = EntrySummary(*fields)
        return found

    def latest_ids(self, limit: int) -> list[int]:
        """Row ids of the entries watched most recently."""
        rows = self.conn.execute(
            "SELECT id FROM entries ORDER BY last DESC, slug LIMIT ?", (limit,)
        )
        return [rowid for (rowid,) in rows]

    def slugs_starting(self, prefix: str, limit: int) -> list[tuple[int, str]]:
        """(row id, slug) of the entries whose slug starts with a prefix, in slug order."""
        return self.conn.execute(
            "SELECT id, slug FROM entries WHERE slug >= ? AND slug < ? ORDER BY slug LIMIT ?",
            (prefix, prefix + "\U0010ffff", limit),
        ).fetchall()

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
            self.entry_count(),
            self.conn.execute("SELECT count(*) FROM problems").fetchone()[0],
            self.conn.execute("SELECT count(*) FROM derived").fetchone()[0],
        )


def entries_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Entry]:
    """Some entries by their row id."""
    found: dict[int, Entry] = {}
    for chunk in chunks(ids):
        for rowid, data in conn.execute(
            f"SELECT id, data FROM entries WHERE id IN ({marks(len(chunk))})", chunk
        ):
            found[rowid] = decode_entry(data)
    return found
