"""`watchbook import imdb` against the real ratings export in ../shared/fixtures/imdb."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import FIXTURES, Invoke
from watchbook.cli.app import app
from watchbook.entry import Entry
from watchbook.journal import Journal

EXPORT = FIXTURES / "imdb" / "ratings.csv"
# IMDb's 2021 export is Windows-1252 (Latin-1), not UTF-8.
ENCODING = "cp1252"


@pytest.fixture(autouse=True, scope="module")
def no_fsync() -> Iterator[None]:
    """Durability is the journal's tests' business; here fsync would only cost seconds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


def rows() -> list[dict[str, str]]:
    text = EXPORT.read_bytes().decode(ENCODING)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def row(const: str) -> dict[str, str]:
    (found,) = [r for r in rows() if r["Const"] == const]
    return found


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def imported(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, Any], dict[str, Entry]]:
    """The export imported once into an empty journal; entries by IMDb id."""
    folder = tmp_path_factory.mktemp("imdb") / "journal"
    result = run("-j", str(folder), "import", "imdb", str(EXPORT), "--json")
    assert result.exit_code == 0, result.stderr
    loaded = Journal(folder).load_all()
    assert loaded.problems == []
    return folder, json.loads(result.stdout), {e.ids["imdb"]: e for e in loaded.entries}


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


def test_every_rating_is_one_entry_with_its_viewing(
    imported: tuple[Path, dict[str, Any], dict[str, Entry]],
) -> None:
    _, report, entries = imported
    data = rows()
    assert report["created"] == len(data) == len(entries) and report["skipped"] == 0
    assert report["read"]["viewings"] == sum(1 for r in data if r["Date Rated"])
    assert any("Windows-1252" in note for note in report["notes"])
    for r in data:
        entry = entries[r["Const"]]
        assert entry.title == r["Title"] and entry.year == int(r["Year"])
        assert entry.score == int(r["Your Rating"]) and entry.status == "watched"
        assert entry.watched == [dt.date.fromisoformat(r["Date Rated"])]
        assert entry.creators == split(r["Directors"])
        assert entry.tags == [g.lower() for g in split(r["Genres"])]


def test_a_tv_series_and_an_episode_with_its_directors(
    imported: tuple[Path, dict[str, Any], dict[str, Entry]],
) -> None:
    _, _, entries = imported
    series = next(r for r in rows() if r["Title Type"] == "tvSeries")
    entry = entries[series["Const"]]
    assert (entry.title, entry.kind, entry.score) == (
        series["Title"],
        "series",
        int(series["Your Rating"]),
    )
    # IMDb's export leaves Directors empty for whole series, and so does the entry.
    assert entry.creators == split(series["Directors"])
    assert entry.tags == [g.lower() for g in split(series["Genres"])]
    episode = next(r for r in rows() if r["Title Type"] == "tvEpisode" and "," in r["Directors"])
    entry = entries[episode["Const"]]
    assert entry.kind == "episode" and len(entry.creators) == 2
    assert entry.creators == split(episode["Directors"])
    mini = next(r for r in rows() if r["Title Type"] == "tvMiniSeries")
    assert entries[mini["Const"]].kind == "series"
    kinds = {r["Title Type"]: entries[r["Const"]].kind for r in rows()}
    assert kinds["movie"] == kinds["tvMovie"] == kinds["video"] == "movie"
    assert kinds["short"] == kinds["tvShort"] == "short" and kinds["tvSpecial"] == "special"


def test_accented_titles_and_names_are_decoded(
    imported: tuple[Path, dict[str, Any], dict[str, Entry]],
) -> None:
    _, _, entries = imported
    accented = [r for r in rows() if not (r["Title"] + r["Directors"]).isascii()]
    assert len(accented) > 10
    for r in accented:
        assert entries[r["Const"]].title == r["Title"]
        assert entries[r["Const"]].creators == split(r["Directors"])


def test_importing_again_changes_nothing(
    imported: tuple[Path, dict[str, Any], dict[str, Entry]],
) -> None:
    folder, report, _ = imported
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.toml")}
    again = run("-j", str(folder), "import", "imdb", str(EXPORT))
    assert again.exit_code == 0, again.stderr
    assert f"created 0, merged 0, unchanged {report['created']:,}, skipped 0" in again.stdout
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.toml")}
    assert after == before


def test_a_malformed_row_mid_file_is_skipped_with_its_line(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    lines = EXPORT.read_bytes().decode(ENCODING).splitlines(keepends=True)[:601]
    bad = lines[300].split(",")
    bad[1] = "eleven"
    broken = [*lines[:300], ",".join(bad), "tt0000001,7\n", *lines[301:]]
    path = tmp_path / "ratings.csv"
    path.write_bytes("".join(broken).encode(ENCODING))
    result = invoke("import", "imdb", str(path))
    assert result.exit_code == 0, result.stderr
    title = next(csv.reader([lines[300]]))[3]
    assert (
        f"skipped ratings.csv line 301 ({title}): Your Rating: 'eleven' is not 1 to 10"
        in result.stdout
    )
    assert "skipped ratings.csv line 302: has 2 cells where the header has 13" in result.stdout
    assert "created 599, merged 0, unchanged 0, skipped 2" in result.stdout
    assert len(list(journal_dir.glob("*.toml"))) == 599


NEWER_LAYOUT = """\
Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,Directors
tt0245429,9,3/14/2023,Spirited Away,Sen to Chihiro no kamikakushi,https://www.imdb.com/title/tt0245429/,Movie,8.6,125,2001,"Animation, Adventure, Family",900000,2001-07-20,Hayao Miyazaki
tt2560140,8,12/1/2022,Attack on Titan,Shingeki no kyojin,https://www.imdb.com/title/tt2560140/,TV Series,9.1,24,2013–2023,"Animation, Action",500000,2013-09-28,
tt0944947,7,2021-01-02,Game of Thrones,Game of Thrones,https://www.imdb.com/title/tt0944947/,TV Mini Series,9.2,57,2011–2019,"Action, Adventure, Drama",2000000,2011-04-17,
tt4846340,8,2/5/2024,Some Game,Some Game,https://www.imdb.com/title/tt4846340/,Video Game,8.0,,2019,Action,1000,2019-01-01,
"""


def test_a_newer_layout_with_original_titles_and_us_dates(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    path = tmp_path / "ratings.csv"
    path.write_text(NEWER_LAYOUT, encoding="utf-8")
    result = invoke("import", "imdb", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["created"] == 3 and report["notes"] == []
    (game,) = report["skipped_rows"]
    assert (
        game["where"] == "ratings.csv line 5"
        and "watchbook records what you watch" in game["reason"]
    )
    entries = {e.ids["imdb"]: e for e in Journal(journal_dir).load_all().entries}
    spirited = entries["tt0245429"]
    assert spirited.aliases == ["Sen to Chihiro no kamikakushi"] and spirited.kind == "movie"
    assert spirited.watched == [dt.date(2023, 3, 14)] and spirited.creators == ["Hayao Miyazaki"]
    titan = entries["tt2560140"]
    assert (titan.kind, titan.year, titan.watched) == ("series", 2013, [dt.date(2022, 12, 1)])
    thrones = entries["tt0944947"]
    assert (
        thrones.kind == "series"
        and thrones.aliases == []
        and thrones.watched == [dt.date(2021, 1, 2)]
    )


def test_a_watchlist_export_imports_as_planned(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    path = tmp_path / "WATCHLIST.csv"
    path.write_text(
        "Position,Const,Created,Modified,Description,Title,URL,Title Type,IMDb Rating,"
        "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
        "1,tt0062622,2020-05-01,2020-05-01,,2001: A Space Odyssey,https://www.imdb.com/title/tt0062622/,"
        'movie,8.3,149,1968,"Adventure, Sci-Fi",600000,1968-04-02,Stanley Kubrick\n',
        encoding="utf-8",
    )
    result = invoke("import", "imdb", str(path))
    assert result.exit_code == 0, result.stderr
    (entry,) = Journal(journal_dir).load_all().entries
    assert (entry.status, entry.score, entry.watched) == ("planned", None, [])
    assert "imported as planned" in result.stdout


def test_files_that_are_not_an_imdb_export_stop_with_exit_code_2(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    letterboxd = FIXTURES / "letterboxd" / "ratings.csv"
    result = invoke("import", "imdb", str(letterboxd))
    assert result.exit_code == 2 and "lacks the columns 'Const', 'Title'" in result.stderr
    binary = tmp_path / "ratings.csv"
    binary.write_bytes(b"Const,Title\x00\x01\x02" * 10)
    result = invoke("import", "imdb", str(binary))
    assert result.exit_code == 2 and "NUL bytes" in result.stderr
    # 0x81 is undefined in Windows-1252, so this is neither UTF-8 nor Windows-1252.
    odd = tmp_path / "odd.csv"
    odd.write_bytes(b"Const,Title\ntt1,Caf\xe9\ntt2,\x81\x8d\n")
    result = invoke("import", "imdb", str(odd))
    assert result.exit_code == 2
    assert "line 3: is neither UTF-8 nor Windows-1252" in result.stderr
    result = invoke("import", "imdb", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2 and "no such file or folder" in result.stderr
    result = invoke("import", "netflix", str(EXPORT))
    assert (
        result.exit_code == 2 and "SERVICE: must be one of letterboxd, mal, imdb" in result.stderr
    )
    assert not journal_dir.exists()
