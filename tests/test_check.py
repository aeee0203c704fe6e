"""check: broken files, links to missing entries, likely duplicates, suggested links; exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Invoke
from tests.test_links import write
from watchbook.entry import Entry
from watchbook.links import likely_duplicates


def check(invoke: Invoke) -> tuple[int, dict]:
    result = invoke("check", "--json")
    return result.exit_code, json.loads(result.stdout)


def test_the_sample_journal_is_clean_and_gets_link_suggestions(
    invoke: Invoke, sample_journal: Path
) -> None:
    code, report = check(invoke)
    assert code == 0 and report["ok"] is True and report["problems"] == []
    assert report["files"] == 11
    pairs = {(s["from"], s["to"]) for s in report["suggestions"]}
    assert ("psycho-pass-2012", "ghost-in-the-shell-1995") in pairs
    assert ("knights-of-sidonia-battle-for-planet-nine-2015", "knights-of-sidonia-2014") in pairs
    # Blame! already links to Knights of Sidonia by hand: nothing to suggest there.
    assert not {p for p in pairs if set(p) == {"blame-2017", "knights-of-sidonia-2014"}}
    plain = invoke("check")
    assert plain.exit_code == 0
    assert "watchbook link psycho-pass-2012 ghost-in-the-shell-1995" in plain.stdout
    assert plain.stderr.strip() == "11 files checked: 0 problems, 3 suggested links"


def test_a_broken_file_is_reported_with_its_line(invoke: Invoke, sample_journal: Path) -> None:
    (sample_journal / "broken.toml").write_text('title = "Ok"\nyear = "soon"\n')
    (sample_journal / "garbled.toml").write_text('title = "Ok"\nscore = \n')
    code, report = check(invoke)
    assert code == 1 and not report["ok"]
    found = {(p["file"], p["line"], p["kind"]) for p in report["problems"]}
    assert ("broken.toml", 2, "invalid") in found and ("garbled.toml", 2, "invalid") in found
    plain = invoke("check")
    assert plain.exit_code == 1
    assert "broken.toml:2: year: must be a whole number" in plain.stdout
    # check names them itself; no extra 'skipped' warnings.
    assert "Warning" not in plain.stderr


def test_a_link_to_a_missing_entry_is_reported_with_its_line(
    invoke: Invoke, sample_journal: Path
) -> None:
    path = sample_journal / "cloud-atlas-2012.toml"
    path.write_text(path.read_text() + '\n[[links]]\nto = "the-matrix-4"\nwhy = "sequel"\n')
    code, report = check(invoke)
    assert code == 1
    [problem] = report["problems"]
    assert problem["kind"] == "missing-link" and problem["file"] == "cloud-atlas-2012.toml"
    lines = path.read_text().splitlines()
    assert lines[problem["line"] - 1] == 'to = "the-matrix-4"'
    assert "the-matrix-4" in problem["message"]


def test_likely_duplicates(invoke: Invoke, sample_journal: Path) -> None:
    write(sample_journal, "the-matrix-1999-2", title="The Matrix", year=1999)
    write(sample_journal, "jupiter-ascendng-2015", title="Jupiter Ascendng", year=2015)
    write(sample_journal, "the-matrix-2", title="The Matrix 2", year=1999)  # a sequel
    write(sample_journal, "dune-1984", title="Dune", year=1984)
    write(sample_journal, "dune-2021", title="Dune", year=2021)  # a remake
    code, report = check(invoke)
    assert code == 1
    duplicates = {
        frozenset((p["file"], p["other"])) for p in report["problems"] if p["kind"] == "duplicate"
    }
    assert duplicates == {
        frozenset(("the-matrix-1999.toml", "the-matrix-1999-2.toml")),
        frozenset(("jupiter-ascending-2015.toml", "jupiter-ascendng-2015.toml")),
    }
    assert all(p["line"] == 1 for p in report["problems"] if p["kind"] == "duplicate")


def test_duplicates_are_found_without_comparing_every_pair() -> None:
    entries = [Entry(title=f"Film {i:05d} Title", slug=f"f{i}", year=2000) for i in range(5000)]
    entries.append(Entry(title="Film 00042 Titel", slug="typo", year=2000))
    found = {frozenset((a.slug, b.slug)) for a, b, _ in likely_duplicates(entries)}
    # Titles one digit apart are different films; the one-letter typo is a duplicate.
    assert found == {frozenset(("f42", "typo"))}


def test_check_of_an_empty_journal(invoke: Invoke, journal_dir: Path) -> None:
    journal_dir.mkdir()
    code, report = check(invoke)
    assert code == 0 and report == {"ok": True, "files": 0, "problems": [], "suggestions": []}


def pairs_of(entries: list[Entry]) -> set[frozenset[str]]:
    return {frozenset((a.slug, b.slug)) for a, b, _ in likely_duplicates(entries)}


def test_short_titles_one_slip_apart_are_duplicates() -> None:
    def movie(title: str, year: int, slug: str, kind: str = "movie", **ids: str) -> Entry:
        return Entry(title=title, slug=slug, year=year, kind=kind, ids=ids)

    entries = [
        movie("Alien", 1979, "alien"),
        movie("Alein", 1979, "alein"),  # two letters swapped
        movie("Jaws", 1975, "jaws"),
        movie("Jawz", 1975, "jawz"),  # the key beside it
        movie("Vertigo", 1958, "vertigo"),
        movie("Vertgo", 1958, "vertgo"),
        movie("Heat", 1995, "heat"),
        movie("Haet", 1995, "haet", kind="series"),  # another kind
        movie("Cube", 1997, "cube"),
        movie("Cure", 1997, "cure"),  # two films of 1997: b and r are far apart
        movie("Amer", 2009, "amer"),
        movie("Gamer", 2009, "gamer"),  # not the same first letter
        movie("Tag", 2018, "tag"),
        movie("Tah", 2018, "tah"),  # three letters: only as spelled
        movie("Jaws", 1978, "jaws-2"),  # another year
        movie("Jwas", None, "jwas"),  # no year: a short title needs both
    ]
    assert pairs_of(entries) == {
        frozenset(("alien", "alein")),
        frozenset(("jaws", "jawz")),
        frozenset(("vertigo", "vertgo")),
    }


def test_titles_with_different_ids_from_one_service_are_not_near_duplicates() -> None:
    def film(slug: str, title: str, **ids: str) -> Entry:
        return Entry(title=title, slug=slug, year=2012, kind="movie", ids=ids)

    entries = [
        film("resolution", "Resolution", imdb="tt1977895"),
        film("revolution", "Revolution", imdb="tt2070791"),
        film("lilya", "Lilya 4-ever", letterboxd="https://boxd.it/1SyW"),
        film("lilja", "Lilja 4-ever", imdb="tt0300140"),
        film("rain", "Rain", letterboxd="https://boxd.it/xDZ8"),
        film("rain-2", "Rain", letterboxd="https://boxd.it/l8jm"),
    ]
    # The same title and year is always worth a question; one letter apart, two ids are two films.
    assert pairs_of(entries) == {frozenset(("lilya", "lilja")), frozenset(("rain", "rain-2"))}


def test_a_title_shared_by_many_entries_is_still_compared_within_a_year(
    invoke: Invoke, journal_dir: Path
) -> None:
    for year in range(1950, 2001):
        write(journal_dir, f"hamlet-{year}", title="Hamlet", year=year, kind="movie")
    write(journal_dir, "hamlet-again", title="Hamlet", year=1990, kind="movie")
    code, report = check(invoke)
    assert code == 1
    assert [(p["file"], p["other"], p["message"]) for p in report["problems"]] == [
        (
            "hamlet-1990.toml",
            "hamlet-again.toml",
            "probably the same as hamlet-again.toml (same title and year)",
        )
    ]


def test_every_copy_of_a_title_and_year_is_reported_however_many() -> None:
    entries = [Entry(title="Film", slug=f"f{i}", year=2000) for i in range(3000)]
    entries += [Entry(title="Flim", slug=f"g{i}", year=2000) for i in range(3000)]
    entries.append(Entry(title="Film", slug="other-year", year=2001))
    found = likely_duplicates(entries)
    named = {slug for a, b, _ in found for slug in (a.slug, b.slug)}
    assert named == {f"f{i}" for i in range(3000)} | {f"g{i}" for i in range(3000)}
    assert {reason for _a, _b, reason in found} == {"same title and year"}
    # Each copy is paired with the first, not with every other one (3000 ** 2 / 2 pairs).
    assert len(found) == 2 * 2999


def test_a_link_in_an_inline_table_is_reported_with_its_line(
    invoke: Invoke, journal_dir: Path
) -> None:
    journal_dir.mkdir()
    (journal_dir / "inl.toml").write_text(
        'title = "Links Inline"\nyear = 2001\nkind = "movie"\nstatus = "planned"\n'
        'links = [{ why = "x", to = "nope-1" }, {to="nope-2"}]\n'
        'unlinked = ["nope-3"]\n'
    )
    code, report = check(invoke)
    assert code == 1
    lines = {p["message"].split("'")[1]: p["line"] for p in report["problems"]}
    assert lines == {"nope-1": 5, "nope-2": 5, "nope-3": 6}
    assert "inl.toml:5: links to 'nope-1'" in invoke("check").stdout


def test_a_link_to_a_file_that_does_not_parse_says_so(invoke: Invoke, journal_dir: Path) -> None:
    journal_dir.mkdir()
    (journal_dir / "broken.toml").write_text('title = "Bad\n')
    (journal_dir / "blt.toml").write_text(
        'title = "Points At Broken"\nyear = 2004\nkind = "movie"\nstatus = "planned"\n'
        'unlinked = ["broken"]\n[[links]]\nto = "broken"\n'
    )
    code, report = check(invoke)
    assert code == 1
    messages = sorted(p["message"] for p in report["problems"] if p["file"] == "blt.toml")
    assert messages == [
        "links to 'broken', whose file broken.toml does not parse",
        "unlinked lists 'broken', whose file broken.toml does not parse",
    ]


def test_conflict_markers_left_in_a_review_are_reported_with_their_line(
    invoke: Invoke, sample_journal: Path
) -> None:
    # A git merge (or an edit race) can leave markers inside the review: still valid TOML.
    path = sample_journal / "blame-2017.toml"
    path.write_text(
        path.read_text().replace(
            "The City is the real star.",
            "<<<<<<< HEAD\nThe City is the true star.\n=======\nThe City is the only star.\n"
            ">>>>>>> theirs",
        )
    )
    code, report = check(invoke)
    assert code == 1 and not report["ok"]
    [problem] = report["problems"]
    assert (problem["kind"], problem["file"], problem["line"]) == (
        "conflict",
        "blame-2017.toml",
        13,
    )
    assert path.read_text().splitlines()[12] == "<<<<<<< HEAD"
    plain = invoke("check")
    assert plain.exit_code == 1
    assert "blame-2017.toml:13: conflict marker '<<<<<<< HEAD'" in plain.stdout


def test_a_markdown_heading_underline_in_a_review_is_no_conflict(
    invoke: Invoke, sample_journal: Path
) -> None:
    path = sample_journal / "blame-2017.toml"
    path.write_text(path.read_text().replace("The City is", "Verdict\n=======\nThe City is"))
    code, report = check(invoke)
    assert code == 0, report
