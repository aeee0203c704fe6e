"""`watchbook import letterboxd`, in two layers.

Field by field on the project's own small export (tests/fixtures/letterboxd), in every
environment; counts, idempotence, zips and real-data cases on both that export and the real one
in ../shared/fixtures/letterboxd, which only CI has (the `real_exports` fixture skips without it).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from tests import importing
from tests.conftest import FIXTURES, Invoke
from tests.importing import entries_of, imported_report, run, two_layers
from tests.importing import no_fsync as no_fsync
from watchbook.entry import Entry
from watchbook.importers import files
from watchbook.text import title_key

PROJECT = FIXTURES / "letterboxd"
FILM_FILES = ("watched.csv", "ratings.csv", "watchlist.csv")
LOG_FILES = ("diary.csv", "reviews.csv")
D = dt.date


def rows(export: Path, name: str) -> list[dict[str, str]]:
    with (export / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def key(row: dict[str, str]) -> tuple[str, int | None]:
    return title_key(row["Name"]), int(row["Year"]) if row["Year"] else None


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.toml"))
    }


def import_once(export: Path, folder: Path) -> Imported:
    return importing.import_once("letterboxd", export, folder, list)


Imported = importing.Imported[list[Entry]]
project_import, real_import, imported, export = two_layers(PROJECT, "letterboxd", import_once)


def by_title(entries: list[Entry], title: str, year: int | None) -> list[Entry]:
    return [e for e in entries if e.title == title and e.year == year]


def one(entries: list[Entry], title: str, year: int | None) -> Entry:
    (found,) = by_title(entries, title, year)
    return found


def uri(code: str) -> str:
    """A film URI of the project's export (invented codes)."""
    return f"https://boxd.it/wb{code}"


# --- the project's export, field by field ------------------------------------------------------


def test_a_rewatched_film_has_every_viewing_its_rating_tags_uri_and_dated_reviews(
    project_import: Imported,
) -> None:
    jaws = one(project_import.entries, "Jaws", 1975)
    # Three diary rows (two marked Rewatch), each its own viewing on its Watched Date.
    assert jaws.watched == [D(2019, 6, 20), D(2021, 7, 4), D(2023, 6, 20)]
    # ratings.csv says 4.5 stars; the latest diary row's 4 stars does not override it.
    assert jaws.score == 9
    assert jaws.ids == {"letterboxd": uri("02")}
    assert (jaws.kind, jaws.status, jaws.year) == ("movie", "watched", 1975)
    # Tags of the diary rows, then of the review rows, each once, in order of first use.
    assert jaws.tags == ["summer", "at-home", "in-theaters", "35mm", "outdoor-screening"]
    # Two reviews: sections headed by their viewing's date, oldest first (the file has the
    # newer one first), the HTML one as Markdown, the multi-line one with its blank line.
    assert jaws.review == (
        "**2021-07-04**\n\n"
        "Outdoor screening by the harbour. *Everyone* flinched at the head in the boat & then "
        "laughed at themselves.\n\n"
        "**2023-06-20**\n\n"
        "Fourth time, first time on 35mm, and the print had a scratch running through the "
        "Indianapolis speech, which somehow made it better.\n\n"
        'The "You\'re gonna need a bigger boat" laugh still arrives right on cue. The crowd '
        "applauded the barrels.\n"
    )


def test_the_viewing_is_the_watched_date_not_the_logged_date(project_import: Imported) -> None:
    entries = project_import.entries
    # Logged on 2019-01-02, watched in 2004.
    soylent = one(entries, "Soylent Green", 1973)
    assert soylent.watched == [D(2004, 3, 12)] and soylent.tags == ["dystopia-night"]
    # 2001: logged the day after.
    assert one(entries, "2001: A Space Odyssey", 1968).watched == [D(2021, 8, 14)]
    # Heat: a 2017 viewing logged in 2022 (after the 2021 one) sorts first all the same.
    assert one(entries, "Heat", 1995).watched == [D(2017, 5, 1), D(2021, 1, 9)]


def test_without_a_ratings_row_the_latest_viewing_gives_the_score(
    project_import: Imported,
) -> None:
    entries = project_import.entries
    # Heat's latest viewing (2021, 4.5 stars) counts, not the row logged last (2022, for a
    # 2017 viewing, 3 stars).
    assert one(entries, "Heat", 1995).score == 9
    # One diary row, no ratings.csv row.
    assert one(entries, "Blade Runner", 1982).score == 8
    assert one(entries, "Static", 2017).score == 2
    # Logged without stars: no score at all.
    back = one(entries, "Back to the Future", 1985)
    assert back.score is None and back.watched == [D(2012, 7, 4)]


def test_half_star_ratings_double_to_scores_from_1_to_10(project_import: Imported) -> None:
    entries = project_import.entries
    by_uri = {e.ids.get("letterboxd"): e for e in entries}
    # From ratings.csv: 0.5 to 5 stars.
    expected = {
        "37": 1,  # 0.5
        "42": 3,  # 1.5
        "44": 4,  # 2
        "38": 5,  # 2.5
        "14": 6,  # 3
        "01": 7,  # 3.5
        "12": 8,  # 4
        "27": 9,  # 4.5
        "03": 10,  # 5
    }
    assert {code: by_uri[uri(code)].score for code in expected} == expected


def test_a_rewatch_whose_first_viewing_was_never_logged_is_one_viewing(
    project_import: Imported,
) -> None:
    thing = one(project_import.entries, "The Thing", 1982)
    assert thing.watched == [D(2015, 1, 9)] and thing.score == 9


def test_a_review_row_is_its_diary_row_s_viewing_not_a_second_one(
    project_import: Imported,
) -> None:
    entries = project_import.entries
    # Same log URI as the diary row.
    matrix = one(entries, "The Matrix", 1999)
    assert matrix.watched == [D(2021, 12, 21)] and matrix.score == 10
    assert matrix.tags == ["in-theaters", "with-friends"]
    assert matrix.review == (
        "Back on a big screen for the new sequel. The lobby scene still gets applause, and the "
        "green tint looks deliberate rather than dated.\n"
    )
    # Neither row has a URI: the same film and dates make them one viewing.
    groundhog = one(entries, "Groundhog Day", 1993)
    assert groundhog.watched == [D(2020, 2, 2)] and groundhog.ids == {"letterboxd": uri("13")}
    assert groundhog.review == (
        "Watched it on the day, obviously. Will probably watch it again tomorrow.\n"
    )
    # A review row with no diary row is a viewing of its own.
    drive = one(entries, "Drive", 2011)
    assert (drive.watched, drive.tags, drive.score) == ([D(2019, 5, 4)], ["neon"], 8)
    assert one(entries, "Mad Max: Fury Road", 2015).watched == [D(2020, 5, 31)]


def test_an_html_review_becomes_markdown(project_import: Imported) -> None:
    entries = project_import.entries
    # <b>, &amp;, <br/><br/>, a multi-line <blockquote>, a web link, <em>, numeric and named
    # entities, a <span> (dropped, text kept) and a javascript: link (text only).
    assert one(entries, "Mad Max: Fury Road", 2015).review == (
        "**Why it works:** one chase, out & back again, and not a wasted shot.\n\n"
        "My notes from the night:\n\n"
        "> Practical stunts.\n"
        "> Real sand.\n"
        "> A guitarist on a truck.\n\n"
        "Read [the production history](https://en.wikipedia.org/wiki/Mad_Max:_Fury_Road) if "
        "you want the numbers. *Ten out of ten* — I don't say that often. Nobody gets left "
        "behind. not a link\n"
    )
    # <p> paragraphs and a <br> line break.
    assert one(entries, "Portrait of a Lady on Fire", 2019).review == (
        "Almost no score, so when music does arrive it hits like weather.\n\n"
        "The final shot is one long take of a face.\nI held my breath for the whole of it.\n"
    )


def test_plain_reviews_keep_their_quotes_commas_and_line_breaks(
    project_import: Imported,
) -> None:
    entries = project_import.entries
    # One review is kept as it is (no date heading); doubled quotes in the CSV are one quote.
    assert one(entries, "Heat", 1995).review == (
        "Logged years late. First time through I only cared about the bank job; this time it "
        "was the coffee shop scene, two men being honest with each other for ten minutes.\n\n"
        'My dad\'s verdict: "too long, and not long enough."\n'
    )
    # '<3' and a lone '&' are not HTML: the text stays exactly as written.
    assert one(entries, "Her", 2013).review == (
        "Loved it <3 & so did my sister, who never likes anything.\n"
    )


def test_a_log_row_finds_its_film_by_name_ignoring_punctuation(
    project_import: Imported,
) -> None:
    # The diary and review rows say 'Spider-Man - Into the Spider-Verse'.
    (verse,) = [e for e in project_import.entries if "Spider-Verse" in e.title]
    assert (verse.title, verse.year) == ("Spider-Man: Into the Spider-Verse", 2018)
    assert verse.ids == {"letterboxd": uri("45")}
    assert (verse.watched, verse.score, verse.tags) == ([D(2019, 3, 9)], 9, ["in-theaters"])
    assert verse.review == (
        'Every frame looks like a comic panel, and the "leap of faith" scene made the whole row '
        "gasp. Miles, Gwen, Peter B., even Spider-Ham: all of them work.\n"
    )


def test_two_films_with_one_name_and_year_stay_apart(project_import: Imported) -> None:
    entries = project_import.entries
    # Two films called 'Harbour Lights' (2011), told apart by their URIs; the two diary rows
    # naming them go one to each, in file order; ratings.csv names each by URI.
    twins = sorted(by_title(entries, "Harbour Lights", 2011), key=lambda e: e.ids["letterboxd"])
    assert [(e.ids["letterboxd"], e.watched, e.score) for e in twins] == [
        (uri("37"), [D(2016, 5, 5)], 1),
        (uri("38"), [D(2016, 6, 6)], 5),
    ]
    assert len({e.slug for e in twins}) == 2
    # 'Static' and 'static' (2017) differ only in case: each keeps its own diary row.
    upper, lower = one(entries, "Static", 2017), one(entries, "static", 2017)
    assert (upper.ids["letterboxd"], upper.watched) == (uri("41"), [D(2018, 1, 20)])
    assert (lower.ids["letterboxd"], lower.watched, lower.score) == (
        uri("42"),
        [D(2018, 1, 21)],
        3,
    )


def test_films_only_on_the_watchlist_are_planned_and_seen_ones_are_not(
    project_import: Imported,
) -> None:
    entries = project_import.entries
    satantango = one(entries, "Sátántangó", 1994)
    assert (satantango.status, satantango.score, satantango.watched) == ("planned", None, [])
    assert (satantango.kind, satantango.ids) == ("movie", {"letterboxd": uri("61")})
    jeanne = one(entries, "Jeanne Dielman, 23 quai du Commerce, 1080 Bruxelles", 1975)
    assert jeanne.status == "planned"
    # An empty Year is no year.
    orchard = one(entries, "The Glass Orchard", None)
    assert (orchard.status, orchard.ids) == ("planned", {"letterboxd": uri("70")})
    # On the watchlist and in watched.csv (same URI): seen.
    arrival = one(entries, "Arrival", 2016)
    assert (arrival.status, arrival.watched, arrival.score) == ("watched", [D(2023, 2, 4)], 8)
    # On the watchlist and in the diary only: seen, with the watchlist's URI.
    stalker = one(entries, "Stalker", 1979)
    assert (stalker.status, stalker.watched, stalker.ids) == (
        "watched",
        [D(2022, 6, 30)],
        {"letterboxd": uri("60")},
    )
    # In watched.csv but never logged: seen, with no date and no score.
    inception = one(entries, "Inception", 2010)
    assert (inception.status, inception.watched, inception.score) == ("watched", [], None)


def test_a_film_only_in_the_diary_and_one_without_a_year(project_import: Imported) -> None:
    entries = project_import.entries
    night = one(entries, "Night of the Living Dead", 1968)
    assert (night.ids, night.watched, night.score, night.tags, night.status) == (
        {},
        [D(2020, 10, 31)],
        8,
        ["halloween"],
        "watched",
    )
    tapes = one(entries, "Kitchen Table Tapes", None)
    assert (tapes.ids, tapes.watched, tapes.score, tapes.tags) == (
        {"letterboxd": uri("44")},
        [D(2018, 11, 11)],
        4,
        ["home-movies"],
    )


def test_titles_keep_their_accents_and_punctuation(project_import: Imported) -> None:
    titles = {e.title for e in project_import.entries}
    assert {
        "Amélie",
        "Pan’s Labyrinth",
        "WALL·E",
        "Léon: The Professional",
        "Crouching Tiger, Hidden Dragon",
        "The Good, the Bad and the Ugly",
    } <= titles
    assert one(project_import.entries, "Amélie", 2001).tags == ["paris", "comfort-watch"]


def test_the_summary_counts_what_the_export_holds(invoke: Invoke) -> None:
    result = invoke("import", "letterboxd", str(PROJECT), "--dry-run")
    assert result.exit_code == 0, result.stderr
    # 51 films in watched.csv, 10 more only on the watchlist, 1 on the watchlist and in the
    # diary, 1 only in the diary; 47 diary rows plus 3 reviews without one.
    assert result.stderr.splitlines() == [
        "Letterboxd: 63 titles (50 viewings, 10 planned, 10 reviews)",
        "rows read: watched.csv 51, ratings.csv 12, watchlist.csv 12, diary.csv 47, reviews.csv 10",
        "would create 63, merge 0; 0 unchanged, 0 ambiguous, 0 skipped",
        "Dry run: nothing was written.",
    ]
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["new"] * 63


def test_one_csv_file_imports_on_its_own(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("import", "letterboxd", str(PROJECT / "watchlist.csv"))
    assert result.exit_code == 0, result.stderr
    assert "created 12, merged 0, unchanged 0, ambiguous 0, skipped 0" in result.stdout
    entries = entries_of(journal_dir)
    # Without the other files every watchlist film is planned, Arrival and Stalker too.
    assert {e.status for e in entries} == {"planned"} and len(entries) == 12


# --- both exports: counts, reviews, idempotence -------------------------------------------------


def test_every_film_viewing_and_planned_title_is_accounted_for(imported: Imported) -> None:
    export, report, entries = imported.export, imported.report, imported.entries
    # Films: one per film URI in the film files, plus log-only films (no film-file row with the
    # same folded name and year).
    film_uris = {r["Letterboxd URI"] for name in FILM_FILES for r in rows(export, name)}
    film_keys = {key(r) for name in FILM_FILES for r in rows(export, name)}
    log_only = {key(r) for name in LOG_FILES for r in rows(export, name)} - film_keys
    seen_uris = {
        r["Letterboxd URI"] for name in ("watched.csv", "ratings.csv") for r in rows(export, name)
    }
    log_keys = {key(r) for name in LOG_FILES for r in rows(export, name)}
    planned = {
        r["Letterboxd URI"]
        for r in rows(export, "watchlist.csv")
        if r["Letterboxd URI"] not in seen_uris and key(r) not in log_keys
    }
    assert report["created"] == len(film_uris) + len(log_only) == len(entries)
    assert report["skipped"] == 0 and report["merged"] == 0
    assert sum(e.status == "planned" for e in entries) == len(planned)
    assert {e.ids["letterboxd"] for e in entries if "letterboxd" in e.ids} == film_uris
    # Every diary row is one viewing of the film with its name and year, on its date; a review
    # row is the same viewing as its diary row (same log URI, or same film and dates).
    diary = rows(export, "diary.csv")
    expected = Counter((*key(r), dt.date.fromisoformat(r["Watched Date"])) for r in diary)
    logged: set[object] = {r["Letterboxd URI"] for r in diary if r["Letterboxd URI"]}
    logged |= {(key(r), r["Watched Date"], r["Date"]) for r in diary if not r["Letterboxd URI"]}
    for review in rows(export, "reviews.csv"):
        log = review["Letterboxd URI"] or (key(review), review["Watched Date"], review["Date"])
        if review["Watched Date"] and log not in logged:
            expected[(*key(review), dt.date.fromisoformat(review["Watched Date"]))] += 1
    found = Counter((title_key(e.title), e.year, day) for e in entries for day in e.watched)
    assert found == expected
    assert sum(found.values()) == report["read"]["viewings"]
    assert report["rows"] == {name: len(rows(export, name)) for name in (*FILM_FILES, *LOG_FILES)}
    assert report["read"]["reviews"] == len(rows(export, "reviews.csv"))
    assert all(e.kind == "movie" for e in entries)


def test_reviews_are_kept_and_never_hold_raw_html(imported: Imported) -> None:
    reviewed = {key(r) for r in rows(imported.export, "reviews.csv") if r["Review"].strip()}
    assert reviewed == {(title_key(e.title), e.year) for e in imported.entries if e.review}
    tag = re.compile(r"</?(a|b|i|em|strong|blockquote|p|br|span)\b", re.I)
    assert [e.slug for e in imported.entries if e.review and tag.search(e.review)] == []


def test_importing_again_changes_nothing(imported: Imported) -> None:
    folder, first = imported.folder, imported.report
    before = digest(folder)
    result = run("-j", str(folder), "import", "letterboxd", str(imported.export))
    assert result.exit_code == 0, result.stderr
    assert (
        f"created 0, merged 0, unchanged {first['created']:,}, ambiguous 0, skipped 0"
        in result.stdout
    )
    assert digest(folder) == before


# --- both exports: zips, limits, broken rows ----------------------------------------------------


def make_zip(path: Path, export: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (*FILM_FILES, *LOG_FILES):
            archive.writestr(name, (export / name).read_bytes())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def test_the_zip_as_downloaded_imports_like_its_folder(
    invoke: Invoke, tmp_path: Path, imported: Imported
) -> None:
    first = imported.report
    # Letterboxd zips hold other files and older copies in deleted/ and orphaned/: none is read.
    bogus = b"Date,Name,Year,Letterboxd URI\n2020-01-01,Not A Film,2020,https://boxd.it/zz\n"
    archive = make_zip(
        tmp_path / "letterboxd-someone-2024-05-01-10-00-utc.zip",
        imported.export,
        {
            "../x.csv": bogus,
            "../diary.csv": bogus,
            "deleted/diary.csv": bogus,
            "orphaned/watched.csv": bogus,
            "likes/films.csv": bogus,
            "lists/favourites.csv": bogus,
            "profile.csv": b"Date Joined,Username\n2019-01-01,someone\n",
            "comments.csv": b"Date,Content,Comment\n",
        },
    )
    # A dry run reads the zip exactly as an import does, without spending time writing.
    result = invoke("import", "letterboxd", str(archive), "--json", "--dry-run")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["created"] == first["created"] and report["read"] == first["read"]
    assert report["rows"] == first["rows"]
    assert any("'../x.csv'" in note and "leaves" in note for note in report["notes"])
    assert any("'../diary.csv'" in note for note in report["notes"])
    assert not (tmp_path / "x.csv").exists() and not (tmp_path.parent / "x.csv").exists()
    assert "Not A Film" not in json.dumps(report["entries"])


def test_a_zip_in_a_wrapping_folder_is_imported_for_real(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, export: Path
) -> None:
    # Someone who unpacked and zipped the export again has every file inside one folder.
    archive = tmp_path / "again.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        for name in (*FILM_FILES, *LOG_FILES):
            with (export / name).open(newline="", encoding="utf-8") as source:
                records = list(csv.reader(source))[:61]  # the header and 60 rows at most
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(records)
            handle.writestr(f"letterboxd-export/{name}", text.getvalue())
    result = invoke("import", "letterboxd", str(archive))
    assert result.exit_code == 0, result.stderr
    written = entries_of(journal_dir)
    assert (
        written
        and f"created {len(written)}, merged 0, unchanged 0, ambiguous 0, skipped 0"
        in result.stdout
    )
    first_diary = rows(export, "diary.csv")[0]
    (entry,) = by_title(written, first_diary["Name"], int(first_diary["Year"]))
    assert dt.date.fromisoformat(first_diary["Watched Date"]) in entry.watched


def test_a_zip_member_that_would_expand_past_the_limit_is_refused(
    invoke: Invoke,
    tmp_path: Path,
    journal_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    export: Path,
) -> None:
    archive = make_zip(tmp_path / "export.zip", export)
    # The real limit is 200 MB; one byte less than the largest member shows the same refusal.
    limit = max((export / name).stat().st_size for name in (*FILM_FILES, *LOG_FILES)) - 1
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", limit)
    result = invoke("import", "letterboxd", str(archive))
    assert result.exit_code == 2
    assert "would be" in result.stderr and f"the limit is {limit:,}" in result.stderr
    assert result.stdout == "" and not journal_dir.exists()


def test_a_zip_whose_only_csv_files_escape_is_not_an_export(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, export: Path
) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../diary.csv", (export / "diary.csv").read_bytes())
        handle.writestr("/etc/watched.csv", (export / "watched.csv").read_bytes())
    result = invoke("import", "letterboxd", str(archive))
    assert result.exit_code == 2 and "not a Letterboxd export" in result.stderr
    assert not journal_dir.exists()


def test_a_malformed_row_mid_file_is_skipped_with_its_line(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, export: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    # The diary (its first 400 rows at most), with two broken rows in the middle. Diary rows
    # hold no line breaks, so lines are rows.
    lines = (export / "diary.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:401]
    middle = len(lines) // 2
    broken = [
        *lines[:middle],
        "2021-01-01,Half A Row,2020\n",
        "2021-01-01,Bad Stars,2020,https://boxd.it/x1,7,,,2021-01-01\n",
        *lines[middle:],
    ]
    (folder / "diary.csv").write_text("".join(broken), encoding="utf-8")
    report = imported_report(invoke, "letterboxd", folder)
    skipped = {s["where"]: s["reason"] for s in report["skipped_rows"]}
    assert skipped == {
        f"diary.csv line {middle + 1}": "has 3 cells where the header has 8",
        f"diary.csv line {middle + 2}": "Rating: '7' is not 0.5 to 5 stars in half steps",
    }
    good = rows(export, "diary.csv")[: len(lines) - 1]
    assert report["read"]["viewings"] == len(good) == report["rows"]["diary.csv"] - 2
    assert report["created"] == len({key(r) for r in good})
    entries = entries_of(journal_dir)
    assert len(entries) == report["created"]
    assert sum(len(e.watched) for e in entries) == len(good)
    assert not {"Half A Row", "Bad Stars"} & {e.title for e in entries}


def test_a_review_too_long_for_an_entry_is_skipped_alone(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    # A cell of 2.4 MB with paragraphs in it: the csv module's field limit once stopped the
    # reader inside it, and every row after it was read wrong and lost.
    huge = ("Far too long. " * 300 + "\n\n") * 600
    films = [f"Film {n}" for n in range(1, 6)]
    text = (
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\n"
        '2021-01-01,Before,2000,https://boxd.it/b0,3,,"Fine.",,2021-01-01\n'
        f'2021-01-02,Huge,2001,https://boxd.it/h1,3,,"{huge}",,2021-01-02\n'
        + "".join(
            f'2021-02-0{n},{film},2002,https://boxd.it/f{n},4,,"Good.",,2021-02-0{n}\n'
            for n, film in enumerate(films, start=1)
        )
    )
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "reviews.csv").write_text(text, encoding="utf-8")
    report = imported_report(invoke, "letterboxd", folder)
    (skipped,) = report["skipped_rows"]
    assert skipped["where"] == "reviews.csv line 3" and skipped["title"] == "Huge"
    assert skipped["reason"].startswith("review: must be at most 1000000 characters")
    assert sorted(e.title for e in entries_of(journal_dir)) == ["Before", *films]


def test_a_review_with_windows_line_ends_imports_the_same_twice(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    # Its CR LF became LF in the file, so the second import saw "a different review" and kept
    # the journal's: a newer export extending it could never replace it.
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "reviews.csv").write_bytes(
        b"Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\r\n"
        b'2021-01-01,Amelie,2001,https://boxd.it/am1,4.5,,"Line one\r\nLine two",,2021-01-01\r\n'
    )
    first = invoke("import", "letterboxd", str(folder), "--json")
    assert first.exit_code == 0, first.stderr
    again = json.loads(invoke("import", "letterboxd", str(folder), "--json").stdout)
    assert [(e["action"], e["kept"]) for e in again["entries"]] == [("unchanged", [])]
    (entry,) = entries_of(journal_dir)
    assert entry.review == "Line one\nLine two\n"


# --- the real export only: its own cases ------------------------------------------------------


def test_real_a_rewatched_film_has_every_viewing_its_rating_tags_uri_and_reviews(
    real_import: Imported,
) -> None:
    export, entries = real_import.export, real_import.entries
    diary = [
        r for r in rows(export, "diary.csv") if r["Name"] == "Parasite" and r["Year"] == "2019"
    ]
    assert len(diary) > 1 and any(r["Rewatch"] == "Yes" for r in diary)
    entry = one(entries, "Parasite", 2019)
    assert entry.watched == sorted(dt.date.fromisoformat(r["Watched Date"]) for r in diary)
    (rating,) = [r for r in rows(export, "ratings.csv") if r["Name"] == "Parasite"]
    assert entry.score == float(rating["Rating"]) * 2
    (film,) = [r for r in rows(export, "watched.csv") if r["Name"] == "Parasite"]
    assert entry.ids == {"letterboxd": film["Letterboxd URI"]}
    assert entry.kind == "movie" and entry.status == "watched"
    for row in diary:
        assert {t.strip() for t in row["Tags"].split(",") if t.strip()} <= set(entry.tags)
    reviews = [r for r in rows(export, "reviews.csv") if r["Name"] == "Parasite"]
    assert entry.review is not None and len(reviews) > 1
    for review in reviews:
        # Several reviews become dated sections, oldest first.
        assert f"**{review['Watched Date']}**" in entry.review
        assert review["Review"].split("\n")[0][:60] in entry.review
    days = [entry.review.index(f"**{r['Watched Date']}**") for r in reviews]
    assert days == sorted(days)


def test_real_a_half_star_rating_doubles_to_an_odd_score(real_import: Imported) -> None:
    half = [
        r for r in rows(real_import.export, "ratings.csv") if not float(r["Rating"]).is_integer()
    ]
    assert half, "the export has a half-star rating"
    for row in half:
        entry = one(real_import.entries, row["Name"], int(row["Year"]))
        assert entry.score == float(row["Rating"]) * 2
        assert entry.score == int(entry.score) and int(entry.score) % 2 == 1


def test_real_an_html_review_becomes_markdown(real_import: Imported) -> None:
    (row,) = [
        r for r in rows(real_import.export, "reviews.csv") if r["Name"] == "Final Destination 3"
    ]
    assert "<b>" in row["Review"] and "<blockquote>" in row["Review"] and "<i>" in row["Review"]
    review = one(real_import.entries, "Final Destination 3", 2006).review or ""
    assert "<" not in review.replace("<url>", "")
    assert "**Signs this film is from the early 2000s:**" in review
    assert "[@switchblade1984](https://letterboxd.com/switchblade1984)" in review
    assert "\n> I forgot my iPod.\n" in review
    assert "*Also, I love Mary Elizabeth Winstead ❤️.*" in review
    assert "Jason & Carrie" in review


def test_real_two_films_with_one_name_and_year_stay_apart(real_import: Imported) -> None:
    export, entries = real_import.export, real_import.entries
    twins = [
        r
        for r in rows(export, "watched.csv")
        if r["Name"] == "The Haunted Castle" and r["Year"] == "1897"
    ]
    assert len(twins) == 2
    found = by_title(entries, "The Haunted Castle", 1897)
    assert sorted(e.ids["letterboxd"] for e in found) == sorted(r["Letterboxd URI"] for r in twins)
    logged = [
        r
        for r in rows(export, "diary.csv")
        if r["Name"] == "The Haunted Castle" and r["Year"] == "1897"
    ]
    # Their two diary rows are dealt out one each, not both to the first.
    assert [len(e.watched) for e in found] == [1, 1] and len(logged) == 2
    # 'Rain' and 'rain' (2019) differ only in case: two films, each with its own diary row.
    rains = [e for e in entries if e.title.lower() == "rain" and e.year == 2019]
    assert len(rains) == 2 and all(len(e.watched) == 1 for e in rains)
    for entry in rains:
        (row,) = [
            r for r in rows(export, "diary.csv") if r["Name"] == entry.title and r["Year"] == "2019"
        ]
        assert entry.watched == [dt.date.fromisoformat(row["Watched Date"])]


def test_real_a_film_only_on_the_watchlist_is_planned_without_score(
    real_import: Imported,
) -> None:
    export, entries = real_import.export, real_import.entries
    seen = {r["Letterboxd URI"] for r in rows(export, "watched.csv")}
    row = next(
        r for r in rows(export, "watchlist.csv") if r["Letterboxd URI"] not in seen and r["Year"]
    )
    (entry,) = [e for e in entries if e.ids.get("letterboxd") == row["Letterboxd URI"]]
    assert (entry.title, entry.year, entry.status) == (row["Name"], int(row["Year"]), "planned")
    assert entry.score is None and entry.watched == []
    no_year = next(r for r in rows(export, "watchlist.csv") if not r["Year"])
    (entry,) = [e for e in entries if e.ids.get("letterboxd") == no_year["Letterboxd URI"]]
    assert entry.year is None and entry.title == no_year["Name"]


def test_real_common_words_in_reviews_are_not_taken_for_titles(real_import: Imported) -> None:
    # Real reviews say "buy the house", "Maybe not as cute", "do the right thing", "if", "a TCM
    # Big Screen showing", "Patrick Magee": none
    # names the film of that title in the same journal; the films they do name stay linked,
    # by their titles or by the address of a Letterboxd link.
    folder = real_import.folder
    expected = {
        "parasite-2019": (
            {"the-host-2006", "mad-max-fury-road-2015"},
            {"the-house-2017", "the-road-2009"},
        ),
        "knives-out-2019": (set(), {"maybe-2009"}),
        "the-green-knight-2021": ({"the-invisible-man-2020"}, {"do-the-right-thing-1989"}),
        "oldboy-2003": ({"akira-1988"}, {"if-1968", "the-chase-2017", "your-face-1987"}),
        "alien-1979": ({"prometheus-2012", "alien-covenant-2017"}, {"big-1988"}),
        "ganja-hess-1973": ({"horror-noire-a-history-of-black-horror-2019"}, {"horror-2015"}),
        # Words beside a capitalised one: "Noah Baumbach", "The Lucky Stars", "M&Ms", a
        # quotation opening with "If".
        "cairo-station-1958": (set(), {"noah-2014"}),
        "my-lucky-stars-1985": (set(), {"lucky-2020"}),
        "the-batman-2022": ({"the-dark-knight-2008"}, {"m-1931", "if-1968"}),
        "the-black-cat-1981": ({"the-beyond-1981"}, {"patrick-2013"}),
    }
    for slug, (named, not_named) in expected.items():
        result = run("-j", str(folder), "show", slug, "--json")
        assert result.exit_code == 0, result.stderr
        links = {k["to"] for k in json.loads(result.stdout)["links"] if k["derived"]}
        assert named <= links, slug
        assert not links & not_named, slug


# --- what a row holds that an entry cannot: control characters, impossible dates --------------

LOG_HEADER = ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review", "Tags",
              "Watched Date"]  # fmt: skip


def write_log(path: Path, rows: list[list[str]]) -> None:
    """A diary.csv or reviews.csv (the diary has no Review column)."""
    header = [c for c in LOG_HEADER if path.name == "reviews.csv" or c != "Review"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell for name, cell in zip(LOG_HEADER, row, strict=True) if name in header]
                     for row in rows)  # fmt: skip
    path.write_text(buffer.getvalue(), encoding="utf-8")


def test_control_characters_in_a_review_are_cleaned_and_the_film_kept(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    # A vertical tab, a form feed, an escape or a bidi embedding mark (pasted Hebrew or Arabic
    # brings them) once dropped the whole film: its viewings, rating and tags too.
    folder = tmp_path / "export"
    folder.mkdir()
    review = "First line\x0bsecond\x0cnew page\u2028next: \u202bשלום\u202c and \x1b[1mbold\x1b[0m."
    write_log(folder / "reviews.csv", [
        ["2021-01-02", "Persona", "1966", "https://boxd.it/p1", "4.5", "", review,
         "Sci-Fi, sci-fi, swedish", "2021-01-01"],
    ])  # fmt: skip
    report = imported_report(invoke, "letterboxd", folder)
    assert (report["created"], report["skipped_rows"]) == (1, [])
    assert report["notes"] == [
        "reviews.csv line 2 (Persona): review cleaned: 4 control or bidi formatting characters "
        "removed, 3 vertical tabs, form feeds or line separators made line breaks"
    ]
    (entry,) = entries_of(journal_dir)
    assert entry.review == "First line\nsecond\nnew page\nnext: שלום and [1mbold[0m.\n"
    assert (entry.score, entry.watched, entry.tags) == (9, [D(2021, 1, 1)], ["Sci-Fi", "swedish"])


def test_control_characters_in_a_title_or_tags_are_cleaned_and_the_film_kept(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    # A bidi mark around a pasted Hebrew title, a tab in a tag: validation refuses them in a
    # name, and the whole film, viewings and rating with it, was left out.
    folder = tmp_path / "export"
    folder.mkdir()
    write_log(folder / "diary.csv", [
        ["2021-01-02", "\u202bשלום\u202c Tel\tAviv", "1999", "https://boxd.it/s1", "4", "", "",
         "drama\x0b, \u2066israel\u2069", "2021-01-01"],
    ])  # fmt: skip
    report = imported_report(invoke, "letterboxd", folder)
    assert (report["created"], report["skipped_rows"]) == (1, [])
    assert report["notes"] == [
        "diary.csv line 2 (שלום Tel Aviv): names cleaned: 5 control or bidi formatting "
        "characters removed or made spaces"
    ]
    (entry,) = entries_of(journal_dir)
    assert (entry.title, entry.tags, entry.score) == ("שלום Tel Aviv", ["drama", "israel"], 8)


def test_a_viewing_dated_in_the_future_or_before_1870_is_left_out_with_a_note(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    uri = "https://boxd.it/p1"
    write_log(folder / "diary.csv", [
        ["2021-01-02", "Persona", "1966", uri + "a", "2", "", "", "", "2099-01-01"],
        ["2021-01-03", "Persona", "1966", uri + "b", "3", "", "", "", "1850-01-01"],
        ["2021-01-01", "Persona", "1966", uri + "c", "4", "", "", "", "2020-05-05"],
    ])  # fmt: skip
    report = imported_report(invoke, "letterboxd", folder)
    assert (report["created"], report["skipped_rows"]) == (1, [])
    assert report["notes"] == [
        "diary.csv line 2 (Persona): viewing of 2099-01-01 left out: it is in the future",
        "diary.csv line 3 (Persona): viewing of 1850-01-01 left out: it is before 1870-01-01, "
        "the earliest viewing date watchbook records",
    ]
    (entry,) = entries_of(journal_dir)
    # A row left without its date is no later than the others: its rating is not the latest.
    assert (entry.score, entry.watched) == (8, [D(2020, 5, 5)])
