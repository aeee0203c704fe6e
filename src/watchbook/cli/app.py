"""The `watchbook` group: global options, the order of commands, and the one error boundary.

Library errors (watchbook.errors) become `Error: ...` on stderr and their documented exit code
here and nowhere else. The commands live in watchbook.cli.commands, one module per concept,
each with a Typer of its own that is merged into this one.
"""

from __future__ import annotations

import importlib
import io
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
import typer
from click.exceptions import NoArgsIsHelpError
from typer.core import TyperGroup

from watchbook import __version__
from watchbook.cli.options import State
from watchbook.cli.values import PATH, parameter_name
from watchbook.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NOT_FOUND,
    EXIT_READER_GONE,
    WatchbookError,
)

# The order a new user needs the commands in; any command not named here follows.
COMMAND_ORDER = (
    "add", "show", "list", "watch", "next", "search", "recommend", "export", "import", "edit",
    "rm", "link", "unlink", "diary", "stats", "check", "init", "where", "reindex", "completion",
)  # fmt: skip


class WatchbookGroup(TyperGroup):
    """The one place where library errors become 'Error: ...' on stderr and an exit code."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

    def main(self, *args: Any, **extra: Any) -> Any:
        # Click's own usage errors (a bad value, an unknown option or command, a missing
        # argument) are printed here as one line, like every library error, not as a usage block.
        standalone = extra.pop("standalone_mode", True)
        extra["standalone_mode"] = False
        try:
            code = super().main(*args, **extra)
        except NoArgsIsHelpError as exc:
            if not standalone:
                raise
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            if not standalone:
                raise
            from watchbook.render.output import print_error

            print_error(usage_message(exc))
            sys.exit(exc.exit_code)
        except click.Abort:
            if not standalone:
                raise
            # Ctrl-C or end of input at a prompt: every prompt comes before any write.
            from watchbook.render.output import print_note

            print_note("Cancelled: nothing was written.")
            sys.exit(EXIT_NOT_FOUND)
        if not standalone:
            return code
        sys.exit(code if isinstance(code, int) else 0)

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
        except KeyboardInterrupt:
            # Every file is written whole or not at all, so stopping anywhere is safe to say.
            fail("interrupted; no file was left half-written", EXIT_INTERRUPTED)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            fail(f"cannot use{where}: {exc.strerror or exc}", EXIT_BAD_INPUT)
        finally:
            warn_unreadable(ctx.obj)


# Click's words for arguments nothing takes: 'Got unexpected extra arguments (a b)'.
_EXTRA_ARGUMENTS = r"^Got unexpected extra arguments? \((.*)\)$"


def usage_message(exc: click.ClickException) -> str:
    """A usage error as one line that names the option: '--year: must be a whole number ...'."""
    if isinstance(exc, click.BadParameter):
        name = parameter_name(exc.param) or exc.param_hint
        if isinstance(exc, click.MissingParameter):
            return f"{name}: missing{_help_hint(exc)}"
        return f"{name}: {exc.message}" if name else exc.message
    if isinstance(exc, click.NoSuchOption):
        close = [p for p in exc.possibilities or [] if p.startswith("--")][:3]
        maybe = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"{exc.option_name}: no such option{maybe}{_help_hint(exc)}"
    if isinstance(exc, click.exceptions.NoSuchCommand):
        close = list(exc.possibilities or [])[:3]
        maybe = f"; did you mean {' or '.join(close)}?" if close else ""
        return f"{exc.command_name}: no such command{maybe}{_help_hint(exc)}"
    if isinstance(exc, click.BadOptionUsage):
        return f"{exc.option_name}: {_option_problem(exc.message)}{_help_hint(exc)}"
    if isinstance(exc, click.UsageError):
        extra = re.match(_EXTRA_ARGUMENTS, exc.message)
        if extra:
            return f"{extra.group(1)}: unexpected argument{_help_hint(exc)}"
        return f"{exc.message}{_help_hint(exc)}"
    return exc.format_message()


def _option_problem(message: str) -> str:
    """Click's 'Option '--year' requires an argument.' as 'needs a value'."""
    if message.endswith("requires an argument."):
        return "needs a value"
    if "does not take a value" in message:
        return "takes no value"
    return message.rstrip(".")


def _help_hint(exc: click.UsageError) -> str:
    """Where to read how the command is used."""
    return f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""


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
    if st is None or st.opened is None:
        return
    from watchbook.render.output import print_note

    for problem in st.opened.problems.values():
        print_note(f"Warning: skipped {problem}")
    if st.opened.cache_note:
        print_note(f"Warning: {st.opened.cache_note}")


def fail(message: str, code: int) -> NoReturn:
    """Print the one-line error and leave with its documented exit code."""
    from watchbook.render.output import print_error

    print_error(message)
    raise typer.Exit(code)


def version_callback(value: bool) -> None:
    """--version: print it and stop."""
    if value:
        typer.echo(f"watchbook {__version__}")
        raise typer.Exit()


def main(
    ctx: typer.Context,
    journal: Path | None = typer.Option(
        None,
        "--journal",
        "-j",
        help="Journal folder. Default: $WATCHBOOK_JOURNAL, else ./journal if present, "
        "else the user data folder (see `watchbook where`).",
        show_default=False,
        click_type=PATH,
    ),
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """A review journal for films, series and anime, kept as TOML files you own."""
    ctx.obj = State(explicit=journal)


# The modules of watchbook.cli.commands that hold the commands, in the order they are listed.
CONCEPTS = (
    "journal", "series", "search", "links", "recommend", "export", "imports", "diary", "stats",
    "completion",
)  # fmt: skip
# Which module holds each command (tests/test_cli_glue.py checks it against the modules).
CONCEPT_OF = {
    **dict.fromkeys(
        ("add", "show", "list", "edit", "rm", "init", "where", "check", "reindex"), "journal"
    ),
    **dict.fromkeys(("watch", "next"), "series"),
    "search": "search",
    **dict.fromkeys(("link", "unlink"), "links"),
    "recommend": "recommend",
    "export": "export",
    "import": "imports",
    "diary": "diary",
    "stats": "stats",
    "completion": "completion",
}


def make_app(concepts: Sequence[str] = CONCEPTS) -> typer.Typer:
    """The watchbook group with the commands of these modules (names in CONCEPTS)."""
    made = typer.Typer(
        cls=WatchbookGroup,
        help="A review journal for films, series and anime, kept as TOML files you own.",
        epilog="Exit codes: 0 ok, 1 not found or ambiguous, 2 bad input, 3 conflict.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        # Completion is set up by `watchbook completion` with Click's own scripts
        # (cli/completion.py).
        add_completion=False,
    )
    for concept in concepts:
        made.add_typer(importlib.import_module(f"watchbook.cli.commands.{concept}").commands)
    made.callback()(main)
    return made


def full_app() -> typer.Typer:
    """The group with every command, answering completion requests too."""
    from watchbook.cli.completion import register_shells

    register_shells()
    return make_app()


def __getattr__(name: str) -> Any:
    # `app`, the whole group, is made when first asked for: a command line naming one command
    # imports that command's module only (see run).
    if name == "app":
        made = globals()["app"] = full_app()
        return made
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def buffered_stdout() -> None:
    """Give stdout a buffer when Python runs without one (`python -u`, PYTHONUNBUFFERED)."""
    # Unbuffered, every write is a single write(2), and one cut short by a reader that left
    # mid-write counts as done: the rest is dropped without a BrokenPipeError, so the command
    # ends 0, not 141. A buffered writer goes on writing the rest and meets the closed pipe.
    out = sys.stdout
    if not isinstance(getattr(out, "buffer", None), io.RawIOBase):
        return
    out.flush()
    # Line by line on a terminal, as Python's own stdout there; closefd: fd 1 stays open.
    sys.stdout = open(  # noqa: SIM115 (stdout for the rest of the process)
        out.fileno(),
        "w",
        buffering=1 if out.isatty() else -1,
        encoding=out.encoding,
        errors=out.errors,
        closefd=False,
    )


def run() -> None:
    """Entry point for `watchbook` and `python -m watchbook`."""
    from watchbook.readahead import COMPLETE_VAR, journal_and_command
    from watchbook.tricks import enabled

    buffered_stdout()
    # Typer builds every command it holds before running one (a fifth of a short command's
    # own work), and each command module costs its import: a command line naming a known
    # command gets a group holding that one's module only. Help for the whole group, an
    # unknown command and a completion request get them all.
    if enabled("one-command") and not os.environ.get(COMPLETE_VAR):
        _journal, command = journal_and_command(sys.argv[1:])
        concept = CONCEPT_OF.get(command or "")
        if concept is not None:
            make_app([concept])(prog_name="watchbook")
            return
    full_app()(prog_name="watchbook")
