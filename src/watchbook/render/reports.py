"""Reports on the terminal: stats, the diary, and the summaries of an export and an import."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from watchbook.stats import Stats

from watchbook.render.output import (
    console,
    is_terminal,
    plain_value,
    print_line,
    print_note,
    score_style,
)


def print_stats(stats: Stats, more: Sequence[tuple[str, list[str]]] = ()) -> None:
    """Stats sections (and `more`): bold headings and block bars on a terminal, plain on a pipe."""
    from watchbook.review_text import HEATMAP_HEADING
    from watchbook.stats import stats_lines

    terminal = is_terminal()
    sections = [*stats_lines(stats, terminal), *more]
    if not terminal:
        for heading, lines in sections:
            print_line(f"# {heading}")
            for line in lines:
                print_line(line)
        return
    from rich.markup import escape
    from rich.padding import Padding

    out = console()
    # What a section's lines may take: the terminal's width but their indent.
    room = out.width - INDENT
    for heading, lines in sections:
        out.print(f"[bold]{escape(heading)}[/]")
        heatmap = heading.startswith(HEATMAP_HEADING)
        if heatmap:
            lines = fit_heatmap(lines, room)
            if not lines:
                wanted = HALF_HEATMAP_WIDTH + INDENT
                out.print(Padding(f"[dim](left out: needs {wanted} columns)[/]", (0, 0, 0, INDENT)))
        else:
            lines = fit_bars(lines, room)
        for line in lines:
            text = escape(line).replace("\t", "  ·  ")
            bar_start, bar_end = text.find("█"), text.rfind("█")
            if heatmap:
                # Labels plain, cells green: the glyphs' density carries the level.
                text = f"{text[:4]}[green]{text[4:]}[/]"
            elif bar_start >= 0:
                text = f"{text[:bar_start]}[cyan]{text[bar_start : bar_end + 1]}[/]{text[bar_end + 1 :]}"
            # Padded, not prefixed: a line the terminal is too narrow for goes on under its indent.
            out.print(Padding(text, (0, 0, 0, INDENT), expand=False))
        out.print()


# Stats lines are indented by this many columns under their heading.
INDENT = 2
# The heatmap's weekday labels ("Mon "), before its week columns.
LABEL = 4
# Half a year of weeks with its labels: the narrowest the heatmap is drawn.
HALF_HEATMAP_WIDTH = LABEL + 27


def fit_bars(lines: Sequence[str], room: int) -> list[str]:
    """Lines with bars (`label ███ count`), the bars shortened alike so that the longest line fits."""
    from rich.cells import cell_len

    longest = max((cell_len(line) for line in lines if "█" in line), default=0)
    bar = max((line.count("█") for line in lines), default=0)
    if longest <= room or not bar:
        return list(lines)
    # Kept proportional: each bar cut by the same factor, one block at least for any count.
    keep = max(1, bar - (longest - room))
    return [
        re.sub("█+", lambda m: "█" * max(1, round(len(m.group()) * keep / bar)), line)
        for line in lines
    ]


def fit_heatmap(lines: Sequence[str], room: int) -> list[str]:
    """The heatmap's lines (months, weekdays, legend) as they are if they fit, else the year in two halves, else none."""
    from rich.cells import cell_len

    months, days, legend = lines[0], lines[1:-1], lines[-1]
    grid = [months, *days]
    if max(cell_len(line) for line in grid) <= room:
        return [*lines[:-1], *fold_legend(legend, room)]
    if room < HALF_HEATMAP_WIDTH:
        return []
    weeks = max(len(line) for line in days) - LABEL
    # Cut where a month's name starts, nearest the middle of the year (July).
    starts = [m.start() - LABEL for m in re.finditer(r"\S+", months)]
    cut = min(starts, key=lambda start: abs(start - weeks // 2)) + LABEL
    halves = [[line[:cut].rstrip() for line in grid], [line[:LABEL] + line[cut:] for line in grid]]
    return [*halves[0], *halves[1], *fold_legend(legend, room)]


def fold_legend(legend: str, room: int) -> list[str]:
    """The heatmap's legend ('    · none  ░ 1 ...'), on as many lines as it needs."""
    if len(legend) <= room:
        return [legend]
    lines = [""]
    for part in legend.strip().split("  "):
        if lines[-1] and len(lines[-1]) + 2 + len(part) > room - LABEL:
            lines.append("")
        lines[-1] += ("  " if lines[-1] else "") + part
    return [" " * LABEL + line for line in lines]


def print_diary(lines: Sequence[Any]) -> None:
    """Diary lines: a table on a terminal, tab-separated fields on a pipe."""
    from watchbook.review_text import diary_fields

    rows = [diary_fields(line) for line in lines]
    if not is_terminal():
        for row in rows:
            print_line("\t".join(plain_value(field) for field in row))
        return
    if not rows:
        return print_note("No viewings match")
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for name in ("Date", "Title", "Score", ""):
        table.add_column(name, no_wrap=name != "Title", overflow="fold")
    for (date, title, year, score, rewatch, _slug), line in zip(rows, lines, strict=True):
        label = escape(title) + (f" [dim]({year})[/]" if year else "")
        table.add_row(date, label, f"[{score_style(line.score)}]{score}[/]", "↻" * bool(rewatch))
    console().print(table)


def print_export_summary(
    entries: int, files: int, folder: str, changed: int, removed: int, kind: str
) -> None:
    """One line on stderr: how many entries and files, where, and what changed."""
    what = f"{files} {kind} file{'s' if files != 1 else ''}"
    detail = f"{changed} changed" + (f", {removed} stale removed" if removed else "")
    print_note(
        f"Exported {entries} entr{'ies' if entries != 1 else 'y'} as {what} to {folder} ({detail})"
    )


# On a terminal, long lists of merged or skipped titles are cut here (--json has them all).
IMPORT_LIST_LIMIT = 30


_OUTCOME_STYLES = {"new": "green", "merged": "yellow", "ambiguous": "magenta", "skipped": "red"}


def print_import_report(report: Any) -> None:
    """An import's summary on stdout (styled and cut short on a terminal, whole on a pipe); a
    dry run lists every title on stdout instead, and the summary goes to stderr."""
    from watchbook.importers.report import detail_lines, notes, preview_rows, summary_lines

    if report.dry_run:
        _print_preview(preview_rows(report))
        for _, text in summary_lines(report) + notes(report):
            print_note(plain_value(text))
        return
    head, details = summary_lines(report), detail_lines(report)
    if not is_terminal():
        for _, text in head + details:
            print_line(plain_value(text))
        return
    from rich.markup import escape

    out = console()
    for style, text in head:
        out.print(f"[{style}]{escape(text)}[/]")
    for style, text in details[:IMPORT_LIST_LIMIT]:
        out.print(f"  [{style}]{escape(text)}[/]" if style else f"  {escape(text)}")
    if len(details) > IMPORT_LIST_LIMIT:
        out.print(
            f"  [dim]… and {len(details) - IMPORT_LIST_LIMIT:,} more (--json lists them all)[/]"
        )


def _print_preview(rows: Sequence[Sequence[str]]) -> None:
    """A dry run's line per title: tab-separated on a pipe, coloured by outcome on a terminal."""
    if not is_terminal():
        for row in rows:
            print_line("\t".join(plain_value(field) for field in row))
        return
    from rich.markup import escape

    out = console()
    for outcome, title, slug, where, detail in rows:
        style = _OUTCOME_STYLES.get(outcome, "dim")
        text = f"[{style}]{outcome:<9}[/] {escape(title)}" + (
            f" [dim][{escape(slug)}][/]" if slug else ""
        )
        out.print(text + f"  [dim]{escape(where)}[/]" + (f"  {escape(detail)}" if detail else ""))
