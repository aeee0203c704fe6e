"""The score a person would likely give a planned title, learnt from their own journal.

A title's predicted score starts from the person's mean score and moves by a few terms:

- community: how far other people's rating of it (`community = { imdb = 8.1 }`) lies from
  their usual rating of what this person watches;
- creator, tag: the person's own scores of the titles sharing its creators (tags), as a mean
  weighted by each shared name's rarity and shrunk toward "no difference" when few titles say
  anything (`SHRINK` titles' worth of prior);
- link: the same over the titles it is tied to by a link, the same series or a mention;
- era, kind: the same over the titles of its decade, and of its kind (movie, series...).

For a title with a community rating, the personal terms are worked out on what the ratings do
not already explain (each scored title's score minus what its rating alone predicts), so a
horror film is not marked down twice when both the person and IMDb rate horror low; a title
without one is compared with the scores themselves.

How much each term counts is fitted on the person's own journal: every scored title (at most
`FIT_SAMPLE`, spread evenly) is predicted from all the others (leave-one-out), and the weights
are the least-squares fit of those predictions to the scores the person gave, pulled toward
`PRIOR` by a ridge of `RIDGE` and kept at 0 or above: six numbers, from a 6 x 6 linear system.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from watchbook.entry import COMMUNITY_KEY, VOTES_SUFFIX, community_rating, format_score
from watchbook.recommend.evidence import SAME_SERIES, link_parts, rarity, weight_of

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.recommend.sources import Relations

# Below this many scored titles the weights cannot be fitted: the watchlist keeps the older
# order (by what each title shares with the titles scored highest).
MIN_SCORED = 20
# The leave-one-out fit reads at most this many scored titles, spread evenly over the journal.
FIT_SAMPLE = 150
TERMS = ("community", "creator", "tag", "link", "era", "kind")
# How many titles' worth of "no difference from the mean" each personal term starts with.
SHRINK = {"creator": 3.0, "tag": 5.0, "link": 2.0, "era": 5.0, "kind": 5.0}
# Where the weights start before the journal has its say (each term taken at face value), and
# how hard they are pulled there: RIDGE titles' worth, so a small journal stays near it.
PRIOR = dict.fromkeys(TERMS, 1.0)
RIDGE = 10.0
# Reasons name at most this many pushes up and this many down, each of at least MIN_EFFECT.
REASONS_EACH = 2
MIN_EFFECT = 0.05
KIND_PLURALS = {"movie": "movies", "series": "series", "season": "seasons",
                "episode": "episodes", "special": "specials", "short": "shorts"}  # fmt: skip
SERVICES = {"imdb": "IMDb", "mal": "MyAnimeList", "letterboxd": "Letterboxd", "tmdb": "TMDb"}


class Sums(NamedTuple):
    """Some scored titles added up: how many, their scores, and their community ratings."""

    titles: int
    scores: float
    rated: int
    ratings: float


NOTHING = Sums(0, 0.0, 0, 0.0)


class TasteRows(NamedTuple):
    """Every watched, scored title: its score and, when it has one, its community rating."""

    # By slug, in slug order.
    scores: dict[str, float]
    ratings: dict[str, float]
    # The same titles added up by decade (the year // 10, or None) and kind.
    groups: list[tuple[int | None, str | None, Sums]]


class Clue(NamedTuple):
    """One thing that says something about a title: a creator, tag, tie, decade or kind."""

    term: str
    key: str
    # As shown: the creator or tag as the title writes it, a decade, a kind, a slug.
    name: str
    weight: float
    # Scored titles behind it, and the sum of their scores' differences from expectation.
    titles: int
    total: float


class Prediction(NamedTuple):
    """A title's likely score and what moved it, each as (effect in points, clue or None)."""

    score: float
    effects: list[tuple[float, Clue | None]]


class Taste:
    """A person's taste, fitted on their scored titles; predicts the score of any other title."""

    def __init__(self, relations: Relations, rows: TasteRows) -> None:
        self.relations = relations
        self.scores, self.ratings = scores, ratings = rows.scores, rows.ratings
        self.mean = mean = math.fsum(scores.values()) / len(scores)
        # What the community rating alone predicts (a ridge slope, not below 0): the personal
        # terms explain what is left. Worked out from sums, so no loop runs over every title.
        values = list(ratings.values())
        rated = len(values)
        middle = self.community_mean = math.fsum(values) / rated if rated else 0.0
        beside = list(map(scores.__getitem__, ratings))
        covariance = (
            math.fsum(map(operator.mul, values, beside))
            - mean * math.fsum(values)
            - middle * math.fsum(beside)
            + rated * middle * mean
        )
        variance = math.fsum(map(operator.mul, values, values)) - rated * middle * middle
        self.slope = max(0.0, covariance / (variance + RIDGE)) if rated else 0.0
        # Decades and kinds, added up from the groups the rows came in.
        groups: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0.0])
        for decade, kind, sums in rows.groups:
            for key in (("era", _decade(decade)), ("kind", kind or "")):
                if key[1]:
                    group = groups[key]
                    for at, value in enumerate(sums):
                        group[at] += value
        self._groups = {key: Sums(int(n), s, int(r), c) for key, (n, s, r, c) in groups.items()}
        # (weight, sums) of each creator and tag asked about.
        self._features: dict[tuple[str, str], tuple[float, Sums]] = {}
        self.weights = dict(PRIOR)
        # Slug -> the evidence of its links, series and mentions with each scored title.
        self.ties: dict[str, dict[str, float]] = {}

    def residual(self, slug: str, slope: float) -> float:
        """A scored title's score less what its rating predicts with this slope (0: the mean)."""
        rating = self.ratings.get(slug)
        expected = self.mean
        if rating is not None:
            expected += slope * (rating - self.community_mean)
        return self.scores[slug] - expected

    def _residuals(self, sums: Sums, slope: float) -> float:
        """The residuals of some titles, added up (from their sums)."""
        return (
            sums.scores
            - sums.titles * self.mean
            - slope * (sums.ratings - sums.rated * self.community_mean)
        )

    def _rating(self, entry: Entry) -> float | None:
        """The entry's community rating, when the journal has ratings to compare it with."""
        return community_rating(entry) if self.ratings else None

    def _feature(self, term: str, key: str) -> tuple[float, Sums]:
        found = self._features.get((term, key))
        if found is None:
            relations = self.relations
            # A name only the entry asked about holds (most creators) says nothing of it: its
            # holders are not added up.
            holders = relations.holder_count(term, key)
            sums = NOTHING if holders <= 1 else relations.taste_sums(term, key)
            found = self._features[(term, key)] = (rarity(holders, relations.size), sums)
        return found

    def clues(self, entry: Entry) -> list[tuple[str, str, str, float, int, float]]:
        """What the journal says about an entry, leaving the entry's own score out."""
        features = self.relations.features(entry)
        # A title the community rates is compared with what its rating leaves unexplained in
        # the others; one without a rating (added by hand, say) with their scores themselves.
        slope = self.slope if self._rating(entry) is not None else 0.0
        # Leave-one-out: a scored entry is among the holders of each of its own features.
        own = entry.slug in self.scores
        less, minus = (1, self.residual(entry.slug, slope)) if own else (0, 0.0)
        # Plain tuples in Clue's order: hundreds of titles are scored, a few explained.
        found: list[tuple[str, str, str, float, int, float]] = []
        add = found.append
        feature, residuals = self._feature, self._residuals
        for term, keys in (("creator", features.creators), ("tag", features.tags)):
            for key, name in keys.items():
                weight, sums = feature(term, key)
                if sums.titles > less and weight > 0:
                    total = residuals(sums, slope) - minus
                    add((term, key, name, weight, sums.titles - less, total))
        decade = _decade(None if entry.year is None else entry.year // 10)
        for term, key in (("era", decade), ("kind", entry.kind or "")):
            group = self._groups.get((term, key))
            if group is not None and group.titles > less:
                total = residuals(group, slope) - minus
                add((term, key, key, 1.0, group.titles - less, total))
        for slug, weight in self.ties.get(entry.slug, {}).items():
            if slug != entry.slug and slug in self.scores and weight > 0:
                add(("link", slug, slug, weight, 1, self.residual(slug, slope)))
        return found

    def values(
        self, entry: Entry, clues: Iterable[tuple[str, str, str, float, int, float]]
    ) -> dict[str, float]:
        """Each term's value for an entry: the community difference, and each shrunk mean."""
        # sum(weight x total) / (sum(weight x titles) + SHRINK): the weighted mean of the
        # residuals of every title behind the term's clues, with SHRINK titles of "no difference".
        sums: dict[str, list[float]] = {}
        for term, _, _, weight, titles, total in clues:
            found = sums.get(term)
            if found is None:
                sums[term] = [weight * total, weight * titles]
            else:
                found[0] += weight * total
                found[1] += weight * titles
        values = {term: total / (weight + SHRINK[term]) for term, (total, weight) in sums.items()}
        # Without a scored title that has one, a rating has nothing to be compared with.
        rating = self._rating(entry)
        if rating is not None:
            values["community"] = rating - self.community_mean
        return values

    def score(self, values: Mapping[str, float]) -> float:
        """The likely score from the terms' values, between 0 and 10."""
        weights = self.weights
        found = self.mean
        for term, value in values.items():
            found += weights[term] * value
        return min(10.0, max(0.0, found))

    def predict(self, entry: Entry) -> Prediction:
        """The likely score of an entry, with the effect of each clue (and of its rating)."""
        clues = list(map(Clue._make, self.clues(entry)))
        values = self.values(entry, clues)
        effects: list[tuple[float, Clue | None]] = []
        if "community" in values:
            effects.append((self.weights["community"] * values["community"], None))
        pooled: dict[str, float] = defaultdict(float)
        for clue in clues:
            pooled[clue.term] += clue.weight * clue.titles
        for clue in clues:
            share = clue.weight * clue.total / (pooled[clue.term] + SHRINK[clue.term])
            effects.append((self.weights[clue.term] * share, clue))
        return Prediction(self.score(values), effects)

    def fit(self, entries: Sequence[Entry]) -> None:
        """Fit the terms' weights on scored entries, each predicted from all the others."""
        rows, targets = [], []
        for entry in entries:
            values = self.values(entry, self.clues(entry))
            rows.append([values.get(term, 0.0) for term in TERMS])
            targets.append(self.scores[entry.slug] - self.mean)
        solved = ridge_fit(rows, targets, [PRIOR[term] for term in TERMS], RIDGE)
        self.weights = dict(zip(TERMS, solved, strict=True))

    def reasons(self, entry: Entry, prediction: Prediction) -> list[str]:
        """The clues that moved the prediction most, up then down, in words."""
        ranked = sorted(
            ((effect, clue) for effect, clue in prediction.effects if abs(effect) >= MIN_EFFECT),
            key=lambda item: -abs(item[0]),
        )
        ups = [item for item in ranked if item[0] > 0][:REASONS_EACH]
        downs = [item for item in ranked if item[0] < 0][:REASONS_EACH]
        tied = [clue.key for _, clue in ups + downs if clue is not None and clue.term == "link"]
        words = tie_words(self.relations, entry, tied) if tied else {}
        reasons = [
            f"{self._words(entry, clue, words)} ({effect:+.1f})" for effect, clue in ups + downs
        ]
        return reasons or [
            f"nothing in your journal says much about it yet: your mean score is {self.mean:.1f}"
        ]

    def _words(self, entry: Entry, clue: Clue | None, words: Mapping[str, str]) -> str:
        if clue is None:
            return _community_words(entry)
        if clue.term == "link":
            return words.get(clue.key, clue.key)
        if clue.term in ("creator", "tag"):
            sums = self._feature(clue.term, clue.key)[1]
            return f"you score {clue.name} titles {sums.scores / sums.titles:.1f} on average"
        group = self._groups[(clue.term, clue.key)]
        mean = group.scores / group.titles
        if clue.term == "era":
            return f"you score titles from the {clue.key} {mean:.1f} on average"
        plural = KIND_PLURALS.get(clue.key, f"titles of kind {clue.key}")
        return f"you score {plural} {mean:.1f} on average"


def fit_taste(relations: Relations, planned: Sequence[Entry] = ()) -> Taste | None:
    """The taste fitted on the journal (with the planned entries' ties); None below MIN_SCORED."""
    rows = relations.taste_rows()
    if len(rows.scores) < MIN_SCORED:
        return None
    taste = Taste(relations, rows)
    slugs = list(rows.scores)
    step = max(1.0, len(slugs) / FIT_SAMPLE)
    sample = [slugs[int(i * step)] for i in range(min(len(slugs), FIT_SAMPLE))]
    loaded = relations.load(sample)
    entries = [loaded[slug] for slug in sample if slug in loaded]
    taste.ties = tie_weights(relations, [*entries, *planned], taste.scores)
    taste.fit(entries)
    return taste


def tie_weights(
    relations: Relations, entries: Sequence[Entry], scored: Mapping[str, float]
) -> dict[str, dict[str, float]]:
    """For each entry, the evidence of its links, series and mentions with each scored title."""
    found = relations.taste_links([e.slug for e in entries], scored)
    for entry in entries:
        mine = found.setdefault(entry.slug, {})
        for other in relations.series_mates(entry):
            if other in scored:
                mine[other] = mine.get(other, 0.0) + weight_of(SAME_SERIES)
    return found


def tie_words(relations: Relations, entry: Entry, slugs: Iterable[str]) -> dict[str, str]:
    """How an entry is tied to each of some scored titles, in words, by slug."""
    slugs = list(slugs)
    loaded = relations.load(slugs)
    links = relations.links_for([entry.slug])[entry.slug]
    mates = set(relations.series_mates(entry))
    words: dict[str, str] = {}
    for slug in slugs:
        other = loaded.get(slug)
        if other is None:
            continue
        how = [text for _, text in link_parts(entry, links.get(slug, ()))]
        if slug in mates:
            how.append("same series")
        what = f", {'; '.join(dict.fromkeys(how))}" if how else ""
        words[slug] = f"you scored {other.title} {format_score(other.score)}{what}"
    return words


def ridge_fit(
    rows: Sequence[Sequence[float]], targets: Sequence[float], prior: Sequence[float], ridge: float
) -> list[float]:
    """Least squares pulled toward `prior`, every weight 0 or above (a tiny active-set solve)."""
    size = len(prior)
    columns = list(zip(*rows, strict=True)) if rows else [()] * size
    # The normal equations, once: X'X + ridge I and X'y + ridge prior.
    gram = [[math.fsum(map(operator.mul, a, b)) for b in columns] for a in columns]
    moment = [math.fsum(map(operator.mul, a, targets)) for a in columns]
    active = list(range(size))
    while True:
        matrix = [[gram[a][b] + (ridge if a == b else 0.0) for b in active] for a in active]
        vector = [moment[a] + ridge * prior[a] for a in active]
        weights = [0.0] * size
        for at, value in zip(active, _solve(matrix, vector), strict=True):
            weights[at] = value
        negative = {at for at in active if weights[at] < 0}
        if not negative:
            return weights
        # A term that would count against the evidence it names is left out, and the rest refit.
        active = [at for at in active if at not in negative]


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """x with matrix @ x = vector (Gaussian elimination; the ridge keeps it well-conditioned)."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col and rows[col][col]:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[col], strict=True)]
    return [rows[i][size] / rows[i][i] if rows[i][i] else 0.0 for i in range(size)]


def _decade(decade: int | None) -> str:
    """'1990s' for 199 (a year // 10)."""
    return f"{decade * 10}s" if decade is not None else ""


def _community_words(entry: Entry) -> str:
    table = entry.extra.get(COMMUNITY_KEY) or {}
    ratings = [key for key in table if not key.endswith(VOTES_SUFFIX)]
    value = community_rating(entry)
    if len(ratings) == 1:
        service = SERVICES.get(ratings[0], ratings[0])
        return f"{service} users rate it {value:g}"
    return f"other people rate it {value:.1f} on average"
