"""What the command line asks of a person: an editor for a file or a review, a choice at a prompt."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
import typer

from watchbook.errors import InvalidValue

if TYPE_CHECKING:
    from watchbook.actions import AddMode, AddRequest
    from watchbook.entry import Entry
    from watchbook.journal import Journal
    from watchbook.search import Resolution

T = TypeVar("T")


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

    from watchbook.render.output import print_note

    handle, name = tempfile.mkstemp(prefix="watchbook-review-", suffix=".md")
    path = Path(name)
    keep = False
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(initial)
        try:
            run_editor(path)
        except InvalidValue:
            # An editor that exits non-zero (vim's :cq) may still have saved what the user
            # wrote: an hour of writing is not the editor's to throw away.
            try:
                written = path.read_bytes()
            except OSError:
                written = b""
            if written.strip() and written != initial.encode("utf-8"):
                keep = True
                print_note(f"Your review is kept in {path}")
            raise
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InvalidValue("review", "the editor saved text that is not UTF-8") from None
    finally:
        if not keep:
            path.unlink(missing_ok=True)


def ask(question: str, parse: Callable[[str], T], default: str = "") -> T:
    """Ask until the answer is good; a bad one is refused at once, saying why.

    Ctrl-C or Ctrl-D ends the command through click.Abort (cli/app.py: nothing was written).
    Questions go to stderr, so that stdout keeps only what the command prints.
    """
    while True:
        answer = typer.prompt(question, default=default, show_default=bool(default), err=True)
        try:
            return parse(answer)
        except InvalidValue as exc:
            typer.echo(f"  {exc.reason}; try again (Ctrl-C to stop)", err=True)


def ask_duplicate(existing: Entry) -> AddMode:
    """Is this another viewing of an entry already there, or a different title? (c cancels)"""

    def parse(answer: str) -> AddMode | None:
        word = answer.strip().lower()
        if word in ("r", "rewatch"):
            return "rewatch"
        if word in ("n", "new"):
            return "new"
        if word in ("c", "cancel"):
            return None
        raise InvalidValue("answer", f"answer r, n or c (got {answer!r})")

    mode = ask(
        f"{existing.label} is already in the journal ({existing.slug}). "
        "[r]ewatch, [n]ew separate entry, or [c]ancel?",
        parse,
        default="r",
    )
    if mode is None:
        raise click.Abort
    return mode


def complete_request(journal: Journal, request: AddRequest) -> None:
    """On a terminal: settle which entries the command names (the one a rewatch goes to, the
    ones it links to) and rewatch or new, then ask for what the command line left out."""
    from watchbook.actions import match_existing, needs_decision, resolve_in, title_query

    def settled(found: Resolution) -> Entry:
        return found.entry if found.entry is not None and found.exact else choose_entry(found)

    rewatch = request.mode == "rewatch" and request.target is None
    if rewatch or request.links:
        # add writes: a QUERY that names no entry exactly is chosen here, not guessed.
        loaded = journal.load_all()
        if rewatch:
            found = resolve_in(journal, loaded, title_query(request.title, request.year))
            request.target = settled(found).slug
        request.links = [
            settled(resolve_in(journal, loaded, query)).slug for query in request.links
        ]
    existing = match_existing(journal, request)
    if needs_decision(existing, request):
        assert existing is not None
        request.mode = ask_duplicate(existing)
        if request.mode == "rewatch":
            request.target = existing.slug
        else:
            existing = None
    ask_missing(request, existing)


def ask_missing(request: AddRequest, existing: Entry | None) -> None:
    """Kind (for a new title), viewing date, score, and a verdict or a note for this viewing."""
    from watchbook.actions import parse_when
    from watchbook.entry import KINDS
    from watchbook.validation import check_choice

    status = request.status or "watched"
    if existing is None and request.kind is None:
        request.kind = ask(
            f"Kind: {', '.join(KINDS)} (Enter to skip)",
            lambda text: check_choice("kind", text, KINDS) if text.strip() else None,
        )
    if status == "planned":
        return
    if status == "watched" and not request.watched:
        request.watched = [ask("Watched on (YYYY-MM-DD, today or yesterday)", parse_when, "today")]
    if request.score is None:
        request.score = ask_score(existing)
    if existing is not None and existing.verdict and request.verdict is None:
        if request.note is None:
            request.note = ask_note()
    elif request.verdict is None:
        request.verdict = ask_verdict()


def ask_score(existing: Entry | None) -> int | float | None:
    """The score of this viewing (Enter skips); says what an entry already scored keeps."""
    from watchbook.validation import check_score

    question = "Score 0-10 (Enter to skip)"
    if existing is not None and existing.score is not None:
        question = (
            f"Score for this viewing, 0-10 (Enter to skip; {existing.title} keeps "
            f"{existing.score:g})"
        )
    return ask(question, lambda text: check_score(text) if text.strip() else None)


def ask_verdict() -> str | None:
    """The verdict, one line (Enter skips)."""
    from watchbook.validation import check_line

    return ask("Verdict, one line (Enter to skip)", lambda text: check_line("verdict", text))


def ask_note() -> str | None:
    """A note on this viewing, one line (Enter skips)."""
    from watchbook.validation import check_line

    return ask("Note on this viewing, one line (Enter to skip)", lambda t: check_line("note", t))


def retry_command(request: AddRequest, review_file: Path | None = None) -> str:
    """The command that records the same thing again, answers included (shell-quoted)."""
    import shlex

    args = ["watchbook", "add", request.title]
    for flag, value in (
        ("--year", request.year),
        ("--kind", request.kind),
        ("--status", request.status),
        ("--score", request.score),
        ("--verdict", request.verdict),
        ("--note", request.note),
        ("--where", request.where),
    ):
        if value is not None:
            args += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    for flag, values in (
        ("--watched", [d.isoformat() for d in request.watched]),
        ("--tag", request.tags),
        ("--creator", request.creators),
        ("--alias", request.aliases),
        ("--link", request.links),
    ):
        for value in values:
            args += [flag, value]
    if request.mode is not None:
        args.append(f"--{request.mode}")
    command = shlex.join(args)
    if review_file is not None:
        return f'{command} --review "$(cat {shlex.quote(str(review_file))})"'
    if request.review is not None:
        return f"{command} --review {shlex.quote(request.review)}"
    return command


def choose_entry(found: Resolution) -> Entry:
    """On a terminal: which of the likeliest entries a QUERY meant (Enter cancels, as Ctrl-C)."""
    from watchbook.search import labels

    if found.exact:
        heading = f"{len(found.candidates)} entries are called {found.query!r}:"
    else:
        heading = f"{found.query!r} does not name an entry exactly. Did you mean:"
    typer.echo(heading, err=True)
    for number, label in enumerate(labels(found.candidates), start=1):
        typer.echo(f"  {number}. {label}", err=True)
    last = len(found.candidates)

    def parse(answer: str) -> Entry | None:
        text = answer.strip()
        if not text:
            return None
        if text.isdigit() and 1 <= int(text) <= last:
            return found.candidates[int(text) - 1]
        raise InvalidValue("answer", f"type a number from 1 to {last} (got {answer!r})")

    chosen = ask("Which one? Its number, or Enter to cancel", parse)
    if chosen is None:
        raise click.Abort
    return chosen
