"""MyAnimeList: the XML anime list export (plain or .gz), parsed with defusedxml.

A real export never declares a DTD or entities, so any file that does is refused outright:
that is how entity expansion ("billion laughs") and external-entity tricks fail safely.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from watchbook.entry import Entry
from watchbook.errors import InvalidValue, UnreadableImport
from watchbook.importers.files import read_file
from watchbook.importers.records import Parsed, Skipped, make_record
from watchbook.markdown_safety import safe_markdown
from watchbook.progress import EPISODE_KINDS, Progress

SERVICE = "mal"
# Newer exports write words, the oldest ones numbers.
KINDS = {
    "tv": "series",
    "movie": "movie",
    "ova": "special",
    "ona": "special",
    "special": "special",
    "tv special": "special",
    "music": "short",
    "cm": "short",
    "pv": "short",
    "1": "series",
    "2": "special",
    "3": "movie",
    "4": "special",
    "5": "special",
    "6": "short",
}
STATUSES = {
    "completed": "watched",
    "watching": "watching",
    "on-hold": "watching",
    "dropped": "dropped",
    "plan to watch": "planned",
    "1": "watching",
    "2": "watched",
    "3": "watching",
    "4": "dropped",
    "6": "planned",
}
# The counts of an <anime> element watchbook reads (0 or empty means none).
_COUNTS = (
    "series_episodes",
    "my_watched_episodes",
    "my_times_watched",
    "my_rewatching",
    "my_rewatching_ep",
)
_EPISODE_KINDS = (*EPISODE_KINDS, None)
# Statuses whose `my_rewatching` flag says a rewatch is under way.
_REWATCHABLE = ("completed", "2")
# Every title on the list is anime, which the journal's kinds do not say.
ANIME_TAG = "anime"
_MAL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_xml(data: bytes, name: str) -> Any:
    """The root element of an XML file; refuses DTDs, entities and external references."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnreadableImport(
            name,
            f"declares a DTD or entities ({type(exc).__name__}), which a MyAnimeList export "
            "never does; refused for safety, nothing was imported",
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise UnreadableImport(
            name, f"line {line}, column {column}: not well-formed XML ({exc.msg})"
        ) from None


def _text(element: Any, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def mal_date(text: str) -> dt.date | None:
    """'2024-10-07'; '0000-00-00' and partial dates like '2019-05-00' mean unknown (None)."""
    if not text:
        return None
    match = _MAL_DATE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a date")
    year, month, day = (int(part) for part in match.groups())
    if not (year and month and day):
        return None
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date ({exc})") from None


def _entry(anime: Any) -> Entry:
    """The entry of one <anime> element; ValueError names what cannot be read."""
    mal_id = _text(anime, "series_animedb_id")
    if not mal_id.isdigit():
        raise ValueError(f"series_animedb_id: {mal_id!r} is not a MyAnimeList id")
    title = _text(anime, "series_title")
    if not title:
        raise ValueError("series_title is empty")
    raw_status = _text(anime, "my_status")
    status = STATUSES.get(raw_status.lower())
    if status is None:
        raise ValueError(f"my_status: {raw_status!r} is not a MyAnimeList status")
    raw_score = _text(anime, "my_score") or "0"
    if not raw_score.isdigit() or int(raw_score) > 10:
        raise ValueError(f"my_score: {raw_score!r} is not 0-10")
    dates = {}
    for tag in ("my_start_date", "my_finish_date"):
        try:
            dates[tag] = mal_date(_text(anime, tag))
        except ValueError as exc:
            raise ValueError(f"{tag}: {exc}") from None
    kind = KINDS.get(_text(anime, "series_type").lower())
    counts = {tag: _number(anime, tag) for tag in _COUNTS}
    episodes = counts["series_episodes"] if kind in _EPISODE_KINDS else None
    progress = None
    if kind in _EPISODE_KINDS:
        progress = _progress(raw_status.lower(), status, counts, dates["my_start_date"], episodes)
    if progress is not None and status == "watched":
        # Completed and being rewatched: a run under way.
        status = "watching"
    # One viewing, dated when it was finished, else (for a completed title) when it was
    # started; a planned title has none yet, and a run under way, on hold or dropped without a
    # finish date has only its start (0 episodes seen is not a viewing either).
    day = dates["my_finish_date"]
    if day is None and status == "watched":
        day = dates["my_start_date"]
    tags = [ANIME_TAG, *(t.strip() for t in _text(anime, "my_tags").split(",") if t.strip())]
    return Entry(
        title=title,
        kind=kind,
        status=status,
        score=int(raw_score) if int(raw_score) and status != "planned" else None,
        watched=[day] if day and status != "planned" else [],
        tags=tags,
        # Plain text as MyAnimeList keeps it, made safe to show as Markdown.
        review=safe_markdown((anime.findtext("my_comments") or "").strip()) or None,
        ids={SERVICE: mal_id},
        episodes=episodes,
        progress=progress,
        rewatches=counts["my_times_watched"] if status != "planned" else None,
    )


def _number(anime: Any, tag: str) -> int | None:
    """A count: a whole number, with 0 (or nothing) meaning none."""
    raw = _text(anime, tag) or "0"
    if not raw.isdigit():
        raise ValueError(f"{tag}: {raw!r} is not a whole number")
    return int(raw) or None


def _progress(
    raw_status: str,
    status: str,
    counts: dict[str, int | None],
    started: dt.date | None,
    episodes: int | None,
) -> Progress | None:
    """The run under way: Watching, On-Hold and Dropped keep their episodes; a rewatch its own."""
    if raw_status in _REWATCHABLE and counts["my_rewatching"]:
        seen, started = counts["my_rewatching_ep"], None
    elif status in ("watching", "dropped"):
        seen = counts["my_watched_episodes"]
    else:
        return None
    if seen is None:
        return None
    if episodes is not None and seen > episodes:
        raise ValueError(f"my_watched_episodes: {seen} is more than series_episodes ({episodes})")
    return Progress(seen, started=started)


def read_mal(path: Path) -> Parsed:
    """Every <anime> of a MyAnimeList export as a record; bad elements reported by number."""
    parsed = Parsed(SERVICE)
    source = read_file(path)
    root = parse_xml(source.data, source.name)
    if root.tag != "myanimelist":
        raise UnreadableImport(
            source.name, f"is XML but not a MyAnimeList export (its root is <{root.tag}>)"
        )
    animes = root.findall("anime")
    if not animes and root.findall("manga"):
        raise UnreadableImport(source.name, "is a manga list; watchbook imports the anime list")
    parsed.rows[source.name] = len(animes)
    for number, anime in enumerate(animes, start=1):
        where = f"{source.name} anime element {number}"
        title = _text(anime, "series_title") or None
        try:
            parsed.records.append(make_record(where, _entry(anime), parsed.notes))
        except (ValueError, InvalidValue) as exc:
            parsed.skipped.append(Skipped(where, str(exc), title))
    parsed.counts = parsed.tally()
    return parsed
