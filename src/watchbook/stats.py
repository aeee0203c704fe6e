"""Numbers about the journal: counts, viewings over time, score distribution, favourites."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from watchbook.entry import Entry
from watchbook.text import group_key

FAVOURITE_SCORE = 8
TOP = 10


@dataclass
class GroupScore:
    """A tag or creator with how many entries carry it and their mean score."""

    name: str
    count: int
    mean_score: float | None


@dataclass
class TitleCount:
    """An entry with a number attached (viewings, or days since last seen)."""

    slug: str
    title: str
    year: int | None
    value: int
    score: float | None = None
    last_watched: str | None = None


@dataclass
class Rescored:
    """An entry whose score changed between viewings: the first score given, and the latest."""

    slug: str
    title: str
    year: int | None
    first: float
    latest: float


@dataclass
class Stats:
    """Everything `watchbook stats` shows; `to_json` gives the same numbers."""

    year: int | None
    entries: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    viewings: int
    viewings_per_year: dict[str, int]
    month_year: int | None
    viewings_per_month: dict[str, int]
    scored: int
    mean_score: float | None
    median_score: float | None
    histogram: dict[str, int]
    top_tags: list[GroupScore] = field(default_factory=list)
    top_creators: list[GroupScore] = field(default_factory=list)
    most_rewatched: list[TitleCount] = field(default_factory=list)
    longest_unwatched_favourites: list[TitleCount] = field(default_factory=list)
    rescored: list[Rescored] = field(default_factory=list)
    # Episodes seen (of series with a known count, and of runs under way) and runs under way.
    episodes: int = 0
    in_progress: int = 0

    def to_json(self) -> dict[str, Any]:
        """The stats as plain JSON-ready data."""
        return asdict(self)

    @property
    def generosity(self) -> str:
        """One sentence saying how the scores sit on the 0-10 scale."""
        return Spread(self.scored, self.mean_score, self.histogram).generosity


@dataclass
class Spread:
    """How many scores there are, their mean, and how many of each half step from 0 to 10."""

    scored: int
    mean_score: float | None
    histogram: dict[str, int]

    @property
    def generosity(self) -> str:
        """One sentence saying how the scores sit on the 0-10 scale."""
        if self.mean_score is None:
            return "No scores yet."
        high = sum(n for key, n in self.histogram.items() if float(key) >= FAVOURITE_SCORE)
        share = high / self.scored
        if self.mean_score >= 7.5:
            tone = "You score generously"
        elif self.mean_score <= 5:
            tone = "You score harshly"
        else:
            tone = "Your scores sit near the middle"
        return f"{tone}: mean {self.mean_score:g}, {share:.0%} of scores are {FAVOURITE_SCORE} or more."


def spread(scores: Sequence[float]) -> Spread:
    """The spread of some scores (each 0 to 10 in half steps)."""
    histogram = dict.fromkeys(_half_steps(), 0)
    for score in scores:
        histogram[f"{score:g}"] += 1
    mean = round(statistics.fmean(scores), 2) if scores else None
    return Spread(len(scores), mean, histogram)


def _half_steps() -> list[str]:
    return [f"{n / 2:g}" for n in range(21)]


def score_in(entry: Entry, year: int | None = None) -> int | float | None:
    """The entry's score, or with `year` the score of its latest scored viewing in that year
    (the entry's score for a viewing that year without one; none for a title only part-seen
    that year: no score was given then)."""
    if year is not None:
        that_year = [v for v in entry.viewings if v.date.year == year]
        if not that_year:
            return None
        scored = [v.score for v in that_year if v.score is not None]
        if scored:
            return scored[-1]
    return entry.score


def _rescored(entries: Sequence[Entry], year: int | None = None) -> list[Rescored]:
    """Entries whose first scored viewing has another score than the entry has now; with a year,
    whose score that year differs from the one they had before it."""
    found = []
    for e in entries:
        if year is None:
            first = next((v.score for v in e.viewings if v.score is not None), None)
            latest = e.score
        else:
            earlier = [v.score for v in e.viewings if v.date.year < year and v.score is not None]
            first = earlier[-1] if earlier else None
            latest = score_in(e, year)
        if first is not None and latest is not None and first != latest:
            found.append(Rescored(e.slug, e.title, e.year, float(first), float(latest)))
    found.sort(key=lambda r: (-abs(r.latest - r.first), r.slug))
    return found[:TOP]


class Labelled(Protocol):
    """What group_scores reads: an entry's tags and creators (an Entry, or the site's cards)."""

    @property
    def tags(self) -> Sequence[str]: ...

    @property
    def creators(self) -> Sequence[str]: ...


def group_scores(
    entries: Sequence[Labelled], attribute: str, score_of: dict[int, int | float | None]
) -> list[GroupScore]:
    """The most common tags or creators (`attribute`) with their mean score (`score_of` by id)."""
    # Group the spellings of one tag or creator (text.group_key), shown as most often spelled.
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        score = score_of[id(entry)]
        # A file may hold one tag twice in two cases ('Anime', 'anime'): one entry, one count.
        seen: set[str] = set()
        for name in getattr(entry, attribute):
            key = group_key(attribute, name)
            if key in seen:
                continue
            seen.add(key)
            spellings[key][name] += 1
            if score is not None:
                scores[key].append(float(score))
    counts = {key: sum(spelled.values()) for key, spelled in spellings.items()}
    # A group less common than the TOP-th most common one cannot make the list: only the others
    # need their mean and name (a year's review asks this of thousands of tags and creators).
    least = sorted(counts.values(), reverse=True)[TOP - 1] if len(counts) > TOP else 0
    groups = []
    for key, spelled in spellings.items():
        if counts[key] < least:
            continue
        found = scores.get(key)
        mean = round(statistics.fmean(found), 2) if found else None
        groups.append(GroupScore(spelled.most_common(1)[0][0], counts[key], mean))
    groups.sort(key=lambda g: (-g.count, -(g.mean_score or 0), g.name.casefold()))
    return groups[:TOP]


def compute_stats(
    entries: Sequence[Entry], year: int | None = None, today: dt.date | None = None
) -> Stats:
    """Stats over all entries, or with `year` over the entries watched in that year."""
    today = today or dt.date.today()
    if year is not None:
        entries = [e for e in entries if any(d.year == year for d in e.watched) or _ran_in(e, year)]
    dates = [d for e in entries for d in e.watched if year is None or d.year == year]
    per_year = Counter(str(d.year) for d in dates)
    month_year = year if year is not None else max((d.year for d in dates), default=None)
    per_month = {f"{month_year}-{m:02d}": 0 for m in range(1, 13)} if month_year else {}
    for d in dates:
        if d.year == month_year:
            per_month[f"{month_year}-{d.month:02d}"] += 1
    # With a year, what you thought then: the score of a viewing that year, where it has one.
    score_of = {id(e): score_in(e, year) for e in entries}
    scores = [float(s) for s in score_of.values() if s is not None]
    scored = spread(scores)
    # With a year, the viewings of that year only ("only what you watched in this year").
    seen = {id(e): sum(1 for d in e.watched if year is None or d.year == year) for e in entries}
    rewatched = sorted(
        (e for e in entries if seen[id(e)] > 1),
        key=lambda e: (-seen[id(e)], e.slug),
    )
    favourites = sorted(
        (
            e
            for e in entries
            if e.score is not None and e.score >= FAVOURITE_SCORE and e.last_watched is not None
        ),
        key=lambda e: (e.last_watched, e.slug),
    )
    return Stats(
        year=year,
        entries=len(entries),
        by_status=dict(Counter(e.status for e in entries).most_common()),
        by_kind=dict(Counter(e.kind or "unknown" for e in entries).most_common()),
        viewings=len(dates),
        viewings_per_year=dict(sorted(per_year.items())),
        month_year=month_year,
        viewings_per_month=per_month,
        scored=scored.scored,
        mean_score=scored.mean_score,
        median_score=statistics.median(scores) if scores else None,
        histogram=scored.histogram,
        top_tags=group_scores(entries, "tags", score_of),
        top_creators=group_scores(entries, "creators", score_of),
        most_rewatched=[
            TitleCount(e.slug, e.title, e.year, seen[id(e)], _num(e.score)) for e in rewatched[:TOP]
        ],
        longest_unwatched_favourites=[
            TitleCount(
                e.slug,
                e.title,
                e.year,
                (today - e.last_watched).days,  # type: ignore[operator]
                _num(e.score),
                e.last_watched.isoformat(),  # type: ignore[union-attr]
            )
            for e in favourites[:TOP]
        ],
        rescored=_rescored(entries, year),
        episodes=sum(episodes_seen(e, year) for e in entries),
        in_progress=sum(1 for e in entries if e.progress and e.status == "watching"),
    )


def _ran_in(entry: Entry, year: int) -> bool:
    """The run under way had its last episode in this year."""
    last = entry.progress.last if entry.progress else None
    return last is not None and last.year == year


def episodes_seen(entry: Entry, year: int | None = None) -> int:
    """Episodes seen: every finished run (counted on the day it ended) and the run under way."""
    runs = sum(1 for d in entry.watched if year is None or d.year == year)
    if year is None:
        runs += entry.rewatches or 0
    going = entry.progress.seen if entry.progress and (year is None or _ran_in(entry, year)) else 0
    return runs * (entry.episodes or 0) + going


def _num(score: int | float | None) -> float | None:
    return None if score is None else float(score)


# --- the text report (plain lines; the render package styles them on a terminal) ------------------------


def _bar(count: int, biggest: int, width: int, glyph: str) -> str:
    if not count:
        return ""
    return glyph * max(1, round(width * count / biggest))


def stats_lines(stats: Stats, terminal: bool) -> list[tuple[str, list[str]]]:
    """The stats as (heading, lines) sections; bars are blocks on a terminal and '#' on a pipe."""
    glyph = "█" if terminal else "#"
    sections: list[tuple[str, list[str]]] = []
    scope = f" watched in {stats.year}" if stats.year else ""
    statuses = ", ".join(f"{n} {name}" for name, n in stats.by_status.items())
    kinds = ", ".join(f"{n} {name}" for name, n in stats.by_kind.items())
    noun = "entry" if stats.entries == 1 else "entries"
    journal = [f"{stats.entries} {noun}{scope}: {statuses}" if statuses else f"No entries{scope}."]
    if kinds:
        journal.append(f"kinds: {kinds}")
    journal.append(f"viewings: {stats.viewings}")
    if stats.episodes or stats.in_progress:
        journal.append(f"episodes: {stats.episodes} seen, {stats.in_progress} series in progress")
    sections.append(("Journal", journal))
    if stats.mean_score is not None:
        sections.append(
            (
                "Scores",
                [
                    f"{stats.scored} scored, mean {stats.mean_score:g}, median {stats.median_score:g}",
                    stats.generosity,
                ],
            )
        )
        biggest = max(stats.histogram.values())
        sections.append(
            (
                "Score histogram",
                [
                    f"{score:>4} {_bar(n, biggest, 30, glyph)} {n}".rstrip()
                    for score, n in stats.histogram.items()
                ],
            )
        )
    for title, counts in (
        ("Viewings per year", stats.viewings_per_year),
        (f"Viewings per month in {stats.month_year}", stats.viewings_per_month),
    ):
        if counts:
            biggest = max(counts.values()) or 1
            sections.append(
                (
                    title,
                    [
                        f"{key} {_bar(n, biggest, 30, glyph)} {n}".rstrip()
                        for key, n in counts.items()
                    ],
                )
            )
    for title, groups in (("Top tags", stats.top_tags), ("Top creators", stats.top_creators)):
        if groups:
            sections.append(
                (
                    title,
                    [
                        f"{g.name}\t{g.count}\t"
                        + (f"mean {g.mean_score:g}" if g.mean_score is not None else "")
                        for g in groups
                    ],
                )
            )
    titled = (
        (
            "Most rewatched",
            [(t.title, t.year, f"{t.value} viewings") for t in stats.most_rewatched],
        ),
        (
            "Rescored on a rewatch",
            [(r.title, r.year, f"{r.first:g} -> {r.latest:g}") for r in stats.rescored],
        ),
        (
            "Favourites not seen for longest",
            [
                (t.title, t.year, f"{t.score:g}/10\tlast seen {t.last_watched}")
                for t in stats.longest_unwatched_favourites
            ],
        ),
    )
    for heading, rows in titled:
        if rows:
            lines = [
                title + (f" ({year})" if year else "") + f"\t{what}" for title, year, what in rows
            ]
            sections.append((heading, lines))
    return sections
