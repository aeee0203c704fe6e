"""The watchbook command line: parse, call one library function, render. Errors become exit codes here."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import typer

from watchbook import __version__, cli_typer
from watchbook.errors import EXIT_BAD_INPUT, EXIT_READER_GONE, InvalidValue, WatchbookError

# Before any command is built: plain parameters converted without pydantic, fuzzy completion.
cli_typer.install()

if TYPE_CHECKING:
    from collections.abc import Callable

    from watchbook.actions import AddMode
    from watchbook.entry import Entry
    from watchbook.index import Catalog
    from watchbook.journal import Journal, Location


_T = TypeVar("_T")

# The order a new user needs the commands in; any command not named here follows.
COMMAND_ORDER = (
    "add", "show", "list", "search", "recommend", "export", "import", "edit", "rm",
    "link", "unlink", "stats", "check", "init", "where", "reindex",
)  # fmt: skip


class WatchbookGroup(cli_typer.OnDemandGroup):
    """The one place where library errors become 'Error: ...' on stderr and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    def invoke(self, ctx: Any) -> Any:
        try:
            result = super().invoke(ctx)
            # Flushed here, not at exit, so that a closed pipe is noticed below.
            sys.stdout.flush()
            return result
        except WatchbookError as exc:
            fail(str(exc), exc.exit_code)
        except BrokenPipeError:
            reader_gone()
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            fail(f"cannot use{where}: {exc.strerror or exc}", EXIT_BAD_INPUT)
        finally:
            warn_unreadable(ctx.obj)


def reader_gone() -> NoReturn:
    """Leave quietly when whatever reads stdout has gone (`watchbook list | head`)."""
    # What is still buffered can never be written; point stdout at nothing so that the flush
    # at exit does not fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    raise typer.Exit(EXIT_READER_GONE)


def warn_unreadable(st: State | None) -> None:
    """Name each journal file that could not be read, once per command, on stderr."""
    if st is None or st._journal is None:
        return
    from watchbook.render import print_note

    for problem in st._journal.problems.values():
        print_note(f"Warning: skipped {problem}")


def fail(message: str, code: int) -> NoReturn:
    """Print the one-line error and leave with its documented exit code."""
    from watchbook.render import print_error

    print_error(message)
    raise typer.Exit(code)


app = typer.Typer(
    cls=WatchbookGroup,
    help="A review journal for films, series and anime, kept as TOML files you own.",
    epilog="Exit codes: 0 ok, 1 not found or ambiguous, 2 bad input, 3 conflict.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    """Per-invocation state: which journal the user asked for, resolved on first use."""

    def __init__(self, explicit: Path | None = None) -> None:
        self.explicit = explicit
        self._journal: Journal | None = None

    @property
    def location(self) -> Location:
        from watchbook.journal import locate

        return locate(self.explicit)

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            from watchbook.journal import Journal

            self._journal = Journal(self.location.path)
        return self._journal

    def indexed(self, read: Callable[..., _T], *args: Any, **options: Any) -> _T:
        """Call a library function that reads the index: read(journal, *args, progress=...)."""
        from watchbook.render import rebuild_progress

        # A bar on stderr only if rebuilding the index takes more than a second on a terminal.
        progress = rebuild_progress()
        try:
            return read(self.journal, *args, progress=progress, **options)
        finally:
            progress.close()

    def find(self, *queries: str) -> list[Entry]:
        """The entries QUERYs mean, read from the index."""
        from watchbook.index import find_entries

        return self.indexed(find_entries, queries)

    def catalog(self, links: bool = True) -> Catalog:
        """Entries and links of the journal (unreadable files are warned about at the end).

        `links=False` when the command reads no links (see Index.view).
        """
        from watchbook.index import load_catalog

        return self.indexed(load_catalog, links=links)


def state(ctx: typer.Context) -> State:
    """The State object the main callback stored on the context."""
    return ctx.find_root().obj  # type: ignore[no-any-return]


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"watchbook {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    journal: Path | None = typer.Option(
        None,
        "--journal",
        "-j",
        help="Journal folder. Default: $WATCHBOOK_JOURNAL, else ./journal if present, "
        "else the user data folder (see `watchbook where`).",
        show_default=False,
    ),
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """A review journal for films, series and anime, kept as TOML files you own."""
    ctx.obj = State(explicit=journal)


def interactive() -> bool:
    """True when a person is at the keyboard (both stdin and stdout are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_editor(path: Path) -> None:
    """Open $VISUAL or $EDITOR (else vi) on a file and wait for it to close."""
    import shlex
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        code = subprocess.call([*shlex.split(editor), str(path)])
    except FileNotFoundError:
        raise InvalidValue("editor", f"{editor!r} was not found; set $VISUAL or $EDITOR") from None
    if code != 0:
        raise InvalidValue("editor", f"{editor!r} exited with status {code}; nothing was saved")


def edit_text(initial: str = "") -> str:
    """Let the user write text in their editor (used by `add --edit` for the review)."""
    import tempfile

    handle, name = tempfile.mkstemp(prefix="watchbook-review-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(initial)
        run_editor(path)
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidValue("review", "the editor saved text that is not UTF-8") from None
    finally:
        path.unlink(missing_ok=True)


def ask_duplicate(existing: Entry) -> AddMode | None:
    """On a terminal: is this another viewing of an existing entry, or a different title?"""
    answer = typer.prompt(
        f"{existing.label} is already in the journal ({existing.slug}). "
        "[r]ewatch, [n]ew separate entry, or [c]ancel?",
        default="r",
    )
    return {"r": "rewatch", "n": "new"}.get(answer.strip().lower()[:1])  # type: ignore[return-value]


# --- shell completion -------------------------------------------------------------------------
# Typer calls these on TAB (`watchbook --install-completion` sets the shell up). They run in a
# process of their own for every TAB: the candidates come from the index, and nothing but the
# candidates may reach the terminal.


def _completing_for_bash(ctx: typer.Context) -> bool:
    """True when the shell asking is bash (the only one that inserts candidates unquoted)."""
    prog = ctx.find_root().info_name or "watchbook"
    return os.environ.get(f"_{prog.replace('-', '_').upper()}_COMPLETE") == "complete_bash"


def _from_journal(
    ctx: typer.Context, find: Callable[[Journal, str], list[tuple[str, str]]], incomplete: str
) -> list[tuple[str, str]]:
    """Candidates from the journal the command line names; none if anything goes wrong."""
    # That journal: --journal typed before the command, else the usual choice.
    import contextlib
    import io
    import re

    try:
        from watchbook.journal import Journal, locate

        # The main callback does not run while completing: read --journal from the parse.
        journal = Journal(locate(ctx.find_root().params.get("journal")).path)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            found = find(journal, incomplete)
    except Exception:
        return []
    if _completing_for_bash(ctx):
        # bash inserts the word as it is: escape what it would split on or expand.
        return [(re.sub(r"([^\w@%+=:,./-])", r"\\\1", value), why) for value, why in found]
    return found


def complete_entry(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Slugs of the entries matching what is typed, described as 'Title (Year)'."""
    from watchbook.complete import entries

    return _from_journal(ctx, entries, incomplete)


def complete_tag(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Tags of the journal matching what is typed."""
    from watchbook.complete import tags

    return _from_journal(ctx, tags, incomplete)


def complete_creator(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Creators of the journal matching what is typed."""
    from watchbook.complete import creators

    return _from_journal(ctx, creators, incomplete)


def complete_kind(incomplete: str) -> list[str]:
    """The allowed kinds."""
    from watchbook.complete import choices
    from watchbook.entry import KINDS

    return choices(KINDS, incomplete)


def complete_status(incomplete: str) -> list[str]:
    """The allowed statuses."""
    from watchbook.complete import choices
    from watchbook.entry import STATUSES

    return choices(STATUSES, incomplete)


def complete_sort(incomplete: str) -> list[str]:
    """The orders `list --sort` knows."""
    from watchbook.actions import SORTS
    from watchbook.complete import choices

    return choices(SORTS, incomplete)


# --- commands ---------------------------------------------------------------------------------


@app.command()
def add(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="The title, as you would write it."),
    year: int | None = typer.Option(None, "--year", "-y", help="Release year."),
    kind: str | None = typer.Option(
        None,
        "--kind",
        "-k",
        help="movie, series, season, episode, special, short or other.",
        autocompletion=complete_kind,
    ),
    status: str | None = typer.Option(
        None,
        "--status",
        help="watched (default), watching, planned or dropped.",
        autocompletion=complete_status,
    ),
    score: str | None = typer.Option(None, "--score", "-s", help="0 to 10 in steps of 0.5."),
    verdict: str | None = typer.Option(None, "--verdict", "-v", help="One line: what you thought."),
    watched: list[str] | None = typer.Option(
        None,
        "--watched",
        "-w",
        help="Viewing date: YYYY-MM-DD, today or yesterday (default today).",
    ),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", help="A tag; repeat for more.", autocompletion=complete_tag
    ),
    creator: list[str] | None = typer.Option(
        None,
        "--creator",
        "-c",
        help="Director, writer, studio or author; repeat for more.",
        autocompletion=complete_creator,
    ),
    alias: list[str] | None = typer.Option(
        None, "--alias", "-a", help="Another or original title."
    ),
    where: str | None = typer.Option(None, "--where", help="Where you watched it."),
    review: str | None = typer.Option(None, "--review", "-r", help="The review text (Markdown)."),
    edit: bool = typer.Option(False, "--edit", "-e", help="Write the review in $VISUAL/$EDITOR."),
    link: list[str] | None = typer.Option(
        None,
        "--link",
        "-l",
        help="Link to another entry (title or slug); repeat for more.",
        autocompletion=complete_entry,
    ),
    rewatch: bool = typer.Option(False, "--rewatch", help="It is in the journal: add a viewing."),
    new: bool = typer.Option(False, "--new", help="A different title that only looks the same."),
) -> None:
    """Record something you watched (or plan to), and print the entry's file path.

    Example: watchbook add "Blame!" --year 2017 --kind movie --score 6 --verdict "Great premise."
    """
    from watchbook.actions import AddRequest, add_entry, parse_when
    from watchbook.render import print_line, print_note

    if rewatch and new:
        raise InvalidValue("--rewatch/--new", "choose one of them, not both")
    if review is not None and edit:
        raise InvalidValue("--review/--edit", "choose one of them, not both")
    request = AddRequest(
        title=title,
        year=year,
        kind=kind,
        status=status,
        score=score,
        verdict=verdict,
        watched=[parse_when(text) for text in watched or []],
        tags=tag or [],
        creators=creator or [],
        aliases=alias or [],
        where=where,
        review=review,
        links=link or [],
        mode="rewatch" if rewatch else "new" if new else None,
    )
    if interactive() and (status or "watched") != "planned":
        if request.score is None:
            request.score = (
                typer.prompt("Score 0-10 (Enter to skip)", default="", show_default=False) or None
            )
        if request.verdict is None:
            request.verdict = (
                typer.prompt("Verdict, one line (Enter to skip)", default="", show_default=False)
                or None
            )
    if edit:
        request.review = edit_text()
    st = state(ctx)
    first_time = not st.journal.path.exists()
    result = add_entry(st.journal, request, decide=ask_duplicate if interactive() else None)
    if first_time:
        print_note(
            f"Started a new journal in {st.journal.path} (chosen by {st.location.source}; "
            "see `watchbook where`)."
        )
    messages = {
        "created": f"Added {result.entry.label}",
        "rewatch": f"Added a viewing of {result.entry.label} ({len(result.entry.watched)} in all)",
        "watched": f"Marked {result.entry.label} as watched",
    }
    print_note(messages[result.action])
    print_line(str(result.path))


@app.command()
def show(
    ctx: typer.Context,
    query: str = typer.Argument(
        ...,
        help="A slug, title, alias, or a close enough spelling.",
        autocompletion=complete_entry,
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the entry as JSON."),
) -> None:
    """Show one entry: facts, links and the review.

    Example: watchbook show "blame"
    """
    from watchbook.index import entry_with_links
    from watchbook.render import print_entry, print_json

    st = state(ctx)
    entry, outgoing, incoming, labels = st.indexed(entry_with_links, query)
    path = st.journal.path_for(entry.slug)
    if as_json:
        data = {**entry.to_json(), "path": str(path)}
        data["links"] = [{"to": k.target, "why": k.why, "derived": k.derived} for k in outgoing]
        data["backlinks"] = [
            {"from": k.source, "why": k.why, "derived": k.derived} for k in incoming
        ]
        print_json(data)
        return

    def label(slug: str) -> str:
        return labels.get(slug, f"{slug} (missing)")

    # One line per linked entry and direction: your own reason first, then what the index found.
    whys: dict[tuple[str, str], list[str]] = {}
    for arrow, other, why in [("→", k.target, k.why) for k in outgoing] + [
        ("←", k.source, k.why) for k in incoming
    ]:
        reasons = whys.setdefault((arrow, other), [])
        if why and why not in reasons:
            reasons.append(why)
    links = [(f"{arrow} {label(other)}", "; ".join(r)) for (arrow, other), r in whys.items()]
    print_entry(entry, path, links)


# The filters `list` and `search` share (Typer only reads these, so one object serves both).
KIND_FILTER: Any = typer.Option(
    None, "--kind", "-k", help="Only this kind.", autocompletion=complete_kind
)
STATUS_FILTER: Any = typer.Option(
    None, "--status", help="Only this status.", autocompletion=complete_status
)
TAG_FILTER: Any = typer.Option(
    None, "--tag", "-t", help="Only entries with this tag.", autocompletion=complete_tag
)
MIN_SCORE_FILTER: Any = typer.Option(None, "--min-score", help="Only scores at least this.")


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = KIND_FILTER,
    status: str | None = STATUS_FILTER,
    tag: str | None = TAG_FILTER,
    min_score: float | None = MIN_SCORE_FILTER,
    year: int | None = typer.Option(None, "--year", "-y", help="Only this release year."),
    sort: str = typer.Option(
        "watched", "--sort", help="watched, score, title or year.", autocompletion=complete_sort
    ),
    reverse: bool = typer.Option(False, "--reverse", help="Reverse the order."),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array."),
) -> None:
    """List entries: a table on a terminal, one tab-separated line per entry when piped.

    Example: watchbook list --kind movie --sort score --limit 10
    """
    from watchbook.actions import SORTS, list_entries
    from watchbook.entry import KINDS, STATUSES, check_choice
    from watchbook.render import print_entries, print_json

    check_choice("--kind", kind, KINDS)
    check_choice("--status", status, STATUSES)
    check_choice("--sort", sort, SORTS)
    st = state(ctx)
    entries = st.indexed(
        list_entries, kind, status, tag, min_score, year, sort=sort, reverse=reverse, limit=limit
    )
    if as_json:
        print_json([{**e.to_json(), "path": str(st.journal.path_for(e.slug))} for e in entries])
    else:
        print_entries(entries)


@app.command()
def edit(
    ctx: typer.Context,
    query: str = typer.Argument(
        ...,
        help="A slug, title, alias, or a close enough spelling.",
        autocompletion=complete_entry,
    ),
) -> None:
    """Open an entry's file in $VISUAL/$EDITOR, then check it is still a valid entry.

    Example: watchbook edit "Knights of Sidonia"
    """
    from watchbook.errors import InvalidFile
    from watchbook.render import print_error, print_note

    st = state(ctx)
    (entry,) = st.find(query)
    path = st.journal.path_for(entry.slug)
    before = path.read_bytes()
    while True:
        run_editor(path)
        try:
            st.journal.read_path(path)
        except InvalidFile as problem:
            if interactive() and typer.confirm(f"{problem}. Reopen the editor?", default=True):
                continue
            print_error(f"{problem} (the file was left as you saved it; fix it by hand)")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        break
    print_note(f"Saved {path}" if path.read_bytes() != before else "No changes.")


@app.command()
def rm(
    ctx: typer.Context,
    query: str = typer.Argument(
        ...,
        help="A slug, title, alias, or a close enough spelling.",
        autocompletion=complete_entry,
    ),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete an entry's file (asks first unless --yes).

    Example: watchbook rm "The Matrix" --yes
    """
    from watchbook.actions import remove_entry
    from watchbook.render import print_note

    st = state(ctx)
    (entry,) = st.find(query)
    if not yes and not typer.confirm(f"Delete {entry.label} ({entry.slug}.toml)?", default=False):
        print_note("Nothing deleted.")
        raise typer.Exit(1)
    path = remove_entry(st.journal, entry.slug)
    print_note(f"Deleted {path}")


@app.command()
def init(
    ctx: typer.Context,
    folder: Path | None = typer.Argument(
        None, help="Where to create the journal (default: the journal watchbook would use now)."
    ),
) -> None:
    """Create a journal folder and say how to make watchbook use it.

    Example: watchbook init ~/films
    """
    from watchbook.journal import Journal, locate
    from watchbook.render import print_line, print_note

    st = state(ctx)
    path = folder.expanduser() if folder else st.location.path
    journal = Journal(path)
    existed = path.is_dir()
    journal.ensure()
    print_line(str(path.resolve()))
    if existed:
        print_note(f"{path} is already a journal with {len(journal.files())} entries.")
    else:
        print_note(f"Created an empty journal in {path}.")
    if locate(st.explicit).path.resolve() != path.resolve():
        print_note(
            f'To use it, run watchbook --journal "{path}" ... or set WATCHBOOK_JOURNAL="{path.resolve()}".'
        )


@app.command()
def where(ctx: typer.Context) -> None:
    """Print which journal folder is in use, and why that one.

    Example: watchbook where
    """
    from watchbook.render import print_line, print_note

    location = state(ctx).location
    print_line(str(location.path))
    exists = "" if location.path.is_dir() else " (not created yet: the first add creates it)"
    print_note(f"chosen by {location.source}{exists}")


def run() -> None:
    """Entry point for `python -m watchbook`."""
    app(prog_name="watchbook")


# Each capability's commands live in their own module; importing one registers its commands.
from watchbook import cli_index, cli_recommend, cli_export, cli_import, cli_stats  # noqa: E402, F401, I001
