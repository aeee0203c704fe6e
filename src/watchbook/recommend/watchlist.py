"""`recommend` without QUERY: the watchlist ordered by taste, or rewatch ideas when it is empty."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from watchbook.entry import format_score
from watchbook.recommend.evidence import (
    MIN_RELATEDNESS,
    SAME_SERIES,
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


def affinity_watchlist(
    relations: Relations, planned: list[Entry], limit: int | None = 10
) -> list[Recommendation]:
    """Planned entries ordered by affinity to the titles the user scored highest."""
    liked = relations.liked()
    weights = relations.taste_links([e.slug for e in planned], liked)
    # First every planned title by sums along the inverted lists (no reasons built), ...
    rough = [(taste_ties(relations, e, weights[e.slug], liked), e) for e in planned]
    rough.sort(key=lambda item: (-_affinity(item[0]), item[1].title.casefold(), item[1].slug))
    shown = rough[:limit]
    # ... then the ones shown exactly: every tie's evidence and reasons, wording if there are
    # notes to compare.
    links = relations.links_for([e.slug for _, e in shown])
    loaded = relations.load({slug for ties, _ in shown for _, slug in ties})
    words = relations.words() if any(review_text(e) for _, e in shown) else None
    results = []
    for ties, entry in shown:
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
    results.sort(key=lambda r: (-(r.relatedness or 0.0), r.entry.title.casefold(), r.entry.slug))
    return results


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
            found = total.keys() & holders
            total.update(dict.fromkeys(holders.difference(found), amount))
            for holder in found:
                total[holder] += amount
    get = total.get
    for other, weight in link_weights.items():
        if other in liked:
            total[other] = get(other, 0.0) + weight
    for other in relations.series_mates(entry):
        if other in liked:
            total[other] = get(other, 0.0) + weight_of(SAME_SERIES)
    if not total and common:
        # Only very common creators or tags: the best-liked holders of the rarest one.
        rarest = min(common, key=lambda f: relations.holder_count(f.kind, f.key))
        for holder in relations.best_liked(rarest.kind, rarest.key, liked):
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


def _when_seen(last: int | None, today: dt.date) -> str:
    """'last seen 2019-03-01 (5 years ago)', or that the day is not known."""
    if not last:
        return "no day of viewing recorded"
    day = dt.date.fromordinal(last)
    return f"last seen {day} ({_ago(day, today)})"


def rewatch_ideas(
    relations: Relations, limit: int | None = 10, today: dt.date | None = None
) -> list[Recommendation]:
    """The best-scored watched titles (your top quarter), the one not seen longest first."""
    today = today or dt.date.today()
    # A watched title need not have a dated viewing (`watched` may be left out): those count
    # too, as seen longest ago, since nobody knows when.
    seen = [r for r in relations.entry_scores() if r.score is not None and r.status != "planned"]
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
