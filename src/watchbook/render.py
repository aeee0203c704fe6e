"""All terminal output: rich tables and Markdown on a terminal, plain lines when piped, JSON."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchbook.entry import Entry, format_score

if TYPE_CHECKING:
    from rich.console import Console

    from watchbook.stats import Stats


def is_terminal() -> bool:
    """True for rich output: stdout is a terminal and neither NO_COLOR nor TERM=dumb asks for plain."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def console(stderr: bool = False) -> Console:
    """A rich console that honours NO_COLOR and never wraps output meant for a pipe."""
    from rich.console import Console

    return Console(stderr=stderr, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)


def print_json(data: Any) -> None:
    """Pretty JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_line(text: str = "") -> None:
    """One plain line on stdout."""
    sys.stdout.write(text + "\n")


def print_error(message: str) -> None:
    """'Error: ...' on stderr, one line."""
    sys.stderr.write(f"Error: {message}\n")


def print_note(message: str) -> None:
    """A side remark (warnings, where a file was written) on stderr, so stdout stays data."""
    sys.stderr.write(message + "\n")


def _score_style(score: int | float | None) -> str:
    if score is None:
        return "dim"
    if score >= 8:
        return "bold green"
    if score >= 6:
        return "yellow"
    return "red"


def _plain(value: Any) -> str:
    # Tabs and newlines would break one-record-per-line output for grep and cut.
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def print_entries(entries: Sequence[Entry]) -> None:
    """A table of entries on a terminal; tab-separated lines (slug first) on a pipe."""
    if not is_terminal():
        for e in entries:
            fields = (e.slug, e.title, e.year, e.kind, e.status, format_score(e.score), e.verdict)
            print_line("\t".join(_plain(f) for f in fields))
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Title", ratio=2, overflow="fold")
    for name in ("Year", "Kind", "Status", "Score"):
        table.add_column(name, no_wrap=True)
    table.add_column("Verdict", ratio=3, overflow="fold")
    for e in entries:
        table.add_row(
            escape(e.title),
            str(e.year or ""),
            e.kind or "",
            e.status,
            f"[{_score_style(e.score)}]{format_score(e.score)}[/]",
            escape(e.verdict or ""),
        )
    console().print(table)


def entry_facts(entry: Entry) -> list[tuple[str, str]]:
    """The labelled one-line facts of an entry, in reading order, for `show`."""
    facts = [
        ("Kind", entry.kind or ""),
        ("Status", entry.status),
        ("Score", format_score(entry.score)),
        ("Verdict", entry.verdict or ""),
        ("Watched", ", ".join(d.isoformat() for d in entry.watched)),
        ("Tags", ", ".join(entry.tags)),
        ("Creators", ", ".join(entry.creators)),
        ("Aliases", ", ".join(entry.aliases)),
        ("Where", entry.where or ""),
        ("Ids", ", ".join(f"{k}: {v}" for k, v in entry.ids.items())),
    ]
    return [(label, value) for label, value in facts if value]


def print_entry(entry: Entry, path: Path, links: Sequence[tuple[str, str]] = ()) -> None:
    """One entry, readable: facts, links as (arrow + label, why) pairs, then the review."""
    facts = entry_facts(entry)
    if not is_terminal():
        print_line(entry.label)
        for label, value in facts:
            print_line(f"{label}: {_plain(value)}")
        for target, why in links:
            print_line(f"Link: {_plain(target)}" + (f" ({_plain(why)})" if why else ""))
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
    grid.add_column()
    for label, value in facts:
        style = _score_style(entry.score) if label == "Score" else ""
        grid.add_row(label, f"[{style}]{escape(value)}[/]" if style else escape(value))
    for target, why in links:
        grid.add_row("Link", escape(target) + (f" [dim]({escape(why)})[/]" if why else ""))
    grid.add_row("File", escape(str(path)))
    out.print(grid)
    if entry.review:
        out.print()
        out.print(Markdown(entry.review))


# --- stats ------------------------------------------------------------------------------------


def _bar(count: int, biggest: int, width: int, glyph: str) -> str:
    if not count:
        return ""
    return glyph * max(1, round(width * count / biggest))


def stats_lines(stats: Stats, terminal: bool) -> list[tuple[str, list[str]]]:
    """The stats as (heading, lines) sections; bars are blocks on a terminal and '#' on a pipe."""
    glyph = "█" if terminal else "#"
    sections: list[tuple[str, list[str]]] = []
    scope = f" watched in {stats.year}" if stats.year else ""
    statuses = ", ".join(f"{n} {name}" for name, n in stats.by_status.items())
    kinds = ", ".join(f"{n} {name}" for name, n in stats.by_kind.items())
    sections.append(
        (
            "Journal",
            [
                f"{stats.entries} entries{scope}: {statuses}",
                f"kinds: {kinds}",
                f"viewings: {stats.viewings}",
            ],
        )
    )
    if stats.mean_score is not None:
        sections.append(
            (
                "Scores",
                [
                    f"{stats.scored} scored, mean {stats.mean_score:g}, median {stats.median_score:g}",
                    stats.generosity,
                ],
            )
        )
        biggest = max(stats.histogram.values())
        sections.append(
            (
                "Score histogram",
                [
                    f"{score:>4} {_bar(n, biggest, 30, glyph)} {n}".rstrip()
                    for score, n in stats.histogram.items()
                ],
            )
        )
    for title, counts in (
        ("Viewings per year", stats.viewings_per_year),
        (f"Viewings per month in {stats.month_year}", stats.viewings_per_month),
    ):
        if counts:
            biggest = max(counts.values()) or 1
            sections.append(
                (
                    title,
                    [
                        f"{key} {_bar(n, biggest, 30, glyph)} {n}".rstrip()
                        for key, n in counts.items()
                    ],
                )
            )
    for title, groups in (("Top tags", stats.top_tags), ("Top creators", stats.top_creators)):
        if groups:
            sections.append(
                (
                    title,
                    [
                        f"{g.name}\t{g.count}\t"
                        + (f"mean {g.mean_score:g}" if g.mean_score is not None else "")
                        for g in groups
                    ],
                )
            )
    if stats.most_rewatched:
        sections.append(
            (
                "Most rewatched",
                [
                    f"{t.title}" + (f" ({t.year})" if t.year else "") + f"\t{t.value} viewings"
                    for t in stats.most_rewatched
                ],
            )
        )
    if stats.longest_unwatched_favourites:
        sections.append(
            (
                "Favourites not seen for longest",
                [
                    f"{t.title}"
                    + (f" ({t.year})" if t.year else "")
                    + f"\t{t.score:g}/10\tlast seen {t.last_watched}"
                    for t in stats.longest_unwatched_favourites
                ],
            )
        )
    return sections


def print_stats(stats: Stats) -> None:
    """Stats sections: bold headings and block bars on a terminal, plain text on a pipe."""
    terminal = is_terminal()
    sections = stats_lines(stats, terminal)
    if not terminal:
        for heading, lines in sections:
            print_line(f"# {heading}")
            for line in lines:
                print_line(line)
        return
    from rich.markup import escape

    out = console()
    for heading, lines in sections:
        out.print(f"[bold]{escape(heading)}[/]")
        for line in lines:
            text = escape(line).replace("\t", "  ·  ")
            bar_start, bar_end = text.find("█"), text.rfind("█")
            if bar_start >= 0:
                text = f"{text[:bar_start]}[cyan]{text[bar_start : bar_end + 1]}[/]{text[bar_end + 1 :]}"
            out.print("  " + text)
        out.print()
