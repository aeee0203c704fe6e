"""All terminal output: rich tables and Markdown on a terminal, plain lines when piped, JSON."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from watchbook.entry import Entry, Viewing, format_score

if TYPE_CHECKING:
    from rich.console import Console

    from watchbook.stats import Stats


def is_terminal() -> bool:
    """True for rich output: stdout is a terminal and neither NO_COLOR nor TERM=dumb asks for plain."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def console(stderr: bool = False) -> Console:
    """A rich console that honours NO_COLOR; on stdout, lines end without padding spaces."""
    from rich.console import Console

    # rich only writes, flushes and asks isatty()/fileno() of it.
    file = None if stderr else cast("IO[str]", TrimmedLines(sys.stdout))
    return Console(
        file=file, stderr=stderr, no_color=bool(os.environ.get("NO_COLOR")), highlight=False
    )


class TrimmedLines:
    """A stream that drops the spaces rich pads each line with, so none are copied along."""

    # Spaces (and the colour codes among them) at the end of a line; the codes are kept.
    _TRAILING = re.compile(r"(?:[ \t]|\x1b\[[0-9;]*m)+$")
    _CODE = re.compile(r"\x1b\[[0-9;]*m")

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        """Write every complete line trimmed; keep an unfinished one until it ends."""
        *lines, self.pending = (self.pending + text).split("\n")
        if lines:
            self.stream.write("".join(self._trim(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        """Write what is pending and flush the stream."""
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ""
        self.stream.flush()

    def _trim(self, line: str) -> str:
        return self._TRAILING.sub(lambda m: "".join(self._CODE.findall(m.group())), line)

    def __getattr__(self, name: str) -> Any:
        # isatty(), fileno(), encoding: rich asks the stream what it is.
        return getattr(self.stream, name)


def print_json(data: Any) -> None:
    """Pretty JSON on stdout, nothing else."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_line(text: str = "") -> None:
    """One plain line on stdout."""
    sys.stdout.write(text + "\n")


def print_error(message: str) -> None:
    """'Error: ...' on stderr, one line."""
    with contextlib.suppress(OSError):
        # Whatever reads stdout may be gone; the error is still said.
        sys.stdout.flush()
    _to_stderr(f"Error: {message}\n")


def print_note(message: str) -> None:
    """A side remark (warnings, where a file was written) on stderr, so stdout stays data."""
    # What was printed before the note comes before it when both go to one place (2>&1).
    sys.stdout.flush()
    _to_stderr(message + "\n")


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


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


NO_MATCH = "No entries match"


def print_entries(entries: Sequence[Entry]) -> None:
    """A table of entries on a terminal (a note when empty); tab-separated lines on a pipe."""
    if not is_terminal():
        for e in entries:
            fields = (e.slug, e.title, e.year, e.kind, e.status, format_score(e.score), e.verdict)
            print_line("\t".join(_plain(f) for f in fields))
        return
    if not entries:
        print_note(NO_MATCH)
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
        *watched_facts(entry),
        ("Tags", ", ".join(entry.tags)),
        ("Creators", ", ".join(entry.creators)),
        ("Aliases", ", ".join(entry.aliases)),
        ("Where", entry.where or ""),
        ("Ids", ", ".join(f"{k}: {v}" for k, v in entry.ids.items())),
    ]
    return [(label, value) for label, value in facts if value]


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


def print_stats(stats: Stats) -> None:
    """Stats sections: bold headings and block bars on a terminal, plain text on a pipe."""
    from watchbook.stats import stats_lines

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


# --- search, links and check (the index, issue 3) ---------------------------------------------


class ProgressBar:
    """A progress bar on stderr, called as (done, total); only on a terminal, for long jobs."""

    def __init__(self, label: str, minimum: int = 0, delay: float = 0.0) -> None:
        # Long: `minimum` steps or more, and already running for `delay` seconds (quick jobs
        # stay silent).
        import time

        self.label = label
        self.minimum = minimum
        self.delay = delay
        self._clock = time.monotonic
        self._started = self._clock()
        self._bar: Any = None
        self._task: Any = None
        self._terminal: bool | None = None
        self._drawn = 0.0

    def _wanted(self, total: int) -> bool:
        if total < self.minimum or self._clock() - self._started < self.delay:
            return False
        if self._terminal is None:
            # Asked once: isatty() is a system call, and this may run once per file.
            self._terminal = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
        return self._terminal

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self._wanted(total):
                return
            from rich.progress import Progress

            # No refresh thread: the bar is redrawn from here. The index build forks worker
            # processes, which is only safe while the process runs a single thread.
            self._bar = Progress(console=console(stderr=True), transient=True, auto_refresh=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
            self._drawn = 0.0
        self._bar.update(self._task, completed=done, total=total)
        now = self._clock()
        if now - self._drawn >= REDRAW_EVERY or done >= total:
            self._drawn = now
            self._bar.refresh()

    def close(self) -> None:
        """Remove the bar, if one was shown."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


REBUILD_DELAY = 1.0
# Seconds between two redraws of a progress bar.
REDRAW_EVERY = 0.1


def rebuild_progress() -> ProgressBar:
    """The bar for index rebuilds: only once a rebuild has taken REBUILD_DELAY seconds."""
    return ProgressBar("Indexing the journal", delay=REBUILD_DELAY)


def export_progress(label: str = "Exporting") -> ProgressBar:
    """The bar for exports of 1,000 files or more."""
    return ProgressBar(label, minimum=1000)


def import_progress(label: str = "Importing") -> ProgressBar:
    """The bar for imports of 300 entries or more."""
    return ProgressBar(label, minimum=300)


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
    rows = search_rows(results)
    if not is_terminal():
        for row in rows:
            print_line("\t".join(_plain(field) for field in row))
        return
    if not rows:
        print_note(NO_MATCH)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Title", ratio=2, overflow="fold")
    for name in ("Year", "Kind", "Score"):
        table.add_column(name, no_wrap=True)
    table.add_column("Verdict", ratio=3, overflow="fold")
    table.add_column("Matched", ratio=1, overflow="fold", style="dim")
    for (_slug, title, year, kind, score, verdict, why), item in zip(rows, results, strict=True):
        table.add_row(
            escape(title),
            year,
            kind,
            f"[{_score_style(item['score'])}]{score}[/]",
            escape(verdict),
            escape(why),
        )
    console().print(table)


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


# --- export (issue 5) -------------------------------------------------------------------------


def print_export_summary(
    entries: int, files: int, folder: str, changed: int, removed: int, kind: str
) -> None:
    """One line on stderr: how many entries and files, where, and what changed."""
    what = f"{files} {kind} file{'s' if files != 1 else ''}"
    detail = f"{changed} changed" + (f", {removed} stale removed" if removed else "")
    print_note(
        f"Exported {entries} entr{'ies' if entries != 1 else 'y'} as {what} to {folder} ({detail})"
    )


# --- recommend (issue 4) ----------------------------------------------------------------------


def recommendation_fields(item: Any) -> tuple[str, ...]:
    """A recommend.Recommendation as text: slug, title, year, kind, status, score, relatedness, reasons."""
    entry = item.entry
    related = "" if item.relatedness is None else f"{item.relatedness:.2f}"
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
            print_line("\t".join(_plain(field) for field in recommendation_fields(item)))
        return
    from rich.markup import escape
    from rich.table import Table

    out = console()
    if heading:
        out.print(f"[bold]{escape(heading)}[/]")
    modes = {item.mode for item in items}
    measure = "Match" if modes == {"watchlist"} else "Related"
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("Title", ratio=2, overflow="fold")
    table.add_column("Score", no_wrap=True)
    if modes != {"rewatch"}:
        table.add_column(measure, no_wrap=True, justify="right")
    table.add_column("Why", ratio=4, overflow="fold")
    for item in items:
        entry = item.entry
        row = [
            escape(entry.label),
            f"[{_score_style(entry.score)}]{format_score(entry.score)}[/]",
        ]
        if modes != {"rewatch"}:
            row.append("" if item.relatedness is None else f"{item.relatedness:.2f}")
        row.append(escape("\n".join(item.reasons)))
        table.add_row(*row)
    out.print(table)


# --- import (issue 6) -------------------------------------------------------------------------

SERVICE_NAMES = {"letterboxd": "Letterboxd", "mal": "MyAnimeList", "imdb": "IMDb"}
# On a terminal, long lists of merged or skipped titles are cut here (--json has them all).
IMPORT_LIST_LIMIT = 30


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 or word.endswith("s") else "s")


def import_lines(report: Any) -> list[tuple[str, str]]:
    """The import summary as (style, text) lines: what was read, the counts, then the details."""
    counts = report.counts
    service = SERVICE_NAMES.get(report.service, report.service)
    read = ", ".join(f"{name} {n:,}" for name, n in report.rows.items())
    detail = [_count(counts.get("viewings", 0), "viewing"), f"{counts.get('planned', 0):,} planned"]
    if "reviews" in counts:
        detail.append(_count(counts["reviews"], "review"))
    lines = [
        ("bold", f"{service}: {_count(counts.get('titles', 0), 'title')} ({', '.join(detail)})"),
        ("dim", f"rows read: {read}" if read else "rows read: none"),
    ]
    created, merged = report.count("created"), report.count("merged")
    unchanged, skipped = report.count("unchanged"), len(report.skipped)
    if report.dry_run:
        totals = f"would create {created:,}, merge {merged:,}; {unchanged:,} unchanged, {skipped:,} skipped"
    else:
        totals = (
            f"created {created:,}, merged {merged:,}, unchanged {unchanged:,}, skipped {skipped:,}"
        )
    lines.append(("bold green" if not skipped else "bold yellow", totals))
    if report.dry_run:
        lines.append(("bold", "Dry run: nothing was written."))
    for outcome in report.outcomes:
        if outcome.action == "merged":
            changes = ", ".join(outcome.changes)
            lines.append(("", f"merged {outcome.entry.label} [{outcome.entry.slug}]: {changes}"))
        if outcome.action != "created":
            lines.extend(
                ("yellow", f"kept in {outcome.entry.label} [{outcome.entry.slug}]: {note}")
                for note in outcome.kept
            )
    for skip in report.skipped:
        title = f" ({skip.title})" if skip.title else ""
        lines.append(("red", f"skipped {skip.where}{title}: {skip.reason}"))
    lines.extend(("dim", f"note: {note}") for note in report.notes)
    return lines


def print_import_report(report: Any) -> None:
    """The import summary on stdout: styled and cut short on a terminal, every line on a pipe."""
    lines = import_lines(report)
    if not is_terminal():
        for _, text in lines:
            print_line(_plain(text))
        return
    from rich.markup import escape

    out = console()
    cut = 4 if report.dry_run else 3
    head, details = lines[:cut], lines[cut:]
    for style, text in head:
        out.print(f"[{style}]{escape(text)}[/]")
    for style, text in details[:IMPORT_LIST_LIMIT]:
        out.print(f"  [{style}]{escape(text)}[/]" if style else f"  {escape(text)}")
    if len(details) > IMPORT_LIST_LIMIT:
        out.print(
            f"  [dim]… and {len(details) - IMPORT_LIST_LIMIT:,} more (--json lists them all)[/]"
        )
