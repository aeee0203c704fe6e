"""export's folder rules: never outside --out, a stranger's folder refused, stale pages removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.test_export import hrefs, parse, write
from watchbook.entry import Entry, Link
from watchbook.export.output import MARKER, SAFE_NAME


def tree(root: Path, skip: tuple[Path, ...]) -> dict[str, bytes | str]:
    """Every file and link under root (bytes, or the link target), except under `skip`."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        if any(path == s or s in path.parents for s in skip):
            continue
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
        else:
            found[key] = "<dir>"
    return found


def test_nothing_is_written_outside_out_whatever_the_names(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    evil = Entry("../../evil", "x", 2001, "movie", score=5, tags=["../../tag"])
    evil.links = [Link("../../../etc/passwd", "a link out"), Link("odd-name", "hand made")]
    write(journal_dir, evil, name="evil-2001")
    # Hand-made files whose names are not slugs watchbook would make.
    odd = {
        "Evil Twin": Entry("Evil Twin"),
        "index": Entry("Index of Things"),
        "CON": Entry("Con"),
        "%2e%2e%2fup": Entry("Encoded"),
        "a\\b": Entry("Backslash"),
        "東京": Entry("Tokyo"),
        "odd-name": Entry("Odd"),
    }
    for name, entry in odd.items():
        write(journal_dir, entry, name=name)
    out = tmp_path / "site" / "out"
    before = tree(tmp_path, skip=(out, journal_dir / ".watchbook"))
    result = invoke("export", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    after = tree(tmp_path, skip=(out, journal_dir / ".watchbook"))
    # The one thing made outside --out is the folder holding it (like mkdir -p).
    assert after.pop("site") == "<dir>"
    assert after == before
    names = sorted(p.name for p in out.iterdir())
    assert all(p.is_file() and not p.is_symlink() for p in out.iterdir())
    assert all(SAFE_NAME.match(n) for n in names if n != MARKER)
    assert len(names) == len(odd) + 1 + 2  # entries, evil, index.md, marker
    # The hand-made slug 'index' did not take the index page.
    assert parse((out / "index.md").read_text(encoding="utf-8"))[0].type == "heading_open"
    assert "# Watch journal" in (out / "index.md").read_text(encoding="utf-8")
    for page in out.glob("*.md"):
        for href in hrefs(parse(page.read_text(encoding="utf-8"))):
            assert (out / href).is_file() and (out / href).parent == out
    evil_page = (out / "evil-2001.md").read_text(encoding="utf-8")
    assert "../../../etc/passwd (not in this journal)" in evil_page.replace("\\", "")
    assert "[Odd](" in evil_page  # the hand-made file's entry is linked under its safe name


def test_a_link_in_the_folder_is_replaced_not_followed(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert invoke("export", "--out", str(out)).exit_code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / "blame-2017.md").unlink()
    (out / "blame-2017.md").symlink_to(victim)
    assert invoke("export", "--out", str(out)).exit_code == 0
    assert victim.read_text() == "keep me"
    assert not (out / "blame-2017.md").is_symlink()
    assert (out / "blame-2017.md").read_text(encoding="utf-8").startswith("# Blame!")


def test_a_foreign_non_empty_folder_is_refused(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("mine")
    (out / "blame-2017.md").write_text("my own draft")
    before = tree(out, skip=())
    result = invoke("export", "--out", str(out))
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ")
    assert "not empty" in result.stderr and "--force" in result.stderr
    assert result.stdout == ""
    assert tree(out, skip=()) == before


def test_force_writes_into_it_and_later_removes_only_its_own_pages(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("mine")
    (out / "old-entry.md").write_text("an old page someone else wrote")
    result = invoke("export", "--out", str(out), "--force")
    assert result.exit_code == 0, result.stderr
    assert (out / MARKER).is_file() and (out / "blame-2017.md").is_file()
    (sample_journal / "blame-2017.toml").unlink()
    result = invoke("export", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert not (out / "blame-2017.md").exists()
    assert "1 stale removed" in result.stderr
    assert (out / "todo.txt").read_text() == "mine"
    assert (out / "old-entry.md").exists()
    assert "blame-2017.md" not in hrefs(parse((out / "index.md").read_text(encoding="utf-8")))


def test_stale_pages_go_only_from_a_folder_it_made(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert invoke("export", "--out", str(out)).exit_code == 0
    (out / "about.md").write_text("my own page beside the export")
    outside = tmp_path / "outside.md"
    outside.write_text("not listed anywhere safe")
    # A marker edited to list paths outside the folder lists nothing that can be removed.
    marker = (out / MARKER).read_text(encoding="utf-8")
    (out / MARKER).write_text(marker + "../outside.md\n/etc/hostname\n", encoding="utf-8")
    (sample_journal / "the-matrix-1999.toml").unlink()
    assert invoke("export", "--out", str(out)).exit_code == 0
    assert not (out / "the-matrix-1999.md").exists()
    assert (out / "about.md").exists() and outside.exists()
    assert "../outside.md" not in (out / MARKER).read_text(encoding="utf-8")


def test_each_format_keeps_its_own_files(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    for args in ([], ["--format", "json"], ["--format", "csv"]):
        assert invoke("export", "--out", str(out), *args).exit_code == 0
    names = {p.name for p in out.iterdir()}
    assert {"index.md", "blame-2017.md", "watchbook.json", "letterboxd.csv"} <= names
    # Switching Markdown to one document replaces the pages, and only them.
    assert invoke("export", "--out", str(out), "--single-file").exit_code == 0
    names = {p.name for p in out.iterdir()}
    assert {"watchbook.md", "watchbook.json", "letterboxd.csv", MARKER} == names


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "yaml"], "--format"),
        (["--format", "json", "--single-file"], "--single-file"),
        (["--format", "csv", "--front-matter"], "--front-matter"),
        (["--out", "-"], "'-' works only for one document"),
    ],
)
def test_bad_flags_exit_2_and_write_nothing(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = invoke("export", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (tmp_path / "export").exists()


def test_out_that_is_a_file_is_refused(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    target = tmp_path / "export"
    target.write_text("a file")
    result = invoke("export", "--out", str(target))
    assert result.exit_code == 2
    assert "not a folder" in result.stderr
    assert target.read_text() == "a file"


def test_leftover_temporary_files_are_cleaned_from_its_own_folder(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    assert invoke("export", "--out", str(out)).exit_code == 0
    (out / ".index.md.abc123.tmp").write_text("half a page from a killed export")
    assert invoke("export", "--out", str(out)).exit_code == 0
    assert not any(p.name.endswith(".tmp") for p in out.iterdir())


def test_a_first_export_killed_before_its_marker_still_owns_the_folder(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    # What a first export killed between writing the marker's temporary file and renaming it
    # leaves behind; any other hidden temporary-looking file does not make a folder ours.
    (out / f".{MARKER}.4242abcd.tmp").write_text("# half a marker")
    assert invoke("export", "--out", str(out)).exit_code == 0
    assert not any(p.name.endswith(".tmp") for p in out.iterdir())
    assert (out / MARKER).is_file() and (out / "index.md").is_file()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / ".notes.md.4242abcd.tmp").write_text("someone else's")
    assert invoke("export", "--out", str(foreign)).exit_code == 3
    assert [p.name for p in foreign.iterdir()] == [".notes.md.4242abcd.tmp"]
