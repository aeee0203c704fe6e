"""Command: export."""

from __future__ import annotations

from pathlib import Path

import typer

from watchbook.cli.completion import choice_text
from watchbook.cli.options import state
from watchbook.cli.values import OUT

commands = typer.Typer()


@commands.command()
def export(
    ctx: typer.Context,
    fmt: str = typer.Option(
        "markdown",
        "--format",
        "-f",
        help="markdown (pages), html (a static site), json or csv (for Letterboxd).",
        click_type=choice_text("FORMAT", "formats"),
    ),
    out: str = typer.Option(
        "export",
        "--out",
        "-o",
        click_type=OUT,
        help="Folder to write into (created if missing). A one-file export (json, csv or "
        "--single-file) goes to --out itself when it ends in .json, .csv or .md or is a file "
        "already; '-' prints it on stdout.",
    ),
    single_file: bool = typer.Option(
        False, "--single-file", help="One Markdown document with anchors instead of pages."
    ),
    front_matter: bool = typer.Option(
        False, "--front-matter", help="YAML front matter on each page (MkDocs, Hugo, Jekyll)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Write into a non-empty folder that watchbook export did not make."
    ),
    recommended: bool | None = typer.Option(
        None,
        "--recommended/--no-recommended",
        help="Add or leave out each page's Recommended list (default: added for journals of "
        "up to 1,000 entries; it takes longer on bigger ones).",
        show_default=False,
    ),
) -> None:
    """Export the journal as Markdown pages, a static HTML site, JSON or a Letterboxd CSV.

    The folder gets a .watchbook-export marker; later exports rewrite only what changed and
    remove the pages of deleted entries. A non-empty folder without it is refused.

    Example: watchbook export --format html --out site
    """
    import sys

    from watchbook.errors import InvalidValue
    from watchbook.export import (
        ExportOptions,
        build_site,
        export_document,
        export_to_file,
        export_to_folder,
    )
    from watchbook.render.output import print_note
    from watchbook.render.progress import export_progress
    from watchbook.render.reports import print_export_summary

    options = ExportOptions(
        format=fmt.strip().lower(),
        single_file=single_file,
        front_matter=front_matter,
        force=force,
    )
    options.check()
    if out == "-":
        if not options.one_document:
            raise InvalidValue(
                "--out",
                "'-' works only for one document: --format json, --format csv or --single-file",
            )
        catalog = state(ctx).catalog()
        data = export_document(build_site(catalog, recommended), options)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        print_note(f"Exported {len(catalog.entries)} entries as {options.format} to stdout")
        return
    target = Path(out).expanduser()
    to_file = options.names_the_file(target)
    catalog = state(ctx).catalog()
    site = build_site(catalog, recommended)
    if to_file:
        result = export_to_file(site, target, options)
    else:
        progress = export_progress(f"Exporting {len(site.entries)} entries")
        try:
            result = export_to_folder(site, target, options, progress)
        finally:
            progress.close()
    kind = {"markdown": "Markdown", "json": "JSON", "csv": "CSV", "html": "HTML"}[options.format]
    print_export_summary(
        result.entries,
        len(result.files),
        str(result.file or result.folder),
        result.changed,
        len(result.removed),
        kind,
    )
