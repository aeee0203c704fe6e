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
