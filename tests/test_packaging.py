"""Packaging: metadata current build tools read without complaint, and a quiet `make demo`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib

import pytest

from tests.conftest import ROOT


def test_the_license_is_an_spdx_expression_for_a_setuptools_that_reads_it() -> None:
    # A `{ text = "MIT" }` table makes setuptools 77 and later print a deprecation block on
    # every install, `make demo` included.
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["license"] == "MIT"
    assert (ROOT / meta["project"]["license-files"][0]).is_file()
    (setuptools,) = [r for r in meta["build-system"]["requires"] if r.startswith("setuptools")]
    match = re.fullmatch(r"setuptools>=(\d+)", setuptools)
    assert match and int(match.group(1)) >= 77


@pytest.mark.skipif(
    os.environ.get("WATCHBOOK_SLOW", "") in ("", "0") or shutil.which("make") is None,
    reason="installs into a fresh clone (minutes); run with WATCHBOOK_SLOW=1",
)
def test_make_demo_on_a_fresh_clone_prints_only_what_a_newcomer_reads(tmp_path: object) -> None:
    clone = f"{tmp_path}/clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), clone], check=True)
    result = subprocess.run(
        ["make", "--no-print-directory", "demo"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    text = result.stdout + result.stderr
    assert not re.search(r"warning|deprecat|!!", text, re.I), text
    assert text.startswith("Setting up .venv")
    assert "$ watchbook list" in text and "Exported " in text
