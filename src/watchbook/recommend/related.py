"""`recommend QUERY`: the other entries ranked by how they relate to one, with reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from watchbook.recommend.evidence import (
    MIN_RELATEDNESS,
    RERANK,
    Recommendation,
    _mean,
    _score,
    evidence,
    scaled,
    score_factor,
    strength,
)
from watchbook.recommend.wording import review_text, wording_part

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.recommend.sources import Relations


def related(relations: Relations, entry: Entry, limit: int = 10) -> list[Recommendation]:
    """Other entries ranked by relatedness to `entry`, best first, each with its reasons."""
    features = relations.features(entry)
    links = relations.links_by_other(entry.slug)
    mates = set(relations.series_mates(entry))
    # First by links, creators and tags alone (cheap: no other entry is read), ...
    top = relations.rough_candidates(entry, features, links, mates, max(RERANK, 4 * limit))
    # ... then the best of them whole: review wording and the candidate's score.
    loaded = relations.load(top)
    words = relations.words() if review_text(entry) else None
    # An unscored candidate (a planned title, say) counts as the typical score around it.
    scores = [e.score for e in loaded.values() if e.score is not None]
    mean = _mean(scores) if scores else 5.0
    results: list[Recommendation] = []
    for slug in top:
        other = loaded.get(slug)
        if other is None:
            continue
        parts = evidence(relations, entry, features, other, links.get(slug, ()), slug in mates)
        if words is not None:
            extra = wording_part(words, entry, other)
            if extra:
                parts = sorted([*parts, extra], key=lambda part: -part[0])
        value = scaled(strength(parts), score_factor(_score(other), mean))
        if value >= MIN_RELATEDNESS:
            results.append(Recommendation(other, value, [text for _, text in parts]))
    results.sort(key=lambda r: (-(r.relatedness or 0.0), -(_score(r.entry) or -1.0), r.entry.slug))
    return results[:limit]
