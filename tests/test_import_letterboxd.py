"""`watchbook import letterboxd` against the real export in ../shared/fixtures/letterboxd."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import os
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import FIXTURES, Invoke
from watchbook.cli.app import app
from watchbook.entry import Entry
from watchbook.importers import files
from watchbook.journal import Journal
from watchbook.text import title_key

EXPORT = FIXTURES / "letterboxd"
FILM_FILES = ("watched.csv", "ratings.csv", "watchlist.csv")
LOG_FILES = ("diary.csv", "reviews.csv")


@pytest.fixture(autouse=True, scope="module")
def no_fsync() -> Iterator[None]:
    """Durability is the journal's tests' business; here fsync would only cost seconds."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: None)
        yield


def rows(name: str) -> list[dict[str, str]]:
    with (EXPORT / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def key(row: dict[str, str]) -> tuple[str, int | None]:
    return title_key(row["Name"]), int(row["Year"]) if row["Year"] else None


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def entries_of(folder: Path) -> list[Entry]:
    loaded = Journal(folder).load_all()
    assert loaded.problems == []
    return loaded.entries


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.toml"))
    }


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], list[Entry]]:
    """The whole export imported once into an empty journal (shared: the tests only read it)."""
    folder = tmp_path_factory.mktemp("lb") / "journal"
    result = run("-j", str(folder), "import", "letterboxd", str(EXPORT), "--json")
    assert result.exit_code == 0, result.stderr
    return folder, json.loads(result.stdout), entries_of(folder)


def by_title(entries: list[Entry], title: str, year: int | None) -> list[Entry]:
    return [e for e in entries if e.title == title and e.year == year]


# --- counts -----------------------------------------------------------------------------------


def test_every_film_viewing_and_planned_title_is_accounted_for(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, report, entries = imported
    # Films: one per film URI in the film files, plus log-only films (no film-file row with the
    # same folded name and year).
    film_uris = {r["Letterboxd URI"] for name in FILM_FILES for r in rows(name)}
    film_keys = {key(r) for name in FILM_FILES for r in rows(name)}
    log_only = {key(r) for name in LOG_FILES for r in rows(name)} - film_keys
    seen_uris = {r["Letterboxd URI"] for name in ("watched.csv", "ratings.csv") for r in rows(name)}
    log_keys = {key(r) for name in LOG_FILES for r in rows(name)}
    planned = {
        r["Letterboxd URI"]
        for r in rows("watchlist.csv")
        if r["Letterboxd URI"] not in seen_uris and key(r) not in log_keys
    }
    assert report["created"] == len(film_uris) + len(log_only) == len(entries)
    assert report["skipped"] == 0 and report["merged"] == 0
    assert sum(e.status == "planned" for e in entries) == len(planned)
    assert {e.ids["letterboxd"] for e in entries if "letterboxd" in e.ids} == film_uris
    # Every diary row is one viewing of the film with its name and year, on its date; a review
    # row is the same viewing as its diary row (same log URI, or same film and dates).
    diary = rows("diary.csv")
    expected = Counter((*key(r), dt.date.fromisoformat(r["Watched Date"])) for r in diary)
    logged = {r["Letterboxd URI"] for r in diary if r["Letterboxd URI"]}
    logged |= {(key(r), r["Watched Date"], r["Date"]) for r in diary if not r["Letterboxd URI"]}
    for review in rows("reviews.csv"):
        log = review["Letterboxd URI"] or (key(review), review["Watched Date"], review["Date"])
        if review["Watched Date"] and log not in logged:
            expected[(*key(review), dt.date.fromisoformat(review["Watched Date"]))] += 1
    found = Counter((title_key(e.title), e.year, day) for e in entries for day in e.watched)
    assert found == expected
    assert sum(found.values()) == report["read"]["viewings"]
    assert report["rows"] == {name: len(rows(name)) for name in (*FILM_FILES, *LOG_FILES)}
    assert report["read"]["reviews"] == len(rows("reviews.csv"))


def test_reviews_are_kept_and_never_hold_raw_html(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, _, entries = imported
    reviewed = {key(r) for r in rows("reviews.csv") if r["Review"].strip()}
    assert reviewed == {(title_key(e.title), e.year) for e in entries if e.review}
    tag = re.compile(r"</?(a|b|i|em|strong|blockquote|p|br)\b", re.I)
    assert [e.slug for e in entries if e.review and tag.search(e.review)] == []


# --- field by field ---------------------------------------------------------------------------


def test_a_rewatched_film_has_every_viewing_its_rating_tags_uri_and_reviews(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, _, entries = imported
    diary = [r for r in rows("diary.csv") if r["Name"] == "Parasite" and r["Year"] == "2019"]
    assert len(diary) > 1 and any(r["Rewatch"] == "Yes" for r in diary)
    (entry,) = by_title(entries, "Parasite", 2019)
    assert entry.watched == sorted(dt.date.fromisoformat(r["Watched Date"]) for r in diary)
    (rating,) = [r for r in rows("ratings.csv") if r["Name"] == "Parasite"]
    assert entry.score == float(rating["Rating"]) * 2
    (film,) = [r for r in rows("watched.csv") if r["Name"] == "Parasite"]
    assert entry.ids == {"letterboxd": film["Letterboxd URI"]}
    assert entry.kind == "movie" and entry.status == "watched"
    for row in diary:
        assert {t.strip() for t in row["Tags"].split(",") if t.strip()} <= set(entry.tags)
    reviews = [r for r in rows("reviews.csv") if r["Name"] == "Parasite"]
    assert entry.review is not None and len(reviews) > 1
    for review in reviews:
        # Several reviews become dated sections, oldest first.
        assert f"**{review['Watched Date']}**" in entry.review
        assert review["Review"].split("\n")[0][:60] in entry.review
    days = [entry.review.index(f"**{r['Watched Date']}**") for r in reviews]
    assert days == sorted(days)


def test_a_half_star_rating_doubles_to_an_odd_score(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, _, entries = imported
    half = [r for r in rows("ratings.csv") if not float(r["Rating"]).is_integer()]
    assert half, "the fixture has a half-star rating"
    for row in half:
        (entry,) = by_title(entries, row["Name"], int(row["Year"]))
        assert entry.score == float(row["Rating"]) * 2
        assert entry.score == int(entry.score) and int(entry.score) % 2 == 1


def test_an_html_review_becomes_markdown(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, _, entries = imported
    (row,) = [r for r in rows("reviews.csv") if r["Name"] == "Final Destination 3"]
    assert "<b>" in row["Review"] and "<blockquote>" in row["Review"] and "<i>" in row["Review"]
    (entry,) = by_title(entries, "Final Destination 3", 2006)
    review = entry.review or ""
    assert "<" not in review.replace("<url>", "")
    assert "**Signs this film is from the early 2000s:**" in review
    assert "[@switchblade1984](https://letterboxd.com/switchblade1984)" in review
    assert "\n> I forgot my iPod.\n" in review
    assert "*Also, I love Mary Elizabeth Winstead ❤️.*" in review
    assert "Jason & Carrie" in review


def test_two_films_with_one_name_and_year_stay_apart(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, _, entries = imported
    twins = [
        r for r in rows("watched.csv") if r["Name"] == "The Haunted Castle" and r["Year"] == "1897"
    ]
    assert len(twins) == 2
    found = by_title(entries, "The Haunted Castle", 1897)
    assert sorted(e.ids["letterboxd"] for e in found) == sorted(r["Letterboxd URI"] for r in twins)
    logged = [
        r for r in rows("diary.csv") if r["Name"] == "The Haunted Castle" and r["Year"] == "1897"
    ]
    # Their two diary rows are dealt out one each, not both to the first.
    assert [len(e.watched) for e in found] == [1, 1] and len(logged) == 2
    # 'Rain' and 'rain' (2019) differ only in case: two films, each with its own diary row.
    rains = [e for e in entries if e.title.lower() == "rain" and e.year == 2019]
    assert len(rains) == 2 and all(len(e.watched) == 1 for e in rains)
    for entry in rains:
        (row,) = [r for r in rows("diary.csv") if r["Name"] == entry.title and r["Year"] == "2019"]
        assert entry.watched == [dt.date.fromisoformat(row["Watched Date"])]


def test_a_film_only_on_the_watchlist_is_planned_without_score(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, _, entries = imported
    seen = {r["Letterboxd URI"] for r in rows("watched.csv")}
    row = next(r for r in rows("watchlist.csv") if r["Letterboxd URI"] not in seen and r["Year"])
    (entry,) = [e for e in entries if e.ids.get("letterboxd") == row["Letterboxd URI"]]
    assert (entry.title, entry.year, entry.status) == (row["Name"], int(row["Year"]), "planned")
    assert entry.score is None and entry.watched == []
    no_year = next(r for r in rows("watchlist.csv") if not r["Year"])
    (entry,) = [e for e in entries if e.ids.get("letterboxd") == no_year["Letterboxd URI"]]
    assert entry.year is None and entry.title == no_year["Name"]


# --- running again, zips ----------------------------------------------------------------------


def test_importing_again_changes_nothing(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    folder, first, _ = imported
    before = digest(folder)
    result = run("-j", str(folder), "import", "letterboxd", str(EXPORT))
    assert result.exit_code == 0, result.stderr
    assert f"created 0, merged 0, unchanged {first['created']:,}, skipped 0" in result.stdout
    assert digest(folder) == before


def make_zip(path: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (*FILM_FILES, *LOG_FILES):
            archive.writestr(name, (EXPORT / name).read_bytes())
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def test_the_zip_as_downloaded_imports_like_its_folder(
    invoke: Invoke,
    tmp_path: Path,
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    _, first, _ = imported
    # Letterboxd zips hold older copies in deleted/ and orphaned/: they must not be read.
    bogus = b"Date,Name,Year,Letterboxd URI\n2020-01-01,Not A Film,2020,https://boxd.it/zz\n"
    archive = make_zip(
        tmp_path / "letterboxd-someone-2024.zip",
        {
            "../x.csv": bogus,
            "../diary.csv": bogus,
            "deleted/diary.csv": bogus,
            "likes/films.csv": bogus,
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
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    # Someone who unpacked and zipped the export again has every file inside one folder.
    archive = tmp_path / "again.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        # Whole lines only: these files have no multi-line (quoted) cells, unlike reviews.csv.
        for name in (*FILM_FILES, "diary.csv"):
            lines = (EXPORT / name).read_text(encoding="utf-8").splitlines(keepends=True)
            handle.writestr(f"letterboxd-export/{name}", "".join(lines[:60]))
    result = invoke("import", "letterboxd", str(archive))
    assert result.exit_code == 0, result.stderr
    written = entries_of(journal_dir)
    assert written and f"created {len(written)}, merged 0, unchanged 0, skipped 0" in result.stdout
    first_diary = rows("diary.csv")[0]
    (entry,) = by_title(written, first_diary["Name"], int(first_diary["Year"]))
    assert dt.date.fromisoformat(first_diary["Watched Date"]) in entry.watched


def test_a_zip_member_that_would_expand_past_the_limit_is_refused(
    invoke: Invoke, tmp_path: Path, journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_zip(tmp_path / "export.zip")
    # The real limit is 200 MB; a smaller one shows the same refusal without a huge file.
    monkeypatch.setattr(files, "MAX_INPUT_BYTES", 100_000)
    result = invoke("import", "letterboxd", str(archive))
    assert result.exit_code == 2
    assert "would be" in result.stderr and "the limit is 100,000" in result.stderr
    assert result.stdout == "" and not journal_dir.exists()


def test_a_zip_whose_only_csv_files_escape_is_not_an_export(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("../diary.csv", (EXPORT / "diary.csv").read_bytes())
        handle.writestr("/etc/watched.csv", (EXPORT / "watched.csv").read_bytes())
    result = invoke("import", "letterboxd", str(archive))
    assert result.exit_code == 2 and "not a Letterboxd export" in result.stderr
    assert not journal_dir.exists()


def test_a_malformed_row_mid_file_is_skipped_with_its_line(
    invoke: Invoke, tmp_path: Path, journal_dir: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    # The first 400 diary rows, with two broken ones in the middle.
    lines = (EXPORT / "diary.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:401]
    middle = 200
    broken = [
        *lines[:middle],
        "2021-01-01,Half A Row,2020\n",
        "2021-01-01,Bad Stars,2020,https://boxd.it/x1,7,,,2021-01-01\n",
        *lines[middle:],
    ]
    (folder / "diary.csv").write_text("".join(broken), encoding="utf-8")
    result = invoke("import", "letterboxd", str(folder), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    skipped = {s["where"]: s["reason"] for s in report["skipped_rows"]}
    assert skipped == {
        f"diary.csv line {middle + 1}": "has 3 cells where the header has 8",
        f"diary.csv line {middle + 2}": "Rating: '7' is not 0.5 to 5 stars in half steps",
    }
    good = rows("diary.csv")[:400]
    assert report["read"]["viewings"] == len(good) == report["rows"]["diary.csv"] - 2
    assert report["created"] == len({key(r) for r in good})
    entries = entries_of(journal_dir)
    assert len(entries) == report["created"]
    assert sum(len(e.watched) for e in entries) == len(good)
    assert not {"Half A Row", "Bad Stars"} & {e.title for e in entries}


def test_common_words_in_real_reviews_are_not_taken_for_titles(
    imported: tuple[Path, dict[str, Any], list[Entry]],
) -> None:
    # Real reviews say "buy the house", "Maybe not as cute", "do the right thing", "if", "a TCM
    # Big Screen showing", "Patrick Magee": none
    # names the film of that title in the same journal; the films they do name stay linked,
    # by their titles or by the address of a Letterboxd link.
    folder = imported[0]
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
