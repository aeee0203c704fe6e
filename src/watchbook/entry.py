"""The Entry model: one watched (or planned) title, its validation, and its TOML-ready form. No I/O."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

from watchbook.errors import InvalidValue
from watchbook.text import has_control_chars

KINDS = ("movie", "series", "season", "episode", "special", "short", "other")
STATUSES = ("watched", "watching", "planned", "dropped")

# Known keys in the order they are written, so that git diffs stay small. Unknown plain keys
# the user added go just before `review`; tables (`ids`, `[[links]]`, unknown ones) come last.
SCALAR_ORDER = (
    "title",
    "year",
    "kind",
    "status",
    "score",
    "verdict",
    "watched",
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
MIN_YEAR, MAX_YEAR = 1870, 2100
# The earliest viewing `add` accepts: the first day of the earliest release year.
EARLIEST_VIEWING = dt.date(MIN_YEAR, 1, 1)
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
        "creators", "aliases", "where", "review", "ids", "links", "extra",
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
            "score": self.score,
            "verdict": self.verdict,
            "watched": [v.to_toml() for v in sorted(self.viewings, key=lambda v: v.date)],
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
        data: dict[str, Any] = {}
        for key, value in {"slug": self.slug, **self.to_dict()}.items():
            data[key] = value
            if key == "watched":
                viewings = sorted(self.viewings, key=lambda v: v.date)
                data["watched"] = [v.date.isoformat() for v in viewings]
                data["viewings"] = [v.to_json() for v in viewings]
        data.setdefault("watched", [])
        data.setdefault("viewings", [])
        for key in ("year", "kind", "score", "verdict", "where", "review"):
            data.setdefault(key, None)
        for key in ("tags", "creators", "aliases"):
            data.setdefault(key, [])
        data.setdefault("ids", {})
        data["links"] = [link.to_dict() for link in self.links]
        jsonable: dict[str, Any] = _jsonable(data)
        return jsonable


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


# --- validation -------------------------------------------------------------------------------


def check_title(value: Any) -> str:
    """A title is one non-empty line of at most MAX_TITLE characters."""
    if not isinstance(value, str):
        raise InvalidValue("title", "must be text")
    title = value.strip()
    if not title:
        raise InvalidValue("title", "must not be empty")
    if has_control_chars(title):
        raise InvalidValue("title", "must be one line of UTF-8 text without control characters")
    if len(title) > MAX_TITLE:
        raise InvalidValue("title", f"must be at most {MAX_TITLE} characters (got {len(title)})")
    return title


def check_year(value: Any) -> int | None:
    """A year is a whole number between MIN_YEAR and MAX_YEAR."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue("year", f"must be a whole number like 2017 (got {value!r})")
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise InvalidValue("year", f"must be between {MIN_YEAR} and {MAX_YEAR} (got {value})")
    return value


def check_choice(name: str, value: Any, allowed: tuple[str, ...]) -> str | None:
    """One of a fixed set of words, compared case-insensitively."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() in allowed:
        return value.strip().lower()
    raise InvalidValue(name, f"must be one of {', '.join(allowed)} (got {value!r})")


def check_score(value: Any, name: str = "score") -> int | float | None:
    """A score is 0-10 in steps of 0.5; whole scores are kept as integers."""
    if value is None:
        return None
    number: float
    if isinstance(value, bool):
        number = math.nan
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = math.nan
    else:
        number = math.nan
    if not math.isfinite(number) or not 0 <= number <= 10 or (number * 2) != int(number * 2):
        raise InvalidValue(name, f"must be a number from 0 to 10 in steps of 0.5 (got {value!r})")
    return int(number) if number.is_integer() else number


def check_line(name: str, value: Any, limit: int = MAX_LINE) -> str | None:
    """Optional one-line text (verdict, where): no newlines or control characters."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue(name, f"must be text (got {value!r})")
    text = value.strip()
    if has_control_chars(text):
        raise InvalidValue(name, "must be one line of UTF-8 text without control characters")
    if len(text) > limit:
        raise InvalidValue(name, f"must be at most {limit} characters (got {len(text)})")
    return text or None


def check_review(value: Any) -> str | None:
    """Free Markdown text; newlines and tabs allowed, other control characters not."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidValue("review", "must be text")
    if has_control_chars(value, allow_newlines=True):
        raise InvalidValue("review", "must be UTF-8 text without control characters")
    if len(value) > MAX_REVIEW:
        raise InvalidValue("review", f"must be at most {MAX_REVIEW} characters (got {len(value)})")
    return value.strip("\n") + "\n" if value.strip() else None


def parse_date(value: Any, name: str = "watched") -> dt.date:
    """A viewing date from a TOML date or datetime, or an ISO 8601 string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValue(name, f"must be a date like 2017-05-22 (got {value!r})")


def check_viewings(value: Any) -> list[Viewing]:
    """`watched`: a date or a `{ date, score, note }` table, or a list of them; oldest first."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    viewings = [check_viewing(item) for item in items]
    return sorted(viewings, key=lambda v: v.date)


def check_viewing(value: Any) -> Viewing:
    """One viewing: a date, or a table with `date` and maybe `score`, `note` and keys of yours."""
    if not isinstance(value, dict):
        return Viewing(parse_date(value))
    if "date" not in value:
        raise InvalidValue("watched", "each viewing table needs a date: { date = 2017-05-22 }")
    return Viewing(
        parse_date(value["date"], "watched.date"),
        check_score(value.get("score"), "watched.score"),
        check_line("watched.note", value.get("note")),
        {k: v for k, v in value.items() if k not in VIEWING_KEYS},
    )


def check_words(name: str, value: Any) -> list[str]:
    """A list of one-line strings (tags, creators, aliases); a single string is a list of one."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    result: list[str] = []
    for item in items:
        text = check_line(name, item, limit=MAX_TITLE)
        if text and text not in result:
            result.append(text)
    return result


def check_ids(value: Any) -> dict[str, str]:
    """External ids: a table of service name to id string."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidValue("ids", 'must be a table like { imdb = "tt0133093" }')
    ids: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        text = check_line(f"ids.{key}", item)
        if text:
            ids[key] = text
    return ids


def check_links(value: Any) -> list[Link]:
    """The user's [[links]]: each needs `to` (a slug) and may have `why`."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise InvalidValue("links", "must be [[links]] tables with `to` and `why`")
    links: list[Link] = []
    for item in value:
        to = check_line("links.to", item.get("to"))
        if not to:
            raise InvalidValue("links.to", "each link needs the slug of the entry it points to")
        why = check_line("links.why", item.get("why"))
        extra = {k: v for k, v in item.items() if k not in ("to", "why")}
        links.append(Link(to=to, why=why, extra=extra))
    return links


# A tuple, not `dict | list`: that would build a union object on every check of every file.
_CONTAINERS = (dict, list)
_FLAT_KEYS = KNOWN_KEYS - {"links"}


def check_nesting(data: dict[str, Any]) -> None:
    """InvalidValue naming the top-level key whose tables or arrays nest past MAX_NESTING."""
    for key, value in data.items():
        # Known keys hold plain values or flat lists, which their own checks enforce; only the
        # user's own keys and [[links]] may nest (checked first: the checks of others recurse).
        if key in _FLAT_KEYS:
            continue
        if isinstance(value, _CONTAINERS) and _too_deep(value, 1):
            raise InvalidValue(
                key,
                f"tables and arrays are nested more than {MAX_NESTING} levels deep; "
                f"watchbook reads at most {MAX_NESTING}",
            )


def _too_deep(value: dict[str, Any] | list[Any], level: int) -> bool:
    # Stops at the limit, so it recurses at most MAX_NESTING + 1 times; scalars cost no call.
    if level > MAX_NESTING:
        return True
    for item in value.values() if isinstance(value, dict) else value:
        if isinstance(item, _CONTAINERS) and _too_deep(item, level + 1):
            return True
    return False


def entry_from_dict(data: dict[str, Any], slug: str = "") -> Entry:
    """Validate a parsed TOML mapping and build its Entry; raises InvalidValue naming the field."""
    check_nesting(data)
    if "title" not in data:
        raise InvalidValue("title", "is required")
    status = check_choice("status", data.get("status"), STATUSES) or "watched"
    score = check_score(data.get("score"))
    if status == "planned" and score is not None:
        raise InvalidValue("score", "a planned entry has no score yet (remove it or change status)")
    return Entry(
        title=check_title(data["title"]),
        slug=slug,
        year=check_year(data.get("year")),
        kind=check_choice("kind", data.get("kind"), KINDS),
        status=status,
        score=score,
        verdict=check_line("verdict", data.get("verdict")),
        watched=check_viewings(data.get("watched")),
        tags=check_words("tags", data.get("tags")),
        creators=check_words("creators", data.get("creators")),
        aliases=check_words("aliases", data.get("aliases")),
        where=check_line("where", data.get("where")),
        review=check_review(data.get("review")),
        ids=check_ids(data.get("ids")),
        links=check_links(data.get("links")),
        extra={k: v for k, v in data.items() if k not in KNOWN_KEYS},
    )


def validate(entry: Entry) -> Entry:
    """Re-check an Entry built in code (e.g. from command-line flags) by its written form."""
    return entry_from_dict(entry.to_dict(), entry.slug)


def dismissed(entry: Entry) -> list[str]:
    """Slugs whose derived links with this entry the user dismissed (the `unlinked` list)."""
    value = entry.extra.get(DISMISS_KEY)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def format_score(score: int | float | None) -> str:
    """'6/10', '7.5/10', or '' when unscored."""
    if score is None:
        return ""
    return f"{score:g}/10"
