"""The HTML site: Jinja2 templates (autoescaped) filled from the Site, the cards and the stats.

Layout of the exported folder:

    index.html  stats.html  years.html  tags.html  creators.html  style.css
    entries/<page>.html   one per entry (page names from slugs, see export.site)
    tags/<page>.html  creators/<page>.html  years/<YEAR>.html

Every link is relative, nothing is fetched from the network, and the pages read completely with
JavaScript off (the index's small inline script only adds sorting and filtering).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from watchbook.diary import DiaryLine, diary_lines, viewings_of
from watchbook.entry import Entry, format_score
from watchbook.export.charts import calendar, columns, rows
from watchbook.export.html_model import (
    CREATORS,
    ENTRIES,
    TAGS,
    YEARS,
    Card,
    Group,
    by_year,
    card_entry,
    count_words,
    groups_of,
    site_years,
    tag_key,
)
from watchbook.text import creator_key
from watchbook.year_review import MONTHS, YearReview, year_reviews

if TYPE_CHECKING:
    from jinja2 import Environment

    from watchbook.export.site import Ref, Site
    from watchbook.stats import GroupScore

SITE_TITLE = "Watch journal"
STYLESHEET = "style.css"
STATUS_WORDS = {
    "watched": "watched",
    "watching": "still watching",
    "dropped": "dropped",
    "planned": "on the watchlist, not seen yet",
}
ROOT_PAGES = ("index.html", "stats.html", "years.html", "tags.html", "creators.html")


@functools.cache
def environment() -> Environment:
    """The templates, autoescaping everything they print."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("watchbook.export", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["score"] = format_score
    env.filters["score_number"] = lambda value: "" if value is None else f"{value:g}"
    env.globals["site_title"] = SITE_TITLE
    return env


def stylesheet() -> str:
    """The one stylesheet, as shipped beside the templates."""
    from importlib.resources import files

    return (files("watchbook.export") / "templates" / STYLESHEET).read_text(encoding="utf-8")


def counts_line(cards: Sequence[Card]) -> str:
    """'11 entries: 8 watched, 3 on the watchlist · 10 viewings · average score 7.2'."""
    counts = count_words(cards)
    words = {"watched": "watched", "watching": "watching", "dropped": "dropped",
             "planned": "on the watchlist"}  # fmt: skip
    parts = [f"{counts[s]} {w}" for s, w in words.items() if counts[s]]
    total = counts["entries"]
    line = f"{total} {'entry' if total == 1 else 'entries'}"
    if parts:
        line += ": " + ", ".join(parts)
    viewings = counts["viewings"]
    line += f" · {viewings} {'viewing' if viewings == 1 else 'viewings'}"
    scores = [c.score for c in cards if c.score is not None]
    if scores:
        line += f" · average score {sum(scores) / len(scores):.1f}"
    return line


# One line of an entry's Related, Linked from or Recommended list: the page, title and year of
# the entry it names ('' and None when that entry is not in the journal), its slug, the reasons.
Item = tuple[str, str, int | None, str, str]


class HtmlSite:
    """Renders every page of the site from cards (and, for entry pages, the entries and links)."""

    def __init__(self, cards: Sequence[Card]) -> None:
        self.cards = list(cards)
        self.by_slug = {c.slug: c for c in self.cards}
        self.env = environment()
        self.tags = groups_of(self.cards, "tags")
        self.creators = groups_of(self.cards, "creators")
        self.years = site_years(self.cards)
        self._entries: list[Entry] | None = None
        self._reviews: dict[int, YearReview] | None = None
        self._diary: dict[int, list[DiaryLine]] | None = None
        self._released = by_year(self.cards)

    @property
    def entries(self) -> list[Entry]:
        """The cards as entries, for the stats and the year in review."""
        if self._entries is None:
            self._entries = [card_entry(c) for c in self.cards]
        return self._entries

    def review_of(self, year: int) -> tuple[YearReview | None, list[DiaryLine]]:
        """A year's review and diary lines (None and [] without a viewing), all worked out once."""
        if self._reviews is None or self._diary is None:
            self._reviews = year_reviews(self.entries)
            self._diary = {}
            for line in diary_lines(self.entries):
                self._diary.setdefault(line.date.year, []).append(line)
        return self._reviews.get(year), self._diary.get(year, [])

    def render(self, template: str, root: str, **context: Any) -> str:
        """One page from a template, `root` leading back to the site's top folder."""
        return self.env.get_template(template).render(root=root, **context)

    # -- entry pages

    def items(self, refs: Iterable[Ref]) -> list[Item]:
        """Refs with the page, title and year of the entry each names."""
        found: list[Item] = []
        for ref in refs:
            card = self.by_slug.get(ref.slug)
            if card is None:
                found.append(("", "", None, ref.slug, ref.why))
            else:
                found.append((card.page, card.title, card.year, ref.slug, ref.why))
        return found

    def entry_page(
        self, entry: Entry, lists: Sequence[tuple[str, str, list[Item]]], review: str
    ) -> str:
        """An entry's page: facts, viewings, the review (already HTML), its link lists."""
        from markupsafe import Markup

        from watchbook.export.markdown import kind_phrase

        byline: list[dict[str, str]] = []
        if entry.kind:
            byline.append({"text": kind_phrase(entry), "href": ""})
        if entry.year:
            byline.append({"text": str(entry.year), "href": f"../{YEARS}/{entry.year}.html"})
        for name in dict.fromkeys(entry.creators):
            group = self.creators.get(creator_key(name) or name)
            byline.append(
                {"text": name, "href": f"../{CREATORS}/{group.page}.html" if group else ""}
            )
        tags = [self.tags[tag_key(t)] for t in dict.fromkeys(entry.tags) if tag_key(t) in self.tags]
        return self.render(
            "entry.html.j2",
            "../",
            title=entry.label,
            section=ENTRIES,
            entry=entry,
            byline=byline,
            status_words=STATUS_WORDS.get(entry.status, entry.status),
            tags=[
                {"name": name, "page": g.page}
                for name, g in zip(dict.fromkeys(entry.tags), tags, strict=False)
            ],
            ids=sorted(entry.ids.items()),
            viewings=viewings_of(entry),
            review=Markup(review),
            lists=lists,
        )

    # -- the aggregate pages

    def index_page(self) -> str:
        """index.html: every entry in a table."""
        return self.render(
            "index.html.j2", "", title="All entries", section=ENTRIES, cards=self.cards,
            counts_line=counts_line(self.cards),
        )  # fmt: skip

    def group_page(self, group: Group, folder: str) -> str:
        """A tag's or a creator's page: its titles, by title."""
        noun, all_noun = ("Tag", "tags") if folder == TAGS else ("Creator", "creators")
        return self.render(
            "group.html.j2", "../", title=group.name, section=folder, group=group, noun=noun,
            all_page=f"{all_noun}.html", all_noun=all_noun,
        )  # fmt: skip

    def groups_page(self, folder: str) -> str:
        """tags.html or creators.html: every tag or creator, most titles first."""
        groups = self.tags if folder == TAGS else self.creators
        ordered = sorted(groups.values(), key=lambda g: (-len(g.members), g.name.casefold(), g.key))
        noun, plural = ("Tag", "tags") if folder == TAGS else ("Creator", "creators")
        return self.render(
            "groups.html.j2", "", title=plural.capitalize(), section=folder, folder=folder,
            noun=noun, noun_plural=plural,
            rows=rows([(g.name, g.page, len(g.members), g.mean_score) for g in ordered]),
        )  # fmt: skip

    def _top(self, found: Sequence[GroupScore], folder: str) -> list[Any]:
        groups = self.tags if folder == TAGS else self.creators
        key_of = tag_key if folder == TAGS else creator_key
        items = []
        for g in found:
            group = groups.get(key_of(g.name) or g.name)
            if group is not None:
                items.append((g.name, group.page, g.count, g.mean_score))
        return rows(items)

    def stats_page(self) -> str:
        """stats.html: the score histogram, viewings per year, month and day, top tags and creators."""
        from watchbook.stats import compute_stats

        stats = compute_stats(self.entries)
        steps = list(stats.histogram)
        histogram = columns(
            stats.histogram,
            [s if "." not in s else "" for s in steps],
            [f"{s}/10: {n} entr{'y' if n == 1 else 'ies'}" for s, n in stats.histogram.items()],
        )
        per_day: Counter[str] = Counter(day for c in self.cards for day, _ in c.viewings)
        per_year = {str(y): 0 for y in sorted({int(d[:4]) for d in per_day})}
        for day, n in per_day.items():
            per_year[day[:4]] += n
        years_chart = columns(
            per_year, list(per_year), [f"{y}: {n} viewings" for y, n in per_year.items()]
        )
        per_month: Counter[str] = Counter()
        for day, n in per_day.items():
            per_month[day[:7]] += n
        biggest = max(per_month.values(), default=0) or 1
        month_rows = []
        for year in sorted(per_year, reverse=True):
            counts = [per_month.get(f"{year}-{m:02d}", 0) for m in range(1, 13)]
            cells = [(n, -(-4 * n // biggest)) for n in counts]
            month_rows.append({"year": year, "cells": cells, "total": sum(counts)})
        calendars = [
            calendar({d: n for d, n in per_day.items() if d.startswith(year)}, int(year))
            for year in sorted(per_year, reverse=True)
        ]
        return self.render(
            "stats.html.j2", "", title="Stats", section="stats", stats=stats,
            counts_line=counts_line(self.cards), histogram=histogram, years_chart=years_chart,
            month_names=MONTHS, month_rows=month_rows, calendars=calendars,
            tags=self._top(stats.top_tags, TAGS), creators=self._top(stats.top_creators, CREATORS),
        )  # fmt: skip

    def years_page(self) -> str:
        """years.html: every year with its viewings and releases."""
        released = self._released
        viewings = Counter(int(day[:4]) for c in self.cards for day, _ in c.viewings)
        table = [
            {"year": y, "viewings": viewings.get(y, 0), "released": len(released.get(y, []))}
            for y in self.years
        ]
        return self.render("years.html.j2", "", title="Years", section=YEARS, rows=table)

    def year_page(self, year: int) -> str:
        """years/<YEAR>.html: the year in review and the titles released that year."""
        place = self.years.index(year)
        following = self.years[place - 1] if place > 0 else None
        previous = self.years[place + 1] if place + 1 < len(self.years) else None
        context: dict[str, Any] = {"review": None}
        review, lines = self.review_of(year)
        if review is not None:
            months = columns(
                review.per_month,
                [name[0] for name in MONTHS],
                [
                    f"{name} {year}: {n} viewings"
                    for name, n in zip(MONTHS, review.per_month.values(), strict=True)
                ],
            )
            context = {
                "review": review,
                "months": months,
                "cal": calendar(review.per_day, year),
                "best": [{"card": self.by_slug[t.slug], "score": t.score} for t in review.best_new],
                "disappointments": [
                    {"card": self.by_slug[t.slug], "score": t.score} for t in review.disappointments
                ],
                "creators": self._top(review.top_creators, CREATORS),
                "tags": self._top(review.top_tags, TAGS),
                "diary": [
                    {"date": line.date.isoformat(), "card": self.by_slug[line.slug],
                     "score": line.score, "rewatch": line.rewatch}
                    for line in lines
                ],
            }  # fmt: skip
        return self.render(
            "year.html.j2", "../", title=str(year), section=YEARS, year=year, previous=previous,
            following=following, released=self._released.get(year, []), **context,
        )  # fmt: skip

    def shared_pages(self) -> list[tuple[str, Callable[[], str]]]:
        """Every page built from the cards alone: groups, years, the index and the stats."""
        pages: list[tuple[str, Callable[[], str]]] = []
        for folder, groups in ((TAGS, self.tags), (CREATORS, self.creators)):
            pages.extend(
                (f"{folder}/{g.page}.html", functools.partial(self.group_page, g, folder))
                for g in groups.values()
            )
        pages.extend(
            (f"{YEARS}/{year}.html", functools.partial(self.year_page, year)) for year in self.years
        )
        pages += [
            (STYLESHEET, stylesheet),
            ("tags.html", functools.partial(self.groups_page, TAGS)),
            ("creators.html", functools.partial(self.groups_page, CREATORS)),
            ("years.html", self.years_page),
            ("stats.html", self.stats_page),
            ("index.html", self.index_page),
        ]
        return pages


def entry_lists(site: Site, slug: str, html: HtmlSite) -> list[tuple[str, str, list[Item]]]:
    """An entry page's Related, Linked from and Recommended lists."""
    return [
        ("Related", "related", html.items(site.related(slug))),
        ("Linked from", "linked-from", html.items(site.linked_from(slug))),
        ("Recommended", "recommended", html.items(site.recommended(slug))),
    ]


def site_jobs(site: Site) -> list[tuple[str, Callable[[], str]]]:
    """Every file of the HTML site, entry pages first and the index last."""
    from watchbook.export.html_model import card_of
    from watchbook.export.reviews import review_renderer

    cards = [card_of(e, site.pages[e.slug]) for e in site.entries]
    html = HtmlSite(cards)
    render_review = review_renderer()

    def page(entry: Entry) -> str:
        review = render_review(entry.review) if entry.review else ""
        return html.entry_page(entry, entry_lists(site, entry.slug, html), review)

    jobs: list[tuple[str, Callable[[], str]]] = [
        (f"{ENTRIES}/{site.pages[e.slug]}.html", functools.partial(page, e)) for e in site.entries
    ]
    return jobs + html.shared_pages()
