"""Start-up cost: `--help` loads no heavy module, and common commands never import pydantic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Invoke

HEAVY = (
    "rich",
    "rapidfuzz",
    "sqlite3",
    "tomli_w",
    "tomllib",
    "slugify",
    "platformdirs",
    "filelock",
    "defusedxml",
    "pydantic",
    "markdown_it",
    "csv",
    "zipfile",
)

PROBE = """
import contextlib, io, json, sys
import typer
before = set(sys.modules)
from watchbook.cli import app
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        app(["--help"], prog_name="watchbook")
    except SystemExit:
        pass
print(json.dumps({"help": out.getvalue(), "loaded": sorted(set(sys.modules) - before)}))
"""


def test_help_loads_no_heavy_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    assert "Commands" in report["help"] and "add" in report["help"]
    heavy = [m for m in report["loaded"] if m.split(".")[0] in HEAVY]
    assert heavy == [], f"--help imported {heavy}; import them inside the commands that need them"


# Runs the app in this process the way the console script does, then reports what it loaded.
RUN_PROBE = """
import json, sys
sys.argv = ["watchbook", *json.loads(sys.argv[1])]
{prepare}
from watchbook.cli import app
try:
    app(prog_name="watchbook")
    code = 0
except SystemExit as exc:
    code = exc.code
print(json.dumps({{"code": code, "pydantic": "pydantic" in sys.modules}}), file=sys.stderr)
"""


def run_probe(args: list[str], prepare: str = "") -> dict[str, object]:
    """Run watchbook ARGS in a fresh interpreter; return its exit code and whether pydantic loaded."""
    result = subprocess.run(
        [sys.executable, "-c", RUN_PROBE.format(prepare=prepare), json.dumps(args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=True,
    )
    report: dict[str, object] = json.loads(result.stderr.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize(
    "args",
    [
        ["where"],
        ["--journal", "elsewhere", "where"],
        ["search", "blame", "--limit", "3", "--min-score", "5.5"],
        ["list", "--limit", "2", "--year", "2017", "--tag", "anime"],
        ["show", "blame"],
        ["recommend", "blame", "-n", "2"],
        ["stats", "--year", "2017"],
        ["add", "A New Film", "--year", "2020", "--score", "7", "--tag", "a", "--tag", "b"],
        ["init", "elsewhere"],
    ],
)
def test_common_commands_do_not_import_pydantic(sample_journal: Path, args: list[str]) -> None:
    report = run_probe(args)
    assert report == {"code": 0, "pydantic": False}


def test_when_typer_internals_change_typers_own_conversion_is_used(sample_journal: Path) -> None:
    # Without the class watchbook builds on, the plain conversion is not installed at all.
    report = run_probe(
        ["list", "--limit", "1"], prepare="import typer._coercion as c; del c.RuntimeParam"
    )
    assert report == {"code": 0, "pydantic": True}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--year", "soon"], "Invalid value for '--year' / '-y': Input should be a valid integer"),
        (["list", "--limit", "0"], "Invalid value for '--limit' / '-n': Input should be greater than or equal to 1"),
        (["recommend", "--limit", "-2"], "Invalid value for '--limit' / '-n': Input should be greater than or equal to 1"),
        (["search", "x", "--limit", "2x"], "Invalid value for '--limit' / '-n': Input should be a valid integer"),
        (["list", "--min-score", "high"], "Invalid value for '--min-score': Input should be a valid number"),
    ],
)  # fmt: skip
def test_bad_numbers_are_usage_errors_with_typers_message(
    invoke: Invoke, sample_journal: Path, args: list[str], message: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_a_bad_score_is_still_a_one_line_error(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("add", "X", "--score", "abc")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: score: must be a number from 0 to 10")
    assert not journal_dir.exists() or not list(journal_dir.glob("*.toml"))


def test_numbers_are_read_as_typer_reads_them(invoke: Invoke, sample_journal: Path) -> None:
    everything = invoke("list", "--json")
    entries = json.loads(everything.stdout)
    year = next(e["year"] for e in entries if e["year"])
    expected = sorted(e["slug"] for e in entries if e["year"] == year)
    # Spellings Typer accepts for an int, including the ones only its own converter handles.
    for spelling in (str(year), f"+{year}", f" {year} ", f"{year}.0"):
        result = invoke("list", "--year", spelling, "--json")
        assert result.exit_code == 0, (spelling, result.stderr)
        assert sorted(e["slug"] for e in json.loads(result.stdout)) == expected
    scores = sorted(e["score"] for e in entries if e["score"] is not None)
    threshold = scores[len(scores) // 2]
    result = invoke("list", "--min-score", f"{threshold:.1f}", "--json")
    assert {e["slug"] for e in json.loads(result.stdout)} == {
        e["slug"] for e in entries if e["score"] is not None and e["score"] >= threshold
    }
    limited = invoke("list", "--limit", "2")
    assert len(limited.stdout.splitlines()) == 2


def test_a_command_line_builds_only_the_command_it_runs() -> None:
    import typer.main
    from typer.core import TyperCommand

    from watchbook.cli import COMMAND_ORDER, app

    group = typer.main.get_command(app)
    ctx = group.make_context("watchbook", ["where"], resilient_parsing=True)

    def built() -> list[str]:
        # Peeks past the mapping's own lookups, which would build what they return.
        return [
            name for name, value in dict.items(group.commands) if isinstance(value, TyperCommand)
        ]

    assert built() == []
    assert group.list_commands(ctx)[: len(COMMAND_ORDER)] == list(COMMAND_ORDER)
    assert built() == []
    search = group.get_command(ctx, "search")
    assert isinstance(search, TyperCommand) and search.name == "search"
    assert group.get_command(ctx, "search") is search
    assert built() == ["search"]
    assert group.get_command(ctx, "serch") is None
    assert {command.name for command in group.commands.values()} == set(COMMAND_ORDER)
    assert len(built()) == len(COMMAND_ORDER)


def test_only_on_demand_groups_defer_their_commands() -> None:
    import typer
    import typer.main
    from typer.core import TyperCommand

    from watchbook.cli_typer import OnDemandGroup

    outer = typer.Typer(cls=OnDemandGroup)
    inner = typer.Typer()

    @outer.command()
    def first() -> None:
        """One."""

    @inner.command()
    def second() -> None:
        """Two."""

    @inner.command()
    def third() -> None:
        """Three."""

    outer.add_typer(inner, name="inner")
    group = typer.main.get_command(outer)
    assert not isinstance(dict.get(group.commands, "first"), TyperCommand)
    plain = dict.get(group.commands, "inner")
    assert {name: type(c) for name, c in dict.items(plain.commands)} == {
        "second": TyperCommand,
        "third": TyperCommand,
    }
    assert isinstance(group.commands["first"], TyperCommand)
