"""`--format csv`: a diary for Letterboxd's importer, one row per viewing.

Named csv_export rather than csv so that `import csv` here plainly means the standard library.

Columns: Title, Year, Rating10, WatchedDate, Rewatch, Tags, Review, then imdbID and tmdbID
(from the entry's `ids`, which Letterboxd uses to match films exactly when present).
- Planned entries are left out: Letterboxd would record them as watched.
- Rating10 is a whole number from 1 to 10: a half score rounds up (6.5 -> 7), 0 becomes 1. Each
  row has the score of its own viewing when that viewing has one, else the entry's score.
- The first viewing has Rewatch `false`, later ones `true`; an entry seen on no known date is
  one row with an empty WatchedDate (Letterboxd then marks it watched without a diary date).
- The review goes on the latest viewing's row only, so Letterboxd does not repeat it; a
  viewing's note goes on its own row (before the review on the latest one).
- A status other than watched (watching, dropped) is added as a tag, so it is not lost.
- Tags are joined with ', '; a comma inside a tag becomes a space (Letterboxd splits on it).
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator

from watchbook.entry import Entry, Viewing
from watchbook.export.site import Site, title_order

FILE_NAME = "letterboxd.csv"
COLUMNS = (
    "Title",
    "Year",
    "Rating10",
    "WatchedDate",
    "Rewatch",
    "Tags",
    "Review",
    "imdbID",
    "tmdbID",
)


def rating10(score: int | float | None) -> str:
    """Letterboxd's whole 1-10 rating for a 0-10 score in half steps."""
    if score is None:
        return ""
    return str(max(1, min(10, math.floor(score + 0.5))))


def _id(entry: Entry, service: str) -> str:
    for key, value in sorted(entry.ids.items()):
        if key.casefold() == service:
            return value
    return ""


def rows(entry: Entry) -> list[tuple[str, ...]]:
    """The rows of one entry, oldest viewing first (none for a planned entry)."""
    if entry.status == "planned":
        return []
    tags = [" ".join(t.replace(",", " ").split()) for t in entry.tags]
    if entry.status != "watched":
        tags.append(entry.status)
    ids = (_id(entry, "imdb"), _id(entry, "tmdb"))
    review = (entry.review or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    viewings: list[Viewing | None] = [*entry.viewings] or [None]
    result: list[tuple[str, ...]] = []
    for i, viewing in enumerate(viewings):
        date = viewing.date if viewing else None
        score = entry.score if viewing is None or viewing.score is None else viewing.score
        rewatch = "" if date is None else ("true" if i else "false")
        texts = [viewing.note if viewing and viewing.note else ""]
        texts.append(review if i == len(viewings) - 1 else "")
        watched = date.isoformat() if date else ""
        text = "\n\n".join(t for t in texts if t)
        row = (entry.title, str(entry.year or ""), rating10(score), watched, rewatch)
        result.append((*row, ", ".join(tags), text, *ids))
    return result


def document(site: Site) -> Iterator[str]:
    """The CSV text: a header, then every viewing in date order (undated ones first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    all_rows = [(row[3], title_order(entry), row) for entry in site.entries for row in rows(entry)]
    all_rows.sort(key=lambda item: (item[0], item[1]))
    for _, _, row in all_rows:
        writer.writerow(row)
    yield buffer.getvalue()
