"""The Entry model: one watched (or planned) title, its validation, and its TOML-ready form. No I/O."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from watchbook.progress import (
    Progress,
)

KINDS = ("movie", "series", "season", "episode", "special", "short", "other")
STATUSES = ("watched", "watching", "planned", "dropped")

# Known keys in the order they are written, so that git diffs stay small. Unknown plain keys
# the user added go just before `review`; tables (`ids`, `[[links]]`, unknown ones) come last.
SCALAR_ORDER = (
    "title",
    "year",
    "kind",
    "status",
    "episodes",
    "progress",
    "score",
    "verdict",
    "watched",
    "rewatches",
    "tags",
    "creators",
    "aliases",
    "where",
)
KNOWN_KEYS = frozenset((*SCALAR_ORDER, "review", "ids", "links"))

MAX_TITLE = 300
MAX_LINE = 1000
MAX_REVIEW = 1_000_000
# The key in an entry file listing slugs whose derived links the user dismissed (`unlink`).
DISMISS_KEY = "unlinked"
# The table of other people's ratings (`imdb = 8.1`) and vote counts (`imdb_votes = 1002277`),
# kept apart from the user's own score; importers write it, recommend reads it.
COMMUNITY_KEY = "community"
VOTES_SUFFIX = "_votes"
MIN_YEAR, MAX_YEAR = 1870, 2100
# The earliest viewing `add` accepts: the first day of the earliest release year.
EARLIEST_VIEWING = dt.date(MIN_YEAR, 1, 1)


def viewing_date_problem(day: dt.date, today: dt.date | None = None) -> str | None:
    """Why a viewing recorded now cannot be on this day (in the future, before 1870), or None."""
    # `add` refuses such a day and an import leaves it out; a file may still hold any date.
    if day > (today or dt.date.today()):
        return "is in the future"
    if day < EARLIEST_VIEWING:
        return (
            f"is before {EARLIEST_VIEWING.isoformat()}, the earliest viewing date watchbook records"
        )
    return None


# What a viewing's table may hold besides the keys a user adds (kept as written).
VIEWING_KEYS = ("date", "score", "note")
# How deeply tables and arrays may nest in an entry file (a top-level table or array is level
# 1). Deeper files are refused as unreadable: the TOML writer and the index's encoder recurse.
MAX_NESTING = 16


# Entry and Link are plain classes rather than dataclasses: a dataclass compiles its methods
# when the module is imported, and every command imports this one.


class Link:
    """A cross-link the user wrote: from the entry holding it to the entry with slug `to`."""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self, to: str, why: str | None = None, extra: dict[str, Any] | None = None
    ) -> None:
        self.to = to
        self.why = why
        self.extra: dict[str, Any] = {} if extra is None else extra

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Link)
        return (self.to, self.why, self.extra) == (other.to, other.why, other.extra)

    def __repr__(self) -> str:
        return f"Link(to={self.to!r}, why={self.why!r}, extra={self.extra!r})"

    def to_dict(self) -> dict[str, Any]:
        """The link as a TOML table, `to` and `why` first."""
        data: dict[str, Any] = {"to": self.to}
        if self.why:
            data["why"] = self.why
        data.update(self.extra)
        return data


class Viewing:
    """One viewing: its date, and the score and note the user gave that viewing, if any."""

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self,
        date: dt.date,
        score: int | float | None = None,
        note: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.date = date
        self.score = score
        self.note = note
        self.extra: dict[str, Any] = {} if extra is None else extra

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Viewing)
        return (self.date, self.score, self.note, self.extra) == (
            other.date,
            other.score,
            other.note,
            other.extra,
        )

    def __repr__(self) -> str:
        return (
            f"Viewing(date={self.date!r}, score={self.score!r}, note={self.note!r}, "
            f"extra={self.extra!r})"
        )

    @property
    def plain(self) -> bool:
        """True when the viewing is only a date (written in the short form)."""
        return self.score is None and self.note is None and not self.extra

    def to_toml(self) -> dt.date | dict[str, Any]:
        """The date alone, or a table with the date first: `{ date = ..., score = 7 }`."""
        if self.plain:
            return self.date
        data: dict[str, Any] = {"date": self.date}
        if self.score is not None:
            data["score"] = self.score
        if self.note is not None:
            data["note"] = self.note
        data.update(self.extra)
        return data

    def to_json(self) -> dict[str, Any]:
        """The viewing as JSON-ready data: date, score and note always, then the user's keys."""
        data: dict[str, Any] = {"date": self.date.isoformat(), "score": self.score}
        data["note"] = self.note
        data.update(_jsonable(self.extra))
        return data


def _viewing(item: dt.date | Viewing) -> Viewing:
    return item if isinstance(item, Viewing) else Viewing(item)


class Entry:
    """One title in the journal; `slug` is the file name's stem and never stored in the file.

    `viewings` holds every viewing, oldest first; `watched` is their dates. The constructor
    takes viewings or plain dates for `watched`.
    """

    FIELDS = (
        "title", "slug", "year", "kind", "status", "score", "verdict", "viewings", "tags",
        "creators", "aliases", "where", "review", "ids", "links", "extra", "episodes",
        "progress", "rewatches",
    )  # fmt: skip
    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self,
        title: str,
        slug: str = "",
        year: int | None = None,
        kind: str | None = None,
        status: str = "watched",
        score: int | float | None = None,
        verdict: str | None = None,
        watched: Sequence[dt.date | Viewing] | None = None,
        tags: list[str] | None = None,
        creators: list[str] | None = None,
        aliases: list[str] | None = None,
        where: str | None = None,
        review: str | None = None,
        ids: dict[str, str] | None = None,
        links: list[Link] | None = None,
        extra: dict[str, Any] | None = None,
        episodes: int | None = None,
        progress: Progress | None = None,
        rewatches: int | None = None,
    ) -> None:
        self.title = title
        self.slug = slug
        self.year = year
        self.kind = kind
        self.status = status
        self.score = score
        self.verdict = verdict
        self.viewings: list[Viewing] = sorted(
            (_viewing(item) for item in watched or ()), key=lambda v: v.date
        )
        self.tags: list[str] = [] if tags is None else tags
        self.creators: list[str] = [] if creators is None else creators
        self.aliases: list[str] = [] if aliases is None else aliases
        self.where = where
        self.review = review
        self.ids: dict[str, str] = {} if ids is None else ids
        self.links: list[Link] = [] if links is None else links
        self.extra: dict[str, Any] = {} if extra is None else extra
        # Series only (progress.py): the episode count, the current run, undated viewings.
        self.episodes = episodes
        self.progress = progress
        self.rewatches = rewatches

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Entry)
        return self._values() == other._values()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.FIELDS)
        return f"Entry({shown})"

    @property
    def label(self) -> str:
        """Title with the year in brackets when known: 'Blame! (2017)'."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def watched(self) -> list[dt.date]:
        """The dates of the viewings, oldest first."""
        return [v.date for v in self.viewings]

    @watched.setter
    def watched(self, dates: Sequence[dt.date]) -> None:
        # A viewing whose date stays keeps its score and note.
        left = list(self.viewings)
        kept: list[Viewing] = []
        for date in sorted(dates):
            same = next((v for v in left if v.date == date), None)
            if same is None:
                kept.append(Viewing(date))
            else:
                left.remove(same)
                kept.append(same)
        self.viewings = kept

    def add_viewing(self, viewing: Viewing) -> None:
        """Add a viewing in date order (after others of the same day)."""
        import bisect

        place = bisect.bisect_right([v.date for v in self.viewings], viewing.date)
        self.viewings.insert(place, viewing)

    @property
    def last_watched(self) -> dt.date | None:
        """The most recent viewing, if any."""
        return max(v.date for v in self.viewings) if self.viewings else None

    def to_dict(self) -> dict[str, Any]:
        """The entry as the mapping written to its TOML file, keys in the documented order."""
        data: dict[str, Any] = {"title": self.title}
        optional: dict[str, Any] = {
            "year": self.year,
            "kind": self.kind,
            "status": self.status,
            "episodes": self.episodes,
            "progress": self.progress.to_toml() if self.progress else None,
            "score": self.score,
            "verdict": self.verdict,
            "watched": [v.to_toml() for v in sorted(self.viewings, key=lambda v: v.date)],
            "rewatches": self.rewatches,
            "tags": self.tags,
            "creators": self.creators,
            "aliases": self.aliases,
            "where": self.where,
        }
        for key, value in optional.items():
            if value not in (None, [], ""):
                data[key] = value
        tables = {k: v for k, v in self.extra.items() if isinstance(v, dict) or _is_table_list(v)}
        data.update((k, v) for k, v in self.extra.items() if k not in tables)
        if self.review:
            data["review"] = self.review
        if self.ids:
            data["ids"] = dict(self.ids)
        data.update(tables)
        if self.links:
            data["links"] = [link.to_dict() for link in self.links]
        return data

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON-ready data: every field, dates as ISO strings, plus `slug`."""
        data: dict[str, Any] = {"slug": self.slug}
        for key, value in self.to_dict().items():
            if key in JSON_KEYS:
                # A key of the user's by one of these names stays in the file; in JSON the
                # name means what watchbook puts there (a script reading `slug` gets the id).
                continue
            data[key] = value
            if key == "watched":
                viewings = sorted(self.viewings, key=lambda v: v.date)
                data["watched"] = [v.date.isoformat() for v in viewings]
                data["viewings"] = [v.to_json() for v in viewings]
        data.setdefault("watched", [])
        data.setdefault("viewings", [])
        data["progress"] = self.progress.to_json() if self.progress else None
        for key in ("year", "kind", "score", "verdict", "where", "review", "episodes", "rewatches"):
            data.setdefault(key, None)
        for key in ("tags", "creators", "aliases"):
            data.setdefault(key, [])
        data.setdefault("ids", {})
        data["links"] = [link.to_dict() for link in self.links]
        jsonable: dict[str, Any] = _jsonable(data)
        return jsonable


# Keys watchbook adds to an entry's JSON (show, list, search, the JSON export).
JSON_KEYS = frozenset({"slug", "path", "viewings", "backlinks", "related", "recommended"})


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        # A user's key may hold TOML's nan or inf, which JSON has no way to write: its TOML
        # spelling, as a string.
        return "nan" if value != value else "inf" if value > 0 else "-inf"
    return value


def dismissed(entry: Entry) -> list[str]:
    """Slugs whose derived links with this entry the user dismissed (the `unlinked` list)."""
    value = entry.extra.get(DISMISS_KEY)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def community_rating(entry: Entry) -> float | None:
    """The mean of the ratings in the entry's `community` table (vote counts left out), if any."""
    table = entry.extra.get(COMMUNITY_KEY)
    if not isinstance(table, dict):
        return None
    ratings = [
        float(v)
        for k, v in table.items()
        if not k.endswith(VOTES_SUFFIX) and isinstance(v, int | float) and not isinstance(v, bool)
    ]
    return math.fsum(ratings) / len(ratings) if ratings else None


def format_score(score: int | float | None) -> str:
    """'6/10', '7.5/10', or '' when unscored."""
    if score is None:
        return ""
    return f"{score:g}/10"
