"""The journal commands end to end: add, show, list, edit, rm, where; errors and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, SAMPLE_JOURNAL, Invoke


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every entry file's bytes, to prove a failed command changed nothing."""
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".toml"}


def read(folder: Path, slug: str) -> dict[str, object]:
    return tomllib.loads((folder / f"{slug}.toml").read_text())


# --- add --------------------------------------------------------------------------------------


def test_add_writes_one_file_and_prints_its_path(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke(
        "add", "Blame!", "--year", "2017", "--kind", "movie", "--score", "6",
        "--verdict", "Great premise.", "--watched", "2017-05-22", "--tag", "anime",
        "--creator", "Polygon Pictures", "--alias", "Blame", "--where", "Netflix",
        "--review", "The City is the star.",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    path = journal_dir / "blame-2017.toml"
    assert result.stdout.strip() == str(path)
    assert "Added Blame! (2017)" in result.stderr
    data = read(journal_dir, "blame-2017")
    assert data["score"] == 6 and data["kind"] == "movie" and data["where"] == "Netflix"
    assert [d.isoformat() for d in data["watched"]] == ["2017-05-22"]  # type: ignore[attr-defined]
    assert data["creators"] == ["Polygon Pictures"] and data["aliases"] == ["Blame"]
    assert data["review"] == "The City is the star.\n"


def test_add_defaults_the_viewing_to_today_but_not_for_planned(
    invoke: Invoke, journal_dir: Path
) -> None:
    import datetime as dt

    invoke("add", "Seen It")
    invoke("add", "Later", "--status", "planned")
    assert read(journal_dir, "seen-it")["watched"] == [dt.date.today()]
    assert "watched" not in read(journal_dir, "later")


def test_add_accepts_yesterday(invoke: Invoke, journal_dir: Path) -> None:
    import datetime as dt

    assert invoke("add", "X", "--watched", "yesterday").exit_code == 0
    assert read(journal_dir, "x")["watched"] == [dt.date.today() - dt.timedelta(days=1)]


@pytest.mark.parametrize("when", ["tomorrow", "2026-13-01", "last week"])
def test_a_bad_viewing_date_names_every_accepted_form(
    invoke: Invoke, journal_dir: Path, when: str
) -> None:
    result = invoke("add", "X", "--watched", when)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --watched: must be a date like 2017-05-22, today or yesterday (got {when!r})\n"
    )
    assert not journal_dir.exists() or not list(journal_dir.glob("*.toml"))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--score", "11"], "--score"),
        (["--score", "-1"], "--score"),
        (["--score", "6.3"], "--score"),
        (["--score", "abc"], "--score"),
        (["--score", "NaN"], "--score"),
        (["--kind", "film"], "--kind"),
        (["--status", "seen"], "--status"),
        (["--watched", "2021-13-01"], "--watched"),
        (["--watched", "3000-01-01"], "--watched"),
        (["--status", "planned", "--score", "5"], "--score"),
        (["--verdict", "two\nlines"], "--verdict"),
        (["--tag", "bad\ttag"], "--tag"),
        (["--year", "1500"], "--year"),
    ],
)
def test_bad_input_exits_2_naming_the_field_and_writes_nothing(
    invoke: Invoke, sample_journal: Path, args: list[str], field: str
) -> None:
    before = snapshot(sample_journal)
    result = invoke("add", "Some New Film", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {field}:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert snapshot(sample_journal) == before


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "x" * 100_000, "nul\x00"])
def test_bad_titles_exit_2(invoke: Invoke, journal_dir: Path, title: str) -> None:
    result = invoke("add", title)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: TITLE:")
    assert snapshot(journal_dir) == {}


def test_non_numeric_year_is_a_usage_error(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("add", "X", "--year", "soon")
    assert result.exit_code == 2
    assert snapshot(journal_dir) == {}


def test_same_title_again_is_refused_without_a_terminal(
    invoke: Invoke, sample_journal: Path
) -> None:
    before = snapshot(sample_journal)
    result = invoke("add", "Blame!", "--year", "2017", "--score", "7")
    assert result.exit_code == 1
    assert (
        "blame-2017" in result.stderr and "--rewatch" in result.stderr and "--new" in result.stderr
    )
    assert snapshot(sample_journal) == before


@pytest.mark.parametrize("title", ["Blame", "blame!", "BLAME!"])
def test_near_identical_titles_and_aliases_count_as_duplicates(
    invoke: Invoke, sample_journal: Path, title: str
) -> None:
    result = invoke("add", title)
    assert result.exit_code == 1
    assert "blame-2017" in result.stderr


@pytest.mark.parametrize(
    ("first", "second"),
    [("Crash Test 1", "Crash Test 12"), ("Rocky II", "Rocky III"), ("Apollo 13", "Apollo 18")],
)
def test_titles_that_differ_in_a_number_are_not_duplicates(
    invoke: Invoke, journal_dir: Path, first: str, second: str
) -> None:
    assert invoke("add", first, "--year", "2003").exit_code == 0
    result = invoke("add", second, "--year", "2003")
    assert result.exit_code == 0, result.stderr
    assert len(list(journal_dir.glob("*.toml"))) == 2


def test_the_same_number_spelled_differently_is_still_a_duplicate(
    invoke: Invoke, journal_dir: Path
) -> None:
    assert invoke("add", "Rocky II", "--year", "1979").exit_code == 0
    result = invoke("add", "Rocky 2", "--year", "1979")
    assert result.exit_code == 1
    assert "rocky-ii-1979" in result.stderr


def test_a_different_year_is_a_different_title(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("add", "Blame!", "--year", "2003")
    assert result.exit_code == 0
    assert (sample_journal / "blame-2003.toml").exists()


def test_rewatch_appends_a_viewing_and_keeps_everything_else(
    invoke: Invoke, sample_journal: Path
) -> None:
    before = read(sample_journal, "blame-2017")
    result = invoke("add", "Blame!", "--rewatch", "--watched", "2024-01-05", "--score", "6.5")
    assert result.exit_code == 0, result.stderr
    after = read(sample_journal, "blame-2017")
    # Each viewing keeps the score given at the time; the entry's score is the latest.
    assert after["watched"] == [
        {"date": dt.date(2017, 5, 22), "score": 6},
        {"date": dt.date(2024, 1, 5), "score": 6.5},
    ]
    assert after["score"] == 6.5
    assert after["review"] == before["review"] and after["links"] == before["links"]
    assert "2 in all" in result.stderr
    assert "Score 6 -> 6.5 (the 2017-05-22 viewing keeps 6)" in result.stderr


def test_rewatch_of_something_not_in_the_journal_is_not_found(
    invoke: Invoke, sample_journal: Path
) -> None:
    before = snapshot(sample_journal)
    result = invoke("add", "Totally Unknown Film", "--rewatch")
    assert result.exit_code == 1
    assert snapshot(sample_journal) == before


def test_new_makes_a_second_entry_with_a_numbered_slug(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("add", "Blame!", "--year", "2017", "--new")
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("blame-2017-2.toml")
    assert read(sample_journal, "blame-2017")["score"] == 6


def test_adding_a_planned_title_marks_it_watched(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("add", "Cloud Atlas", "--score", "8", "--watched", "2025-03-01")
    assert result.exit_code == 0, result.stderr
    data = read(sample_journal, "cloud-atlas-2012")
    assert data["status"] == "watched" and data["score"] == 8
    assert "Marked Cloud Atlas (2012) as watched" in result.stderr


def test_add_link_resolves_a_title_to_a_slug(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("add", "Ajin 2", "--link", "The Matrix")
    assert result.exit_code == 0, result.stderr
    assert read(sample_journal, "ajin-2")["links"] == [{"to": "the-matrix-1999"}]


@pytest.mark.parametrize(
    "args",
    [
        ["add", "matrx", "--rewatch", "--score", "3"],
        ["add", "Jupiter Ascendin", "--rewatch", "--score", "3"],
        ["add", "Ajin 2", "--link", "matrx"],
    ],
    ids=["typo", "cut-short", "link"],
)
def test_add_never_writes_to_an_entry_it_only_guessed(
    invoke: Invoke, sample_journal: Path, args: list[str]
) -> None:
    # A rewatch or a link named loosely once went to the closest entry without a word: Part Two
    # recorded as a viewing of Part One, its score replaced.
    before = snapshot(sample_journal)
    result = invoke(*args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {args[1] if args[2] != '--link' else 'matrx'!r}")
    assert "does not name an entry exactly, and add changes files" in result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(sample_journal) == before


def test_add_does_not_pass_over_a_file_that_does_not_parse(
    invoke: Invoke, journal_dir: Path
) -> None:
    # The broken file is this title: adding it again made paprika-2006-2.toml, a duplicate once
    # the first is fixed; a rewatch said "No entry".
    journal_dir.mkdir(parents=True, exist_ok=True)
    broken = 'title = "Paprika"\nyear = 2006\nscore = 8\nwatched = [2020-01-01\n'
    (journal_dir / "paprika-2006.toml").write_text(broken, encoding="utf-8")
    for extra in ([], ["--rewatch"]):
        result = invoke("add", "Paprika", "--year", "2006", "--score", "9", *extra)
        assert result.exit_code == 1, result.stderr
        assert "paprika-2006.toml is the best match for 'Paprika (2006)' but does not parse" in (
            result.stderr
        )
        assert sorted(p.name for p in journal_dir.glob("*.toml")) == ["paprika-2006.toml"]
    assert (journal_dir / "paprika-2006.toml").read_text(encoding="utf-8") == broken
    # Another title is added as ever.
    assert invoke("add", "Perfect Blue", "--year", "1997").exit_code == 0


def test_add_edit_takes_the_review_from_the_editor(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "fake-editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('Written in the editor.\\n')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    assert invoke("add", "Paprika", "--edit").exit_code == 0
    assert read(journal_dir, "paprika")["review"] == "Written in the editor.\n"


def test_rewatch_and_new_together_are_refused(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("add", "X", "--rewatch", "--new")
    assert result.exit_code == 2 and "--rewatch/--new" in result.stderr


# --- show -------------------------------------------------------------------------------------


def test_show_prints_the_entry_readably(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("show", "blame")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("Blame! (2017)\n")
    assert "Score: 6/10" in out and "Verdict: Great premise" in out
    assert "Creators: Hiroyuki Seshita, Polygon Pictures, Tsutomu Nihei" in out
    assert "Knights of Sidonia (2014)" in out
    assert "The City is the real star." in out


def test_show_json_has_fields_slug_path_links_and_backlinks(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("show", "knights-of-sidonia-2014", "--json")
    data = json.loads(result.stdout)
    assert data["slug"] == "knights-of-sidonia-2014"
    assert data["path"] == str(sample_journal / "knights-of-sidonia-2014.toml")
    assert data["score"] == 7 and data["watched"] == ["2015-03-14"]
    assert {"from": "blame-2017", "why": "same studio and manga author", "derived": False} in data[
        "backlinks"
    ]


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("the-matrix-1999", "the-matrix-1999"),
        ("the matrix", "the-matrix-1999"),
        ("Matrix, The", "the-matrix-1999"),
        ("shingeki no kyojin", "attack-on-titan-2013"),
        ("kokaku kidotai", "ghost-in-the-shell-1995"),
        ("Ghost in the Shell (1995)", "ghost-in-the-shell-1995"),
        ("jupiter ascendng", "jupiter-ascending-2015"),
    ],
)
def test_show_finds_by_slug_title_alias_and_close_spelling(
    invoke: Invoke, sample_journal: Path, query: str, slug: str
) -> None:
    result = invoke("show", query, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["slug"] == slug


def test_show_unknown_exits_1_with_a_suggestion(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("show", "Psycho Killers")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No entry 'Psycho Killers'.")
    assert "Psycho-Pass (2012)" in result.stderr


def test_show_nothing_close_exits_1(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("show", "zzzzqqq")
    assert result.exit_code == 1 and "Did you mean" not in result.stderr


def test_show_ambiguous_lists_the_candidates_and_exits_1(
    invoke: Invoke, sample_journal: Path
) -> None:
    invoke("add", "Dune", "--year", "1984")
    invoke("add", "Dune", "--year", "2021")
    result = invoke("show", "dune")
    assert result.exit_code == 1
    assert "dune-1984" in result.stderr and "dune-2021" in result.stderr
    assert json.loads(invoke("show", "dune 2021", "--json").stdout)["slug"] == "dune-2021"


# --- list -------------------------------------------------------------------------------------


def test_list_piped_is_one_tab_separated_line_per_entry(
    invoke: Invoke, sample_journal: Path
) -> None:
    lines = invoke("list").stdout.splitlines()
    assert len(lines) == len(snapshot(sample_journal))
    assert all(len(line.split("\t")) == 7 for line in lines)
    assert "blame-2017\tBlame!\t2017\tmovie\twatched\t6/10\t" in "\n".join(lines)


def test_list_filters_and_sorts(invoke: Invoke, sample_journal: Path) -> None:
    out = invoke("list", "--kind", "movie", "--status", "watched", "--sort", "score").stdout
    titles = [line.split("\t")[1] for line in out.splitlines()]
    assert titles == ["The Matrix", "Ghost in the Shell", "Blame!", "Jupiter Ascending"]
    out = invoke("list", "--tag", "ANIME", "--min-score", "8", "--sort", "title").stdout
    assert [line.split("\t")[1] for line in out.splitlines()] == [
        "Attack on Titan",
        "Ghost in the Shell",
        "Psycho-Pass",
    ]
    reverse = invoke("list", "--sort", "year", "--reverse", "--limit", "2").stdout.splitlines()
    assert [line.split("\t")[2] for line in reverse] == ["1995", "1999"]


def test_list_json(invoke: Invoke, sample_journal: Path) -> None:
    data = json.loads(invoke("list", "--status", "planned", "--json").stdout)
    assert {d["slug"] for d in data} == {
        "ghost-in-the-shell-2-innocence-2004",
        "cloud-atlas-2012",
        "ajin-demi-human-2016",
    }
    assert all(d["score"] is None and d["path"].endswith(".toml") for d in data)


def test_list_rejects_an_unknown_sort(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("list", "--sort", "mood")
    assert result.exit_code == 2 and "--sort" in result.stderr


@pytest.mark.parametrize("args", [["list"], ["list", "-n", "3"], ["list", "-n", "3", "--json"]])
def test_list_on_an_empty_journal_prints_nothing(
    invoke: Invoke, journal_dir: Path, args: list[str]
) -> None:
    journal_dir.mkdir()
    result = invoke(*args)
    assert result.exit_code == 0
    assert result.stdout.strip() in ("", "[]")
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["show", "zzzzqqq"],
        ["edit", "zzzzqqq"],
        ["rm", "zzzzqqq", "--yes"],
        ["link", "zzzzqqq", "qqqqzzzz"],
        ["unlink", "zzzzqqq", "qqqqzzzz"],
        ["recommend", "zzzzqqq"],
    ],
)
@pytest.mark.parametrize("journal", ["empty", "sample"])
def test_a_query_matching_nothing_is_not_found_and_changes_nothing(
    invoke: Invoke, journal_dir: Path, args: list[str], journal: str
) -> None:
    if journal == "sample":
        shutil.copytree(SAMPLE_JOURNAL, journal_dir, ignore=shutil.ignore_patterns(".watchbook"))
    else:
        journal_dir.mkdir()
    before = {p.name: p.read_bytes() for p in journal_dir.glob("*.toml")}
    result = invoke(*args)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith("Error: No entry 'zzzzqqq'.")
    assert result.stdout == ""
    assert {p.name: p.read_bytes() for p in journal_dir.glob("*.toml")} == before


def test_a_broken_file_is_warned_about_once_and_the_rest_still_works(
    invoke: Invoke, sample_journal: Path
) -> None:
    (sample_journal / "broken.toml").write_text('title = "Broken"\nscore = "six"\n')
    result = invoke("list")
    assert result.exit_code == 0
    assert result.stderr.count("broken.toml") == 1
    assert "broken.toml:2: score:" in result.stderr
    assert len(result.stdout.splitlines()) == len(snapshot(sample_journal)) - 1


# --- edit -------------------------------------------------------------------------------------


def fake_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_text: str) -> None:
    script = tmp_path / "editor.py"
    script.write_text(f"import sys\nopen(sys.argv[1], 'w').write({new_text!r})\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")


def test_edit_saves_a_valid_change(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_editor(tmp_path, monkeypatch, 'title = "The Matrix"\nyear = 1999\nscore = 10\n')
    result = invoke("edit", "the matrix")
    assert result.exit_code == 0
    assert "Saved" in result.stderr
    assert read(sample_journal, "the-matrix-1999")["score"] == 10


def test_edit_that_breaks_the_file_is_reported_and_not_rewritten(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = 'title = "The Matrix"\nscore = 11\n'
    before = (sample_journal / "the-matrix-1999.toml").read_text()
    fake_editor(tmp_path, monkeypatch, broken)
    result = invoke("edit", "the matrix")
    assert result.exit_code == 2
    assert "the-matrix-1999.toml:2: score:" in result.stderr
    # Without a terminal to ask, the entry stays as it was and the text is kept aside.
    assert (sample_journal / "the-matrix-1999.toml").read_text() == before
    assert (sample_journal / "the-matrix-1999.toml.edited").read_text() == broken


def test_edit_with_a_missing_editor_is_a_clear_error(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "no-such-editor-anywhere")
    result = invoke("edit", "the matrix")
    assert result.exit_code == 2 and "no-such-editor-anywhere" in result.stderr


# --- rm ---------------------------------------------------------------------------------------


def test_rm_yes_deletes_only_that_entry(invoke: Invoke, sample_journal: Path) -> None:
    before = snapshot(sample_journal)
    assert invoke("rm", "psycho-pass-2012", "--yes").exit_code == 0
    after = snapshot(sample_journal)
    assert set(before) - set(after) == {"psycho-pass-2012.toml"}
    assert all(after[name] == before[name] for name in after)


def test_rm_unknown_exits_1(invoke: Invoke, sample_journal: Path) -> None:
    before = snapshot(sample_journal)
    assert invoke("rm", "nothing like it", "--yes").exit_code == 1
    assert snapshot(sample_journal) == before


# --- where and the global option --------------------------------------------------------------


def test_where_names_the_folder_and_why(invoke: Invoke, journal_dir: Path) -> None:
    result = invoke("where")
    assert result.stdout.strip() == str(journal_dir)
    assert "WATCHBOOK_JOURNAL" in result.stderr


def test_journal_option_beats_the_environment(invoke: Invoke, tmp_path: Path) -> None:
    other = tmp_path / "other"
    result = invoke("--journal", str(other), "add", "Perfect Blue", "--year", "1997")
    assert result.exit_code == 0
    assert (other / "perfect-blue-1997.toml").exists()
    assert invoke("--journal", str(other), "where").stdout.strip() == str(other)


def test_python_dash_m_runs_the_cli(journal_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "watchbook", "add", "Akira", "--year", "1988"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (journal_dir / "akira-1988.toml").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "watchbook", "add", "Akira", "--score", "12"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert (
        bad.stderr == "Error: --score: must be a number from 0 to 10 in steps of 0.5 (got '12')\n"
    )
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize(
    "args", [["list"], ["stats"], ["search", "sidonia", "--json"], ["show", "Blame!"]]
)
def test_a_reader_that_left_ends_the_command_quietly(sample_journal: Path, args: list[str]) -> None:
    # `watchbook list | head -1`, made certain: the pipe's reading end is closed before the
    # command writes anything, so its first flush fails with EPIPE.
    import os

    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "watchbook", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert result.stderr == ""
    for shipped in SAMPLE_JOURNAL.glob("*.toml"):
        assert (sample_journal / shipped.name).read_bytes() == shipped.read_bytes()


def test_a_tag_spelled_another_way_is_the_same_tag_everywhere(
    tmp_path: Path, invoke: Invoke
) -> None:
    # "drôle" typed with a combining accent (NFD), precomposed (NFC), capitalised: one tag,
    # as the exports and `search --tag` already had it.
    nfc, nfd = "dr\u00f4le", "dro\u0302le"
    journal = tmp_path / "journal"
    journal.mkdir()
    for slug, tag in (("one", nfd), ("two", nfc), ("three", "Dr\u00f4le")):
        (journal / f"{slug}.toml").write_text(
            f'title = "{slug.title()}"\nyear = 2001\nscore = 6\nwatched = [2020-01-0{len(slug)}]\n'
            f'tags = ["{tag}"]\n',
            "utf-8",
        )
    listed = invoke("--journal", str(journal), "list", "--tag", nfc, "--json")
    assert listed.exit_code == 0, listed.stderr
    assert sorted(e["slug"] for e in json.loads(listed.stdout)) == ["one", "three", "two"]
    stats = invoke("--journal", str(journal), "stats", "--json")
    tags = json.loads(stats.stdout)["top_tags"]
    assert [t["count"] for t in tags] == [3], tags
    again = invoke(
        "--journal", str(journal), "add", "one", "--rewatch", "--watched", "2021-02-02",
        "--tag", nfc, "--tag", "DR\u00d4LE",
    )  # fmt: skip
    assert again.exit_code == 0, again.stderr
    assert (journal / "one.toml").read_text("utf-8").count("tags = ") == 1
    assert f'tags = ["{nfd}"]' in (journal / "one.toml").read_text("utf-8")


def test_import_into_a_missing_folder_says_it_started_a_journal(
    tmp_path: Path, invoke: Invoke
) -> None:
    export = FIXTURES / "docs" / "animelist.xml"
    journal = tmp_path / "typo"
    dry = invoke("--journal", str(journal), "import", "mal", str(export), "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert not journal.exists() and "Started a new journal" not in dry.stderr
    result = invoke("--journal", str(journal), "import", "mal", str(export))
    assert result.exit_code == 0, result.stderr
    assert f"Started a new journal in {journal} (chosen by --journal" in result.stderr
    again = invoke("--journal", str(journal), "import", "mal", str(export))
    assert again.exit_code == 0 and "Started a new journal" not in again.stderr


def test_where_refuses_a_journal_path_that_is_a_file(tmp_path: Path, invoke: Invoke) -> None:
    path = tmp_path / "afile"
    path.write_text("not a journal\n", "utf-8")
    result = invoke("--journal", str(path), "where")
    assert result.exit_code == 2, result.stdout
    assert result.stderr == f"Error: the journal path {path} is not a folder\n"
    assert result.stdout == ""
