"""A year in review: what was watched, first watches and rewatches, streaks, the calendar heatmap.

Shared by `watchbook stats --year` and the HTML site's year pages, so both show the same
numbers. Viewings are read through `diary.viewings_of`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from watchbook.diary import Seen, viewings_of
from watchbook.entry import Entry
from watchbook.stats import GroupScore, episodes_seen, group_scores, score_in

# How many titles the best and the lowest lists show.
TOP_TITLES = 5
# A day's heat level: 0 for no viewing, then 1, 2, 3 and 4 for four or more.
MAX_LEVEL = 4
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Year means closer than this are "about the same".
SAME_MEAN = 0.25


@dataclass(frozen=True)
class TitleScore:
    """An entry with the score it stands for in the year."""

    slug: str
    title: str
    year: int | None
    score: float


@dataclass(frozen=True)
class Streak:
    """The longest run of consecutive days with at least one viewing."""

    days: int
    start: str
    end: str


@dataclass(frozen=True)
class Judgement:
    """What of a year's review depends on the rest of the journal's scores."""

    usual_scored: int
    usual_mean_score: float | None
    # How many of the best new titles and of the disappointments the review lists.
    best: int
    disappointments: int


@dataclass(frozen=True)
class YearWeights:
    """A year's scores as its review weighs them against the rest of the journal's."""

    # Each title's score for the year (as `stats --year` scores it), and their sum.
    scores: tuple[float, ...]
    total: float
    # The year scores of the titles first watched in the year.
    new: tuple[float, ...]
    # The entry scores of the titles watched in the year: their sum and how many there are.
    own_total: float
    own_count: int

    def judge(self, total: float, count: int) -> Judgement:
        """The review's comparison and lists against a journal with these score total and count."""
        # The other years' titles: every scored entry not watched in this one.
        usual_total, usual_count = total - self.own_total, count - self.own_count
        # The journal's mean splits the year's titles: the best new ones score at least that,
        # the disappointments less.
        everything = len(self.scores) + usual_count
        mean = (self.total + usual_total) / everything if everything else 0.0
        return Judgement(
            usual_count,
            round(usual_total / usual_count, 2) if usual_count else None,
            min(TOP_TITLES, sum(1 for score in self.new if score >= mean)),
            min(TOP_TITLES, sum(1 for score in self.scores if score < mean)),
        )

    def to_json(self) -> list[Any]:
        """The weights as a JSON array."""
        return [list(self.scores), self.total, list(self.new), self.own_total, self.own_count]

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> YearWeights:
        """Weights from `to_json`'s array (ValueError or TypeError if malformed)."""
        scores, total, new, own_total, own_count = data
        weights = cls(
            tuple(map(float, scores)), float(total), tuple(map(float, new)), float(own_total),
            int(own_count),
        )  # fmt: skip
        return weights


@dataclass
class YearReview:
    """Everything the year in review shows; `to_json` gives the same numbers."""

    year: int
    viewings: int
    titles: int
    first_watches: int
    rewatches: int
    per_month: dict[str, int]
    per_day: dict[str, int]
    # Titles first watched in the year scoring at least the journal's mean, best first, and
    # titles watched in the year scoring below it, lowest first.
    best_new: list[TitleScore] = field(default_factory=list)
    disappointments: list[TitleScore] = field(default_factory=list)
    top_creators: list[GroupScore] = field(default_factory=list)
    top_tags: list[GroupScore] = field(default_factory=list)
    streak: Streak | None = None
    scored: int = 0
    mean_score: float | None = None
    usual_scored: int = 0
    usual_mean_score: float | None = None
    # Episodes seen in the year (stats.episodes_seen): runs finished in it, runs under way.
    episodes: int = 0
    # What the review's comparison and lists weighed (not shown: for redoing the judgement).
    weights: YearWeights | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The review as plain JSON-ready data, with the comparison sentence."""
        data = asdict(self)
        del data["weights"]
        data["comparison"] = self.comparison
        return data

    @property
    def comparison(self) -> str:
        """One sentence comparing the year's scores with the other years' ones."""
        if self.mean_score is None:
            return f"No scores for titles watched in {self.year}."
        if self.usual_mean_score is None:
            return f"Titles watched in {self.year} average {self.mean_score:g}; no other years to compare with."
        difference = self.mean_score - self.usual_mean_score
        if abs(difference) < SAME_MEAN:
            tone = "about your usual"
        elif difference > 0:
            tone = f"{difference:.1f} above your usual"
        else:
            tone = f"{-difference:.1f} below your usual"
        return (
            f"Titles watched in {self.year} average {self.mean_score:g}, {tone} "
            f"({self.usual_mean_score:g} for the titles of other years)."
        )


def year_review(entries: Sequence[Entry], year: int) -> YearReview:
    """The year in review of `year` over the whole journal."""
    return year_reviews(entries, [year])[year]


def year_reviews(
    entries: Sequence[Entry],
    years: Iterable[int] | None = None,
    *,
    journal: tuple[float, int] | None = None,
) -> dict[int, YearReview]:
    """The review of each of `years` (default: every year with a viewing), in one pass.

    `journal`: the score total and count of the whole journal, when `entries` holds only the
    titles watched in `years`.
    """
    watched_in: dict[int, list[tuple[Entry, list[tuple[int, Seen]]]]] = {}
    episodes: Counter[int] = Counter()
    total, count = 0.0, 0
    for entry in entries:
        _count_episodes(entry, episodes)
        if entry.score is not None:
            total, count = total + float(entry.score), count + 1
        by_year: dict[int, list[tuple[int, Seen]]] = {}
        for number, seen in enumerate(viewings_of(entry)):
            by_year.setdefault(seen.date.year, []).append((number, seen))
        for year, seen_then in by_year.items():
            watched_in.setdefault(year, []).append((entry, seen_then))
    if journal is not None:
        total, count = journal
    wanted = sorted(watched_in) if years is None else list(years)
    reviews = {year: _review(year, watched_in.get(year, []), total, count) for year in wanted}
    for year, review in reviews.items():
        review.episodes = episodes[year]
    return reviews


def _count_episodes(entry: Entry, episodes: Counter[int]) -> None:
    """Add an entry's episodes seen to the years they were seen in."""
    episodes.update(episodes_by_year(entry))


def episodes_by_year(entry: Entry) -> dict[int, int]:
    """An entry's episodes seen in each year it has any (none for a title that is not a series)."""
    if not (entry.episodes or entry.progress):
        return {}
    years = {day.year for day in entry.watched}
    if entry.progress and entry.progress.last:
        years.add(entry.progress.last.year)
    found = {year: episodes_seen(entry, year) for year in sorted(years)}
    return {year: count for year, count in found.items() if count}


def _review(
    year: int,
    watched_then: list[tuple[Entry, list[tuple[int, Seen]]]],
    total: float,
    count: int,
) -> YearReview:
    """One year's review from the entries watched in it and the journal's score total."""
    days: Counter[dt.date] = Counter()
    first_watches = rewatches = 0
    watched = [entry for entry, _ in watched_then]
    new: list[Entry] = []
    year_scores: dict[str, float] = {}
    score_of = {id(entry): score_in(entry, year) for entry in watched}
    for entry, this_year in watched_then:
        for number, viewing in this_year:
            days[viewing.date] += 1
            if number == 0:
                first_watches += 1
                new.append(entry)
            else:
                rewatches += 1
        # As `stats --year` scores it: the latest score given that year, else the entry's.
        score = score_of[id(entry)]
        if score is not None:
            year_scores[entry.slug] = float(score)
    per_month = {f"{year}-{m:02d}": 0 for m in range(1, 13)}
    for day, n in days.items():
        per_month[f"{year}-{day.month:02d}"] += n
    scores = list(year_scores.values())
    weights = YearWeights(
        tuple(scores),
        sum(scores),
        tuple(year_scores[e.slug] for e in new if e.slug in year_scores),
        sum(float(e.score) for e in watched if e.score is not None),
        sum(1 for e in watched if e.score is not None),
    )
    judged = weights.judge(total, count)
    # Ranked by score, so the titles at or above the mean (below it) come first.
    best = _ranked(new, year_scores, best_first=True)[: judged.best]
    lowest = _ranked(watched, year_scores, best_first=False)[: judged.disappointments]
    return YearReview(
        year=year,
        viewings=sum(days.values()),
        titles=len(watched),
        first_watches=first_watches,
        rewatches=rewatches,
        per_month=per_month,
        per_day={day.isoformat(): n for day, n in sorted(days.items())},
        best_new=best,
        disappointments=lowest,
        top_creators=group_scores(watched, "creators", score_of),
        top_tags=group_scores(watched, "tags", score_of),
        streak=longest_streak(days),
        scored=len(scores),
        mean_score=round(statistics.fmean(scores), 2) if scores else None,
        usual_scored=judged.usual_scored,
        usual_mean_score=judged.usual_mean_score,
        weights=weights,
    )


def _ranked(
    entries: Iterable[Entry], scores: Mapping[str, float], best_first: bool
) -> list[TitleScore]:
    scored = [e for e in entries if e.slug in scores]
    scored.sort(
        key=lambda e: (
            -scores[e.slug] if best_first else scores[e.slug],
            e.title.casefold(),
            e.slug,
        )
    )
    return [TitleScore(e.slug, e.title, e.year, scores[e.slug]) for e in scored]


def longest_streak(days: Iterable[dt.date]) -> Streak | None:
    """The longest run of consecutive days (the earliest of equally long ones)."""
    ordered = sorted(set(days))
    if not ordered:
        return None
    best_start = best_end = start = previous = ordered[0]
    for day in ordered[1:]:
        if (day - previous).days != 1:
            start = day
        previous = day
        if (day - start).days > (best_end - best_start).days:
            best_start, best_end = start, day
    return Streak((best_end - best_start).days + 1, best_start.isoformat(), best_end.isoformat())


def heat_level(count: int) -> int:
    """0 for no viewing, else the count up to MAX_LEVEL."""
    return min(max(count, 0), MAX_LEVEL)


@dataclass(frozen=True)
class HeatDay:
    """One day of the calendar heatmap."""

    date: dt.date
    count: int

    @property
    def level(self) -> int:
        """How dark the cell is: 0 to MAX_LEVEL."""
        return heat_level(self.count)


@dataclass(frozen=True)
class Heatmap:
    """A year as weeks (Monday first); days outside the year are None."""

    year: int
    weeks: list[list[HeatDay | None]]
    # (week column, month abbreviation) where each month starts.
    months: list[tuple[int, str]]


def heatmap(per_day: Mapping[str, int], year: int) -> Heatmap:
    """The calendar of `year` with each day's viewings (keys are ISO dates)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = first - dt.timedelta(days=first.weekday())
    # From the Monday of the first week to the last day, never a day past it (9999-12-31 is the
    # last date there is); the last week is filled with blanks.
    days = [start + dt.timedelta(days=n) for n in range((last - start).days + 1)]
    weeks: list[list[HeatDay | None]] = []
    months: list[tuple[int, str]] = []
    for at in range(0, len(days), 7):
        week: list[HeatDay | None] = []
        for day in days[at : at + 7]:
            if day.year == year:
                week.append(HeatDay(day, per_day.get(day.isoformat(), 0)))
                if day.day == 1:
                    months.append((len(weeks), MONTHS[day.month - 1]))
            else:
                week.append(None)
        weeks.append(week + [None] * (7 - len(week)))
    return Heatmap(year, weeks, months)
