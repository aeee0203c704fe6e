"""`recommend` without QUERY, first: the series you are in the middle of and like so far.

Kept apart from the watchlist's ranking (watchlist.py) on purpose: these are not suggestions by
taste but reminders, placed before the watchlist and labelled "continue".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from watchbook.entry import format_score
from watchbook.progress import fraction
from watchbook.recommend.evidence import Recommendation

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.recommend.sources import Relations


def continuing(relations: Relations, limit: int | None = 10) -> list[Recommendation]:
    """Runs under way whose score so far counts as liked, the one watched last first."""
    going = [e for e in relations.load(relations.liked_runs()).values() if e.progress is not None]
    going.sort(key=lambda e: (_last(e), e.slug), reverse=True)
    return [Recommendation(e, None, [_reason(e)], mode="continue") for e in going[:limit]]


def _last(entry: Entry) -> dt.date:
    return (entry.progress.last if entry.progress else None) or dt.date.min


def _reason(entry: Entry) -> str:
    """'continue: 5/12 seen, the last on 2024-03-09; you score it 8/10 so far'."""
    run = entry.progress
    assert run is not None
    last = f", the last on {run.last}" if run.last else ""
    return (
        f"continue: {fraction(run.seen, entry.episodes)} seen{last}; "
        f"you score it {format_score(entry.score)} so far"
    )
