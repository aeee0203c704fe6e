"""The diary: every viewing in date order, with its title, score and whether it was a rewatch.

`viewings_of` is the one place that reads an entry's viewings, so that the diary, the year in
review and the HTML site see per-viewing scores and notes the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from watchbook.entry import Entry
from watchbook.errors import InvalidValue


@dataclass(frozen=True)
class Seen:
    """One viewing of an entry: its date, and the score and note given that day, if any."""

    date: dt.date
    score: float | None = None
    note: str | None = None


def viewings_of(entry: Entry) -> list[Seen]:
    """An entry's viewings, oldest first, with the score and note each was given."""
    return [
        Seen(v.date, None if v.score is None else float(v.score), v.note)
        for v in sorted(entry.viewings, key=lambda v: v.date)
    ]


@dataclass(frozen=True)
class DiaryLine:
    """One viewing as the diary shows it."""

    date: dt.date
    slug: str
    title: str
    year: int | None
    score: float | None
    rewatch: bool
    number: int
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The line as JSON-ready data (the date as ISO text)."""
        return {
            "date": self.date.isoformat(),
            "slug": self.slug,
            "title": self.title,
            "year": self.year,
            "score": self.score,
            "rewatch": self.rewatch,
            "viewing": self.number,
            "note": self.note,
        }


def line_score(entry: Entry, seen: Seen) -> float | None:
    """The score a viewing stands for: its own, else the entry's."""
    if seen.score is not None:
        return seen.score
    return None if entry.score is None else float(entry.score)


def diary_lines(entries: Iterable[Entry]) -> list[DiaryLine]:
    """Every viewing of every entry, oldest first (same day: by title)."""
    lines = [
        DiaryLine(
            seen.date,
            entry.slug,
            entry.title,
            entry.year,
            line_score(entry, seen),
            number > 1,
            number,
            seen.note,
        )
        for entry in entries
        for number, seen in enumerate(viewings_of(entry), start=1)
    ]
    lines.sort(key=lambda line: (line.date, line.title.casefold(), line.slug, line.number))
    return lines


def check_period(year: int | None, month: int | None) -> None:
    """InvalidValue for a month outside 1-12 or a year no viewing can have."""
    if month is not None and not 1 <= month <= 12:
        raise InvalidValue("--month", f"must be a whole number from 1 to 12 (got {month})")
    if year is not None and not 1 <= year <= 9999:
        raise InvalidValue("--year", f"must be a year from 1 to 9999 (got {year})")


def diary(
    entries: Sequence[Entry], year: int | None = None, month: int | None = None
) -> list[DiaryLine]:
    """The viewings of a year, a month (of that year, or of every year), or all of them."""
    check_period(year, month)
    return [
        line
        for line in diary_lines(entries)
        if (year is None or line.date.year == year) and (month is None or line.date.month == month)
    ]
