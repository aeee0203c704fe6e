"""`watchbook import`: bring a Letterboxd, MyAnimeList, IMDb or Trakt history into the journal.

Reading an export never touches the journal, so a file that cannot be read (or is hostile)
stops the import before anything is written. Then, holding the journal's lock, every record is
matched and merged in memory and only the entries that change are written, each atomically.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from watchbook.errors import InvalidValue
from watchbook.importers.merge import (
    ImportReport,
    Outcome,
    Progress,
    apply_plan,
    plan_import,
)
from watchbook.importers.records import Parsed, Skipped

if TYPE_CHECKING:
    from watchbook.journal import Journal

SERVICES = ("letterboxd", "mal", "imdb", "trakt")


def read_export(service: str, path: Path) -> Parsed:
    """Parse one service's export file (or Letterboxd folder) into records."""
    if service == "letterboxd":
        from watchbook.importers.letterboxd import read_letterboxd

        return read_letterboxd(path)
    if service == "mal":
        from watchbook.importers.mal import read_mal

        return read_mal(path)
    if service == "imdb":
        from watchbook.importers.imdb import read_imdb

        return read_imdb(path)
    if service == "trakt":
        from watchbook.importers.trakt import read_trakt

        return read_trakt(path)
    raise InvalidValue("SERVICE", f"must be one of {', '.join(SERVICES)} (got {service!r})")


def run_import(
    journal: Journal,
    service: str,
    path: Path,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    index_progress: Progress | None = None,
) -> ImportReport:
    """Import an export into the journal (or, with dry_run, only say what would happen)."""
    parsed = read_export(service, path)
    report = ImportReport(
        service=service,
        path=str(path),
        dry_run=dry_run,
        rows=parsed.rows,
        counts=parsed.counts,
        skipped=list(parsed.skipped),
        notes=list(parsed.notes),
    )
    if dry_run:
        report.outcomes, skipped = _plan(journal, parsed)
        report.skipped.extend(skipped)
        return report
    with journal.lock():
        report.outcomes, skipped = _plan(journal, parsed)
        report.skipped.extend(skipped)
        report.skipped.extend(apply_plan(journal, report.outcomes, progress))
    if report.count("created") or report.count("merged"):
        # Build the index now so the next command finds the new entries without waiting.
        from watchbook.index.store import open_index

        open_index(journal, index_progress).close()
    return report


def _plan(journal: Journal, parsed: Parsed) -> tuple[list[Outcome], list[Skipped]]:
    loaded = journal.load_all()
    taken = [path.name.removesuffix(".toml") for path in journal.files()]
    unreadable = {p.path.removesuffix(".toml"): str(p) for p in loaded.problems}
    return plan_import(loaded.entries, parsed, taken, unreadable)
