"""Export the journal: Markdown pages (or one document), one JSON document, or a Letterboxd CSV.

(The HTML site is export.html_export's: it reads the index as well, to draw only what changed.)

`export_to_folder` writes into a folder through `output.OutputFolder` (marker, refusal, atomic
writes, stale pages); `export_document` returns a single document's bytes (for `--out -`).
The same catalog always gives the same bytes: no timestamps, fixed orders, '\\n' newlines.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from watchbook.errors import InvalidValue

if TYPE_CHECKING:
    from watchbook.export.output import WriteSummary
    from watchbook.export.site import Site
    from watchbook.index.catalog import Catalog

FORMATS = ("markdown", "json", "csv", "html")
# The file name ending of each format's one-file export.
EXTENSIONS = {"markdown": ".md", "json": ".json", "csv": ".csv"}

# (files done, files in all)
Progress = Callable[[int, int], None]
# One file of an export: its name and a function producing its text (maybe in pieces).
Job = tuple[str, Callable[[], str | Iterable[str]]]


@dataclass(frozen=True)
class ExportOptions:
    """What `watchbook export` was asked for."""

    format: str = "markdown"
    single_file: bool = False
    front_matter: bool = False
    force: bool = False

    def check(self) -> None:
        """InvalidValue for an unknown format or a Markdown-only flag with another format."""
        if self.format not in FORMATS:
            raise InvalidValue(
                "--format", f"must be one of {', '.join(FORMATS)} (got {self.format!r})"
            )
        if self.format != "markdown":
            for flag, value in (
                ("--single-file", self.single_file),
                ("--front-matter", self.front_matter),
            ):
                if value:
                    raise InvalidValue(
                        flag, f"only applies to --format markdown, not {self.format}"
                    )

    @property
    def one_document(self) -> bool:
        """True when the export is one file (JSON, CSV or --single-file), so it can go to stdout."""
        return self.format in ("json", "csv") or self.single_file

    def names_the_file(self, out: Path) -> bool:
        """Whether --out is the export file itself (True) or the folder to write into (False)."""
        # A one-file export goes to `out` itself when it ends in the format's extension or is a
        # file already; a name ending in another format's extension is a mistake worth a word.
        suffix = out.suffix.lower()
        if out.is_dir():
            return False
        own = EXTENSIONS[self.format] if self.one_document else None
        if suffix in EXTENSIONS.values() and suffix != own:
            wanted = f"--format {suffix[1:]}"
            if suffix == ".md":
                # --single-file only goes with Markdown.
                wanted = (
                    "--single-file"
                    if self.format == "markdown"
                    else "--format markdown --single-file"
                )
            if self.format == "markdown":
                what = "Markdown pages go into a folder"
            elif self.format == "html":
                what = "the HTML site goes into a folder"
            else:
                what = f"a {self.format} export is a {EXTENSIONS[self.format]} file"
            raise InvalidValue(
                "--out", f"{out} ends in {suffix}, but {what} (add {wanted}, or change --out)"
            )
        return self.one_document and (suffix == own or out.is_file())


@dataclass
class ExportResult:
    """What an export wrote: the folder, how many entries and files, what changed or went."""

    folder: Path
    entries: int
    files: list[str] = field(default_factory=list)
    changed: int = 0
    removed: list[str] = field(default_factory=list)
    created: bool = False
    # Set when --out named the file itself.
    file: Path | None = None

    @classmethod
    def of(cls, summary: WriteSummary, entries: int) -> ExportResult:
        """The result of an export into a folder, from what writing the folder did."""
        return cls(
            folder=summary.folder,
            entries=entries,
            files=summary.files,
            changed=summary.changed,
            removed=summary.removed,
            created=summary.created,
        )


def build_site(catalog: Catalog, recommended: bool | None = None) -> Site:
    """The catalog arranged for export."""
    # `recommended`: True adds the "Recommended" lists (from watchbook.recommend) whatever the
    # journal's size, False leaves them out, None adds them up to RECOMMEND_MAX_ENTRIES entries.
    from watchbook.export.site import RECOMMEND_MAX_ENTRIES, Site, load_recommender

    recommender = None
    if recommended is not False:
        limit = len(catalog.entries) if recommended else RECOMMEND_MAX_ENTRIES
        recommender = load_recommender(catalog, limit)
    return Site(catalog.entries, catalog.links, recommender)


def jobs(site: Site, options: ExportOptions) -> list[Job]:
    """Every file the export writes, in writing order (index last, so it never links ahead)."""
    if options.format == "json":
        from watchbook.export import json_export

        return [(json_export.FILE_NAME, lambda: json_export.document(site))]
    if options.format == "csv":
        from watchbook.export import csv_export

        return [(csv_export.FILE_NAME, lambda: csv_export.document(site))]
    if options.format == "html":
        # The site reads the index too (what changed since the last export into its folder).
        raise ValueError("the HTML site is exported by watchbook.export.html_export.export_site")
    from watchbook.export.markdown import INDEX, SINGLE_FILE, MarkdownExport

    writer = MarkdownExport(
        site, single_file=options.single_file, with_front_matter=options.front_matter
    )
    if options.single_file:
        return [(SINGLE_FILE, writer.document)]
    pages: list[Job] = [(f"{site.pages[e.slug]}.md", partial(writer.page, e)) for e in site.entries]
    return [*pages, (INDEX, writer.index)]


def _encode(text: str | Iterable[str]) -> bytes:
    joined = text if isinstance(text, str) else "".join(text)
    # Lone surrogates (from file names that were not UTF-8) cannot be written as UTF-8.
    return joined.encode("utf-8", "replace")


def export_document(site: Site, options: ExportOptions) -> bytes:
    """The bytes of a one-file export (JSON, CSV or --single-file), for writing to stdout."""
    options.check()
    if not options.one_document:
        raise InvalidValue(
            "--out", "'-' works only for one document: --format json, --format csv or --single-file"
        )
    ((_, produce),) = jobs(site, options)
    return _encode(produce())


def export_to_file(site: Site, out: Path, options: ExportOptions) -> ExportResult:
    """Write a one-file export at `out` itself (see output.write_file for what it refuses)."""
    from watchbook.export.output import write_file

    data = export_document(site, options)
    summary = write_file(
        out, data, lambda head: _is_export(head, options.format), force=options.force
    )
    path = out.resolve()
    return ExportResult(
        folder=path.parent,
        entries=len(site.entries),
        files=[path.name],
        changed=summary.changed,
        created=summary.created,
        file=path,
    )


def _is_export(head: bytes, format: str) -> bool:
    """Whether a file's first bytes are those of a one-file export of this format."""
    if format == "json":
        from watchbook.export.json_export import document_start

        return head.startswith(document_start().encode())
    if format == "csv":
        from watchbook.export.csv_export import COLUMNS

        return head.startswith(",".join(COLUMNS).encode() + b"\n")
    from watchbook.export.markdown import SITE_TITLE

    text = head.decode("utf-8", "replace")
    if text.startswith("---\n"):
        # After the front matter, if the export has one.
        text = text.split("\n---\n", 1)[-1].lstrip("\n")
    return text.startswith(f"# {SITE_TITLE}\n")


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """While pages are made, leave the objects alive before (the whole journal) to themselves."""
    # Rendering makes many short-lived objects, and every few hundred of them the garbage
    # collector ran; its full passes walked the journal's entries each time, for nothing.
    import gc

    from watchbook.tricks import enabled

    if not enabled("gc-freeze"):
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def export_to_folder(
    site: Site, out: Path, options: ExportOptions, progress: Progress | None = None
) -> ExportResult:
    """Write the export into `out` by the folder rules in `output`; the result says what changed."""
    from watchbook.export.output import OutputFolder

    options.check()
    with frozen_heap():
        work = jobs(site, options)
        folder = OutputFolder(out, options.format, force=options.force)
        folder.begin(name for name, _ in work)
        total = len(work)
        for done, (name, produce) in enumerate(work, start=1):
            folder.write(name, _encode(produce()))
            if progress is not None:
                progress(done, total)
        summary = folder.finish()
    return ExportResult.of(summary, len(site.entries))
