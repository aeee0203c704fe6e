"""From a show's episode plays to runs: finished viewings, undated ones, and the run under way.

A tracker such as Trakt records plays per episode. watchbook keeps one entry per show, so the
plays are read as runs through the show: the k-th run is finished once every aired episode has
been played k times, and it is dated by the last of those k-th plays. Episodes played more often
than the finished runs make up the run under way. Season 0 (specials) never counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from watchbook.progress import Progress

# (season, episode number)
EpisodeKey = tuple[int, int]


@dataclass
class Runs:
    """What a show's plays say: dated finished runs, undated ones, the run under way."""

    finished: list[dt.date] = field(default_factory=list)
    undated: int = 0
    progress: Progress | None = None
    episodes: int | None = None


def runs_of(plays: Mapping[EpisodeKey, Sequence[dt.date | None]], aired: int | None) -> Runs:
    """The runs in a show's plays; `aired` is how many episodes have aired (None: unknown).

    Each episode's plays may hold None for a play whose day is unknown (an older export gives
    only the last play's day); those count as the earliest plays.
    """
    regular = {key: _ordered(days) for key, days in plays.items() if key[0] >= 1 and days}
    if not regular:
        return Runs(episodes=aired)
    episodes = max(aired, len(regular)) if aired else None
    complete = min(len(days) for days in regular.values()) if episodes == len(regular) else 0
    runs = Runs(episodes=episodes)
    for k in range(complete):
        known = [day for days in regular.values() if (day := days[k]) is not None]
        if known:
            runs.finished.append(max(known))
        else:
            runs.undated += 1
    going = [days[complete] for days in regular.values() if len(days) > complete]
    if going:
        dated = [day for day in going if day is not None]
        runs.progress = Progress(
            len(going), max(dated) if dated else None, min(dated) if dated else None
        )
    return runs


def _ordered(days: Sequence[dt.date | None]) -> list[dt.date | None]:
    """Undated plays first (they came before the dated last one), then by day."""
    return sorted(days, key=lambda day: (day is not None, day or dt.date.min))
