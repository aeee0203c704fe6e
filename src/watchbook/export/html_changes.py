"""Which pages of an exported site show what changed in the journal, and must be drawn again.

Each kind of page shows a few things of many entries; a page is drawn again when an entry that
changed (a card that is not what the state file remembers, or an entry the index says was
written since) differs in what that page shows of it:

- an entry's page: the entry itself and its links (the index records both ends of every link
  it writes), the title, year and page of the entries it lists, its tags' and creators' names;
- index.html: each entry's row (title, year, kind, status, score, verdict, last viewing) and the
  counts; stats.html: scores, statuses, viewing days, tags and creators; tags.html and
  creators.html: who holds each tag or creator, and their scores; years.html: viewing years and
  release years;
- a tag's or creator's page: its entries' lines (title, year, score, status);
- a year's page: the lines of the titles released that year, the review of the titles watched
  in it, the years before and after it, and the rest of the journal's scores as far as the
  review weighs them (`YearWeights.judge`).

Pages are drawn again, never patched, so a page drawn too often costs time and nothing else;
the tests compare every kind of edit with a full export, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from watchbook.export.html import HtmlSite
from watchbook.export.html_model import CREATORS, TAGS, YEARS, Card, Names, site_years
from watchbook.export.html_state import SiteState
from watchbook.text import group_key

# (what changed, the card before, the card now); None where there was or is no such entry.
Change = tuple[Card | None, Card | None]


@dataclass
class Redraw:
    """The pages to draw again: entry pages by slug, the other files by name."""

    entries: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)


def _shown(card: Card | None, fields: tuple[str, ...]) -> Any:
    return None if card is None else tuple(getattr(card, name) for name in fields)


def _differ(change: Change, *fields: str) -> bool:
    before, now = change
    return bool(_shown(before, fields) != _shown(now, fields))


def _days(card: Card | None) -> tuple[str, ...]:
    return () if card is None else tuple(day for day, _ in card.viewings)


def _keys(card: Card | None, attribute: str) -> set[str]:
    return set() if card is None else {group_key(attribute, n) for n in getattr(card, attribute)}


def _renamed(before: Names, now: Mapping[str, Any]) -> set[str]:
    """Keys of groups that appeared, went, or changed name or page."""
    current = {key: (group.name, group.page) for key, group in now.items()}
    return {key for key in before.keys() | current.keys() if before.get(key) != current.get(key)}


def _score_totals(cards: Iterable[Card]) -> tuple[float, int]:
    scores = [c.score for c in cards if c.score is not None]
    return sum(scores, 0.0), len(scores)


def redraw(
    state: SiteState,
    html: HtmlSite,
    changes: Mapping[str, Change],
    touched: Iterable[str],
    linked_now: Mapping[str, set[str]],
) -> Redraw:
    """What to draw again, from what changed since the export `state` describes.

    `touched`: slugs the index wrote since; `linked_now`: the entries each of the changed and
    touched ones links or is linked from now.
    """
    found = Redraw()
    exists = html.by_slug
    # Entry pages: the entries written, and every page listing one that changed or was written.
    moved = set(touched) | set(changes)
    found.entries |= moved
    for slug in moved:
        found.entries |= set(state.neighbours.get(slug, ())) | linked_now.get(slug, set())
    renamed = {
        TAGS: _renamed(state.tags, html.tags),
        CREATORS: _renamed(state.creators, html.creators),
    }
    for attribute, keys in renamed.items():
        if keys:
            found.entries |= {c.slug for c in html.cards if _keys(c, attribute) & keys}
    found.entries &= exists.keys()

    every = list(changes.values())
    pages = found.pages
    if any(_differ(c, "page", "title", "year", "kind", "status", "score", "verdict", "order")
           or _days(c[0])[-1:] != _days(c[1])[-1:] or len(_days(c[0])) != len(_days(c[1]))
           for c in every):  # fmt: skip
        pages.add("index.html")
    if (
        renamed[TAGS]
        or renamed[CREATORS]
        or any(
            _differ(c, "status", "score", "tags", "creators") or _days(c[0]) != _days(c[1])
            for c in every
        )
    ):
        pages.add("stats.html")
    for attribute, folder in (("tags", TAGS), ("creators", CREATORS)):
        groups = html.tags if folder == TAGS else html.creators
        keys = set(renamed[folder])
        for change in every:
            if _differ(change, "page", "title", "year", "score", "status", "order"):
                keys |= _keys(change[0], attribute) | _keys(change[1], attribute)
            else:
                keys |= _keys(change[0], attribute) ^ _keys(change[1], attribute)
        if keys or any(_differ(c, attribute, "score") for c in every):
            pages.add(f"{folder}.html")
        pages |= {f"{folder}/{groups[key].page}.html" for key in keys if key in groups}
    pages |= {f"{YEARS}/{year}.html" for year in _years(state, html, every, renamed)}
    if any(_differ(c, "year") or _days(c[0]) != _days(c[1]) for c in every):
        pages.add("years.html")
    return found


def _years(
    state: SiteState, html: HtmlSite, every: list[Change], renamed: Mapping[str, set[str]]
) -> set[int]:
    """The year pages to draw again."""
    years: set[int] = set()
    review = ("page", "title", "year", "score", "viewings", "tags", "creators", "order", "episodes")
    for change in every:
        if _differ(change, "page", "title", "year", "score", "status", "order"):
            years |= {card.year for card in change if card is not None and card.year}
        if _differ(change, *review):
            years |= {int(day[:4]) for card in change for day in _days(card)}
            years |= {seen for card in change if card is not None for seen, _ in card.episodes}
    if renamed[TAGS] or renamed[CREATORS]:
        # Their top tables link tags and creators by page name.
        years |= set(html.years)
    # A year's neighbours are linked from its page.
    old = site_years(state.cards)
    if old != html.years:
        for listing, other in ((old, html.years), (html.years, old)):
            for place, year in enumerate(listing):
                around = listing[max(place - 1, 0) : place + 2]
                if year not in other or any(y not in other for y in around):
                    years |= set(around)
    # The rest of the journal's scores, as far as each year's review weighs them.
    totals = (_score_totals(state.cards), html.score_totals)
    if totals[0] != totals[1]:
        years |= {
            year
            for year, weights in state.years.items()
            if weights.judge(*totals[0]) != weights.judge(*totals[1])
        }
    return years & set(html.years)
