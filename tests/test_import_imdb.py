"""`watchbook import imdb`, in two layers.

Field by field on the project's own exports (tests/fixtures/imdb: the 2021 layout in
Windows-1252, a newer layout with `Original Title` and month/day/year dates, and a watchlist), in
every environment; counts and idempotence on both the 2021 file and the real ratings export in
../shared/fixtures/imdb, which only CI has (the `real_exports` fixture skips without it).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests import importing
from tests.conftest import FIXTURES, Invoke
from tests.importing import entries_of, run, two_layers
from tests.importing import no_fsync as no_fsync
from tests.test_import_files import damaged
from watchbook.entry import Entry

PROJECT = FIXTURES / "imdb" / "ratings.csv"
NEWER = FIXTURES / "imdb" / "ratings-newer.csv"
WATCHLIST = FIXTURES / "imdb" / "watchlist.csv"
WATCHLIST_NEWER = FIXTURES / "imdb" / "watchlist-newer.csv"
# IMDb's 2021 export is Windows-1252 (Latin-1), not UTF-8.
ENCODING = "cp1252"
D = dt.date
# The Title Type table of docs/import.md, written out here independently of the importer.
KIND_OF = {
    "movie": "movie",
    "tvMovie": "movie",
    "video": "movie",
    "tvSeries": "series",
    "tvMiniSeries": "series",
    "tvEpisode": "episode",
    "tvSpecial": "special",
    "short": "short",
    "tvShort": "short",
    "musicVideo": "short",
}
GAMES = {"videoGame"}


def rows(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode(ENCODING)
    return list(csv.DictReader(io.StringIO(text, newline="")))


def by_imdb_id(entries: list[Entry]) -> dict[str, Entry]:
    return {e.ids["imdb"]: e for e in entries}


def load(folder: Path) -> dict[str, Entry]:
    return by_imdb_id(entries_of(folder))


def import_once(export: Path, folder: Path) -> Imported:
    return importing.import_once("imdb", export, folder, by_imdb_id)


Imported = importing.Imported[dict[str, Entry]]
project_import, real_import, imported, export = two_layers(PROJECT, "imdb/ratings.csv", import_once)


@pytest.fixture(scope="module")
def newer_import(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return import_once(NEWER, tmp_path_factory.mktemp("imdb") / "journal")


def split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(",") if part.strip()]


# --- the project's 2021 export, field by field ------------------------------------------------


def test_a_film_row_field_by_field(project_import: Imported) -> None:
    matrix = project_import.entries["tt0133093"]
    assert (matrix.title, matrix.year, matrix.kind, matrix.status) == (
        "The Matrix",
        1999,
        "movie",
        "watched",
    )
    assert (matrix.score, matrix.watched) == (10, [D(2021, 1, 3)])
    assert matrix.tags == ["action", "sci-fi"]
    assert matrix.creators == ["Lana Wachowski", "Lilly Wachowski"]
    assert (matrix.ids, matrix.aliases, matrix.review) == ({"imdb": "tt0133093"}, [], None)
    # Three directors, quoted in the CSV, in IMDb's order.
    assert project_import.entries["tt1371111"].creators == [
        "Tom Tykwer",
        "Lana Wachowski",
        "Lilly Wachowski",
    ]


def test_windows_1252_titles_and_names_are_decoded(project_import: Imported) -> None:
    entries = project_import.entries
    assert entries["tt0211915"].title == "Amélie"
    assert entries["tt0110413"].title == "Léon: The Professional"
    assert entries["tt0245712"].creators == ["Alejandro G. Iñárritu"]
    assert entries["tt0317248"].creators == ["Fernando Meirelles", "Kátia Lund"]
    assert entries["tt0206634"].creators == ["Alfonso Cuarón"]
    assert entries["tt0328832"].creators[-2:] == ["Kôji Morimoto", "Shinichirô Watanabe"]
    assert len(entries["tt0328832"].creators) == 7
    # The first byte that is not UTF-8 is on Amélie's line, the 12th.
    assert project_import.report["notes"] == [
        "ratings.csv is not UTF-8 (first at line 12); read it as Windows-1252 (Latin-1)"
    ]


def test_titles_with_commas_stay_whole(project_import: Imported) -> None:
    entries = project_import.entries
    assert entries["tt0060196"].title == "The Good, the Bad and the Ugly"
    crouching = entries["tt0190332"]
    assert (crouching.title, crouching.creators) == ("Crouching Tiger, Hidden Dragon", ["Ang Lee"])


def test_every_title_type_maps_to_its_kind(project_import: Imported) -> None:
    kinds = {const: e.kind for const, e in project_import.entries.items()}
    assert kinds["tt9495224"] == "movie"  # tvMovie
    assert kinds["tt0328832"] == "movie"  # video
    assert kinds["tt2388725"] == "short"  # short
    assert kinds["tt90000002"] == "short"  # tvShort
    assert kinds["tt90000004"] == "short"  # musicVideo
    assert kinds["tt0903747"] == kinds["tt0141842"] == "series"  # tvSeries
    assert kinds["tt0185906"] == kinds["tt7366338"] == "series"  # tvMiniSeries
    assert kinds["tt2301451"] == kinds["tt90000001"] == "episode"  # tvEpisode
    assert kinds["tt90000003"] == "special"  # tvSpecial


def test_series_have_no_directors_and_episodes_have_theirs(project_import: Imported) -> None:
    entries = project_import.entries
    bad = entries["tt0903747"]
    assert (bad.title, bad.year, bad.score, bad.creators) == ("Breaking Bad", 2008, 10, [])
    assert bad.tags == ["crime", "drama", "thriller"]
    assert entries["tt0185906"].creators == []
    episode = entries["tt2301451"]
    assert (episode.title, episode.creators, episode.watched) == (
        "Breaking Bad: Ozymandias",
        ["Rian Johnson"],
        [D(2013, 9, 16)],
    )
    assert entries["tt90000001"].creators == ["Mira Solberg", "Tomás Ferreira"]


def test_a_video_game_is_skipped_and_reported(project_import: Imported) -> None:
    report = project_import.report
    assert "tt90000005" not in project_import.entries
    assert report["skipped_rows"] == [
        {
            "where": "ratings.csv line 35",
            "title": "Harbour Town: The Game",
            "reason": "Title Type: 'videoGame' (watchbook records what you watch)",
        }
    ]
    assert report["rows"] == {"ratings.csv": 34}
    assert report["read"] == {"titles": 33, "viewings": 33, "planned": 0}


def test_the_summary_counts_what_the_file_holds(invoke: Invoke) -> None:
    result = invoke("import", "imdb", str(PROJECT), "--dry-run")
    assert result.exit_code == 0, result.stderr
    # The summary on stderr; on stdout one line per title, so the preview can be piped.
    assert result.stderr.splitlines() == [
        "IMDb: 33 titles (33 viewings, 0 planned)",
        "rows read: ratings.csv 34",
        "would create 33, merge 0; 0 unchanged, 0 ambiguous, 1 skipped",
        "Dry run: nothing was written.",
        "note: ratings.csv is not UTF-8 (first at line 12); read it as Windows-1252 (Latin-1)",
    ]
    lines = result.stdout.splitlines()
    assert len(lines) == 34 and sum(line.startswith("new\t") for line in lines) == 33
    assert lines[0] == "new\tThe Matrix (1999)\tthe-matrix-1999\tratings.csv line 2\t"
    assert lines[-1] == (
        "skipped\tHarbour Town: The Game\t\tratings.csv line 35\t"
        "Title Type: 'videoGame' (watchbook records what you watch)"
    )


def test_a_zip_holding_the_csv_imports_like_the_csv(
    invoke: Invoke, tmp_path: Path, project_import: Imported
) -> None:
    archive = tmp_path / "ratings.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("ratings.csv", PROJECT.read_bytes())
    result = invoke("import", "imdb", str(archive), "--json", "--dry-run")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["rows"], report["read"]) == (
        project_import.report["rows"],
        project_import.report["read"],
    )
    assert report["created"] == project_import.report["created"]
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as handle:
        handle.writestr("ratings.csv", PROJECT.read_bytes())
        handle.writestr("watchlist.csv", WATCHLIST.read_bytes())
    result = invoke("import", "imdb", str(two))
    assert result.exit_code == 2 and "exactly one .csv file" in result.stderr


def test_columns_are_read_by_name_in_any_order(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, project_import: Imported
) -> None:
    data = rows(PROJECT)
    shuffled = tmp_path / "ratings.csv"
    with shuffled.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(reversed(list(data[0]))))
        writer.writeheader()
        writer.writerows(data)
    result = invoke("import", "imdb", str(shuffled))
    assert result.exit_code == 0, result.stderr
    again = load(journal_dir)
    assert {c: e.to_dict() for c, e in again.items()} == {
        c: e.to_dict() for c, e in project_import.entries.items()
    }


# --- the newer layout, field by field -----------------------------------------------------------


def test_a_newer_layout_with_original_titles_and_us_dates(newer_import: Imported) -> None:
    entries, report = newer_import.entries, newer_import.report
    assert report["notes"] == []  # UTF-8
    spirited = entries["tt0245429"]
    assert (spirited.title, spirited.aliases, spirited.kind, spirited.year) == (
        "Spirited Away",
        ["Sen to Chihiro no kamikakushi"],
        "movie",
        2001,
    )
    # 3/14/2023: month first.
    assert spirited.watched == [D(2023, 3, 14)] and spirited.creators == ["Hayao Miyazaki"]
    assert spirited.tags == ["animation", "adventure", "family"]
    # '2013–2023': the first year; 12/1/2022 is the first of December.
    titan = entries["tt2560140"]
    assert (titan.kind, titan.year, titan.watched, titan.creators) == (
        "series",
        2013,
        [D(2022, 12, 1)],
        [],
    )
    assert titan.aliases == ["Shingeki no kyojin"]
    # The same title twice is no alias; 1/2/2024 is the second of January.
    bad = entries["tt0903747"]
    assert (bad.aliases, bad.year, bad.watched) == ([], 2008, [D(2024, 1, 2)])
    amelie = entries["tt0211915"]
    assert (amelie.title, amelie.aliases) == ("Amélie", ["Le fabuleux destin d'Amélie Poulain"])
    assert entries["tt0328832"].creators[-1] == "Shinichirô Watanabe"


def test_the_newer_layout_s_title_type_labels(newer_import: Imported) -> None:
    kinds = {const: e.kind for const, e in newer_import.entries.items()}
    assert kinds == {
        "tt0245429": "movie",  # Movie
        "tt2560140": "series",  # TV Series
        "tt0903747": "series",
        "tt7366338": "series",  # TV Mini Series
        "tt2301451": "episode",  # TV Episode
        "tt0211915": "movie",
        "tt9495224": "movie",  # TV Movie
        "tt0328832": "movie",  # Video
        "tt2388725": "short",  # Short
        "tt90000002": "short",  # TV Short
        "tt90000003": "special",  # TV Special
        "tt90000004": "short",  # Music Video
        "tt90000006": "other",  # Podcast Series
        "tt90000007": "episode",
    }
    (game,) = newer_import.report["skipped_rows"]
    assert game["where"] == "ratings-newer.csv line 14"
    assert game["reason"] == "Title Type: 'Video Game' (watchbook records what you watch)"


def test_empty_years_and_open_ended_series(newer_import: Imported) -> None:
    podcast = newer_import.entries["tt90000006"]
    assert (podcast.year, podcast.creators, podcast.watched) == (2021, [], [D(2024, 4, 1)])
    keeper = newer_import.entries["tt90000007"]
    assert (keeper.year, keeper.creators, keeper.tags, keeper.score) == (None, [], ["drama"], 6)
    assert keeper.watched == [D(2024, 10, 10)]


def test_a_watchlist_export_imports_as_planned(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("import", "imdb", str(WATCHLIST), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["read"] == {"titles": 4, "viewings": 0, "planned": 4}
    assert report["notes"] == ["watchlist.csv has no 'Your Rating' column: imported as planned"]
    entries = load(journal_dir)
    assert {e.status for e in entries.values()} == {"planned"}
    assert all(e.score is None and e.watched == [] for e in entries.values())
    stalker = entries["tt0079944"]
    assert (stalker.title, stalker.year, stalker.creators, stalker.tags) == (
        "Stalker",
        1979,
        ["Andrei Tarkovsky"],
        ["drama", "sci-fi"],
    )
    unreleased = entries["tt90000008"]
    assert (unreleased.year, unreleased.kind, unreleased.tags) == (None, "movie", [])
    text = invoke("import", "imdb", str(WATCHLIST))
    assert "note: watchlist.csv has no 'Your Rating' column: imported as planned" in text.stdout


def test_the_newer_watchlist_layout_imports_unrated_titles_as_planned(
    invoke: Invoke, journal_dir: Path
) -> None:
    # Its rows end with empty Your Rating and Date Rated cells: those titles are planned, and a
    # planned entry already in the journal stays planned.
    added = invoke("add", "Stalker", "--year", "1979", "--kind", "movie", "--status", "planned")
    assert added.exit_code == 0, added.stderr
    result = invoke("import", "imdb", str(WATCHLIST_NEWER), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["read"] == {"titles": 3, "viewings": 1, "planned": 2}
    assert report["notes"] == []
    entries = load(journal_dir)
    assert {slug: e.status for slug, e in entries.items()} == {
        "tt0079944": "planned",
        "tt0091251": "planned",
        "tt0050976": "watched",
    }
    assert entries["tt0079944"].watched == [] and entries["tt0079944"].score is None
    seal = entries["tt0050976"]
    assert (seal.score, seal.watched) == (9, [D(2024, 8, 3)])


# --- both 2021-layout exports: counts, idempotence, broken rows --------------------------------


def test_every_rating_is_one_entry_with_its_viewing(imported: Imported) -> None:
    report, entries = imported.report, imported.entries
    data = rows(imported.export)
    games = [r for r in data if r["Title Type"] in GAMES]
    assert report["created"] == len(data) - len(games) == len(entries)
    assert report["skipped"] == len(games)
    assert report["read"]["viewings"] == sum(
        1 for r in data if r["Date Rated"] and r["Title Type"] not in GAMES
    )
    assert any("Windows-1252" in note for note in report["notes"])
    for r in data:
        if r["Title Type"] in GAMES:
            assert r["Const"] not in entries
            continue
        entry = entries[r["Const"]]
        assert entry.title == r["Title"]
        assert entry.year == (int(r["Year"]) if r["Year"] else None)
        assert entry.score == int(r["Your Rating"]) and entry.status == "watched"
        assert entry.watched == [dt.date.fromisoformat(r["Date Rated"])]
        assert entry.creators == split(r["Directors"])
        assert entry.tags == [g.lower() for g in split(r["Genres"])]
        assert entry.kind == KIND_OF.get(r["Title Type"], "other")
        assert entry.ids == {"imdb": r["Const"]} and entry.aliases == []


def test_a_tv_series_and_an_episode_with_its_directors(imported: Imported) -> None:
    data, entries = rows(imported.export), imported.entries
    series = next(r for r in data if r["Title Type"] == "tvSeries")
    entry = entries[series["Const"]]
    assert (entry.title, entry.kind, entry.score) == (
        series["Title"],
        "series",
        int(series["Your Rating"]),
    )
    # IMDb's export leaves Directors empty for whole series, and so does the entry.
    assert series["Directors"] == "" and entry.creators == []
    assert entry.tags == [g.lower() for g in split(series["Genres"])]
    episode = next(r for r in data if r["Title Type"] == "tvEpisode" and "," in r["Directors"])
    entry = entries[episode["Const"]]
    assert entry.kind == "episode" and len(entry.creators) == 2
    assert entry.creators == split(episode["Directors"])
    mini = next(r for r in data if r["Title Type"] == "tvMiniSeries")
    assert entries[mini["Const"]].kind == "series"
    kinds = {r["Title Type"]: entries[r["Const"]].kind for r in data if r["Const"] in entries}
    assert kinds["movie"] == kinds["tvMovie"] == kinds["video"] == "movie"
    assert kinds["short"] == kinds["tvShort"] == "short" and kinds["tvSpecial"] == "special"


def test_importing_again_changes_nothing(imported: Imported) -> None:
    folder, report = imported.folder, imported.report
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.toml")}
    again = run("-j", str(folder), "import", "imdb", str(imported.export))
    assert again.exit_code == 0, again.stderr
    assert (
        f"created 0, merged 0, unchanged {report['created']:,}, ambiguous 0, "
        f"skipped {report['skipped']}" in again.stdout
    )
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.toml")}
    assert after == before


def test_a_malformed_row_mid_file_is_skipped_with_its_line(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, export: Path
) -> None:
    # The file's first 600 rows at most (IMDb rows hold no line breaks), two broken mid-way.
    lines = export.read_bytes().decode(ENCODING).splitlines(keepends=True)[:601]
    lines = [line for line in lines if ",videoGame," not in line]
    middle = len(lines) // 2
    bad = lines[middle].split(",")
    bad[1] = "eleven"
    broken = [*lines[:middle], ",".join(bad), "tt0000001,7\n", *lines[middle + 1 :]]
    path = tmp_path / "ratings.csv"
    path.write_bytes("".join(broken).encode(ENCODING))
    result = invoke("import", "imdb", str(path))
    assert result.exit_code == 0, result.stderr
    title = next(csv.reader([lines[middle]]))[3]
    assert (
        f"skipped ratings.csv line {middle + 1} ({title}): Your Rating: 'eleven' is not 1 to 10"
        in result.stdout
    )
    assert (
        f"skipped ratings.csv line {middle + 2}: has 2 cells where the header has 13"
        in result.stdout
    )
    good = len(lines) - 2  # the header and the row that became 'eleven'
    assert f"created {good}, merged 0, unchanged 0, ambiguous 0, skipped 2" in result.stdout
    assert len(list(journal_dir.glob("*.toml"))) == good


# --- the real export only ---------------------------------------------------------------------


def test_real_accented_titles_and_names_are_decoded(real_import: Imported) -> None:
    data = rows(real_import.export)
    accented = [r for r in data if not (r["Title"] + r["Directors"]).isascii()]
    assert len(accented) > 10
    for r in accented:
        assert real_import.entries[r["Const"]].title == r["Title"]
        assert real_import.entries[r["Const"]].creators == split(r["Directors"])


# --- files that are not an IMDb export -------------------------------------------------------


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
    result = invoke("import", "imdb", str(FIXTURES / "imdb"))
    assert result.exit_code == 2 and "is a folder" in result.stderr
    result = invoke("import", "netflix", str(PROJECT))
    assert (
        result.exit_code == 2 and "SERVICE: must be one of letterboxd, mal, imdb" in result.stderr
    )
    assert not journal_dir.exists()


# --- Date Rated is not a viewing of its own ------------------------------------------------------

HEADER = "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Year,Genres,Directors\n"


def ratings_file(path: Path, *lines: str) -> Path:
    """A 2021-layout ratings export with these rows (after the header)."""
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def matrix_row(rating: int, rated: str) -> str:
    url = "https://www.imdb.com/title/tt0133093/"
    return f'tt0133093,{rating},{rated},The Matrix,{url},movie,8.7,1999,"Action, Sci-Fi",Lana Wachowski'


def test_re_rating_a_title_adds_no_viewing(tmp_path: Path, journal_dir: Path) -> None:
    from watchbook.importers import run_import
    from watchbook.journal import Journal

    # Date Rated is when the rating was last set: a newer export of a title re-rated on
    # 2023-05-01 once added a second viewing, on a day nothing was watched.
    journal = Journal(journal_dir)
    older = ratings_file(tmp_path / "v1.csv", matrix_row(8, "2021-01-03"))
    newer = ratings_file(tmp_path / "v2.csv", matrix_row(9, "2023-05-01"))
    run_import(journal, "imdb", older)
    report = run_import(journal, "imdb", newer)
    (outcome,) = report.outcomes
    assert (outcome.action, outcome.kept) == ("unchanged", ["score: kept 8/10 (import says 9/10)"])
    (entry,) = journal.load_all().entries
    assert (entry.score, entry.watched) == (8, [D(2021, 1, 3)])


def test_the_day_a_title_was_rated_dates_it_only_when_the_journal_has_no_viewing(
    tmp_path: Path, journal_dir: Path
) -> None:
    from watchbook.entry import Viewing
    from watchbook.importers import run_import
    from watchbook.journal import Journal

    journal = Journal(journal_dir)
    journal.create(Entry("The Matrix", slug="the-matrix-1999", year=1999, kind="movie",
                         score=9, watched=[Viewing(D(2019, 6, 1))]))  # fmt: skip
    journal.create(Entry("Heat", slug="heat-1995", year=1995, kind="movie", status="planned"))
    url = "https://www.imdb.com/title/tt0113277/"
    heat = f"tt0113277,8,2022-02-02,Heat,{url},movie,8.3,1995,Crime,Michael Mann"
    report = run_import(
        journal, "imdb", ratings_file(tmp_path / "r.csv", matrix_row(9, "2021-01-03"), heat)
    )
    assert {o.entry.slug: o.changes for o in report.outcomes} == {
        "heat-1995": [
            "+1 viewing",
            "status",
            "score",
            "tags +1",
            "creators +1",
            "ids",
            "community",
        ],
        "the-matrix-1999": ["tags +2", "creators +1", "ids", "community"],
    }
    entries = {e.slug: e for e in journal.load_all().entries}
    assert entries["the-matrix-1999"].watched == [D(2019, 6, 1)]
    assert entries["heat-1995"].watched == [D(2022, 2, 2)]


def test_a_title_found_under_its_original_title_keeps_the_imported_one_as_an_alias(
    invoke: Invoke, tmp_path: Path
) -> None:
    # MyAnimeList names it by its Japanese title; IMDb's row is 'Spirited Away' with that
    # Original Title. After both imports, `show "spirited away"` said No entry.
    export = tmp_path / "animelist.xml"
    export.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist>\n<anime><series_animedb_id>199'
        "</series_animedb_id><series_title><![CDATA[Sen to Chihiro no Kamikakushi]]>"
        "</series_title><series_type>Movie</series_type><series_episodes>1</series_episodes>"
        "<my_watched_episodes>1</my_watched_episodes><my_finish_date>2015-12-26</my_finish_date>"
        "<my_score>10</my_score><my_status>Completed</my_status></anime>\n</myanimelist>\n",
        encoding="utf-8",
    )
    assert invoke("import", "mal", str(export)).exit_code == 0
    result = invoke("import", "imdb", str(NEWER))
    assert result.exit_code == 0, result.stderr
    merged = next(line for line in result.stdout.splitlines() if "sen-to-chihiro" in line)
    assert "aliases +1" in merged
    shown = invoke("show", "spirited away")
    assert shown.exit_code == 0, shown.stderr
    assert shown.stdout.startswith("Sen to Chihiro no Kamikakushi (2001)\n")
    assert "Aliases: Spirited Away" in shown.stdout


@pytest.mark.parametrize("kind", ["future version", "deflate"])
def test_an_imdb_zip_this_python_cannot_read_is_refused_in_one_line(
    kind: str, tmp_path: Path, invoke: Invoke
) -> None:
    ratings = (FIXTURES / "imdb" / "ratings.csv").read_bytes()
    archive = damaged(kind, tmp_path / "imdb.zip", "ratings.csv", ratings)
    result = invoke("--journal", str(tmp_path / "j"), "import", "imdb", str(archive))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert "imdb.zip" in result.stderr and result.stdout == ""
    assert not (tmp_path / "j").exists()
