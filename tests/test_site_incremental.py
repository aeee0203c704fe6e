"""The HTML site exported again into its own folder: only the pages showing what changed are drawn,
and the folder ends up byte for byte as a full export of the same journal leaves it.

Each test builds a small journal of its own (tags and creators spelled several ways, odd file
names, links by hand and dismissed ones, reviews naming other titles, per-viewing scores, series
with episodes, planned titles), exports it, changes it, exports again, and compares the folder
with a full export (`WATCHBOOK_OFF=incremental-site`) of the changed journal.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke
from watchbook.export import ExportOptions, ExportResult
from watchbook.export.html_export import export_site
from watchbook.export.html_state import STATE_FILE
from watchbook.export.output import MARKER
from watchbook.index.store import open_index, reindex
from watchbook.journal import Journal

TAGS = ["drama", "Drama", "drâma", "noir", "anime", "sci-fi", "Sci-Fi", "war", "comedy"]
CREATORS = ["Ann Lee", "ann lee", "Lee, Ann", "Bo Kim", "Studio Nine", "Studio Nine Inc.", "Cy Vu"]
CREATORS += [f"Director {letter}" for letter in "ABCDEFGHIJKL"]
WORDS = ["river", "city", "garden", "shadow", "mirror", "ghost", "machine", "empire", "island"]
SLOW = os.environ.get("WATCHBOOK_SLOW", "") not in ("", "0")


def write_journal(journal: Path, size: int = 36, seed: int = 4) -> None:
    """A small journal with a bit of everything the site shows (deterministic)."""
    rng = random.Random(seed)
    journal.mkdir(parents=True, exist_ok=True)
    titles = []
    for number in range(size):
        words = rng.sample(WORDS, 2)
        title = f"The {words[0].title()} {words[1].title()}" + (" 2" if number % 9 == 4 else "")
        titles.append((title, 1990 + number % 17))
    for number, (title, year) in enumerate(titles):
        lines = [f'title = "{title}"', f"year = {year}"]
        planned = number % 11 == 10
        lines.append('kind = "series"' if number % 7 == 3 else 'kind = "movie"')
        if planned:
            lines.append('status = "planned"')
        else:
            lines.append(f"score = {rng.randint(4, 20) / 2:g}")
            days = sorted({f"{2018 + rng.randint(0, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                           for _ in range(rng.randint(1, 3))})  # fmt: skip
            if number % 5 == 2:
                lines.append(f'watched = [{{ date = {days[0]}, score = 6, note = "first" }}]')
            else:
                lines.append(f"watched = [{', '.join(days)}]")
        if number % 7 == 3:
            lines.append("episodes = 10")
            if not planned:
                lines.append("progress = { seen = 4, date = 2023-05-05 }")
        lines.append(f"tags = {json.dumps(rng.sample(TAGS, 2))}")
        lines.append(f"creators = {json.dumps(rng.sample(CREATORS, 2), ensure_ascii=False)}")
        other = titles[(number * 5 + 3) % size][0]
        if number % 3 == 0:
            lines.append(f"review = '''\nBetter than {other}, if slower.\n'''")
        name = "index" if number == 1 else "Odd Name" if number == 2 else f"entry-{number:02d}"
        (journal / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (journal / "entry-05.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[[links]]\nto = "entry-06"\nwhy = "the same house"\n')
        handle.write('\n[[links]]\nto = "not-in-the-journal"\n')
    with (journal / "entry-08.toml").open("a", encoding="utf-8") as handle:
        handle.write('unlinked = ["entry-09"]\n')


def export(journal: Path, out: Path, full: bool = False, off: str = "") -> tuple[ExportResult, int]:
    """Export the site (no "Recommended" lists); the result and how many pages were drawn.

    `off`: the speed tricks to turn off (WATCHBOOK_OFF), besides the incremental export if
    `full`."""
    drawn = [0]

    def count(_done: int, total: int) -> None:
        drawn[0] = total

    before = os.environ.get("WATCHBOOK_OFF")
    os.environ["WATCHBOOK_OFF"] = ",".join(filter(None, ["incremental-site" if full else "", off]))
    try:
        result = export_site(
            Journal(journal), out, ExportOptions(format="html"), recommended=False, pages=count
        )
    finally:
        if before is None:
            del os.environ["WATCHBOOK_OFF"]
        else:
            os.environ["WATCHBOOK_OFF"] = before
    return result, drawn[0]


def files(site: Path) -> dict[str, bytes]:
    """Every file of a site but its state file."""
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.name != STATE_FILE
    }


def state_json(site: Path) -> dict[str, Any]:
    """The JSON part of a site's state file."""
    raw = (site / STATE_FILE).read_bytes()
    return dict(json.loads(raw.partition(b"\n")[2] if not raw.startswith(b"{") else raw))


def write_state_json(site: Path, state: dict[str, Any], signed_for: Path | None = None) -> None:
    """Put this JSON in a site's state file, under its old signature line, or signed for the
    index of the journal `signed_for` (as an export of it would sign it)."""
    payload = json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    old = (site / STATE_FILE).read_bytes()
    if signed_for is None:
        data = old.partition(b"\n")[0] + b"\n" + payload if not old.startswith(b"{") else payload
    else:
        from watchbook.export.html_state import signed

        view = open_index(Journal(signed_for))
        try:
            data = signed(payload, view.history()[0])
        finally:
            view.close()
    (site / STATE_FILE).write_bytes(data)


def edit(path: Path, pattern: str, replacement: str) -> None:
    """Change an entry file by a regular expression (it must match)."""
    text = path.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert changed != text, (path, pattern)
    path.write_text(changed, encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def scored(journal: Path, rng: random.Random) -> Path:
    return rng.choice([p for p in sorted(journal.glob("*.toml")) if "\nscore = " in p.read_text()])


# Every kind of edit, on an entry the random generator picks.
EDITS: dict[str, Callable[[Path, random.Random], None]] = {
    "score": lambda j, r: edit(scored(j, r), r"^score = .*$", f"score = {r.randint(0, 20) / 2:g}"),
    "title": lambda j, r: edit(scored(j, r), r'^title = ".*"$', 'title = "Harbor of Mirrors"'),
    "year": lambda j, r: edit(scored(j, r), r"^year = \d+$", f"year = {r.randint(1950, 2025)}"),
    "tags": lambda j, r: edit(scored(j, r), r"^tags = \[", 'tags = ["Noir", "a new tag", '),
    "creators": lambda j, r: edit(scored(j, r), r"^creators = \[", 'creators = ["Dee Oh", '),
    "viewing": lambda j, r: edit(scored(j, r), r"^watched = \[", "watched = [2016-02-29, "),
    "verdict": lambda j, r: edit(scored(j, r), r"^score = ", 'verdict = "Not for me."\nscore = '),
    "status": lambda j, r: edit(
        scored(j, r), r'^kind = "(\w+)"$', 'kind = "\\1"\nstatus = "dropped"'
    ),
    "review naming a title": lambda j, r: edit(
        scored(j, r), r"^score = ", "review = 'Nothing like The Harbor Mirror.'\nscore = "
    ),
    "episodes": lambda j, r: edit(
        r.choice([p for p in sorted(j.glob("*.toml")) if "progress" in p.read_text()]),
        r"seen = 4",
        "seen = 7",
    ),
    "new entry": lambda j, r: (j / "a-new-one-2021.toml").write_text(
        'title = "A New One"\nyear = 2021\nscore = 9.5\nwatched = [2021-03-03]\n'
        'tags = ["noir"]\ncreators = ["Ann Lee"]\n',
        encoding="utf-8",
    ),
    "deleted entry": lambda j, r: scored(j, r).unlink(),
    "renamed file": lambda j, r: scored(j, r).rename(j / "Renamed File.toml"),
    "link": lambda j, r: append(
        scored(j, r), f'\n[[links]]\nto = "{scored(j, r).stem}"\nwhy = "seen together"\n'
    ),
    "dismissal": lambda j, r: edit(j / "entry-08.toml", r"^unlinked = .*$", ""),
    "unreadable file": lambda j, r: scored(j, r).write_text("title = \n", encoding="utf-8"),
}


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    """A journal and its site, exported once (which leaves the state file)."""
    journal, out = tmp_path / "journal", tmp_path / "site"
    write_journal(journal)
    result, drawn = export(journal, out)
    assert (out / STATE_FILE).is_file()
    assert drawn == len(result.files)
    return journal, out


def same_as_full(journal: Path, out: Path, tmp_path: Path) -> None:
    full = tmp_path / f"full-{time.monotonic_ns()}"
    export(journal, full, full=True)
    assert files(out) == files(full)


@pytest.mark.parametrize("kind", list(EDITS))
def test_each_kind_of_edit_redraws_some_pages_and_gives_the_full_exports_bytes(
    kind: str, site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    before = files(out)
    EDITS[kind](journal, random.Random(kind))
    result, drawn = export(journal, out)
    same_as_full(journal, out, tmp_path)
    # (Some edits move links: a year decides which way a shared creator's link points.)
    assert 0 < drawn < len(result.files)
    assert result.changed <= drawn + 1  # the pages drawn, and style.css never
    after = files(out)
    assert result.changed == sum(1 for n in after if n != MARKER and before.get(n) != after[n])


def test_a_score_rewrites_only_the_pages_showing_it(site: tuple[Path, Path]) -> None:
    journal, out = site
    edit(journal / "entry-12.toml", r"^score = .*$", "score = 0.5")
    before = files(out)
    result, drawn = export(journal, out)
    changed = {name for name, data in files(out).items() if before.get(name) != data}
    assert {"entries/entry-12.html", "index.html", "stats.html", "tags.html"} <= changed
    # Its tags' and creators' pages, not the other entries'.
    assert {n for n in changed if n.startswith("entries/")} == {"entries/entry-12.html"}
    assert any(n.startswith("tags/") for n in changed)
    assert any(n.startswith("creators/") for n in changed)
    assert drawn < 30 < len(result.files)


def test_a_score_of_a_title_watched_in_several_years_redraws_each_of_them(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    edit(
        journal / "entry-12.toml",
        r"^watched = .*$",
        "watched = [2018-01-02, 2020-03-04, 2021-05-06]",
    )
    export(journal, out)
    edit(journal / "entry-12.toml", r"^score = .*$", "score = 0.5")
    before = files(out)
    export(journal, out)
    changed = {name for name, data in files(out).items() if before.get(name) != data}
    assert {"years/2018.html", "years/2020.html", "years/2021.html"} <= changed
    same_as_full(journal, out, tmp_path)


@pytest.mark.parametrize("kind", ["score", "viewing", "tags", "new entry"])
def test_the_speed_tricks_change_no_byte(
    kind: str, site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    EDITS[kind](journal, random.Random(7))
    export(journal, out)
    plain = tmp_path / "plain"
    export(journal, plain, off="all")
    assert files(out) == files(plain)


def test_nothing_changed_draws_nothing_and_leaves_every_file(site: tuple[Path, Path]) -> None:
    journal, out = site
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    result, drawn = export(journal, out)
    assert (drawn, result.changed, result.removed) == (0, 0, [])
    assert times == {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}


def test_a_page_deleted_by_hand_is_drawn_again(site: tuple[Path, Path], tmp_path: Path) -> None:
    journal, out = site
    (out / "entries" / "entry-03.html").unlink()
    (out / "stats.html").unlink()
    _, drawn = export(journal, out)
    assert drawn == 2
    same_as_full(journal, out, tmp_path)


@pytest.mark.parametrize("score_too", [False, True], ids=["nothing-else", "and-a-score"])
def test_a_page_changed_in_the_folder_is_drawn_again(
    site: tuple[Path, Path], tmp_path: Path, score_too: bool
) -> None:
    # An older page brought back (`git checkout` of a site kept in git), or an edit by hand:
    # with nothing else changed, a re-export used to keep it, checking only that it was there.
    journal, out = site
    page, stats = out / "entries" / "entry-03.html", out / "stats.html"
    page.write_text("tampered", encoding="utf-8")
    text = stats.read_bytes()
    at = text.index(b"<title>") + len(b"<title>")
    stats.write_bytes(text[:at] + b"X" + text[at + 1 :])  # the same size, another time
    old = out / "style.css"
    old.write_bytes(old.read_bytes() + b"/* mine */")
    before = old.stat()
    os.utime(old, ns=(before.st_atime_ns, before.st_mtime_ns - 10**9))  # an older time too
    if score_too:
        edit(journal / "entry-12.toml", r"^score = .*$", "score = 0.5")
    result, drawn = export(journal, out)
    assert drawn >= 3 and result.changed >= 3
    same_as_full(journal, out, tmp_path)
    assert export(journal, out)[1] == 0  # and then it is settled again


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda out: (out / STATE_FILE).write_text("{not json", "utf-8"), id="damaged"),
        pytest.param(
            lambda out: (out / STATE_FILE).write_bytes(
                (out / STATE_FILE).read_bytes().replace(b'"code":"', b'"code":"x', 1)
            ),
            id="other code",
        ),
        pytest.param(lambda out: (out / STATE_FILE).unlink(), id="missing"),
        pytest.param(
            lambda out: (out / MARKER).write_bytes((out / MARKER).read_bytes()),
            id="marker rewritten",
        ),
        pytest.param(
            lambda out: reindex(Journal(out.parent / "journal")).close(), id="index rebuilt"
        ),
    ],
)
def test_a_state_that_cannot_be_trusted_means_a_full_export(
    spoil: Callable[[Path], object], site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    edit(journal / "entry-12.toml", r"^score = .*$", "score = 0.5")
    spoil(out)
    result, drawn = export(journal, out)
    assert drawn == len(result.files)
    same_as_full(journal, out, tmp_path)
    assert (out / STATE_FILE).is_file()


@pytest.mark.parametrize(
    ("column", "number", "value"),
    [
        ("seen", 0, -1),
        ("neighbours", 0, [10_000]),
        ("neighbours", 0, [True]),
        ("marks", 0, "8"),
        ("tags", 0, ["noir", 3]),
        ("episodes", 0, [2023]),
        ("files", 1, ["12", 3]),
        ("files", 2, [1.5]),
    ],
)
def test_a_state_holding_a_value_of_the_wrong_kind_means_a_full_export(
    column: str, number: int, value: object, site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    state = state_json(out)
    if column == "seen":
        # The same number of viewings in all, so that only the negative count is wrong.
        state["seen"][1] += state["seen"][0] - value
    state[column][number] = value
    # Signed as the index would sign it: only the values' own checks stand in the way.
    write_state_json(out, state, signed_for=journal)
    edit(journal / "entry-12.toml", r"^score = .*$", "score = 0.5")
    result, drawn = export(journal, out)
    assert drawn == len(result.files)
    same_as_full(journal, out, tmp_path)


def test_a_state_naming_a_hostile_title_is_refused_and_the_site_redrawn(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    state = state_json(out)
    state["title"][0] = "<script>alert(1)</script>\x00"
    write_state_json(out, state, signed_for=journal)
    result, drawn = export(journal, out)
    assert drawn == len(result.files)
    assert b"<script>alert" not in (out / "index.html").read_bytes()
    same_as_full(journal, out, tmp_path)


@pytest.mark.parametrize(
    ("column", "value"),
    [("title", "A Title Typed Into The State"), ("score", 0.5), ("page", "elsewhere")],
)
def test_a_state_edited_by_hand_means_a_full_export(
    column: str, value: object, site: tuple[Path, Path], tmp_path: Path
) -> None:
    journal, out = site
    state = state_json(out)
    # A card whose entry does not change below: only the state file says otherwise.
    number = state["slug"].index("entry-20")
    assert state[column][number] != value
    state[column][number] = value
    write_state_json(out, state)
    edit(journal / "entry-12.toml", r"^score = .*$", "score = 0.5")
    result, drawn = export(journal, out)
    assert drawn == len(result.files)
    same_as_full(journal, out, tmp_path)
    assert b"A Title Typed Into The State" not in (out / "index.html").read_bytes()


def test_a_site_with_recommended_lists_keeps_no_state(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    for _ in range(2):
        result = invoke("export", "--format", "html", "--out", str(out))
        assert result.exit_code == 0, result.output
        assert not (out / STATE_FILE).exists()
    assert '<h2 id="recommended">' in (out / "entries" / "blame-2017.html").read_text("utf-8")


def test_the_command_line_re_export_says_what_changed(
    sample_journal: Path, invoke: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    args = ("export", "--format", "html", "--no-recommended", "--out", str(out))
    assert invoke(*args).exit_code == 0
    assert (out / STATE_FILE).is_file()
    edit(sample_journal / "blame-2017.toml", r"^score = .*$", "score = 9")
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    changed = int(re.search(r"\((\d+) changed", result.output).group(1))  # type: ignore[union-attr]
    assert 3 <= changed <= 20
    full = tmp_path / "full"
    monkeypatch.setenv("WATCHBOOK_OFF", "incremental-site")
    assert invoke(*args[:-1], str(full)).exit_code == 0
    assert files(out) == files(full)


def test_the_index_records_which_entries_each_update_wrote(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    write_journal(journal, size=12)
    view = open_index(Journal(journal))
    lineage, generation = view.history()
    assert view.changed_since(generation) == set()
    view.close()
    edit(journal / "entry-04.toml", r"^score = .*$", "score = 1")
    view = open_index(Journal(journal))
    assert view.history() == (lineage, generation + 1)
    assert view.changed_since(generation) == {"entry-04"}
    view.close()
    # The same file read again unchanged (its time touched) is not a change.
    os.utime(journal / "entry-04.toml")
    view = open_index(Journal(journal))
    assert view.changed_since(generation + 1) == set()
    view.close()
    reindex(Journal(journal)).close()
    view = open_index(Journal(journal))
    assert view.history()[0] != lineage
    view.close()


@pytest.mark.parametrize("seed", range(12 if SLOW else 3))
def test_random_runs_of_edits_always_give_the_full_exports_bytes(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    journal, out = tmp_path / "journal", tmp_path / "site"
    write_journal(journal, size=rng.randint(8, 40), seed=seed)
    export(journal, out)
    for _ in range(rng.randint(2, 4) * (3 if SLOW else 1)):
        for kind in rng.sample(list(EDITS), rng.randint(1, 3)):
            try:
                EDITS[kind](journal, rng)
            except (AssertionError, IndexError, ValueError):
                continue  # nothing of that kind left to edit
        export(journal, out)
        same_as_full(journal, out, tmp_path)
