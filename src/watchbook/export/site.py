"""What every export format is built from: entries in a fixed order, page names, links, picks.

Nothing here depends on the order files were read or links were found, so the same journal
always gives the same pages: entries are ordered by title, links by the user's order first and
then by the target's title, and page names come from slugs by a fixed rule.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from watchbook.entry import Entry
from watchbook.links import EntryLink, LinkGraph
from watchbook.text import title_key

if TYPE_CHECKING:
    from watchbook.index.catalog import Catalog

# Page names are used as file names and as anchors: lowercase ASCII words and '-', short enough
# for any file system. A slug that fits is used as it is.
PAGE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
# Names an entry's page must not take: the index and the other files an export writes, the
# headings the single-file document uses as anchors, and names Windows cannot create.
RESERVED = frozenset(
    {
        "index",
        "readme",
        "watchbook",
        "letterboxd",
        "watchlist",
        "by-tag",
        "by-year",
        "entries",
        "review",
        "related",
        "linked-from",
        "recommended",
        "con",
        "prn",
        "aux",
        "nul",
        *(f"{p}{n}" for p in ("com", "lpt") for n in range(10)),
    }
)
HASH_LENGTH = 8
# How many recommendations a page shows.
TOP_RECOMMENDATIONS = 5
# How many `watchbook recommend QUERY` lists unless told otherwise.
RECOMMEND_LIMIT = 10

# (slug, how many) -> [(recommended slug, why)], best first.
Recommender = Callable[[str, int], Sequence[tuple[str, str]]]
# Above this many entries pages get no "Recommended" section unless asked for: `related`
# costs about 3 ms per page at 1,000 entries and grows with the journal (40 s at 10,000).
RECOMMEND_MAX_ENTRIES = 1000


def page_names(slugs: Iterable[str]) -> dict[str, str]:
    """A unique, safe page name for every slug: the slug itself when it is one, else a hashed form."""
    unique = sorted(set(slugs))
    names: dict[str, str] = {}
    taken: set[str] = set()
    # Safe slugs first, so an odd slug's hashed name can never push a normal one aside.
    for slug in unique:
        if PAGE_NAME.match(slug) and slug not in RESERVED:
            names[slug] = slug
            taken.add(slug)
    for slug in unique:
        if slug in names:
            continue
        base = _hashed_name(slug)
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        names[slug] = name
        taken.add(name)
    return names


def _hashed_name(slug: str) -> str:
    """A readable part of an odd slug (hand-made file names, reserved words) and its hash."""
    from watchbook.journal import make_slug

    digest = hashlib.sha1(slug.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_LENGTH]
    readable = make_slug(slug)[:60].strip("-")
    if not PAGE_NAME.match(readable) or readable.startswith("untitled-"):
        readable = "entry"
    return f"{readable}-{digest}"


def title_order(entry: Entry) -> tuple[str, int, str]:
    """Sort key by title (articles and accents ignored), then year and slug."""
    return (title_key(entry.title), entry.year or 0, entry.slug)


def score_order(entry: Entry) -> tuple[bool, float, str, int, str]:
    """Sort key: best score first, unscored last, then by title."""
    score = -float(entry.score) if entry.score is not None else 0.0
    return (entry.score is None, score, *title_order(entry))


@dataclass(frozen=True)
class Ref:
    """One line of a page's Related, Linked from or Recommended list."""

    slug: str
    why: str


class Site:
    """The catalog arranged for export: ordered entries, their page names and their links."""

    def __init__(
        self,
        entries: Sequence[Entry],
        links: Sequence[EntryLink],
        recommender: Recommender | None = None,
        *,
        pages: Mapping[str, str] | None = None,
        ranks: Mapping[str, int] | None = None,
    ) -> None:
        # `pages` and `ranks` make a Site of a few entries of a bigger journal (an incremental
        # HTML export): every entry's page name and place in title order, `links` every link
        # of the few.
        # Each entry's sort key, worked out once (the HTML cards keep it too).
        self.orders = {e.slug: title_order(e) for e in entries}
        self.entries = sorted(entries, key=lambda e: self.orders[e.slug])
        self.by_slug = {e.slug: e for e in self.entries}
        self.pages = dict(pages) if pages is not None else page_names(self.by_slug)
        self.graph = LinkGraph([k for k in links if k.source != k.target])
        self.recommender = recommender
        self._order = (
            dict(ranks) if ranks is not None else {e.slug: i for i, e in enumerate(self.entries)}
        )

    def _rank(self, slug: str) -> tuple[int, str]:
        # Entries by title; links to slugs that are not in the journal go last, by slug.
        return (self._order.get(slug, len(self._order)), slug)

    def outgoing(self, slug: str) -> list[EntryLink]:
        """Links from this entry: the user's own in the order written, then derived ones by title."""
        links = self.graph.outgoing(slug)
        own = [k for k in links if not k.derived]
        found = sorted((k for k in links if k.derived), key=lambda k: self._rank(k.target))
        return own + found

    def incoming(self, slug: str) -> list[EntryLink]:
        """Backlinks to this entry, by the linking entry's title (the user's own first)."""
        return sorted(
            self.graph.incoming(slug), key=lambda k: (*self._rank(k.source), k.derived, k.why)
        )

    def related(self, slug: str) -> list[Ref]:
        """One line per linked entry, every reason joined ('same studio; mentioned in the review')."""
        return _merge((k.target, k.why) for k in self.outgoing(slug))

    def linked_from(self, slug: str) -> list[Ref]:
        """One line per entry linking here, every reason joined."""
        return _merge((k.source, k.why) for k in self.incoming(slug))

    def recommended(self, slug: str) -> list[Ref]:
        """The top few recommendations from this entry, leaving out what the page already lists."""
        # Entries already under Related or Linked from are skipped, and so are planned ones (a page
        # recommends what its author has seen; the watchlist has its own section).
        if self.recommender is None or slug not in self.by_slug:
            return []
        shown = (
            {slug} | {r.slug for r in self.related(slug)} | {r.slug for r in self.linked_from(slug)}
        )
        # As many as `recommend` lists by default, and more only while planned entries and those
        # already shown leave fewer than five (each one left out used to cost the page a place).
        count = max(RECOMMEND_LIMIT, TOP_RECOMMENDATIONS + len(shown))
        while True:
            found = self.recommender(slug, count)
            picks = [
                (other, why)
                for other, why in found
                if other not in shown
                and other in self.by_slug
                and self.by_slug[other].status != "planned"
            ]
            if len(picks) >= TOP_RECOMMENDATIONS or len(found) < count:
                return _merge(picks)[:TOP_RECOMMENDATIONS]
            count *= 2


def _merge(pairs: Iterable[tuple[str, str]]) -> list[Ref]:
    """Join the reasons of pairs naming the same entry, keeping the first one's place."""
    merged: dict[str, str] = {}
    for slug, why in pairs:
        if slug not in merged:
            merged[slug] = why or ""
            continue
        # Rare (a link both written and derived): merge the '; '-separated reasons.
        parts = [p.strip() for p in merged[slug].split(";") if p.strip()]
        parts += [p for p in (q.strip() for q in (why or "").split(";")) if p and p not in parts]
        merged[slug] = "; ".join(parts)
    return [Ref(slug, why) for slug, why in merged.items()]


def load_recommender(catalog: Catalog, limit: int = RECOMMEND_MAX_ENTRIES) -> Recommender | None:
    """Recommendations from watchbook.recommend (`related`), or None for a big journal."""
    # `related` looks at every entry sharing a tag or creator, so its cost grows with the journal;
    # beyond `limit` entries None is returned (pass a bigger limit to force it).
    if len(catalog.entries) > limit:
        return None
    from watchbook.recommend.related import related
    from watchbook.recommend.sources import CatalogRelations

    relations = CatalogRelations(catalog)

    def recommender(slug: str, count: int) -> list[tuple[str, str]]:
        found = related(relations, catalog.get(slug), count)
        return [(r.entry.slug, "; ".join(r.reasons)) for r in found]

    return recommender
