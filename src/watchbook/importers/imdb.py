"""IMDb: the "Your ratings" CSV export (any layout: columns are read by name).

A watchlist export (the same layout without `Your Rating`) imports as planned titles.
"""

from __future__ import annotations

import re
from pathlib import Path

from watchbook.entry import COMMUNITY_KEY, VOTES_SUFFIX, Entry
from watchbook.errors import InvalidValue, UnreadableImport
from watchbook.importers.files import (
    CsvRow,
    Source,
    check_exists,
    is_zip,
    parse_export_date,
    parse_year,
    read_file,
    read_zip,
    shown,
    zip_errors,
)
from watchbook.importers.records import Parsed, Skipped, make_record

SERVICE = "imdb"
# Title Type, lowercased with spaces removed: the 2021 export writes 'tvMiniSeries', later
# ones 'TV Mini Series'. Anything not listed becomes 'other'.
KINDS = {
    "movie": "movie",
    "tvmovie": "movie",
    "video": "movie",
    "short": "short",
    "tvshort": "short",
    "musicvideo": "short",
    "tvseries": "series",
    "tvminiseries": "series",
    "tvepisode": "episode",
    "episode": "episode",
    "tvspecial": "special",
}
# A journal of things watched has no place for games: they are reported as skipped.
NOT_WATCHED = {"videogame"}
_CONST = re.compile(r"^tt\d+$")


def _source(path: Path) -> Source:
    """The CSV itself, or the only CSV inside a zip."""
    check_exists(path)
    if path.is_dir():
        raise UnreadableImport(shown(str(path)), "is a folder; give IMDb's ratings .csv file")
    if not is_zip(path):
        return read_file(path)
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [i.filename for i in archive.infolist() if i.filename.endswith(".csv")]
    except zip_errors() as exc:
        raise UnreadableImport(
            shown(str(path)), f"is not a readable zip archive ({shown(str(exc))})"
        ) from None
    top = [name for name in names if "/" not in name]
    if len(top) != 1:
        raise UnreadableImport(
            shown(str(path)), "should hold exactly one .csv file (IMDb's ratings)"
        )
    return read_zip(path, top).members[top[0]]


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _community(row: CsvRow) -> dict[str, int | float]:
    """IMDb's own rating and vote count, when the row has readable ones (else left out)."""
    # Other people's numbers, not the user's: a cell that does not read costs only itself.
    found: dict[str, int | float] = {}
    rating = row.get("IMDb Rating")
    try:
        value = float(rating)
    except ValueError:
        value = -1.0
    if 0 <= value <= 10:
        found[SERVICE] = value
    votes = row.get("Num Votes").replace(",", "")
    if votes.isdigit():
        found[f"{SERVICE}{VOTES_SUFFIX}"] = int(votes)
    return found


def _entry(row: CsvRow) -> Entry:
    """The entry of one row; ValueError names the cell that cannot be read."""
    const = row.get("Const")
    if not _CONST.match(const):
        raise ValueError(f"Const: {const!r} is not an IMDb id like tt0133093")
    kind_name = row.get("Title Type").replace(" ", "").replace("-", "").lower()
    if kind_name in NOT_WATCHED:
        raise ValueError(
            f"Title Type: {row.get('Title Type')!r} (watchbook records what you watch)"
        )
    # A title with your rating is one you watched; without one (every row of the older
    # watchlist export, which has no such column, and the unrated rows of the newer watchlist
    # and list exports, which have it) it is one you plan to watch.
    text = row.get("Your Rating")
    rated = bool(text)
    score: int | None = None
    if rated:
        if not text.isdigit() or not 1 <= int(text) <= 10:
            raise ValueError(f"Your Rating: {text!r} is not 1 to 10")
        score = int(text)
    try:
        rated_on = parse_export_date(row.get("Date Rated")) if rated else None
    except ValueError:
        raise ValueError(f"Date Rated: {row.get('Date Rated')!r} is not a date") from None
    try:
        year = parse_year(row.get("Year"))
    except ValueError:
        raise ValueError(f"Year: {row.get('Year')!r} is not a year") from None
    title = row.get("Title")
    original = row.get("Original Title")
    community = _community(row)
    return Entry(
        title=title,
        year=year,
        kind=KINDS.get(kind_name, "other") if kind_name else None,
        status="watched" if rated else "planned",
        score=score,
        watched=[rated_on] if rated_on else [],
        tags=[genre.lower() for genre in _split(row.get("Genres"))],
        creators=_split(row.get("Directors")),
        aliases=[original] if original and original != title else [],
        ids={SERVICE: const},
        extra={COMMUNITY_KEY: community} if community else None,
    )


def read_imdb(path: Path) -> Parsed:
    """Every row of an IMDb ratings (or watchlist) CSV as a record; bad rows by line number."""
    parsed = Parsed(SERVICE)
    source = _source(path)
    header, rows = parsed.csv_rows(source, required=("Const", "Title"))
    if "Your Rating" not in header:
        parsed.notes.append(f"{source.name} has no 'Your Rating' column: imported as planned")
    for where, row in rows:
        try:
            # Date Rated is when the rating was last set: it dates only an entry with no viewing.
            record = make_record(where, _entry(row), parsed.notes, viewings_if_none=True)
            parsed.records.append(record)
        except (ValueError, InvalidValue) as exc:
            parsed.skipped.append(Skipped(where, str(exc), row.get("Title") or None))
    parsed.counts = {
        "titles": len(parsed.records),
        "viewings": sum(len(r.entry.watched) for r in parsed.records),
        "planned": sum(1 for r in parsed.records if r.entry.status == "planned"),
    }
    return parsed
