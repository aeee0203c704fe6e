"""The Typer layer itself: the error boundary, the shared State and arguments, completion types."""

from __future__ import annotations

import errno
from pathlib import Path

import click
import pytest
import typer
import typer.main
from typer.testing import CliRunner

from watchbook.cli.app import WatchbookGroup, app
from watchbook.cli.completion import ChoiceText, EntryQuery, TagText, choice_text
from watchbook.cli.options import State
from watchbook.errors import (
    EXIT_BAD_INPUT,
    EXIT_CONFLICT,
    EXIT_NOT_FOUND,
    Conflict,
    InvalidValue,
    NotFound,
)


def boundary_app(error: BaseException) -> typer.Typer:
    """A two-command app under watchbook's group whose `fail` command raises `error`."""
    demo = typer.Typer(cls=WatchbookGroup, add_completion=False)

    @demo.callback()
    def main(ctx: typer.Context) -> None:
        ctx.obj = State()

    @demo.command()
    def fail() -> None:
        raise error

    @demo.command()
    def ok() -> None:
        typer.echo("fine")

    return demo


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (InvalidValue("--year", "must be a whole number"), EXIT_BAD_INPUT, "Error: --year: must be a whole number\n"),
        (NotFound("No entry 'x'."), EXIT_NOT_FOUND, "Error: No entry 'x'.\n"),
        (Conflict("the journal is locked"), EXIT_CONFLICT, "Error: the journal is locked\n"),
        (OSError(errno.EACCES, "Permission denied", "/some/file.toml"), EXIT_BAD_INPUT, "Error: cannot use /some/file.toml: Permission denied\n"),
    ],
)  # fmt: skip
def test_library_errors_become_one_line_and_their_exit_code(
    error: BaseException, code: int, message: str
) -> None:
    result = CliRunner().invoke(boundary_app(error), ["fail"])
    assert result.exit_code == code
    assert result.stderr == message
    assert result.stdout == ""


def test_a_bug_is_not_turned_into_a_user_error() -> None:
    result = CliRunner().invoke(boundary_app(KeyError("bug")), ["fail"])
    assert isinstance(result.exception, KeyError)


def test_state_resolves_the_journal_only_when_asked(tmp_path: Path) -> None:
    st = State(explicit=tmp_path / "films")
    assert st.opened is None
    assert st.journal.path == tmp_path / "films"
    assert st.opened is st.journal
    assert st.location.source == "--journal"


def click_group() -> click.Group:
    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    return group


def test_every_argument_naming_an_entry_completes_entries() -> None:
    group = click_group()
    ctx = click.Context(group)
    naming = {
        "show": ["query"],
        "edit": ["query"],
        "rm": ["query"],
        "recommend": ["query"],
        "link": ["source", "target"],
        "unlink": ["source", "target"],
    }
    for command_name, names in naming.items():
        command = group.get_command(ctx, command_name)
        assert command is not None
        params = {p.name: p for p in command.params}
        for name in names:
            assert isinstance(params[name].type, EntryQuery), (command_name, name)
            assert params[name].type.name == "QUERY"


def test_the_filters_are_one_definition_shared_by_list_and_search() -> None:
    group = click_group()
    ctx = click.Context(group)
    shown = {}
    for name in ("list", "search"):
        command = group.get_command(ctx, name)
        assert command is not None
        shown[name] = {
            p.name: (p.opts, p.help, type(p.type))
            for p in command.params
            if p.name in ("kind", "status", "tag", "min_score")
        }
    assert shown["list"] == shown["search"] and len(shown["list"]) == 4
    assert shown["list"]["tag"][2] is TagText


def test_text_types_pass_good_values_through_and_refuse_bad_ones() -> None:
    for kind in (EntryQuery(), TagText()):
        assert kind.convert("Ghost in the Shell", None, None) == "Ghost in the Shell"
    assert choice_text("KIND", "kinds").convert("Movie", None, None) == "movie"
    for kind, bad in (
        (EntryQuery(), "!!!"),
        (TagText(), "a\x07b"),
        (choice_text("KIND", "kinds"), "film"),
    ):
        with pytest.raises(click.BadParameter):
            kind.convert(bad, None, None)


def test_a_choice_completes_to_the_words_starting_with_what_was_typed() -> None:
    choice = ChoiceText("SIZE", lambda: ("small", "medium", "large"))
    ctx = click.Context(click.Command("x"))
    param = click.Option(["--size"])
    assert [c.value for c in choice.shell_complete(ctx, param, "m")] == ["medium"]
    assert [c.value for c in choice.shell_complete(ctx, param, "")] == ["small", "medium", "large"]
    # Nothing starts with it: the ones containing it.
    assert [c.value for c in choice.shell_complete(ctx, param, "ar")] == ["large"]


def test_each_command_is_built_from_the_module_that_holds_it() -> None:
    from watchbook.cli.app import CONCEPT_OF, CONCEPTS, make_app

    every = set(click_group().list_commands(click.Context(click_group())))
    assert set(CONCEPT_OF) == every
    for concept in CONCEPTS:
        group = typer.main.get_command(make_app([concept]))
        assert isinstance(group, click.Group)
        held = set(group.list_commands(click.Context(group)))
        assert held == {name for name, module in CONCEPT_OF.items() if module == concept}


@pytest.mark.parametrize("off", ["", "one-command"])
def test_a_command_runs_and_helps_the_same_built_alone_or_with_all(
    off: str,
    sample_journal: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from watchbook.cli.app import run

    monkeypatch.setenv("WATCHBOOK_OFF", off)
    outputs = []
    for argv in (["show", "--help"], ["search", "sidnoia"], ["shw", "x"]):
        monkeypatch.setattr("sys.argv", ["watchbook", *argv])
        with pytest.raises(SystemExit) as done:
            run()
        captured = capsys.readouterr()
        outputs.append((done.value.code, captured.out, captured.err))
    assert outputs[0][0] == 0 and "Usage: watchbook show [OPTIONS] QUERY" in outputs[0][1]
    assert outputs[1][0] == 0 and "knights-of-sidonia-2014" in outputs[1][1]
    # An unknown command gets every command to suggest from.
    assert outputs[2][0] == 2 and "did you mean show" in outputs[2][2]


def interrupting_app() -> typer.Typer:
    """watchbook's group with a global option whose parsing is interrupted by Ctrl-C."""
    demo = typer.Typer(cls=WatchbookGroup, add_completion=False)

    def interrupt(value: bool) -> None:
        if value:
            raise KeyboardInterrupt

    @demo.callback()
    def main(
        ctx: typer.Context,
        now: bool = typer.Option(False, "--now", callback=interrupt, is_eager=True),
    ) -> None:
        ctx.obj = State()

    @demo.command()
    def ok() -> None:
        typer.echo("fine")

    return demo


INTERRUPTED_LINE = "Error: interrupted; no file was left half-written\n"


def test_ctrl_c_while_the_command_line_is_parsed_is_one_line_and_130() -> None:
    # Typer turns it into a silent exit 130; the line is said all the same.
    result = CliRunner().invoke(interrupting_app(), ["--now", "ok"])
    assert result.exit_code == 130
    assert result.stderr == INTERRUPTED_LINE
    assert result.stdout == ""


def test_ctrl_c_inside_a_command_is_said_once() -> None:
    result = CliRunner().invoke(boundary_app(KeyboardInterrupt()), ["fail"])
    assert result.exit_code == 130
    assert result.stderr == INTERRUPTED_LINE


def test_ctrl_c_held_during_start_up_stops_the_command_before_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # __main__ only notes a Ctrl-C while Python imports the CLI; the group acts on it first thing
    # and gives Ctrl-C back its usual handler.
    import signal

    from watchbook.__main__ import HeldInterrupt

    held = HeldInterrupt()
    held(signal.SIGINT, None)
    previous = signal.signal(signal.SIGINT, held)
    try:
        result = CliRunner().invoke(boundary_app(KeyError("never run")), ["ok"])
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.exit_code == 130
    assert result.stderr == INTERRUPTED_LINE
    assert result.stdout == ""
