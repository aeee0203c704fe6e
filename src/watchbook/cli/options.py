"""What every command shares: the per-run State, and arguments and options defined once."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from watchbook.cli.completion import EntryQuery, TagText, choice_text
from watchbook.cli.values import COUNT, SCORE_FLOOR

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.index.catalog import Catalog
    from watchbook.journal import Journal, Location
    from watchbook.search import Resolution

_T = TypeVar("_T")


class State:
    """Per-invocation state: which journal the user asked for, resolved on first use."""

    def __init__(self, explicit: Path | None = None) -> None:
        self.explicit = explicit
        self._journal: Journal | None = None

    @property
    def location(self) -> Location:
        """Where the journal is, and what chose it."""
        from watchbook.journal import locate

        return locate(self.explicit)

    @property
    def journal(self) -> Journal:
        """The journal in use."""
        if self._journal is None:
            from watchbook.journal import Journal

            self._journal = Journal(self.location.path)
        return self._journal

    def new_journal_note(self) -> str:
        """What a command that created the journal folder says (add, import)."""
        return (
            f"Started a new journal in {self.journal.path} (chosen by {self.location.source}; "
            "see `watchbook where`)."
        )

    @property
    def opened(self) -> Journal | None:
        """The journal, if this run has used one."""
        return self._journal

    def indexed(self, read: Callable[..., _T], *args: Any, **options: Any) -> _T:
        """Call a library function that reads the index: read(journal, *args, progress=...)."""
        from watchbook.render.progress import rebuild_progress

        # A bar on stderr only if rebuilding the index takes more than a second on a terminal.
        progress = rebuild_progress()
        try:
            return read(self.journal, *args, progress=progress, **options)
        finally:
            progress.close()

    def find(self, *queries: str, changes: bool = False) -> list[Entry]:
        """The entries QUERYs mean, read from the index (see settle: `changes` files or not)."""
        from watchbook.index.queries import resolve_queries

        return [settle(found, changes) for found in self.indexed(resolve_queries, queries)]

    def catalog(self, links: bool = True) -> Catalog:
        """Entries and links of the journal (unreadable files are warned about at the end).

        `links=False` when the command reads no links (see Index.view).
        """
        from watchbook.index.store import load_catalog

        return self.indexed(load_catalog, links=links)


def settle(found: Resolution, changes: bool = False) -> Entry:
    """The entry a resolved QUERY means, for a command that changes files or one that reads.

    Named exactly: that entry. Otherwise a command that only reads takes the clearly best
    match and says so on stderr; one that changes files asks a person at a terminal to choose
    among the likeliest entries, and without a terminal refuses, naming them.
    """
    from watchbook.errors import Ambiguous
    from watchbook.search import labels

    if found.entry is not None and found.exact:
        return found.entry
    if not changes:
        entry = found.chosen()
        say_guess(found.query, entry)
        return entry
    if not interactive():
        if found.entry is None:
            return found.chosen()  # Ambiguous, naming the candidates
        raise Ambiguous(
            f"{found.query!r} does not name an entry exactly, and this command changes files",
            labels(found.candidates),
        )
    from watchbook.cli.prompts import choose_entry

    return choose_entry(found)


def say_guess(query: str, entry: Entry) -> None:
    """Say on stderr which entry a QUERY that named none exactly was taken to mean."""
    from watchbook.render.output import print_note

    print_note(f"Showing {entry.label} for {query!r}")


def state(ctx: typer.Context) -> State:
    """The State object the main callback stored on the context."""
    found = ctx.find_root().obj
    assert isinstance(found, State)
    return found


def interactive() -> bool:
    """True when a person is at the keyboard (both stdin and stdout are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


# Typer reads these objects only; one object serves every command that uses it.

QUERY_HELP = "A slug, title, alias, or a close enough spelling."


def query_argument(help: str = QUERY_HELP) -> Any:
    """A QUERY argument: an entry, named the way `show` understands (completes to slugs)."""
    return typer.Argument(..., help=help, click_type=EntryQuery(), show_default=False)


QUERY: Any = query_argument()
KIND_FILTER: Any = typer.Option(
    None, "--kind", "-k", help="Only this kind.", click_type=choice_text("KIND", "kinds")
)
STATUS_FILTER: Any = typer.Option(
    None, "--status", help="Only this status.", click_type=choice_text("STATUS", "statuses")
)
TAG_FILTER: Any = typer.Option(
    None, "--tag", "-t", help="Only entries with this tag.", click_type=TagText()
)
MIN_SCORE_FILTER: Any = typer.Option(
    None, "--min-score", help="Only scores at least this (0 to 10).", click_type=SCORE_FLOOR
)
AS_JSON: Any = typer.Option(False, "--json", help="Print JSON instead of text.")


def limit_option(default: int | None) -> Any:
    """--limit N: at most N results (N is 1 or more)."""
    return typer.Option(
        default, "--limit", "-n", help="At most this many results.", click_type=COUNT
    )
