"""The `watchbook` group: global options, the order of commands, and the one error boundary.

Library errors (watchbook.errors) become `Error: ...` on stderr and their documented exit code
here and nowhere else. The commands live in watchbook.cli.commands, one module per concept,
each with a Typer of its own that is merged into this one.
"""

from __future__ import annotations

import errno
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

    # Set once Ctrl-C has been answered with its line, so that it is said once.
    interrupted = False

    def main(self, *args: Any, **extra: Any) -> Any:
        # Click's own usage errors (a bad value, an unknown option or command, a missing
        # argument) are printed here as one line, like every library error, not as a usage block.
        standalone = extra.pop("standalone_mode", True)
        extra["standalone_mode"] = False
        try:
            resume_interrupts()
            code = super().main(*args, **extra)
        except NoArgsIsHelpError as exc:
            if not standalone:
                raise
            exc.show()
            code = exc.exit_code
        except click.ClickException as exc:
            if not standalone:
                raise
            from watchbook.render.output import print_error

            print_error(usage_message(exc))
            code = exc.exit_code
        except click.Abort:
            if not standalone:
                raise
            # Ctrl-C or end of input at a prompt: every prompt comes before any write.
            from watchbook.render.output import print_note

            print_note("Cancelled: nothing was written.")
            code = EXIT_NOT_FOUND
        except OutputFailed as exc:
            # Refused while an error or a warning was being said, after the command.
            if not standalone:
                raise
            code = output_refused(exc)
        except KeyboardInterrupt:
            # Pressed while watchbook started (and held until now), or before Typer parses.
            if not standalone:
                raise
            code = EXIT_INTERRUPTED
        if not standalone:
            return code
        if code == EXIT_INTERRUPTED and not self.interrupted:
            # Typer answers a Ctrl-C while it parses the command line with a silent 130.
            say_interrupted()
        sys.exit(finish_output(code if isinstance(code, int) else 0))

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
            self.interrupted = True
            say_interrupted()
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except OutputFailed as exc:
            raise typer.Exit(output_refused(exc)) from None
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
    drop_output()
    raise typer.Exit(EXIT_READER_GONE)


def drop_output() -> None:
    """Point stdout at nothing: what is still buffered can never be written."""
    # So that the flush at exit does not fail again (and print Python's 'Exception ignored').
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class OutputFailed(OSError):
    """stdout refused a write for another reason than a reader that left: a full disk, a closed stdout."""


class StdoutFile(io.FileIO):
    """Descriptor 1, whose refused writes are told apart from those of the journal's files."""

    def write(self, data: Any) -> int:
        """Write as a file does; a refusal (but a closed pipe) becomes OutputFailed."""
        try:
            return super().write(data)
        except (BrokenPipeError, BlockingIOError):
            raise
        except OSError as exc:
            raise OutputFailed(exc.errno, exc.strerror) from None


def output_refused(exc: OSError) -> int:
    """Say once that the output could not be written; the exit code for it (bad input, as any refused write)."""
    drop_output()
    from watchbook.render.output import print_error

    # A closed stdout (`>&-`) is held by /dev/null opened for reading (see __main__): EBADF.
    reason = "stdout is closed" if exc.errno == errno.EBADF else exc.strerror or str(exc)
    print_error(f"cannot write the output: {reason}")
    return EXIT_BAD_INPUT


def finish_output(code: int) -> int:
    """Flush stdout before exit, so that a write refused at the end still gets its line and code."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        drop_output()
        return EXIT_READER_GONE
    except OutputFailed as exc:
        return output_refused(exc)
    return code


def resume_interrupts() -> None:
    """Let Ctrl-C raise KeyboardInterrupt again, now, if it was pressed while watchbook started."""
    import signal

    # __main__ holds it during start-up with a handler that notes it (HeldInterrupt; asked by
    # its attribute: under `python -m` that module is `__main__`, not `watchbook.__main__`).
    held = getattr(signal.getsignal(signal.SIGINT), "pressed", None)
    if held is None:
        return
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if held:
        raise KeyboardInterrupt


def say_interrupted() -> None:
    """The one line for Ctrl-C."""
    from watchbook.render.output import INTERRUPTED, print_error

    print_error(INTERRUPTED)


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
    """Make stdout a buffered writer of our own on descriptor 1 (StdoutFile, whose refusals are told apart)."""
    # Python without a buffer (`python -u`, PYTHONUNBUFFERED) makes every write a single
    # write(2), and one cut short by a reader that left mid-write counts as done: the rest is
    # dropped without a BrokenPipeError, so the command would end 0, not 141. A buffered writer
    # goes on writing the rest and meets the closed pipe.
    out = sys.stdout
    try:
        if out.fileno() != 1:
            return  # not the process's own stdout (a test's capture): left as it is
    except (AttributeError, OSError, ValueError):
        return
    out.flush()
    raw = StdoutFile(1, "w", closefd=False)
    # Line by line on a terminal, as Python's own stdout there.
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=out.encoding,
        errors=out.errors,
        line_buffering=raw.isatty(),
    )


def run() -> None:
    """Entry point for `watchbook` and `python -m watchbook`."""
    try:
        run_group()
    except KeyboardInterrupt:
        # Before the group's own boundary is in place (Typer building the commands), or after.
        say_interrupted()
        sys.exit(EXIT_INTERRUPTED)


def run_group() -> None:
    """Build the group the command line needs and run it."""
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
