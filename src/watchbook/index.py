"""The catalog every read command works from: entries, unreadable files, and links."""

from __future__ import annotations

from dataclasses import dataclass, field

from watchbook.entry import Entry
from watchbook.errors import InvalidFile, NotFound
from watchbook.journal import Journal
from watchbook.links import EntryLink, LinkGraph, user_links


@dataclass
class Catalog:
    """A consistent view of the journal: entries by slug, problems, and the link graph."""

    entries: list[Entry]
    problems: list[InvalidFile] = field(default_factory=list)
    links: list[EntryLink] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_slug = {e.slug: e for e in self.entries}
        self.graph = LinkGraph(self.links)

    def get(self, slug: str) -> Entry:
        """The entry with this slug."""
        try:
            return self._by_slug[slug]
        except KeyError:
            raise NotFound(f"no entry with id {slug!r}") from None

    def has(self, slug: str) -> bool:
        """True when an entry with this slug exists."""
        return slug in self._by_slug


def load_catalog(journal: Journal) -> Catalog:
    """Read the journal into a Catalog."""
    result = journal.load_all()
    return Catalog(result.entries, result.problems, user_links(result.entries))
