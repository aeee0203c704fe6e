"""`watch` and `next`: a run episode by episode, its end as a viewing, a rewatch, and up next;
progress in list, show, stats and recommend."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Invoke, Terminal
from watchbook.entry import Entry, Viewing
from watchbook.errors import Conflict, InvalidValue
from watchbook.journal import Journal
from watchbook.progress import Progress
from watchbook.rewatch import Given
from watchbook.series import Step, advance, order_up_next, parse_step, watch
from watchbook.stats import compute_stats

D = dt.date


def read(journal: Path, slug: str) -> dict[str, Any]:
    return tomllib.loads((journal / f"{slug}.toml").read_text(encoding="utf-8"))


def write(journal: Path, slug: str, text: str) -> None:
    journal.mkdir(exist_ok=True)
    (journal / f"{slug}.toml").write_text(text, encoding="utf-8")


SIDONIA = 'title = "Knights of Sidonia"\nyear = 2014\nkind = "series"\nstatus = "planned"\n'


# --- watch on the command line -----------------------------------------------------------------


def test_the_next_episode_up_to_n_n_more_and_n_of_total(invoke: Invoke, journal_dir: Path) -> None:
    write(journal_dir, "knights-of-sidonia-2014", SIDONIA)
    first = invoke("watch", "knights of sidonia", "--on", "2024-03-01")
    assert first.exit_code == 0, first.stderr
    assert first.stdout == f"{journal_dir / 'knights-of-sidonia-2014.toml'}\n"
    assert first.stderr == (
        "Knights of Sidonia (2014): episode 1 seen on 2024-03-01\nStatus planned -> watching\n"
    )
    entry = read(journal_dir, "knights-of-sidonia-2014")
    assert entry["status"] == "watching"
    assert entry["progress"] == {"seen": 1, "date": D(2024, 3, 1), "started": D(2024, 3, 1)}
    assert "episodes" not in entry and "watched" not in entry
    up_to = invoke("watch", "knights-of-sidonia-2014", "4/12", "--on", "2024-03-02")
    assert up_to.stderr == (
        "Knights of Sidonia (2014): episodes 2-4 of 12 seen on 2024-03-02\nEpisodes unknown -> 12\n"
    )
    more = invoke("watch", "knights of sidonia", "+2", "--on", "2024-03-09")
    assert more.stderr == "Knights of Sidonia (2014): episodes 5-6 of 12 seen on 2024-03-09\n"
    entry = read(journal_dir, "knights-of-sidonia-2014")
    assert entry["episodes"] == 12
    assert entry["progress"] == {"seen": 6, "date": D(2024, 3, 9), "started": D(2024, 3, 1)}
    # Without --on the day is today.
    # (Read the clock on both sides of the command: the suite may run across midnight.)
    before = dt.date.today()
    invoke("watch", "knights of sidonia", "7")
    seen = read(journal_dir, "knights-of-sidonia-2014")["progress"]["date"]
    assert seen in {before, dt.date.today()}


def test_the_last_episode_records_the_viewing_and_never_asks_without_a_terminal(
    invoke: Invoke, journal_dir: Path
) -> None:
    write(
        journal_dir,
        "chernobyl-2019",
        'title = "Chernobyl"\nyear = 2019\nkind = "series"\nstatus = "watching"\nepisodes = 5\n'
        "progress = { seen = 4, date = 2019-06-14, started = 2019-06-11 }\n",
    )
    result = invoke("watch", "chernobyl", "--on", "2019-06-15", input="9\nshould not be read\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Finished Chernobyl (2019): all 5 episodes, the last on 2019-06-15\n"
        "Status watching -> watched\n"
    )
    entry = read(journal_dir, "chernobyl-2019")
    assert entry["status"] == "watched" and entry["watched"] == [D(2019, 6, 15)]
    assert "progress" not in entry and "score" not in entry and "verdict" not in entry


def test_a_score_and_verdict_given_with_the_last_episode(invoke: Invoke, journal_dir: Path) -> None:
    write(journal_dir, "chernobyl-2019", 'title = "Chernobyl"\nyear = 2019\nkind = "series"\n')
    result = invoke(
        "watch", "chernobyl", "5/5", "--on", "2019-06-15", "--score", "10", "--verdict", "Grim."
    )
    assert result.exit_code == 0, result.stderr
    entry = read(journal_dir, "chernobyl-2019")
    # The only viewing, scored as the entry is, stays a plain date.
    assert entry["watched"] == [D(2019, 6, 15)]
    assert (entry["score"], entry["verdict"], entry["episodes"]) == (10, "Grim.", 5)


def test_a_score_before_the_last_episode_is_refused_and_nothing_changes(
    invoke: Invoke, journal_dir: Path
) -> None:
    write(journal_dir, "knights-of-sidonia-2014", SIDONIA)
    before = (journal_dir / "knights-of-sidonia-2014.toml").read_bytes()
    result = invoke("watch", "knights of sidonia", "3/12", "--score", "8")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --score: a score, verdict or note goes with the last episode; this is episode 3/12\n"
    )
    assert (journal_dir / "knights-of-sidonia-2014.toml").read_bytes() == before
    verdict = invoke("watch", "knights of sidonia", "3/12", "--verdict", "Tense.")
    assert verdict.stderr.startswith("Error: --verdict: a score, verdict or note goes with")


def test_watching_a_finished_series_again_starts_a_rewatch(
    invoke: Invoke, sample_journal: Path
) -> None:
    result = invoke("watch", "attack on titan", "2/25", "--on", "2024-05-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        "Started a rewatch of Attack on Titan (2013): episodes 1-2 of 25 seen on 2024-05-01",
        "Episodes unknown -> 25",
        "Status watched -> watching",
    ]
    before = read(sample_journal, "attack-on-titan-2013")
    finished = invoke("watch", "attack on titan", "25", "--on", "2024-06-01", "--score", "9")
    assert finished.exit_code == 0, finished.stderr
    assert finished.stderr.splitlines()[0] == (
        "Finished Attack on Titan (2013): all 25 episodes, the last on 2024-06-01 (2 viewings in all)"
    )
    after = read(sample_journal, "attack-on-titan-2013")
    first = before["watched"][0]
    # The earlier viewing keeps the score the entry had; the new one has its own.
    assert after["watched"] == [{"date": first, "score": 8}, {"date": D(2024, 6, 1), "score": 9}]
    assert after["score"] == 9 and after["status"] == "watched" and "progress" not in after


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["13"], "N: Knights of Sidonia (2014) has 12 episodes, so there is no episode 13"),
        (["+9"], "N: Knights of Sidonia (2014) has 12 episodes, so there is no episode 14"),
        (["3"], "N: episode 3 of Knights of Sidonia (2014) is seen already in this run (5/12)"),
        (["6/4"], "N: episode 6 is past the 4 episodes given"),
        (["0"], "N: must be N, +N or N/TOTAL, such as 5, +2 or 5/12, from 1 up (got '0')"),
        (["five"], "N: must be N, +N or N/TOTAL"),
        (["+2/12"], "N: give +N or N/TOTAL, not both"),
        (["--on", "3000-01-01"], "--on: 3000-01-01 is in the future"),
    ],
)
def test_steps_that_make_no_sense_are_refused(
    invoke: Invoke, journal_dir: Path, args: list[str], message: str
) -> None:
    write(
        journal_dir,
        "knights-of-sidonia-2014",
        SIDONIA.replace("planned", "watching") + "episodes = 12\nprogress = 5\n",
    )
    before = (journal_dir / "knights-of-sidonia-2014.toml").read_bytes()
    result = invoke("watch", "knights of sidonia", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}"), result.stderr
    assert (journal_dir / "knights-of-sidonia-2014.toml").read_bytes() == before


def test_a_film_has_no_episodes_and_an_unknown_query_is_not_found(
    invoke: Invoke, sample_journal: Path
) -> None:
    film = invoke("watch", "blame")
    assert film.exit_code == 2
    assert film.stderr == (
        "Error: QUERY: Blame! (2017) is a movie: only a series, season or special has episodes "
        "(for another viewing: watchbook add blame-2017 --rewatch)\n"
    )
    missing = invoke("watch", "zzzz qqqq")
    assert missing.exit_code == 1 and missing.stderr.startswith("Error: No entry")


def test_a_run_with_every_episode_seen_closes_on_the_next_watch(
    invoke: Invoke, journal_dir: Path
) -> None:
    # Imported from a tracker as Watching 12/12, or edited so by hand.
    write(
        journal_dir,
        "k",
        'title = "Knights of Sidonia"\nkind = "series"\nstatus = "watching"\nepisodes = 12\n'
        "progress = { seen = 12, date = 2024-03-20 }\n",
    )
    result = invoke("watch", "k", "--on", "2024-03-20")
    assert result.exit_code == 0, result.stderr
    assert read(journal_dir, "k")["watched"] == [D(2024, 3, 20)]


# --- on a terminal: the last episode asks --------------------------------------------------------


def test_on_a_terminal_the_last_episode_asks_for_a_score_and_verdict(journal_dir: Path) -> None:
    write(
        journal_dir,
        "chernobyl-2019",
        'title = "Chernobyl"\nyear = 2019\nkind = "series"\nstatus = "watching"\nepisodes = 5\n'
        "progress = 4\n",
    )
    terminal = Terminal(["watch", "chernobyl", "--on", "2019-06-15"])
    terminal.expect("Score 0-10 (Enter to skip): ")
    terminal.send("eleven")
    assert "must be a number from 0 to 10" in terminal.expect("Score 0-10")
    terminal.send("9.5")
    terminal.expect("Verdict, one line (Enter to skip): ")
    terminal.send("Dread, done with restraint.")
    assert terminal.finish() == 0
    assert "Finished Chernobyl (2019): all 5 episodes" in terminal.rest
    entry = read(journal_dir, "chernobyl-2019")
    assert (entry["score"], entry["verdict"]) == (9.5, "Dread, done with restraint.")
    assert entry["watched"] == [D(2019, 6, 15)]


def test_on_a_terminal_only_what_was_not_given_is_asked(sample_journal: Path) -> None:
    # A rewatch of a title with a verdict: the score given, a note asked for.
    terminal = Terminal(["watch", "attack on titan", "25/25", "--on", "2024-06-01", "--score", "9"])
    terminal.expect("Note on this viewing, one line (Enter to skip): ")
    terminal.send("Still relentless.")
    assert terminal.finish() == 0
    assert "Score" not in terminal.output.split("Note on this viewing")[0]
    entry = read(sample_journal, "attack-on-titan-2013")
    assert entry["watched"][-1] == {"date": D(2024, 6, 1), "score": 9, "note": "Still relentless."}
    assert entry["verdict"].startswith("Relentless and grim")


def test_on_a_terminal_a_middle_episode_asks_nothing(journal_dir: Path) -> None:
    write(journal_dir, "knights-of-sidonia-2014", SIDONIA)
    terminal = Terminal(["watch", "knights of sidonia", "3/12"])
    assert terminal.finish() == 0
    assert "Score" not in terminal.output
    assert read(journal_dir, "knights-of-sidonia-2014")["progress"]["seen"] == 3


def test_on_a_terminal_ctrl_c_at_the_score_writes_nothing(journal_dir: Path) -> None:
    write(
        journal_dir,
        "c",
        'title = "Chernobyl"\nkind = "series"\nepisodes = 5\nprogress = 4\nstatus = "watching"\n',
    )
    before = (journal_dir / "c.toml").read_bytes()
    terminal = Terminal(["watch", "c"])
    terminal.expect("Score 0-10 (Enter to skip): ")
    terminal.interrupt()
    assert terminal.finish() == 1
    assert "Cancelled: nothing was written." in terminal.rest
    assert (journal_dir / "c.toml").read_bytes() == before


# --- the library: pure steps and the lock ---------------------------------------------------------


def test_parse_step() -> None:
    assert parse_step(None) == Step()
    assert parse_step("5") == Step(upto=5)
    assert parse_step(" +2 ") == Step(more=2)
    assert parse_step("5/12") == Step(upto=5, total=12)
    assert [str(parse_step(t)) for t in ("5", "+2", "5/12")] == ["5", "+2", "5/12"]


def test_advance_is_pure_and_keeps_the_users_progress_keys() -> None:
    entry = Entry(
        "Dark",
        slug="dark",
        kind="series",
        status="watching",
        episodes=26,
        progress=Progress(4, D(2023, 10, 4), D(2023, 10, 1), {"with": "Ana"}),
    )
    result = advance(entry, Step(), D(2023, 10, 5))
    assert entry.progress is not None and entry.progress.seen == 4
    assert result.entry.progress == Progress(5, D(2023, 10, 5), D(2023, 10, 1), {"with": "Ana"})
    # An episode logged late moves the run's start back.
    late = advance(entry, Step(), D(2023, 9, 30))
    assert late.entry.progress == Progress(5, D(2023, 9, 30), D(2023, 9, 30), {"with": "Ana"})


def test_advance_without_a_count_never_finishes_and_a_kindless_entry_may_be_watched() -> None:
    entry = Entry("Unknown Show", slug="u", status="watched", watched=[Viewing(D(2020, 1, 1))])
    result = advance(entry, Step(more=40), D(2024, 1, 1))
    assert not result.finished and result.rewatch
    assert result.entry.progress == Progress(40, D(2024, 1, 1), D(2024, 1, 1))


def test_watch_refuses_when_the_run_changed_while_the_user_answered(journal_dir: Path) -> None:
    journal = Journal(journal_dir)
    write(
        journal_dir,
        "c",
        'title = "Chernobyl"\nkind = "series"\nepisodes = 5\nprogress = 3\nstatus = "watching"\n',
    )
    # The user was asked about the last episode; meanwhile the file went back to 3 of 5.
    with pytest.raises(Conflict, match="changed while you answered"):
        watch(journal, "c", Step(), D(2024, 1, 1), Given(score=8), expect_finish=True)
    assert read(journal_dir, "c")["progress"] == 3
    with pytest.raises(InvalidValue, match="goes with the last episode"):
        watch(journal, "c", Step(), D(2024, 1, 1), Given(score=8))


# --- up next --------------------------------------------------------------------------------------


def up_next_journal(journal: Path) -> None:
    write(
        journal,
        "dark-2017",
        'title = "Dark"\nyear = 2017\nkind = "series"\nstatus = "watching"\nepisodes = 26\nprogress = { seen = 4, date = 2023-10-04 }\nscore = 9\n',
    )
    write(
        journal,
        "severance-2022",
        'title = "Severance"\nyear = 2022\nkind = "series"\nstatus = "watching"\nprogress = { seen = 9, date = 2024-04-18 }\n',
    )
    write(
        journal,
        "monster",
        'title = "Monster"\nkind = "series"\nstatus = "watching"\nepisodes = 74\nprogress = 40\n',
    )
    write(
        journal, "lain", 'title = "Serial Experiments Lain"\nkind = "series"\nstatus = "watching"\n'
    )
    write(
        journal,
        "flcl",
        'title = "FLCL"\nkind = "special"\nstatus = "dropped"\nepisodes = 6\nprogress = 2\n',
    )


def test_next_lists_what_is_being_watched_most_recent_first(
    invoke: Invoke, journal_dir: Path
) -> None:
    up_next_journal(journal_dir)
    result = invoke("next")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "severance-2022\tSeverance\t2022\tseries\t9/?\t2024-04-18\t",
        "dark-2017\tDark\t2017\tseries\t4/26\t2023-10-04\t9/10",
        "lain\tSerial Experiments Lain\t\tseries\t?/?\t\t",
        "monster\tMonster\t\tseries\t40/74\t\t",
    ]


def test_next_json(invoke: Invoke, journal_dir: Path) -> None:
    up_next_journal(journal_dir)
    data = json.loads(invoke("next", "--json").stdout)
    assert [item["slug"] for item in data] == ["severance-2022", "dark-2017", "lain", "monster"]
    assert data[1] == {
        "slug": "dark-2017",
        "title": "Dark",
        "year": 2017,
        "kind": "series",
        "seen": 4,
        "episodes": 26,
        "date": "2023-10-04",
        "started": None,
        "score": 9,
        "path": str(journal_dir / "dark-2017.toml"),
    }
    assert data[2]["seen"] is None


def test_next_with_nothing_under_way(invoke: Invoke, sample_journal: Path) -> None:
    result = invoke("next")
    assert (result.exit_code, result.stdout) == (0, "")


def test_next_on_a_terminal_draws_a_table(journal_dir: Path) -> None:
    from tests.conftest import run_in_terminal

    up_next_journal(journal_dir)
    shown = run_in_terminal(["next"], {"WATCHBOOK_JOURNAL": str(journal_dir), "NO_COLOR": None})
    assert "Last episode" in shown and "4/26" in shown and "dark-2017" not in shown


def test_order_up_next_ignores_what_is_not_being_watched() -> None:
    entries = [
        Entry("A", slug="a", status="dropped", progress=Progress(2, D(2024, 1, 1))),
        Entry("B", slug="b", status="watching", progress=Progress(2, D(2023, 1, 1))),
        Entry("C", slug="c", status="watching", progress=Progress(2, None, D(2023, 6, 1))),
    ]
    assert [e.slug for e in order_up_next(entries)] == ["c", "b"]


# --- stats and recommend ---------------------------------------------------------------------------


def counted_journal(journal: Path) -> None:
    """The up-next journal and a series seen through twice, once more on days not recorded."""
    up_next_journal(journal)
    write(
        journal,
        "chernobyl",
        'title = "Chernobyl"\nkind = "series"\nepisodes = 5\nwatched = [2019-06-15, 2023-04-05]\n'
        "rewatches = 1\n",
    )


def test_stats_count_episodes_of_finished_runs_and_runs_under_way(
    invoke: Invoke, journal_dir: Path
) -> None:
    counted_journal(journal_dir)
    entries = Journal(journal_dir).load_all().entries
    stats = compute_stats(entries)
    # Chernobyl 3 x 5, Dark 4, Severance 9, Monster 40 (the dropped FLCL's 2 too).
    assert stats.episodes == 15 + 4 + 9 + 40 + 2
    assert stats.in_progress == 3
    by_year = compute_stats(entries, 2023)
    assert by_year.episodes == 5 + 4 and by_year.entries == 2
    result = invoke("stats")
    assert "episodes: 70 seen, 3 series in progress\n" in result.stdout


def test_the_year_in_review_counts_the_episodes_of_that_year(
    invoke: Invoke, journal_dir: Path
) -> None:
    from watchbook.year_review import year_reviews

    counted_journal(journal_dir)
    reviews = year_reviews(Journal(journal_dir).load_all().entries)
    # 2023: Chernobyl's second run and Dark's four; 2024: Severance's nine (no viewing that
    # year, so the year has no review of its own but stats --year counts it).
    assert {year: r.episodes for year, r in reviews.items()} == {2019: 5, 2023: 9}
    result = invoke("stats", "--year", "2023")
    assert "9 episodes of series seen\n" in result.stdout


def test_stats_of_a_journal_without_series_say_nothing_of_episodes(
    invoke: Invoke, sample_journal: Path
) -> None:
    assert "episodes" not in invoke("stats").stdout


def test_recommend_puts_a_liked_series_under_way_first_as_continue(
    invoke: Invoke, sample_journal: Path
) -> None:
    invoke("watch", "attack on titan", "3/25", "--on", "2024-05-01")
    invoke("watch", "knights of sidonia", "2/12", "--on", "2024-05-02")
    result = invoke("recommend", "--limit", "3")
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert lines[0][0] == "attack-on-titan-2013"
    assert lines[0][7] == "continue: 3/25 seen, the last on 2024-05-01; you score it 8/10 so far"
    # Knights of Sidonia is under way too, but 7/10 is below what this journal likes (the median).
    assert [line[0] for line in lines[1:]] == [
        "ghost-in-the-shell-2-innocence-2004",
        "cloud-atlas-2012",
    ]
    data = json.loads(invoke("recommend", "--json").stdout)
    assert data[0]["mode"] == "continue" and data[0]["relatedness"] is None
    assert all(item["mode"] == "watchlist" for item in data[1:])


def test_the_retry_command_keeps_what_was_typed_at_the_questions() -> None:
    from watchbook.cli.commands.series import retry

    entry = Entry(
        "Chernobyl", slug="chernobyl-2019", kind="series", episodes=5, progress=Progress(4)
    )
    preview = advance(entry, Step(), D(2019, 6, 15))
    given = Given(score=9.5, verdict="Dread, done with restraint.")
    assert retry(preview, D(2019, 6, 15), given) == (
        "watchbook watch chernobyl-2019 5 --on 2019-06-15 --score 9.5 "
        "--verdict 'Dread, done with restraint.'"
    )
