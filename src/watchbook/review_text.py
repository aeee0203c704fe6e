"""The diary and the year in review as lines of text, for the terminal and for pipes (no rich).

watchbook.render prints these lines and, on a terminal, colours the heatmap's cells; the glyphs differ
by level so that the heatmap also reads without colour.
"""

from __future__ import annotations

from watchbook.diary import DiaryLine
from watchbook.entry import format_score
from watchbook.year_review import MAX_LEVEL, WEEKDAYS, Heatmap, TitleScore, YearReview, heatmap

# One glyph per heat level, 0 (no viewing) to MAX_LEVEL: blocks on a terminal, ASCII on a pipe.
TERMINAL_GLYPHS = "·░▒▓█"
PLAIN_GLYPHS = ".-+*#"
REWATCH_MARK = "rewatch"
HEATMAP_HEADING = "Viewings per day"


def diary_fields(line: DiaryLine) -> tuple[str, ...]:
    """A diary line as text fields: date, title, year, score, rewatch mark, slug."""
    return (
        line.date.isoformat(),
        line.title,
        str(line.year or ""),
        format_score(line.score),
        REWATCH_MARK if line.rewatch else "",
        line.slug,
    )


def heatmap_lines(calendar: Heatmap, glyphs: str) -> list[str]:
    """Month names over the week columns, then one row per weekday, one glyph per day."""
    width = len(calendar.weeks)
    months = [" "] * (width + 3)
    for column, name in calendar.months:
        if all(cell == " " for cell in months[column : column + len(name)]):
            months[column : column + len(name)] = list(name)
    lines = ["    " + "".join(months[:width]).rstrip()]
    for weekday, label in enumerate(WEEKDAYS):
        cells = [
            " " if week[weekday] is None else glyphs[week[weekday].level]  # type: ignore[union-attr]
            for week in calendar.weeks
        ]
        lines.append(f"{label} " + "".join(cells).rstrip())
    legend = "  ".join(
        f"{glyphs[level]} {'none' if level == 0 else level}"
        + (" or more" if level == MAX_LEVEL else "")
        for level in range(MAX_LEVEL + 1)
    )
    lines.append(f"    {legend} viewings a day")
    return lines


def plural(count: int, one: str, many: str = "") -> str:
    """'1 viewing', '2 viewings'."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def _titles(items: list[TitleScore]) -> list[str]:
    return [
        f"{t.title}" + (f" ({t.year})" if t.year else "") + f"\t{format_score(t.score)}"
        for t in items
    ]


def review_sections(review: YearReview, terminal: bool) -> list[tuple[str, list[str]]]:
    """The year in review as (heading, lines) sections, like `render.stats_lines`.

    The year's top tags and creators are left to `stats --year`, which prints them already.
    """
    year = review.year
    summary = [
        f"{plural(review.viewings, 'viewing')} of {plural(review.titles, 'title')}: "
        f"{plural(review.first_watches, 'first watch', 'first watches')}, "
        f"{plural(review.rewatches, 'rewatch', 'rewatches')}",
    ]
    if review.episodes:
        summary.append(f"{plural(review.episodes, 'episode')} of series seen")
    if review.streak is not None:
        streak = review.streak
        span = streak.start if streak.days == 1 else f"{streak.start} to {streak.end}"
        summary.append(
            f"longest streak: {streak.days} day{'s' if streak.days != 1 else ''} ({span})"
        )
    summary.append(review.comparison)
    sections = [(f"{year} in review", summary)]
    glyphs = TERMINAL_GLYPHS if terminal else PLAIN_GLYPHS
    calendar = heatmap(review.per_day, year)
    sections.append((f"{HEATMAP_HEADING} in {year}", heatmap_lines(calendar, glyphs)))
    for heading, items in (
        (f"Best new titles of {year}", review.best_new),
        (f"Lowest scores of {year}", review.disappointments),
    ):
        if items:
            sections.append((heading, _titles(items)))
    return sections
