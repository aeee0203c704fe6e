"""The second outside attack (issue 19), kept as tests: each case failed on the code it was found in.

1 symlink loops; 2 nesting too deep for the index; 3 the same in imports; 4 `edit` racing other
writers (in test_reliability_model.py); 6 raw HTML and script links from imports and in exports;
7 links inside `.watchbook/`; 8 a killed import's temporary files (test_reliability_crash.py);
9 journal paths that are not folders; 10 messages that misled (full disk, a size limit, the cache
folder deleted midway, an entry linked to another, Ctrl-C, a reader racing `rm`); and read
commands that fall back to the files when the index cannot be used.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token
from typer.testing import Result

from tests.conftest import Invoke
from tests.test_reliability_crash import (
    assert_index_agrees,
    cli_env,
    entry_files,
    files_view,
    run,
    temp_files,
    tree,
)
from tests.test_reliability_hostile import SAMPLE_SLUGS, fingerprint
from watchbook.entry import MAX_NESTING
from watchbook.entry_file import parse_entry
from watchbook.errors import InvalidFile
from watchbook.journal import Journal

LETTERBOXD_HEADER = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"


def entries_and_files(journal: Path) -> dict[str, object]:
    """The journal folder's fingerprint without the disposable cache (a lock file may appear)."""
    return {k: v for k, v in fingerprint(journal).items() if k != ".watchbook"}


def warnings_in(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Warning:")]


# --- 1. symlink loops -------------------------------------------------------------------------

LOOP_COMMANDS = [
    ("list", "--json"),
    ("show", "Blame!"),
    ("search", "blame"),
    ("stats",),
    ("recommend", "Blame!"),
    ("export", "--out", "site"),
    ("reindex",),
    ("add", "Akira", "--year", "1988"),
    ("add", "Blame!", "--year", "2017", "--rewatch", "--watched", "2024-01-01"),
    ("link", "The Matrix", "Blame!"),
    ("rm", "jupiter-ascending-2015", "--yes"),
]


def test_a_symlink_loop_among_entries_is_skipped_and_named_by_every_command(
    invoke: Invoke, sample_journal: Path
) -> None:
    (sample_journal / "self.toml").symlink_to("self.toml")
    (sample_journal / "ping.toml").symlink_to("pong.toml")
    (sample_journal / "pong.toml").symlink_to("ping.toml")
    for args in LOOP_COMMANDS:
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        for name in ("self.toml", "ping.toml", "pong.toml"):
            assert (
                warnings_in(result.stderr).count(
                    f"Warning: skipped {name}: is a link that loops back on itself; not followed"
                )
                == 1
            ), (args, result.stderr)
    assert all((sample_journal / n).is_symlink() for n in ("self.toml", "ping.toml", "pong.toml"))
    report = json.loads(invoke("check", "--json").stdout)
    looping = {p["file"] for p in report["problems"] if "loops back" in p["message"]}
    assert looping == {"self.toml", "ping.toml", "pong.toml"}


def test_a_journal_lock_linked_to_itself_is_refused_in_one_line(
    invoke: Invoke, sample_journal: Path
) -> None:
    (sample_journal / ".watchbook").mkdir()
    (sample_journal / ".watchbook" / "journal.lock").symlink_to("journal.lock")
    result = run("add", "Akira", "--year", "1988")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: {sample_journal}/.watchbook/journal.lock is a link; remove it and watchbook "
        "will recreate it"
    )
    assert not (sample_journal / "akira-1988.toml").exists()


# --- 2. and 3. nesting deeper than the index (or the TOML writer) can take --------------------

DOTTED_500 = 'title = "D"\n' + ".".join(["t"] * 500) + " = 1\n"
ARRAYS_300 = 'title = "Soylent Green"\nyear = 1973\nmood = ' + "[" * 300 + "]" * 300 + "\n"


@pytest.mark.parametrize("text", [DOTTED_500, ARRAYS_300], ids=["dotted-keys", "arrays"])
def test_a_small_file_nested_too_deeply_is_refused_and_the_rest_works(
    invoke: Invoke, sample_journal: Path, text: str
) -> None:
    assert len(text.encode()) < 1200
    (sample_journal / "deep.toml").write_text(text)
    for args in (["list", "--json"], ["reindex"], ["show", "Blame!"], ["search", "matrix"]):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert warnings_in(result.stderr) == [
            f"Warning: skipped deep.toml:{2 if text is DOTTED_500 else 3}: "
            f"{'t' if text is DOTTED_500 else 'mood'}: tables and arrays are nested more than "
            f"{MAX_NESTING} levels deep; watchbook reads at most {MAX_NESTING}"
        ], args
    assert set(files_view(sample_journal)) == SAMPLE_SLUGS
    assert_index_agrees(invoke, sample_journal)


def test_the_nesting_limit_is_exactly_the_documented_one() -> None:
    def nested(levels: int) -> str:
        return 'title = "N"\nx = ' + "[" * levels + "1" + "]" * levels + "\n"

    assert parse_entry(nested(MAX_NESTING), "n", "n.toml").extra["x"]
    with pytest.raises(InvalidFile, match="nested more than 16 levels"):
        parse_entry(nested(MAX_NESTING + 1), "n", "n.toml")

    # Tables count as levels too (a [[links]] entry is two: an array of tables).
    def tables(levels: int) -> str:
        return 'title = "N"\n' + ".".join(["t"] * (levels + 1)) + " = 1\n"

    assert parse_entry(tables(MAX_NESTING), "n", "n.toml").extra["t"]
    with pytest.raises(InvalidFile, match="nested more than"):
        parse_entry(tables(MAX_NESTING + 1), "n", "n.toml")


def test_an_import_skips_a_title_whose_file_is_too_deep_and_check_reports_it(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    (sample_journal / "soylent-green-1973.toml").write_text(ARRAYS_300)
    export = tmp_path / "letterboxd"
    export.mkdir()
    (export / "diary.csv").write_text(
        LETTERBOXD_HEADER
        + "2020-01-01,Soylent Green,1973,https://boxd.it/a1,4,,,2020-01-01\n"
        + "".join(
            f"2020-01-0{n},Film {n},200{n},https://boxd.it/f{n},3,,,2020-01-0{n}\n"
            for n in range(2, 9)
        )
    )
    before = (sample_journal / "soylent-green-1973.toml").read_bytes()
    for _ in range(2):  # a second run must not crash either, nor create anything new
        result = invoke("import", "letterboxd", str(export))
        assert result.exit_code == 0, result.stderr
        assert "Soylent Green" in result.stdout and "cannot be read" in result.stdout
    assert (sample_journal / "soylent-green-1973.toml").read_bytes() == before
    assert set(files_view(sample_journal)) == SAMPLE_SLUGS | {
        f"film-{n}-200{n}" for n in range(2, 9)
    }
    assert not (sample_journal / "soylent-green-1973-2.toml").exists()
    check = invoke("check", "--json")
    assert check.exit_code == 1
    problems = json.loads(check.stdout)["problems"]
    assert [p["file"] for p in problems if p["kind"] == "invalid"] == ["soylent-green-1973.toml"]


# --- 6. raw HTML and script links: imports bring none, exports write none ---------------------

HOSTILE_REVIEW = (
    "Fine film.\n\n<script>alert(1)</script>\n\nA <img src=x onerror=alert(2)> picture, "
    "<iframe src=https://evil.example></iframe>, [click](javascript:alert(3)), "
    "[tab](java\tscript:alert(4)), [entity](javascript&#58;alert(5)), ![pixel](data:image/png;base64,AA), "
    "<javascript:alert(6)> and [ref][r].\n\n[r]: vbscript:msgbox(7)\n\n<div onclick=alert(8)>hi</div>\n"
)
UNSAFE = ("javascript", "vbscript", "data")


def permissive_parser() -> MarkdownIt:
    """A CommonMark renderer with raw HTML on that follows any link (as some renderers do)."""
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


def tokens_of(markdown: str) -> list[Token]:
    found: list[Token] = []
    for token in permissive_parser().parse(markdown):
        found.append(token)
        found.extend(token.children or [])
    return found


def assert_no_html_or_script_links(markdown: str, allowed_html: str = r"^$") -> None:
    import re

    for token in tokens_of(markdown):
        if token.type in ("html_block", "html_inline"):
            assert re.fullmatch(allowed_html, token.content.strip()), token.content
        for attr in ("href", "src"):
            value = str(token.attrGet(attr) or "").lower()
            value = re.sub(r"[\x00-\x20]", "", value)
            assert not value.startswith(UNSAFE), (attr, token.attrGet(attr))


def test_imported_reviews_are_safe_markdown(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    import csv

    export = tmp_path / "letterboxd"
    export.mkdir()
    with (export / "reviews.csv").open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Review",
                         "Tags", "Watched Date"])  # fmt: skip
        writer.writerow(["2020-01-01", "Escaped Film", "2001", "https://boxd.it/e1", "4", "",
                         "&lt;script&gt;alert(1)&lt;/script&gt; <b>bold</b>", "", "2020-01-01"])  # fmt: skip
        writer.writerow(["2020-01-02", "Linked Film", "2002", "https://boxd.it/e2", "4", "",
                         HOSTILE_REVIEW, "", "2020-01-02"])  # fmt: skip
    mal = tmp_path / "animelist.xml"
    comment = HOSTILE_REVIEW.replace("]]>", "")
    mal.write_text(
        '<?xml version="1.0"?><myanimelist><anime><series_animedb_id>9</series_animedb_id>'
        "<series_title>Commented</series_title><series_type>TV</series_type>"
        "<my_status>Completed</my_status><my_score>7</my_score>"
        f"<my_comments><![CDATA[{comment}]]></my_comments></anime></myanimelist>",
        encoding="utf-8",
    )
    assert invoke("import", "letterboxd", str(export)).exit_code == 0
    assert invoke("import", "mal", str(mal)).exit_code == 0
    reviews = {slug: e["review"] for slug, e in files_view(journal_dir).items()}
    assert set(reviews) == {"escaped-film-2001", "linked-film-2002", "commented"}
    for review in reviews.values():
        assert_no_html_or_script_links(review)
    # What was text stays readable as text.
    rendered = permissive_parser().render(reviews["escaped-film-2001"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <strong>bold</strong>" in rendered
    assert "alert(8)" in permissive_parser().render(reviews["commented"])


def test_every_export_escapes_what_the_journal_holds(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    journal_dir.mkdir()
    (journal_dir / "hostile.toml").write_text(
        'title = "<img src=x onerror=alert(1)>"\nverdict = "<script>alert(2)</script>"\n'
        'tags = ["<b>tag</b>"]\nreview = """\n' + HOSTILE_REVIEW.replace("\\", "\\\\") + '"""\n'
    )
    (journal_dir / "plain.toml").write_text('title = "Plain"\n')
    assert "hostile" in files_view(journal_dir)
    for args in (
        ("--out", "site"),
        ("--out", "one", "--single-file"),
        ("--out", "fm", "--front-matter"),
    ):
        result = invoke("export", *args)
        assert result.exit_code == 0, result.stderr
        for page in (tmp_path / args[1]).glob("*.md"):
            text = page.read_text(encoding="utf-8")
            body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
            # The single-file document's own anchors are the only HTML an export writes.
            assert_no_html_or_script_links(body, allowed_html=r'<a id="[a-z0-9-]+">|</a>')
            assert "Fine film." in text or "hostile" not in page.name


# Single characters that matter to Markdown and HTML, and pieces of the constructs to defeat.
SAFE_ALPHABET = [
    *"<>[]()!:/&#;\\`\"' \n\tajsvdtpSCRIPT=x.",
    "javascript:",
    "data:",
    "<a ",
    "](",
    "]:",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SAFE_ALPHABET), max_size=40).map("".join))
# An unsafe target holding a second '](' (found by hypothesis): once unlinked, it stays so.
@example("](javascript:](javascript:")
def test_safe_markdown_never_lets_a_tag_or_a_script_link_through(text: str) -> None:
    from watchbook.markdown_safety import safe_markdown

    made_safe = safe_markdown(text)
    assert_no_html_or_script_links(made_safe)
    assert safe_markdown(made_safe) == made_safe  # re-importing changes nothing


# --- 7. never write through a link inside .watchbook -------------------------------------------


@pytest.mark.parametrize("name", [".gitignore", "index.lock", "journal.lock", "index.sqlite-wal"])
def test_a_dangling_link_in_the_state_folder_is_never_written_through(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, name: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    assert invoke("add", "Before", "--year", "2000").exit_code == 0
    assert invoke("list").exit_code == 0
    state = sample_journal / ".watchbook"
    (state / name).unlink(missing_ok=True)
    (state / name).symlink_to(outside / "created-through-a-link")
    (sample_journal / "before-2000.toml").write_text('title = "Before"\nyear = 2001\n')
    for args in (["list"], ["search", "blame"], ["add", "Akira", "--year", "1988"], ["reindex"]):
        invoke(*args)
    assert list(outside.iterdir()) == [], f"a command wrote through .watchbook/{name}"


def test_a_linked_index_holding_a_real_database_is_never_written(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE mine (x)")
        conn.execute("INSERT INTO mine VALUES (42)")
    conn.close()
    before = foreign.read_bytes()
    (sample_journal / ".watchbook").mkdir()
    (sample_journal / ".watchbook" / "index.sqlite").symlink_to(foreign)
    assert invoke("list").exit_code == 0
    assert invoke("add", "Akira", "--year", "1988").exit_code == 0
    assert_index_agrees(invoke, sample_journal)
    assert foreign.read_bytes() == before
    assert not (sample_journal / ".watchbook" / "index.sqlite").is_symlink()


# --- read commands fall back to the files when the cache cannot be used -----------------------

READERS = [["list", "--json"], ["show", "Blame!", "--json"], ["search", "sidonia"], ["stats"],
           ["recommend", "Blame!"], ["check"]]  # fmt: skip


def assert_readers_fall_back(invoke: Invoke, journal: Path, why: str) -> None:
    (journal / "new.toml").write_text('title = "Written Meanwhile"\n')  # the cache is stale
    for args in READERS:
        result = invoke(*args)
        assert result.exit_code in (0, 1 if args == ["check"] else 0), (args, result.stderr)
        notes = [w for w in warnings_in(result.stderr) if "index cache" in w]
        assert len(notes) == 1 and why in notes[0], (args, result.stderr)
        assert notes[0].startswith("Warning: could not use the index cache: ")
    listed = {e["slug"] for e in json.loads(invoke("list", "--json").stdout)}
    assert listed == SAMPLE_SLUGS | {"new"}


def test_readers_fall_back_when_the_index_is_a_folder(invoke: Invoke, sample_journal: Path) -> None:
    (sample_journal / ".watchbook" / "index.sqlite").mkdir(parents=True)
    assert_readers_fall_back(invoke, sample_journal, "index.sqlite is not a regular file")


def test_readers_fall_back_when_the_state_folder_is_a_file(
    invoke: Invoke, sample_journal: Path
) -> None:
    (sample_journal / ".watchbook").write_text("not a folder")
    assert_readers_fall_back(invoke, sample_journal, ".watchbook must be watchbook's own folder")
    # A writer cannot put its lock there: it says so and writes nothing.
    result = invoke("add", "Akira", "--year", "1988")
    assert result.exit_code == 2 and ".watchbook must be watchbook's own folder" in result.stderr
    assert (sample_journal / ".watchbook").read_text() == "not a folder"


def test_readers_fall_back_when_the_index_is_immutable(
    invoke: Invoke, sample_journal: Path
) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("needs chattr")
    assert invoke("list").exit_code == 0
    index = sample_journal / ".watchbook" / "index.sqlite"
    if subprocess.run(["chattr", "+i", str(index)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i needs root on a file system that supports it")
    try:
        assert_readers_fall_back(invoke, sample_journal, "Operation not permitted")
    finally:
        subprocess.run(["chattr", "-i", str(index)], check=True)


def test_readers_fall_back_when_the_index_cannot_be_replaced(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What an immutable index does where chattr cannot be used: every change to it is refused.
    assert invoke("list").exit_code == 0
    index = str(sample_journal / ".watchbook" / "index.sqlite")
    real_unlink, real_connect = os.unlink, sqlite3.connect

    def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if str(path) == index:
            raise PermissionError(errno.EPERM, "Operation not permitted", index)
        real_unlink(path, *args, **kwargs)

    def connect(path: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if str(path) == index:
            path = f"file:{index}?mode=ro"
            kwargs["uri"] = True
        return real_connect(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    monkeypatch.setattr(sqlite3, "connect", connect)
    assert_readers_fall_back(invoke, sample_journal, "Operation not permitted")


def test_deleting_the_state_folder_during_a_command_just_rebuilds(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchbook.index.build import Builder

    real_build = Builder.build
    deleted: list[bool] = []

    def build_while_someone_deletes(self: Builder, *args: Any, **kwargs: Any) -> None:
        if not deleted:
            deleted.append(True)
            shutil.rmtree(sample_journal / ".watchbook")
        real_build(self, *args, **kwargs)

    monkeypatch.setattr(Builder, "build", build_while_someone_deletes)
    result = invoke("list", "--json")
    assert deleted
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert {e["slug"] for e in json.loads(result.stdout)} == SAMPLE_SLUGS
    assert (sample_journal / ".watchbook" / "index.sqlite").is_file()
    assert_index_agrees(invoke, sample_journal)


# --- 9. journal paths that are not folders, or not there --------------------------------------

READ_COMMANDS = [["list"], ["show", "blame"], ["search", "blame"], ["stats"], ["check"],
                 ["recommend"], ["export", "--out", "site"], ["reindex"]]  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["list"], ["show", "blame"], ["export", "--out", "site"], ["check"]],
    ids=lambda a: a[0],
)
def test_a_named_pipe_as_the_journal_is_refused_at_once(tmp_path: Path, args: list[str]) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    try:
        result = run("--journal", str(pipe), *args, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(args)}` on a named pipe waited for a writer forever")
    assert result.returncode == 2
    assert result.stderr.strip() == f"Error: the journal path {pipe} is not a folder"


@pytest.mark.parametrize("args", [["list"], ["show", "blame"], ["add", "X"]], ids=lambda a: a[0])
def test_a_file_as_the_journal_is_named(invoke: Invoke, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "some").mkdir()
    (tmp_path / "some" / "file.toml").write_text('title = "X"\n')
    before = tree(tmp_path)
    result = invoke("--journal", "some/file.toml", *args)  # relative to tmp_path, the cwd
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: the journal path some/file.toml is not a folder"
    assert tree(tmp_path) == before


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_a_read_command_on_a_missing_journal_says_so(
    invoke: Invoke, tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "no" / "such" / "journal"
    result = invoke("--journal", str(missing), *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: there is no journal folder at {missing}; create it with `watchbook init`, "
        "or add a first entry with `watchbook add`"
    )
    assert result.stdout == ""
    assert not (tmp_path / "no").exists()


def test_add_creates_a_missing_journal_and_says_so(invoke: Invoke, tmp_path: Path) -> None:
    missing = tmp_path / "new" / "journal"
    result = invoke("--journal", str(missing), "add", "Akira", "--year", "1988", "--score", "9")
    assert result.exit_code == 0, result.stderr
    assert f"Started a new journal in {missing} (chosen by --journal" in result.stderr
    assert result.stdout.strip() == str(missing / "akira-1988.toml")
    assert invoke("--journal", str(missing), "list").stdout.startswith("akira-1988\tAkira")


# --- 10. messages that misled -----------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["add", "Akira", "--year", "1988"],
        ["add", "Blame!", "--rewatch"],
        ["link", "Blame!", "The Matrix"],
    ],
)
def test_a_full_disk_names_the_file_and_says_nothing_changed(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    assert invoke("list").exit_code == 0
    before = entries_and_files(sample_journal)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = "akira-1988.toml" if args[1] == "Akira" else "blame-2017.toml"
    refused_write(invoke(*args), sample_journal, before, target, "No space left on device")


def test_a_refused_rename_names_the_file_and_leaves_no_temporary_copy(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert invoke("list").exit_code == 0
    before = entries_and_files(sample_journal)
    real_replace = os.replace

    def refused(source: str, target: str | Path) -> None:
        if str(target).endswith(".toml"):
            raise OSError(errno.EACCES, "Permission denied")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", refused)
    result = invoke("add", "Blame!", "--rewatch")
    refused_write(result, sample_journal, before, "blame-2017.toml", "Permission denied")


def refused_write(result: Result, journal: Path, before: object, name: str, reason: str) -> None:
    """A write the system refused: exit 2, one line naming the file, nothing changed or left."""
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: could not write {journal / name}: {reason}; nothing was changed"
    )
    assert entries_and_files(journal) == before
    assert temp_files(journal) == []


def limited(size: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_file_size_limit_names_the_file_and_says_nothing_changed(
    sample_journal: Path, tmp_path: Path
) -> None:
    assert run("list").returncode == 0
    before = entries_and_files(sample_journal)
    result = subprocess.run(
        [sys.executable, "-m", "watchbook", "add", "Big", "--review", "x" * 20_000],
        env=cli_env(),
        capture_output=True,
        text=True,
        preexec_fn=lambda: limited(8192),
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"Error: could not write {sample_journal / 'big.toml'}: File too large; nothing was changed"
    )
    assert entries_and_files(sample_journal) == before
    site = subprocess.run(
        [sys.executable, "-m", "watchbook", "export", "--format", "json", "--out", "site"],
        env=cli_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        preexec_fn=lambda: limited(4096),
        check=False,
    )
    assert site.returncode == 2, site.stderr
    assert site.stderr.startswith(f"Error: could not write {tmp_path / 'site'}/")
    assert "File too large; the journal was not changed" in site.stderr
    assert entries_and_files(sample_journal) == before


def test_a_full_disk_stops_an_import_and_says_what_was_written(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = tmp_path / "letterboxd"
    export.mkdir()
    (export / "diary.csv").write_text(
        LETTERBOXD_HEADER
        + "".join(
            f"2020-01-01,Film {n},2001,https://boxd.it/f{n},3,,,2020-01-01\n" for n in range(30)
        )
    )
    real_fsync = os.fsync
    calls: list[int] = []

    def fills_up(fd: int) -> None:
        calls.append(fd)
        if len(calls) > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fills_up)
    result = invoke("import", "letterboxd", str(export))
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert result.exit_code == 2
    assert "No space left on device; the import stopped there; the " in result.stderr
    written = len(entry_files(sample_journal)) - len(SAMPLE_SLUGS)
    assert f"the {written} entries written before it are whole" in result.stderr
    assert temp_files(sample_journal) == []
    assert invoke("import", "letterboxd", str(export)).exit_code == 0
    assert len(entry_files(sample_journal)) == len(SAMPLE_SLUGS) + 30


def test_ctrl_c_exits_130_with_one_line(sample_journal: Path, tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    script = (
        "import sys, time, pathlib\n"
        "import watchbook.index.store as store\n"
        "real = store.read_index\n"
        "def slow(*args, **kwargs):\n"
        f"    pathlib.Path({str(ready)!r}).touch(); time.sleep(30)\n"
        "    return real(*args, **kwargs)\n"
        "store.read_index = slow\n"
        "from watchbook.cli.app import app\n"
        "app(prog_name='watchbook', args=['list'])\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], env=cli_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while not ready.exists():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err == "Error: interrupted; no file was left half-written\n"
    assert out == ""


def test_a_reader_racing_an_rm_does_not_call_the_file_unreadable(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read = Journal.read_path

    def read_after_rm(self: Journal, path: Path) -> Any:
        if path.name == "blame-2017.toml" and path.exists():
            path.unlink()  # `rm` wins the race between the listing and the read
        return real_read(self, path)

    monkeypatch.setattr(Journal, "read_path", read_after_rm)
    result = invoke("list", "--json")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert "blame-2017" not in {e["slug"] for e in json.loads(result.stdout)}
    monkeypatch.setattr(Journal, "read_path", real_read)
    assert_index_agrees(invoke, sample_journal)


def test_an_import_into_an_entry_that_is_a_link_skips_it_with_the_reason(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    (sample_journal / "notes").mkdir()
    (sample_journal / "notes" / "real.txt").write_text('title = "Linked Film"\nyear = 2001\n')
    (sample_journal / "linked-film-2001.toml").symlink_to("notes/real.txt")
    export = tmp_path / "letterboxd"
    export.mkdir()
    (export / "diary.csv").write_text(
        LETTERBOXD_HEADER
        + "2020-01-01,Linked Film,2001,https://boxd.it/l1,4,,,2020-01-01\n"
        + "2020-01-02,Other Film,2002,https://boxd.it/l2,4,,,2020-01-02\n"
    )
    result = invoke("import", "letterboxd", str(export))
    assert result.exit_code == 0, result.stderr
    assert "linked-film-2001.toml is a link to notes/real.txt" in result.stdout
    assert (
        sample_journal / "notes" / "real.txt"
    ).read_text() == 'title = "Linked Film"\nyear = 2001\n'
    assert "other-film-2002" in files_view(sample_journal)
