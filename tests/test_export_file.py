"""`export --out FILE`: a one-file export written at the name given, with the folder's care."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import Invoke


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["--format", "json"], "journal.json"),
        (["--format", "csv"], "diary.CSV"),
        (["--single-file"], "notes.md"),
        (["--single-file", "--front-matter"], "notes.md"),
    ],
)
def test_an_out_ending_in_the_extension_is_the_file_itself(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, args: list[str], name: str
) -> None:
    target = tmp_path / "site" / name
    result = invoke("export", *args, "--out", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.is_file()
    assert sorted(p.name for p in target.parent.iterdir()) == [name]
    assert str(target) in result.stderr
    again = invoke("export", *args, "--out", str(target))
    assert again.exit_code == 0 and "(0 changed)" in again.stderr


def test_the_file_holds_the_same_export_as_stdout(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    invoke("export", "--format", "json", "--out", str(tmp_path / "journal.json"))
    printed = invoke("export", "--format", "json", "--out", "-").stdout
    assert (tmp_path / "journal.json").read_text(encoding="utf-8") == printed
    assert len(json.loads(printed)["entries"]) == len(list(sample_journal.glob("*.toml")))
    invoke("export", "--format", "csv", "--out", str(tmp_path / "diary.csv"))
    with (tmp_path / "diary.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle))[:3] == ["Title", "Year", "Rating10"]


def test_an_existing_file_is_the_target_whatever_its_name(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    target = tmp_path / "journal-export"
    first = invoke("export", "--format", "json", "--out", str(tmp_path / "journal.json"))
    assert first.exit_code == 0
    target.write_bytes((tmp_path / "journal.json").read_bytes())
    again = invoke("export", "--format", "json", "--out", str(target))
    assert again.exit_code == 0 and target.is_file()


def test_a_file_watchbook_did_not_write_is_replaced_only_with_force(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    target = tmp_path / "notes.json"
    target.write_text('{"mine": true}\n', encoding="utf-8")
    refused = invoke("export", "--format", "json", "--out", str(target))
    assert refused.exit_code == 3
    assert "--force" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert target.read_text(encoding="utf-8") == '{"mine": true}\n'
    forced = invoke("export", "--format", "json", "--out", str(target), "--force")
    assert forced.exit_code == 0
    assert "entries" in json.loads(target.read_text(encoding="utf-8"))


def test_a_link_at_out_is_refused(invoke: Invoke, sample_journal: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("keep\n", encoding="utf-8")
    (tmp_path / "journal.json").symlink_to(elsewhere)
    result = invoke("export", "--format", "json", "--out", str(tmp_path / "journal.json"))
    assert result.exit_code == 2
    assert elsewhere.read_text(encoding="utf-8") == "keep\n"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ([], "notes.md"),
        ([], "journal.json"),
        (["--format", "csv"], "journal.json"),
        (["--format", "json"], "diary.csv"),
    ],
)
def test_an_extension_that_does_not_fit_the_format_is_refused(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, args: list[str], name: str
) -> None:
    result = invoke("export", *args, "--out", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --out: ") and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / name).exists()


def test_pages_and_folders_keep_the_folder_form(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    pages = invoke("export", "--out", str(tmp_path / "site"))
    assert pages.exit_code == 0 and (tmp_path / "site" / "index.md").is_file()
    folder = tmp_path / "data.json"
    folder.mkdir()
    inside = invoke("export", "--format", "json", "--out", str(folder))
    assert inside.exit_code == 0 and (folder / "watchbook.json").is_file()


@pytest.mark.parametrize("name", ["site.json", "site.md", "x.csv", "SITE.JSON"])
def test_the_html_site_with_a_file_name_is_refused(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, name: str
) -> None:
    result = invoke("export", "--format", "html", "--out", str(tmp_path / name))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --out: ") and len(result.stderr.splitlines()) == 1
    assert "the HTML site goes into a folder" in result.stderr
    assert result.stdout == ""
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("fmt", ["csv", "json", "html"])
def test_a_md_name_with_another_format_points_to_the_single_file(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, fmt: str
) -> None:
    # --single-file alone would be refused with these formats.
    result = invoke("export", "--format", fmt, "--out", str(tmp_path / "notes.md"))
    assert result.exit_code == 2
    assert "(add --format markdown --single-file, or change --out)" in result.stderr
