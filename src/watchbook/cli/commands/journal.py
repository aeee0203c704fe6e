"""Commands for the entries themselves: add, show, list, edit, rm; and the journal: init, where,
check, reindex."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from watchbook.cli.completion import CreatorText, EntryQuery, TagText, choice_text
from watchbook.cli.options import (
    AS_JSON,
    KIND_FILTER,
    MIN_SCORE_FILTER,
    QUERY,
    STATUS_FILTER,
    TAG_FILTER,
    interactive,
    limit_option,
    say_guess,
    state,
)
from watchbook.cli.values import DATE, LINE, PATH, REVIEW, SCORE, TITLE, YEAR
from watchbook.errors import EXIT_BAD_INPUT, InvalidValue, WatchbookError

if TYPE_CHECKING:
    from watchbook.actions import AddRequest
    from watchbook.cli.options import State

commands = typer.Typer()


@commands.command()
def add(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="The title, as you would write it.", click_type=TITLE),
    year: int | None = typer.Option(None, "--year", "-y", help="Release year.", click_type=YEAR),
    kind: str | None = typer.Option(
        None,
        "--kind",
        "-k",
        help="movie, series, season, episode, special, short or other.",
        click_type=choice_text("KIND", "kinds"),
    ),
    status: str | None = typer.Option(
        None,
        "--status",
        help="watched (default), watching, planned or dropped.",
        click_type=choice_text("STATUS", "statuses"),
    ),
    score: float | None = typer.Option(
        None, "--score", "-s", help="0 to 10 in steps of 0.5.", click_type=SCORE
    ),
    verdict: str | None = typer.Option(
        None, "--verdict", "-v", help="One line: what you thought.", click_type=LINE
    ),
    watched: list[dt.date] | None = typer.Option(
        None,
        "--watched",
        "-w",
        help="Viewing date: YYYY-MM-DD, today or yesterday (default today).",
        click_type=DATE,
    ),
    tag: list[str] | None = typer.Option(
        None, "--tag", "-t", help="A tag; repeat for more.", click_type=TagText()
    ),
    creator: list[str] | None = typer.Option(
        None,
        "--creator",
        "-c",
        help="Director, writer, studio or author; repeat for more.",
        click_type=CreatorText(),
    ),
    alias: list[str] | None = typer.Option(
        None, "--alias", "-a", help="Another or original title.", click_type=LINE
    ),
    where: str | None = typer.Option(
        None, "--where", help="Where you watched it.", click_type=LINE
    ),
    review: str | None = typer.Option(
        None, "--review", "-r", help="The review text (Markdown).", click_type=REVIEW
    ),
    edit: bool = typer.Option(False, "--edit", "-e", help="Write the review in $VISUAL/$EDITOR."),
    link: list[str] | None = typer.Option(
        None,
        "--link",
        "-l",
        help="Link to another entry (title or slug); repeat for more.",
        click_type=EntryQuery(),
    ),
    note: str | None = typer.Option(
        None, "--note", help="One line about this viewing (kept with its date).", click_type=LINE
    ),
    rewatch: bool = typer.Option(False, "--rewatch", help="It is in the journal: add a viewing."),
    new: bool = typer.Option(False, "--new", help="A different title that only looks the same."),
) -> None:
    """Record something you watched (or plan to), and print the entry's file path.

    Example: watchbook add "Blame!" --year 2017 --kind movie --score 6 --verdict "Great premise."
    """
    from watchbook.actions import AddRequest, add_entry
    from watchbook.cli.prompts import complete_request, edit_text
    from watchbook.render.output import print_line, print_note

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
        watched=list(watched or []),
        tags=tag or [],
        creators=creator or [],
        aliases=alias or [],
        where=where,
        review=review,
        links=link or [],
        mode="rewatch" if rewatch else "new" if new else None,
        note=note,
    )
    st = state(ctx)
    first_time = not st.journal.path.exists()
    asked = interactive()
    if asked:
        # Every question comes before the journal is locked (other writers need not wait).
        complete_request(st.journal, request)
    if edit:
        request.review = edit_text()
    try:
        result = add_entry(st.journal, request)
    except WatchbookError:
        if asked or edit:
            keep_answers(request, edit)
        raise
    if first_time:
        print_note(st.new_journal_note())
    messages = {
        "created": f"Added {result.entry.label}",
        "rewatch": f"Added a viewing of {result.entry.label} ({len(result.entry.watched)} in all)",
        "watched": f"Marked {result.entry.label} as watched",
    }
    print_note(messages[result.action])
    for change in result.changes:
        print_note(change)
    print_line(str(result.path))


def keep_answers(request: AddRequest, edited: bool) -> None:
    """After a failed add: the command that records the same again, and the review kept."""
    import tempfile

    from watchbook.cli.prompts import retry_command
    from watchbook.render.output import print_note

    review_file = None
    if edited and request.review:
        handle, name = tempfile.mkstemp(prefix="watchbook-review-", suffix=".md")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(request.review)
        review_file = Path(name)
        print_note(f"Your review is kept in {review_file}")
    print_note(f"Nothing was written. To try again: {retry_command(request, review_file)}")


@commands.command()
def show(
    ctx: typer.Context,
    query: str = QUERY,
    as_json: bool = AS_JSON,
) -> None:
    """Show one entry: facts, links and the review.

    Example: watchbook show "blame"
    """
    from watchbook.index.queries import entry_with_links
    from watchbook.render.entries import print_entry
    from watchbook.render.output import print_json

    st = state(ctx)
    entry, outgoing, incoming, labels, exact = st.indexed(entry_with_links, query)
    if not exact:
        say_guess(query, entry)
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


@commands.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = KIND_FILTER,
    status: str | None = STATUS_FILTER,
    tag: str | None = TAG_FILTER,
    min_score: float | None = MIN_SCORE_FILTER,
    year: int | None = typer.Option(
        None, "--year", "-y", help="Only this release year.", click_type=YEAR
    ),
    sort: str = typer.Option(
        "watched",
        "--sort",
        help="watched, score, title or year.",
        click_type=choice_text("ORDER", "sorts"),
    ),
    reverse: bool = typer.Option(False, "--reverse", help="Reverse the order."),
    limit: int | None = limit_option(None),
    as_json: bool = AS_JSON,
) -> None:
    """List entries: a table on a terminal, one tab-separated line per entry when piped.

    Example: watchbook list --kind movie --sort score --limit 10
    """
    from watchbook.actions import list_entries
    from watchbook.render.entries import print_entries
    from watchbook.render.output import print_json

    st = state(ctx)
    entries = st.indexed(
        list_entries, kind, status, tag, min_score, year, sort=sort, reverse=reverse, limit=limit
    )
    if as_json:
        print_json([{**e.to_json(), "path": str(st.journal.path_for(e.slug))} for e in entries])
    else:
        print_entries(entries)


@commands.command()
def edit(
    ctx: typer.Context,
    query: str = QUERY,
) -> None:
    """Open an entry's file in $VISUAL/$EDITOR, then check it is still a valid entry.

    Example: watchbook edit "Knights of Sidonia"
    """
    from watchbook.cli.prompts import run_editor
    from watchbook.editing import ChangedMeanwhile, EditSession
    from watchbook.errors import EXIT_CONFLICT
    from watchbook.render.output import print_error, print_note

    st = state(ctx)
    # The editor works on a copy; it replaces the file only if nobody changed it meanwhile.
    session = EditSession(st.journal, entry_to_edit(st, query))
    try:
        while True:
            run_editor(session.copy)
            data = session.edited()
            if session.unchanged(data):
                print_note("No changes.")
                return
            problem = session.problem(data)
            if problem:
                if interactive() and typer.confirm(
                    f"{problem}. Reopen the editor?", default=True, err=True
                ):
                    continue
                # Never saved over a valid file (or another writer's version after a merge).
                side = session.keep(data)
                print_error(
                    f"{problem} (not saved: {session.path.name} is left as it is; your text "
                    f"is kept in {side})"
                )
                raise typer.Exit(EXIT_CONFLICT if session.merged else EXIT_BAD_INPUT)
            try:
                path = session.save(data)
            except ChangedMeanwhile as clash:
                if clash.diff:
                    print_note(f"While you edited, {session.path.name} changed on disk:")
                    for line in clash.diff:
                        print_note(line)
                if clash.current is None or not interactive():
                    raise
                print_note(f"{clash}.")
                if not typer.confirm(
                    "Reopen the editor on a merge of both?", default=True, err=True
                ):
                    raise typer.Exit(clash.exit_code) from None
                session.merge(data, clash.current)
                continue
            print_note(f"Saved {path}")
            return
    finally:
        kept = session.close()
        if kept is not None:
            print_note(f"Your edited text was not saved; it is kept in {kept}")


def entry_to_edit(st: State, query: str) -> str:
    """The slug `edit` opens: the entry QUERY means, or a file that does not parse named exactly."""
    # Opening a broken file lets the user fix it with `edit`; one matched only loosely is still
    # refused (UnreadableMatch), as every command refuses it.
    from watchbook.editing import broken_file_named
    from watchbook.errors import UnreadableMatch

    try:
        (entry,) = st.find(query, changes=True)
    except UnreadableMatch as unreadable:
        slug = broken_file_named(st.journal, query, unreadable.problem.path)
        if slug is None:
            raise
        # Being fixed now: no 'skipped' warning about it at the end.
        st.journal.problems.pop(unreadable.problem.path, None)
        return slug
    return entry.slug


@commands.command()
def rm(
    ctx: typer.Context,
    query: str = QUERY,
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete an entry's file (asks first unless --yes).

    Example: watchbook rm "The Matrix" --yes
    """
    from watchbook.actions import remove_entry
    from watchbook.errors import EXIT_NOT_FOUND
    from watchbook.render.output import print_error, print_note

    st = state(ctx)
    (entry,) = st.find(query, changes=True)
    named = f"{entry.label} ({entry.slug}.toml)"
    if not yes and not interactive():
        # Questions are for a person at a terminal: a 'y' in a script's input is no answer.
        print_error(
            f"no terminal to ask whether to delete {named}; nothing was deleted "
            "(--yes deletes without asking)"
        )
        raise typer.Exit(EXIT_NOT_FOUND)
    if not yes and not typer.confirm(f"Delete {named}?", default=False, err=True):
        print_note("Nothing deleted.")
        raise typer.Exit(EXIT_NOT_FOUND)
    path = remove_entry(st.journal, entry.slug)
    print_note(f"Deleted {path}")


@commands.command()
def init(
    ctx: typer.Context,
    folder: Path | None = typer.Argument(
        None,
        help="Where to create the journal (default: the journal watchbook would use now).",
        click_type=PATH,
        metavar="FOLDER",
        show_default=False,
    ),
) -> None:
    """Create a journal folder and say how to make watchbook use it.

    Example: watchbook init ~/films
    """
    from watchbook.journal import Journal, locate
    from watchbook.render.output import print_line, print_note

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


@commands.command()
def where(ctx: typer.Context) -> None:
    """Print which journal folder is in use, and why that one.

    Example: watchbook where
    """
    from watchbook.render.output import print_line, print_note

    st = state(ctx)
    location = st.location
    # A file or a pipe where the folder should be is refused here as by every other command.
    st.journal.check_folder()
    print_line(str(location.path))
    exists = "" if location.path.is_dir() else " (not created yet: add or import creates it)"
    print_note(f"chosen by {location.source}{exists}")


@commands.command()
def check(
    ctx: typer.Context,
    as_json: bool = AS_JSON,
) -> None:
    """Read every file and report broken files, links to missing entries and likely duplicates.

    Also lists links the index found that you might want to keep. Exit 0 when there is no
    problem, 1 when there is.

    Example: watchbook check
    """
    from watchbook.index.check import check_journal
    from watchbook.render.entries import print_check
    from watchbook.render.output import print_json

    st = state(ctx)
    report = st.indexed(check_journal)
    # The report names every unreadable file already; no separate warnings.
    st.journal.problems.clear()
    if as_json:
        print_json(report)
    else:
        print_check(report)
    if not report["ok"]:
        raise typer.Exit(1)


@commands.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the index from the TOML files (never needed: every command keeps it fresh).

    Example: watchbook reindex
    """
    import time

    from watchbook.index.store import reindex as rebuild
    from watchbook.render.output import print_line, print_note

    st = state(ctx)
    started = time.perf_counter()
    view = st.indexed(rebuild)
    entries, problems, derived = view.counts()
    view.problems()
    seconds = time.perf_counter() - started
    path = st.journal.state_dir / "index.sqlite"
    # A journal that cannot be written (or whose cache cannot be used) is read through an index
    # built in memory, as every command reads it: nothing was saved, so no file is named as
    # written. Reading such a journal is normal, hence exit 0 and a warning.
    saved = st.journal.cache_note is None and all(
        os.access(where, os.W_OK) for where in (st.journal.state_dir, path)
    )
    print_line(
        f"Indexed {entries} entries ({problems} unreadable files, {derived} derived link "
        f"facts) in {seconds:.2f}s" + (f": {path}" if saved else ", in memory only")
    )
    if not saved:
        print_note(
            f"Warning: could not save the index to {path}; it was built in memory for this "
            "command only"
        )
