"""Start-up: `--help` loads no heavy module, commands load only what they use, public APIs only."""

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
from watchbook.cli.app import app
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
from watchbook.cli.app import app
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


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--year", "soon"], "Error: --year: must be a whole number (got 'soon')\n"),
        (["list", "--limit", "0"], "Error: --limit: must be at least 1 (got 0)\n"),
        (["recommend", "--limit", "-2"], "Error: --limit: must be at least 1 (got -2)\n"),
        (["search", "x", "--limit", "2x"], "Error: --limit: must be a whole number (got '2x')\n"),
        (["list", "--min-score", "high"], "Error: --min-score: must be a number from 0 to 10 (got 'high')\n"),
    ],
)  # fmt: skip
def test_bad_numbers_are_usage_errors(
    invoke: Invoke, sample_journal: Path, args: list[str], message: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_a_bad_score_is_still_a_one_line_error(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("add", "X", "--score", "abc")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --score: must be a number from 0 to 10")
    assert not journal_dir.exists() or not list(journal_dir.glob("*.toml"))


def test_numbers_are_read_as_click_reads_them(invoke: Invoke, sample_journal: Path) -> None:
    everything = invoke("list", "--json")
    entries = json.loads(everything.stdout)
    year = next(e["year"] for e in entries if e["year"])
    expected = sorted(e["slug"] for e in entries if e["year"] == year)
    for spelling in (str(year), f"+{year}", f" {year} "):
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


def test_every_command_is_registered_once_in_the_documented_order() -> None:
    import typer.main

    from watchbook.cli.app import COMMAND_ORDER, app

    group = typer.main.get_command(app)
    ctx = group.make_context("watchbook", ["where"], resilient_parsing=True)
    names = group.list_commands(ctx)
    assert names[: len(COMMAND_ORDER)] == list(COMMAND_ORDER)
    assert len(names) == len(set(names))


def test_only_public_typer_and_click_names_are_used() -> None:
    # Typer's and Click's private modules change without notice; watchbook stays off them.
    import re

    source = Path(__file__).resolve().parents[1] / "src" / "watchbook"
    private = re.compile(r"^\s*(?:from|import)\s+(?:typer|click)(?:\.\w+)*\._\w*", re.M)
    used = [
        f"{path.relative_to(source)}: {match.group(0).strip()}"
        for path in sorted(source.rglob("*.py"))
        for match in private.finditer(path.read_text(encoding="utf-8"))
    ]
    assert used == []
