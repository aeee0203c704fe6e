"""Every option and argument of every command: a bad value is one line naming it, exit 2.

The walk reads the commands from the Click tree, so an option added later is covered too: its
type must have a bad value in BAD_VALUES (or the test fails and says which).
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer.main

from tests.conftest import Invoke
from watchbook.cli.app import app

# A value each type must refuse, by the name --help shows for it.
BAD_VALUES = {
    "N": "20O1",
    "YEAR": "20O1",
    "MONTH": "13",
    "SCORE": "seven",
    "DATE": "2020-13-01",
    "KIND": "film",
    "STATUS": "seen",
    "ORDER": "rating",
    "FORMAT": "pdf",
    "SERVICE": "netflix",
    "SHELL": "tcsh",
    "TEXT": "bell\x07",
    "TAG": "bell\x07",
    "NAME": "bell\x07",
    "QUERY": "!!!",
    "TITLE": "   ",
    "PATH": "",
}
# A good value for each argument the command needs besides the one under test.
GOOD_VALUES = {"TITLE": "Paprika", "QUERY": "blame", "SERVICE": "mal", "PATH": "list.xml"}
# Words a person reads in --help (types named as Python or Click name them are not).
HELP_WORDS = {*BAD_VALUES, "ORDER", "FOLDER", "SOURCE", "TARGET"}


def group() -> click.Group:
    command = typer.main.get_command(app)
    assert isinstance(command, click.Group)
    return command


def value_params() -> list[tuple[str, str, str]]:
    """(command, parameter, type name) of every parameter that takes a value."""
    found = []
    root = group()
    for param in root.params:
        if isinstance(param, click.Option) and not param.is_flag and param.name != "help":
            found.append(("", param.name or "", param.type.name))
    for name in root.list_commands(click.Context(root)):
        command = root.commands[name]
        for param in command.params:
            if isinstance(param, click.Option) and (param.is_flag or param.name == "help"):
                continue
            found.append((name, param.name or "", param.type.name))
    return found


def command_line(command: str, target: str) -> tuple[list[str], str]:
    """The arguments that give `target` a bad value (and the others good ones), and its name."""
    root = group()
    if not command:
        (param,) = (p for p in root.params if p.name == target)
        assert isinstance(param, click.Option)
        return ["--journal", BAD_VALUES[param.type.name], "list"], "--journal"
    arguments: list[str] = []
    options: list[str] = []
    shown = ""
    for param in root.commands[command].params:
        kind = param.type.name
        if param.name == target:
            assert kind in BAD_VALUES, f"{command} {param.name}: no bad value for type {kind}"
            value = BAD_VALUES[kind]
            if isinstance(param, click.Option):
                shown = next(o for o in param.opts if o.startswith("--"))
                options += [shown, value]
            else:
                shown = (param.metavar or param.name or "").upper()
                arguments.append(value)
        elif isinstance(param, click.Argument) and param.required:
            arguments.append(GOOD_VALUES[kind])
    return [command, *options, "--", *arguments], shown


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("command", "target", "kind"), value_params())
def test_every_bad_value_is_one_line_naming_the_option_and_exit_2(
    invoke: Invoke, sample_journal: Path, command: str, target: str, kind: str
) -> None:
    args, name = command_line(command, target)
    before = snapshot(sample_journal)
    result = invoke(*args)
    assert result.exit_code == 2, (args, result.output)
    assert result.stdout == ""
    assert re.fullmatch(rf"Error: {re.escape(name)}: [^\n]+\n", result.stderr), result.stderr
    assert snapshot(sample_journal) == before


def test_the_issue_examples_read_as_one_line(invoke: Invoke, sample_journal: Path) -> None:
    assert invoke("add", "X", "--year", "20O1").stderr == (
        "Error: --year: must be a whole number (got '20O1')\n"
    )
    assert invoke("list", "--limit", "0").stderr == "Error: --limit: must be at least 1 (got 0)\n"
    assert invoke("list", "--min-score", "abc").stderr == (
        "Error: --min-score: must be a number from 0 to 10 (got 'abc')\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add"], "TITLE: missing (see 'watchbook add --help')"),
        (["list", "--yeer", "3"], "--yeer: no such option; did you mean --year or --reverse? (see 'watchbook list --help')"),
        (["list", "--year"], "--year: needs a value"),
        (["list", "--json=3"], "--json: takes no value"),
        (["list", "extra"], "extra: unexpected argument (see 'watchbook list --help')"),
        (["lsit"], "lsit: no such command; did you mean list? (see 'watchbook --help')"),
    ],
)  # fmt: skip
def test_usage_mistakes_are_one_line_without_a_usage_block(
    invoke: Invoke, args: list[str], message: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


def test_values_click_accepted_are_still_accepted(invoke: Invoke, sample_journal: Path) -> None:
    for spelling in ("2017", "+2017", " 2017 "):
        listed = invoke("list", "--year", spelling)
        assert listed.exit_code == 0 and listed.stdout.startswith("blame-2017\t")
    assert invoke("list", "--kind", "MOVIE", "--limit", "1").exit_code == 0


@pytest.mark.parametrize("command", ["", *group().list_commands(click.Context(group()))])
def test_help_names_values_with_words_a_person_reads(invoke: Invoke, command: str) -> None:
    text = invoke(*([command] if command else []), "--help").stdout
    for word in ("INTEGER", "FLOAT", "RANGE", "BOOLEAN", "x>=", "<", "{"):
        assert word not in text, f"watchbook {command} --help shows {word!r}"
    root = group()
    params = root.commands[command].params if command else root.params
    for param in params:
        if isinstance(param, click.Option) and param.is_flag:
            continue
        metavar = param.make_metavar(click.Context(root)).strip("[].")
        assert metavar in HELP_WORDS, f"watchbook {command}: {param.name} shows {metavar}"
