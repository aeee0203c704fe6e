"""Commands for series in progress: watch (the next episode, or up to one) and next (up next)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import typer

from watchbook.cli.options import AS_JSON, QUERY, interactive, state
from watchbook.cli.values import DATE, LINE, SCORE, Checked
from watchbook.errors import WatchbookError

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.rewatch import Given
    from watchbook.series import Step, Watched

commands = typer.Typer()


def _step(text: str) -> Step:
    from watchbook.series import parse_step

    return parse_step(text)


STEP = Checked("N", _step)


@commands.command()
def watch(
    ctx: typer.Context,
    query: str = QUERY,
    step: Any = typer.Argument(
        None,
        help="Up to episode N (5), N more (+2), or up to N of TOTAL (5/12). Default: the next one.",
        click_type=STEP,
        metavar="N",
        show_default=False,
    ),
    on: dt.date | None = typer.Option(
        None, "--on", help="When: YYYY-MM-DD, today or yesterday (default today).", click_type=DATE
    ),
    score: float | None = typer.Option(
        None,
        "--score",
        "-s",
        help="With the last episode: 0 to 10 in steps of 0.5.",
        click_type=SCORE,
    ),
    verdict: str | None = typer.Option(
        None, "--verdict", "-v", help="With the last episode: one line.", click_type=LINE
    ),
    note: str | None = typer.Option(
        None, "--note", help="With the last episode: one line about this viewing.", click_type=LINE
    ),
) -> None:
    """Mark the next episode (or up to episode N) of a series seen, and print its file path.

    The status becomes `watching`; the last episode records the viewing, sets `watched` and,
    on a terminal, asks for a score and a verdict. Watching a series again after that starts
    a rewatch.

    Example: watchbook watch "Knights of Sidonia" 5/12 --on yesterday
    """
    from watchbook.render.output import print_line, print_note
    from watchbook.rewatch import Given
    from watchbook.series import Step, advance
    from watchbook.series import watch as watch_entry

    st = state(ctx)
    (entry,) = st.find(query, changes=True)
    day = on or dt.date.today()
    step = step or Step()
    given = Given(score=score, verdict=verdict, note=note)
    # Checked before anything is asked: a step past the last episode fails here.
    preview = advance(entry, step, day, given)
    missing = score is None or (verdict is None and note is None)
    asked = preview.finished and missing and interactive()
    if asked:
        # The questions come before the journal is locked; watch() checks the run again.
        ask_opinion(entry, given)
    try:
        result = watch_entry(
            st.journal, entry.slug, step, day, given, expect_finish=True if asked else None
        )
    except WatchbookError:
        if asked:
            print_note(f"Nothing was written. To try again: {retry(preview, day, given)}")
        raise
    print_note(describe(result, day))
    for change in result.changes:
        print_note(change)
    print_line(str(result.path))


def ask_opinion(entry: Entry, given: Given) -> None:
    """Ask what the command line left out for the finished run: the score, and a verdict (or,
    when the entry has one already, a note on this viewing)."""
    from watchbook.cli.prompts import ask_note, ask_score, ask_verdict

    if given.score is None:
        given.score = ask_score(entry if entry.viewings else None)
    if given.verdict is None and given.note is None:
        if entry.verdict:
            given.note = ask_note()
        else:
            given.verdict = ask_verdict()


def retry(preview: Watched, day: dt.date, given: Given) -> str:
    """The command that records the same run again, answers included (shell-quoted)."""
    import shlex

    args = ["watchbook", "watch", preview.entry.slug, str(preview.seen), "--on", day.isoformat()]
    for flag, value in (
        ("--score", given.score),
        ("--verdict", given.verdict),
        ("--note", given.note),
    ):
        if value is not None:
            args += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return shlex.join(args)


def describe(result: Watched, day: dt.date) -> str:
    """'Knights of Sidonia (2014): episodes 4-5 of 12 seen on 2024-03-09', or 'Finished ...'."""
    entry = result.entry
    if result.finished:
        text = f"Finished {entry.label}: all {result.episodes} episodes, the last on {day}"
        count = len(entry.viewings)
        return text + (f" ({count} viewings in all)" if count > 1 else "")
    which = str(result.seen) if result.first >= result.seen else f"{result.first}-{result.seen}"
    plural = "s" if result.first < result.seen else ""
    total = f" of {result.episodes}" if result.episodes else ""
    start = f"Started a rewatch of {entry.label}: " if result.rewatch else f"{entry.label}: "
    return f"{start}episode{plural} {which}{total} seen on {day}"


@commands.command("next")
def next_(
    ctx: typer.Context,
    as_json: bool = AS_JSON,
) -> None:
    """Up next: the series you are watching, the one watched most recently first.

    Each line shows how far you are (5/12) and the day of the last episode. A table on a
    terminal, one tab-separated line per series when piped.

    Example: watchbook next
    """
    from watchbook.render.output import Column, print_json, print_table
    from watchbook.series import next_fields, next_json, up_next

    st = state(ctx)
    entries = st.indexed(up_next)
    if as_json:
        print_json([{**next_json(e), "path": str(st.journal.path_for(e.slug))} for e in entries])
        return
    print_table(
        (
            # A narrow terminal leaves out the kind, the year, the day and the score, in turn.
            Column("Title", ratio=2, min_width=16),
            Column("Year", drop=2),
            Column("Kind", drop=1),
            Column("Progress"),
            Column("Last episode", drop=3),
            Column("Score", drop=4),
        ),
        [next_fields(e) for e in entries],
        empty="Nothing in progress: `watchbook watch QUERY` marks an episode seen",
    )
