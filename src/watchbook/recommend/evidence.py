"""Evidence: what one tie between two entries says, and how ties combine into relatedness."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.links import EntryLink
    from watchbook.recommend.sources import Relations

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


class Recommendation(NamedTuple):
    """One suggested entry: how related (0-1, None for rewatch ideas) and why, in plain words."""

    entry: Entry
    relatedness: float | None
    reasons: list[str]
    # "related" (to a query), "watchlist" (planned, by taste), "continue" (a run under way
    # scored highly so far) or "rewatch" (the fallback).
    mode: str = "related"
    # The score the user would likely give a planned title (watchlist mode, enough scores).
    predicted: float | None = None

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
            "predicted": None if self.predicted is None else round(self.predicted, 2),
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


def names_list(names: Sequence[str]) -> str:
    """'a, b, c' for the reasons text."""
    return ", ".join(names)


class Features:
    """An entry's creators and tags by normalised key, with the names as it writes them."""

    __slots__ = ("creators", "entry", "tags")

    def __init__(self, entry: Entry | None = None) -> None:
        self.creators: dict[str, str] = {}
        self.tags: dict[str, str] = {}
        # The entry they were read from (a cached copy is used only for the very same object).
        self.entry = entry


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
    relations: Relations,
    anchor: Entry,
    features: Features,
    other: Entry,
    links: Sequence[EntryLink] = (),
    same_series: bool = False,
) -> list[Part]:
    """Every tie between anchor and the entry `other` except review wording, strongest first."""
    parts = link_parts(anchor, links)
    theirs = relations.features(other)
    # Dismissing a derived link (`unlink`) also silences the ties it was made of.
    apart = relations.apart(anchor.slug, other.slug)
    if same_series and not apart:
        parts.append((SAME_SERIES, "same series"))
    # Creators first, as ties in strength keep this order; a dismissed link shares no creators.
    shared = [] if apart else [("creator", CREATOR, features.creators, theirs.creators)]
    shared.append(("tag", TAG, features.tags, theirs.tags))
    for term, weight, mine, others in shared:
        names = [(relations.rarity(term, key), name) for key, name in mine.items() if key in others]
        if names:
            label = f"shared {term}" if len(names) == 1 else f"shared {term}s"
            parts.append(_shared_part(names, weight, label))
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


Candidate = TypeVar("Candidate", bound=Hashable)


def evidence_totals(
    relations: Relations,
    features: Features,
    holders: Callable[[str, str], Iterable[Candidate]],
    links: Mapping[Candidate, Sequence[EntryLink]],
    mates: Iterable[Candidate],
) -> dict[Candidate, float]:
    """Evidence per candidate from links, creators and tags, added up along inverted lists.

    Candidates are named as `holders` names them (slugs, or the index's row ids).
    """
    # The same sum evidence() makes, without building any reason; used to pick the candidates worth
    # reading whole. (It ignores dismissals, which evidence() then applies.)
    total: dict[Candidate, float] = defaultdict(float)
    for kind, keys, weight in (
        ("creator", features.creators, CREATOR),
        ("tag", features.tags, TAG),
    ):
        for key in keys:
            amount = weight_of(weight * relations.rarity(kind, key))
            for holder in holders(kind, key):
                total[holder] += amount
    for other, group in links.items():
        total[other] += link_weight(group)
    for other in mates:
        total[other] += weight_of(SAME_SERIES)
    return total


def best_candidates(
    total: Mapping[Candidate, float],
    count: int,
    slugs_of: Callable[[list[Candidate]], Mapping[Candidate, str]],
) -> list[str]:
    """The slugs of the `count` candidates with the most evidence (ties by slug)."""
    found = {candidate: value for candidate, value in total.items() if value > 0}
    if len(found) > count:
        # Only those that can make the cut are named: the count-th best value and above.
        cut = heapq.nlargest(count, found.values())[-1]
        found = {candidate: value for candidate, value in found.items() if value >= cut}
    names = slugs_of(list(found))
    best = heapq.nsmallest(count, ((-value, names[c]) for c, value in found.items() if c in names))
    return [slug for _, slug in best]


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


# --- what counts as liked ------------------------------------------------------------------


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
