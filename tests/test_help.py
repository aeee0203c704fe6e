"""Help and first run: every command explains itself with an example, in a sensible order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook.cli.app import COMMAND_ORDER, app


def command_names() -> list[str]:
    import typer.main

    group = typer.main.get_command(app)
    return group.list_commands(None)  # type: ignore[attr-defined, no-any-return]


def test_help_lists_commands_in_the_order_a_new_user_needs_them(invoke: Invoke) -> None:
    out = invoke("--help").stdout
    commands = out.split("Commands:")[1].split("Exit codes")[0]
    listed = re.findall(r"^  (\S+)", commands, flags=re.M)
    assert listed == command_names()
    known = [name for name in COMMAND_ORDER if name in listed]
    assert listed[: len(known)] == known
    assert listed[:3] == ["add", "show", "list"]


@pytest.mark.parametrize("name", command_names())
def test_every_command_has_help_with_an_example(invoke: Invoke, name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0
    assert "Example: watchbook " + name in " ".join(result.stdout.split())


def test_a_mistyped_command_suggests_the_closest(invoke: Invoke) -> None:
    result = invoke("lsit")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: lsit: no such command; did you mean list? (see 'watchbook --help')\n"
    )


def test_init_creates_a_journal_and_says_how_to_use_it(invoke: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "films"
    result = invoke("init", str(target))
    assert result.exit_code == 0
    assert (target / ".watchbook" / ".gitignore").exists()
    assert result.stdout.strip() == str(target.resolve())
    assert "WATCHBOOK_JOURNAL" in result.stderr
    again = invoke("init", str(target))
    assert again.exit_code == 0 and "already a journal with 0 entries" in again.stderr


def test_init_without_a_folder_creates_the_journal_in_use(
    invoke: Invoke, journal_dir: Path
) -> None:
    result = invoke("init")
    assert result.exit_code == 0 and journal_dir.is_dir()
    assert "To use it" not in result.stderr


def test_the_first_add_says_where_the_journal_lives(invoke: Invoke, journal_dir: Path) -> None:
    first = invoke("add", "Paprika", "--year", "2006")
    assert f"Started a new journal in {journal_dir}" in first.stderr
    second = invoke("add", "Perfect Blue", "--year", "1997")
    assert "Started a new journal" not in second.stderr


def test_every_argument_is_explained_in_help(invoke: Invoke) -> None:
    # Typer 0.25 under Click 8.5 dropped arguments' help texts; pyproject keeps Click below it.
    import click
    import typer.main

    from watchbook.cli.app import app

    group = typer.main.get_command(app)
    assert isinstance(group, click.Group)
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        shown = invoke(name, "--help").stdout
        for argument in arguments:
            first_words = " ".join((getattr(argument, "help", None) or "").split()[:3])
            assert first_words, f"{name} {argument.name}: no help text"
            assert first_words in " ".join(shown.split()), f"{name} {argument.name}"
