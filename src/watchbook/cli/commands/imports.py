"""Command: import."""

from __future__ import annotations

from pathlib import Path

import typer

from watchbook.cli.completion import choice_text
from watchbook.cli.options import AS_JSON, state
from watchbook.cli.values import PATH
from watchbook.errors import InvalidValue, WriteFailed

commands = typer.Typer()


@commands.command("import")
def import_(
    ctx: typer.Context,
    service: str = typer.Argument(
        ...,
        help="Where the export comes from: letterboxd, mal, imdb or trakt.",
        click_type=choice_text("SERVICE", "services"),
    ),
    path: Path = typer.Argument(
        ...,
        help="Letterboxd: the export .zip or its folder. MyAnimeList: the .xml or .xml.gz. "
        "IMDb: the ratings .csv. Trakt: the export .zip or its folder.",
        show_default=False,
        click_type=PATH,
    ),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        "-n",
        help="Write nothing: list each title as new, merged, unchanged, ambiguous or skipped.",
    ),
    report_csv: Path | None = typer.Option(
        None,
        "--report",
        help="Also write the ambiguous and skipped rows, with why, to this CSV file.",
        click_type=PATH,
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Import your history from Letterboxd, MyAnimeList, IMDb or Trakt; running it again is safe.

    Titles already in the journal (same id, else same title and year) get the new viewings,
    tags and ids; a score or review you wrote is never replaced.

    Example: watchbook import letterboxd ~/Downloads/letterboxd-export.zip --dry-run
    """
    from watchbook.importers import run_import
    from watchbook.render.output import print_json, print_note
    from watchbook.render.progress import import_progress, rebuild_progress
    from watchbook.render.reports import print_import_report

    if report_csv is not None:
        # Found out before the import runs, not after it has written.
        report_problem = _report_problem(report_csv.expanduser())
        if report_problem:
            raise InvalidValue("--report", report_problem)
    st = state(ctx)
    first_time = not dry_run and not st.journal.path.exists()
    progress, index_progress = import_progress(), rebuild_progress()
    try:
        report = run_import(
            st.journal,
            service,
            path.expanduser(),
            dry_run=dry_run,
            progress=progress,
            index_progress=index_progress,
        )
    finally:
        progress.close()
        index_progress.close()
    if first_time and st.journal.path.is_dir():
        # A mistyped --journal would otherwise start a second journal without a word.
        print_note(st.new_journal_note())
    if as_json:
        print_json(report.to_json())
    else:
        print_import_report(report)
    if report_csv is not None:
        from watchbook.importers.report import write_report_csv

        try:
            rows = write_report_csv(report, report_csv.expanduser())
        except OSError as exc:
            done = "the import itself is done" if not dry_run else "nothing else was written"
            raise WriteFailed(str(report_csv), exc.strerror or str(exc), done) from None
        print_note(f"Wrote {rows:,} ambiguous and skipped rows to {report_csv}")


def _report_problem(path: Path) -> str | None:
    """Why --report cannot be written, found before anything is imported (None when it can)."""
    import os

    if not path.parent.is_dir():
        return f"{path.parent} is not a folder"
    if path.is_dir():
        return f"{path} is a folder; give the name of a file to write"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file"
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        return f"{path} cannot be written (permission denied)"
    return None
