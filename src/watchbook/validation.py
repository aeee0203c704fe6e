"""The rules for every field of an entry: a value is checked, or refused in one line naming it.

`entry_from_dict` builds an Entry from what a file or an importer gives, checking each field;
`validate` checks an Entry made in code the same way. No I/O.
"""

from __future__ import annotations

import math
from typing import Any

from watchbook.dates import parse_date
from watchbook.entry import (
    COMMUNITY_KEY,
    KINDS,
    KNOWN_KEYS,
    MAX_LINE,
    MAX_NESTING,
    MAX_REVIEW,
    MAX_TITLE,
    MAX_YEAR,
    MIN_YEAR,
    STATUSES,
    VIEWING_KEYS,
    VOTES_SUFFIX,
    Entry,
    Link,
    Viewing,
)
from watchbook.errors import InvalidValue
from watchbook.progress import (
    check_episodes,
    check_progress,
    check_rewatches,
    check_series,
)
from watchbook.text import has_control_chars


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


def check_community(value: Any) -> None:
    """Other people's ratings (0-10) and vote counts (whole numbers, keys ending in _votes)."""
    if not isinstance(value, dict):
        raise InvalidValue(
            COMMUNITY_KEY, "must be a table like { imdb = 8.1, imdb_votes = 1002277 }"
        )
    for key, item in value.items():
        name = f"{COMMUNITY_KEY}.{key}"
        number = isinstance(item, int | float) and not isinstance(item, bool)
        if key.endswith(VOTES_SUFFIX):
            if not number or not isinstance(item, int) or item < 0:
                raise InvalidValue(
                    name, f"must be a whole number of votes, 0 or more (got {item!r})"
                )
        elif not number or not math.isfinite(item) or not 0 <= item <= 10:
            raise InvalidValue(name, f"must be a rating from 0 to 10 (got {item!r})")


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
    if COMMUNITY_KEY in data:
        check_community(data[COMMUNITY_KEY])
    if status == "planned" and score is not None:
        raise InvalidValue("score", "a planned entry has no score yet (remove it or change status)")
    kind = check_choice("kind", data.get("kind"), KINDS)
    episodes = check_episodes(data.get("episodes"))
    progress = check_progress(data.get("progress"))
    check_series(kind, status, episodes, progress)
    return Entry(
        title=check_title(data["title"]),
        slug=slug,
        year=check_year(data.get("year")),
        kind=kind,
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
        episodes=episodes,
        progress=progress,
        rewatches=check_rewatches(data.get("rewatches")),
    )


def validate(entry: Entry) -> Entry:
    """Re-check an Entry built in code (e.g. from command-line flags) by its written form."""
    return entry_from_dict(entry.to_dict(), entry.slug)
