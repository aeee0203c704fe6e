"""Concurrent writers: real watchbook processes released at the same instant on one journal.

Every process is started, imports watchbook, and waits at a barrier; all are then let go together,
so they really contend for the journal lock (see `race` in test_reliability_crash.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Invoke
from tests.test_reliability_crash import (
    SLOW,
    assert_index_agrees,
    assert_sound,
    entry_files,
    files_view,
    race,
    run,
    scaled,
)

WRITERS = 8
# Clearly different titles, so add's fuzzy duplicate check never joins two of them.
TITLES = [
    "Akira", "Perfect Blue", "Paprika", "Redline", "Tekkonkinkreet", "Mind Game", "Memories",
    "Patlabor", "Sword of the Stranger", "Vampire Hunter D", "Wolf Children", "Summer Wars",
    "Millennium Actress", "Tokyo Godfathers", "Metropolis", "Angel's Egg", "Dead Leaves",
    "Cowboy Bebop", "Trigun", "Texhnolyze", "Serial Experiments Lain", "Ergo Proxy",
    "Kaiba", "Dennou Coil", "Planetes", "Haibane Renmei", "Mushishi", "Monster",
]  # fmt: skip


def test_eight_writers_with_different_titles_all_land(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    titles = TITLES[:WRITERS]
    results = race(
        [("add", t, "--year", "2020", "--score", str(n)) for n, t in enumerate(titles)], tmp_path
    )
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results]
    assert_sound(journal_dir)
    entries = files_view(journal_dir)
    assert sorted(e["title"] for e in entries.values()) == sorted(titles)
    assert {e["title"]: e["score"] for e in entries.values()} == {
        t: n for n, t in enumerate(titles)
    }
    # Six readers at once all find the index stale and bring it up to date together.
    readers = race([("list", "--json")] * 6, tmp_path)
    assert [r.returncode for r in readers] == [0] * 6, [r.stderr for r in readers]
    assert len({r.stdout for r in readers}) == 1
    assert len(json.loads(readers[0].stdout)) == WRITERS
    assert_index_agrees(invoke, journal_dir)


@pytest.mark.parametrize(
    "titles",
    [
        ["Knights of Sidonia"] * 4,
        # Spelled differently, so the slugs differ: only the duplicate check under the lock
        # (not the file system) can see these are one title.
        ["The Matrix", "Matrix, The", "the matrix", "THE MATRIX!"],
    ],
    ids=["same-spelling", "same-title-other-spellings"],
)
def test_four_writers_adding_one_title_make_one_file(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, titles: list[str]
) -> None:
    results = race([("add", t, "--year", "2014") for t in titles], tmp_path)
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1, 1, 1], [r.stderr for r in results]
    for loser in (r for r in results if r.returncode == 1):
        message = loser.stderr.strip()
        assert message.startswith("Error: ") and "already in the journal" in message
        assert "--rewatch" in message and len(message.splitlines()) == 1
    assert len(entry_files(journal_dir)) == 1
    assert_index_agrees(invoke, journal_dir)


def test_four_rewatches_at_once_record_every_viewing(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    invoke("add", "Blame!", "--year", "2017", "--watched", "2017-05-22", "--review", "Mine.")
    dates = [f"2024-0{n}-01" for n in range(1, 5)]
    rounds = scaled(1, 5)
    for round_ in range(rounds):
        results = race(
            [("add", "Blame!", "--year", "2017", "--rewatch", "--watched", d) for d in dates],
            tmp_path,
        )
        assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
        entry = files_view(journal_dir)["blame-2017"]
        assert entry["watched"] == sorted(["2017-05-22", *dates * (round_ + 1)])
        assert entry["review"] == "Mine.\n"
    assert len(entry_files(journal_dir)) == 1
    assert_index_agrees(invoke, journal_dir)


@pytest.mark.slow
def test_many_rounds_of_mixed_writers(invoke: Invoke, journal_dir: Path, tmp_path: Path) -> None:
    invoke("add", "Shared", "--year", "2000", "--watched", "2000-01-01")
    expected_viewings = 1
    rounds = scaled(2, 7)
    slugs = iter(TITLES)
    previous: list[str] = []
    for round_ in range(rounds):
        titles = [next(slugs) for _ in range(4)]
        commands = [("add", title, "--year", "2001") for title in titles]
        commands += [("add", "Shared", "--year", "2000", "--rewatch") for _ in range(3)]
        commands += [("rm", f"{title} (2001)", "--yes") for title in previous[:1]]
        previous = titles
        results = race(commands, tmp_path)
        assert [r.returncode for r in results] == [0] * len(commands), [r.stderr for r in results]
        expected_viewings += 3
        assert_sound(journal_dir)
        entries = files_view(journal_dir)
        assert len(entries["shared-2000"]["watched"]) == expected_viewings
        assert len(entries) == 1 + 4 + 3 * round_
        assert_index_agrees(invoke, journal_dir)
    assert rounds == (7 if SLOW else 2)


def test_import_while_adds_run_loses_neither(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    from tests.test_reliability_crash import letterboxd_subset

    export = letterboxd_subset(tmp_path / "letterboxd", rows=40)
    # What the import alone makes, for comparison.
    alone = tmp_path / "alone"
    assert run("--journal", str(alone), "import", "letterboxd", str(export)).returncode == 0
    imported = files_view(alone)
    assert len(imported) > 40

    adds = [("add", title, "--year", "1999", "--review", f"Mine: {title}.") for title in TITLES[:6]]
    results = race([("import", "letterboxd", str(export)), *adds, *adds[:2]], tmp_path, pause=0.01)
    assert results[0].returncode == 0, results[0].stderr
    # Two titles were added twice: whichever add got the lock second is told, with exit 1.
    assert sorted(r.returncode for r in results[1:]) == [0] * 6 + [1] * 2, [
        r.stderr for r in results
    ]
    assert all("already in the journal" in r.stderr for r in results[1:] if r.returncode)
    entries = files_view(journal_dir)
    for title in TITLES[:6]:
        slug = next(s for s, e in entries.items() if e["title"] == title)
        assert entries.pop(slug)["review"] == f"Mine: {title}.\n"
    assert entries == imported
    assert_index_agrees(invoke, journal_dir)
