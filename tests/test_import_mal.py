"""`watchbook import mal`, in two layers, and hostile XML.

Field by field on the project's own exports (tests/fixtures/mal: the 2024 "Version 1.1.0"
layout, an older 2018 layout without `my_priority` and the newer fields, and the oldest one with
numbers for types and statuses), in every environment; counts and idempotence on both the 2024
file and the real export in ../shared/fixtures/mal, which only CI has (the `real_exports`
fixture skips without it).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from tests import importing
from tests.conftest import FIXTURES, Invoke
from tests.importing import imported_report, run, two_layers
from tests.importing import no_fsync as no_fsync
from watchbook.entry import Entry
from watchbook.importers import files
from watchbook.journal import Journal
from watchbook.progress import Progress

PROJECT = FIXTURES / "mal" / "animelist.xml"
OLDER = FIXTURES / "mal" / "animelist-2018.xml"
NUMERIC = FIXTURES / "mal" / "animelist-numeric.xml"
D = dt.date
# The mappings of docs/import.md, written out here independently of the importer.
KIND_OF: dict[str, str | None] = {
    "TV": "series",
    "Movie": "movie",
    "OVA": "special",
    "ONA": "special",
    "Special": "special",
    "TV Special": "special",
    "Music": "short",
    "CM": "short",
    "PV": "short",
    "Unknown": None,
}
STATUS_OF = {
    "Completed": "watched",
    "Watching": "watching",
    "On-Hold": "watching",
    "Dropped": "dropped",
    "Plan to Watch": "planned",
}


def animes(path: Path) -> list[ET.Element]:
    # The fixtures are trusted test data, so the standard library parser is fine here.
    return ET.parse(path).getroot().findall("anime")


def text(anime: ET.Element, tag: str) -> str:
    return (anime.findtext(tag) or "").strip()


def by_mal_id(entries: list[Entry]) -> dict[str, Entry]:
    return {e.ids["mal"]: e for e in entries}


def import_once(export: Path, folder: Path) -> Imported:
    return importing.import_once("mal", export, folder, by_mal_id)


Imported = importing.Imported[dict[str, Entry]]
project_import, real_import, imported, export = two_layers(
    PROJECT, "mal/animelist.xml", import_once
)


def known(day: str) -> dt.date | None:
    """A MAL date, None when any part of it is zero (unknown)."""
    year, month, date = (int(part) for part in day.split("-"))
    return dt.date(year, month, date) if year and month and date else None


def summary(entry: Entry) -> tuple[Any, ...]:
    return (entry.title, entry.kind, entry.status, entry.score, entry.watched)


# --- the project's 2024 export, field by field -------------------------------------------------


def test_a_completed_title_field_by_field(project_import: Imported) -> None:
    bebop = project_import.entries["1"]
    assert summary(bebop) == ("Cowboy Bebop", "series", "watched", 10, [D(2019, 3, 1)])
    # No year in the export; the user's tags after 'anime'; my_times_watched=1 is one rewatch
    # whose day nobody knows; series_episodes is the episode count, and the run is over.
    assert (bebop.year, bebop.ids) == (None, {"mal": "1"})
    assert (bebop.rewatches, bebop.episodes, bebop.progress) == (1, 26, None)
    assert bebop.tags == ["anime", "classic", "space western"]
    # my_comments (CDATA: '&' and '<...>' are text) becomes the review, line break kept, as
    # safe Markdown: the '<' that would open a tag is '&lt;', which still reads '<perfect>'.
    assert bebop.review == (
        "Rewatched with the dub this time.\n"
        "The last episode still hurts & I'd still call it &lt;perfect>.\n"
    )


def test_every_status(project_import: Imported) -> None:
    entries = project_import.entries
    assert entries["1"].status == "watched"  # Completed
    assert entries["40748"].status == "watching"  # Watching
    assert entries["35120"].status == "watching"  # On-Hold
    assert entries["227"].status == "dropped"  # Dropped
    assert entries["52991"].status == "planned"  # Plan to Watch


def test_episodes_progress_and_rewatches_field_by_field(project_import: Imported) -> None:
    entries = project_import.entries
    series = {mal: (e.episodes, e.progress, e.rewatches) for mal, e in entries.items()}
    # Watching 9 of 24, started 2024-09-01; On-Hold 5 of 10; Dropped 2 of 6 (the start date
    # 2018-05-00 is partial, so unknown) and 11 of 25 (no dates at all).
    assert series["40748"] == (24, Progress(9, started=D(2024, 9, 1)), None)
    assert series["35120"] == (10, Progress(5, started=D(2021, 1, 15)), None)
    assert series["227"] == (6, Progress(2), None)
    assert series["9941"] == (25, Progress(11), None)
    # Completed: the count, no run under way; planned: the count only.
    assert series["5114"] == (64, None, None)
    assert series["52991"] == (28, None, None)
    # A special of one episode has one; a film, a music video and an unknown count have none.
    assert series["90001"] == (1, None, None)
    assert series["32281"] == series["90003"] == series["90006"] == (None, None, None)


def test_a_rewatch_under_way_and_a_count_past_the_episodes(tmp_path: Path) -> None:
    source = PROJECT.read_text(encoding="utf-8")
    bebop = source.index("<series_animedb_id>1</series_animedb_id>")
    start = source.index("<my_rewatching>0</my_rewatching>", bebop)
    source = (
        source[:start]
        + "<my_rewatching>1</my_rewatching>\n<my_rewatching_ep>7</my_rewatching_ep>"
        + source[source.index("</my_rewatching_ep>", start) + len("</my_rewatching_ep>") :]
    )
    jjk = source.index("<series_animedb_id>40748</series_animedb_id>")
    at = source.index("<my_watched_episodes>9<", jjk)
    source = (
        source[:at] + "<my_watched_episodes>30<" + source[at + len("<my_watched_episodes>9<") :]
    )
    path = tmp_path / "animelist.xml"
    path.write_text(source, encoding="utf-8")
    result = run("-j", str(tmp_path / "journal"), "import", "mal", str(path), "--json")
    report = json.loads(result.stdout)
    bebop_entry = next(
        e for e in Journal(tmp_path / "journal").load_all().entries if e.ids["mal"] == "1"
    )
    # Completed and rewatching: a run under way of 7, beside the finished viewing.
    assert (bebop_entry.status, bebop_entry.progress) == ("watching", Progress(7))
    assert bebop_entry.watched == [D(2019, 3, 1)]
    assert report["skipped_rows"][0]["reason"] == (
        "my_watched_episodes: 30 is more than series_episodes (24)"
    )


def test_a_newer_export_moves_progress_on_and_a_finished_run_ends_it(tmp_path: Path) -> None:
    folder = tmp_path / "journal"
    import_once(PROJECT, folder)
    source = PROJECT.read_text(encoding="utf-8")
    jjk = source.index("<series_animedb_id>40748</series_animedb_id>")
    end = source.index("</anime>", jjk)
    block = source[jjk:end]
    finished = (
        block.replace("<my_watched_episodes>9<", "<my_watched_episodes>24<")
        .replace("<my_status>Watching<", "<my_status>Completed<")
        .replace("<my_finish_date>0000-00-00<", "<my_finish_date>2024-12-01<")
    )
    later = source[:jjk] + finished + source[end:]
    path = tmp_path / "later.xml"
    path.write_text(later, encoding="utf-8")
    report = json.loads(run("-j", str(folder), "import", "mal", str(path), "--json").stdout)
    merged = {e["slug"]: e["changes"] for e in report["entries"] if e["action"] == "merged"}
    assert merged == {"jujutsu-kaisen": ["+1 viewing", "status", "progress"]}
    entry = next(e for e in Journal(folder).load_all().entries if e.ids["mal"] == "40748")
    assert (entry.status, entry.progress, entry.watched) == ("watched", None, [D(2024, 12, 1)])


def _animelist(*animes: str) -> str:
    """A minimal 2024-layout export holding these <anime> elements."""
    return (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<myanimelist>\n<myinfo><user_export_type>1'
        "</user_export_type></myinfo>\n" + "".join(animes) + "</myanimelist>\n"
    )


def _anime(mal_id: int, title: str, kind: str, status: str, **fields: object) -> str:
    values = {
        "series_episodes": 1, "my_watched_episodes": 0, "my_start_date": "0000-00-00",
        "my_finish_date": "0000-00-00", "my_score": 0, "my_times_watched": 0, **fields,
    }  # fmt: skip
    cells = "".join(f"<{tag}>{value}</{tag}>" for tag, value in values.items())
    return (
        f"<anime><series_animedb_id>{mal_id}</series_animedb_id><series_title><![CDATA[{title}]]>"
        f"</series_title><series_type>{kind}</series_type><my_status>{status}</my_status>"
        f"{cells}</anime>\n"
    )


def test_an_ova_matching_a_film_in_the_journal_keeps_the_film_and_the_import_goes_on(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    # MyAnimeList counts The Animatrix (an OVA) in episodes; the journal has it as a film. That
    # once stopped the whole import ("a movie has no episodes").
    added = invoke(
        "add", "The Animatrix", "--year", "2003", "--kind", "movie", "--score", "7",
        "--watched", "2004-01-10",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    export = tmp_path / "animelist.xml"
    export.write_text(
        _animelist(
            _anime(
                1,
                "The Animatrix",
                "OVA",
                "Completed",
                series_episodes=9,
                my_watched_episodes=9,
                my_finish_date="2004-01-10",
                my_score=8,
            ),
            _anime(
                2,
                "Tekkon Kinkreet",
                "Movie",
                "Completed",
                my_watched_episodes=1,
                my_finish_date="2007-12-22",
                my_score=9,
            ),
        ),
        encoding="utf-8",
    )
    report = imported_report(invoke, "mal", export)
    assert report["created"] == 1 and report["skipped"] == 0
    animatrix = Journal(journal_dir).get("the-animatrix-2003")
    assert (animatrix.kind, animatrix.episodes, animatrix.progress) == ("movie", None, None)
    assert (animatrix.score, animatrix.watched, animatrix.ids) == (
        7,
        [D(2004, 1, 10)],
        {"mal": "1"},
    )
    merged = next(e for e in report["entries"] if e["slug"] == "the-animatrix-2003")
    assert merged["kept"] == [
        "score: kept 7/10 (import says 8/10)",
        "episodes: left out (the journal has it as a movie)",
    ]


def test_watching_with_no_episode_seen_is_no_viewing_and_finishing_adds_one(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    export = tmp_path / "animelist.xml"
    started = _anime(3, "Ao no Exorcist", "TV", "Watching", series_episodes=12,
                     my_start_date="2024-10-05")  # fmt: skip
    export.write_text(_animelist(started), encoding="utf-8")
    assert invoke("import", "mal", str(export)).exit_code == 0
    entry = Journal(journal_dir).get("ao-no-exorcist")
    assert (entry.status, entry.watched) == ("watching", [])
    finished = _anime(3, "Ao no Exorcist", "TV", "Completed", series_episodes=12,
                      my_watched_episodes=12, my_start_date="2024-10-05",
                      my_finish_date="2024-12-20")  # fmt: skip
    export.write_text(_animelist(finished), encoding="utf-8")
    assert invoke("import", "mal", str(export)).exit_code == 0
    entry = Journal(journal_dir).get("ao-no-exorcist")
    # One viewing, the finish: no second one on the day the run started.
    assert (entry.status, entry.watched) == ("watched", [D(2024, 12, 20)])


def test_every_series_type(project_import: Imported) -> None:
    kinds = {mal: entry.kind for mal, entry in project_import.entries.items()}
    assert kinds["5114"] == "series"  # TV
    assert kinds["32281"] == "movie"  # Movie
    assert kinds["227"] == "special"  # OVA
    assert kinds["35120"] == "special"  # ONA
    assert kinds["90001"] == "special"  # Special
    assert kinds["90002"] == "special"  # TV Special
    assert kinds["90003"] == kinds["90004"] == kinds["90005"] == "short"  # Music, CM, PV
    assert kinds["90006"] is None  # Unknown


def test_a_score_of_0_is_no_score_and_a_planned_title_has_none(project_import: Imported) -> None:
    entries = project_import.entries
    # Unscored titles, watching and on hold: runs under way, so no viewing yet.
    assert summary(entries["40748"]) == ("Jujutsu Kaisen", "series", "watching", None, [])
    assert summary(entries["35120"]) == ("Devilman: Crybaby", "special", "watching", None, [])
    assert entries["90003"].score is None and entries["90003"].status == "watched"
    # Plan to Watch with a score and a start date all the same: neither is kept.
    assert summary(entries["37521"]) == ("Vinland Saga", "series", "planned", None, [])
    assert summary(entries["52991"]) == ("Sousou no Frieren", "series", "planned", None, [])


def test_the_viewing_is_the_finish_date_else_the_start_date(project_import: Imported) -> None:
    entries = project_import.entries
    assert entries["32281"].watched == [D(2017, 11, 20)]  # finished
    assert entries["5114"].watched == [D(2020, 4, 1)]  # finish 0000-00-00: started
    assert entries["9253"].watched == []  # both 0000-00-00
    assert entries["90001"].watched == [D(2023, 12, 31)]  # start unknown, finished
    # A partial finish date (2022-12-00) is unknown, so the start date counts.
    assert entries["9756"].watched == [D(2022, 11, 27)]
    # A partial start date and no finish: no viewing.
    assert summary(entries["227"]) == ("FLCL", "special", "dropped", 4, [])
    assert entries["227"].review == "Too loud for me.\n"


def test_cdata_titles_and_tags_are_read_as_written(project_import: Imported) -> None:
    entries = project_import.entries
    assert entries["9253"].title == "Steins;Gate"
    assert entries["9756"].title == "Mahou Shoujo Madoka★Magica"
    assert entries["9941"].title == "Tiger & Bunny"
    assert entries["90004"].title == '"Lantern Street" x Sunrise Soda'
    assert entries["32281"].title == "Kimi no Na wa."
    # Spaces and an empty item in my_tags are dropped.
    assert entries["90000"].tags == ["anime", "slice of life", "favourites"]
    assert entries["40748"].tags == ["anime", "shounen"]
    assert entries["5114"].review is None


def test_the_summary_counts_what_the_file_holds(invoke: Invoke) -> None:
    result = invoke("import", "mal", str(PROJECT), "--dry-run")
    assert result.exit_code == 0, result.stderr
    # 18 titles: 4 planned, and 9 viewings: the other 5 have no known date.
    assert result.stderr.splitlines() == [
        "MyAnimeList: 18 titles (7 viewings, 4 planned, 4 in progress)",
        "rows read: animelist.xml 18",
        "would create 18, merge 0; 0 unchanged, 0 ambiguous, 0 skipped",
        "Dry run: nothing was written.",
    ]
    assert len(result.stdout.splitlines()) == 18


# --- the older layouts --------------------------------------------------------------------------


def test_the_2018_layout_without_my_priority(tmp_path: Path) -> None:
    older = import_once(OLDER, tmp_path / "journal").entries
    assert sorted(older) == ["1535", "164", "19", "30", "339", "5", "777"]
    assert summary(older["30"]) == (
        "Neon Genesis Evangelion",
        "series",
        "watched",
        9,
        [D(2016, 4, 24)],
    )
    assert older["30"].tags == ["anime", "mecha"]
    assert summary(older["19"]) == ("Monster", "series", "watching", 8, [])
    assert older["19"].progress == Progress(40, started=D(2017, 7, 1))
    assert summary(older["164"]) == ("Mononoke Hime", "movie", "watched", 10, [D(2015, 8, 15)])
    assert older["164"].review == "Saw it on a big screen at last.\n"
    assert summary(older["339"]) == ("Serial Experiments Lain", "series", "planned", None, [])
    assert summary(older["777"]) == ("Hellsing Ultimate", "special", "watching", None, [])
    assert (older["777"].progress, older["777"].episodes) == (
        Progress(3, started=D(2018, 3, 3)),
        10,
    )
    assert summary(older["1535"]) == ("Death Note", "series", "dropped", 6, [])
    assert summary(older["5"]) == ("Cowboy Bebop: Tengoku no Tobira", "movie", "watched", 8, [])


def test_the_oldest_layout_with_numbers_for_types_and_statuses(tmp_path: Path) -> None:
    oldest = import_once(NUMERIC, tmp_path / "journal").entries
    assert {mal: summary(entry) for mal, entry in oldest.items()} == {
        "6": ("Trigun", "series", "watched", 8, [D(2009, 8, 1)]),  # type 1, status 2
        "47": ("Akira", "movie", "watched", 9, [D(2010, 2, 13)]),  # type 3
        # Watching and on hold with no episode seen and no finish date: the start date is not a
        # viewing (it was taken for one once, and a later "Completed" then added a second).
        "2001": ("Tengen Toppa Gurren Lagann", "series", "watching", None, []),  # status 1
        "227": ("FLCL", "special", "watching", 7, []),  # type 2, status 3
        "90001": ("Lantern Street: Recap of the Year", "special", "dropped", 3, []),  # 4, 4
        "90007": ("Lantern Street Shorts", "special", "planned", None, []),  # type 5, status 6
        "90003": ("Lantern Street Opening Theme", "short", "watched", None, []),  # type 6
    }
    # No my_tags or my_comments elements at all.
    assert all(e.tags == ["anime"] and e.review is None for e in oldest.values())


@pytest.mark.parametrize("path", [PROJECT, OLDER], ids=["2024", "2018"])
def test_a_gzipped_export_reads_the_same(invoke: Invoke, tmp_path: Path, path: Path) -> None:
    packed = tmp_path / "animelist_1700000000_-_7654321.xml.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    plain = invoke("import", "mal", str(path), "--json", "--dry-run")
    result = invoke("import", "mal", str(packed), "--json", "--dry-run")
    assert result.exit_code == 0 == plain.exit_code, result.stderr
    assert json.loads(result.stdout)["created"] == len(animes(path))
    assert outcome(result) == outcome(plain)
    # Recognised by content, not name: gzip called .xml, plain XML called .xml.gz.
    swapped = tmp_path / "animelist.xml"
    swapped.write_bytes(packed.read_bytes())
    misnamed = tmp_path / "plain.xml.gz"
    misnamed.write_bytes(path.read_bytes())
    for other in (swapped, misnamed):
        result = invoke("import", "mal", str(other), "--json", "--dry-run")
        assert result.exit_code == 0, result.stderr
        assert outcome(result) == outcome(plain)


def outcome(result: Result) -> dict[str, Any]:
    """A --json summary without the file names in it."""
    report = json.loads(result.stdout)
    entries = [{k: v for k, v in e.items() if k != "from"} for e in report["entries"]]
    return {"read": report["read"], "created": report["created"], "entries": entries}


# --- both 2024-layout exports: counts, idempotence, broken files -------------------------------


def test_every_anime_is_one_entry_with_the_mapped_kind_status_and_score(
    imported: Imported,
) -> None:
    report, entries = imported.report, imported.entries
    elements = animes(imported.export)
    assert report["created"] == len(elements) == len(entries) and report["skipped"] == 0
    planned = 0
    for anime in elements:
        entry = entries[text(anime, "series_animedb_id")]
        assert entry.title == text(anime, "series_title")
        assert entry.status == STATUS_OF[text(anime, "my_status")]
        assert entry.kind == KIND_OF[text(anime, "series_type")]
        score = int(text(anime, "my_score"))
        assert entry.score == (score if score and entry.status != "planned" else None)
        # Only a finished title has a viewing: on its finish date, else (completed) its start.
        finish, start = known(text(anime, "my_finish_date")), known(text(anime, "my_start_date"))
        day = finish or (start if entry.status == "watched" else None)
        assert entry.watched == ([day] if day and entry.status != "planned" else [])
        tags = [t.strip() for t in text(anime, "my_tags").split(",") if t.strip()]
        assert entry.tags == ["anime", *tags] and entry.year is None
        # Comments are plain text kept as safe Markdown: a '<' that would open a tag is '&lt;'.
        comment = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text(anime, "my_comments"))
        assert entry.review == (comment + "\n" if comment else None)
        planned += entry.status == "planned"
    assert report["read"]["planned"] == planned
    assert report["read"]["viewings"] == sum(len(e.watched) for e in entries.values())


def test_a_plan_to_watch_title_has_no_score_and_no_viewing(imported: Imported) -> None:
    anime = next(a for a in animes(imported.export) if text(a, "my_status") == "Plan to Watch")
    entry = imported.entries[text(anime, "series_animedb_id")]
    assert (entry.status, entry.score, entry.watched) == ("planned", None, [])
    assert entry.ids == {"mal": text(anime, "series_animedb_id")}
    written = (imported.folder / f"{entry.slug}.toml").read_text(encoding="utf-8")
    assert "score" not in written and 'status = "planned"' in written


def test_a_finished_title_has_its_finish_date_as_the_viewing(imported: Imported) -> None:
    anime = next(a for a in animes(imported.export) if known(text(a, "my_finish_date")))
    entry = imported.entries[text(anime, "series_animedb_id")]
    assert entry.watched == [known(text(anime, "my_finish_date"))]
    assert entry.score == int(text(anime, "my_score"))


def test_importing_again_changes_nothing(imported: Imported) -> None:
    folder, report = imported.folder, imported.report
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.toml")}
    again = run("-j", str(folder), "import", "mal", str(imported.export), "--json")
    assert again.exit_code == 0, again.stderr
    second = json.loads(again.stdout)
    assert (second["created"], second["merged"]) == (0, 0)
    assert second["unchanged"] == report["created"]
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.toml")}
    assert after == before


def test_a_gzip_that_expands_past_the_limit_is_refused(
    invoke: Invoke,
    tmp_path: Path,
    journal_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    export: Path,
) -> None:
    packed = tmp_path / "animelist.xml.gz"
    packed.write_bytes(gzip.compress(export.read_bytes()))
    # The real limit is 200 MB; one below the expanded size, and above the packed size, shows
    # the refusal of the expansion without a huge file.
    limit = export.stat().st_size - 1
    assert packed.stat().st_size < limit
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", limit)
    result = invoke("import", "mal", str(packed))
    assert result.exit_code == 2 and f"the limit is {limit:,}" in result.stderr
    assert not journal_dir.exists()


def test_a_malformed_element_mid_file_is_skipped_by_number(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, export: Path
) -> None:
    source = export.read_text(encoding="utf-8")
    elements = animes(export)
    victim = len(elements) // 2
    victim_id = text(elements[victim], "series_animedb_id")
    marker = f"<series_animedb_id>{victim_id}</series_animedb_id>"
    assert source.count(marker) == 1
    start = source.index(marker)
    status_at = source.index("<my_status>", start)
    end = source.index("</my_status>", status_at)
    broken = source[:status_at] + "<my_status>Sleeping" + source[end:]
    path = tmp_path / "animelist.xml"
    path.write_text(broken, encoding="utf-8")
    report = imported_report(invoke, "mal", path)
    assert report["skipped_rows"] == [
        {
            "where": f"animelist.xml anime element {victim + 1}",
            "title": text(elements[victim], "series_title"),
            "reason": "my_status: 'Sleeping' is not a MyAnimeList status",
        }
    ]
    assert report["created"] == len(elements) - 1 == len(list(journal_dir.glob("*.toml")))


def test_broken_xml_and_other_lists_are_refused(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, export: Path
) -> None:
    truncated = tmp_path / "cut.xml"
    data = export.read_bytes()
    truncated.write_bytes(data[: min(5000, len(data) // 2)])
    result = invoke("import", "mal", str(truncated))
    assert result.exit_code == 2 and "not well-formed XML" in result.stderr
    assert "line" in result.stderr
    manga = tmp_path / "mangalist.xml"
    manga.write_text(
        "<myanimelist><manga><manga_mangadb_id>1</manga_mangadb_id></manga></myanimelist>"
    )
    result = invoke("import", "mal", str(manga))
    assert result.exit_code == 2 and "manga list" in result.stderr
    other = tmp_path / "feed.xml"
    other.write_text("<rss><channel/></rss>")
    result = invoke("import", "mal", str(other))
    assert result.exit_code == 2 and "not a MyAnimeList export" in result.stderr
    assert not journal_dir.exists()


# --- hostile XML --------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE myanimelist [
  <!ENTITY a "aaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
  <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
  <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<myanimelist><anime><series_animedb_id>1</series_animedb_id>
<series_title>&f;</series_title><series_type>TV</series_type>
<my_status>Completed</my_status><my_score>7</my_score></anime></myanimelist>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE myanimelist [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<myanimelist><anime><series_animedb_id>1</series_animedb_id>
<series_title>&secret;</series_title><my_status>Completed</my_status></anime></myanimelist>
"""


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["expansion", "external"]
)
def test_entity_tricks_are_refused_and_nothing_is_written(
    invoke: Invoke, tmp_path: Path, sample_journal: Path, payload: str
) -> None:
    before = {p.name: p.read_bytes() for p in sample_journal.iterdir() if p.is_file()}
    hostile = tmp_path / "animelist.xml"
    hostile.write_text(payload, encoding="utf-8")
    result = invoke("import", "mal", str(hostile))
    assert result.exit_code == 2
    assert "refused for safety" in result.stderr and result.stdout == ""
    after = {p.name: p.read_bytes() for p in sample_journal.iterdir() if p.is_file()}
    assert after == before and not (sample_journal / ".watchbook").exists()


# --- what an element holds that an entry cannot: control characters, impossible dates ----------


def test_control_characters_in_comments_are_cleaned_and_the_title_kept(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    # XML cannot hold most C0 controls, but C1 ones, a line separator and bidi embedding marks
    # it can; they once dropped the whole title.
    comments = "Great\x85second line\u2028third: \u202bعربي\u202c and \x9bsome\x7f."
    export = tmp_path / "animelist.xml"
    export.write_text(_animelist(_anime(
        5, "Dorohedoro", "TV", "Completed", series_episodes=12, my_watched_episodes=12,
        my_finish_date="2020-03-01", my_score=8, my_comments=f"<![CDATA[{comments}]]>",
        my_tags="action, Action, Gore",
    )), encoding="utf-8")  # fmt: skip
    report = imported_report(invoke, "mal", export)
    assert (report["created"], report["skipped_rows"]) == (1, [])
    assert report["notes"] == [
        "animelist.xml anime element 1 (Dorohedoro): review cleaned: 4 control or bidi "
        "formatting characters removed, 2 vertical tabs, form feeds or line separators made "
        "line breaks"
    ]
    entry = Journal(journal_dir).get("dorohedoro")
    assert entry.review == "Great\nsecond line\nthird: عربي and some.\n"
    assert (entry.score, entry.watched) == (8, [D(2020, 3, 1)])
    # Tags differing only in case are one tag: the first spelling is kept.
    assert entry.tags == ["anime", "action", "Gore"]


def test_a_finish_date_in_the_future_is_left_out_with_a_note(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    export = tmp_path / "animelist.xml"
    export.write_text(_animelist(_anime(
        6, "Tekkon Kinkreet", "Movie", "Completed", my_watched_episodes=1,
        my_finish_date="2999-01-01", my_score=9,
    )), encoding="utf-8")  # fmt: skip
    report = imported_report(invoke, "mal", export)
    assert (report["created"], report["skipped_rows"]) == (1, [])
    assert report["notes"] == [
        "animelist.xml anime element 1 (Tekkon Kinkreet): viewing of 2999-01-01 left out: it "
        "is in the future"
    ]
    entry = Journal(journal_dir).get("tekkon-kinkreet")
    assert (entry.status, entry.score, entry.watched) == ("watched", 9, [])


def test_a_date_that_cannot_be_is_reported_with_its_value(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    export = tmp_path / "animelist.xml"
    export.write_text(_animelist(_anime(
        7, "Akira", "Movie", "Completed", my_start_date="2024-13-01",
    )), encoding="utf-8")  # fmt: skip
    report = json.loads(invoke("import", "mal", str(export), "--json").stdout)
    (skipped,) = report["skipped_rows"]
    assert skipped["reason"] == "my_start_date: '2024-13-01' is not a date (month must be in 1..12)"
