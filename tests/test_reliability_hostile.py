"""Hostile input: broken and malicious files in the journal, and hostile text on the command line.

Whatever a file or an argument holds, watchbook keeps working on the rest, says precisely what it
refused, never rewrites a file it could not read, and never writes outside the journal folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Invoke
from tests.test_reliability_crash import (
    assert_index_agrees,
    cli_env,
    entry_files,
    files_view,
    run,
    scaled,
    tree,
)
from watchbook.entry_file import MAX_FILE_BYTES

SAMPLE_SLUGS = {
    "ajin-demi-human-2016", "attack-on-titan-2013", "blame-2017", "cloud-atlas-2012",
    "ghost-in-the-shell-1995", "ghost-in-the-shell-2-innocence-2004", "jupiter-ascending-2015",
    "knights-of-sidonia-2014", "knights-of-sidonia-battle-for-planet-nine-2015",
    "psycho-pass-2012", "the-matrix-1999",
}  # fmt: skip


# --- hostile files in the journal -------------------------------------------------------------


def plant_hostile_files(journal: Path, outside: Path) -> dict[str, str]:
    """Put every kind of bad file into the journal; name as reported -> what the report must say."""
    outside.mkdir(exist_ok=True)
    secret = outside / "secret.toml"
    secret.write_text('title = "Secret"\nreview = "must never be rewritten"\n')
    (journal / "broken.toml").write_text('title = "Broken"\nscore = \n')
    (journal / "six.toml").write_text('title = "Six"\nscore = "six"\n')
    (journal / "huge.toml").write_text(
        'title = "Huge"\nreview = """\n' + "a" * 20_000_000 + '"""\n'
    )
    (journal / "garbage.toml").write_bytes(bytes(range(256)) * 64)
    (journal / "secret.toml").symlink_to(secret)
    (journal / "nowhere.toml").symlink_to(outside / "missing.toml")
    (journal / "latin1.toml").write_bytes('title = "X"\nverdict = "Amélie"\n'.encode("latin-1"))
    (journal / "folder.toml").mkdir()
    (journal / "folder.toml" / "inner.toml").write_text('title = "Inner"\n')
    os.mkfifo(journal / "pipe.toml")
    (journal / "empty.toml").write_bytes(b"")
    (journal / "escape.toml").write_text('title = "\\u001b[2Jgone"\n')
    (journal / "dates.toml").write_text('title = "Dates"\nwatched = ["yesterday-ish"]\n')
    # What the TOML reader cannot take: nesting deeper than Python's recursion limit, and an
    # integer longer than Python converts.
    (journal / "deep.toml").write_text('title = "Deep"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    (journal / "bigint.toml").write_text('title = "Big"\nyear = ' + "9" * 5000 + "\n")
    # Names that cannot be printed or stored as they are: bytes that are not UTF-8, a terminal escape.
    (journal / os.fsdecode(b"caf\xe9.toml")).write_text('title = "Cafe"\n')
    (journal / "\x1b[31mred.toml").write_text('title = "Red"\n')
    return {
        "broken.toml:2": "not valid TOML",
        "six.toml:2": "score: must be a number from 0 to 10",
        "huge.toml": f"entry files are limited to {MAX_FILE_BYTES:,}",
        "garbage.toml:2": "is not UTF-8 text",
        "secret.toml": "is a link to a file outside the journal; not followed",
        "nowhere.toml": "is a link to a file outside the journal; not followed",
        "latin1.toml:2": "is not UTF-8 text",
        "folder.toml": "is not a regular file",
        "pipe.toml": "is not a regular file",
        "empty.toml": "title: is required",
        "escape.toml:1": "title: must be one line of UTF-8 text without control characters",
        "dates.toml:2": "watched: must be a date",
        "deep.toml": "nested too deeply",
        "bigint.toml": "a number too long to read",
        "caf\\xe9.toml": "bytes that are not UTF-8 in its name",
        "\\x1b[31mred.toml": "control characters",
    }


# Any TOML value at all, for files that are valid TOML but may be anything but a valid entry.
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
toml_values = st.recursive(
    st.one_of(
        st.integers(-(2**63), 2**63 - 1), st.floats(), st.booleans(), _text,
        st.dates(), st.times(), st.datetimes(), st.datetimes(timezones=st.timezones()),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
KEYS = ["title", "year", "kind", "status", "score", "verdict", "watched", "tags", "creators",
        "aliases", "where", "review", "ids", "links", "unlinked"]  # fmt: skip
toml_documents = st.fixed_dictionaries(
    {"title": st.one_of(st.sampled_from(["Fuzz", "Fuzz 2"]), toml_values)},
    optional={
        **{key: toml_values for key in KEYS[1:]},
        "links": st.lists(st.dictionaries(st.sampled_from(["to", "why", "x"]), toml_values)),
        "mood": toml_values,
    },
)


@settings(max_examples=scaled(30, 500), deadline=None, suppress_health_check=list(HealthCheck))
@given(document=toml_documents)
def test_any_valid_toml_is_read_or_reported_never_a_crash(
    invoke: Invoke, journal_dir: Path, document: dict[str, object]
) -> None:
    import shutil

    import tomli_w

    shutil.rmtree(journal_dir, ignore_errors=True)
    journal_dir.mkdir()
    (journal_dir / "fuzz.toml").write_text(tomli_w.dumps(document), encoding="utf-8")
    (journal_dir / "plain.toml").write_text('title = "Plain"\n')
    result = invoke("list", "--json")
    assert result.exit_code == 0, result.stderr
    shown = {e["slug"] for e in json.loads(result.stdout)}
    assert "plain" in shown
    if "fuzz" not in shown:
        assert "Warning: skipped fuzz.toml" in result.stderr
    assert_index_agrees(invoke, journal_dir)
    if "fuzz" in shown:
        # A readable file survives a rewrite by watchbook with its unknown fields intact.
        before = tomllib.loads((journal_dir / "fuzz.toml").read_text())
        assert invoke("add", "--rewatch", "--watched", "2020-01-01", "--", "fuzz").exit_code == 0
        after = tomllib.loads((journal_dir / "fuzz.toml").read_text())
        assert repr(after.get("mood")) == repr(before.get("mood"))  # repr: NaN equals itself


def fingerprint(folder: Path) -> dict[str, object]:
    """Everything about a folder's direct children that a write would change."""
    found: dict[str, object] = {}
    for path in folder.iterdir():
        if path.is_symlink():
            found[path.name] = ("link", os.readlink(path))
        elif path.is_file():
            found[path.name] = ("file", path.read_bytes())
        elif path.is_dir():
            found[path.name] = ("dir", sorted(p.name for p in path.iterdir()))
        else:
            found[path.name] = ("other", path.lstat().st_mode)
    return found


# Read and write commands that must all work around the bad files (run as real processes,
# with a timeout, so a command that opened the FIFO would fail instead of hanging the suite).
SWEEP = [
    ("list", "--json"),
    ("show", "Blame!", "--json"),
    ("list", "--sort", "score"),
    ("stats",),
    ("search", "sidonia"),
    ("recommend", "Blame!"),
    ("recommend",),
    ("export", "--out", "site"),
    ("export", "--format", "json", "--out", "json-export"),
    ("link", "The Matrix", "Blame!", "--why", "machines"),
    ("unlink", "Blame!", "Knights of Sidonia"),
    ("add", "Sixty", "--score", "6"),
    ("add", "Secret", "--verdict", "a new entry, not the linked file"),
    ("add", "Folder"),
    ("add", "Blame!", "--year", "2017", "--rewatch", "--watched", "2024-01-01"),
    ("rm", "psycho-pass-2012", "--yes"),
    ("import", "letterboxd", "letterboxd"),
]


def test_every_command_works_around_hostile_files_and_never_touches_them(
    sample_journal: Path, tmp_path: Path, invoke: Invoke
) -> None:
    outside = tmp_path / "outside"
    expected = plant_hostile_files(sample_journal, outside)
    hostile_before = fingerprint(sample_journal)
    hostile_names = set(fingerprint(sample_journal)) - {f"{s}.toml" for s in SAMPLE_SLUGS}
    outside_before = fingerprint(outside)
    letterboxd = tmp_path / "letterboxd"
    letterboxd.mkdir()
    (letterboxd / "diary.csv").write_text(
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        "2020-01-01,Imported Film,2001,https://boxd.it/zz,4,,,2020-01-01\n"
    )
    # Export folders are the only place outside the journal anything may be written.
    exports = [tmp_path / "site", tmp_path / "json-export"]
    around_before = tree(tmp_path, skip=[sample_journal, *exports])

    for args in SWEEP:
        result = subprocess.run(
            [sys.executable, "-m", "watchbook", *args],
            env=cli_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, (args, result.stderr)
        warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
        for name, reason in expected.items():
            matching = [w for w in warnings if w.startswith(f"Warning: skipped {name}: ")]
            assert len(matching) == 1, (args, name, warnings)
            assert reason in matching[0], (args, matching[0])
        assert "\x1b" not in result.stderr + result.stdout, "a file name reached the terminal raw"

    after = fingerprint(sample_journal)
    for name in hostile_names:
        assert after[name] == hostile_before[name], f"{name} was changed"
    assert fingerprint(outside) == outside_before
    assert tree(tmp_path, skip=[sample_journal, *exports]) == around_before
    entries = files_view(sample_journal)
    assert set(entries) == (SAMPLE_SLUGS - {"psycho-pass-2012"}) | {
        "sixty", "secret-2", "folder-2", "imported-film-2001"
    }  # fmt: skip
    assert entries["sixty"]["score"] == 6
    assert entries["blame-2017"]["watched"] == ["2017-05-22", "2024-01-01"]
    assert entries["blame-2017"]["links"] == []
    assert {"to": "blame-2017", "why": "machines"} in entries["the-matrix-1999"]["links"]
    pages = sorted(p.name for p in exports[0].iterdir())
    assert "blame-2017.md" in pages and not any(p.startswith(("six.", "secret.")) for p in pages)
    assert_index_agrees(invoke, sample_journal)


def test_add_does_not_make_a_second_entry_beside_a_broken_file_of_that_title(
    sample_journal: Path, tmp_path: Path
) -> None:
    # six.toml states `title = "Six"` but its score does not read: once it is fixed, a six-2
    # made now would be a duplicate (a link or folder named like an entry is no such file: the
    # sweep above adds Secret and Folder beside them).
    plant_hostile_files(sample_journal, tmp_path / "outside")
    before = fingerprint(sample_journal)
    result = run("add", "Six", "--score", "6", timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("Error: six.toml:2: score: must be a number from 0 to 10")
    assert "(six.toml is the best match for 'Six' but does not parse; fix the file" in (
        result.stderr
    )
    after = fingerprint(sample_journal)
    after.pop(".watchbook", None)  # the lock add took, nothing more
    assert after == before


def test_check_reports_every_hostile_file_precisely(sample_journal: Path, tmp_path: Path) -> None:
    expected = plant_hostile_files(sample_journal, tmp_path / "outside")
    before = fingerprint(sample_journal)
    result = run("check", "--json", timeout=60)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is False
    found = {
        (f"{p['file']}:{p['line']}" if p["line"] else p["file"]): p["message"]
        for p in report["problems"]
        if p["kind"] == "invalid"
    }
    assert set(found) == set(expected)
    for name, reason in expected.items():
        assert reason in found[name], (name, found[name])
    text = run("check", timeout=60)
    assert text.returncode == 1
    for name, reason in expected.items():
        assert any(
            line.startswith(f"{name}: ") and reason in line for line in text.stdout.splitlines()
        ), name
    assert "\x1b" not in text.stdout + text.stderr
    after = fingerprint(sample_journal)
    after.pop(".watchbook")  # the disposable index, rebuilt by check
    assert after == before


def test_a_link_inside_the_journal_is_read_but_never_written_through(
    invoke: Invoke, sample_journal: Path
) -> None:
    (sample_journal / "also-blame.toml").symlink_to("blame-2017.toml")
    target_before = (sample_journal / "blame-2017.toml").read_bytes()
    assert "also-blame" in files_view(sample_journal)
    for args in (
        ["rm", "also-blame", "--yes"],
        ["add", "also-blame", "--rewatch", "--watched", "2024-01-01"],
        ["link", "also-blame", "the-matrix-1999"],
        ["edit", "also-blame"],
    ):
        result = invoke(*args)
        # Not exit 3 ("changed by someone else, try again"): trying again could never work.
        assert result.exit_code == 2, (args, result.stderr)
        assert result.stderr.strip() == (
            "Error: also-blame.toml is a link to blame-2017.toml, and watchbook never writes "
            "or deletes through a link; nothing was changed (change the file it points to, or "
            "replace the link with a copy)"
        ), args
    assert (sample_journal / "also-blame.toml").is_symlink()
    assert (sample_journal / "blame-2017.toml").read_bytes() == target_before


def test_a_linked_state_folder_is_refused_and_nothing_is_written_through_it(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "someone-elses-folder"
    elsewhere.mkdir()
    journal_dir.mkdir()
    (journal_dir / "x.toml").write_text('title = "X"\n')
    (journal_dir / ".watchbook").symlink_to(elsewhere)
    result = invoke("add", "Y")
    assert result.exit_code == 2
    assert (
        result.stderr.startswith("Error: ")
        and ".watchbook must be watchbook's own folder" in result.stderr
    )
    assert not (journal_dir / "y.toml").exists()
    invoke("list", "--json")
    invoke("show", "X")
    assert list(elsewhere.iterdir()) == []


def test_a_linked_lock_file_is_refused_and_its_target_untouched(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("do not truncate me")
    (journal_dir / ".watchbook").mkdir(parents=True)
    (journal_dir / ".watchbook" / "journal.lock").symlink_to(precious)
    result = invoke("add", "Y")
    assert result.exit_code == 2 and "journal.lock is a link" in result.stderr
    assert precious.read_text() == "do not truncate me"
    assert not (journal_dir / "y.toml").exists()


@pytest.mark.parametrize(
    "content", [b"not a database at all", b"SQLite format 3\x00" + b"\x00" * 200]
)
def test_a_linked_index_file_is_never_written_through(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, content: bytes
) -> None:
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(content)
    (sample_journal / ".watchbook").mkdir(exist_ok=True)
    (sample_journal / ".watchbook" / "index.sqlite").symlink_to(foreign)
    before = tree(tmp_path, skip=[sample_journal])
    assert set(json.loads(invoke("list", "--json").stdout)[0]) >= {"slug", "title"}
    assert invoke("add", "Akira", "--year", "1988").exit_code == 0
    assert_index_agrees(invoke, sample_journal)
    assert foreign.read_bytes() == content
    assert tree(tmp_path, skip=[sample_journal]) == before


# --- hostile text on the command line ---------------------------------------------------------

VALID_TITLES = [
    "مرحبا بالعالم",  # Arabic, right to left
    "שלום עולם",  # Hebrew
    "\u200fמימין לשמאל",  # starts with a right-to-left mark, which is not a control character
    "🎬🍿 Movie Night",
    "👩‍👩‍👧‍👦",  # one emoji made of four joined by zero-width joiners
    "Ame\u0301lie",  # decomposed accent, kept as typed
    "-1 Day",
    "--help",
    "../../../etc/passwd",
    "..",
    "Fate/stay night",
    "C:\\Windows\\System32",
    "CON",
    "$(rm -rf ~) `id` ; DROP TABLE entries; --",
    "%s%n%x {0} {title}",
    "x" * 300,
]


def assert_stored_safely(journal: Path, title: str, stdout: str) -> None:
    """The entry's file is directly in the journal, with a safe name, and holds the exact title."""
    path = Path(stdout.strip())
    assert path.parent == journal
    assert path.name.isascii() and not path.name.startswith((".", "-")) and ".." not in path.stem
    assert tomllib.loads(path.read_text(encoding="utf-8"))["title"] == title


@pytest.mark.parametrize("title", VALID_TITLES)
def test_unusual_but_valid_titles_are_stored_and_read_back_exactly(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, title: str
) -> None:
    around = tree(tmp_path, skip=[journal_dir])
    result = invoke("add", "--review", f"About {title}.", "--", title)
    assert result.exit_code == 0, result.stderr
    assert_stored_safely(journal_dir, title, result.stdout)
    slug = Path(result.stdout.strip()).stem
    shown = json.loads(invoke("show", slug, "--json").stdout)
    assert shown["title"] == title and shown["review"] == f"About {title}.\n"
    assert [e["title"] for e in json.loads(invoke("list", "--json").stdout)] == [title]
    assert tree(tmp_path, skip=[journal_dir]) == around


@pytest.mark.parametrize("title", ["مرحبا بالعالم", "👩‍👩‍👧‍👦 Family", "-1 Day"])
def test_valid_titles_survive_a_real_command_line(journal_dir: Path, title: str) -> None:
    result = run("add", "--", title)
    assert result.returncode == 0, result.stderr
    assert_stored_safely(journal_dir, title, result.stdout)
    listed = run("list", "--json")
    assert [e["title"] for e in json.loads(listed.stdout)] == [title]


INVALID = [
    ("TITLE", ["\x1b[31mred"]),
    ("TITLE", ["bell\x07"]),
    ("TITLE", ["nul\x00byte"]),
    ("TITLE", ["\u202eevil.exe"]),
    ("TITLE", ["\u2066isolated"]),
    ("TITLE", ["x" * 100_000]),
    ("TITLE", ["line\nbreak"]),
    ("TITLE", ["carriage\rreturn"]),
    ("TITLE", ["caf\udce9"]),  # what Python makes of a non-UTF-8 byte in argv
    ("--verdict", ["Fine", "--verdict", "\x1b]0;pwned\x07"]),
    ("--tag", ["Fine", "--tag", "nul\x00"]),
    ("--creator", ["Fine", "--creator", "\x9b31m"]),
    ("--review", ["Fine", "--review", "clear \x1b[2J screen"]),
    ("--review", ["Fine", "--review", "語" * 1_000_001]),
    ("--where", ["Fine", "--where", "\u202dforced"]),
    ("--alias", ["Fine", "--alias", "x" * 100_000]),
]


@pytest.mark.parametrize(
    ("field", "args"), INVALID, ids=[f"{f}-{n}" for n, (f, _) in enumerate(INVALID)]
)
def test_hostile_arguments_are_refused_in_one_line_and_nothing_is_written(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, field: str, args: list[str]
) -> None:
    before = tree(tmp_path)
    result = invoke("add", "--", *args) if field == "TITLE" else invoke("add", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {field}:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert tree(tmp_path) == before


def test_an_entry_too_big_to_read_back_is_never_written(invoke: Invoke, journal_dir: Path) -> None:
    # 999,999 three-byte characters pass the review's character limit but make a 3 MB file,
    # which watchbook would then refuse to read: it must refuse to write it instead.
    result = invoke("add", "Big", "--review", "語" * 999_999)
    assert result.exit_code == 2
    assert "entry files are limited" in result.stderr
    assert entry_files(journal_dir) == []
    result = invoke("add", "Big", "--review", "語" * 600_000)
    assert result.exit_code == 0
    assert len(files_view(journal_dir)["big"]["review"]) == 600_001


def test_undecodable_bytes_on_a_real_command_line_are_refused(
    journal_dir: Path, tmp_path: Path
) -> None:
    before = tree(tmp_path)
    for argv in ([b"add", b"caf\xe9"], [b"add", b"Fine", b"--verdict", b"\xff\xfe"]):
        result = subprocess.run(
            [sys.executable.encode(), b"-m", b"watchbook", *argv],
            env=cli_env(),
            capture_output=True,
            check=False,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(b"Error: ") and b"UTF-8" in result.stderr
        assert b"Traceback" not in result.stderr
    assert tree(tmp_path) == before


def test_long_and_escaping_titles_on_a_real_command_line_are_refused(tmp_path: Path) -> None:
    before = tree(tmp_path)
    for title in ("x" * 100_000, "\x1b[2J\x1b[H", "tab\there"):
        result = run("add", "--", title)
        assert result.returncode == 2
        assert result.stderr.startswith("Error: TITLE:") and len(result.stderr.splitlines()) == 1
    assert tree(tmp_path) == before


def test_a_leading_dash_without_the_separator_is_a_usage_error_not_an_entry(
    invoke: Invoke, journal_dir: Path
) -> None:
    result = invoke("add", "-1 Day")
    assert result.exit_code == 2
    assert not journal_dir.exists() or entry_files(journal_dir) == []


@pytest.mark.parametrize(
    "args",
    [
        ["show", "../victim"],
        ["show", "../victim.toml"],
        ["rm", "../victim", "--yes"],
        ["rm", "/etc/passwd", "--yes"],
        ["edit", "../victim"],
        ["add", "Fine", "--link", "../victim"],
        ["add", "Fine", "--link", "../../etc/passwd"],
    ],
)
def test_queries_that_look_like_paths_never_reach_outside(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, args: list[str]
) -> None:
    (tmp_path / "victim.toml").write_text('title = "Victim"\n')
    cache = sample_journal / ".watchbook"  # the disposable index may be built by the lookup
    before = tree(tmp_path, skip=[cache])
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: No entry")
    assert tree(tmp_path, skip=[cache]) == before


@pytest.mark.parametrize("make", ["file", "device"])
def test_a_journal_path_that_is_not_a_folder_is_refused(tmp_path: Path, make: str) -> None:
    path = tmp_path / "journal-file"
    if make == "file":
        path.write_text("just a file")
    target = str(path) if make == "file" else os.devnull
    before = tree(tmp_path)
    result = run("--journal", target, "add", "X")
    assert result.returncode == 2
    assert result.stderr.startswith("Error: ") and "is not a folder" in result.stderr
    assert tree(tmp_path) == before


def test_a_review_the_editor_saved_in_another_encoding_is_refused(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor = tmp_path / "latin1-editor.sh"
    editor.write_text("#!/bin/sh\nprintf 'caf\\351 cr\\350me\\n' > \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    result = invoke("add", "Latin", "--edit")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: review: the editor saved text that is not UTF-8"
    assert not journal_dir.exists() or entry_files(journal_dir) == []


# --- hostile import files ---------------------------------------------------------------------

IMDB_HEADER = (
    "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,Genres,"
    "Num Votes,Release Date,Directors\n"
)
GOOD_ROW = "tt0000002,8,2020-01-02,Fine Film,u,movie,7,90,2001,Drama,10,2001-01-01,Someone\n"
LETTERBOXD_HEADER = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"


def imdb_row(title: str) -> str:
    return f'tt0000001,7,2020-01-01,"{title}",u,movie,7,90,2000,Drama,10,2000-01-01,X\n'


def write_zip(path: Path, members: dict[str, str]) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return path


def hostile_imports(folder: Path) -> list[tuple[str, Path, int, str]]:
    """(service, file, exit code, what the output must say) for each hostile import file."""
    folder.mkdir()
    secret = folder / "secret.txt"
    secret.write_text("TOP SECRET")
    files: list[tuple[str, str, bytes, int, str]] = [
        # A 1 MB field in a row: that row is skipped (a title is at most 300 characters).
        ("imdb", "megafield.csv", (IMDB_HEADER + imdb_row("A" * 1_000_000) + GOOD_ROW).encode(),
         0, "line 2"),
        # Past the CSV reader's field limit: skipped with its line, the rest still imported.
        ("imdb", "gigafield.csv", (IMDB_HEADER + imdb_row("B" * 3_000_000) + GOOD_ROW).encode(),
         0, "line 2"),
        # A title that would drive the terminal: skipped, and never echoed raw.
        ("imdb", "escape.csv", (IMDB_HEADER + imdb_row("\x1b]0;owned\x07\x1b[2J") + GOOD_ROW).encode(),
         0, "line 2"),
        ("imdb", "utf16.csv", (IMDB_HEADER + GOOD_ROW).encode("utf-16"), 0, "created 1"),
        ("imdb", "cp1252.csv", (IMDB_HEADER + GOOD_ROW.replace("Fine", "Café")).encode("cp1252"),
         0, "created 1"),
        ("imdb", "binary.csv", bytes(range(256)) * 40, 2, "Error: binary.csv: "),
        ("imdb", "empty.csv", b"", 2, "Error: empty.csv: "),
        ("imdb", "nocolumns.csv", b"Foo,Bar\n1,2\n", 2, "Error: nocolumns.csv: "),
        ("mal", "billion-laughs.xml",
         b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;'
         b'&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><myanimelist><anime>'
         b"<series_title>&c;</series_title></anime></myanimelist>", 2, "refused for safety"),
        ("mal", "external-entity.xml",
         f'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file://{secret}">]><myanimelist>'
         f"<anime><series_title>&x;</series_title></anime></myanimelist>".encode(),
         2, "refused for safety"),
        ("mal", "not-xml.xml", b"<myanimelist><anime>", 2, "Error: "),
    ]  # fmt: skip
    result = [
        (service, _write(folder / name, data), code, says)
        for service, name, data, code, says in files
    ]
    diary = LETTERBOXD_HEADER + "2020-01-01,Evil Film,2000,https://boxd.it/zz,4,,,2020-01-01\n"
    traversal = write_zip(
        folder / "traversal.zip",
        {
            "../diary.csv": diary,
            "../../../../../../tmp/diary.csv": diary,
            "/abs/diary.csv": diary,
            "..\\..\\diary.csv": diary,
            "diary.csv": diary.replace("Evil Film", "Good Film"),
        },
    )
    result.append(("letterboxd", traversal, 0, "ignored zip member '../diary.csv'"))
    return result


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


HOSTILE_IMPORTS = [
    "megafield.csv", "gigafield.csv", "escape.csv", "utf16.csv", "cp1252.csv", "binary.csv", "empty.csv",
    "nocolumns.csv", "billion-laughs.xml", "external-entity.xml", "not-xml.xml", "traversal.zip",
]  # fmt: skip
IMPORTED_TITLES = {
    "megafield.csv": "Fine Film", "gigafield.csv": "Fine Film", "escape.csv": "Fine Film",
    "utf16.csv": "Fine Film",
    "cp1252.csv": "Café Film", "traversal.zip": "Good Film",
}  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE_IMPORTS)
def test_hostile_import_files_are_refused_or_skipped_and_nothing_leaves_the_journal(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, name: str
) -> None:
    cases = {
        path.name: (service, path, code, says)
        for service, path, code, says in hostile_imports(tmp_path / "imports")
    }
    assert set(cases) == set(HOSTILE_IMPORTS)
    service, path, code, says = cases[name]
    before = {p.name: p.read_bytes() for p in entry_files(sample_journal)}
    around = tree(tmp_path, skip=[sample_journal])
    result = invoke("import", service, str(path))
    output = result.stdout + result.stderr
    assert result.exit_code == code, output[:500]
    assert says in output, output[:500]
    assert len(output) < 20_000, "the report repeats a huge field in full"
    assert "\x1b" not in output and "\x07" not in output, "the report echoes control characters"
    assert tree(tmp_path, skip=[sample_journal]) == around
    after = {p.name: p.read_bytes() for p in entry_files(sample_journal)}
    assert {k: v for k, v in after.items() if k in before} == before, "an entry was changed"
    titles = {e["title"] for e in files_view(sample_journal).values()}
    if code == 2:
        assert after == before, "the file was refused but entries were written"
        assert len(result.stderr.strip().splitlines()) == 1
    else:
        assert IMPORTED_TITLES[name] in titles
    assert "Evil Film" not in titles
    assert not any(
        "TOP SECRET" in (p.read_text(errors="replace")) for p in entry_files(sample_journal)
    )
    assert_index_agrees(invoke, sample_journal)


def test_a_zip_bomb_is_refused_without_being_expanded(journal_dir: Path, tmp_path: Path) -> None:
    import zipfile

    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("diary.csv", "w", force_zip64=True) as member,
    ):
        member.write(LETTERBOXD_HEADER.encode())
        chunk = b"0" * (1 << 20)
        for _ in range(260):  # 260 MB of text in about 1 MB of zip
            member.write(chunk)
    assert bomb.stat().st_size < 2_000_000
    before = tree(tmp_path)
    result = run("import", "letterboxd", str(bomb), timeout=30)
    assert result.returncode == 2
    assert "the limit is" in result.stderr and "nothing was imported" in result.stderr
    assert tree(tmp_path) == before


@pytest.mark.parametrize("service", ["imdb", "letterboxd", "mal"])
def test_importing_from_a_pipe_does_not_hang(
    journal_dir: Path, tmp_path: Path, service: str
) -> None:
    pipe = tmp_path / "export.csv"
    os.mkfifo(pipe)
    try:
        result = run("import", service, str(pipe), timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`import {service}` of a named pipe waited for a writer forever")
    assert result.returncode == 2
    assert "is not a regular file" in result.stderr
    assert not journal_dir.exists() or entry_files(journal_dir) == []


# --- paths: nothing outside the journal and the export folder ---------------------------------


def test_no_title_slug_link_or_tag_gets_a_write_outside_the_two_folders(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    for title in ("../../evil", "/etc/passwd", "..", "C:\\evil", "index", "-rf", "~root"):
        assert invoke("add", "--tag", "../../tag", "--", title).exit_code == 0, title
    # Hand-made files whose names and link targets a slug function would never produce.
    hand = {
        "Amélie.toml": 'title = "Amélie"\n[[links]]\nto = "../../../../tmp/evil"\n',
        "x y.toml": 'title = "Spaced"\n[[links]]\nto = "/etc/passwd"\n',
        "a..b.toml": 'title = "Dots"\n[[links]]\nto = "..\\\\..\\\\evil"\n',
        "index.md.toml": 'title = "Not The Index"\n',
        "watchbook-export.toml": 'title = "Not The Marker"\n',
    }
    for name, text in hand.items():
        (journal_dir / name).write_text(text)
    assert invoke("link", "Amélie", "../../evil").exit_code == 0
    site = tmp_path / "out" / "site"
    commands = [
        ("export", "--out", str(site)),
        ("export", "--out", str(site), "--front-matter"),
        ("export", "--out", str(tmp_path / "out" / "one"), "--single-file"),
        ("export", "--format", "json", "--out", str(tmp_path / "out" / "json")),
        ("export", "--format", "csv", "--out", str(tmp_path / "out" / "csv")),
    ]
    journal_before = {p.name: p.read_bytes() for p in entry_files(journal_dir)}
    around = tree(tmp_path, skip=[journal_dir, tmp_path / "out"])
    for args in commands:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
    assert tree(tmp_path, skip=[journal_dir, tmp_path / "out"]) == around
    assert {p.name: p.read_bytes() for p in entry_files(journal_dir)} == journal_before
    for folder in (tmp_path / "out").iterdir():
        for path in folder.iterdir():
            assert path.is_file() and not path.is_symlink(), path
            assert path.name.isascii() and ".." not in path.stem.strip("."), path
    pages = {p.name for p in site.iterdir()}
    assert len([n for n in pages if n.endswith(".md")]) == len(entry_files(journal_dir)) + 1
