"""Command: import."""

from __future__ import annotations

from pathlib import Path

import typer

from watchbook.cli.completion import choice_text
from watchbook.cli.options import AS_JSON, state
from watchbook.cli.values import PATH

commands = typer.Typer()


@commands.command("import")
def import_(
    ctx: typer.Context,
    service: str = typer.Argument(
        ...,
        help="Where the export comes from: letterboxd, mal or imdb.",
        click_type=choice_text("SERVICE", "services"),
    ),
    path: Path = typer.Argument(
        ...,
        help="Letterboxd: the export .zip or its folder. MyAnimeList: the .xml or .xml.gz. "
        "IMDb: the ratings .csv.",
        show_default=False,
        click_type=PATH,
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", "-n", help="Print what would change and write nothing."
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Import your history from Letterboxd, MyAnimeList or IMDb; running it again is safe.

    Titles already in the journal (same id, else same title and year) get the new viewings,
    tags and ids; a score or review you wrote is never replaced.

    Example: watchbook import letterboxd ~/Downloads/letterboxd-export.zip --dry-run
    """
    from watchbook.importers import run_import
    from watchbook.render import import_progress, print_import_report, print_json, rebuild_progress

    progress, index_progress = import_progress(), rebuild_progress()
    try:
        report = run_import(
            state(ctx).journal,
            service,
            path.expanduser(),
            dry_run=dry_run,
            progress=progress,
            index_progress=index_progress,
        )
    finally:
        progress.close()
        index_progress.close()
    if as_json:
        print_json(report.to_json())
    else:
        print_import_report(report)
