"""The whole journal at once (entries, unreadable files, links), for commands that need all of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from watchbook.errors import InvalidFile, NotFound

if TYPE_CHECKING:
    import sqlite3

    from watchbook.entry import Entry
    from watchbook.index.view import IndexView
    from watchbook.links import DerivedRow, EntryLink, LinkGraph

# The link machinery is imported only by what needs it, so that a warm `search` does not pay
# for it.


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

    @property
    def entries(self) -> Sequence[Entry]:  # type: ignore[override]
        """Every entry: only needed if the derived links cannot be read."""
        return self.view.entries()

    def _merge(self, rows: Iterable[tuple[str, str, str, str]]) -> list[EntryLink]:
        rows = list(rows)
        # Years of both ends (and whether they exist), for these rows only.
        self.years.update(self.view.years({end for row in rows for end in row[:2]}))
        return super()._merge(rows)
