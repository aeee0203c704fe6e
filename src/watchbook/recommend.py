"""Recommendations: what an entry relates to and why, and the watchlist ordered by taste.

Every tie between two entries is a piece of evidence with a strength between 0 and 1: a link
the user wrote, a link the index derived (a mention in a review, the same series), the
creators and tags they share, and how alike their reviews read. Pieces are combined like
independent chances (a noisy-OR: 1 - product of (1 - strength)), so the result stays in 0-1
and every extra piece raises it.

Shared creators and tags are weighted by how rare they are in this journal: a creator on two
entries says a lot, the tag every entry carries says almost nothing. Rarity is an IDF scaled
to 0-1: ln((N - 1) / (holders - 1)) / ln(N - 1), which is 1 when no third entry holds the
feature and 0 when every entry does. Candidates are only the entries reachable from the
query through inverted lists (holders of each creator and tag, links), never the whole
journal pairwise.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from watchbook.entry import Entry, format_score
from watchbook.links import CREATORS, EntryLink, dismissed_pairs
from watchbook.links import MENTION as MENTION_KIND
from watchbook.links import SERIES as SERIES_KIND
from watchbook.text import STOPWORDS, creator_key, fold, series_key, split_words

if TYPE_CHECKING:
    from watchbook.index import Catalog, IndexView

# What one piece of evidence says on its own. Links are statements (the user's own, or a
# name written in a review); creators and tags are scaled by their rarity, wording by the
# cosine of the two reviews, which is rarely above 0.3 even for close relatives.
LINKED = 0.9
SAME_SERIES = 0.8
MENTION = 0.4
CREATOR = 0.6
TAG = 0.3
WORDING = 0.5
# The candidate's own score scales its evidence between SCORE_FLOOR (0/10) and 1 (10/10), so
# it orders close calls without outweighing any real tie; unscored entries count as the mean.
SCORE_FLOOR = 0.8
# Below this an entry is not shown as related at all (one very common tag, say).
MIN_RELATEDNESS = 0.05
# Review wording and the score are applied to this many of the best candidates by the other
# signals (at least four times --limit), which keeps the cost independent of journal size.
RERANK = 40
# Without the index, word rarity is counted over at most this many reviews, spread evenly.
WORD_SAMPLE = 300
# Watchlist mode: how many liked titles make up a planned title's affinity.
TOP_LIKED = 3
# Watchlist mode: a creator or tag on more entries than watchlist_cap() (2 sqrt(N), at least
# this) finds no candidates by itself; it still counts for candidates found another way.
WATCHLIST_CAP_MIN = 50


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Review words that say nothing about what a film is about.
_GENERIC_WORDS = """
about above after again against all also although always am among another any anyone
anything around away back because been before being below best better between both
came can cannot could did does doing done down during each either else enough even ever
every few first for from further get gets getting give given goes going got had has have
having he her here hers herself him himself his how however i if into just kind know last
least less like likes liked little long look looks lot made make makes making many may me
might more most much must my myself near never new next nice nobody none nor nothing now
off often once one only other others our ours out over own part quite rather really right
same saw say says see seen seems she should since so some something still such take than
that their theirs them themselves then there these they thing things think this those
though through thus too under until upon us very want was way we well went were what when
where whether which while who whom whose why will would yet you your yours yourself
film films movie movies show shows series episode episodes season seasons scene scenes
story character characters watch watched watching time times minutes hour hours end ending
work works good great bad way plot feel feels felt make two three half whole
"""
REVIEW_STOPWORDS = _wordset(_GENERIC_WORDS) | STOPWORDS


class Recommendation(NamedTuple):
    """One suggested entry: how related (0-1, None for rewatch ideas) and why, in plain words."""

    entry: Entry
    relatedness: float | None
    reasons: list[str]
    # "related" (to a query), "watchlist" (planned, by taste) or "rewatch" (the fallback).
    mode: str = "related"

    def to_json(self) -> dict[str, Any]:
        """The fields `recommend --json` prints for each result."""
        e = self.entry
        return {
            "slug": e.slug,
            "title": e.title,
            "year": e.year,
            "kind": e.kind,
            "status": e.status,
            "score": e.score,
            "relatedness": None if self.relatedness is None else round(self.relatedness, 3),
            "reasons": list(self.reasons),
            "mode": self.mode,
        }


# A piece of evidence: (strength 0-1, the words shown for it).
Part = tuple[float, str]


def combine(strengths: Iterable[float]) -> float:
    """Independent evidence combined: 1 - product of (1 - strength)."""
    missing = 1.0
    for strength in strengths:
        missing *= 1.0 - min(max(strength, 0.0), 1.0)
    return 1.0 - missing


def rarity(holders: int, size: int) -> float:
    """0-1: 1 when only the two entries compared hold a feature, 0 when every entry does."""
    others = size - 1
    if others <= 1 or holders <= 1:
        return 1.0
    return max(0.0, min(1.0, math.log(others / (holders - 1)) / math.log(others)))


def tag_key(tag: str) -> str:
    """Tags compare by their folded words: 'Sci-Fi' = 'sci fi' = 'sci-fi'."""
    return fold(tag)


def names_list(names: Sequence[str]) -> str:
    """'a, b, c' for the reasons text."""
    return ", ".join(names)


class Record(NamedTuple):
    """The few facts about every entry that ranking reads without loading entries."""

    slug: str
    status: str
    score: float | None
    # The last viewing as a proleptic ordinal (date.toordinal()), 0 when never watched.
    last: int


class Features:
    """An entry's creators and tags by normalised key, with the names as it writes them."""

    __slots__ = ("creators", "entry", "tags")

    def __init__(self, entry: Entry | None = None) -> None:
        self.creators: dict[str, str] = {}
        self.tags: dict[str, str] = {}
        # The entry they were read from (a cached copy is used only for the very same object).
        self.entry = entry


class TasteFeature(NamedTuple):
    """A creator or tag as the watchlist uses it."""

    kind: str
    key: str
    # Its evidence (weight_of its rarity-scaled strength).
    amount: float
    # Held by more than watchlist_cap() entries: it finds no candidates by itself.
    frequent: bool
    liked_holders: frozenset[str]


class Source:
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

    # -- to be provided

    def records(self) -> Iterable[Record]:
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

    def find(self, query: str) -> Entry:
        """The entry QUERY means, as `show` resolves it."""
        raise NotImplementedError

    def series_mates(self, entry: Entry) -> list[str]:
        """Entries of the same series found by title (only when the index derives no links)."""
        return []

    def apart(self, a: str, b: str) -> bool:
        """True when the user dismissed the derived ties between these two entries."""
        return False

    # -- shared

    def features(self, entry: Entry) -> Features:
        """Creator and tag keys of an entry (each distinct spelling is normalised once)."""
        found = self._features.get(entry.slug)
        if found is not None and found.entry is entry:
            return found
        features = self._features[entry.slug] = Features(entry=entry)
        for name in entry.creators:
            key = self._creator_keys.get(name)
            if key is None:
                key = self._creator_keys[name] = creator_key(name)
            if key:
                features.creators.setdefault(key, name)
        for tag in entry.tags:
            key = self._tag_keys.get(tag)
            if key is None:
                key = self._tag_keys[tag] = tag_key(tag)
            if key:
                features.tags.setdefault(key, tag)
        return features

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
            for r in self.records()
            if r.status != "planned" and r.score is not None
        )

    def holder_count(self, kind: str, key: str) -> int:
        """How many entries hold a creator or tag."""
        return len(self.holders(kind, key))

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


class CatalogSource(Source):
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

    def records(self) -> Iterable[Record]:
        return (
            Record(e.slug, e.status, _score(e), last.toordinal() if (last := e.last_watched) else 0)
            for e in self.entries
        )

    def _holders_of(self, kind: str, key: str) -> Iterable[str]:
        return self._lists.get((kind, key), ())

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

    def find(self, query: str) -> Entry:
        from watchbook.search import find_entry

        return find_entry(self.entries, query)

    def words(self) -> ReviewWords:
        if self._words is None:
            self._words = ReviewWords.sampled(self.entries)
        return self._words

    def series_mates(self, entry: Entry) -> list[str]:
        if self.index_derives:
            return []
        key = series_key(entry.title)
        if not key:
            return []
        # A cheap substring test first, so series_key runs only on plausible titles.
        first = key.split()[0]
        return [
            other.slug
            for other in self.entries
            if other.slug != entry.slug
            and first in other.title.casefold()
            and series_key(other.title) == key
        ]

    def apart(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self._apart


# The SearchData field holding each kind's inverted list.
_FIELDS = {"creator": 3, "tag": 2}


class IndexSource(Source):
    """Reads only what ranking needs from the index, so a big journal is never loaded whole."""

    def __init__(self, view: IndexView) -> None:
        super().__init__()
        self.view = view
        self.conn = view.conn
        view.require_links()
        self.size = self.conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        self.index_derives = True
        self._entries: dict[str, Entry] = {}
        self._records: list[Record] | None = None
        self._slugs: dict[int, str] | None = None
        self._words: ReviewWords | None = None
        # Row id -> slug of the liked entries, once liked() has been asked.
        self._liked_ids: dict[int, str] | None = None

    def records(self) -> Iterable[Record]:
        if self._records is None:
            # From an index holding these columns: a scan of the entries themselves would read
            # every review on the way.
            rows = self.conn.execute(
                "SELECT slug, status, score, ifnull(last, 0) FROM entries "
                "INDEXED BY entries_records"
            )
            self._records = list(map(Record._make, rows))
        return self._records

    def _holders_of(self, kind: str, key: str) -> Iterable[str]:
        if kind == "creator":
            rows = self.conn.execute("SELECT slug FROM creators WHERE key = ?", (key,))
            return [slug for (slug,) in rows]
        slugs = self._slug_map()
        return [slugs[i] for i in self.view.search_data().rows_of(_FIELDS[kind], key) if i in slugs]

    def _slug_map(self) -> dict[int, str]:
        """Row id -> slug of every entry."""
        if self._slugs is None:
            # Read from the slug index alone (the condition makes SQLite use it), which is far
            # cheaper than one table lookup per row.
            self._slugs = dict(self.conn.execute("SELECT id, slug FROM entries WHERE slug > ''"))
        return self._slugs

    def links_by_other(self, slug: str) -> dict[str, list[EntryLink]]:
        return self.links_for([slug])[slug]

    def links_for(self, slugs: Sequence[str]) -> dict[str, dict[str, list[EntryLink]]]:
        from watchbook.links import DerivedRow, merge_rows

        wanted = set(slugs)
        rows: set[DerivedRow] = set()
        for chunk in _chunks(sorted(wanted)):
            marks = ",".join("?" * len(chunk))
            rows.update(
                DerivedRow(*row)
                for row in self.conn.execute(
                    f"SELECT source, target, kind, detail FROM derived WHERE source IN ({marks}) "
                    f"UNION SELECT source, target, kind, detail FROM derived WHERE target IN ({marks})",
                    [*chunk, *chunk],
                )
                # Shared creators are counted here with their rarity, not taken from the index.
                if row[2] != CREATORS
            )
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
        rows = self.conn.execute(
            "SELECT slug FROM entries INDEXED BY entries_planned WHERE status = 'planned'"
        )
        slugs = [slug for (slug,) in rows]
        loaded = self.load(slugs)
        return [loaded[s] for s in slugs if s in loaded]

    def liked(self) -> dict[str, float]:
        # From an index of the watched, scored entries ordered by score: the median is a step into
        # it, the liked ones a range of it, joined into one string per column by SQLite (rows
        # handed over one by one would cost more than everything else here).
        watched = "FROM entries INDEXED BY entries_liked WHERE status != 'planned' AND score >= 0"
        (count,) = self.conn.execute(f"SELECT count(*) {watched}").fetchone()
        self._liked_ids = {}
        if not count:
            return {}
        middle = [
            score
            for (score,) in self.conn.execute(
                f"SELECT score {watched} ORDER BY score LIMIT ? OFFSET ?",
                (2 - count % 2, (count - 1) // 2),
            )
        ]
        # What liked_entries() keeps: at least the threshold, which is above 5.
        threshold = liking(middle)
        # like_weight() worked out by SQLite: scores are halves above 5, so each weight is a
        # tenth, which its text gives back exactly.
        ids, slugs, weights = self.conn.execute(
            "SELECT group_concat(id), group_concat(slug, char(31)), "
            f"group_concat(min(1.0, (score - 5.0) / 5.0)) {watched} AND score >= ?",
            (threshold,),
        ).fetchone()
        if not ids:
            return {}
        # A file name with a control character is never an entry, so char(31) splits cleanly.
        names = slugs.split("\x1f")
        self._liked_ids = dict(zip(map(int, ids.split(",")), names, strict=True))
        return dict(zip(names, map(float, weights.split(",")), strict=True))

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
        # What links_for() and link_weight() would give, from the derived rows' kinds alone: no
        # link objects are made for the hundreds of planned titles.
        wanted = set(slugs)
        user, apart = self.view.user_ties()
        mentions: set[tuple[str, str]] = set()
        series: set[tuple[str, str]] = set()
        for chunk in _chunks(sorted(wanted)):
            marks = ",".join("?" * len(chunk))
            # Shared creators (most rows) are counted by rarity instead: SQLite leaves them out.
            kinds = f"kind IN ('{MENTION_KIND}', '{SERIES_KIND}')"
            for a, b, kind in self.conn.execute(
                f"SELECT source, target, kind FROM derived WHERE source IN ({marks}) AND {kinds} "
                "UNION ALL SELECT source, target, kind FROM derived "
                f"WHERE target IN ({marks}) AND {kinds}",
                [*chunk, *chunk],
            ):
                if a == b or (apart and frozenset((a, b)) in apart):
                    continue
                if kind == MENTION_KIND:
                    mentions.add((a, b))
                elif kind == SERIES_KIND:
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
        if self._words is None:
            documents = self.conn.execute("SELECT count(*) FROM texts").fetchone()[0]
            self._words = ReviewWords(documents, self._frequency)
        return self._words

    def _frequency(self, words: set[str]) -> Mapping[str, int]:
        """Reviews holding each word, from the full-text index's vocabulary."""
        found: dict[str, int] = {}
        for chunk in _chunks(sorted(words)):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT term, doc FROM text_words WHERE term IN ({marks})"
            found.update(self.conn.execute(sql, chunk))
        return found

    def apart(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.view.user_ties()[1]

    def find(self, query: str) -> Entry:
        """The entry QUERY means (as `show` resolves it), reading only plausible entries."""
        return self.view.find(query)


def _chunks(items: Sequence[Any], size: int = 400) -> Iterator[Sequence[Any]]:
    """Slices of at most `size` items (SQLite limits the parameters of one statement)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def derived_kinds(link: EntryLink) -> tuple[str, ...]:
    """What found a derived link: its `kinds`, or failing that the words of its `why`."""
    kinds = tuple(getattr(link, "kinds", ()) or ())
    if kinds:
        return kinds
    why = link.why.casefold()
    found = []
    if "mention" in why:
        found.append("mention")
    if "same series" in why or "same title" in why:
        found.append("series")
    if "creator" in why:
        found.append("creators")
    return tuple(found)


def series_words(why: str) -> str:
    """'same series' or 'same title', as the index worded it."""
    for piece in why.split(";"):
        piece = piece.strip()
        if piece.startswith(("same series", "same title")):
            return piece
    return "same series"


def evidence(
    source: Source,
    anchor: Entry,
    features: Features,
    other: Entry,
    links: Sequence[EntryLink] = (),
    same_series: bool = False,
) -> list[Part]:
    """Every tie between anchor and the entry `other` except review wording, strongest first."""
    parts = link_parts(anchor, links)
    theirs = source.features(other)
    # Dismissing a derived link (`unlink`) also silences the ties it was made of.
    apart = source.apart(anchor.slug, other.slug)
    if same_series and not apart:
        parts.append((SAME_SERIES, "same series"))
    if not apart:
        shared = [
            (source.rarity("creator", key), name)
            for key, name in features.creators.items()
            if key in theirs.creators
        ]
        if shared:
            label = "shared creator" if len(shared) == 1 else "shared creators"
            parts.append(_shared_part(shared, CREATOR, label))
    shared_tags = [
        (source.rarity("tag", key), name)
        for key, name in features.tags.items()
        if key in theirs.tags
    ]
    if shared_tags:
        label = "shared tag" if len(shared_tags) == 1 else "shared tags"
        parts.append(_shared_part(shared_tags, TAG, label))
    parts.sort(key=lambda part: -part[0])
    return parts


def link_parts(anchor: Entry, links: Sequence[EntryLink]) -> list[Part]:
    """The evidence in the links between anchor and one other entry."""
    parts: list[Part] = []
    whys = [link.why for link in links if not link.derived]
    if whys:
        written = "; ".join(dict.fromkeys(w for w in whys if w))
        parts.append((LINKED, f"you linked them: {written}" if written else "you linked them"))
    for link in links:
        if not link.derived:
            continue
        kinds = derived_kinds(link)
        if "mention" in kinds:
            if link.source == anchor.slug:
                parts.append((MENTION, f"mentioned in {anchor.title}'s review"))
            else:
                parts.append((MENTION, f"its review mentions {anchor.title}"))
        if "series" in kinds:
            parts.append((SAME_SERIES, series_words(link.why)))
    return parts


def link_weight(links: Sequence[EntryLink]) -> float:
    """The evidence in the links between two entries, as the weight_of() sum of link_parts()."""
    total = weight_of(LINKED) if any(not link.derived for link in links) else 0.0
    for link in links:
        if link.derived:
            kinds = derived_kinds(link)
            if "mention" in kinds:
                total += weight_of(MENTION)
            if "series" in kinds:
                total += weight_of(SAME_SERIES)
    return total


def weight_of(strength: float) -> float:
    """A strength as additive evidence: -ln(1 - s), so noisy-OR becomes a sum."""
    return -math.log(max(1e-12, 1.0 - strength))


def rough_ranking(
    source: Source,
    anchor: Entry,
    features: Features,
    links: Mapping[str, Sequence[EntryLink]],
    mates: Iterable[str],
) -> dict[str, float]:
    """Evidence per candidate from links, creators and tags, added up along inverted lists."""
    # The same sum evidence() makes, without building any reason; used to pick the candidates worth
    # reading whole. (It ignores dismissals, which evidence() then applies.)
    total: dict[str, float] = defaultdict(float)
    for kind, keys, weight in (
        ("creator", features.creators, CREATOR),
        ("tag", features.tags, TAG),
    ):
        for key in keys:
            amount = weight_of(weight * source.rarity(kind, key))
            for holder in source.holders(kind, key):
                total[holder] += amount
    for other, group in links.items():
        total[other] += link_weight(group)
    for other in mates:
        total[other] += weight_of(SAME_SERIES)
    total.pop(anchor.slug, None)
    return total


def _shared_part(shared: list[tuple[float, str]], weight: float, label: str) -> Part:
    """One part for several shared creators or tags, rarest named first."""
    shared.sort(key=lambda item: -item[0])
    strength = combine(weight * r for r, _ in shared)
    return strength, f"{label}: {names_list([name for _, name in shared])}"


def strength(parts: Iterable[Part]) -> float:
    """The combined strength of some parts."""
    return combine(s for s, _ in parts)


def score_factor(score: float | None, mean: float) -> float:
    """How the candidate's score scales its evidence (unscored counts as the mean)."""
    value = mean if score is None else score
    return SCORE_FLOOR + (1.0 - SCORE_FLOOR) * value / 10.0


def scaled(relatedness: float, factor: float) -> float:
    """Relatedness with its evidence scaled by a factor."""
    # The evidence behind a relatedness r is -ln(1 - r) (what the pieces' strengths add up to);
    # scaling that rather than r itself keeps a clearly stronger pile of evidence ahead even near
    # 1, where multiplying r would let the score decide between two sequels.
    return 1.0 - math.exp(-weight_of(relatedness) * factor)


# --- review wording ---------------------------------------------------------------------------


def review_text(entry: Entry) -> str:
    """The text compared for wording: verdict and review."""
    return "\n".join(t for t in (entry.verdict, entry.review) if t)


def review_words(text: str) -> Counter[str]:
    """Content words of a review (folded, as the full-text index stores them) and their counts."""
    return Counter(
        word
        for word in split_words(text)
        if len(word) >= 3 and not word.isdigit() and word not in REVIEW_STOPWORDS
    )


# How many reviews hold each of some words.
Frequency = Callable[[set[str]], Mapping[str, int]]


class ReviewWords:
    """Reviews as tf-idf vectors: (1 + ln tf) * ln((D + 1) / (df + 0.5)) over D reviewed entries."""

    # Comparing a review with others looks up the rarity of its own words only, so the cost does
    # not grow with the number of reviews compared or the size of the journal.

    def __init__(self, documents: int, frequency: Frequency) -> None:
        self.documents = documents
        self._frequency = frequency
        # slug -> (rarity of each word, root-mean-square rarity, tf-idf vector norm)
        self._profiles: dict[str, tuple[dict[str, float], float, float]] = {}
        # slug -> (1 + ln tf of each word, their sum of squares)
        self._tfs: dict[str, tuple[dict[str, float], float]] = {}

    @classmethod
    def sampled(cls, entries: Sequence[Entry], sample_size: int = WORD_SAMPLE) -> ReviewWords:
        """Word rarity counted on an even sample of the reviews (exact in smaller journals)."""
        reviewed = [e for e in entries if review_text(e)]
        step = max(1, math.ceil(len(reviewed) / sample_size))
        sample = reviewed[::step]
        scale = len(reviewed) / len(sample) if sample else 1.0
        counts: Counter[str] = Counter()
        for entry in sample:
            counts.update(review_words(review_text(entry)).keys())

        def frequency(words: set[str]) -> Mapping[str, int]:
            return {w: round(counts[w] * scale) for w in words if w in counts}

        return cls(len(reviewed), frequency)

    def profile(self, entry: Entry) -> tuple[dict[str, float], float, float]:
        """The rarity of the review's words, its root-mean-square, and the tf-idf vector's norm."""
        found = self._profiles.get(entry.slug)
        if found is None:
            tfs, _ = self._tf(entry)
            frequency = self._frequency(set(tfs)) if tfs else {}
            rarity = {w: self.idf(frequency.get(w, 1)) for w in tfs}
            typical = math.sqrt(_mean([r * r for r in rarity.values()])) if tfs else 0.0
            norm = math.sqrt(sum((tf * rarity[w]) ** 2 for w, tf in tfs.items()))
            found = self._profiles[entry.slug] = (rarity, typical, norm)
        return found

    def idf(self, frequency: int) -> float:
        """ln((D + 1) / (df + 0.5)) for a word held by `frequency` reviews (at least 1)."""
        return math.log((self.documents + 1) / (max(1, frequency) + 0.5))

    def _tf(self, entry: Entry) -> tuple[dict[str, float], float]:
        found = self._tfs.get(entry.slug)
        if found is None:
            counts = review_words(review_text(entry))
            tfs = {w: 1.0 + math.log(n) for w, n in counts.items()}
            found = self._tfs[entry.slug] = (tfs, sum(t * t for t in tfs.values()))
        return found

    def similarity(self, a: Entry, b: Entry) -> tuple[float, list[str]]:
        """Cosine of the two reviews' tf-idf vectors (0-1), and the shared words weighing most."""
        # Only a's words have their rarity looked up: b's other words count as rare as a's words
        # are on average, which is all b's length needs to be fair.
        rarity, typical, norm_a = self.profile(a)
        own_tfs, _ = self._tf(a)
        tfs, squares = self._tf(b)
        if not rarity or not tfs:
            return 0.0, []
        # Every word of b at the typical rarity, then the shared ones corrected to their own:
        # only the shared words are visited (a set intersection in C), not all of b's.
        floor = typical * typical
        norm_b = squares * floor
        total = 0.0
        shared: list[tuple[float, str]] = []  # (-weight, word): a plain sort puts the best first
        for word in rarity.keys() & tfs.keys():
            tf = tfs[word]
            own = rarity[word]
            norm_b += tf * tf * (own * own - floor)
            value = own_tfs[word] * own * tf * own
            total += value
            shared.append((-value, word))
        if not shared or norm_b <= 0.0:
            return 0.0, []
        cosine = min(1.0, total / (norm_a * math.sqrt(norm_b)))
        shared.sort()
        return cosine, [word for _, word in shared[:3]]


def wording_part(words: ReviewWords, a: Entry, b: Entry) -> Part | None:
    """The wording evidence between two entries, when it is worth naming."""
    cosine, top = words.similarity(a, b)
    if WORDING * cosine < MIN_RELATEDNESS / 2 or not top:
        return None
    return WORDING * cosine, f"similar reviews: {names_list(top)}"


# --- related to one entry ---------------------------------------------------------------------


def related(source: Source, entry: Entry, limit: int = 10) -> list[Recommendation]:
    """Other entries ranked by relatedness to `entry`, best first, each with its reasons."""
    features = source.features(entry)
    links = source.links_by_other(entry.slug)
    mates = set(source.series_mates(entry))
    # First by links, creators and tags alone (cheap: no other entry is read), ...
    rough = rough_ranking(source, entry, features, links, mates)
    best = heapq.nsmallest(max(RERANK, 4 * limit), rough.items(), key=lambda i: (-i[1], i[0]))
    top = [slug for slug, value in best if value > 0]
    # ... then the best of them whole: review wording and the candidate's score.
    loaded = source.load(top)
    words = source.words() if review_text(entry) else None
    # An unscored candidate (a planned title, say) counts as the typical score around it.
    scores = [e.score for e in loaded.values() if e.score is not None]
    mean = _mean(scores) if scores else 5.0
    results: list[Recommendation] = []
    for slug in top:
        other = loaded.get(slug)
        if other is None:
            continue
        parts = evidence(source, entry, features, other, links.get(slug, ()), slug in mates)
        if words is not None:
            extra = wording_part(words, entry, other)
            if extra:
                parts = sorted([*parts, extra], key=lambda part: -part[0])
        value = scaled(strength(parts), score_factor(_score(other), mean))
        if value >= MIN_RELATEDNESS:
            results.append(Recommendation(other, value, [text for _, text in parts]))
    results.sort(key=lambda r: (-(r.relatedness or 0.0), -(_score(r.entry) or -1.0), r.entry.slug))
    return results[:limit]


# The statistics module would do, but importing it costs a warm recommend 6 ms.


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _upper_quartile(values: Sequence[float]) -> float:
    """The third quartile, interpolated between the values (what a spreadsheet's QUARTILE does)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * 0.75
    below = int(position)
    if below + 1 >= len(ordered):
        return ordered[below]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * (position - below)


def _score(entry: Entry) -> float | None:
    return None if entry.score is None else float(entry.score)


# --- the watchlist ----------------------------------------------------------------------------


def liking(scores: Sequence[float]) -> float:
    """The lowest score that counts as liked: the upper half of the user's scale, above 5."""
    if not scores:
        return math.inf
    return max(_median(scores), 5.5)


def like_weight(score: float) -> float:
    """How much a liked score counts: 6/10 a little, 10/10 fully."""
    return max(0.0, min(1.0, (score - 5.0) / 5.0))


def liked_entries(scored: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Slug -> like weight of the entries scored highly, given every watched entry's score."""
    scored = list(scored)
    threshold = liking([score for _, score in scored])
    return {
        slug: like_weight(score)
        for slug, score in scored
        if score >= threshold and like_weight(score) > 0
    }


def watchlist(source: Source, limit: int | None = 10) -> list[Recommendation]:
    """Planned entries ordered by affinity to the titles the user scored highest."""
    planned = source.planned()
    if not planned:
        return []
    liked = source.liked()
    weights = source.taste_links([e.slug for e in planned], liked)
    # First every planned title by sums along the inverted lists (no reasons built), ...
    rough = [(taste_ties(source, e, weights[e.slug], liked), e) for e in planned]
    rough.sort(key=lambda item: (-_affinity(item[0]), item[1].title.casefold(), item[1].slug))
    shown = rough[:limit]
    # ... then the ones shown exactly: every tie's evidence and reasons, wording if there are
    # notes to compare.
    links = source.links_for([e.slug for _, e in shown])
    loaded = source.load({slug for ties, _ in shown for _, slug in ties})
    words = source.words() if any(review_text(e) for _, e in shown) else None
    results = []
    for ties, entry in shown:
        features = source.features(entry)
        mates = set(source.series_mates(entry))
        exact = []
        for _, slug in ties:
            other = loaded.get(slug)
            if other is None:
                continue
            parts = evidence(
                source, entry, features, other, links[entry.slug].get(slug, ()), slug in mates
            )
            if words is not None:
                extra = wording_part(words, entry, other)
                if extra:
                    parts = sorted([*parts, extra], key=lambda part: -part[0])
            if parts:
                exact.append((strength(parts) * liked[slug], other, parts))
        exact.sort(key=lambda item: (-item[0], item[1].slug))
        best = exact[:TOP_LIKED]
        reasons = [
            f"like {other.title} ({format_score(other.score)}): "
            + "; ".join(text for _, text in parts)
            for value, other, parts in best
            if value >= MIN_RELATEDNESS
        ]
        if not reasons:
            reasons = ["nothing in common yet with the titles you scored highest"]
        affinity = combine(value for value, _, _ in best)
        results.append(Recommendation(entry, affinity, reasons, mode="watchlist"))
    results.sort(key=lambda r: (-(r.relatedness or 0.0), r.entry.title.casefold(), r.entry.slug))
    return results


def watchlist_cap(size: int) -> int:
    """Holders above which a creator or tag finds no watchlist candidates by itself: 2 sqrt(N)."""
    return max(WATCHLIST_CAP_MIN, round(2 * math.sqrt(size)))


def _affinity(ties: list[tuple[float, str]]) -> float:
    return combine(value for value, _ in ties[:TOP_LIKED])


def taste_ties(
    source: Source,
    entry: Entry,
    link_weights: Mapping[str, float],
    liked: Mapping[str, float],
) -> list[tuple[float, str]]:
    """A planned entry's best ties with liked entries, (relatedness x liking, slug), best first."""
    # Evidence is summed along the inverted lists as in rough_ranking(). A creator or tag on more
    # than watchlist_cap() entries does not find candidates by itself but still counts for the ones
    # found another way; that keeps a 500-title watchlist cheap.
    cap = watchlist_cap(source.size)
    features = source.features(entry)
    total: dict[str, float] = {}
    common: list[TasteFeature] = []
    for kind, keys in (("creator", features.creators), ("tag", features.tags)):
        for key in keys:
            feature = source.taste_feature(kind, key, liked, cap)
            if feature.frequent:
                common.append(feature)
                continue
            # Set operations, so that only the holders already found loop in Python.
            holders, amount = feature.liked_holders, feature.amount
            found = total.keys() & holders
            total.update(dict.fromkeys(holders.difference(found), amount))
            for holder in found:
                total[holder] += amount
    get = total.get
    for other, weight in link_weights.items():
        if other in liked:
            total[other] = get(other, 0.0) + weight
    for other in source.series_mates(entry):
        if other in liked:
            total[other] = get(other, 0.0) + weight_of(SAME_SERIES)
    if not total and common:
        # Only very common creators or tags: the best-liked holders of the rarest one.
        rarest = min(common, key=lambda f: source.holder_count(f.kind, f.key))
        for holder in source.best_liked(rarest.kind, rarest.key, liked):
            total[holder] = 0.0
    for feature in common:
        # Only the candidates already found (all liked): the intersection is worked out in C.
        for holder in feature.liked_holders.intersection(total):
            total[holder] += feature.amount
    total.pop(entry.slug, None)
    exp = math.exp
    ties = [((1.0 - exp(-amount)) * liked[slug], slug) for slug, amount in total.items() if amount]
    # (value, slug) tuples: the slug breaks ties. Sorting runs in C; heapq.nlargest() loops in
    # Python, which costs more for the few dozen candidates a title usually has.
    ties.sort(reverse=True)
    return ties[: TOP_LIKED * 2]


# --- rewatch ideas (when the watchlist is empty) ----------------------------------------------


def rewatch_ideas(
    source: Source, limit: int | None = 10, today: dt.date | None = None
) -> list[Recommendation]:
    """The best-scored watched titles (your top quarter), the one not seen longest first."""
    today = today or dt.date.today()
    seen = [r for r in source.records() if r.score is not None and r.status != "planned" and r.last]
    if not seen:
        return []
    scores = [r.score for r in seen if r.score is not None]
    best = _upper_quartile(scores)
    ideas = sorted(
        (r for r in seen if r.score is not None and r.score >= best),
        key=lambda r: (r.last, -(r.score or 0.0), r.slug),
    )[:limit]
    loaded = source.load(r.slug for r in ideas)
    return [
        Recommendation(
            loaded[r.slug],
            None,
            [
                f"rewatch idea: you scored it {format_score(r.score)}, "
                f"last seen {dt.date.fromordinal(r.last)} "
                f"({_ago(dt.date.fromordinal(r.last), today)})"
            ],
            mode="rewatch",
        )
        for r in ideas
        if r.slug in loaded
    ]


def _ago(day: dt.date, today: dt.date) -> str:
    """'3 years ago', '5 months ago', '12 days ago', 'today'."""
    days = (today - day).days
    for size, unit in ((365, "year"), (30, "month"), (1, "day")):
        if days >= size:
            count = days // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "today"
