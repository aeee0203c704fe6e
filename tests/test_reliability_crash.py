"""Crashes: real watchbook processes killed with SIGKILL at every write step and at random moments.

Two ways to kill. `kill_points`: a small driver wraps the file-system calls that make up a write
(mkstemp, fsync, link, replace, rename, unlink, chmod, mkdir) and SIGKILLs its own process
before or after the K-th one, for K = 1, 2, ... until the command finishes: every step of the write
path is a kill point, deterministically. `random delays`: the command runs unmodified and is
killed after a random short delay, which also lands inside SQLite writes and long imports.

After every kill: each remaining `.toml` is whole and parses, the entry being written is either
entirely old or entirely new, the next command works, and `list --json` agrees with the files.

The helpers at the top are shared by the other test_reliability_* files.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke
from watchbook.journal import Journal

# WATCHBOOK_SLOW=1 runs the many-iteration versions; the default keeps `make test` quick.
SLOW = os.environ.get("WATCHBOOK_SLOW", "") not in ("", "0")
SEED = int(os.environ.get("WATCHBOOK_SEED", "7"))


def scaled(small: int, full: int) -> int:
    """An iteration count: small by default, full with WATCHBOOK_SLOW=1."""
    return full if SLOW else small


# Runs the real CLI in a fresh interpreter. With WB_KILL_AT=K it kills itself (SIGKILL, so no
# cleanup code runs) around the K-th file-system call of the write path (WB_KILL_AT=-1 only
# counts them, on stderr); with WB_GO_FILE it
# waits, fully imported, until that file exists, so several processes race for real; with
# WB_PAUSE_BEFORE_COMMIT it sleeps before each link/replace, so a race window is wide open.
DRIVER = r"""
import os, signal, sys, tempfile, time
kill_at = int(os.environ.get("WB_KILL_AT") or 0)
calls = 0
def point():
    global calls
    calls += 1
    if calls == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
def wrap(module, name):
    original = getattr(module, name)
    def wrapper(*args, **kwargs):
        point()
        result = original(*args, **kwargs)
        point()
        return result
    setattr(module, name, wrapper)
if kill_at:
    for name in ("fsync", "link", "replace", "rename", "unlink", "chmod", "mkdir"):
        wrap(os, name)
    wrap(tempfile, "mkstemp")
if kill_at < 0:
    import atexit
    atexit.register(lambda: print(f"kill points: {calls}", file=sys.stderr))
pause = float(os.environ.get("WB_PAUSE_BEFORE_COMMIT") or 0)
if pause:
    # Widen the window between reading the journal and committing a write, so racing
    # processes that were not serialised by the lock would really collide.
    for name in ("link", "replace"):
        def paused(*args, _original=getattr(os, name), **kwargs):
            time.sleep(pause)
            return _original(*args, **kwargs)
        setattr(os, name, paused)
from watchbook.cli.app import app
go = os.environ.get("WB_GO_FILE")
if go:
    open(f"{go}.{os.getpid()}", "w").close()
    while not os.path.exists(go):
        time.sleep(0.002)
app(prog_name="watchbook", args=sys.argv[1:])
"""


def command(*args: str) -> list[str]:
    """The argv of a watchbook run through the driver."""
    return [sys.executable, "-c", DRIVER, *args]


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess: this test's journal (from the fixture), no colour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WB_")}
    env.update(NO_COLOR="1", TERM="dumb", **extra)
    return env


def run(
    *args: str,
    kill_at: int = 0,
    journal: Path | None = None,
    cwd: Path | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run watchbook to the end (or to its kill point) and capture its output."""
    env = cli_env(WB_KILL_AT=str(kill_at)) if kill_at else cli_env()
    if journal is not None:
        env["WATCHBOOK_JOURNAL"] = str(journal)
    return subprocess.run(
        command(*args),
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(*args: str, **env: str) -> subprocess.Popen[str]:
    """Start watchbook in the background."""
    return subprocess.Popen(
        command(*args),
        env=cli_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_killed_after(args: Sequence[str], delay: float) -> int | None:
    """Run watchbook and SIGKILL it after `delay` seconds; its exit code if it finished first."""
    process = start(*args)
    try:
        process.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.communicate()
        return None
    process.communicate()
    return process.returncode


def race(
    commands: Sequence[Sequence[str]], tmp: Path, pause: float = 0.05
) -> list[subprocess.CompletedProcess[str]]:
    """Start every command, wait until all are imported and ready, then let them go at once."""
    go = tmp / f"go-{time.monotonic_ns()}"
    env = {"WB_GO_FILE": str(go), "WB_PAUSE_BEFORE_COMMIT": str(pause)}
    processes = [start(*args, **env) for args in commands]
    deadline = time.monotonic() + 60
    while len(list(tmp.glob(f"{go.name}.*"))) < len(processes):
        assert time.monotonic() < deadline, "the racing processes never got ready"
        assert all(p.poll() is None for p in processes), [p.communicate() for p in processes]
        time.sleep(0.01)
    go.touch()
    results = []
    for args, process in zip(commands, processes, strict=True):
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(list(args), process.returncode, out, err))
    return results


def entry_files(journal: Path) -> list[Path]:
    """Every `*.toml` name directly in the journal that watchbook treats as an entry."""
    if not journal.is_dir():
        return []
    return sorted(
        p for p in journal.iterdir() if p.suffix == ".toml" and not p.name.startswith(".")
    )


def temp_files(journal: Path) -> list[str]:
    """Temporary files left in the journal folder."""
    return sorted(p.name for p in journal.iterdir() if p.name.endswith(".tmp"))


def assert_sound(journal: Path) -> None:
    """Every entry file is a whole, valid entry: never empty, never cut short."""
    for path in entry_files(journal):
        data = path.read_bytes()
        assert data, f"{path.name} is empty"
        tomllib.loads(data.decode("utf-8"))
        Journal(journal).read_path(path)


def files_view(journal: Path) -> dict[str, dict[str, Any]]:
    """What the files say, read straight from disk: slug -> the entry as `list --json` shows it."""
    result = Journal(journal).load_all()
    return {e.slug: e.to_json() for e in result.entries}


def listing(invoke: Invoke, *options: str) -> dict[str, dict[str, Any]]:
    """What `watchbook list --json` says (the index's view of the journal): slug -> entry."""
    result = invoke(*options, "list", "--json")
    assert result.exit_code == 0, result.stderr
    entries = json.loads(result.stdout)
    slugs = [e["slug"] for e in entries]
    assert len(slugs) == len(set(slugs)), f"list shows a slug twice: {slugs}"
    return {e["slug"]: {k: v for k, v in e.items() if k != "path"} for e in entries}


def assert_index_agrees(invoke: Invoke, journal: Path) -> None:
    """`list --json` shows exactly the entries the files hold, field for field."""
    assert listing(invoke, "--journal", str(journal)) == files_view(journal)


def tree(root: Path, skip: Sequence[Path] = ()) -> dict[str, tuple[str, int, int]]:
    """Every path under root (not following links) with its type, size and mtime, minus `skip`."""
    found: dict[str, tuple[str, int, int]] = {}
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        dirs[:] = [d for d in dirs if here / d not in skip]
        for name in [*dirs, *names]:
            path = here / name
            if path in skip:
                continue
            st = path.lstat()
            kind = "link" if path.is_symlink() else "dir" if path.is_dir() else "file"
            found[str(path.relative_to(root))] = (
                kind,
                0 if kind == "dir" else st.st_size,
                0 if kind == "dir" else st.st_mtime_ns,
            )
    return found


# --- every kill point of a write --------------------------------------------------------------

Reset = Callable[[Path], None]
# Kill runs are independent (each gets its own journal), so two go at a time on two cores.
WORKERS = max(2, min(4, os.cpu_count() or 2))


def count_kill_points(args: Sequence[str], journal: Path) -> int:
    """How many kill points a complete run of `watchbook args` passes (it runs to the end)."""
    result = run(*args, kill_at=-1, journal=journal, cwd=journal.parent)
    assert result.returncode == 0, result.stderr
    return int(result.stderr.rsplit("kill points: ", 1)[1])


def kill_at_points(
    args: Sequence[str], points: Sequence[int], reset: Reset, root: Path
) -> list[tuple[int, Path, subprocess.CompletedProcess[str]]]:
    """Run `watchbook args` once per kill point, each on a fresh journal of its own."""
    from concurrent.futures import ThreadPoolExecutor

    def one(point: int) -> tuple[int, Path, subprocess.CompletedProcess[str]]:
        journal = root / f"killed-at-{point}" / "journal"
        reset(journal)
        return point, journal, run(*args, kill_at=point, journal=journal, cwd=journal.parent)

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(one, points))


def every_kill_point(
    args: Sequence[str], reset: Reset, after_kill: Callable[[int, Path], None], root: Path
) -> tuple[int, Path]:
    """Kill `watchbook args` at each of its kill points; the count and the completed journal."""
    completed = root / "completed" / "journal"
    reset(completed)
    total = count_kill_points(args, completed)
    for point, journal, result in kill_at_points(args, range(1, total + 1), reset, root):
        assert result.returncode == -signal.SIGKILL, (point, result.stderr)
        after_kill(point, journal)
    return total, completed


def sampled_kill_points(total: int, count: int, rng: random.Random, head: int = 6) -> list[int]:
    """The first `head` points (setting up), then `count` more drawn from the rest of the run."""
    rest = range(head + 1, total + 1)
    return list(range(1, min(total, head) + 1)) + sorted(rng.sample(rest, min(count, len(rest))))


def sample_reset(root: Path, warm: bool = False) -> tuple[Reset, Path]:
    """A reset that puts a copy of the sample journal in place, and the template it copies.

    Cold (the default), the copy has no index, so the killed command also builds it and every
    step of that is a kill point too; warm, it has an up-to-date index, so the kill points are
    those of the command's own write.
    """
    from tests.conftest import SAMPLE_JOURNAL

    template = root / ("template-warm" if warm else "template-cold")
    # copytree keeps the files' mtimes, so a copied index still matches its copied journal.
    shutil.copytree(SAMPLE_JOURNAL, template, ignore=shutil.ignore_patterns(".watchbook"))
    if warm:
        assert run("list", journal=template).returncode == 0

    def reset(journal: Path) -> None:
        shutil.rmtree(journal, ignore_errors=True)
        shutil.copytree(template, journal, symlinks=True)

    return reset, template


def test_add_killed_at_every_write_step_leaves_no_partial_file(
    invoke: Invoke, tmp_path: Path
) -> None:
    args = ("add", "Dorohedoro", "--year", "2020", "--kind", "series", "--score", "8",
            "--review", "Magic, mushrooms and gyoza. " * 40, "--watched", "2020-02-01")  # fmt: skip
    reset, template = sample_reset(tmp_path)
    before = files_view(template)
    outcomes: set[str] = set()
    left_temp_files: list[str] = []

    def after_kill(point: int, journal: Path) -> None:
        assert_sound(journal)
        after = files_view(journal)
        if (journal / "dorohedoro-2020.toml").exists():
            outcomes.add("new")
            assert after.pop("dorohedoro-2020")["review"].startswith("Magic, mushrooms")
        else:
            outcomes.add("none")
        assert after == before, f"kill point {point} changed another entry"
        assert_index_agrees(invoke, journal)
        left_temp_files.extend(temp_files(journal))
        # The next write works (the lock is free), and clears what the killed one left behind.
        result = invoke("--journal", str(journal), "add", "Akira", "--year", "1988")
        assert result.exit_code == 0, (point, result.stderr)
        assert temp_files(journal) == []

    total, completed = every_kill_point(args, reset, after_kill, tmp_path)
    assert total >= 8, "the driver did not see the write path"
    assert outcomes == {"none", "new"}, "the kill points did not straddle the write"
    assert left_temp_files, "no kill point left a temporary file to clean up"
    assert files_view(completed)["dorohedoro-2020"]["score"] == 8


def test_rewatch_killed_at_every_write_step_is_all_old_or_all_new(
    invoke: Invoke, tmp_path: Path
) -> None:
    args = ("add", "Blame!", "--year", "2017", "--rewatch", "--watched", "2024-03-03",
            "--score", "7")  # fmt: skip
    reset, template = sample_reset(tmp_path, warm=True)
    old = (template / "blame-2017.toml").read_bytes()
    outcomes: set[str] = set()

    def after_kill(point: int, journal: Path) -> None:
        assert_sound(journal)
        entry = files_view(journal)["blame-2017"]
        if (journal / "blame-2017.toml").read_bytes() == old:
            outcomes.add("old")
        else:
            outcomes.add("new")
            assert entry["watched"] == ["2017-05-22", "2024-03-03"] and entry["score"] == 7
            assert entry["review"] and "Knights of Sidonia" in entry["review"]
        assert_index_agrees(invoke, journal)

    total, _ = every_kill_point(args, reset, after_kill, tmp_path)
    assert total >= 8
    assert outcomes == {"old", "new"}


def test_rm_killed_at_every_step_leaves_the_file_whole_or_gone(
    invoke: Invoke, tmp_path: Path
) -> None:
    reset, template = sample_reset(tmp_path, warm=True)
    old = (template / "the-matrix-1999.toml").read_bytes()

    def after_kill(point: int, journal: Path) -> None:
        assert_sound(journal)
        target = journal / "the-matrix-1999.toml"
        assert not target.exists() or target.read_bytes() == old
        assert_index_agrees(invoke, journal)

    total, completed = every_kill_point(
        ("rm", "the-matrix-1999", "--yes"), reset, after_kill, tmp_path
    )
    assert total >= 2
    assert not (completed / "the-matrix-1999.toml").exists()


def test_link_and_unlink_killed_at_every_write_step_are_all_old_or_all_new(
    invoke: Invoke, tmp_path: Path
) -> None:
    reset, template = sample_reset(tmp_path, warm=True)
    old = (template / "blame-2017.toml").read_bytes()
    cases = [
        (("link", "Blame!", "The Matrix", "--why", "a hunt through a machine world"),
         {"knights-of-sidonia-2014", "the-matrix-1999"}),
        (("unlink", "Blame!", "Knights of Sidonia"), set()),
    ]  # fmt: skip
    for n, (args, links_after) in enumerate(cases):
        outcomes: set[str] = set()

        def after_kill(
            point: int,
            journal: Path,
            links_after: set[str] = links_after,
            seen: set[str] = outcomes,
        ) -> None:
            assert_sound(journal)
            if (journal / "blame-2017.toml").read_bytes() == old:
                seen.add("old")
            else:
                seen.add("new")
                entry = files_view(journal)["blame-2017"]
                assert {link["to"] for link in entry["links"]} == links_after, point
                assert entry["review"] and "Knights of Sidonia" in entry["review"]
            assert_index_agrees(invoke, journal)

        total, _ = every_kill_point(args, reset, after_kill, tmp_path / f"case-{n}")
        assert total >= 8
        assert outcomes == {"old", "new"}, args


def test_edit_killed_at_every_write_step_is_all_old_or_all_new(
    invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset, template = sample_reset(tmp_path, warm=True)
    old = (template / "blame-2017.toml").read_bytes()
    new = old.replace(b"score = 6\n", b"score = 7\n")
    # The editor saves its copy and notes where, in the run's folder (its working directory).
    editor = tmp_path / "editor.py"
    editor.write_text(
        f"import sys\nopen(sys.argv[1], 'wb').write({new!r})\n"
        "open('editor-ran', 'w').write(sys.argv[1])\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # working copies left by kills stay in here
    outcomes: set[str] = set()

    def after_kill(point: int, journal: Path) -> None:
        assert_sound(journal)
        data = (journal / "blame-2017.toml").read_bytes()
        assert data in (old, new), point
        outcomes.add("old" if data == old else "new")
        ran = journal.parent / "editor-ran"
        if data == old and ran.exists():
            # Killed before the save: what the user wrote is still in the working copy.
            assert Path(ran.read_text()).read_bytes() == new, point
        assert not list(journal.glob("*.edited*")), "a kill is no reason for a side copy"
        assert_index_agrees(invoke, journal)

    total, completed = every_kill_point(("edit", "blame-2017"), reset, after_kill, tmp_path)
    assert total >= 6
    assert outcomes == {"old", "new"}
    assert (completed / "blame-2017.toml").read_bytes() == new


@pytest.mark.slow
def test_add_killed_after_random_delays_never_loses_or_cuts_an_entry(
    invoke: Invoke, journal_dir: Path
) -> None:
    rng = random.Random(SEED)
    invoke("add", "Seed Entry", "--year", "2001", "--review", "Kept whatever happens.")
    started = time.monotonic()
    assert run("add", "Timing Run", "--year", "2002").returncode == 0
    full = time.monotonic() - started
    finished: set[str] = {"seed-entry-2001", "timing-run-2002"}
    for n in range(scaled(5, 80)):
        slug = f"crash-test-{n}-2003"
        code = run_killed_after(
            # --new: a title left half-written by an earlier kill must not stop this one.
            ("add", f"Crash Test {n}", "--year", "2003", "--new", "--review", "x " * 5000),
            rng.uniform(0, full * 1.3),
        )
        assert code in (None, 0), f"seed {SEED}, kill {n}: exit {code}"
        assert_sound(journal_dir)
        if code == 0:
            assert (journal_dir / f"{slug}.toml").exists()
        if (journal_dir / f"{slug}.toml").exists():
            finished.add(slug)
        assert set(files_view(journal_dir)) == finished, f"seed {SEED}, kill {n}"
        assert_index_agrees(invoke, journal_dir)
    assert files_view(journal_dir)["seed-entry-2001"]["review"] == "Kept whatever happens.\n"


def entry_bytes(journal: Path) -> dict[str, bytes]:
    """Every entry file's bytes, by name."""
    return {p.name: p.read_bytes() for p in entry_files(journal)}


def letterboxd_subset(folder: Path, rows: int) -> Path:
    """The first rows of each CSV of the Letterboxd fixture export, as an export folder of its own."""
    import csv

    from tests.conftest import FIXTURES

    folder.mkdir()
    for source in sorted((FIXTURES / "letterboxd").glob("*.csv")):
        with source.open(newline="", encoding="utf-8") as handle:
            kept = list(csv.reader(handle))[: rows + 1]
        with (folder / source.name).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(kept)
    return folder


def seed_for_import(journal: Path) -> None:
    """The sample journal plus a hand-written entry the import will merge into."""
    from tests.conftest import SAMPLE_JOURNAL

    shutil.rmtree(journal, ignore_errors=True)
    shutil.copytree(SAMPLE_JOURNAL, journal, ignore=shutil.ignore_patterns(".watchbook"))
    (journal / "soylent-green-1973.toml").write_text(
        'title = "Soylent Green"\nyear = 1973\nscore = 7\nreview = """\nMy own words.\n"""\n'
    )


@pytest.mark.slow
def test_import_killed_anywhere_is_finished_by_running_it_again(
    invoke: Invoke, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    export = letterboxd_subset(tmp_path / "letterboxd", rows=50)
    args = ("import", "letterboxd", str(export))
    # What a clean, uninterrupted import leaves.
    clean_journal = tmp_path / "clean" / "journal"
    seed_for_import(clean_journal)
    started = time.monotonic()
    total = count_kill_points(args, clean_journal)
    full = time.monotonic() - started
    clean = entry_bytes(clean_journal)
    assert b"My own words." in clean["soylent-green-1973.toml"]
    assert len(clean) > 60, "the subset should create many entries"

    def after_kill(point: object, journal: Path) -> None:
        assert_sound(journal)
        partial = entry_bytes(journal)
        assert b"My own words." in partial["soylent-green-1973.toml"], point
        assert set(partial) <= set(clean), f"{point}: a file the clean import never writes"
        assert_index_agrees(invoke, journal)
        again = invoke("--journal", str(journal), *args)
        assert again.exit_code == 0, (point, again.stderr)
        assert entry_bytes(journal) == clean, f"re-running after {point} did not finish the job"
        assert_index_agrees(invoke, journal)

    points = sampled_kill_points(total, scaled(3, 60), rng, head=scaled(1, 6))
    for point, journal, result in kill_at_points(args, points, seed_for_import, tmp_path):
        assert result.returncode in (0, -signal.SIGKILL), result.stderr
        after_kill(f"kill point {point} of {total}", journal)
    journal = tmp_path / "random" / "journal"
    for n in range(scaled(2, 30)):
        seed_for_import(journal)
        delay = rng.uniform(0.1, full)
        run_killed_after(("--journal", str(journal), *args), delay)
        after_kill(f"random kill {n} after {delay:.3f}s (seed {SEED})", journal)


def export_files(folder: Path) -> dict[str, bytes]:
    """Every file an export folder holds (temporary files included), by name."""
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


@pytest.mark.slow
def test_export_killed_anywhere_leaves_the_journal_alone_and_runs_again(
    invoke: Invoke, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    reset, template = sample_reset(tmp_path, warm=True)
    args = ("export", "--out", "site")  # relative: each killed run writes beside its journal
    journal_before = entry_bytes(template)
    clean_journal = tmp_path / "clean" / "journal"
    reset(clean_journal)
    total = count_kill_points(args, clean_journal)
    clean = export_files(clean_journal.parent / "site")
    assert "index.md" in clean and "blame-2017.md" in clean
    points = sampled_kill_points(total, scaled(6, total), rng)
    for point, journal, result in kill_at_points(args, points, reset, tmp_path):
        assert result.returncode in (0, -signal.SIGKILL), result.stderr
        assert entry_bytes(journal) == journal_before
        site = journal.parent / "site"
        again = invoke("--journal", str(journal), "export", "--out", str(site))
        assert again.exit_code == 0, f"kill point {point} of {total}: {again.stderr}"
        assert export_files(site) == clean, f"kill point {point} of {total}"


# --- the journal's own crash handling ---------------------------------------------------------


def test_stale_temp_files_go_when_the_lock_is_taken_and_nothing_else_does(
    invoke: Invoke, journal_dir: Path
) -> None:
    # What a writer killed between writing its temporary file and renaming it leaves (the
    # kill-point tests above make real ones), beside hand-made files that only look similar.
    invoke("add", "Before", "--year", "2000")
    (journal_dir / ".before-2000.toml.k2j4h5_x.tmp").write_text('title = "Bef')
    (journal_dir / ".x.toml.abc123.tmp").write_text("stale")
    (journal_dir / ".notes.tmp").write_text("mine")
    (journal_dir / ".y.toml.abc123.tmp").mkdir()
    (journal_dir / ".z.toml.abc123.tmp").symlink_to(journal_dir / ".notes.tmp")
    assert invoke("list").exit_code == 0
    assert ".x.toml.abc123.tmp" in temp_files(journal_dir), "a reader must not delete anything"
    assert invoke("add", "Third", "--year", "2002").exit_code == 0
    assert temp_files(journal_dir) == [".notes.tmp", ".y.toml.abc123.tmp", ".z.toml.abc123.tmp"]
    assert (journal_dir / ".notes.tmp").read_text() == "mine"


def test_a_killed_import_leaves_at_most_one_temporary_file_per_writer_thread(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    from watchbook.importers.merge import WRITERS

    export = tmp_path / "letterboxd"
    export.mkdir()
    (export / "diary.csv").write_text(
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        + "".join(
            f"2020-01-01,Film {n},2001,https://boxd.it/k{n},3,,,2020-01-01\n" for n in range(40)
        )
    )
    journal_dir.mkdir()
    # Every writer thread stops between writing its temporary file and linking it into place:
    # the worst moment to be killed, for all of them at once.
    importer = start("--journal", str(journal_dir), "import", "letterboxd", str(export),
                     WB_PAUSE_BEFORE_COMMIT="30")  # fmt: skip
    deadline = time.monotonic() + 60
    while len(temp_files(journal_dir)) < WRITERS:
        assert time.monotonic() < deadline and importer.poll() is None, importer.communicate()
        time.sleep(0.02)
    time.sleep(0.2)  # no thread starts a second file while its first waits
    importer.send_signal(signal.SIGKILL)
    importer.communicate()
    left = temp_files(journal_dir)
    assert len(left) == WRITERS, left  # the bound docs/reliability.md gives
    assert_sound(journal_dir)
    assert invoke("list").exit_code == 0
    assert temp_files(journal_dir) == left, "a reader must not delete anything"
    assert invoke("add", "Akira", "--year", "1988").exit_code == 0
    assert temp_files(journal_dir) == []


def test_a_nested_lock_in_one_process_does_not_wait_on_itself(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    started = time.monotonic()
    with journal.lock(), Journal(journal_dir).lock():
        pass
    assert time.monotonic() - started < 2


def test_the_lock_is_released_when_its_holder_is_killed(invoke: Invoke, journal_dir: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from watchbook.journal import Journal\n"
         "with Journal(sys.argv[1]).lock():\n    print('held', flush=True); time.sleep(60)",
         str(journal_dir)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    started = time.monotonic()
    result = invoke("add", "After The Holder Died", "--year", "2010")
    assert result.exit_code == 0, result.stderr
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty", "stale-wal"])
def test_a_damaged_index_is_rebuilt_by_the_next_command(
    invoke: Invoke, sample_journal: Path, damage: str
) -> None:
    # What a crash of the machine (not just the process) or a careless copy can leave.
    assert_index_agrees(invoke, sample_journal)
    index = sample_journal / ".watchbook" / "index.sqlite"
    data = index.read_bytes()
    if damage == "truncated":
        index.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        index.write_bytes(bytes(range(256)) * 64)
    elif damage == "empty":
        index.write_bytes(b"")
    else:
        (sample_journal / ".watchbook" / "index.sqlite-wal").write_bytes(
            b"\x37\x7f\x06\x82" + b"x" * 5000
        )
    (sample_journal / "blame-2017.toml").write_text('title = "Blame!"\nyear = 2017\nscore = 9\n')
    assert listing(invoke)["blame-2017"]["score"] == 9
    assert_index_agrees(invoke, sample_journal)
    assert invoke("add", "Akira", "--year", "1988").exit_code == 0
    assert invoke("search", "akira").exit_code == 0
    assert_index_agrees(invoke, sample_journal)
