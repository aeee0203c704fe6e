"""What the HTML site's pages are built from: a card per entry, and the tag, creator and year groups.

A card holds what pages other than the entry's own show of it (title, score, viewings, tags,
creators...), as plain JSON-ready values, so that the index, stats, tag, creator and year pages
can be rebuilt from cards alone (an incremental export keeps them in its state file). Page names
come from slugs (`Site.pages`) and from tag and creator names by a fixed rule, never from raw
text.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from watchbook.diary import viewings_of
from watchbook.entry import Entry
from watchbook.export.site import HASH_LENGTH, PAGE_NAME
from watchbook.text import group_key, title_key

# Where each kind of page lives in the site.
ENTRIES, TAGS, CREATORS, YEARS = "entries", "tags", "creators", "years"
# (name, page) of each tag or creator group, by key.
Names = Mapping[str, tuple[str, str]]


class Card(NamedTuple):
    """An entry as the aggregate pages show it (a tuple, so that it is its own JSON form)."""

    slug: str
    page: str
    title: str
    year: int | None
    kind: str | None
    status: str
    score: float | None
    verdict: str | None
    # (ISO date, the score given that viewing, if any), oldest first.
    viewings: tuple[tuple[str, float | None], ...]
    tags: tuple[str, ...]
    creators: tuple[str, ...]
    order: tuple[str, int, str]
    # (year, episodes of a series seen that year) where not 0 (see year_review.episodes_by_year).
    episodes: tuple[tuple[int, int], ...] = ()

    @property
    def label(self) -> str:
        """'Blame! (2017)'."""
        return f"{self.title} ({self.year})" if self.year else self.title

    @property
    def last(self) -> str:
        """The latest viewing's date, or ''."""
        return self.viewings[-1][0] if self.viewings else ""


def card_of(entry: Entry, page: str, order: tuple[str, int, str] | None = None) -> Card:
    """The card of one entry, its page named `page` (`order`: its title_order, if known)."""
    from watchbook.year_review import episodes_by_year

    return Card(
        slug=entry.slug,
        page=page,
        title=entry.title,
        year=entry.year,
        kind=entry.kind,
        status=entry.status,
        score=None if entry.score is None else float(entry.score),
        verdict=entry.verdict,
        viewings=tuple((s.date.isoformat(), s.score) for s in viewings_of(entry)),
        tags=tuple(entry.tags),
        creators=tuple(entry.creators),
        order=order or (title_key(entry.title), entry.year or 0, entry.slug),
        episodes=tuple(sorted(episodes_by_year(entry).items())),
    )


def card_entry(card: Card) -> Entry:
    """A card as an Entry (no review, links or ids), for the stats and the year in review."""
    import datetime as dt

    from watchbook.entry import Viewing

    return Entry(
        card.title,
        card.slug,
        card.year,
        card.kind,
        card.status,
        card.score,
        card.verdict,
        watched=[Viewing(dt.date.fromisoformat(day), score) for day, score in card.viewings],
        tags=list(card.tags),
        creators=list(card.creators),
    )


@dataclass
class Group:
    """A tag or a creator: its shown name, page name and members (by title)."""

    key: str
    name: str
    page: str
    members: list[Card] = field(default_factory=list)

    @property
    def mean_score(self) -> float | None:
        """The members' mean score, if any is scored."""
        scores = [c.score for c in self.members if c.score is not None]
        return round(sum(scores) / len(scores), 2) if scores else None


def groups_of(
    cards: Sequence[Card], attribute: str, known: Names | None = None
) -> dict[str, Group]:
    """Tags or creators (`attribute`) by key, each named as most of its entries spell it.

    `known`: (name, page) by key as an earlier export found them; the same names give the same
    pages, which are then not worked out again.
    """
    members: dict[str, list[Card]] = {}
    spellings: dict[str, Counter[str]] = {}
    keys: dict[str, str] = {}
    for card in cards:
        for name in dict.fromkeys(getattr(card, attribute)):
            key = keys.get(name)
            if key is None:
                key = keys[name] = group_key(attribute, name)
            group = members.get(key)
            if group is None:
                members[key], spellings[key] = [card], Counter((name,))
                continue
            if group[-1] is not card:
                group.append(card)
            spellings[key][name] += 1
    names = {key: min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0] for key in members}
    if known is not None and {key: name for key, (name, _) in known.items()} == names:
        pages = {key: page for key, (_, page) in known.items()}
    else:
        pages = group_pages(names)
    return {key: Group(key, names[key], pages[key], members[key]) for key in sorted(members)}


def group_pages(names: Mapping[str, str]) -> dict[str, str]:
    """A unique page name for each tag or creator key, from its shown name (hashed if need be)."""
    from watchbook.journal import make_slug

    pages: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(names):
        base = make_slug(names[key])[:60].strip("-")
        if not PAGE_NAME.match(base) or base.startswith("untitled-"):
            base = "name"
        page = base
        if page in taken or base == "name":
            digest = hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
            page = f"{base}-{digest[:HASH_LENGTH]}"
        pages[key] = page
        taken.add(page)
    return pages


def by_year(cards: Iterable[Card]) -> dict[int, list[Card]]:
    """Cards by release year (entries without one left out), each list in the cards' order."""
    found: dict[int, list[Card]] = {}
    for card in cards:
        if card.year is not None:
            found.setdefault(card.year, []).append(card)
    return found


def viewings_per_day(cards: Iterable[Card]) -> dict[int, dict[str, int]]:
    """How many viewings each day (ISO dates) has, by year, over every card."""
    days = Counter(day for card in cards for day, _ in card.viewings)
    years: dict[int, dict[str, int]] = {}
    for day in sorted(days):
        years.setdefault(int(day[:4]), {})[day] = days[day]
    return years


def site_years(cards: Iterable[Card]) -> list[int]:
    """Every year with a page: release years and years with a viewing, newest first."""
    years: set[int] = set()
    for card in cards:
        if card.year is not None:
            years.add(card.year)
        years.update(int(day[:4]) for day, _ in card.viewings)
    return sorted(years, reverse=True)


def count_words(cards: Sequence[Card]) -> Mapping[str, int]:
    """How many entries have each status, and how many viewings and scores there are."""
    status = Counter(card.status for card in cards)
    return {
        **{s: status[s] for s in ("watched", "watching", "dropped", "planned")},
        "entries": len(cards),
        "viewings": sum(len(c.viewings) for c in cards),
        "scored": sum(1 for c in cards if c.score is not None),
    }
