"""Watchlist quality: does `recommend` put first what the person would score highest?

Takes real rating histories (the exports in ../shared/fixtures/), and for each random split
turns 80% of the rated titles into watched entries (score, viewing date, and what the export
knows of the title: genres as tags, directors as creators, IMDb's rating) and the other 20%
into planned ones (the same facts, no score, no viewing, none of the person's own tags or
notes). The watchlist order is then scored against the scores the person really gave:

- NDCG@10, the gain of a title being 2^stars - 1 with stars = score / 2 (0-5);
- Spearman's rho between the order and the scores, over the whole watchlist.

Beside it: the order before this method (by affinity to the titles scored highest), and three
baselines: the person's own mean score per genre and per director (the mean, over the title's
genres and directors that some watched title has, of the person's mean score there; the
overall mean when it has none), the community rating (IMDb's), and a random order. Ties in a
baseline are broken at random, averaged over 20 shuffles.

The constants of the method (recommend/taste.py) were chosen while looking at splits 0-4
(`--tune`); the figures to report are those of splits 5-14 (`--report`), looked at only once
the constants were fixed.

    python benchmarks/taste_quality.py [--splits report|tune|A-B] [--cli] [--fixtures DIR]

`--cli` runs `watchbook recommend --json --limit 5000` on a journal written to a temporary
folder, as a person would, instead of calling the library in this process (slower; the two
give the same order, which tests/test_recommend.py checks on small journals).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from watchbook.entry import Entry, community_rating
from watchbook.index.catalog import Catalog
from watchbook.journal import Journal, make_slug
from watchbook.recommend.sources import CatalogRelations
from watchbook.recommend.watchlist import affinity_watchlist, watchlist
from watchbook.text import creator_key, fold

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
SPLITS = {"tune": range(0, 5), "report": range(5, 15)}
PLANNED_SHARE = 0.2
SHUFFLES = 20
TOP = 10
# Small journals drawn from the IMDb export, genres only: the shape of a person with a short
# history and no directors or community ratings.
SMALL_JOURNALS, SMALL_SIZE = 60, 100

Order = Callable[[list[Entry], list[Entry]], list[float]]


# --- the data sets ----------------------------------------------------------------------------


def _slugged(entries: Sequence[Entry]) -> list[Entry]:
    """Entries with unique slugs, as an import would name their files."""
    taken: set[str] = set()
    for entry in entries:
        base = make_slug(entry.title, entry.year)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        entry.slug = slug
    return list(entries)


def _rated(service: str, path: Path) -> list[Entry]:
    from watchbook.importers import read_export

    parsed = read_export(service, path)
    return _slugged([r.entry for r in parsed.records if r.entry.score is not None])


def _without(entries: Sequence[Entry], creators: bool, community: bool) -> list[Entry]:
    for entry in entries:
        if not creators:
            entry.creators = []
        if not community:
            entry.extra.pop("community", None)
    return list(entries)


def data_sets(fixtures: Path) -> dict[str, list[list[Entry]]]:
    """Each data set as a list of people, each a list of rated entries."""
    imdb = fixtures / "imdb" / "ratings.csv"
    sets: dict[str, list[list[Entry]]] = {}
    if imdb.exists():
        sets["IMDb export"] = [_rated("imdb", imdb)]
        sets["IMDb export, genres only"] = [_without(_rated("imdb", imdb), False, False)]
        pool = _without(_rated("imdb", imdb), False, False)
        sets[f"IMDb export, {SMALL_JOURNALS} journals of {SMALL_SIZE}, genres only"] = [
            random.Random(1000 + n).sample(pool, SMALL_SIZE) for n in range(SMALL_JOURNALS)
        ]
    if (fixtures / "mal").exists():
        sets["MyAnimeList export"] = [_rated("mal", fixtures / "mal" / "animelist.xml")]
    if (fixtures / "letterboxd").exists():
        sets["Letterboxd export"] = [_rated("letterboxd", fixtures / "letterboxd")]
    return sets


def split(person: list[Entry], seed: int) -> tuple[list[Entry], list[Entry]]:
    """Watched and planned entries of one random split."""
    entries = sorted(person, key=lambda e: e.slug)
    random.Random(seed).shuffle(entries)
    cut = len(entries) - max(1, round(len(entries) * PLANNED_SHARE))
    return [_copy(e) for e in entries[:cut]], [_planned(e) for e in entries[cut:]]


def _copy(entry: Entry) -> Entry:
    # Entry.FIELDS names the viewings `viewings`; the constructor takes them as `watched`.
    return Entry(
        **{
            ("watched" if name == "viewings" else name): getattr(entry, name)
            for name in Entry.FIELDS
        }
    )


def _planned(entry: Entry) -> Entry:
    """What a planned title knows: the export's facts about it, nothing of the person's."""
    imported_tags = entry.tags if "imdb" in entry.ids else []
    return Entry(
        title=entry.title, slug=entry.slug, year=entry.year, kind=entry.kind, status="planned",
        tags=list(imported_tags), creators=list(entry.creators), aliases=list(entry.aliases),
        ids=dict(entry.ids), extra=dict(entry.extra),
    )  # fmt: skip


# --- the orders -------------------------------------------------------------------------------


def watchbook_order(watched: list[Entry], planned: list[Entry]) -> list[float]:
    """The watchlist as `recommend` orders it: a value per planned title, higher first."""
    results = watchlist(CatalogRelations(Catalog(watched + planned)), None)
    return _by_position(planned, [r.entry.slug for r in results])


def before_order(watched: list[Entry], planned: list[Entry]) -> list[float]:
    """The order before predicted scores: affinity to the titles scored highest."""
    relations = CatalogRelations(Catalog(watched + planned))
    results = affinity_watchlist(relations, relations.planned(), None)
    return _by_position(planned, [r.entry.slug for r in results])


def cli_order(watched: list[Entry], planned: list[Entry]) -> list[float]:
    """`watchbook recommend --json --limit 5000` on the split written as a journal."""
    with tempfile.TemporaryDirectory(prefix="watchbook-taste-") as folder:
        journal = Journal(Path(folder) / "journal")
        for entry in watched + planned:
            journal.create(entry)
        out = subprocess.run(
            [sys.executable, "-m", "watchbook", "--journal", str(journal.path), "recommend",
             "--json", "--limit", "5000"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    return _by_position(planned, [item["slug"] for item in json.loads(out)])


def _by_position(planned: list[Entry], slugs: list[str]) -> list[float]:
    position = {slug: -at for at, slug in enumerate(slugs)}
    return [position.get(e.slug, -math.inf) for e in planned]


def genre_director_means(watched: list[Entry], planned: list[Entry]) -> list[float]:
    """The person's mean score over each of the title's genres and directors, averaged."""
    mean = statistics.fmean(float(e.score or 0) for e in watched)
    scores: dict[str, list[float]] = defaultdict(list)
    for entry in watched:
        for key in _features(entry):
            scores[key].append(float(entry.score or 0))
    values = []
    for entry in planned:
        means = [statistics.fmean(scores[k]) for k in _features(entry) if k in scores]
        values.append(statistics.fmean(means) if means else mean)
    return values


def _features(entry: Entry) -> set[str]:
    return {f"tag:{fold(t)}" for t in entry.tags} | {
        f"creator:{creator_key(c)}" for c in entry.creators
    }


def community_order(watched: list[Entry], planned: list[Entry]) -> list[float]:
    """IMDb's rating; titles without one last."""
    values = [community_rating(e) for e in planned]
    return [-math.inf if v is None else v for v in values]


def random_order(watched: list[Entry], planned: list[Entry]) -> list[float]:
    """Every title tied: the shuffles make it a random order."""
    return [0.0] * len(planned)


# --- the measures -----------------------------------------------------------------------------


def ndcg(order: Sequence[int], stars: Sequence[float], top: int = TOP) -> float:
    """NDCG@top of an order (indexes into stars), gain 2^stars - 1."""
    gains = [2.0 ** stars[i] - 1 for i in order]
    ideal = sorted(gains, reverse=True)
    dcg = sum(g / math.log2(k + 2) for k, g in enumerate(gains[:top]))
    best = sum(g / math.log2(k + 2) for k, g in enumerate(ideal[:top]))
    return dcg / best if best else 0.0


def _ranks(values: Sequence[float]) -> list[float]:
    """Ranks from 1, ties sharing their mean rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for k in range(start, end + 1):
            ranks[order[k]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    """Spearman's rho (Pearson's r of the ranks); 0 when either side is constant."""
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    den = math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))
    return num / den if den else 0.0


def measure(values: list[float], planned: list[Entry], seed: int) -> tuple[float, float]:
    """NDCG@10 and rho of ordering `planned` by `values` (higher first), ties at random."""
    rng = random.Random(seed)
    scores = [float(e.score or 0) for e in planned]
    stars = [s / 2 for s in scores]
    shuffles = SHUFFLES if len(set(values)) < len(values) else 1
    total_ndcg = total_rho = 0.0
    for _ in range(shuffles):
        noise = [rng.random() for _ in planned]
        order = sorted(range(len(planned)), key=lambda i: (-values[i], noise[i]))
        position = [0.0] * len(planned)
        for at, i in enumerate(order):
            position[i] = -at
        total_ndcg += ndcg(order, stars)
        total_rho += spearman(position, scores)
    return total_ndcg / shuffles, total_rho / shuffles


# --- the run ----------------------------------------------------------------------------------


def evaluate(
    people: list[list[Entry]], seeds: Sequence[int], orders: dict[str, Order]
) -> dict[str, list[tuple[float, float]]]:
    """NDCG@10 and rho of each order, for every person and split."""
    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for number, person in enumerate(people):
        # One split per small journal, several for a whole export.
        for seed in seeds if len(people) == 1 else [seeds[number % len(seeds)]]:
            # The scores stay with the planned copies only for measuring; no order reads them.
            watched, planned = split(person, seed)
            truth = {e.slug: e.score for e in person}
            for name, order in orders.items():
                values = order(watched, planned)
                scored = [_copy(e) for e in planned]
                for entry in scored:
                    entry.score = truth[entry.slug]
                results[name].append(measure(values, scored, seed + 7919))
    return dict(results)


def summary(results: dict[str, list[tuple[float, float]]]) -> dict[str, tuple[float, float]]:
    """Mean NDCG@10 and rho of each order."""
    return {
        name: (statistics.fmean(n for n, _ in pairs), statistics.fmean(r for _, r in pairs))
        for name, pairs in results.items()
    }


def wins(results: dict[str, list[tuple[float, float]]], against: str) -> str:
    """In how many splits (or journals) watchbook is ahead of one baseline, on each measure."""
    pairs = list(zip(results["watchbook"], results[against], strict=True))
    counts = []
    for at, measure in ((0, "NDCG"), (1, "rho")):
        ahead = sum(1 for a, b in pairs if a[at] > b[at] + 1e-9)
        level = sum(1 for a, b in pairs if abs(a[at] - b[at]) <= 1e-9)
        counts.append(f"{ahead}/{len(pairs)} ({measure}" + (f", {level} level)" if level else ")"))
    return f"ahead of {against} in " + ", ".join(counts)


def parse_splits(text: str) -> range:
    if text in SPLITS:
        return SPLITS[text]
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", default="report", help="report (5-14), tune (0-4) or A-B")
    parser.add_argument("--cli", action="store_true", help="run the real command per split")
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    args, _ = parser.parse_known_args()
    seeds = parse_splits(args.splits)
    sets = data_sets(args.fixtures)
    if not sets:
        print(f"no exports in {args.fixtures}: nothing to measure")
        return 0
    orders: dict[str, Order] = {
        "watchbook": cli_order if args.cli else watchbook_order,
        "before": before_order,
        "genre/director means": genre_director_means,
        "community": community_order,
        "random": random_order,
    }
    print(f"splits {seeds.start}-{seeds.stop - 1}; NDCG@10 and Spearman's rho, mean over splits\n")
    print("| data | titles | planned | " + " | ".join(orders) + " |")
    print("|---|---:|---:|" + "---|" * len(orders))
    notes = []
    for name, people in sets.items():
        start = time.perf_counter()
        found = evaluate(people, seeds, orders)
        titles = statistics.fmean(len(p) for p in people)
        planned = max(1, round(titles * PLANNED_SHARE))
        means = summary(found)
        if not any(community_rating(e) is not None for p in people for e in p):
            means.pop("community")
        cells = [f"{nd:.3f}, {rho:+.2f}" if o in means else "n/a" for o in orders
                 for nd, rho in [means.get(o, (0.0, 0.0))]]  # fmt: skip
        print(f"| {name} | {titles:,.0f} | {planned:,} | " + " | ".join(cells) + " |", flush=True)
        against = [o for o in ("genre/director means", "community") if o in means]
        notes.append(f"{name}: " + "; ".join(wins(found, o) for o in against))
        print(f"  ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    print()
    print("\n".join(notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
