"""Links between entries: the user's own [[links]], and the graph that answers links and backlinks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from watchbook.entry import Entry


@dataclass(frozen=True)
class EntryLink:
    """A link from one entry to another; `derived` ones were found by the index, not written."""

    source: str
    target: str
    why: str
    derived: bool = False


def user_links(entries: Iterable[Entry]) -> list[EntryLink]:
    """The [[links]] written in the entry files, as EntryLinks."""
    return [
        EntryLink(source=e.slug, target=link.to, why=link.why or "", derived=False)
        for e in entries
        for link in e.links
    ]


class LinkGraph:
    """Outgoing links and backlinks by slug, over user and derived links alike."""

    def __init__(self, links: Sequence[EntryLink]) -> None:
        self.links = list(links)
        self._out: dict[str, list[EntryLink]] = defaultdict(list)
        self._in: dict[str, list[EntryLink]] = defaultdict(list)
        for link in self.links:
            self._out[link.source].append(link)
            self._in[link.target].append(link)

    def outgoing(self, slug: str) -> list[EntryLink]:
        """Links that start at this entry."""
        return list(self._out.get(slug, ()))

    def incoming(self, slug: str) -> list[EntryLink]:
        """Backlinks: links from other entries that point at this one."""
        return list(self._in.get(slug, ()))
