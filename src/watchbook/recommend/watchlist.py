"""`recommend` without QUERY: the watchlist ordered by taste, or rewatch ideas when it is empty."""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from watchbook.entry import format_score
from watchbook.recommend.evidence import (
    MIN_RELATEDNESS,
    SAME_SERIES,
    WORDING,
    Recommendation,
    _upper_quartile,
    combine,
    evidence,
    strength,
    weight_of,
)
from watchbook.recommend.taste import Taste, fit_taste
from watchbook.recommend.wording import review_text, wording_part

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.recommend.sources import Relations, TasteFeature
    from watchbook.recommend.wording import ReviewWords

# How many liked titles make up a planned title's affinity.
TOP_LIKED = 3
# A creator or tag on more entries than watchlist_cap() (2 sqrt(N), at least this) finds no
# candidates by itself; it still counts for candidates found another way.
WATCHLIST_CAP_MIN = 50


def watchlist(relations: Relations, limit: int | None = 10) -> list[Recommendation]:
    """Planned entries by predicted score, or by affinity below MIN_SCORED scores (`predicted`)."""
    planned = relations.planned()
    if not planned:
        return []
    taste = fit_taste(relations, planned)
    if taste is None:
        return affinity_watchlist(relations, planned, limit)
    return predicted_watchlist(taste, planned, limit)


def predicted_watchlist(
    taste: Taste, planned: list[Entry], limit: int | None = 10
) -> list[Recommendation]:
    """Planned entries by the score the user would likely give them, with what moved it most."""
    likely = [(taste.score(taste.values(entry, taste.clues(entry))), entry) for entry in planned]
    likely.sort(key=lambda item: (-item[0], item[1].title.casefold(), item[1].slug))
    results = []
    # Only the titles shown are explained.
    for _, entry in likely[:limit]:
        prediction = taste.predict(entry)
        reasons = taste.reasons(entry, prediction)
        results.append(
            Recommendation(entry, None, reasons, mode="watchlist", predicted=prediction.score)
        )
    return results


# A planned title's best ties with liked entries: (relatedness x liking, slug), best first.
Ties = list[tuple[float, str]]


def affinity_watchlist(
    relations: Relations, planned: list[Entry], limit: int | None = 10
) -> list[Recommendation]:
    """Planned entries ordered by affinity to the titles the user scored highest."""
    liked = relations.liked()
    weights = relations.taste_links([e.slug for e in planned], liked)
    # First every planned title by sums along the inverted lists (no reasons built): each tie's
    # evidence as evidence() has it, dismissals included, all but review wording. ...
    rough = [(taste_ties(relations, e, weights[e.slug], liked), e) for e in planned]
    noted = {e.slug for _, e in rough if review_text(e)}
    words = relations.words() if noted else None
    # The liked titles tied to those with notes, whose reviews may read alike (a few: the
    # watchlist is ordered this way below MIN_SCORED scores).
    others = relations.load({slug for ties, e in rough if e.slug in noted for _, slug in ties})
    queue: list[tuple[float, str, str, bool, Ties, Entry]] = []
    for ties, entry in rough:
        if words is not None and entry.slug in noted:
            final, value = False, _bound(words, entry, ties, liked, others)
        else:
            final, value = True, _affinity(ties)
        queue.append((-_rank(value), entry.title.casefold(), entry.slug, final, ties, entry))
    heapq.heapify(queue)
    # ... then the best in that order, where only a title with notes of its own can rise above
    # its sum (its wording, read whole): it waits at its highest possible affinity until it is
    # read. Each title's place is its own affair, so --limit N shows the first N of the list.
    chosen: list[tuple[Ties, Entry]] = []
    read: dict[str, Recommendation] = {}
    while queue and (limit is None or len(chosen) < limit):
        if queue[0][3]:
            *_, ties, entry = heapq.heappop(queue)
            chosen.append((ties, entry))
            continue
        batch = [heapq.heappop(queue)]
        while queue and not queue[0][3] and len(batch) < max(1, (limit or 50) - len(chosen)):
            batch.append(heapq.heappop(queue))
        found = _explained(relations, liked, words, [(ties, entry) for *_, ties, entry in batch])
        for (_, title, slug, _, ties, entry), result in zip(batch, found, strict=True):
            read[slug] = result
            heapq.heappush(
                queue, (-_rank(result.relatedness or 0.0), title, slug, True, ties, entry)
            )
    unread = [(ties, entry) for ties, entry in chosen if entry.slug not in read]
    for (_, entry), result in zip(unread, _explained(relations, liked, words, unread), strict=True):
        read[entry.slug] = result
    return [read[entry.slug] for _, entry in chosen]


def _explained(
    relations: Relations,
    liked: Mapping[str, float],
    words: ReviewWords | None,
    items: list[tuple[Ties, Entry]],
) -> list[Recommendation]:
    """Planned titles read exactly: every tie's evidence and reasons, wording if they have notes."""
    links = relations.links_for([e.slug for _, e in items])
    loaded = relations.load({slug for ties, _ in items for _, slug in ties})
    results = []
    for ties, entry in items:
        features = relations.features(entry)
        mates = set(relations.series_mates(entry))
        exact = []
        for _, slug in ties:
            other = loaded.get(slug)
            if other is None:
                continue
            parts = evidence(
                relations, entry, features, other, links[entry.slug].get(slug, ()), slug in mates
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
    return results


def _rank(value: float) -> float:
    """An affinity as the order compares it."""
    # Rounded: the same evidence added up in another order (the index's way, or exactly) can
    # differ in the last bits, which must not reorder two titles that tie.
    return round(value, 12)


def _bound(
    words: ReviewWords,
    entry: Entry,
    ties: Ties,
    liked: Mapping[str, float],
    others: Mapping[str, Entry],
) -> float:
    """The highest affinity a title with notes can have: its wording at its strongest."""
    # Wording adds a part of at most WORDING to a tie, s -> 1 - (1 - s)(1 - WORDING), and none
    # when the two reviews share no word. The margin covers rounding.
    best = sorted(
        (
            value * (1.0 - WORDING) + WORDING * liked[slug]
            if slug in others and words.overlap(entry, others[slug])
            else value
            for value, slug in ties
        ),
        reverse=True,
    )
    return min(1.0, combine(best[:TOP_LIKED]) + 1e-9)


def watchlist_cap(size: int) -> int:
    """Holders above which a creator or tag finds no watchlist candidates by itself: 2 sqrt(N)."""
    return max(WATCHLIST_CAP_MIN, round(2 * math.sqrt(size)))


def _affinity(ties: list[tuple[float, str]]) -> float:
    return combine(value for value, _ in ties[:TOP_LIKED])


def taste_ties(
    relations: Relations,
    entry: Entry,
    link_weights: Mapping[str, float],
    liked: Mapping[str, float],
) -> list[tuple[float, str]]:
    """A planned entry's best ties with liked entries, (relatedness x liking, slug), best first."""
    # Evidence is summed along the inverted lists as in evidence_totals(). A creator or tag on more
    # than watchlist_cap() entries does not find candidates by itself but still counts for the ones
    # found another way; that keeps a 500-title watchlist cheap.
    cap = watchlist_cap(relations.size)
    features = relations.features(entry)
    # Dismissing a derived link (`unlink`) silences the creators and series the two share, as
    # in evidence(): the sum must say what evidence() will, or it picks the wrong titles.
    apart = relations.apart_from(entry.slug)
    total: dict[str, float] = {}
    common: list[TasteFeature] = []
    for kind, keys in (("creator", features.creators), ("tag", features.tags)):
        for key in keys:
            feature = relations.taste_feature(kind, key, liked, cap)
            if feature.frequent:
                common.append(feature)
                continue
            # Set operations, so that only the holders already found loop in Python.
            holders, amount = feature.liked_holders, feature.amount
            if apart and kind == "creator":
                holders = holders - apart
            found = total.keys() & holders
            total.update(dict.fromkeys(holders.difference(found), amount))
            for holder in found:
                total[holder] += amount
    get = total.get
    for other, weight in link_weights.items():
        if other in liked:
            total[other] = get(other, 0.0) + weight
    for other in relations.series_mates(entry):
        if other in liked and other not in apart:
            total[other] = get(other, 0.0) + weight_of(SAME_SERIES)
    if not total and common:
        # Only very common creators or tags: the best-liked holders of the rarest one.
        rarest = min(common, key=lambda f: relations.holder_count(f.kind, f.key))
        for holder in relations.best_liked(rarest.kind, rarest.key, liked):
            total[holder] = 0.0
    for feature in common:
        # Only the candidates already found (all liked): the intersection is worked out in C.
        sharing = feature.liked_holders.intersection(total)
        for holder in sharing - apart if apart and feature.kind == "creator" else sharing:
            total[holder] += feature.amount
    total.pop(entry.slug, None)
    exp = math.exp
    ties = [((1.0 - exp(-amount)) * liked[slug], slug) for slug, amount in total.items() if amount]
    # (value, slug) tuples: the slug breaks ties. Sorting runs in C; heapq.nlargest() loops in
    # Python, which costs more for the few dozen candidates a title usually has.
    ties.sort(reverse=True)
    return ties[: TOP_LIKED * 2]


def _when_seen(last: int | None, today: dt.date) -> str:
    """'last seen 2019-03-01 (5 years ago)', or that the day is not known or still to come."""
    if not last:
        return "no day of viewing recorded"
    day = dt.date.fromordinal(last)
    if day > today:
        # A date typed ahead (or a viewing planned): it was not seen then, nor today.
        return f"a viewing dated {day}, still to come"
    return f"last seen {day} ({_ago(day, today)})"


def rewatch_ideas(
    relations: Relations, limit: int | None = 10, today: dt.date | None = None
) -> list[Recommendation]:
    """The best-scored watched titles (your top quarter), the one not seen longest first."""
    today = today or dt.date.today()
    # Only finished titles: a dropped or half-watched one is no rewatch. A watched title need
    # not have a dated viewing (`watched` may be left out, and a file without `status` is
    # watched): those count too, as seen longest ago, since nobody knows when.
    seen = [r for r in relations.entry_scores() if r.score is not None and r.status == "watched"]
    if not seen:
        return []
    scores = [r.score for r in seen if r.score is not None]
    best = _upper_quartile(scores)
    ideas = sorted(
        (r for r in seen if r.score is not None and r.score >= best),
        key=lambda r: (r.last or 0, -(r.score or 0.0), r.slug),
    )[:limit]
    loaded = relations.load(r.slug for r in ideas)
    return [
        Recommendation(
            loaded[r.slug],
            None,
            [f"rewatch idea: you scored it {format_score(r.score)}, {_when_seen(r.last, today)}"],
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
