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
import sys
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


# --- `edit` while other writers change the same file -----------------------------------------

# An editor for tests, following the steps in the JSON file $WB_STEPS, one per time it is
# opened: `race` lets another writer change the entry first (a watchbook command line, or
# "hand" to save the journal's file directly as a second editor would; `save` writes given
# text there); `expect` checks the
# text it was given (say, a merge); `score` sets the score in its copy (and counts the edit);
# `text` replaces its copy's text.
RACING_EDITOR = r"""
import json, os, subprocess, sys, tomllib, tomli_w
path, steps_file = sys.argv[1], os.environ["WB_STEPS"]
with open(steps_file) as f:
    steps = json.load(f)
step = steps.pop(0)
with open(steps_file, "w") as f:
    json.dump(steps, f)
race = step.get("race")
if race == "hand":
    with open(step["entry"], encoding="utf-8") as f:
        saved = tomllib.loads(f.read())
    saved["hand"] = "saved by another editor"
    saved["hand_saves"] = saved.get("hand_saves", 0) + 1
    with open(step["entry"], "w", encoding="utf-8") as f:
        f.write(tomli_w.dumps(saved))
elif race:
    subprocess.run([sys.executable, "-m", "watchbook", *race], check=True, capture_output=True)
if "save" in step:
    with open(step["save"][0], "w", encoding="utf-8") as f:
        f.write(step["save"][1])
with open(path, encoding="utf-8") as f:
    text = f.read()
if "expect" in step:
    assert text == step["expect"], "the editor was not given what the test expects"
if "score" in step:
    data = tomllib.loads(text)
    data["score"] = step["score"]
    data["edits"] = data.get("edits", 0) + 1
    text = tomli_w.dumps(data)
if "text" in step:
    text = step["text"]
with open(path, "w", encoding="utf-8") as f:
    f.write(text)
"""


class RacingEditor:
    """$VISUAL and $WB_STEPS for RACING_EDITOR, in a folder of the test's own."""

    def __init__(self, folder: Path) -> None:
        self.script = folder / "racing-editor.py"
        self.script.write_text(RACING_EDITOR)
        self.steps = folder / "editor-steps.json"

    def edit(self, journal: Path, query: str, *steps: dict[str, Any], answers: str = "") -> Any:
        """Run `watchbook edit` in-process with these editor steps; all must be used."""
        self.steps.write_text(json.dumps(list(steps)))
        env = {"VISUAL": f"{sys.executable} {self.script}", "WB_STEPS": str(self.steps)}
        result = CliRunner().invoke(
            app, ["--journal", str(journal), "edit", query], env=env, input=answers,
            catch_exceptions=False,
        )  # fmt: skip
        assert json.loads(self.steps.read_text()) == [], "the editor was opened too few times"
        return result


def rewatch_of(journal: Path, query: str, day: str) -> list[str]:
    """A racing `add --rewatch` of an entry."""
    return ["--journal", str(journal), "add", "--rewatch", "--watched", day, "--", query]


@pytest.mark.parametrize("race", ["rewatch", "link", "hand"])
def test_edit_never_overwrites_what_changed_on_disk_meanwhile(
    sample_journal: Path, tmp_path: Path, race: str
) -> None:
    target = sample_journal / "blame-2017.toml"
    racer: Any = {
        "rewatch": rewatch_of(sample_journal, "Blame! (2017)", "2024-02-02"),
        "link": ["--journal", str(sample_journal), "link", "blame-2017", "the-matrix-1999"],
        "hand": "hand",
    }[race]
    result = RacingEditor(tmp_path).edit(
        sample_journal, "blame-2017", {"race": racer, "entry": str(target), "score": 9.5}
    )
    assert result.exit_code == 3, result.stderr
    side = sample_journal / "blame-2017.toml.edited"
    assert result.stderr.splitlines()[-1] == (
        "Error: blame-2017.toml changed on disk while you edited it, so your version was not "
        f"saved over it; it is kept in {side}"
    )
    # What the other writer did is on disk, and the message showed it.
    entry = files_view(sample_journal)["blame-2017"]
    assert entry["score"] == 6
    shown = {
        "rewatch": "+watched = [2017-05-22, 2024-02-02]",
        "link": '+to = "the-matrix-1999"',
        "hand": '+hand = "saved by another editor"',
    }[race]
    assert shown in result.stderr.splitlines()
    # What the user wrote is kept whole beside it, and is not read as an entry.
    kept = tomllib.loads(side.read_text(encoding="utf-8"))
    assert kept["score"] == 9.5 and kept["edits"] == 1 and kept["title"] == "Blame!"
    assert "blame-2017" in files_view(sample_journal) and len(files_view(sample_journal)) == 11
    assert temp_files(sample_journal) == []
    invoke = CliRunner().invoke
    assert listing(lambda *a: invoke(app, list(a), catch_exceptions=False)) == files_view(
        sample_journal
    )


def test_edit_on_a_terminal_reopens_the_editor_on_a_merge_of_both(
    sample_journal: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import watchbook.cli.commands.journal as commands
    from watchbook.editing import merge_texts

    target = sample_journal / "blame-2017.toml"
    original = target.read_text(encoding="utf-8")
    # What the other writer and the user will each have made of the file, worked out first.
    invoke = CliRunner().invoke
    assert invoke(app, rewatch_of(sample_journal, "Blame! (2017)", "2024-02-02")).exit_code == 0
    theirs = target.read_text(encoding="utf-8")
    target.write_text(original, encoding="utf-8")
    mine = original.replace("score = 6\n", "score = 8\n")
    merged, clean = merge_texts(original, mine, theirs)
    assert clean and "score = 8" in merged and "2024-02-02" in merged

    monkeypatch.setattr(commands, "interactive", lambda: True)  # a person answers
    editor = RacingEditor(tmp_path)
    race = {"race": rewatch_of(sample_journal, "Blame! (2017)", "2024-02-02"), "text": mine}
    result = editor.edit(sample_journal, "blame-2017", race, {"expect": merged}, answers="y\n")
    assert result.exit_code == 0, result.stderr
    # Questions go to stderr, like every question: stdout stays the command's output.
    assert "Reopen the editor on a merge of both?" in result.stderr
    assert "Reopen" not in result.stdout
    assert f"it is kept in {sample_journal / 'blame-2017.toml.edited'}." in result.stderr
    assert target.read_text(encoding="utf-8") == merged
    entry = files_view(sample_journal)["blame-2017"]
    assert entry["score"] == 8 and entry["watched"] == ["2017-05-22", "2024-02-02"]
    assert (sample_journal / "blame-2017.toml.edited").read_text(encoding="utf-8") == mine

    # Both changed the same line: the merge marks it, and the file is saved only once settled.
    target.write_text(original, encoding="utf-8")
    (sample_journal / "blame-2017.toml.edited").unlink()
    theirs = original.replace("score = 6\n", "score = 7\n")
    conflicted, clean = merge_texts(original, mine, theirs)
    assert not clean
    before, rest = conflicted.split("<<<<<<< your edit\n")
    settled = before + "score = 7.5\n" + rest.split(">>>>>>> on disk now\n")[1]
    result = editor.edit(
        sample_journal,
        "blame-2017",
        {"save": [str(target), theirs], "text": mine},
        {"expect": conflicted},  # saved with the markers: not a valid entry, so reopened
        {"text": settled},
        answers="y\ny\n",
    )
    assert result.exit_code == 0, result.stderr
    assert "conflict marker" in result.stderr and "Reopen the editor?" in result.stderr
    assert "Reopen" not in result.stdout
    assert target.read_text(encoding="utf-8") == settled
    assert files_view(sample_journal)["blame-2017"]["score"] == 7.5


# --- the state machine ------------------------------------------------------------------------
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
        self.editor = RacingEditor(self.folder)

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
        if name in self.model:
            # Its file is broken but still states the title: a second file beside it would be
            # a duplicate once it is fixed, so add names it and writes nothing.
            assert result.exit_code == 1, result.stderr
            assert result.stderr.startswith(f"Error: {self.model[name].slug}.toml:")
            assert self.path(name).read_text() == f"{self.model[name].good_text}\nscore = \n"
            return
        assert result.exit_code == 0, result.stderr
        slug = Path(result.stdout.strip()).stem
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
            if name in self.model:  # its file is broken: named, never passed over
                assert result.stderr.startswith(f"Error: {self.model[name].slug}.toml:")
            else:
                assert result.stderr.startswith("Error: No entry")
            assert before is None or self.path(name).read_bytes() == before
            return
        assert result.exit_code == 0, result.stderr
        # A viewing dated before the latest one keeps its score to itself (docs/format.md).
        if score is not None and when >= max(self.model[name].watched, default=when):
            self.model[name].score = score
        self.model[name].watched.append(when)

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

    @rule(
        name=titles,
        other=titles,
        score=scores,
        when=dates,
        race=st.sampled_from(["none", "hand", "rewatch", "link"]),
    )
    def edit(self, name: str, other: str, score: float, when: dt.date, race: str) -> None:
        """`watchbook edit`, while another writer may change the same file."""
        if name in self.model and not self.readable(name):
            # Its file is broken but still states its title, named with the year of its file
            # name: edit opens it (to be fixed); an editor that changes nothing changes nothing.
            result = self.editor.edit(self.journal, self.query(name), {})
            assert result.exit_code == 0, result.stderr
            assert "No changes" in result.stderr
            assert self.path(name).read_text() == f"{self.model[name].good_text}\nscore = \n"
            return
        if not self.readable(name):
            result = self.editor.edit(self.journal, self.query(name))  # never opened
            assert result.exit_code == 1, result.stderr
            assert result.stderr.startswith(("Error: No entry", "Error: there is no journal"))
            return
        model = self.model[name]
        if race == "link" and (
            other == name or not self.readable(other) or self.model[other].slug in model.links
        ):
            race = "none"  # nothing a link could change
        step: dict[str, Any] = {"score": score, "entry": str(self.path(name))}
        if race == "hand":
            step["race"] = "hand"
        elif race == "rewatch":
            step["race"] = ["--journal", str(self.journal), "add", "--rewatch", "--watched",
                            when.isoformat(), *self.year_args(name), "--", name]  # fmt: skip
        elif race == "link":
            step["race"] = ["--journal", str(self.journal), "link", model.slug,
                            self.model[other].slug]  # fmt: skip
        result = self.editor.edit(self.journal, self.query(name), step)
        if race == "none":
            assert result.exit_code == 0, result.stderr
            assert result.stderr.startswith("Saved ")
            model.score = score
            return
        # Someone else changed the file meanwhile: their change stays, the edit is kept aside.
        assert result.exit_code == 3, result.stderr
        (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        side = Path(error.rsplit("; it is kept in ", 1)[1])
        assert side.parent == self.journal and side.name.startswith(f"{model.slug}.toml.edited")
        assert tomllib.loads(side.read_text(encoding="utf-8"))["score"] == score
        side.unlink()
        if race == "rewatch":
            model.watched.append(when)
        elif race == "link":
            model.links.append(self.model[other].slug)

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
        if not self.journal.exists():
            # Nothing was added yet: a read says there is no journal rather than show nothing.
            assert result.exit_code == 1 and "there is no journal folder" in result.stderr
            return
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
