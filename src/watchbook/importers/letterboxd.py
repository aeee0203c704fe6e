"""Letterboxd: the account export (a .zip, the folder it unpacks to, or one of its CSV files).

The export describes films in two ways. `watched.csv`, `ratings.csv` and `watchlist.csv` hold
one row per film with the film's own URI (https://boxd.it/29Nu). `diary.csv` and `reviews.csv`
hold one row per logged viewing, and their URI points at that log entry, not at the film, so
those rows are matched to films by name and year. Two different films may share a name and a
year (there are two 1897 "The Haunted Castle"s): their log rows are dealt out between them in
file order, one each, because nothing else in the export tells them apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchbook.entry import Entry, Viewing, viewing_date_problem
from watchbook.errors import InvalidValue, UnreadableImport
from watchbook.importers.files import (
    CsvRow,
    Source,
    check_exists,
    is_zip,
    one_export_file,
    parse_export_date,
    parse_year,
    read_file,
    read_zip,
    shown,
)
from watchbook.importers.markup import html_to_markdown
from watchbook.importers.records import (
    Parsed,
    Record,
    Skipped,
    clean_review,
    make_record,
    title_note,
)
from watchbook.text import title_key

SERVICE = "letterboxd"
# Film files first, so that the films (and their URIs) exist before viewings are matched to them.
FILM_FILES = ("watched.csv", "ratings.csv", "watchlist.csv")
LOG_FILES = ("diary.csv", "reviews.csv")
FILES = FILM_FILES + LOG_FILES


@dataclass
class _Film:
    name: str
    year: int | None
    uri: str | None = None
    seen: bool = False
    rating: float | None = None
    # The rating of the latest logged viewing, with the date that orders it.
    log_rating: tuple[tuple[dt.date, dt.date, int], float] | None = None
    # Each dated viewing, with the rating logged with it (as a 0-10 score).
    viewings: list[Viewing] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    # (viewing or log date, row number, Markdown text) of each review.
    reviews: list[tuple[dt.date | None, int, str]] = field(default_factory=list)
    where: str = ""
    log_rows: int = 0

    def add_tags(self, text: str) -> None:
        for tag in text.split(","):
            tag = tag.strip()
            if tag and tag not in self.tags:
                self.tags.append(tag)


class _Row:
    """The cells every Letterboxd file shares, parsed; ValueError names what is wrong."""

    def __init__(self, row: CsvRow) -> None:
        self.name = row.get("Name")
        if not self.name:
            raise ValueError("the Name cell is empty")
        try:
            self.year = parse_year(row.get("Year"))
        except ValueError:
            raise ValueError(f"Year: {row.get('Year')!r} is not a year") from None
        self.uri = row.get("Letterboxd URI") or None
        self.rating = _stars(row.get("Rating"))
        self.logged = _date(row, "Date")
        self.watched = _date(row, "Watched Date")
        self.tags = row.get("Tags")
        self.review = row.get("Review")

    @property
    def key(self) -> tuple[str, int | None]:
        return (title_key(self.name), self.year)


def _date(row: CsvRow, column: str) -> dt.date | None:
    try:
        return parse_export_date(row.get(column))
    except ValueError:
        raise ValueError(f"{column}: {row.get(column)!r} is not a date") from None


def _stars(text: str) -> float | None:
    """Letterboxd's 0.5-5 stars in half steps; '' is unrated."""
    if not text:
        return None
    try:
        stars = float(text)
    except ValueError:
        stars = -1.0
    if not 0.5 <= stars <= 5 or stars * 2 != int(stars * 2):
        raise ValueError(f"Rating: {text!r} is not 0.5 to 5 stars in half steps")
    return stars


class _Films:
    """The films of one export, found by film URI or by name and year."""

    def __init__(self) -> None:
        self.films: list[_Film] = []
        self.by_uri: dict[str, _Film] = {}
        self.by_key: dict[tuple[str, int | None], list[_Film]] = {}

    def new(self, row: _Row, where: str, uri: str | None) -> _Film:
        film = _Film(row.name, row.year, uri=uri, where=where)
        self.films.append(film)
        self.by_key.setdefault(row.key, []).append(film)
        if uri:
            self.by_uri[uri] = film
        return film

    def film_row(self, row: _Row, where: str) -> _Film:
        """The film a watched/ratings/watchlist row names (its URI is the film's own)."""
        if row.uri and row.uri in self.by_uri:
            return self.by_uri[row.uri]
        same_name = self.by_key.get(row.key, [])
        if not row.uri and same_name:
            return same_name[0]
        for film in same_name:
            if film.uri is None:
                film.uri = row.uri
                if row.uri:
                    self.by_uri[row.uri] = film
                return film
        return self.new(row, where, row.uri)

    def log_row(self, row: _Row, where: str) -> _Film:
        """The film a diary or review row is about (its URI is the log entry's, so by name)."""
        same_name = self.by_key.get(row.key)
        if not same_name:
            return self.new(row, where, None)
        # 'Rain' and 'rain' (2019) are two films: the exact spelling decides before the count.
        spelled = [film for film in same_name if film.name == row.name] or same_name
        return min(spelled, key=lambda film: film.log_rows)


def _sources(path: Path, parsed: Parsed) -> dict[str, Source]:
    check_exists(path)
    if path.is_dir():
        return {name: read_file(path / name) for name in FILES if (path / name).is_file()}
    if is_zip(path):
        contents = read_zip(path, FILES)
        parsed.notes.extend(f"ignored zip member {item}" for item in contents.ignored)
        return contents.members
    return one_export_file(path, FILES, "Letterboxd")


def _rows(source: Source, parsed: Parsed) -> Iterable[tuple[str, _Row]]:
    """Each readable row of one file with where it is; the others are reported as skipped."""
    _, rows = parsed.csv_rows(source, required=("Name",))
    for where, row in rows:
        try:
            parsed_row = _Row(row)
        except ValueError as exc:
            parsed.skipped.append(Skipped(where, str(exc), row.get("Name") or None))
            continue
        yield where, parsed_row


def read_letterboxd(path: Path) -> Parsed:
    """Every film of a Letterboxd export as one record, with all its viewings."""
    parsed = Parsed(SERVICE)
    sources = _sources(path, parsed)
    if not sources:
        raise UnreadableImport(
            shown(str(path)), f"holds none of {', '.join(FILES)}, so it is not a Letterboxd export"
        )
    films = _Films()
    for name in FILM_FILES:
        if name not in sources:
            continue
        for where, row in _rows(sources[name], parsed):
            film = films.film_row(row, where)
            if name == "watchlist.csv":
                continue
            film.seen = True
            if name == "ratings.csv" and row.rating is not None:
                film.rating = row.rating
    # Log entries by URI and, for the rows that have none, by film and dates: a review row is
    # the same viewing as its diary row, never a second one.
    logs: dict[object, _Film] = {}
    logged: dict[object, Viewing] = {}
    reviews = 0
    for name in LOG_FILES:
        if name not in sources:
            continue
        for number, (where, row) in enumerate(_rows(sources[name], parsed)):
            log_key = row.uri or (row.key, row.watched, row.logged)
            found = logs.get(log_key) if name == "reviews.csv" else None
            watched = _viewing_day(row, where, parsed, report=found is None)
            if found is None:
                film = films.log_row(row, where)
                film.log_rows += 1
                logs[log_key] = film
                if watched:
                    logged[log_key] = Viewing(watched)
                    film.viewings.append(logged[log_key])
            else:
                film = found
            viewing = logged.get(log_key)
            if viewing is not None and viewing.score is None and row.rating is not None:
                viewing.score = row.rating * 2
            film.seen = True
            film.add_tags(row.tags)
            if row.rating is not None:
                order = (watched or dt.date.min, row.logged or dt.date.min, number)
                if film.log_rating is None or order >= film.log_rating[0]:
                    film.log_rating = (order, row.rating)
            if name == "reviews.csv" and row.review:
                reviews += 1
                text, note = clean_review(html_to_markdown(row.review))
                if note:
                    parsed.notes.append(title_note(where, row.name, note))
                film.reviews.append((watched or row.logged, number, text))
    for film in films.films:
        try:
            parsed.records.append(_record(film, parsed.notes))
        except InvalidValue as exc:
            parsed.skipped.append(Skipped(film.where, str(exc), film.name))
    parsed.counts = {
        "titles": len(parsed.records),
        "viewings": sum(len(r.entry.watched) for r in parsed.records),
        "planned": sum(1 for r in parsed.records if r.entry.status == "planned"),
        "reviews": reviews,
    }
    return parsed


def _viewing_day(row: _Row, where: str, parsed: Parsed, report: bool) -> dt.date | None:
    """The row's Watched Date, unless no viewing can be on it (noted when `report`)."""
    if row.watched is None:
        return None
    why = viewing_date_problem(row.watched)
    if why is None:
        return row.watched
    if report:
        note = f"viewing of {row.watched.isoformat()} left out: it {why}"
        parsed.notes.append(title_note(where, row.name, note))
    return None


def _review(film: _Film) -> str | None:
    """One review as it is; several as dated sections, oldest first."""
    reviews = sorted(film.reviews, key=lambda item: (item[0] or dt.date.min, item[1]))
    texts = [text.strip() for _, _, text in reviews if text.strip()]
    if len(texts) <= 1:
        return texts[0] if texts else None
    sections = []
    for day, _, text in reviews:
        if text.strip():
            heading = f"**{day.isoformat()}**\n\n" if day else ""
            sections.append(heading + text.strip())
    return "\n\n".join(sections)


def _record(film: _Film, notes: list[str]) -> Record:
    """The journal entry of one film: 'watched' if seen at all, else 'planned' (watchlist only)."""
    stars = film.rating
    if stars is None and film.log_rating is not None:
        stars = film.log_rating[1]
    status = "watched" if film.seen else "planned"
    score = stars * 2 if stars is not None and status != "planned" else None
    viewings = sorted(film.viewings, key=lambda v: v.date)
    entry = Entry(
        title=film.name,
        year=film.year,
        kind="movie",
        status=status,
        score=score,
        watched=viewings,
        tags=list(film.tags),
        review=_review(film),
        ids={SERVICE: film.uri} if film.uri else {},
    )
    return make_record(film.where, entry, notes)
