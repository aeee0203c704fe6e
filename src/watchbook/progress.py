"""Episodes and the progress of a run: the Progress model and the checks of its fields. No I/O.

A series, season or special may say how many episodes it has (`episodes = 12`) and how far the
current run has come (`progress = { seen = 5, date = 2024-03-09 }`: five episodes seen, the
fifth on 9 March). A finished run is a viewing in `watched` like any other, and a rewatch starts
a new run. `rewatches = 2` counts viewings whose dates nobody knows (MyAnimeList keeps only a
count). entry.py builds entries with these; series.py moves a run on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from watchbook.dates import parse_date
from watchbook.errors import InvalidValue

# The kinds that have episodes; an entry without a kind may have them too.
EPISODE_KINDS = ("series", "season", "special")
# Far above any real series (the longest-running ones have a few thousand episodes).
MAX_EPISODES = 100_000
# What a progress table may hold besides the keys a user adds (kept as written).
PROGRESS_KEYS = ("seen", "date", "started")


class Progress:
    """The current run: episodes seen, the day of the last one and of the first, if known."""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self,
        seen: int,
        date: dt.date | None = None,
        started: dt.date | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.seen = seen
        self.date = date
        self.started = started
        self.extra: dict[str, Any] = {} if extra is None else extra

    def _values(self) -> tuple[Any, ...]:
        return (self.seen, self.date, self.started, self.extra)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Progress)
        return self._values() == other._values()

    def __repr__(self) -> str:
        return (
            f"Progress(seen={self.seen!r}, date={self.date!r}, started={self.started!r}, "
            f"extra={self.extra!r})"
        )

    def to_toml(self) -> int | dict[str, Any]:
        """The count alone when nothing else is known, else `{ seen = 5, date = ... }`."""
        if self.date is None and self.started is None and not self.extra:
            return self.seen
        data: dict[str, Any] = {"seen": self.seen}
        if self.date is not None:
            data["date"] = self.date
        if self.started is not None:
            data["started"] = self.started
        data.update(self.extra)
        return data

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: seen, date and started always (dates as ISO text or null)."""
        data: dict[str, Any] = {
            "seen": self.seen,
            "date": self.date.isoformat() if self.date else None,
            "started": self.started.isoformat() if self.started else None,
        }
        data.update(self.extra)
        return data

    @property
    def last(self) -> dt.date | None:
        """The latest day this run is known to have been watched on."""
        return self.date or self.started


def fraction(seen: int | None, episodes: int | None) -> str:
    """'5/12'; '5/?' when the episode count is unknown; '?/12' when the progress is."""
    return f"{'?' if seen is None else seen}/{'?' if episodes is None else episodes}"


def _whole(name: str, value: Any, limit: int = MAX_EPISODES) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
        raise InvalidValue(name, f"must be a whole number from 1 to {limit:,} (got {value!r})")
    return value


def check_episodes(value: Any) -> int | None:
    """`episodes`: how many the series has, a whole number from 1."""
    return None if value is None else _whole("episodes", value)


def check_rewatches(value: Any) -> int | None:
    """`rewatches`: how many more times it was seen, on days nobody recorded."""
    return None if value is None else _whole("rewatches", value)


def check_progress(value: Any) -> Progress | None:
    """`progress`: episodes seen (`5`) or `{ seen = 5, date = ..., started = ... }`."""
    if value is None:
        return None
    if not isinstance(value, dict):
        if isinstance(value, int | str) and not isinstance(value, bool):
            return Progress(_whole("progress", value))
        raise InvalidValue(
            "progress",
            f"must be the episodes seen, or a table like {{ seen = 5, date = 2024-03-09 }} "
            f"(got {value!r})",
        )
    if "seen" not in value:
        raise InvalidValue("progress", "needs the episodes seen: { seen = 5, date = 2024-03-09 }")
    progress = Progress(
        _whole("progress.seen", value["seen"]),
        None if value.get("date") is None else parse_date(value["date"], "progress.date"),
        None if value.get("started") is None else parse_date(value["started"], "progress.started"),
        {k: v for k, v in value.items() if k not in PROGRESS_KEYS},
    )
    if progress.date and progress.started and progress.started > progress.date:
        raise InvalidValue(
            "progress.started",
            f"{progress.started} is after the last episode's date ({progress.date})",
        )
    return progress


def check_series(
    kind: str | None, status: str, episodes: int | None, progress: Progress | None
) -> None:
    """What the fields say together: only kinds with episodes, no progress on a planned title."""
    for name, value in (("episodes", episodes), ("progress", progress)):
        if value is not None and kind is not None and kind not in EPISODE_KINDS:
            raise InvalidValue(
                name, f"a {kind} has no episodes (only a series, season or special has them)"
            )
    if progress is None:
        return
    if status == "planned":
        raise InvalidValue(
            "progress", "a planned title has no progress yet (set status to watching)"
        )
    if episodes is not None and progress.seen > episodes:
        raise InvalidValue(
            "progress.seen", f"{progress.seen} is more than the {episodes} episodes it has"
        )
