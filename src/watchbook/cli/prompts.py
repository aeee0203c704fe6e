"""What the command line asks of a person: an editor for a file or a review, a choice at a prompt."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from watchbook.errors import InvalidValue

if TYPE_CHECKING:
    from watchbook.actions import AddMode
    from watchbook.entry import Entry
    from watchbook.search import Resolution


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
    choice = answer.strip().lower()[:1]
    if choice == "r":
        return "rewatch"
    if choice == "n":
        return "new"
    return None


def choose_entry(found: Resolution) -> Entry | None:
    """On a terminal: which of the likeliest entries a QUERY meant (None: cancelled)."""
    import click

    from watchbook.search import labels

    if found.exact:
        heading = f"{len(found.candidates)} entries are called {found.query!r}:"
    else:
        heading = f"{found.query!r} does not name an entry exactly. Did you mean:"
    typer.echo(heading)
    for number, label in enumerate(labels(found.candidates), start=1):
        typer.echo(f"  {number}. {label}")
    last = len(found.candidates)
    question = "Which one? Its number, or Enter to cancel"
    while True:
        try:
            answer = typer.prompt(question, default="", show_default=False).strip()
        except click.exceptions.Abort:
            typer.echo()  # Ctrl-C or the end of input: leave the cursor on a new line
            return None
        if not answer:
            return None
        if answer.isdigit() and 1 <= int(answer) <= last:
            return found.candidates[int(answer) - 1]
        typer.echo(f"Please type a number from 1 to {last}, or press Enter to cancel.")
