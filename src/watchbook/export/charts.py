"""The geometry of the site's charts: bars and calendar cells as numbers for the SVG templates.

The templates draw what these functions measure; every bar and cell carries the words a reader
needs without colour (a label, its value, a title for hovering and screen readers). Heatmap
cells also grow with the day's count, so a day's level shows in its size as well as its shade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from watchbook.year_review import MAX_LEVEL, WEEKDAYS, heatmap

# Column charts: this many units high, bars this wide with this gap.
CHART_HEIGHT = 120
# Room under the bars for their labels, above them for their values.
LABEL_ROOM, VALUE_ROOM = 18, 14
CELL, GAP = 11, 2
# Side of a heatmap cell's square by level (0 = no viewing): a day's level reads without colour.
CELL_SIZES = (3, 7, 9, 10, 11)
LEFT_ROOM, TOP_ROOM = 30, 14


@dataclass(frozen=True)
class Bar:
    """One column: where it stands, its label under it and its value over it."""

    x: float
    y: float
    width: float
    height: float
    label: str
    value: int
    title: str


@dataclass(frozen=True)
class ColumnChart:
    """Columns over a baseline, in a box `width` by `height`."""

    width: float
    height: float
    baseline: float
    bars: list[Bar]
    # Show every label, or only every few (long charts).
    label_every: int = 1


def columns(
    counts: Mapping[str, int], labels: Sequence[str], titles: Sequence[str], bar: float = 22
) -> ColumnChart:
    """A column per count, in the order given, scaled to the largest."""
    # Wide enough for its label (about 6 units a character at the labels' size).
    bar = max(bar, 6.5 * max((len(label) for label in labels), default=0))
    gap = max(2.0, bar / 5)
    biggest = max(counts.values(), default=0) or 1
    bars = []
    for i, (key, label, title) in enumerate(zip(counts, labels, titles, strict=True)):
        value = counts[key]
        height = CHART_HEIGHT * value / biggest
        x = i * (bar + gap)
        bars.append(Bar(x, VALUE_ROOM + CHART_HEIGHT - height, bar, height, label, value, title))
    width = max(len(bars) * (bar + gap) - gap, bar)
    every = 1 if len(bars) <= 40 else 5
    return ColumnChart(
        width, VALUE_ROOM + CHART_HEIGHT + LABEL_ROOM, VALUE_ROOM + CHART_HEIGHT, bars, every
    )


class Cell(NamedTuple):
    """One day of a calendar heatmap (a tuple: a year has 365 of them)."""

    x: float
    y: float
    size: float
    level: int
    title: str


@dataclass(frozen=True)
class Calendar:
    """A year as a heatmap: cells, month labels over their first week, weekday labels."""

    year: int
    width: float
    height: float
    cells: list[Cell]
    months: Sequence[tuple[float, str]]
    weekdays: Sequence[tuple[float, str]]
    total: int
    # (x, y, side, level, words) of each legend square, and where the legend's last words go.
    legend: Sequence[tuple[float, float, float, int, str]]
    legend_end: float


def calendar(per_day: Mapping[str, int], year: int) -> Calendar:
    """The heatmap of one year's viewings per day (keys are ISO dates)."""
    grid = heatmap(per_day, year)
    step = CELL + GAP
    cells = []
    for column, week in enumerate(grid.weeks):
        left = LEFT_ROOM + column * step
        for row, day in enumerate(week):
            if day is None:
                continue
            level, count = day.level, day.count
            size = CELL_SIZES[level]
            offset = (CELL - size) / 2
            noun = "viewing" if count == 1 else "viewings"
            cells.append(
                Cell(
                    round(left + offset, 1),
                    round(TOP_ROOM + row * step + offset, 1),
                    size,
                    level,
                    f"{day.date.isoformat()}: {count or 'no'} {noun}",
                )
            )
    months = [(LEFT_ROOM + column * step, name) for column, name in grid.months]
    weekdays = [(TOP_ROOM + row * step + CELL - 2, WEEKDAYS[row]) for row in (0, 2, 4)]
    height = TOP_ROOM + 7 * step + 22
    legend = []
    for level in range(MAX_LEVEL + 1):
        size = CELL_SIZES[level]
        x = LEFT_ROOM + level * 48
        words = "none" if level == 0 else f"{level}+" if level == MAX_LEVEL else str(level)
        offset = (CELL - size) / 2
        legend.append((x + offset, height - 16 + offset, size, level, words))
    width = LEFT_ROOM + len(grid.weeks) * step
    end = LEFT_ROOM + (MAX_LEVEL + 1) * 48
    total = sum(per_day.values())
    return Calendar(year, width, height, cells, months, weekdays, total, legend, end)


@dataclass(frozen=True)
class Row:
    """One line of a horizontal bar chart: a name, its count and mean, a bar as long as the count."""

    name: str
    page: str
    count: int
    mean: float | None
    length: float


def rows(items: Sequence[tuple[str, str, int, float | None]], longest: float = 100.0) -> list[Row]:
    """(name, page, count, mean) items as rows whose bars are scaled to the largest count."""
    biggest = max((count for _, _, count, _ in items), default=0) or 1
    return [
        Row(name, page, count, mean, longest * count / biggest) for name, page, count, mean in items
    ]
