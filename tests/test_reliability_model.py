"""The files are the truth: hand edits, renames, deletions and git between (and during) commands.

The heart of this file is a hypothesis state machine that drives the real CLI with random
sequences of add / add --rewatch / link / unlink / rm and edits made directly to the TOML files
(as a person or a script would), checking after every step that the files say exactly what a
simple model says and that `list --json` (the index) says exactly what the files say.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from typer.testing import CliRunner

from tests.conftest import Invoke
from tests.test_reliability_crash import (
    assert_index_agrees,
    files_view,
    listing,
    scaled,
    temp_files,
)
from watchbook.cli.app import app

# --- hand edits between commands --------------------------------------------------------------


def edit_toml(path: Path, **changes: Any) -> None:
    """Change fields the way a person would: read the file, set keys, write it back in place."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(tomli_w.dumps(data), encoding="utf-8")


def test_hand_edits_renames_and_deletions_are_picked_up(
    invoke: Invoke, sample_journal: Path
) -> None:
    assert listing(invoke)["blame-2017"]["score"] == 6
    edit_toml(sample_journal / "blame-2017.toml", score=8.5, mood="rainy")
    shown = listing(invoke)["blame-2017"]
    assert shown["score"] == 8.5 and shown["mood"] == "rainy"

    (sample_journal / "blame-2017.toml").rename(sample_journal / "blame.toml")
    shown = listing(invoke)
    assert "blame-2017" not in shown and shown["blame"]["score"] == 8.5
    result = invoke("add", "Blame!", "--rewatch", "--watched", "2024-02-02")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(sample_journal / "blame.toml")

    (sample_journal / "the-matrix-1999.toml").unlink()
    assert "the-matrix-1999" not in listing(invoke)
    assert invoke("show", "The Matrix").exit_code == 1
    assert invoke("add", "The Matrix", "--year", "1999").exit_code == 0

    (sample_journal / "handmade.toml").write_text('title = "Handmade"\nwatched = 2020-01-01\n')
    assert listing(invoke)["handmade"]["watched"] == ["2020-01-01"]
    assert_index_agrees(invoke, sample_journal)


def test_two_same_size_edits_within_one_timestamp_tick_are_both_seen(
    invoke: Invoke, journal_dir: Path
) -> None:
    # A script that saves twice within the file system's timestamp granularity leaves the same
    # size and the same mtime; the second version must still be read.
    journal_dir.mkdir()
    path = journal_dir / "tick.toml"
    path.write_text('title = "Tick"\nscore = 6\n')
    stamp = path.stat().st_mtime_ns
    assert listing(invoke)["tick"]["score"] == 6
    path.write_text('title = "Tick"\nscore = 7\n')
    os.utime(path, ns=(stamp, stamp))
    assert listing(invoke)["tick"]["score"] == 7
    assert listing(invoke)["tick"]["score"] == 7


def git(folder: Path, *args: str) -> str:
    """Run git in a throwaway repository (the journal under test, never the project)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
    }  # fmt: skip
    result = subprocess.run(
        ["git", "-C", str(folder), *args], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_checkout_of_older_versions_is_picked_up(invoke: Invoke, sample_journal: Path) -> None:
    git(sample_journal, "init", "-q")
    git(sample_journal, "add", "-A")
    git(sample_journal, "commit", "-qm", "sample")
    first = git(sample_journal, "rev-parse", "HEAD")
    original = listing(invoke)

    assert (
        invoke("add", "Blame!", "--rewatch", "--watched", "2024-05-05", "--score", "7").exit_code
        == 0
    )
    assert invoke("add", "Akira", "--year", "1988").exit_code == 0
    assert invoke("rm", "the-matrix-1999", "--yes").exit_code == 0
    git(sample_journal, "add", "-A")
    git(sample_journal, "commit", "-qm", "changes")
    second = listing(invoke)
    assert second["blame-2017"]["score"] == 7 and "akira-1988" in second

    git(sample_journal, "checkout", "-q", first)
    assert listing(invoke) == original
    assert_index_agrees(invoke, sample_journal)
    git(sample_journal, "checkout", "-q", "-")
    assert listing(invoke) == second
    # Only one file rolled back, keeping the same size: still noticed.
    git(sample_journal, "checkout", "-q", first, "--", "blame-2017.toml")
    assert listing(invoke)["blame-2017"] == original["blame-2017"]
    assert_index_agrees(invoke, sample_journal)


# --- a hand edit while watchbook is writing ---------------------------------------------------

HAND_VERSION = 'title = "Blame!"\nyear = 2017\nreview = """\nWritten in an editor just now.\n"""\n'


def test_a_file_edited_between_read_and_write_is_not_clobbered(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchbook.journal import Journal

    target = sample_journal / "blame-2017.toml"
    original_load = Journal.load_all

    def load_then_someone_saves(self: Journal) -> Any:
        result = original_load(self)
        target.write_text(HAND_VERSION)  # the editor saves after watchbook read the file
        return result

    monkeypatch.setattr(Journal, "load_all", load_then_someone_saves)
    result = invoke("add", "Blame!", "--year", "2017", "--rewatch", "--score", "9")
    assert result.exit_code == 3
    assert result.stderr.strip() == (
        "Error: blame-2017.toml was changed by someone else since it was read; nothing was changed"
    )
    assert target.read_text() == HAND_VERSION
    assert temp_files(sample_journal) == []


def test_a_file_edited_while_the_new_version_is_being_synced_is_not_clobbered(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fsync of the temporary file can take a long time on a slow disk; an editor that saves
    # meanwhile must win, not be replaced by watchbook's copy made from the older read.
    target = sample_journal / "blame-2017.toml"
    real_fsync = os.fsync
    saved: list[bool] = []

    def slow_fsync(fd: int) -> None:
        real_fsync(fd)
        if not saved:
            saved.append(True)
            target.write_text(HAND_VERSION)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    result = invoke("add", "Blame!", "--year", "2017", "--rewatch", "--score", "9")
    assert saved, "the write path never synced its temporary file"
    assert result.exit_code == 3
    assert "was changed by someone else since it was read" in result.stderr
    assert target.read_text() == HAND_VERSION
    assert temp_files(sample_journal) == []


def test_rm_of_a_file_edited_since_it_was_read_keeps_it(
    invoke: Invoke, sample_journal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from watchbook.journal import Journal

    target = sample_journal / "blame-2017.toml"
    original_get = Journal.get

    def get_then_someone_saves(self: Journal, slug: str) -> Any:
        entry = original_get(self, slug)
        target.write_text(HAND_VERSION)
        return entry

    monkeypatch.setattr(Journal, "get", get_then_someone_saves)
    result = invoke("rm", "blame-2017", "--yes")
    assert result.exit_code == 3 and "nothing was changed" in result.stderr
    assert target.read_text() == HAND_VERSION


# --- the state machine ------------------------------------------------------------------------

TITLES = [
    ("Akira", 1988), ("Perfect Blue", 1997), ("Paprika", 2006), ("Redline", 2009),
    ("Mind Game", 2004), ("Tekkonkinkreet", 2006), ("مرحبا بالعالم", None), ("🎬 Night Drive", 2020),
]  # fmt: skip
YEARS = dict(TITLES)
titles = st.sampled_from([name for name, _ in TITLES])
dates = st.dates(dt.date(1990, 1, 1), dt.date(2024, 12, 31))
scores = st.integers(0, 20).map(lambda n: n / 2 if n % 2 else n // 2)


class Model:
    """What the journal should hold for one title."""

    def __init__(self, slug: str, watched: list[dt.date], score: float | None) -> None:
        self.slug = slug
        self.watched = watched
        self.score = score
        self.links: list[str] = []
        self.good_text: str | None = None  # set while the file is broken by hand

    def view(self) -> tuple[Any, ...]:
        return (
            self.slug,
            sorted(d.isoformat() for d in self.watched),
            self.score,
            sorted(self.links),
        )


class JournalMachine(RuleBasedStateMachine):
    """Random sequences of CLI commands and hand edits against a model of the journal.

    Every rule may pick any title, present or not, so the error paths (a rewatch or rm of
    something absent or unreadable) are exercised as often as the happy ones.
    """

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="watchbook-model-"))
        self.journal = self.folder / "journal"
        self.runner = CliRunner()
        self.model: dict[str, Model] = {}

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def cli(self, *args: str) -> Any:
        return self.runner.invoke(
            app, ["--journal", str(self.journal), *args], catch_exceptions=False
        )

    def path(self, name: str) -> Path:
        return self.journal / f"{self.model[name].slug}.toml"

    def readable(self, name: str) -> bool:
        return name in self.model and self.model[name].good_text is None

    def year_args(self, name: str) -> list[str]:
        return ["--year", str(YEARS[name])] if YEARS[name] else []

    # -- commands

    @rule(name=titles, when=dates, score=st.none() | scores)
    def add(self, name: str, when: dt.date, score: float | None) -> None:
        args = ["add", "--watched", when.isoformat(), *self.year_args(name)]
        args += ["--score", str(score)] if score is not None else []
        result = self.cli(*args, "--", name)
        if self.readable(name):
            assert result.exit_code == 1
            assert f"is already in the journal as {self.model[name].slug}" in result.stderr
            return
        assert result.exit_code == 0, result.stderr
        slug = Path(result.stdout.strip()).stem
        if name in self.model:
            # Its file is broken, so watchbook does not know the title: the new file goes
            # beside the broken one, which stays as it is. Keep the new one in the model.
            assert slug != self.model[name].slug
            assert self.path(name).read_text() == f"{self.model[name].good_text}\nscore = \n"
            self.path(name).unlink()
        assert not any(m.slug == slug for m in self.model.values())
        self.model[name] = Model(slug, [when], score)

    @rule(name=titles, when=dates, score=st.none() | scores)
    def rewatch(self, name: str, when: dt.date, score: float | None) -> None:
        args = ["add", "--rewatch", "--watched", when.isoformat(), *self.year_args(name)]
        args += ["--score", str(score)] if score is not None else []
        before = self.path(name).read_bytes() if name in self.model else None
        result = self.cli(*args, "--", name)
        if not self.readable(name):
            assert result.exit_code == 1, result.stderr
            assert result.stderr.startswith("Error: No entry")
            assert before is None or self.path(name).read_bytes() == before
            return
        assert result.exit_code == 0, result.stderr
        self.model[name].watched.append(when)
        if score is not None:
            self.model[name].score = score

    @rule(source=titles, other=titles, why=st.none() | st.sampled_from(["same mood", "→ ✓"]))
    def link(self, source: str, other: str, why: str | None) -> None:
        args = ["link", self.query(source), self.query(other)]
        result = self.cli(*args, *(["--why", why] if why else []))
        if not (self.readable(source) and self.readable(other)):
            assert result.exit_code == 1, result.stderr
            return
        if source == other:
            assert result.exit_code == 2 and "itself" in result.stderr
            return
        assert result.exit_code == 0, result.stderr
        links = self.model[source].links
        if self.model[other].slug not in links:
            links.append(self.model[other].slug)

    @rule(source=titles, other=titles)
    def unlink(self, source: str, other: str) -> None:
        result = self.cli("unlink", self.query(source), self.query(other))
        if not (self.readable(source) and self.readable(other)):
            assert result.exit_code == 1, result.stderr
            return
        target = self.model[other].slug
        links = self.model[source].links
        if target not in links:
            # These titles share nothing the index could link by itself, so nothing to undo.
            assert result.exit_code == 1, result.stderr
            assert "has no link" in result.stderr
            return
        assert result.exit_code == 0, result.stderr
        links[:] = [slug for slug in links if slug != target]

    def query(self, name: str) -> str:
        return f"{name} ({YEARS[name]})" if YEARS[name] else name

    @rule(name=titles)
    def rm(self, name: str) -> None:
        result = self.cli("rm", self.query(name), "--yes")
        if not self.readable(name):
            assert result.exit_code == 1, result.stderr
            assert name not in self.model or self.path(name).exists()
            return
        assert result.exit_code == 0, result.stderr
        del self.model[name]

    # -- hand edits (no-ops when the title has no readable file)

    @rule(name=titles, when=dates, score=scores)
    def edit_by_file(self, name: str, when: dt.date, score: float) -> None:
        if not self.readable(name):
            return
        path = self.path(name)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data["watched"] = [*data.get("watched", []), when]
        data["score"] = score
        data["note"] = f"edited by hand on {when}"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        self.model[name].watched.append(when)
        self.model[name].score = score

    @rule(source=titles, other=titles)
    def link_by_file(self, source: str, other: str) -> None:
        if source == other or not self.readable(source) or other not in self.model:
            return
        path = self.path(source)
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data.setdefault("links", []).append({"to": self.model[other].slug, "why": "by hand"})
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        self.model[source].links.append(self.model[other].slug)

    @rule(name=titles)
    def rename_by_file(self, name: str) -> None:
        if name not in self.model:
            return
        new_slug = f"{self.model[name].slug}-moved"
        self.path(name).rename(self.journal / f"{new_slug}.toml")
        self.model[name].slug = new_slug

    @rule(name=titles)
    def delete_by_file(self, name: str) -> None:
        if name not in self.model:
            return
        self.path(name).unlink()
        del self.model[name]

    @rule(name=titles)
    def break_by_file(self, name: str) -> None:
        if not self.readable(name):
            return
        path = self.path(name)
        self.model[name].good_text = path.read_text(encoding="utf-8")
        path.write_text(f"{self.model[name].good_text}\nscore = \n", encoding="utf-8")

    @rule(name=titles)
    def repair_by_file(self, name: str) -> None:
        if name not in self.model or self.model[name].good_text is None:
            return
        self.path(name).write_text(str(self.model[name].good_text), encoding="utf-8")
        self.model[name].good_text = None

    # -- what must always hold

    @invariant()
    def files_match_the_model(self) -> None:
        on_disk = files_view(self.journal)
        readable = {m.slug: m for n, m in self.model.items() if self.readable(n)}
        assert set(on_disk) == set(readable)
        for slug, entry in on_disk.items():
            links = sorted(link["to"] for link in entry["links"])
            assert (slug, entry["watched"], entry["score"], links) == readable[slug].view()
        for model in self.model.values():
            assert (self.journal / f"{model.slug}.toml").is_file()
        assert not self.journal.exists() or temp_files(self.journal) == []

    @invariant()
    def index_matches_the_files(self) -> None:
        result = self.cli("list", "--json")
        assert result.exit_code == 0, result.stderr
        shown = {
            e["slug"]: {k: v for k, v in e.items() if k != "path"}
            for e in json.loads(result.stdout)
        }
        assert shown == files_view(self.journal)
        for name, model in self.model.items():
            if not self.readable(name):
                assert f"Warning: skipped {model.slug}.toml:" in result.stderr


JournalMachine.TestCase.settings = settings(
    max_examples=scaled(15, 300),
    stateful_step_count=scaled(15, 40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_journal_model = pytest.mark.slow(JournalMachine.TestCase)


def test_import_leaves_a_file_edited_during_it_alone_and_a_rerun_merges(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_reliability_crash import letterboxd_subset
    from watchbook.journal import Journal

    export = letterboxd_subset(tmp_path / "letterboxd", rows=30)
    target = sample_journal / "soylent-green-1973.toml"
    target.write_text('title = "Soylent Green"\nyear = 1973\n')
    hand = 'title = "Soylent Green"\nyear = 1973\nreview = """\nSaved mid-import.\n"""\n'
    original_load = Journal.load_all

    def load_then_someone_saves(self: Journal) -> Any:
        result = original_load(self)
        target.write_text(hand)
        return result

    monkeypatch.setattr(Journal, "load_all", load_then_someone_saves)
    result = invoke("import", "letterboxd", str(export))
    assert result.exit_code == 0, result.stderr
    assert "soylent" in result.stdout.lower() and "changed" in result.stdout
    assert target.read_text() == hand
    monkeypatch.setattr(Journal, "load_all", original_load)
    again = invoke("import", "letterboxd", str(export))
    assert again.exit_code == 0, again.stderr
    merged = tomllib.loads(target.read_text())
    assert merged["review"] == "Saved mid-import.\n" and merged["watched"]
    assert_index_agrees(invoke, sample_journal)
