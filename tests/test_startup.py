"""`watchbook --help` must cost about what importing typer costs: no heavy module loads for it."""

from __future__ import annotations

import json
import subprocess
import sys

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
