"""Trakt: the account export (a .zip, the folder it unpacks to, or one of its JSON files).

Two layouts are in use. The newer one holds every play in `watched-history.json`; the older one
has `history.json` and, per title, `watched-movies.json` and `watched-shows.json` (a play count
and the last play's time). Both have `ratings-*.json` and a watchlist (`lists-watchlist.json`,
or `watchlist-*.json`). Each film and each show becomes one entry: a film's plays are its
viewings, a show's episode plays become runs (runs.py), ratings are scores and the watchlist is
planned. Trakt, IMDb and TMDB ids go into `ids`, so other imports of the same title merge.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from watchbook.entry import Entry, Viewing
from watchbook.errors import InvalidValue, UnreadableImport
from watchbook.importers.files import (
    Source,
    TooLarge,
    check_exists,
    decode_text,
    is_zip,
    one_export_file,
    read_file,
    read_zip,
    shown,
)
from watchbook.importers.records import Parsed, Skipped, make_record
from watchbook.importers.runs import EpisodeKey, runs_of
from watchbook.text import title_key

SERVICE = "trakt"
HISTORY_FILES = ("watched-history.json", "history.json")
WATCHED_FILES = ("watched-movies.json", "watched-shows.json")
RATING_FILES = tuple(f"ratings-{kind}.json" for kind in ("movies", "shows", "seasons", "episodes"))
WATCHLIST_FILES = (
    "lists-watchlist.json",
    *(f"watchlist-{kind}.json" for kind in ("movies", "shows", "seasons", "episodes")),
)
FILES = HISTORY_FILES + WATCHED_FILES + RATING_FILES + WATCHLIST_FILES
# What marks a JSON list as Trakt's: its items name what they are about.
_ITEM_KEYS = {"movie", "show", "episode", "season"}
_IMDB = re.compile(r"^tt\d+$")
_KINDS = {"movie": "movie", "show": "series"}


class ItemProblem(ValueError):
    """One item of a file cannot be used; the message says why."""


@dataclass
class _Title:
    """One film or show as the export describes it, gathered from every file."""

    kind: str
    title: str
    year: int | None
    ids: dict[str, str]
    where: str
    aired: int | None = None
    # Films: the day of each play (None when only a count is known).
    plays: list[dt.date | None] = field(default_factory=list)
    # Shows: the plays of each episode.
    episodes: dict[EpisodeKey, list[dt.date | None]] = field(default_factory=dict)
    rating: int | None = None
    from_history: bool = False


def _media(
    item: dict[str, Any], kind: str, need_year: bool
) -> tuple[str, int | None, dict[str, str]]:
    """Title, year and ids of the film or show an item is about; ItemProblem when unusable."""
    media = item.get(kind)
    if not isinstance(media, dict):
        raise ItemProblem(f"a {kind} item without its {kind}")
    title = media.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ItemProblem(f"the {kind} has no title")
    year = media.get("year")
    if year is None and need_year:
        raise ItemProblem(f"the {kind} has no year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ItemProblem(f"the {kind}'s year {year!r} is not a year")
    return title.strip(), year, _ids(media.get("ids"))


def _ids(value: Any) -> dict[str, str]:
    """Trakt's own id, and the IMDb and TMDB ones; anything malformed is left out."""
    ids: dict[str, str] = {}
    if not isinstance(value, dict):
        return ids
    for name in ("trakt", "imdb", "tmdb"):
        raw = value.get(name)
        text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
        if not isinstance(text, str):
            continue
        if _IMDB.match(text) if name == "imdb" else text.isdigit() and text != "0":
            ids[name] = text
    return ids


def parse_time(value: Any, name: str) -> dt.date:
    """An ISO time (UTC, as Trakt writes it) as a day in the local time zone."""
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return moment.astimezone().date()
    raise ItemProblem(f"{name}: {shown(repr(value), 60)} is not an ISO time")


class _Titles:
    """Every title of one export, found by Trakt id, else IMDb id, else name and year."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, ...], _Title] = {}

    def get(self, kind: str, item: dict[str, Any], where: str, need_year: bool = False) -> _Title:
        title, year, ids = _media(item, kind, need_year)
        if "trakt" in ids:
            key: tuple[str, ...] = (kind, "trakt", ids["trakt"])
        elif "imdb" in ids:
            key = (kind, "imdb", ids["imdb"])
        else:
            key = (kind, title_key(title), str(year))
        found = self.by_key.get(key)
        if found is None:
            found = self.by_key[key] = _Title(kind, title, year, ids, where)
        if kind == "show":
            aired = item["show"].get("aired_episodes")
            if isinstance(aired, int) and not isinstance(aired, bool) and aired > 0:
                found.aired = max(found.aired or 0, aired)
        return found


def _episode_key(item: dict[str, Any]) -> EpisodeKey:
    episode = item.get("episode")
    if not isinstance(episode, dict):
        raise ItemProblem("an episode item without its episode")
    season, number = episode.get("season"), episode.get("number")
    if not (_natural(season) and _natural(number)):
        raise ItemProblem("the episode has no season and number")
    return season, number


def _natural(value: Any) -> TypeGuard[int]:
    """A whole number from 0 (JSON's true and false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _history(titles: _Titles, item: dict[str, Any], where: str) -> bool:
    """One play: of a film, or of an episode (which needs its show)."""
    kind = item.get("type")
    if kind == "episode" and not isinstance(item.get("show"), dict):
        raise ItemProblem("an episode with no show")
    if kind not in ("movie", "episode"):
        raise ItemProblem(f"type {shown(repr(kind), 40)} is not movie or episode")
    day = parse_time(item.get("watched_at"), "watched_at")
    if kind == "movie":
        title = titles.get("movie", item, where, need_year=True)
        title.plays.append(day)
    else:
        key = _episode_key(item)
        title = titles.get("show", item, where, need_year=True)
        title.episodes.setdefault(key, []).append(day)
    title.from_history = True
    return True


def _plays(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ItemProblem(f"{name}: {shown(repr(value), 40)} is not a play count")
    return value


def _watched(titles: _Titles, item: dict[str, Any], where: str, history: set[int]) -> None:
    """An older layout's title with play counts; only used where the history has no plays."""
    kind = "movie" if "movie" in item else "show"
    # Everything is read before the title is looked up, so a bad item adds nothing.
    if kind == "movie":
        last = parse_time(item.get("last_watched_at"), "last_watched_at")
        plays: list[dt.date | None] = [None] * (_plays(item.get("plays"), "plays") - 1) + [last]
    else:
        episodes = _seasons(item.get("seasons"))
    title = titles.get(kind, item, where, need_year=True)
    if id(title) in history:
        return
    if kind == "movie":
        title.plays = plays
    else:
        title.episodes = episodes


def _seasons(seasons: Any) -> dict[EpisodeKey, list[dt.date | None]]:
    """The plays of each episode of an older layout's show: a count and the last one's time."""
    found: dict[EpisodeKey, list[dt.date | None]] = {}
    for season in seasons if isinstance(seasons, list) else []:
        episodes = season.get("episodes") if isinstance(season, dict) else None
        for episode in episodes if isinstance(episodes, list) else []:
            if not isinstance(episode, dict):
                raise ItemProblem("an episode of its seasons is not a JSON object")
            key = _episode_key({"episode": {**episode, "season": season.get("number")}})
            last = parse_time(episode.get("last_watched_at"), "last_watched_at")
            plays = _plays(episode.get("plays"), "plays")
            found[key] = [None] * (plays - 1) + [last]
    return found


def _film_or_show(item: dict[str, Any]) -> str | None:
    """'movie' or 'show'; None for a season or an episode, which watchbook keeps no entry for."""
    kind = item.get("type")
    if kind in ("season", "episode"):
        return None
    if kind not in ("movie", "show"):
        raise ItemProblem(f"type {shown(repr(kind), 40)} is not movie or show")
    return str(kind)


def _rating(titles: _Titles, item: dict[str, Any], where: str) -> bool:
    """A film's or show's rating becomes its score; False for seasons and episodes (not kept)."""
    kind = _film_or_show(item)
    if kind is None:
        return False
    rating = item.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 10:
        raise ItemProblem(f"rating: {shown(repr(rating), 40)} is not 1 to 10")
    titles.get(kind, item, where).rating = rating
    return True


def _planned(titles: _Titles, item: dict[str, Any], where: str) -> bool:
    """A watchlisted film or show (planned unless played or rated); False for seasons and
    episodes (not kept)."""
    kind = _film_or_show(item)
    if kind is not None:
        titles.get(kind, item, where)
    return kind is not None


# --- files ------------------------------------------------------------------------------------


def _sources(path: Path, parsed: Parsed) -> dict[str, Source]:
    """The export's JSON files by name; an oversized one is reported and left out."""
    check_exists(path)
    if path.is_dir():
        names = [name for name in FILES if (path / name).is_file()]
        return _each(names, lambda name: read_file(path / name), parsed)
    if is_zip(path):
        contents = read_zip(path, [])
        parsed.notes.extend(f"ignored zip member {item}" for item in contents.ignored)
        return _each(FILES, lambda name: read_zip(path, [name]).members.get(name), parsed)
    return one_export_file(path, FILES, "Trakt")


def _each(
    names: Iterable[str], read: Callable[[str], Source | None], parsed: Parsed
) -> dict[str, Source]:
    """The files read by name (a zip may lack some); one past the size limit is reported."""
    sources = {}
    for name in names:
        try:
            source = read(name)
        except TooLarge as exc:
            # Too big to be a real export file: the rest of the export still comes in.
            parsed.skipped.append(Skipped(exc.path, exc.reason))
            continue
        if source is not None:
            sources[name] = source
    return sources


def parse_json(source: Source, parsed: Parsed) -> list[Any]:
    """A Trakt file's items; UnreadableImport when it is not JSON, or not a list of Trakt items."""
    text, note = decode_text(source)
    if note:
        parsed.notes.append(note)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableImport(
            source.name, f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except RecursionError:
        raise UnreadableImport(source.name, "not a Trakt export: JSON nested too deeply") from None
    if not isinstance(data, list):
        found = "an object" if isinstance(data, dict) else f"a {type(data).__name__}"
        raise UnreadableImport(
            source.name,
            f"is JSON but not a Trakt export: a list of items was expected, not {found}",
        )
    if data and not any(isinstance(item, dict) and _ITEM_KEYS & item.keys() for item in data):
        raise UnreadableImport(
            source.name, "is a JSON list but not a Trakt export: no item names a movie or show"
        )
    return data


def _items(source: Source, data: list[Any], parsed: Parsed) -> Iterator[tuple[str, dict[str, Any]]]:
    parsed.rows[source.name] = len(data)
    for number, item in enumerate(data, start=1):
        where = f"{source.name} item {number}"
        if not isinstance(item, dict):
            parsed.skipped.append(Skipped(where, "is not a JSON object"))
            continue
        if isinstance(item.get("id"), int):
            where += f" (id {item['id']})"
        yield where, item


def _item_title(item: dict[str, Any]) -> str | None:
    for kind in ("show", "movie"):
        media = item.get(kind)
        title = media.get("title") if isinstance(media, dict) else None
        if isinstance(title, str):
            return title
    return None


def read_trakt(path: Path) -> Parsed:
    """Every film and show of a Trakt export as one record each."""
    parsed = Parsed(SERVICE)
    sources = _sources(path, parsed)
    if not sources and not parsed.skipped:
        raise UnreadableImport(
            shown(str(path)),
            f"holds none of {', '.join(FILES[:5])}, ..., so it is not a Trakt export",
        )
    # Every file is parsed before any is used: one that is not Trakt's stops the import.
    data = {name: parse_json(source, parsed) for name, source in sources.items()}
    titles = _Titles()
    history = next((name for name in HISTORY_FILES if name in data), None)
    if history and all(name in data for name in HISTORY_FILES):
        parsed.notes.append(f"read the plays from {history}; {HISTORY_FILES[1]} was not used")
    steps: list[tuple[str, Callable[[_Titles, dict[str, Any], str], bool]]] = []
    if history:
        steps.append((history, _history))
    steps += [(name, _rating) for name in RATING_FILES]
    steps += [(name, _planned) for name in WATCHLIST_FILES]
    left_out: dict[str, int] = {}
    for name, step in steps:
        if name not in data:
            continue
        for where, item in _items(sources[name], data[name], parsed):
            try:
                if not step(titles, item, where):
                    left_out[name] = left_out.get(name, 0) + 1
            except ItemProblem as exc:
                parsed.skipped.append(Skipped(where, str(exc), _item_title(item)))
    seen = {id(t) for t in titles.by_key.values() if t.from_history}
    for name in WATCHED_FILES:
        if name in data:
            for where, item in _items(sources[name], data[name], parsed):
                try:
                    _watched(titles, item, where, seen)
                except ItemProblem as exc:
                    parsed.skipped.append(Skipped(where, str(exc), _item_title(item)))
    parsed.notes.extend(
        f"{name}: {n:,} season or episode item{'s' if n > 1 else ''} not imported "
        "(watchbook keeps films and shows)"
        for name, n in left_out.items()
    )
    for title in titles.by_key.values():
        try:
            parsed.records.append(make_record(title.where, _entry(title), parsed.notes))
        except InvalidValue as exc:
            parsed.skipped.append(Skipped(title.where, str(exc), title.title))
    parsed.counts = parsed.tally()
    return parsed


def _entry(title: _Title) -> Entry:
    """The journal entry of one film or show."""
    viewings: list[dt.date] = [day for day in title.plays if day is not None]
    undated = sum(1 for day in title.plays if day is None)
    progress, episodes = None, None
    if title.kind == "show":
        runs = runs_of(title.episodes, title.aired)
        viewings, undated, progress, episodes = (
            runs.finished,
            runs.undated,
            runs.progress,
            runs.episodes,
        )
    seen = bool(viewings or undated or progress or title.episodes or title.plays)
    if progress is not None:
        status = "watching"
    elif seen or title.rating is not None:
        status = "watched"
    else:
        status = "planned"
    return Entry(
        title=title.title,
        year=title.year,
        kind=_KINDS[title.kind],
        status=status,
        score=title.rating if status != "planned" else None,
        watched=[Viewing(day) for day in viewings],
        ids=dict(title.ids),
        episodes=episodes,
        progress=progress,
        rewatches=undated or None,
    )
