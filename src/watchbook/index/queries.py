"""What single commands ask of the index: entries for QUERYs, one entry with its links, a search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from watchbook.index.catalog import IndexLinkSource
from watchbook.index.store import read_index
from watchbook.search import require_query

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.index import Progress
    from watchbook.index.view import IndexView
    from watchbook.journal import Journal
    from watchbook.links import EntryLink
    from watchbook.search import Hit, Resolution


class EntryWithLinks(NamedTuple):
    """One entry, its links and backlinks, and the label of every entry they lead to."""

    entry: Entry
    outgoing: list[EntryLink]
    incoming: list[EntryLink]
    labels: dict[str, str]
    # Named exactly (slug, title, alias), not the clearly best match for a QUERY.
    exact: bool = True


def resolve_queries(
    journal: Journal, queries: Sequence[str], progress: Progress | None = None
) -> list[Resolution]:
    """What some QUERYs name, each resolved as `show` resolves it, read from the index."""
    for query in queries:
        require_query(query)

    def read(view: IndexView) -> list[Resolution]:
        view.problems()
        return [view.resolve(query) for query in queries]

    return read_index(journal, read, progress, links=False)


def derived_pair(
    journal: Journal, first_query: str, second_query: str, progress: Progress | None = None
) -> tuple[Entry, Entry, bool]:
    """Two entries QUERYs mean, and whether the index found a link between them."""
    require_query(first_query)
    require_query(second_query)

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
    require_query(query)

    def read(view: IndexView) -> EntryWithLinks:
        view.problems()
        resolution = view.resolve(query)
        entry = resolution.chosen()
        links = IndexLinkSource(view).links_of(entry.slug)
        outgoing = [k for k in links if k.source == entry.slug]
        incoming = [k for k in links if k.target == entry.slug]
        others = {k.target for k in outgoing} | {k.source for k in incoming}
        labels = {slug: other.label for slug, other in view.entries_by_slug(others).items()}
        return EntryWithLinks(entry, outgoing, incoming, labels, resolution.exact)

    return read_index(journal, read, progress)


def search_journal(
    journal: Journal, query: str, progress: Progress | None = None, **filters: Any
) -> list[tuple[Hit, Entry]]:
    """Rank a journal's entries for a query (through its index), with the entries found."""
    from watchbook.search import rank

    require_query(query)

    def read(view: IndexView) -> list[tuple[Hit, Entry]]:
        view.problems()
        hits = rank(view.search_data(), query, view.summaries, texts=view.text_matches, **filters)
        entries = view.entries_by_id(hit.rowid for hit in hits)
        return [(hit, entries[hit.rowid]) for hit in hits]

    return read_index(journal, read, progress, links=False)
