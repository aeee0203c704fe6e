"""What an import says: the summary, the preview line of each entry, and the CSV report.

Plain text only (the render package styles it on a terminal). Every title ends in one of five outcomes:
new, merged (something added to an existing entry), unchanged (an existing entry that had it
all), ambiguous (two or more entries matched, so it was left out) and skipped (it could not be
read or written). The summary line counts them all, a dry run lists them one line each, and
`--report FILE.csv` keeps the ambiguous and skipped rows with their reasons.
"""

from __future__ import annotations

import csv
from pathlib import Path

from watchbook.importers.merge import ImportReport

SERVICE_NAMES = {"letterboxd": "Letterboxd", "mal": "MyAnimeList", "imdb": "IMDb", "trakt": "Trakt"}
# A cell a spreadsheet would run as a formula starts with one of these; the CSV report quotes it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REPORT_COLUMNS = ("outcome", "where", "title", "reason", "candidates")


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 or word.endswith("s") else "s")


def counts_line(report: ImportReport) -> str:
    """'created 3, merged 2, unchanged 1, ambiguous 1, skipped 2' (a dry run says 'would')."""
    created, merged, unchanged = (report.count(a) for a in ("created", "merged", "unchanged"))
    ambiguous, skipped = len(report.ambiguous), len(report.dropped)
    if report.dry_run:
        return (
            f"would create {created:,}, merge {merged:,}; {unchanged:,} unchanged, "
            f"{ambiguous:,} ambiguous, {skipped:,} skipped"
        )
    return (
        f"created {created:,}, merged {merged:,}, unchanged {unchanged:,}, "
        f"ambiguous {ambiguous:,}, skipped {skipped:,}"
    )


def summary_lines(report: ImportReport) -> list[tuple[str, str]]:
    """(style, text): what the export holds, the rows read per file, the counts."""
    counts = report.counts
    service = SERVICE_NAMES.get(report.service, report.service)
    read = ", ".join(f"{name} {n:,}" for name, n in report.rows.items())
    detail = [_count(counts.get("viewings", 0), "viewing"), f"{counts.get('planned', 0):,} planned"]
    if counts.get("in progress"):
        detail.append(f"{counts['in progress']:,} in progress")
    if "reviews" in counts:
        detail.append(_count(counts["reviews"], "review"))
    lines = [
        ("bold", f"{service}: {_count(counts.get('titles', 0), 'title')} ({', '.join(detail)})"),
        ("dim", f"rows read: {read}" if read else "rows read: none"),
        ("bold green" if not report.skipped else "bold yellow", counts_line(report)),
    ]
    if report.dry_run:
        lines.append(("bold", "Dry run: nothing was written."))
    return lines


def detail_lines(report: ImportReport) -> list[tuple[str, str]]:
    """(style, text): what each merge added, what it kept, the rows left out, and notes."""
    lines = []
    for outcome in report.outcomes:
        label = f"{outcome.entry.label} [{outcome.entry.slug}]"
        if outcome.action == "merged":
            lines.append(("", f"merged {label}: {', '.join(outcome.changes)}"))
        if outcome.action != "created":
            lines.extend(("yellow", f"kept in {label}: {note}") for note in outcome.kept)
    for skip in report.skipped:
        title = f" ({skip.title})" if skip.title else ""
        lines.append(("red", f"{skip.outcome} {skip.where}{title}: {skip.reason}"))
    lines.extend(notes(report))
    return lines


def notes(report: ImportReport) -> list[tuple[str, str]]:
    """How the files were read (encodings, members ignored)."""
    return [("dim", f"note: {note}") for note in report.notes]


def preview_rows(report: ImportReport) -> list[tuple[str, ...]]:
    """One row per title for a dry run: outcome, title, slug, where it came from, detail."""
    words = {"created": "new", "merged": "merged", "unchanged": "unchanged"}
    rows: list[tuple[str, ...]] = []
    for outcome in report.outcomes:
        entry = outcome.entry
        detail = "; ".join([", ".join(outcome.changes), *outcome.kept]).strip("; ")
        where = ", ".join(outcome.where[:3]) + (" ..." if len(outcome.where) > 3 else "")
        rows.append((words[outcome.action], entry.label, entry.slug, where, detail))
    for skip in report.skipped:
        rows.append((skip.outcome, skip.title or "", "", skip.where, skip.reason))
    return rows


def write_report_csv(report: ImportReport, path: Path) -> int:
    """The ambiguous and skipped rows, with why, as CSV (UTF-8); how many rows were written."""
    rows = [
        (skip.outcome, skip.where, skip.title or "", skip.reason, "; ".join(skip.candidates))
        for skip in report.skipped
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(REPORT_COLUMNS)
        writer.writerows([_cell(value) for value in row] for row in rows)
    return len(rows)


def _cell(text: str) -> str:
    # Export text could hold '=HYPERLINK(...)': a spreadsheet shows it as text with this quote.
    return "'" + text if text.startswith(_FORMULA_START) else text
