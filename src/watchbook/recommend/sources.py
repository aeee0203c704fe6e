"""What recommending reads of a journal: Relations, and CatalogRelations over a Catalog in memory.

IndexRelations (recommend/indexed.py) reads the same from the index, and only what ranking
needs, so a big journal is never loaded whole.
"""

from __future__ import annotations

import functools
import heapq
import math
import operator
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from watchbook.entry import community_rating
from watchbook.links import EntryLink, dismissed_pairs
from watchbook.recommend.evidence import (
    CREATOR,
    TAG,
    Features,
    _score,
    best_candidates,
    evidence_totals,
    liked_entries,
    liking,
    link_weight,
    rarity,
    weight_of,
)
from watchbook.recommend.taste import Sums, TasteRows
from watchbook.recommend.wording import ReviewWords
from watchbook.text import creator_key, series_key, tag_key

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.index.catalog import Catalog
    from watchbook.search import Resolution


class ScoredEntry(NamedTuple):
    """The few facts about every entry that ranking reads without loading entries."""

    slug: str
    status: str
    score: float | None
    # The last viewing as a proleptic ordinal (date.toordinal()), 0 when never watched.
    last: int


class TasteFeature(NamedTuple):
    """A creator or tag as the watchlist uses it."""

    kind: str
    key: str
    # Its evidence (weight_of its rarity-scaled strength).
    amount: float
    # Held by more than watchlist_cap() entries: it finds no candidates by itself.
    frequent: bool
    liked_holders: frozenset[str]


class Relations:
    """What recommending reads from a journal; subclasses answer from a Catalog or the index."""

    size: int = 0
    # True when same-series ties arrive as derived links (which respect dismissals); else
    # titles are compared here.
    index_derives: bool = False

    def __init__(self) -> None:
        self._creator_keys: dict[str, str] = {}
        self._tag_keys: dict[str, str] = {}
        self._holders: dict[tuple[str, str], frozenset[str]] = {}
        self._liked: dict[tuple[str, str], frozenset[str]] = {}
        self._best: dict[tuple[str, str], list[str]] = {}
        self._taste: dict[tuple[str, str], TasteFeature] = {}
        self._features: dict[str, Features] = {}
        self._rarities: dict[tuple[str, str], float] = {}
        self._scored: TasteRows | None = None
        self._apart_from: dict[str, frozenset[str]] | None = None

    # -- to be provided

    def entry_scores(self) -> Iterable[ScoredEntry]:
        """Slug, status, score and last viewing of every entry."""
        raise NotImplementedError

    def _holders_of(self, kind: str, key: str) -> Iterable[str]:
        """Slugs of the entries with this creator key ("creator") or tag key ("tag")."""
        raise NotImplementedError

    def links_by_other(self, slug: str) -> dict[str, list[EntryLink]]:
        """Links from and to an entry, grouped by the entry at the other end."""
        raise NotImplementedError

    def load(self, slugs: Iterable[str]) -> dict[str, Entry]:
        """Whole entries by slug (missing ones left out)."""
        raise NotImplementedError

    def planned(self) -> list[Entry]:
        """The watchlist: every entry with status planned."""
        raise NotImplementedError

    def words(self) -> ReviewWords:
        """Review word statistics for this journal."""
        raise NotImplementedError

    def resolve(self, query: str) -> Resolution:
        """What QUERY names, as `show` resolves it."""
        raise NotImplementedError

    def taste_rows(self) -> TasteRows:
        """The score and community rating of every watched, scored entry, and their groups."""
        raise NotImplementedError

    def series_mates(self, entry: Entry) -> list[str]:
        """Entries of the same series found by title (only when the index derives no links)."""
        return []

    def dismissed_pairs(self) -> Collection[frozenset[str]]:
        """Every pair of entries whose derived ties the user dismissed (`unlink`)."""
        return ()

    # -- shared

    def apart(self, a: str, b: str) -> bool:
        """True when the user dismissed the derived ties between these two entries."""
        return frozenset((a, b)) in self.dismissed_pairs()

    def apart_from(self, slug: str) -> frozenset[str]:
        """The entries whose derived ties with this one the user dismissed."""
        if self._apart_from is None:
            # Once, from the few dismissed pairs: the watchlist asks for every planned title.
            found: dict[str, set[str]] = defaultdict(set)
            for pair in self.dismissed_pairs():
                if len(pair) == 2:
                    a, b = pair
                    found[a].add(b)
                    found[b].add(a)
            self._apart_from = {key: frozenset(others) for key, others in found.items()}
        return self._apart_from.get(slug, frozenset())

    def features(self, entry: Entry) -> Features:
        """Creator and tag keys of an entry (each distinct spelling is normalised once)."""
        found = self._features.get(entry.slug)
        if found is not None and found.entry is entry:
            return found
        features = self._features[entry.slug] = Features(entry=entry)
        for names, known, key_of, keyed in (
            (entry.creators, self._creator_keys, creator_key, features.creators),
            (entry.tags, self._tag_keys, tag_key, features.tags),
        ):
            for name in names:
                key = known.get(name)
                if key is None:
                    key = known[name] = key_of(name)
                if key:
                    keyed.setdefault(key, name)
        return features

    def rough_candidates(
        self,
        anchor: Entry,
        features: Features,
        links: Mapping[str, Sequence[EntryLink]],
        mates: Iterable[str],
        count: int,
    ) -> list[str]:
        """The `count` other entries with the most evidence_totals(), best first."""
        named = self._candidate_names({*links, *mates, anchor.slug})

        def key(slug: str) -> Hashable:
            # (Links reach only entries that exist; a slug not found would keep its name.)
            return named.get(slug, slug)

        total = evidence_totals(
            self,
            features,
            self._holder_keys,
            {key(other): group for other, group in links.items()},
            map(key, mates),
        )
        total.pop(key(anchor.slug), None)
        return best_candidates(total, count, self._candidate_slugs)

    # How rough_candidates names candidates while adding up: by slug here (the row ids of the
    # index in IndexRelations), and back to slugs for those that can make the cut.

    def _candidate_names(self, slugs: set[str]) -> dict[str, Hashable]:
        return {}

    def _holder_keys(self, kind: str, key: str) -> Iterable[Hashable]:
        return self.holders(kind, key)

    def _candidate_slugs(self, candidates: list[Hashable]) -> dict[Hashable, str]:
        return {c: c for c in candidates if isinstance(c, str)}

    def holders(self, kind: str, key: str) -> frozenset[str]:
        """The entries holding one creator or tag (cached)."""
        found = self._holders.get((kind, key))
        if found is None:
            found = self._holders[(kind, key)] = frozenset(self._holders_of(kind, key))
        return found

    def rarity(self, kind: str, key: str) -> float:
        """How rare a creator or tag is in this journal, 0-1 (cached)."""
        found = self._rarities.get((kind, key))
        if found is None:
            found = self._rarities[(kind, key)] = rarity(self.holder_count(kind, key), self.size)
        return found

    def liked_holders(self, kind: str, key: str, liked: Mapping[str, float]) -> frozenset[str]:
        """The holders of a creator or tag that are among the liked entries (cached)."""
        found = self._liked.get((kind, key))
        if found is None:
            found = self._liked[(kind, key)] = frozenset(self.holders(kind, key) & liked.keys())
        return found

    def best_liked(self, kind: str, key: str, liked: Mapping[str, float]) -> list[str]:
        """The 20 best-liked holders of a creator or tag (cached)."""
        found = self._best.get((kind, key))
        if found is None:
            holders = self.liked_holders(kind, key, liked)
            found = self._best[(kind, key)] = heapq.nsmallest(
                20, holders, key=lambda s: (-liked[s], s)
            )
        return found

    def taste_feature(
        self, kind: str, key: str, liked: Mapping[str, float], cap: int
    ) -> TasteFeature:
        """What a creator or tag adds to a watchlist tie, and who holds it among the liked."""
        # Cached: many planned titles share them.
        found = self._taste.get((kind, key))
        if found is None:
            weight = CREATOR if kind == "creator" else TAG
            found = self._taste[(kind, key)] = TasteFeature(
                kind,
                key,
                weight_of(weight * self.rarity(kind, key)),
                self.holder_count(kind, key) > cap,
                self.liked_holders(kind, key, liked),
            )
        return found

    def links_for(self, slugs: Sequence[str]) -> dict[str, dict[str, list[EntryLink]]]:
        """links_by_other() for several entries."""
        return {slug: self.links_by_other(slug) for slug in slugs}

    def liked(self) -> dict[str, float]:
        """Slug -> like weight of every entry the user scored highly."""
        return liked_entries(
            (r.slug, r.score)
            for r in self.entry_scores()
            if r.status != "planned" and r.score is not None
        )

    def liked_runs(self) -> list[str]:
        """Slugs of the liked entries being watched: at least those with a run under way."""
        rows = list(self.entry_scores())
        liked = liking([r.score for r in rows if r.score is not None and r.status != "planned"])
        return [r.slug for r in rows if r.status == "watching" and (r.score or 0.0) >= liked]

    def holder_count(self, kind: str, key: str) -> int:
        """How many entries hold a creator or tag."""
        return len(self.holders(kind, key))

    def taste_sums(self, kind: str, key: str) -> Sums:
        """The scores and community ratings of the scored holders of a creator or tag, added up."""
        rows = self._scored
        if rows is None:
            rows = self.taste_rows()
        return added_up(self.holders(kind, key), rows.scores, rows.ratings)

    def taste_links(
        self, slugs: Sequence[str], liked: Mapping[str, float]
    ) -> dict[str, dict[str, float]]:
        """For each entry, the evidence in its links (as weight_of sums) with each liked entry."""
        found: dict[str, dict[str, float]] = {}
        for slug, grouped in self.links_for(slugs).items():
            weights = {other: link_weight(group) for other, group in grouped.items()}
            # Links that carry no evidence here (shared creators, counted by rarity) tie nothing.
            found[slug] = {other: w for other, w in weights.items() if w and other in liked}
        return found


class CatalogRelations(Relations):
    """Inverted lists built in memory from a Catalog (any journal; used by tests and fallbacks)."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.entries = list(catalog.entries)
        self.size = len(self.entries)
        self._lists: dict[tuple[str, str], list[str]] = defaultdict(list)
        for entry in self.entries:
            features = self.features(entry)
            for key in features.creators:
                self._lists[("creator", key)].append(entry.slug)
            for key in features.tags:
                self._lists[("tag", key)].append(entry.slug)
        self.index_derives = any(link.derived for link in catalog.links)
        self._apart = dismissed_pairs(self.entries)
        self._words: ReviewWords | None = None
        self._series: dict[str, list[str]] | None = None

    def entry_scores(self) -> Iterable[ScoredEntry]:
        return (
            ScoredEntry(
                e.slug, e.status, _score(e), last.toordinal() if (last := e.last_watched) else 0
            )
            for e in self.entries
        )

    def _holders_of(self, kind: str, key: str) -> Iterable[str]:
        return self._lists.get((kind, key), ())

    def taste_rows(self) -> TasteRows:
        scored = sorted(
            (e for e in self.entries if e.status != "planned" and e.score is not None),
            key=lambda e: e.slug,
        )
        scores = {e.slug: float(e.score or 0) for e in scored}
        ratings = {e.slug: r for e in scored if (r := community_rating(e)) is not None}
        cells: dict[tuple[int | None, str | None], list[str]] = defaultdict(list)
        for e in scored:
            cells[(None if e.year is None else e.year // 10, e.kind)].append(e.slug)
        groups = [
            (decade, kind, added_up(slugs, scores, ratings))
            for (decade, kind), slugs in cells.items()
        ]
        self._scored = TasteRows(scores, ratings, groups)
        return self._scored

    def links_by_other(self, slug: str) -> dict[str, list[EntryLink]]:
        grouped: dict[str, list[EntryLink]] = defaultdict(list)
        graph = self.catalog.graph
        for link in graph.outgoing(slug):
            if link.target != slug and self.catalog.has(link.target):
                grouped[link.target].append(link)
        for link in graph.incoming(slug):
            if link.source != slug and self.catalog.has(link.source):
                grouped[link.source].append(link)
        return grouped

    def load(self, slugs: Iterable[str]) -> dict[str, Entry]:
        return {s: self.catalog.get(s) for s in slugs if self.catalog.has(s)}

    def planned(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "planned"]

    def resolve(self, query: str) -> Resolution:
        from watchbook.search import resolve_entry

        return resolve_entry(self.entries, query, self.catalog.problems)

    def words(self) -> ReviewWords:
        if self._words is None:
            self._words = ReviewWords.sampled(self.entries)
        return self._words

    def series_mates(self, entry: Entry) -> list[str]:
        if self.index_derives:
            return []
        if self._series is None:
            # Every title's series key, once: comparing the key itself (not a quick test on the
            # raw title first) finds `G.I. Joe` and `Salem's Lot` sequels too.
            self._series = defaultdict(list)
            for other in self.entries:
                self._series[series_key(other.title)].append(other.slug)
        key = series_key(entry.title)
        if not key:
            return []
        return [slug for slug in self._series.get(key, ()) if slug != entry.slug]

    def dismissed_pairs(self) -> Collection[frozenset[str]]:
        return self._apart


def added_up(
    keys: Collection[Hashable], scores: Mapping[Any, float], ratings: Mapping[Any, float]
) -> Sums:
    """The scores and ratings of those of some titles (slugs or row ids) that have them."""
    # Every step loops in C. Scores are halves, so their sum is exact in any order, and
    # ratings are added exactly (fsum): the order the titles come in changes nothing.
    found = cast("list[float]", list(filter(_present, map(scores.get, keys))))
    rated = cast("list[float]", list(filter(_present, map(ratings.get, keys))) if ratings else [])
    return Sums(len(found), sum(found), len(rated), math.fsum(rated))


_present = functools.partial(operator.is_not, None)
