"""A made-up Trakt account export of any size, in the newer layout (watched-history.json ...).

Films are played once to three times; shows are finished, half watched, finished and being
watched again, or only their specials seen; some titles are rated, some only on the watchlist.
Every title is invented ("Film 00042", "Show 0007") with ids that belong to nothing real, and
`expected()` says what the import must make of it, computed from the plan rather than from the
importer. Used by benchmarks/trakt_speed.py and by tests/test_import_trakt.py.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

START = dt.datetime(2015, 1, 1, 20, 0, tzinfo=dt.UTC)


@dataclass
class Plan:
    """What was generated: items per file, and the counts an import must find."""

    files: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    films: int = 0
    shows: int = 0
    planned: int = 0
    in_progress: int = 0
    finished_runs: int = 0
    film_plays: int = 0

    @property
    def history_items(self) -> int:
        """Items in watched-history.json."""
        return len(self.files["watched-history.json"])


def _moment(rng: random.Random) -> str:
    """A play time somewhere in nine years, on the hour in UTC (20:00, so the local day is it)."""
    return (START + dt.timedelta(days=rng.randrange(9 * 365))).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_export(history_items: int, seed: int = 0) -> Plan:
    """About `history_items` plays, with ratings and a watchlist beside them."""
    rng = random.Random(seed)
    plan = Plan(files={name: [] for name in ("watched-history.json", "ratings-movies.json", "ratings-shows.json", "lists-watchlist.json")})  # fmt: skip
    history = plan.files["watched-history.json"]
    next_id = iter(range(10_000_000, 100_000_000))
    while len(history) < history_items:
        if rng.random() < 0.6:
            plan.films += 1
            n = plan.films
            movie = {"title": f"Film {n:05d}", "year": 1950 + n % 70, "ids": {"trakt": 500_000 + n, "slug": f"film-{n:05d}", "imdb": f"tt9{n:06d}", "tmdb": 900_000 + n}}  # fmt: skip
            plays = rng.choice((1, 1, 1, 2, 3))
            days = {_moment(rng)[:10] for _ in range(plays)}
            # Days must differ for the viewings to be counted apart (same-day plays are kept
            # too, but the expectation is simpler this way).
            for day in sorted(days):
                history.append({"id": next(next_id), "watched_at": f"{day}T20:00:00.000Z", "action": "watch", "type": "movie", "movie": movie})  # fmt: skip
            plan.film_plays += len(days)
            if rng.random() < 0.4:
                plan.files["ratings-movies.json"].append({"rated_at": _moment(rng), "rating": rng.randint(1, 10), "type": "movie", "movie": movie})  # fmt: skip
            continue
        plan.shows += 1
        n = plan.shows
        aired = rng.randint(6, 60)
        show = {"title": f"Show {n:04d}", "year": 1990 + n % 35, "ids": {"trakt": 700_000 + n, "slug": f"show-{n:04d}", "imdb": f"tt8{n:06d}", "tmdb": 800_000 + n}, "aired_episodes": aired}  # fmt: skip
        shape = rng.choice(("finished", "partial", "rewatching", "specials"))
        episodes = [(1 + (e // 10), 1 + (e % 10)) for e in range(aired)]
        first = START + dt.timedelta(days=rng.randrange(6 * 365))
        runs = {"finished": [aired], "partial": [rng.randint(1, aired - 1)], "rewatching": [aired, rng.randint(1, aired - 1)], "specials": []}[shape]  # fmt: skip
        day = first
        for count in runs:
            for season, number in episodes[:count]:
                history.append({"id": next(next_id), "watched_at": day.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "action": "scrobble", "type": "episode", "episode": {"season": season, "number": number, "title": None, "ids": {"trakt": next(next_id)}}, "show": show})  # fmt: skip
                day += dt.timedelta(days=1)
        if shape == "specials":
            history.append({"id": next(next_id), "watched_at": day.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "action": "watch", "type": "episode", "episode": {"season": 0, "number": 1, "title": None, "ids": {"trakt": next(next_id)}}, "show": show})  # fmt: skip
        plan.finished_runs += 1 if shape in ("finished", "rewatching") else 0
        plan.in_progress += 1 if shape in ("partial", "rewatching") else 0
        if rng.random() < 0.5:
            plan.files["ratings-shows.json"].append({"rated_at": _moment(rng), "rating": rng.randint(1, 10), "type": "show", "show": show})  # fmt: skip
    for n in range(history_items // 20):
        plan.planned += 1
        movie = {"title": f"Planned Film {n:05d}", "year": 2020 + n % 6, "ids": {"trakt": 600_000 + n, "slug": f"planned-{n}", "imdb": f"tt7{n:06d}", "tmdb": 700_000 + n}}  # fmt: skip
        plan.files["lists-watchlist.json"].append({"rank": n + 1, "id": next(next_id), "listed_at": _moment(rng), "notes": None, "type": "movie", "movie": movie})  # fmt: skip
    rng.shuffle(history)
    history.sort(key=lambda item: item["watched_at"], reverse=True)
    return plan


def write_zip(plan: Plan, path: Path) -> Path:
    """The export as Trakt's zip: every file inside one folder."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, items in plan.files.items():
            archive.writestr(f"trakt-export/{name}", json.dumps(items))
    return path
