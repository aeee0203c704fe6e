"""Entries on the terminal: list, show, search results, check reports and recommendations."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from watchbook.entry import COMMUNITY_KEY, VOTES_SUFFIX, Entry, Viewing, format_score
from watchbook.render.output import (
    Cell,
    Column,
    console,
    draw_table,
    is_terminal,
    plain_value,
    print_line,
    print_note,
    print_table,
    score_style,
)


def print_entries(entries: Sequence[Entry]) -> None:
    """A table of entries on a terminal (a note when empty); tab-separated lines on a pipe."""
    from watchbook.series import status_text

    rows = [
        (
            e.slug,
            e.title,
            str(e.year or ""),
            e.kind or "",
            status_text(e),
            (format_score(e.score), score_style(e.score)),
            e.verdict or "",
        )
        for e in entries
    ]
    print_table(ENTRY_COLUMNS, rows)


# On a narrow terminal the verdict goes first, then kind, year and status: title and score stay.
ENTRY_COLUMNS = (
    Column("Title", ratio=2, min_width=16), Column("Year", drop=3), Column("Kind", drop=2),
    Column("Status", drop=4), Column("Score"), Column("Verdict", ratio=3, min_width=16, drop=1),
)  # fmt: skip


def entry_facts(entry: Entry) -> list[tuple[str, str]]:
    """The labelled one-line facts of an entry, in reading order, for `show`."""
    from watchbook.series import series_facts

    facts = [
        ("Kind", entry.kind or ""),
        ("Status", entry.status),
        *series_facts(entry),
        ("Score", format_score(entry.score)),
        ("Verdict", entry.verdict or ""),
        *watched_facts(entry),
        ("Tags", ", ".join(entry.tags)),
        ("Creators", ", ".join(entry.creators)),
        ("Aliases", ", ".join(entry.aliases)),
        ("Where", entry.where or ""),
        ("Ids", ", ".join(f"{k}: {v}" for k, v in entry.ids.items())),
        ("Community", community_text(entry)),
    ]
    return [(label, value) for label, value in facts if value]


def community_text(entry: Entry) -> str:
    """'imdb 8.7 (1,765,432 votes)': the ratings of the entry's `community` table."""
    table = entry.extra.get(COMMUNITY_KEY)
    if not isinstance(table, dict):
        return ""
    shown = []
    for key, value in table.items():
        if key.endswith(VOTES_SUFFIX):
            continue
        votes = table.get(f"{key}{VOTES_SUFFIX}")
        shown.append(f"{key} {value:g}" + (f" ({votes:,} votes)" if votes is not None else ""))
    return ", ".join(shown)


def watched_facts(entry: Entry) -> list[tuple[str, str]]:
    """'Watched: 2003-10-11, 2019-06-01'; one line a viewing when any has a score or note."""
    if all(v.plain for v in entry.viewings):
        return [("Watched", ", ".join(d.isoformat() for d in entry.watched))]
    return [("Watched", describe_viewing(v)) for v in entry.viewings]


def describe_viewing(viewing: Viewing) -> str:
    """'2024-03-09 (7/10): Better on a big screen.'"""
    text = viewing.date.isoformat()
    if viewing.score is not None:
        text += f" ({format_score(viewing.score)})"
    return f"{text}: {viewing.note}" if viewing.note else text


def print_entry(entry: Entry, path: Path, links: Sequence[tuple[str, str]] = ()) -> None:
    """One entry, readable: facts, links as (arrow + label, why) pairs, then the review."""
    facts = entry_facts(entry)
    if not is_terminal():
        print_line(entry.label)
        for label, value in facts:
            print_line(f"{label}: {plain_value(value)}")
        for target, why in links:
            print_line(f"Link: {plain_value(target)}" + (f" ({plain_value(why)})" if why else ""))
        print_line(f"File: {path}")
        if entry.review:
            print_line()
            sys.stdout.write(entry.review.rstrip("\n") + "\n")
        return
    from rich.markdown import Markdown
    from rich.markup import escape
    from rich.table import Table

    out = console()
    out.print(
        f"[bold]{escape(entry.title)}[/]" + (f" [dim]({entry.year})[/]" if entry.year else "")
    )
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    # Folded, not cut short with an ellipsis: a path must stay whole to be copied.
    grid.add_column(overflow="fold")
    for label, value in facts:
        style = score_style(entry.score) if label == "Score" else ""
        grid.add_row(label, f"[{style}]{escape(value)}[/]" if style else escape(value))
    for target, why in links:
        grid.add_row("Link", escape(target) + (f" [dim]({escape(why)})[/]" if why else ""))
    grid.add_row("File", escape(str(path)))
    out.print(grid)
    if entry.review:
        out.print()
        out.print(Markdown(entry.review))


def search_rows(results: Sequence[dict[str, Any]]) -> list[tuple[str, ...]]:
    """Search results as (slug, title, year, kind, score, verdict, match) text fields."""
    rows: list[tuple[str, ...]] = []
    for item in results:
        match = item["match"]
        why = match["field"] + (f": {match['text']}" if match.get("text") else "")
        rows.append(
            (
                item["slug"],
                item["title"],
                str(item["year"] or ""),
                item["kind"] or "",
                format_score(item["score"]),
                item["verdict"] or "",
                why,
            )
        )
    return rows


def print_search(results: Sequence[dict[str, Any]]) -> None:
    """Search results: a table on a terminal, tab-separated lines (slug first) on a pipe."""
    rows = [
        (slug, title, year, kind, (score, score_style(item["score"])), verdict, why)
        for (slug, title, year, kind, score, verdict, why), item in zip(
            search_rows(results), results, strict=True
        )
    ]
    print_table(SEARCH_COLUMNS, rows)


# On a narrow terminal the verdict goes first, then kind, what matched and the year.
SEARCH_COLUMNS = (
    Column("Title", ratio=2, min_width=16), Column("Year", drop=4), Column("Kind", drop=2),
    Column("Score"), Column("Verdict", ratio=3, min_width=16, drop=1),
    Column("Matched", ratio=1, style="dim", min_width=8, drop=3),
)  # fmt: skip


def check_lines(report: dict[str, Any]) -> list[str]:
    """The check report as lines: problems as 'file:line: message', then suggestions."""
    lines = []
    for problem in report["problems"]:
        where = problem["file"] + (f":{problem['line']}" if problem.get("line") else "")
        lines.append(f"{where}: {problem['message']}")
    for suggestion in report["suggestions"]:
        lines.append(
            f"{suggestion['from']}.toml: could link to {suggestion['to']} ({suggestion['why']}): "
            f"watchbook link {suggestion['from']} {suggestion['to']}"
        )
    return lines


def print_check(report: dict[str, Any]) -> None:
    """Problems first (red on a terminal), then suggested links, then a one-line summary."""
    problems, suggestions = report["problems"], report["suggestions"]
    summary = (
        f"{report['files']} files checked: {len(problems)} "
        f"problem{'s' if len(problems) != 1 else ''}, {len(suggestions)} suggested "
        f"link{'s' if len(suggestions) != 1 else ''}"
    )
    if not is_terminal():
        for line in check_lines(report):
            print_line(line)
        print_note(summary)
        return
    from rich.markup import escape

    out = console()
    lines = check_lines(report)
    for line in lines[: len(problems)]:
        out.print(f"[red]{escape(line)}[/]")
    if suggestions:
        if problems:
            out.print()
        out.print("[bold]Links you might want to keep[/]")
        for line in lines[len(problems) :]:
            out.print(f"  {escape(line)}")
    out.print(f"[dim]{escape(summary)}[/]")


def recommendation_fields(item: Any) -> tuple[str, ...]:
    """A Recommendation as text fields: slug ... score, relatedness or likely score, reasons."""
    entry = item.entry
    related = "" if item.relatedness is None else f"{item.relatedness:.2f}"
    if item.predicted is not None:
        related = f"likely {item.predicted:.1f}/10"
    return (
        entry.slug,
        entry.title,
        str(entry.year or ""),
        entry.kind or "",
        entry.status,
        format_score(entry.score),
        related,
        " | ".join(item.reasons),
    )


def print_recommendations(items: Sequence[Any], heading: str = "") -> None:
    """Recommendations: a table on a terminal, tab-separated lines (slug first) on a pipe."""
    if not is_terminal():
        for item in items:
            print_line("\t".join(plain_value(field) for field in recommendation_fields(item)))
        return
    from rich.markup import escape

    if heading:
        console().print(f"[bold]{escape(heading)}[/]")
    modes = {item.mode for item in items}
    measure = "Match" if modes <= {"watchlist", "continue"} else "Related"
    if any(item.predicted is not None for item in items):
        measure = "Likely"
    # On a narrow terminal the measure goes first, then the score: title and reasons stay.
    columns = [Column("Title", ratio=2, min_width=12), Column("Score", drop=2)]
    if modes != {"rewatch"}:
        columns.append(Column(measure, drop=1, justify="right"))
    columns.append(Column("Why", ratio=4, min_width=16))
    rows: list[list[Cell]] = []
    for item in items:
        entry = item.entry
        row: list[Cell] = [entry.label, (format_score(entry.score), score_style(entry.score))]
        if item.predicted is not None:
            row.append(f"{item.predicted:.1f}/10")
        elif modes != {"rewatch"}:
            row.append("" if item.relatedness is None else f"{item.relatedness:.2f}")
        row.append("\n".join(item.reasons))
        rows.append(row)
    draw_table(columns, rows)
