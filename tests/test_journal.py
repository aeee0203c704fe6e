"""The journal folder: which one is used, slugs, reading broken files, and atomic, careful writes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import Invoke
from watchbook import journal as journal_module
from watchbook.entry import Entry
from watchbook.errors import AlreadyExists, Conflict, NotFound, UnsafePath
from watchbook.journal import Journal, locate, make_slug
from watchbook.listing import ENV_VAR

# --- which journal ----------------------------------------------------------------------------


def test_explicit_folder_wins_over_everything(tmp_path: Path) -> None:
    (tmp_path / "journal").mkdir()
    location = locate("~/elsewhere", env={ENV_VAR: "/from/env"}, cwd=tmp_path)
    assert location.path == Path("~/elsewhere").expanduser()
    assert location.source == "--journal"


def test_environment_variable_comes_next(tmp_path: Path) -> None:
    (tmp_path / "journal").mkdir()
    location = locate(None, env={ENV_VAR: "/from/env"}, cwd=tmp_path)
    assert location.path == Path("/from/env")


def test_local_journal_folder_comes_third(tmp_path: Path) -> None:
    (tmp_path / "journal").mkdir()
    assert locate(None, env={}, cwd=tmp_path).path == tmp_path / "journal"


def test_user_data_folder_is_the_fallback(tmp_path: Path) -> None:
    location = locate(None, env={}, cwd=tmp_path)
    assert location.path.parts[-2:] == ("watchbook", "journal")
    assert location.source == "the user data folder"


# --- slugs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "year", "slug"),
    [
        ("Blame!", 2017, "blame-2017"),
        ("Knights of Sidonia", 2014, "knights-of-sidonia-2014"),
        ("Ghost in the Shell 2: Innocence", 2004, "ghost-in-the-shell-2-innocence-2004"),
        ("Fate/stay night", 2006, "fate-stay-night-2006"),
        ("Amélie", None, "amelie"),
        ("Howl's Moving Castle", 2004, "howls-moving-castle-2004"),
        ("../../etc/passwd", None, "etc-passwd"),
        ("CON", None, "con-title"),
        ("con", 2020, "con-2020"),
    ],
)
def test_slugs(title: str, year: int | None, slug: str) -> None:
    assert make_slug(title, year) == slug


@pytest.mark.parametrize("title", ["進撃の巨人", "🎬🍿", "..", "/", "Ω", "\\\\server\\share"])
def test_every_title_gets_a_safe_stable_slug(title: str) -> None:
    slug = make_slug(title)
    assert slug and slug == make_slug(title)
    assert "/" not in slug and "\\" not in slug and ".." not in slug
    assert not slug.startswith((".", "-"))
    assert slug.isascii()


def test_long_titles_give_bounded_slugs() -> None:
    assert len(make_slug("word " * 200, 2020)) <= journal_module.MAX_SLUG + 5


def test_a_clash_gets_a_numbered_slug(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    for expected in ("dune-2021", "dune-2021-2", "dune-2021-3"):
        slug = journal.new_slug("Dune", 2021)
        assert slug == expected
        journal.create(Entry(title="Dune", year=2021, slug=slug))


def test_path_for_refuses_anything_that_leaves_the_folder(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    for slug in ("../x", "a/b", ".hidden", "", "a\\b"):
        with pytest.raises(UnsafePath):
            journal.path_for(slug)


# --- reading ----------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_broken_files_are_reported_with_file_and_line_and_the_rest_loads(journal_dir: Path) -> None:
    write(journal_dir, "good.toml", 'title = "Good"\n')
    write(journal_dir, "broken.toml", 'title = "B"\nscore = \n')
    write(journal_dir, "wrong.toml", 'title = "W"\nyear = 2000\nscore = "six"\n')
    (journal_dir / "dir.toml").mkdir()
    (journal_dir / "latin1.toml").write_bytes('title = "Amélie"\n'.encode("latin-1"))
    result = Journal(journal_dir).load_all()
    assert [e.slug for e in result.entries] == ["good"]
    problems = {p.path: p for p in result.problems}
    assert problems["broken.toml"].line == 2
    assert problems["wrong.toml"].line == 3 and "score" in str(problems["wrong.toml"])
    assert "not a regular file" in str(problems["dir.toml"])
    assert "UTF-8" in str(problems["latin1.toml"])


def test_a_link_to_a_file_outside_the_journal_is_not_followed(
    journal_dir: Path, tmp_path: Path
) -> None:
    outside = write(tmp_path / "outside", "secret.toml", 'title = "Secret"\n')
    journal_dir.mkdir()
    (journal_dir / "secret.toml").symlink_to(outside)
    result = Journal(journal_dir).load_all()
    assert result.entries == []
    assert "outside the journal" in str(result.problems[0])


def test_hidden_and_temporary_files_are_ignored(journal_dir: Path) -> None:
    write(journal_dir, ".x.toml.123.tmp", "garbage")
    write(journal_dir, ".hidden.toml", 'title = "H"\n')
    write(journal_dir, "notes.txt", "hello")
    assert Journal(journal_dir).load_all().entries == []


def test_missing_journal_folder_reads_as_empty(tmp_path: Path) -> None:
    result = Journal(tmp_path / "nope").load_all()
    assert result.entries == [] and result.problems == []


def test_get_unknown_slug_is_not_found(journal_dir: Path) -> None:
    with pytest.raises(NotFound):
        Journal(journal_dir).get("nothing")


# --- writing ----------------------------------------------------------------------------------


def test_create_never_replaces_an_existing_file(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    original = write(journal_dir, "blame-2017.toml", 'title = "Mine"\n')
    with pytest.raises(AlreadyExists):
        journal.create(Entry(title="Blame!", year=2017, slug="blame-2017"))
    assert original.read_text() == 'title = "Mine"\n'
    assert sorted(p.name for p in journal_dir.iterdir()) == [".watchbook", "blame-2017.toml"]


def test_update_keeps_unknown_fields(journal_dir: Path) -> None:
    write(journal_dir, "x.toml", 'title = "X"\nmood = "rainy"\n\n[extras]\ncinema = "Rex"\n')
    journal = Journal(journal_dir)
    entry = journal.get("x")
    entry.score = 8
    journal.update(entry)
    text = (journal_dir / "x.toml").read_text()
    assert 'mood = "rainy"' in text and 'cinema = "Rex"' in text and "score = 8" in text


def test_update_refuses_when_the_file_changed_since_it_was_read(journal_dir: Path) -> None:
    path = write(journal_dir, "x.toml", 'title = "X"\n')
    journal = Journal(journal_dir)
    entry = journal.get("x")
    path.write_text('title = "X"\nreview = "written meanwhile in an editor"\n')
    entry.score = 5
    with pytest.raises(Conflict):
        journal.update(entry)
    assert "meanwhile" in path.read_text()


def test_update_refuses_a_file_it_never_read(journal_dir: Path) -> None:
    path = write(journal_dir, "x.toml", 'title = "X"\n')
    with pytest.raises(Conflict):
        Journal(journal_dir).update(Entry(title="Y", slug="x"))
    assert path.read_text() == 'title = "X"\n'


def test_an_interrupted_write_leaves_the_old_file_whole(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(journal_dir, "x.toml", 'title = "X"\nreview = "precious"\n')
    journal = Journal(journal_dir)
    entry = journal.get("x")
    entry.review = "new text\n"

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        journal.update(entry)
    assert path.read_text() == 'title = "X"\nreview = "precious"\n'
    assert [p.name for p in journal_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_an_interrupted_create_leaves_nothing(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(journal_dir)
    journal.ensure()

    def crash(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(KeyboardInterrupt):
        journal.create(Entry(title="X", slug="x"))
    assert [p.name for p in journal_dir.iterdir() if p.name != ".watchbook"] == []


def test_delete_removes_only_a_file_it_read(journal_dir: Path) -> None:
    path = write(journal_dir, "x.toml", 'title = "X"\n')
    journal = Journal(journal_dir)
    journal.get("x")
    journal.delete("x")
    assert not path.exists()


def test_state_folder_is_kept_out_of_git(journal_dir: Path) -> None:
    Journal(journal_dir).ensure()
    assert (journal_dir / ".watchbook" / ".gitignore").read_text().strip().endswith("*")


def test_journal_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "journal", "not a folder")
    with pytest.raises(UnsafePath):
        Journal(path).ensure()


# --- the written form --------------------------------------------------------------------------


def test_links_inside_the_journal_are_followed_and_sizes_reported_whole(
    journal_dir: Path,
) -> None:
    from watchbook.entry_file import MAX_FILE_BYTES
    from watchbook.errors import InvalidFile

    journal_dir.mkdir()
    (journal_dir / "real.toml").write_text('title = "Real"\n')
    (journal_dir / "alias.toml").symlink_to(journal_dir / "real.toml")
    (journal_dir / "dangling.toml").symlink_to(journal_dir / "gone.toml")
    big = journal_dir / "big.toml"
    big.write_text('title = "Big"\nreview = """' + "x" * (MAX_FILE_BYTES + 100) + '"""\n')
    journal = Journal(journal_dir)
    assert journal.read_path(journal_dir / "alias.toml").title == "Real"
    with pytest.raises(InvalidFile, match="is not a regular file"):
        journal.read_path(journal_dir / "dangling.toml")
    with pytest.raises(InvalidFile) as refused:
        journal.read_path(big)
    # The real size, not the part read before refusing.
    assert f"is {big.stat().st_size:,} bytes" in str(refused.value)


def test_reading_a_small_entry_file_allocates_about_its_size(journal_dir: Path) -> None:
    # Reading up to the size limit in one call would allocate 2 MB for every file, which
    # once made rebuilds of 10,000 files half as slow again.
    import tracemalloc

    journal_dir.mkdir()
    path = journal_dir / "small.toml"
    path.write_text('title = "Small"\nreview = "' + "x" * 2000 + '"\n')
    journal = Journal(journal_dir)
    journal.read_path(path)
    tracemalloc.start()
    try:
        journal.read_path(path)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200_000


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_broken_file_states_its_title_after_a_byte_order_mark_too(
    bom: bytes, tmp_path: Path, invoke: Invoke
) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "tau-2023.toml").write_bytes(
        bom + b'title = "Tau"\nyear = 2023\nscore = 7\nwatched = [2020-01-01\n'
    )
    assert Journal(journal).stated_title("tau-2023.toml") == "Tau"
    # So `add` refuses to make a second entry beside it, as it does without the mark.
    result = invoke("--journal", str(journal), "add", "Tau", "--year", "2023", "--kind", "movie")
    assert result.exit_code == 1
    assert "tau-2023.toml is the best match for 'Tau" in result.stderr
    assert sorted(p.name for p in journal.glob("*.toml")) == ["tau-2023.toml"]
