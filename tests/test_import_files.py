"""The reading layer every importer shares (importers/files.py): zips, text encodings, CSV records.

Each service's own tests cover its fields; these cover what happens before a field is read:
a damaged zip, a zip made again on macOS, a file in two encodings, a quote left open. The
exports are the small ones in tests/fixtures/files (its README lists them).
"""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import pytest
from typer.testing import Result

from tests.conftest import FIXTURES, Invoke
from tests.importing import entries_of, imported_report
from tests.importing import no_fsync as no_fsync
from watchbook.errors import UnreadableImport
from watchbook.importers import files
from watchbook.importers.files import CsvProblem, CsvRow, Source, decode_text, read_csv

HERE = FIXTURES / "files"
DIARY = HERE / "utf-8" / "diary.csv"


def one_line_error(result: Result) -> str:
    """The single `Error: ...` line a refused import prints; nothing on stdout."""
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def titles(journal: Path) -> list[str]:
    return sorted(entry.title for entry in entries_of(journal))


# --- damaged zips ------------------------------------------------------------------------------


def member_data_offset(archive: Path, name: str) -> int:
    """Where a member's compressed bytes start (after its local header)."""
    with zipfile.ZipFile(archive) as handle:
        info = handle.getinfo(name)
    raw = archive.read_bytes()
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26 :][:4])
    return info.header_offset + 30 + name_length + extra_length


def patched(archive: Path, offset: int, data: bytes) -> Path:
    raw = bytearray(archive.read_bytes())
    raw[offset : offset + len(data)] = data
    archive.write_bytes(bytes(raw))
    return archive


def central_entry(archive: Path) -> int:
    """Where the (only) central directory record starts."""
    return archive.read_bytes().rindex(b"PK\x01\x02")


def damaged(kind: str, path: Path, name: str, data: bytes) -> Path:
    """A zip holding one member, damaged the way `kind` says."""
    method = {
        "deflate": zipfile.ZIP_DEFLATED,
        "bzip2": zipfile.ZIP_BZIP2,
        "lzma": zipfile.ZIP_LZMA,
    }.get(kind, zipfile.ZIP_STORED)
    with zipfile.ZipFile(path, "w", method) as handle:
        handle.writestr(name, data)
    start = member_data_offset(path, name)
    if kind == "deflate":
        # Block type 3 does not exist: zlib stops with "invalid block type".
        return patched(path, start, b"\xff")
    if kind == "bzip2":
        return patched(path, start + 10, b"\x00" * 8)
    if kind == "lzma":
        # After zipfile's 4-byte header and the 5 bytes of properties, the range coder's
        # first byte must be 0.
        return patched(path, start + 9, b"\xff" * 8)
    if kind == "cut short":
        # The sizes say more than the archive holds: the read runs into its end.
        sizes = struct.pack("<II", 60_000, 60_000)
        return patched(path, central_entry(path) + 20, sizes)
    # "future version": made by a zip version this Python cannot read.
    return patched(path, central_entry(path) + 6, struct.pack("<H", 99))


@pytest.mark.parametrize("kind", ["deflate", "bzip2", "lzma", "cut short", "future version"])
def test_a_damaged_zip_is_unreadable_import_not_a_crash(tmp_path: Path, kind: str) -> None:
    archive = damaged(kind, tmp_path / "export.zip", "diary.csv", DIARY.read_bytes() * 20)
    with pytest.raises(UnreadableImport) as caught:
        files.read_zip(archive, ["diary.csv"])
    assert "export.zip" in str(caught.value)


@pytest.mark.parametrize(
    ("service", "member", "fixture"),
    [
        ("letterboxd", "letterboxd-someone/diary.csv", DIARY),
        ("trakt", "watched-history.json", HERE / "trakt" / "watched-history.json"),
        ("imdb", "ratings.csv", DIARY),
    ],
)
def test_a_zip_whose_data_does_not_decompress_exits_2_in_one_line(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, service: str, member: str, fixture: Path
) -> None:
    # zlib.error escaped as a traceback with exit 1; a damaged download is unreadable input.
    archive = damaged("deflate", tmp_path / "corrupt.zip", member, fixture.read_bytes())
    result = invoke("import", service, str(archive))
    assert result.exit_code == 2
    error = one_line_error(result)
    assert f"corrupt.zip: {member}: cannot be read" in error and "decompressing" in error
    assert not journal_dir.exists()


# --- zips made again on macOS ------------------------------------------------------------------

# What macOS's "Compress" adds beside a folder: an AppleDouble file of resource data for each
# file (under __MACOSX/, named ._<file>) and the Finder's .DS_Store.
APPLE_DOUBLE = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 40


def mac_zip(path: Path, folder: str, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr(f"{folder}/", b"")
        for name, data in members.items():
            handle.writestr(f"{folder}/{name}", data)
        handle.writestr(f"{folder}/.DS_Store", b"\x00\x00\x00\x01Bud1" + b"\x00" * 32)
        handle.writestr("__MACOSX/", b"")
        handle.writestr(f"__MACOSX/{folder}/", b"")
        handle.writestr(f"__MACOSX/._{folder}", APPLE_DOUBLE)
        for name in members:
            handle.writestr(f"__MACOSX/{folder}/._{name}", APPLE_DOUBLE)
    return path


def test_a_letterboxd_zip_made_again_on_macos_imports_like_its_folder(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    # __MACOSX/ beside the export's folder made it look like two folders: "not an export".
    archive = mac_zip(
        tmp_path / "letterboxd-someone.zip", "letterboxd-someone", {"diary.csv": DIARY.read_bytes()}
    )
    report = imported_report(invoke, "letterboxd", archive)
    assert report["rows"] == {"diary.csv": 11} and report["skipped"] == 0
    assert report["notes"] == []
    assert titles(journal_dir) == sorted(
        {"Le Samouraï", "Amélie", "Mädchen in Uniform", "Cube²: Hypercube", "Jaws", "Paterson"}
        | {"Léon: The Professional", "Heat", "Das Boot", "Die Hard"}
    )


def test_a_trakt_zip_made_again_on_macos_imports_like_its_folder(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    history = (HERE / "trakt" / "watched-history.json").read_bytes()
    archive = mac_zip(tmp_path / "trakt.zip", "trakt-export", {"watched-history.json": history})
    report = imported_report(invoke, "trakt", archive)
    assert report["rows"] == {"watched-history.json": 2} and report["notes"] == []
    assert titles(journal_dir) == ["Heat", "Le Samouraï"]


def test_hidden_members_never_decide_where_the_export_is(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("export/diary.csv", DIARY.read_bytes())
        # At the top level, a hidden file would otherwise count as a second place to look.
        handle.writestr(".DS_Store", b"Bud1")
        handle.writestr("._export", APPLE_DOUBLE)
        handle.writestr("export/._diary.csv", APPLE_DOUBLE)
    contents = files.read_zip(archive, ["diary.csv", "watched.csv"])
    assert list(contents.members) == ["diary.csv"] and contents.ignored == []
    assert contents.members["diary.csv"].data == DIARY.read_bytes()


# --- text in two encodings ---------------------------------------------------------------------


def test_a_utf8_file_with_one_windows_1252_line_is_refused_naming_the_line(
    invoke: Invoke, journal_dir: Path
) -> None:
    # It was read as Windows-1252 as a whole: every accented title became mojibake
    # (Le SamouraÃ¯), a duplicate of the right one.
    result = invoke("import", "letterboxd", str(HERE / "mixed-encoding"))
    assert result.exit_code == 2
    error = one_line_error(result)
    assert error.startswith("Error: diary.csv: line 13: is not UTF-8 text (byte 0xe9)")
    assert "line 2" in error  # where the file is UTF-8
    assert not journal_dir.exists()


def test_utf8_lines_after_the_windows_1252_one_still_show_the_file_is_utf8() -> None:
    samourai = "Le Samouraï"
    data = DIARY.read_bytes().replace(samourai.encode(), samourai.encode("cp1252"))
    with pytest.raises(UnreadableImport) as caught:
        decode_text(Source("diary.csv", data))
    assert str(caught.value) == (
        "diary.csv: line 2: is not UTF-8 text (byte 0xef), but line 3 is, so the file mixes "
        "two encodings; retype that line as UTF-8 and import again"
    )


def test_several_bad_lines_are_counted_and_a_bom_is_utf8_enough() -> None:
    data = "Name\nCafé\nNaïve\nPlain\n".encode("cp1252")
    with pytest.raises(UnreadableImport) as caught:
        decode_text(Source("watched.csv", b"\xef\xbb\xbf" + data))
    assert str(caught.value).startswith("watched.csv: line 2: is not UTF-8 text (byte 0xe9)")
    assert "and 1 more line" in str(caught.value)


def test_a_file_wholly_in_windows_1252_is_still_read_as_such(
    invoke: Invoke, journal_dir: Path
) -> None:
    result = invoke("import", "letterboxd", str(HERE / "windows-1252"), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["notes"] == [
        "diary.csv is not UTF-8 (first at line 2); read it as Windows-1252 (Latin-1)"
    ]
    assert {"Le Samouraï", "Cube²: Hypercube", "Mädchen in Uniform", "Café Society"} <= set(
        titles(journal_dir)
    )


# --- quotes left open --------------------------------------------------------------------------


def test_an_unclosed_quote_costs_its_own_line_only(invoke: Invoke, journal_dir: Path) -> None:
    # The open quote on line 5 ran on to the next quote (line 10): six viewings vanished
    # into one record reported as "has 4 cells".
    result = invoke("import", "letterboxd", str(HERE / "unclosed-quote"), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    skipped = {row["where"]: row["reason"] for row in report["skipped_rows"]}
    assert list(skipped) == ["diary.csv line 5", "reviews.csv line 7"]
    assert "quote" in skipped["diary.csv line 5"]
    assert report["rows"] == {"diary.csv": 11, "reviews.csv": 5}
    entries = {entry.title: entry for entry in entries_of(journal_dir)}
    assert sorted(entries) == sorted(
        {"Alien", "Le Samouraï", "Back to the Future", "Goodfellas", "Reservoir Dogs"}
        | {"Jurassic Park", "Amélie", "Blade Runner", "Heat", "Die Hard", "Paterson"}
    )
    assert entries["Blade Runner"].tags == ["final-cut", "blu-ray"]
    # Multi-line reviews around the broken row keep their line breaks.
    reviews = {title: (entry.review or "").strip() for title, entry in entries.items()}
    assert reviews["Heat"] == (
        "The coffee shop scene:\ntwo men being honest with each other for ten minutes."
    )
    assert reviews["Paterson"] == (
        "A week of a bus driver's poems.\n\nEvery day looks the same, and none of them is."
    )
    assert reviews["Le Samouraï"] == (
        'Second time. The "silent" first ten minutes\nstill say everything.'
    )


def lines_of(rows: list[CsvRow | CsvProblem]) -> list[tuple[int, str]]:
    return [(row.line, row.get("Name") if isinstance(row, CsvRow) else "problem") for row in rows]


def test_read_csv_resumes_after_an_open_quote_that_runs_to_the_end() -> None:
    text = (
        "Name,Year,Review\n"
        "Alien,1979,fine\n"
        'Heat,1995,"two\nlines"\n'
        '"Jaws,1975,oops\n'
        "Die Hard,1988,\n"
        "Amélie,2001,last\n"
    )
    header, rows = read_csv(text, "reviews.csv", ["Name"])
    assert header == ["Name", "Year", "Review"]
    assert lines_of(rows) == [
        (2, "Alien"),
        (3, "Heat"),
        (5, "problem"),
        (6, "Die Hard"),
        (7, "Amélie"),
    ]
    assert isinstance(rows[1], CsvRow) and rows[1].get("Review") == "two\nlines"
    problem = rows[2]
    assert isinstance(problem, CsvProblem)
    assert "quote" in problem.reason and "line 7" in problem.reason


def test_read_csv_keeps_a_single_line_with_too_many_cells_as_it_was() -> None:
    text = "Name,Year\nAlien,1979,extra\nHeat,1995\n"
    _, rows = read_csv(text, "watched.csv", ["Name"])
    assert lines_of(rows) == [(2, "problem"), (3, "Heat")]
    assert isinstance(rows[0], CsvProblem)
    assert rows[0].reason == "has 3 cells where the header has 2"


def test_read_csv_counts_lines_of_every_line_end() -> None:
    text = 'Name,Review\r\nAlien,"a\r\nb"\r\n"Heat,x\rDie Hard,y\rJaws,z\r\n'
    _, rows = read_csv(text, "reviews.csv", ["Name"])
    assert lines_of(rows) == [(2, "Alien"), (4, "problem"), (5, "Die Hard"), (6, "Jaws")]
