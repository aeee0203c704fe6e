"""Relations read from the index: only what ranking needs, so a big journal is never loaded whole.

Everything goes through the index's own queries (watchbook.index.relations) and its search data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from watchbook.links import MENTION as MENTION_KIND
from watchbook.links import SERIES as SERIES_KIND
from watchbook.links import EntryLink
from watchbook.recommend.evidence import (
    LINKED,
    MENTION,
    SAME_SERIES,
    like_weight,
    liking,
    weight_of,
)
from watchbook.recommend.sources import Relations, ScoredEntry, added_up
from watchbook.recommend.taste import Sums, TasteRows
from watchbook.recommend.wording import ReviewWords
from watchbook.search import KeyField

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.index.view import IndexView
    from watchbook.search import Resolution


# The search data field holding each kind's inverted list.
_FIELDS = {"creator": KeyField.WORKS, "tag": KeyField.TAGS}


class IndexRelations(Relations):
    """Reads only what ranking needs from the index, so a big journal is never loaded whole."""

    def __init__(self, view: IndexView) -> None:
        super().__init__()
        self.view = view
        view.require_links()
        self.size = view.entry_count()
        self.index_derives = True
        self._entries: dict[str, Entry] = {}
        self._scores: list[ScoredEntry] | None = None
        self._slugs: dict[int, str] | None = None
        self._words: ReviewWords | None = None
        # Row id -> slug of the liked entries, once liked() has been asked.
        self._liked_ids: dict[int, str] | None = None
        # Row id -> score (and community rating) of the scored entries, once taste_rows() ran.
        self._scored_ids: dict[int, float] | None = None
        self._rated_ids: dict[int, float] = {}

    def entry_scores(self) -> Iterable[ScoredEntry]:
        from watchbook.index.relations import entry_scores

        if self._scores is None:
            self._scores = list(map(ScoredEntry._make, entry_scores(self.view)))
        return self._scores

    def _holders_of(self, kind: str, key: str) -> Iterable[str]:
        from watchbook.index.relations import creator_holders, slugs_by_id

        if kind == "creator":
            return creator_holders(self.view, key)
        if self._slugs is None:
            self._slugs = slugs_by_id(self.view)
        slugs = self._slugs
        rows = self.view.search_data().rows_of(_FIELDS[kind], key)
        return [slugs[i] for i in rows if i in slugs]

    def links_by_other(self, slug: str) -> dict[str, list[EntryLink]]:
        return self.links_for([slug])[slug]

    def _candidate_names(self, slugs: set[str]) -> dict[str, Hashable]:
        from watchbook.index.relations import ids_and_slugs

        # Evidence is added up by row id, from the inverted lists of the search data: only the
        # candidates that can make the cut are named, not every holder of a common tag.
        return ids_and_slugs(self.view, slugs, by_id=False)

    def _holder_keys(self, kind: str, key: str) -> Iterable[Hashable]:
        return self.view.search_data().row_array(_FIELDS[kind], key)

    def _candidate_slugs(self, candidates: list[Hashable]) -> dict[Hashable, str]:
        from watchbook.index.relations import ids_and_slugs

        found = super()._candidate_slugs(candidates)
        ids = [c for c in candidates if isinstance(c, int)]
        found.update(ids_and_slugs(self.view, ids, by_id=True))
        return found

    def links_for(self, slugs: Sequence[str]) -> dict[str, dict[str, list[EntryLink]]]:
        from watchbook.index.relations import derived_rows
        from watchbook.links import merge_rows

        wanted = set(slugs)
        # Shared creators are counted here with their rarity, not taken from the index.
        rows = derived_rows(self.view, wanted, (MENTION_KIND, SERIES_KIND))
        user, apart = self.view.user_ties()
        mine = [k for k in user if k.source in wanted or k.target in wanted]
        ends = wanted | {r.source for r in rows} | {r.target for r in rows}
        ends |= {k.source for k in mine} | {k.target for k in mine}
        years = self.view.years(ends)
        grouped: dict[str, dict[str, list[EntryLink]]] = {s: defaultdict(list) for s in wanted}
        ordered = sorted(rows, key=lambda r: (r.source, r.target, r.kind, r.detail))
        for link in mine + merge_rows(ordered, years, apart):
            for end, other in ((link.source, link.target), (link.target, link.source)):
                # Links to entries that do not exist (a slug mistyped by hand) tie nothing.
                if end in grouped and other != end and other in years:
                    grouped[end][other].append(link)
        return {s: dict(grouped[s]) for s in slugs}

    def load(self, slugs: Iterable[str]) -> dict[str, Entry]:
        slugs = list(slugs)
        self._entries.update(self.view.entries_by_slug(s for s in slugs if s not in self._entries))
        return {s: self._entries[s] for s in slugs if s in self._entries}

    def planned(self) -> list[Entry]:
        from watchbook.index.relations import planned_slugs

        slugs = planned_slugs(self.view)
        loaded = self.load(slugs)
        return [loaded[s] for s in slugs if s in loaded]

    def liked(self) -> dict[str, float]:
        from watchbook.index.relations import middle_scores, scored_at_least

        # The median is a step into the index of scored entries, the liked ones a range of it;
        # what liked_entries() would keep from every score.
        self._liked_ids = {}
        middle = middle_scores(self.view)
        if not middle:
            return {}
        rows = scored_at_least(self.view, liking(middle))
        self._liked_ids = {rowid: slug for rowid, slug, _score in rows}
        return {slug: like_weight(score) for _rowid, slug, score in rows}

    def liked_runs(self) -> list[str]:
        from watchbook.index.relations import middle_scores, running_at_least

        # The liked threshold from the middle score alone, and the few runs under way above
        # it: not every entry's score, nor entries without a run to continue.
        middle = middle_scores(self.view)
        return running_at_least(self.view, liking(middle)) if middle else []

    def taste_rows(self) -> TasteRows:
        from watchbook.index.relations import taste_groups, taste_ratings, taste_rows

        groups = [
            (decade, kind, Sums(titles, scores, rated, ratings))
            for decade, kind, titles, scores, rated, ratings in taste_groups(self.view)
        ]
        ids, slugs, scores = taste_rows(self.view)
        # Row id -> score and rating, for adding up the holders of a creator or tag.
        self._scored_ids = dict(zip(ids, scores, strict=True))
        by_slug = dict(zip(slugs, scores, strict=True))
        ratings: dict[str, float] = {}
        self._rated_ids = {}
        if any(sums.rated for _, _, sums in groups):
            self._rated_ids = taste_ratings(self.view)
            slug_of = dict(zip(ids, slugs, strict=True))
            ratings = {slug_of[i]: rating for i, rating in self._rated_ids.items()}
        self._scored = TasteRows(by_slug, ratings, groups)
        return self._scored

    def taste_sums(self, kind: str, key: str) -> Sums:
        scored, rated = self._scored_ids, self._rated_ids
        if scored is None:
            return super().taste_sums(kind, key)
        # From the row ids of the inverted list.
        return added_up(self.view.search_data().row_array(_FIELDS[kind], key), scored, rated)

    def holder_count(self, kind: str, key: str) -> int:
        if (kind, key) in self._holders:
            return len(self._holders[(kind, key)])
        return self.view.search_data().count_of(_FIELDS[kind], key)

    def liked_holders(self, kind: str, key: str, liked: Mapping[str, float]) -> frozenset[str]:
        found = self._liked.get((kind, key))
        ids = self._liked_ids
        if found is None and ids is not None:
            # From the row ids, naming only the liked holders; every step loops in C.
            rows = self.view.search_data().row_array(_FIELDS[kind], key)
            found = self._liked[(kind, key)] = frozenset(map(ids.__getitem__, ids.keys() & rows))
        return found if found is not None else super().liked_holders(kind, key, liked)

    def taste_links(
        self, slugs: Sequence[str], liked: Mapping[str, float]
    ) -> dict[str, dict[str, float]]:
        from watchbook.index.relations import derived_rows

        # What links_for() and link_weight() would give, from the derived rows' kinds alone: no
        # link objects are made for the hundreds of planned titles.
        wanted = set(slugs)
        user, apart = self.view.user_ties()
        mentions: set[tuple[str, str]] = set()
        series: set[tuple[str, str]] = set()
        # Shared creators (most rows) are counted by rarity instead.
        for a, b, kind, _detail in derived_rows(self.view, wanted, (MENTION_KIND, SERIES_KIND)):
            if a == b or (apart and frozenset((a, b)) in apart):
                continue
            if kind == MENTION_KIND:
                mentions.add((a, b))
            else:
                series.add((a, b) if a < b else (b, a))
        linked = {(k.source, k.target) for k in user if k.source != k.target}
        found: dict[str, dict[str, float]] = {slug: defaultdict(float) for slug in slugs}
        pieces = (
            (mentions, weight_of(MENTION)),
            (series, weight_of(SAME_SERIES)),
            # One piece however many links the user wrote between the two, as link_parts() says.
            ({(a, b) if a < b else (b, a) for a, b in linked}, weight_of(LINKED)),
        )
        for pairs, weight in pieces:
            for a, b in pairs:
                if a in wanted and b in liked:
                    found[a][b] += weight
                if b in wanted and a in liked:
                    found[b][a] += weight
        return {slug: dict(weights) for slug, weights in found.items()}

    def words(self) -> ReviewWords:
        from watchbook.index.relations import review_frequency, reviewed_count

        if self._words is None:
            view = self.view
            self._words = ReviewWords(reviewed_count(view), lambda w: review_frequency(view, w))
        return self._words

    def dismissed_pairs(self) -> Collection[frozenset[str]]:
        return self.view.user_ties()[1]

    def resolve(self, query: str) -> Resolution:
        """What QUERY names (as `show` resolves it), reading only plausible entries."""
        return self.view.resolve(query)
