"""Import merging and safety: hand-written entries, matching rules, interrupted and concurrent
imports, dry runs, the HTML converter, zip member names and the summary's rendering.

The tests that import export files run on the project's own (tests/fixtures) everywhere, and on
the real exports in ../shared/fixtures as well when they are there (CI).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import threading
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, Invoke
from tests.importing import no_fsync as no_fsync
from watchbook.entry import Entry, Viewing
from watchbook.errors import Conflict
from watchbook.importers import merge, run_import
from watchbook.importers.entry_merge import describe_changes, merge_into
from watchbook.importers.files import unsafe_member_name
from watchbook.importers.markup import html_to_markdown
from watchbook.importers.merge import Outcome, Parsed, Record, Skipped, plan_import
from watchbook.importers.records import make_record
from watchbook.journal import Journal
from watchbook.progress import Progress
from watchbook.render import reports as render
from watchbook.validation import validate

LETTERBOXD = FIXTURES / "letterboxd"
IMDB = FIXTURES / "imdb" / "ratings.csv"


@pytest.fixture(params=["project", "real"])
def letterboxd_export(request: pytest.FixtureRequest) -> Path:
    """A Letterboxd export folder: the project's own, and the real one when it is there."""
    if request.param == "real":
        return request.getfixturevalue("real_exports") / "letterboxd"  # type: ignore[no-any-return]
    return LETTERBOXD


@pytest.fixture(params=["project", "real"])
def imdb_export(request: pytest.FixtureRequest) -> Path:
    """An IMDb 2021-layout ratings file: the project's own, and the real one when it is there."""
    if request.param == "real":
        return request.getfixturevalue("real_exports") / "imdb" / "ratings.csv"  # type: ignore[no-any-return]
    return IMDB


def letterboxd_subset(folder: Path, export: Path, keep: Callable[[dict[str, str]], bool]) -> Path:
    """An export's files with only the rows `keep` accepts (same header, same quoting)."""
    folder.mkdir(parents=True, exist_ok=True)
    for source in export.glob("*.csv"):
        with source.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            kept = [row for row in reader if keep(row)]
            header = reader.fieldnames or []
        with (folder / source.name).open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=header)
            writer.writeheader()
            writer.writerows(kept)
    return folder


def imdb_rows(export: Path, keep: Callable[[dict[str, str]], bool]) -> list[dict[str, str]]:
    text = export.read_bytes().decode("cp1252")
    return [row for row in csv.DictReader(io.StringIO(text, newline="")) if keep(row)]


def write_ratings(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def imdb_subset(path: Path, export: Path, keep: Callable[[dict[str, str]], bool]) -> Path:
    """A ratings CSV holding only some of an export's rows."""
    return write_ratings(path, imdb_rows(export, keep))


def toml(folder: Path, slug: str) -> dict[str, object]:
    return tomllib.loads((folder / f"{slug}.toml").read_text(encoding="utf-8"))


# --- merging into hand-written entries --------------------------------------------------------


def test_merging_into_a_hand_written_entry_keeps_its_review_and_score(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, letterboxd_export: Path
) -> None:
    before = toml(sample_journal, "the-matrix-1999")
    export = letterboxd_subset(
        tmp_path / "lb", letterboxd_export, lambda row: row["Name"] == "The Matrix"
    )
    with (export / "diary.csv").open(newline="", encoding="utf-8") as handle:
        diary = list(csv.DictReader(handle))
    with (export / "watched.csv").open(newline="", encoding="utf-8") as handle:
        (film,) = csv.DictReader(handle)
    result = invoke("import", "letterboxd", str(export))
    assert result.exit_code == 0, result.stderr
    after = toml(sample_journal, "the-matrix-1999")
    assert after["review"] == before["review"] and after["score"] == before["score"]
    assert after["verdict"] == before["verdict"] and after["aliases"] == before["aliases"]
    new_days = {dt.date.fromisoformat(row["Watched Date"]) for row in diary}
    days = {v["date"] if isinstance(v, dict) else v for v in after["watched"]}  # type: ignore[attr-defined]
    assert days == set(before["watched"]) | new_days  # type: ignore[call-overload]
    assert after["ids"] == {"letterboxd": film["Letterboxd URI"]}
    assert set(after["tags"]) >= set(before["tags"]) | {"in-theaters"}  # type: ignore[call-overload]
    assert "merged The Matrix (1999) [the-matrix-1999]: +1 viewing, tags +2, ids" in result.stdout
    assert (
        "kept in The Matrix (1999) [the-matrix-1999]: score: kept 9.5/10 (import says 10/10)"
        in result.stdout
    )
    assert "review: kept the journal's review" in result.stdout
    assert "created 0, merged 1, unchanged 0, ambiguous 0, skipped 0" in result.stdout
    # Again: nothing changes, and the differences are still reported.
    written = (sample_journal / "the-matrix-1999.toml").read_bytes()
    again = invoke("import", "letterboxd", str(export))
    assert "created 0, merged 0, unchanged 1, ambiguous 0, skipped 0" in again.stdout
    assert "score: kept 9.5/10" in again.stdout
    assert (sample_journal / "the-matrix-1999.toml").read_bytes() == written


def test_a_planned_entry_becomes_watched_and_gets_the_imported_score(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, imdb_export: Path
) -> None:
    assert toml(sample_journal, "cloud-atlas-2012")["status"] == "planned"

    def cloud_atlas(row: dict[str, str]) -> bool:
        return row["Title"] == "Cloud Atlas"

    ratings = imdb_subset(tmp_path / "ratings.csv", imdb_export, cloud_atlas)
    (row,) = imdb_rows(imdb_export, cloud_atlas)
    result = invoke("import", "imdb", str(ratings))
    assert result.exit_code == 0, result.stderr
    after = toml(sample_journal, "cloud-atlas-2012")
    assert after["status"] == "watched" and after["score"] == int(row["Your Rating"])
    assert after["watched"] == [dt.date.fromisoformat(row["Date Rated"])]
    assert after["ids"] == {"imdb": row["Const"]}
    # The hand-written creators stay first; IMDb's directors join without duplicates.
    directors = [d.strip() for d in row["Directors"].split(",")]
    assert after["creators"][:3] == ["Tom Tykwer", "Lana Wachowski", "Lilly Wachowski"]  # type: ignore[index]
    assert set(after["creators"]) == {"Tom Tykwer", "Lana Wachowski", "Lilly Wachowski", *directors}  # type: ignore[call-overload]


def entry(title: str, **fields: object) -> Entry:
    return validate(Entry(title=title, **fields))  # type: ignore[arg-type]


def test_merge_rules_add_what_is_missing_and_never_replace() -> None:
    have = entry(
        "Blame!",
        year=2017,
        score=6,
        review="Great premise.",
        watched=[dt.date(2017, 5, 22)],
        tags=["Sci-Fi"],
        creators=["Polygon Pictures Inc."],
    )
    new = entry(
        "Blame!",
        year=2017,
        kind="movie",
        score=7,
        review="Great premise.\n\nSecond viewing: still great.",
        watched=[dt.date(2017, 5, 22), dt.date(2017, 5, 22), dt.date(2020, 1, 1)],
        tags=["sci-fi", "anime"],
        creators=["Polygon Pictures"],
        ids={"imdb": "tt6574146"},
    )
    merged, kept = merge_into(have, new)
    assert merged.score == 6 and kept == ["score: kept 6/10 (import says 7/10)"]
    # A review the import only extends is taken: nothing the user wrote is lost.
    assert merged.review == "Great premise.\n\nSecond viewing: still great.\n"
    # The same day twice in the export is two viewings; the one already there is not added again.
    assert merged.watched == [dt.date(2017, 5, 22), dt.date(2017, 5, 22), dt.date(2020, 1, 1)]
    assert merged.tags == ["Sci-Fi", "anime"] and merged.creators == ["Polygon Pictures Inc."]
    assert merged.kind == "movie" and merged.ids == {"imdb": "tt6574146"}
    other = entry("Blame!", review="Something else entirely.")
    merged, kept = merge_into(have, other)
    assert merged.review == "Great premise.\n" and kept[-1].startswith("review: kept")
    # A dropped title stays dropped; the import's different status is reported.
    dropped = entry("Blame!", status="dropped")
    merged, kept = merge_into(dropped, entry("Blame!", watched=[dt.date(2020, 1, 1)]))
    assert merged.status == "dropped" and kept == ["status: kept dropped (import says watched)"]


def plan(existing: list[Entry], *records: Entry) -> tuple[dict[str, str], list[Skipped]]:
    parsed = Parsed("test", records=[Record(r, f"row {i}") for i, r in enumerate(records, 1)])
    outcomes, skipped = plan_import(existing, parsed, [e.slug for e in existing])
    return {o.entry.slug: o.action for o in outcomes}, skipped


def test_matching_uses_ids_first_then_title_and_year() -> None:
    renamed = entry("My own title for it", slug="mine", year=1999, ids={"imdb": "tt0133093"})
    matrix = entry("The Matrix", slug="the-matrix-1999", year=1999)
    titan = entry(
        "Attack on Titan",
        slug="attack-on-titan-2013",
        year=2013,
        kind="series",
        aliases=["Shingeki no Kyojin"],
    )
    monster_film = entry("Monster", slug="monster-2003", year=2003, kind="movie")
    existing = [renamed, matrix, titan, monster_film]
    actions, skipped = plan(
        existing,
        entry("The Matrix", year=1999, ids={"imdb": "tt0133093"}, watched=[dt.date(2020, 1, 1)]),
        entry("Matrix, The", year=1999, watched=[dt.date(2021, 1, 1)]),
        entry("The Matrix", year=2021),
        entry("Shingeki no Kyojin", kind="series", ids={"mal": "16498"}),
        entry("Monster", kind="series", ids={"mal": "19"}),
    )
    assert skipped == []
    assert actions["mine"] == "merged"  # the id wins over a different title
    assert actions["the-matrix-1999"] == "merged"  # 'Matrix, The' is the same title
    assert actions["the-matrix-2021"] == "created"  # another year is another film
    assert actions["attack-on-titan-2013"] == "merged"  # by alias, no year needed
    # A TV series without a year never merges into a film of the same name.
    assert actions["monster"] == "created" and "monster-2003" not in actions


def test_a_different_id_or_several_candidates_never_merge() -> None:
    first = entry("Death Note", slug="death-note-2006", year=2006, ids={"imdb": "tt0758742"})
    twin_a = entry("Solaris", slug="solaris", year=None)
    twin_b = entry("Solaris", slug="solaris-2", year=None)
    actions, skipped = plan(
        [first, twin_a, twin_b],
        entry("Death Note", year=2006, ids={"imdb": "tt0807712"}),
        entry("Solaris", year=1972, ids={"imdb": "tt0069293"}),
    )
    assert actions == {"death-note-2006-2": "created"}
    (ambiguous,) = skipped
    assert ambiguous.where == "row 2" and "matches several journal entries" in ambiguous.reason
    assert 'add ids.imdb = "tt0069293" to the right one' in ambiguous.reason


def test_titles_of_several_years_never_take_an_entry_without_a_year() -> None:
    # The journal's 'Solaris' has no year; the export has the 1972 and the 2002 film. Whichever
    # came first used to take it (and set its year), and the other became a new entry.
    mine = entry("Solaris", slug="solaris", kind="movie", verdict="Clooney in space.")
    jaws = entry("Jaws", slug="jaws", kind="movie")
    actions, skipped = plan(
        [mine, jaws],
        entry("Solaris", year=1972, ids={"letterboxd": "sol72"}),
        entry("Solaris", year=2002, ids={"letterboxd": "sol02"}),
        entry("Solaris", year=2002, ids={"letterboxd": "sol02"}, watched=[dt.date(2020, 1, 2)]),
        entry("Jaws", year=1975, ids={"letterboxd": "jaws"}),
    )
    # One title of one year still fills the year in.
    assert actions == {"jaws": "merged"}
    assert [s.where for s in skipped] == ["row 1", "row 2", "row 3"]
    assert {s.outcome for s in skipped} == {"ambiguous"}
    assert skipped[0].reason == (
        "matches Solaris [solaris], which has no year, as do titles of other years in this "
        "export (1972, 2002); add the year to it and import again"
    )


def test_a_record_that_cannot_merge_is_left_out_and_the_import_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from watchbook.errors import InvalidValue

    real = merge.merge_into

    def refuses_akira(have: Entry, new: Entry) -> tuple[Entry, list[str]]:
        if have.title == "Akira":
            raise InvalidValue("episodes", "a movie has no episodes")
        return real(have, new)

    monkeypatch.setattr(merge, "merge_into", refuses_akira)
    akira = entry("Akira", slug="akira-1988", year=1988, kind="movie")
    jaws = entry("Jaws", slug="jaws-1975", year=1975, kind="movie")
    actions, skipped = plan(
        [akira, jaws], entry("Akira", year=1988), entry("Jaws", year=1975), entry("Heat", year=1995)
    )
    assert actions == {"jaws-1975": "unchanged", "heat-1995": "created"}
    (left_out,) = skipped
    assert (left_out.where, left_out.outcome) == ("row 1", "skipped")
    assert left_out.reason == (
        "cannot be merged into Akira (1988) [akira-1988]: episodes: a movie has no episodes"
    )


# --- interrupted, concurrent and dry runs -----------------------------------------------------


def many_ratings(count: int) -> list[dict[str, str]]:
    """`count` rows of the project's ratings file, again and again, each copy a title of its own."""
    base = imdb_rows(IMDB, lambda row: row["Title Type"] != "videoGame")
    rows = []
    for number in range(count):
        row = dict(base[number % len(base)])
        row["Const"] = f"tt7{number:07d}"
        row["Title"] = f"{row['Title']} (copy {number // len(base) + 1})"
        rows.append(row)
    return rows


@pytest.mark.parametrize("source", ["project", "real"])
def test_an_interrupted_import_finishes_when_run_again(
    tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, source: str
) -> None:
    if source == "real":
        export = request.getfixturevalue("real_exports") / "imdb" / "ratings.csv"
        rows = imdb_rows(export, lambda row: row["Year"] < "1990")
    else:
        rows = many_ratings(200)
    ratings = write_ratings(tmp_path / "ratings.csv", rows)
    total = len(rows)
    assert total > 150
    journal = Journal(tmp_path / "journal")
    # Ctrl-C must find writes still waiting: on a loaded machine the writers could otherwise
    # finish every file before the main thread sees the 50th. So every write after the 60th
    # waits until the import has cancelled the writes not yet started (30 s at most: without
    # that cancelling they all go ahead and the counts below fail).
    cancelled = threading.Event()
    started = itertools.count(1)
    real_write, real_shutdown = merge._write, ThreadPoolExecutor.shutdown

    def write_after_the_60th_waits(journal: Journal, outcome: Outcome) -> Skipped | None:
        if next(started) > 60:
            cancelled.wait(timeout=30)
        return real_write(journal, outcome)

    def shutdown(
        self: ThreadPoolExecutor, wait: bool = True, *, cancel_futures: bool = False
    ) -> None:
        real_shutdown(self, wait=False, cancel_futures=cancel_futures)
        if cancel_futures:
            cancelled.set()
        real_shutdown(self, wait=wait)

    monkeypatch.setattr(merge, "_write", write_after_the_60th_waits)
    monkeypatch.setattr(ThreadPoolExecutor, "shutdown", shutdown)

    def ctrl_c(done: int, todo: int) -> None:
        # Ctrl-C arrives in the main thread while the writers are busy.
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_import(journal, "imdb", ratings, progress=ctrl_c)
    assert cancelled.is_set()
    written = len(journal.files())
    # The first 50 are done; of the rest, only writes already started (one per writer) follow.
    assert 50 <= written <= 60 + merge.WRITERS < total
    monkeypatch.setattr(merge, "_write", real_write)
    monkeypatch.setattr(ThreadPoolExecutor, "shutdown", real_shutdown)
    assert [p.name for p in journal.path.iterdir() if p.name.endswith(".tmp")] == []
    assert Journal(journal.path).load_all().problems == []
    report = run_import(Journal(journal.path), "imdb", ratings)
    assert (report.count("created"), report.count("unchanged")) == (total - written, written)
    assert len(journal.files()) == total


def test_a_file_edited_during_the_import_is_left_alone_and_reported(
    invoke: Invoke,
    sample_journal: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    imdb_export: Path,
) -> None:
    wanted = {"The Matrix", "Jupiter Ascending", "Cloud Atlas"}
    ratings = imdb_subset(tmp_path / "ratings.csv", imdb_export, lambda row: row["Title"] in wanted)
    before = (sample_journal / "jupiter-ascending-2015.toml").read_bytes()
    real_update = Journal.update

    def someone_saved_it(self: Journal, item: Entry) -> Path:
        if item.slug == "jupiter-ascending-2015":
            raise Conflict(
                f"{item.slug}.toml was changed by someone else since it was read; nothing was changed"
            )
        return real_update(self, item)

    monkeypatch.setattr(Journal, "update", someone_saved_it)
    result = invoke("import", "imdb", str(ratings))
    assert result.exit_code == 0, result.stderr
    assert "created 0, merged 2, unchanged 0, ambiguous 0, skipped 1" in result.stdout
    assert (
        "skipped ratings.csv line" in result.stdout and "changed by someone else" in result.stdout
    )
    assert (sample_journal / "jupiter-ascending-2015.toml").read_bytes() == before
    assert "imdb" in toml(sample_journal, "cloud-atlas-2012")["ids"]  # type: ignore[operator]


def test_a_dry_run_writes_nothing(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, imdb_export: Path
) -> None:
    ratings = imdb_subset(tmp_path / "ratings.csv", imdb_export, lambda row: row["Year"] == "1999")
    before = {p.name: p.read_bytes() for p in sample_journal.iterdir() if p.is_file()}
    result = invoke("import", "imdb", str(ratings), "--dry-run")
    assert result.exit_code == 0, result.stderr
    count = len(imdb_rows(imdb_export, lambda row: row["Year"] == "1999"))
    assert count > 2
    assert f"would create {count - 1:,}, merge 1; 0 unchanged, 0 ambiguous, 0 skipped" in (
        result.stderr
    )
    assert "Dry run: nothing was written." in result.stderr
    # One line per title on stdout: the one merged says what it would add.
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert sorted(line[0] for line in lines) == ["merged"] + ["new"] * (count - 1)
    merged = next(line for line in lines if line[0] == "merged")
    assert merged[1:3] == ["The Matrix (1999)", "the-matrix-1999"]
    # The day it was rated is no viewing: the entry has its own.
    assert merged[4] == "ids, community; score: kept 9.5/10 (import says 10/10)"
    after = {p.name: p.read_bytes() for p in sample_journal.iterdir() if p.is_file()}
    assert after == before and not (sample_journal / ".watchbook").exists()


def test_imported_entries_are_searchable_and_linked_by_their_directors(
    invoke: Invoke, tmp_path: Path, imdb_export: Path
) -> None:
    coen = imdb_subset(
        tmp_path / "ratings.csv", imdb_export, lambda row: "Joel Coen" in row["Directors"]
    )
    assert invoke("import", "imdb", str(coen)).exit_code == 0
    found = json.loads(invoke("search", "lebowski", "--json").stdout)
    assert found[0]["title"] == "The Big Lebowski"
    shown = json.loads(invoke("show", "Fargo", "--json").stdout)
    linked = {link["to"] for link in shown["links"]} | {link["from"] for link in shown["backlinks"]}
    assert "the-big-lebowski-1998" in linked


# --- HTML, zip names, rendering ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("plain text & <3 stays as it is", "plain text & <3 stays as it is"),
        ("<b>bold</b> and <strong> strong </strong>", "**bold** and  **strong** "),
        ("<i>it</i> <em>em</em>", "*it* *em*"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("<p>first</p><p>second</p>", "first\n\nsecond"),
        ('<a href="https://boxd.it/29Nu">The Shining</a>', "[The Shining](https://boxd.it/29Nu)"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("Tom &amp; Jerry &eacute;t&eacute; &#8212; fin", "Tom & Jerry été — fin"),
        ("said <blockquote>a\nquote</blockquote>after", "said\n\n> a\n> quote\n\nafter"),
        ("<span class='x'>dropped tag</span><script>alert(1)</script>", "dropped tag"),
        ("<b>unclosed", "**unclosed**"),
    ],
)
def test_review_html_becomes_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(
    ("name", "unsafe"),
    [
        ("diary.csv", False),
        ("export/diary.csv", False),
        ("../x.csv", True),
        ("a/../../x.csv", True),
        ("/etc/passwd", True),
        ("C:/x.csv", True),
        ("a\\..\\x.csv", True),
    ],
)
def test_zip_member_names_that_escape_are_refused(name: str, unsafe: bool) -> None:
    assert (unsafe_member_name(name) is not None) == unsafe


def test_the_summary_on_a_terminal_is_styled_and_cut_short(
    invoke: Invoke,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    imdb_export: Path,
) -> None:
    lines = imdb_export.read_bytes().decode("cp1252").splitlines(keepends=True)
    # 40 rows (the small file's rows repeat) with a ';' for their first ',': 40 skipped rows.
    rows = itertools.islice(itertools.cycle(lines[1:]), 40)
    broken = [lines[0], *(line.replace(",", ";", 1) for line in rows)]
    path = tmp_path / "ratings.csv"
    path.write_text("".join(broken), encoding="utf-8")
    report = run_import(Journal(tmp_path / "journal"), "imdb", path)
    assert len(report.skipped) == 40
    monkeypatch.setattr(render, "is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    render.print_import_report(report)
    out = capsys.readouterr().out
    assert "created 0, merged 0, unchanged 0, ambiguous 0, skipped 40" in out
    assert f"… and {40 - render.IMPORT_LIST_LIMIT} more (--json lists them all)" in out
    # A dry run is a preview: every title, one line each, and the summary on stderr.
    report.dry_run = True
    render.print_import_report(report)
    preview = capsys.readouterr()
    assert preview.out.count("skipped ") == 40 and "more (--json" not in preview.out
    assert "would create 0, merge 0; 0 unchanged, 0 ambiguous, 40 skipped" in preview.err


# --- series: episodes, the run under way, undated rewatches ------------------------------------


def test_merging_series_fields_only_moves_them_forward() -> None:
    have = Entry(
        "Dark", kind="series", status="watching", episodes=26, progress=Progress(6), rewatches=2
    )
    # An older export: fewer episodes known, less progress, fewer rewatches. Nothing goes back.
    older = Entry("Dark", kind="series", status="watching", episodes=20, progress=Progress(4))
    merged, kept = merge_into(have, older)
    assert (merged.episodes, merged.progress, merged.rewatches) == (26, Progress(6), 2)
    assert kept == ["episodes: kept 26 (import says 20)"]
    # A newer one: the count grows (a show still airing), the run moves on, more rewatches.
    newer = Entry(
        "Dark",
        kind="series",
        status="watching",
        episodes=30,
        progress=Progress(9, dt.date(2024, 1, 2)),
        rewatches=3,
    )
    merged, kept = merge_into(have, newer)
    assert (merged.episodes, merged.progress, merged.rewatches) == (
        30,
        Progress(9, dt.date(2024, 1, 2)),
        3,
    )
    assert kept == []
    # The same run, now with the day of its last episode, counts as further on.
    dated = Entry(
        "Dark", kind="series", status="watching", progress=Progress(6, dt.date(2024, 1, 2))
    )
    assert merge_into(have, dated)[0].progress == Progress(6, dt.date(2024, 1, 2))


def test_a_finished_entry_takes_no_run_from_an_older_export() -> None:
    have = Entry("Dark", kind="series", status="watched", watched=[dt.date(2020, 7, 27)])
    stale = Entry("Dark", kind="series", status="watching", progress=Progress(4))
    merged, kept = merge_into(have, stale)
    assert (merged.status, merged.progress) == ("watched", None)
    assert kept == ["status: kept watched (import says watching)"]


def test_a_file_that_is_not_part_of_an_export_is_refused_with_what_to_give(
    tmp_path: Path,
) -> None:
    from watchbook.errors import UnreadableImport
    from watchbook.importers import letterboxd, trakt
    from watchbook.importers.files import one_export_file

    given = tmp_path / "export.json"
    given.write_text("[]", encoding="utf-8")
    with pytest.raises(UnreadableImport) as short:
        one_export_file(given, letterboxd.FILES, "Letterboxd")
    assert str(short.value) == (
        f"{given}: is not a Letterboxd export: give the .zip as downloaded, the folder it "
        f"unpacks to, or one of its files ({', '.join(letterboxd.FILES)})"
    )
    with pytest.raises(UnreadableImport) as long:
        one_export_file(given, trakt.FILES, "Trakt")
    assert str(long.value).endswith(f"one of its files ({', '.join(trakt.FILES[:5])}, ...)")
    one = tmp_path / trakt.FILES[0]
    one.write_text("[]", encoding="utf-8")
    assert list(one_export_file(one, trakt.FILES, "Trakt")) == [trakt.FILES[0]]


# --- scores a plain viewing carries, names, progress keys ---------------------------------------


def test_an_only_viewing_in_the_short_form_keeps_the_score_it_carries() -> None:
    # `add --score 9 --watched 2021-12-11` writes a plain date, which carries the entry's 9. A
    # Letterboxd diary row rating that viewing 4 stars gave it `score = 8` of its own.
    day = dt.date(2021, 12, 11)
    have = entry("The Matrix", slug="the-matrix-1999", year=1999, kind="movie", score=9,
                 watched=[day])  # fmt: skip
    lb = {"letterboxd": "https://boxd.it/2lTLtp"}
    new = entry("The Matrix", year=1999, kind="movie", score=8, watched=[Viewing(day, 8)], ids=lb)
    merged, kept = merge_into(have, new)
    assert (merged.score, merged.viewings) == (9, [Viewing(day)])
    assert kept == ["score: kept 9/10 (import says 8/10)"]
    assert describe_changes(have, merged) == ["ids"]


def test_a_score_left_out_as_repeated_is_not_filled_in_by_a_later_import() -> None:
    # Letterboxd, then another service adding a viewing, then the same Letterboxd export: the
    # third import once gave the first viewing `score = 10` ("viewing scores").
    first, second = dt.date(2021, 12, 11), dt.date(2023, 5, 1)
    lb = entry("The Matrix", year=1999, kind="movie", score=10, watched=[Viewing(first, 10)],
               ids={"letterboxd": "https://boxd.it/2lTLtp"})  # fmt: skip
    trakt = entry("The Matrix", year=1999, kind="movie", score=10, watched=[second],
                  ids={"trakt": "481"})  # fmt: skip
    journal: list[Entry] = []
    for record in (lb, trakt, lb):
        parsed = Parsed("test", records=[Record(validate(record), "row 1")])
        outcomes, skipped = plan_import(journal, parsed, [e.slug for e in journal])
        assert skipped == []
        journal = [o.entry for o in outcomes]
    (outcome,) = outcomes
    assert (outcome.action, outcome.changes) == ("unchanged", [])
    # Once not the only viewing, the first keeps the score it carried, as `add --rewatch` has it.
    assert outcome.entry.viewings == [Viewing(first, 10), Viewing(second)]


def test_a_yearless_title_by_other_creators_is_not_a_dated_film_of_that_name() -> None:
    # An IMDb watchlist row 'Akira' without a year (an unreleased title, Taika Waititi's) took
    # the 1988 film's entry, its id and director; the real film's row then made akira-1988-2.
    akira = entry("Akira", slug="akira-1988", year=1988, kind="movie",
                  ids={"letterboxd": "https://boxd.it/2b1i"})  # fmt: skip
    otomo = entry("Akira", slug="akira-1988", year=1988, kind="movie",
                  creators=["Katsuhiro Otomo"])  # fmt: skip
    planned = entry("Akira", kind="movie", status="planned", creators=["Taika Waititi"],
                    ids={"imdb": "tt0200000"})  # fmt: skip
    film = entry("Akira", year=1988, kind="movie", score=9, watched=[dt.date(2020, 1, 1)],
                 creators=["Katsuhiro Ôtomo"], ids={"imdb": "tt0094625"})  # fmt: skip
    for have in (akira, otomo):
        actions, skipped = plan([have], planned, film)
        assert skipped == []
        assert actions == {"akira": "created", "akira-1988": "merged"}
    # A yearless title without creators (every MyAnimeList title) still finds the film, and so
    # does one sharing a creator with it.
    mal = entry("Akira", kind="movie", ids={"mal": "47"})
    shared = entry("Akira", kind="movie", creators=["Otomo Katsuhiro"], ids={"imdb": "tt0094625"})
    assert plan([otomo], mal)[0] == plan([otomo], shared)[0] == {"akira-1988": "merged"}


def test_the_imported_title_becomes_an_alias_when_it_matched_another_name() -> None:
    # MyAnimeList calls it 'Sen to Chihiro no Kamikakushi'; IMDb's row is 'Spirited Away', with
    # that Original Title. Merged, 'Spirited Away' was nowhere in the entry.
    have = entry("Sen to Chihiro no Kamikakushi", slug="sen-to-chihiro-no-kamikakushi",
                 kind="movie", ids={"mal": "199"})  # fmt: skip
    new = entry("Spirited Away", year=2001, kind="movie",
                aliases=["Sen to Chihiro no kamikakushi"], ids={"imdb": "tt0245429"})  # fmt: skip
    merged, _ = merge_into(have, new)
    assert merged.title == "Sen to Chihiro no Kamikakushi"
    assert merged.aliases == ["Spirited Away"]
    assert "aliases +1" in describe_changes(have, merged)
    # The same name give or take case, punctuation or a moved article is no alias.
    assert merge_into(have, entry("sen to chihiro no kamikakushi!"))[0].aliases == []
    assert merge_into(merged, new)[0] == merged


def test_a_run_moved_on_by_an_import_keeps_the_user_s_own_keys() -> None:
    mine = Progress(3, dt.date(2024, 11, 3), dt.date(2024, 11, 2), {"with": "Ann"})
    have = entry("Frieren", kind="series", status="watching", episodes=24, progress=mine)
    new = entry("Frieren", kind="series", status="watching", episodes=24,
                progress=Progress(5, started=dt.date(2024, 11, 2)))  # fmt: skip
    merged, _ = merge_into(have, new)
    assert merged.progress == Progress(5, None, dt.date(2024, 11, 2), {"with": "Ann"})


def test_tags_differing_only_in_case_are_one_tag_in_a_record() -> None:
    record = make_record("row 1", Entry("Alien", tags=["sci-fi", "Sci-Fi", "horror"]))
    assert record.entry.tags == ["sci-fi", "horror"]


def test_a_review_rid_of_control_characters_is_still_safe_markdown() -> None:
    from watchbook.importers.records import clean_review

    # Removing what kept them apart must not make a tag or a script link of the rest.
    text, note = clean_review("<\x1bscript>x</script> [a](java\u202bscript:alert(1)) ok\x0c")
    assert text == "&lt;script>x&lt;/script> [a]\\(javascript:alert(1)) ok\n"
    assert note == (
        "review cleaned: 2 control or bidi formatting characters removed, 1 vertical tab, "
        "form feed or line separator made a line break"
    )
    assert clean_review("Plain\ttext\r\nwith עברית") == ("Plain\ttext\r\nwith עברית", None)
