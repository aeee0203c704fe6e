"""What the importer tests share: a CLI runner, no fsync, and an export imported once per module.

Each importer's tests run in two layers: the project's own export under tests/fixtures/, and
the real one in ../shared/fixtures/ when it is there (`real_exports` skips otherwise).
`two_layers()` makes the four fixtures a test module needs for that.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from typer.testing import CliRunner, Result

from watchbook.cli.app import app
from watchbook.entry import Entry
from watchbook.journal import Journal

Entries = TypeVar("Entries")


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True, scope="module")
def no_fsync() -> Iterator[None]:
    """Durability is the journal's tests' business; here fsync would only cost seconds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


def entries_of(folder: Path) -> list[Entry]:
    """Every entry of a journal, which must all read back."""
    loaded = Journal(folder).load_all()
    assert loaded.problems == []
    return loaded.entries


@dataclass
class Imported(Generic[Entries]):
    """An export imported once into an empty journal (shared by a module's tests: read only)."""

    export: Path
    folder: Path
    report: dict[str, Any]
    entries: Entries


def import_once(
    source: str, export: Path, folder: Path, arrange: Callable[[list[Entry]], Entries]
) -> Imported[Entries]:
    """Import an export into a new journal with `import SOURCE --json`; entries as arranged."""
    result = run("-j", str(folder), "import", source, str(export), "--json")
    assert result.exit_code == 0, result.stderr
    return Imported(export, folder, json.loads(result.stdout), arrange(entries_of(folder)))


def two_layers(
    project: Path, real: str, import_one: Callable[[Path, Path], Imported[Any]]
) -> tuple[Any, Any, Any, Any]:
    """Fixtures project_import, real_import, imported (each layer) and export (each file).

    `real` is the export's path under ../shared/fixtures/.
    """

    @pytest.fixture(scope="module")
    def project_import(tmp_path_factory: pytest.TempPathFactory) -> Imported[Any]:
        return import_one(project, tmp_path_factory.mktemp("import") / "journal")

    @pytest.fixture(scope="module")
    def real_import(tmp_path_factory: pytest.TempPathFactory, real_exports: Path) -> Imported[Any]:
        return import_one(real_exports / real, tmp_path_factory.mktemp("import") / "journal")

    @pytest.fixture(scope="module", params=["project", "real"])
    def imported(request: pytest.FixtureRequest) -> Imported[Any]:
        """Each export imported once: the project's own, and the real one when it is there."""
        return request.getfixturevalue(f"{request.param}_import")  # type: ignore[no-any-return]

    @pytest.fixture(params=["project", "real"])
    def export(request: pytest.FixtureRequest) -> Path:
        """Each export: the project's own, and the real one when it is there."""
        if request.param == "real":
            return request.getfixturevalue("real_exports") / real  # type: ignore[no-any-return]
        return project

    return project_import, real_import, imported, export


def imported_report(invoke: Callable[..., Result], service: str, path: Path) -> Any:
    """`watchbook import SERVICE PATH --json`, which must succeed: its report."""
    result = invoke("import", service, str(path), "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)
