"""Series in progress: `watch` moves the current run on, `next` lists the runs under way.

A run counts the episodes seen in order. `watch` marks the next one (or up to episode N) seen
on a day and sets the status to `watching`; when it reaches the last episode the run becomes a
viewing in `watched` (with the score and note given then, as a rewatch would have them) and the
status `watched`. Watching a title again after that starts a new run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from watchbook.entry import Entry, Viewing
from watchbook.errors import Conflict, InvalidValue
from watchbook.progress import EPISODE_KINDS, MAX_EPISODES, Progress, fraction
from watchbook.validation import validate

if TYPE_CHECKING:
    from watchbook.index import Progress as IndexProgress
    from watchbook.index.view import IndexView
    from watchbook.journal import Journal
    from watchbook.rewatch import Given

# What a viewing may be given, in the order an error names them.
_OPINION_FLAGS = ("--score", "--verdict", "--note")
_STEP = re.compile(r"^\s*(\+)?\s*(\d+)\s*(?:/\s*(\d+))?\s*$")


@dataclass
class Step:
    """What `watch` was asked for: the next episode, `more` episodes, or up to episode `upto`."""

    upto: int | None = None
    more: int | None = None
    # N/TOTAL: the series has this many episodes.
    total: int | None = None

    def __str__(self) -> str:
        if self.more is not None:
            return f"+{self.more}"
        if self.upto is None:
            return ""
        return f"{self.upto}/{self.total}" if self.total else str(self.upto)


def parse_step(text: str | None) -> Step:
    """'5' (up to episode 5), '+2' (two more), '5/12' (up to 5 of 12); None is the next one."""
    if text is None:
        return Step()
    match = _STEP.match(text)
    numbers = [int(n) for n in match.groups()[1:] if n is not None] if match else []
    if not match or not all(1 <= n <= MAX_EPISODES for n in numbers):
        raise InvalidValue(
            "N", f"must be N, +N or N/TOTAL, such as 5, +2 or 5/12, from 1 up (got {text!r})"
        )
    plus, number, total = match.groups()
    if plus and total:
        raise InvalidValue("N", f"give +N or N/TOTAL, not both (got {text!r})")
    if plus:
        return Step(more=int(number))
    return Step(upto=int(number), total=int(total) if total else None)


@dataclass
class Watched:
    """What `watch` did to an entry: the episodes it marked, and whether that finished the run."""

    entry: Entry
    first: int
    seen: int
    finished: bool
    # A run started on an entry already watched through before.
    rewatch: bool = False
    changes: list[str] = field(default_factory=list)
    path: Path | None = None

    @property
    def episodes(self) -> int | None:
        """The episode count, if known."""
        return self.entry.episodes


def advance(entry: Entry, step: Step, day: dt.date, given: Given | None = None) -> Watched:
    """The entry with the run moved on (pure); InvalidValue when the step makes no sense."""
    if entry.kind is not None and entry.kind not in EPISODE_KINDS:
        raise InvalidValue(
            "QUERY",
            f"{entry.label} is a {entry.kind}: only a series, season or special has episodes "
            f"(for another viewing: watchbook add {entry.slug} --rewatch)",
        )
    new = validate(entry)
    run, status = new.progress, new.status
    before = run.seen if run else 0
    episodes = step.total or new.episodes
    target = _target(new, step, before, episodes)
    changes = []
    if step.total and step.total != new.episodes:
        changes.append(f"Episodes {new.episodes or 'unknown'} -> {step.total}")
        new.episodes = step.total
    finished = episodes is not None and target == episodes
    new.status = "watched" if finished else "watching"
    if new.status != status:
        changes.append(f"Status {status} -> {new.status}")
    rewatch = run is None and bool(new.viewings)
    if finished:
        from watchbook.rewatch import Given, add_rewatch

        new.progress = None
        merged, more = add_rewatch(new, [Viewing(day)], given or Given())
        if len(merged.viewings) == 1 and merged.viewings[0].score == merged.score:
            # The only viewing scored as the entry is: the short form says the same.
            merged.viewings[0].score = None
        return Watched(merged, min(before + 1, target), target, True, rewatch, changes + more)
    opinion = (None, None, None) if given is None else (given.score, given.verdict, given.note)
    flags = [flag for flag, value in zip(_OPINION_FLAGS, opinion, strict=True) if value is not None]
    if flags:
        raise InvalidValue(
            flags[0],
            "a score, verdict or note goes with the last episode; this is episode "
            f"{fraction(target, episodes)}",
        )
    # A new run starts on this day; an episode logged late moves the start back.
    started = day if run is None else run.started and min(run.started, day)
    new.progress = Progress(target, day, started, run.extra if run else None)
    return Watched(validate(new), before + 1, target, False, rewatch, changes)


def _target(entry: Entry, step: Step, before: int, episodes: int | None) -> int:
    """The episode the run reaches; refuses going back, or past the last episode."""
    if step.more is not None:
        target = before + step.more
    elif step.upto is not None:
        target = step.upto
        if target <= before:
            raise InvalidValue(
                "N",
                f"episode {target} of {entry.label} is seen already in this run "
                f"({fraction(before, entry.episodes)}); to set it back, edit the file",
            )
    else:
        # A run with every episode seen but not closed (imported so, or edited) closes now.
        target = before if episodes is not None and before == episodes else before + 1
    if step.total is not None and target > step.total:
        raise InvalidValue("N", f"episode {target} is past the {step.total} episodes given")
    if episodes is not None and target > episodes:
        raise InvalidValue(
            "N",
            f"{entry.label} has {episodes} episodes, so there is no episode {target} "
            "(give N/TOTAL if it has more)",
        )
    return target


def watch(
    journal: Journal,
    slug: str,
    step: Step,
    day: dt.date,
    given: Given | None = None,
    expect_finish: bool | None = None,
) -> Watched:
    """Move an entry's run on and write it, under the journal lock.

    `expect_finish` is what the caller asked the user about (a score, a verdict) before taking
    the lock: if the file changed meanwhile so that the run does or does not finish after all,
    nothing is written (Conflict).
    """
    with journal.lock():
        current = journal.get(slug)
        if expect_finish is not None and advance(current, step, day).finished != expect_finish:
            raise Conflict(
                f"{slug}.toml changed while you answered (the run "
                f"{'does not finish' if expect_finish else 'finishes'} now); nothing was written"
            )
        result = advance(current, step, day, given)
        result.path = journal.update(result.entry)
    return result


def order_up_next(entries: Iterable[Entry]) -> list[Entry]:
    """Entries being watched, the one watched most recently first (undated ones last, A-Z)."""
    watching = [e for e in entries if e.status == "watching"]
    dated = sorted(
        (e for e in watching if _last(e)), key=lambda e: (_last(e), e.slug), reverse=True
    )
    undated = sorted((e for e in watching if not _last(e)), key=lambda e: e.slug)
    return dated + undated


def _last(entry: Entry) -> dt.date | None:
    return entry.progress.last if entry.progress else None


def up_next(journal: Journal, progress: IndexProgress | None = None) -> list[Entry]:
    """What `next` lists, read from the index (only the entries being watched are decoded)."""
    from watchbook.index.store import read_index

    def read(view: IndexView) -> list[Entry]:
        view.problems()
        slugs = [s.slug for s in view.all_summaries() if s.status == "watching"]
        return order_up_next(view.entries_by_slug(slugs).values())

    return read_index(journal, read, progress, links=False)


def next_json(entry: Entry) -> dict[str, object]:
    """One line of `next --json`."""
    run = entry.progress
    return {
        "slug": entry.slug,
        "title": entry.title,
        "year": entry.year,
        "kind": entry.kind,
        "seen": run.seen if run else None,
        "episodes": entry.episodes,
        "date": run.date.isoformat() if run and run.date else None,
        "started": run.started.isoformat() if run and run.started else None,
        "score": entry.score,
    }


def next_fields(entry: Entry) -> tuple[str, ...]:
    """One line of `next` as text: slug, title, year, kind, progress, last episode's day, score."""
    from watchbook.entry import format_score

    run = entry.progress
    last = run.last.isoformat() if run and run.last else ""
    return (
        entry.slug,
        entry.title,
        str(entry.year or ""),
        entry.kind or "",
        fraction(run.seen if run else None, entry.episodes),
        last,
        format_score(entry.score),
    )


def status_text(entry: Entry) -> str:
    """The status, with how far a run under way has come: 'watching 5/12'."""
    if entry.progress is None:
        return entry.status
    return f"{entry.status} {fraction(entry.progress.seen, entry.episodes)}"


def series_facts(entry: Entry) -> list[tuple[str, str]]:
    """`show`'s lines: 'Progress: 5/12, the last on 2024-03-09', else 'Episodes: 12'."""
    facts = []
    run = entry.progress
    if run is not None:
        last = f", the last on {run.date}" if run.date else ""
        since = f" (this run since {run.started})" if run.started else ""
        facts.append(("Progress", f"{fraction(run.seen, entry.episodes)}{last}{since}"))
    elif entry.episodes:
        facts.append(("Episodes", str(entry.episodes)))
    if entry.rewatches:
        facts.append(("Rewatches", f"{entry.rewatches} more, on days not recorded"))
    return facts
