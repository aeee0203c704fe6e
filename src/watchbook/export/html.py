"""The HTML site: Jinja2 templates (autoescaped) filled from the Site, the cards and the stats.

Layout of the exported folder:

    index.html  stats.html  years.html  tags.html  creators.html  style.css
    entries/<page>.html   one per entry (page names from slugs, see export.site)
    tags/<page>.html  creators/<page>.html  years/<YEAR>.html

Every link is relative, nothing is fetched from the network, and the pages read completely with
JavaScript off (the index's small inline script only adds sorting and filtering).

Thousands of pages go through the same few templates, so the templates are loaded once, get
their rows as plain tuples (no attribute look-ups in loops), and what many pages share is drawn
once: the header, a score's bar, a tag's link, an entry's link and its line in a list of titles
(every card's, in one pass of cards.html.j2), a year's calendar (on stats.html and its year page).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from watchbook.diary import DiaryLine, diary_lines, viewings_of
from watchbook.entry import Entry, format_score
from watchbook.export.charts import Calendar, calendar, columns, rows
from watchbook.export.html_model import (
    CREATORS,
    ENTRIES,
    TAGS,
    YEARS,
    Card,
    Group,
    Names,
    by_year,
    card_entry,
    count_words,
    groups_of,
    site_years,
    viewings_per_day,
)
from watchbook.text import group_key
from watchbook.year_review import MONTHS, YearReview, year_reviews

if TYPE_CHECKING:
    from jinja2 import Environment, Template
    from markupsafe import Markup

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
    """The templates, autoescaping everything they print (read once: no reload checks)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("watchbook.export", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["score"] = format_score
    env.filters["score_number"] = lambda value: "" if value is None else f"{value:g}"
    env.globals["site_title"] = SITE_TITLE
    return env


def stylesheet() -> str:
    """The one stylesheet, as shipped beside the templates."""
    from importlib.resources import files

    return (files("watchbook.export") / "templates" / STYLESHEET).read_text(encoding="utf-8")


def viewings(count: int) -> str:
    """'1 viewing', '3 viewings'."""
    return f"{count} viewing{'' if count == 1 else 's'}"


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
    line += f" · {viewings(counts['viewings'])}"
    scores = [c.score for c in cards if c.score is not None]
    if scores:
        line += f" · average score {sum(scores) / len(scores):.1f}"
    return line


# One line of an entry's Related, Linked from or Recommended list: the link to the entry it names
# ('' when that entry is not in the journal), its slug, the reasons.
Item = tuple["Markup | str", str, str]
# Between the pieces cards.html.j2 draws: no title (control characters are refused), page name,
# year or score holds it.
PIECE_END = "\x00"


class HtmlSite:
    """Renders every page of the site from cards (and, for entry pages, the entries and links)."""

    def __init__(
        self,
        cards: Sequence[Card],
        entries: Sequence[Entry] | None = None,
        known: tuple[Names, Names] | None = None,
    ) -> None:
        # `entries`: the entries of the cards, for the stats and the year in review. Without
        # them (an incremental export), they are made from the cards when first needed, and
        # a year's review from the cards of that year only. `known`: the tags' and creators'
        # names and pages as the last export found them (see groups_of).
        self.cards = list(cards)
        self.by_slug = {c.slug: c for c in self.cards}
        self.env = environment()
        self.tags = groups_of(self.cards, "tags", known[0] if known else None)
        self.creators = groups_of(self.cards, "creators", known[1] if known else None)
        self.years = site_years(self.cards)
        self._entries = list(entries) if entries is not None else None
        self.complete = entries is not None
        self._reviews: dict[int, YearReview | None] = {}
        self._diary: dict[int, list[DiaryLine]] = {}
        self._watched: dict[int, list[Card]] | None = None
        self._released = by_year(self.cards)
        self._templates: dict[str, Template] = {}
        self._navs: dict[tuple[str, str], Markup] = {}
        self._scores: dict[float, Markup] = {}
        self._links: dict[str, Markup] = {}
        self._lines: dict[str, Markup] = {}
        self._named: dict[tuple[str, str, str], Markup] = {}
        self._calendars: dict[int, tuple[Calendar, Markup]] = {}
        self._per_day: dict[int, dict[str, int]] | None = None

    @property
    def entries(self) -> list[Entry]:
        """The cards as entries, for the stats and the year in review."""
        if self._entries is None:
            self._entries = [card_entry(c) for c in self.cards]
        return self._entries

    @property
    def reviews(self) -> dict[int, YearReview | None]:
        """The years' reviews worked out so far (every year's once a year page is drawn, if
        the site has its entries; else those of the year pages drawn)."""
        return self._reviews

    def review_of(self, year: int) -> tuple[YearReview | None, list[DiaryLine]]:
        """A year's review and diary lines (None and [] without a viewing), worked out once."""
        if year not in self._reviews:
            self.work_out_years([year])
        return self._reviews[year], self._diary.get(year, [])

    def work_out_years(self, years: Iterable[int]) -> None:
        """Work out the reviews and diaries of these years in one pass (every year's at once if
        the site has its entries; else from the cards watched in these years)."""
        if self.complete:
            if self._reviews:
                return
            wanted, entries = list(self.years), self.entries
            reviews = year_reviews(entries)
        else:
            wanted = sorted(set(years) - self._reviews.keys())
            # A card watched in several of these years becomes an entry once (in title order,
            # as each year's own cards are).
            cards = {c.slug: c for year in wanted for c in self.watched_in(year)}
            entries = [card_entry(c) for c in sorted(cards.values(), key=lambda c: c.order)]
            watched = [year for year in wanted if self.watched_in(year)]
            reviews = year_reviews(entries, watched, journal=self.score_totals) if watched else {}
            # Episodes count in the year of a run's last one too, viewed then or not: summed
            # over every card, as year_reviews sums them over every entry.
            episodes: Counter[int] = Counter()
            for card in self.cards if reviews else ():
                for seen, n in card.episodes:
                    episodes[seen] += n
            for year, review in reviews.items():
                review.episodes = episodes[year]
        diaries: dict[int, list[DiaryLine]] = {year: [] for year in reviews}
        for line in diary_lines(entries):
            found = diaries.get(line.date.year)
            if found is not None:
                found.append(line)
        self._diary.update(diaries)
        for year in wanted:
            self._reviews[year] = reviews.get(year)

    def watched_in(self, year: int) -> list[Card]:
        """The cards with a viewing in that year, in title order."""
        if self._watched is None:
            self._watched = {}
            for card in self.cards:
                for seen in sorted({int(day[:4]) for day, _ in card.viewings}):
                    self._watched.setdefault(seen, []).append(card)
        return self._watched.get(year, [])

    @property
    def score_totals(self) -> tuple[float, int]:
        """The sum and count of the entries' scores, as the year in review adds them."""
        scores = [c.score for c in self.cards if c.score is not None]
        return sum(scores, 0.0), len(scores)

    def render(self, template: str, root: str, section: str, **context: Any) -> str:
        """One page from a template, `root` leading back to the site's top folder."""
        found = self._templates.get(template)
        if found is None:
            found = self._templates[template] = self.env.get_template(template)
        nav = self._navs.get((root, section))
        if nav is None:
            nav = self._navs[(root, section)] = self._draw("nav.html.j2", root, section)
        return found.render(root=root, section=section, nav=nav, **context)

    def _draw(self, template: str, root: str, section: str) -> Markup:
        from markupsafe import Markup

        return Markup(self.env.get_template(template).render(root=root, section=section))

    def macro(self, template: str, name: str) -> Any:
        """A macro of a template, to draw something once that many pages show."""
        return getattr(self.env.get_template(template).module, name)

    # -- pieces many pages share

    def score_bar(self, value: float | None) -> Markup | str:
        """A score with its bar ('' for none), drawn once per score."""
        if value is None:
            return ""
        found = self._scores.get(value)
        if found is None:
            found = self._scores[value] = self.macro("macros.html.j2", "score")(float(value))
        return found

    def link(self, slug: str) -> Markup:
        """The link to an entry's page from a page one folder down, with its year."""
        found = self._links.get(slug)
        if found is None:
            self.draw_cards([self.by_slug[slug]])
            found = self._links[slug]
        return found

    def lines(self, cards: Sequence[Card]) -> list[Markup]:
        """Cards' lines in a list of titles: link, score and status."""
        self.draw_cards([card for card in cards if card.slug not in self._lines])
        return [self._lines[card.slug] for card in cards]

    def draw_cards(self, cards: Sequence[Card]) -> None:
        """Draw the links and lines of these cards (all of them at once, for a whole site)."""
        from markupsafe import Markup

        if not cards:
            return
        rows = [(c.page, c.title, c.year, format_score(c.score), c.status) for c in cards]
        text = self.env.get_template("cards.html.j2").render(cards=rows, sep=PIECE_END)
        pieces = text.split(PIECE_END)
        if len(pieces) != 2 * len(cards) + 1:
            raise AssertionError("a card's text holds the separator of cards.html.j2")
        for number, card in enumerate(cards):
            self._links[card.slug] = Markup(pieces[2 * number])
            self._lines[card.slug] = Markup(pieces[2 * number + 1])

    def named_link(self, href: str, text: str, kind: str = "") -> Markup:
        """A link to a year, tag or creator page (from an entry's page), drawn once."""
        key = (href, text, kind)
        found = self._named.get(key)
        if found is None:
            found = self._named[key] = self.macro("macros.html.j2", "link")(href, text, kind)
        return found

    @property
    def per_day(self) -> dict[int, dict[str, int]]:
        """Viewings per day (ISO dates, in order) by year, over the whole journal."""
        if self._per_day is None:
            self._per_day = viewings_per_day(self.cards)
        return self._per_day

    def calendar(self, year: int) -> tuple[Calendar, Markup]:
        """A year's heatmap: its geometry, and its SVG (drawn once for stats.html and the year)."""
        found = self._calendars.get(year)
        if found is None:
            cal = calendar(self.per_day.get(year, {}), year)
            svg = self.macro("charts.html.j2", "calendar_svg")(cal, f"days-{year}")
            found = self._calendars[year] = (cal, svg)
        return found

    # -- entry pages

    def items(self, refs: Iterable[Ref]) -> list[Item]:
        """Refs with the link to the entry each names ('' if it is not in the journal)."""
        refs = list(refs)
        self.draw_cards(
            [
                self.by_slug[r.slug]
                for r in refs
                if r.slug in self.by_slug and r.slug not in self._links
            ]
        )
        return [
            (self._links[ref.slug] if ref.slug in self.by_slug else "", ref.slug, ref.why)
            for ref in refs
        ]

    def entry_page(
        self, entry: Entry, lists: Sequence[tuple[str, str, list[Item]]], review: str
    ) -> str:
        """An entry's page: facts, viewings, the review (already HTML), its link lists."""
        from markupsafe import Markup

        from watchbook.export.markdown import kind_phrase

        byline: list[Markup | str] = []
        if entry.kind:
            byline.append(kind_phrase(entry))
        if entry.year:
            byline.append(self.named_link(f"../{YEARS}/{entry.year}.html", str(entry.year)))
        for name in dict.fromkeys(entry.creators):
            group = self.creators.get(group_key(CREATORS, name))
            byline.append(
                self.named_link(f"../{CREATORS}/{group.page}.html", name) if group else name
            )
        tags = []
        for name in dict.fromkeys(entry.tags):
            tag = self.tags.get(group_key(TAGS, name))
            if tag is not None:
                tags.append(self.named_link(f"../{TAGS}/{tag.page}.html", name, "tag"))
        viewings = [
            (s.date.isoformat(), s.date.year, number > 0, format_score(s.score), s.note)
            for number, s in enumerate(viewings_of(entry))
        ]
        return self.render(
            "entry.html.j2",
            "../",
            title=entry.label,
            section=ENTRIES,
            entry=entry,
            byline=byline,
            score=self.score_bar(entry.score),
            status_words=STATUS_WORDS.get(entry.status, entry.status),
            tags=tags,
            aliases=", ".join(entry.aliases),
            ids=", ".join(f"{key} {value}" for key, value in sorted(entry.ids.items())),
            viewings=viewings,
            review=Markup(review),
            lists=lists,
        )

    # -- the aggregate pages

    def index_page(self) -> str:
        """index.html: every entry in a table."""
        table = [
            (c.page, c.title, c.year or "", c.kind or "", c.status,
             "" if c.score is None else c.score, format_score(c.score), c.verdict or "", c.last)
            for c in self.cards
        ]  # fmt: skip
        return self.render(
            "index.html.j2", "", title="All entries", section=ENTRIES, rows=table,
            counts_line=counts_line(self.cards),
        )  # fmt: skip

    def group_page(self, group: Group, folder: str) -> str:
        """A tag's or a creator's page: its titles, by title."""
        noun, all_noun = ("Tag", "tags") if folder == TAGS else ("Creator", "creators")
        return self.render(
            "group.html.j2", "../", title=group.name, section=folder, group=group, noun=noun,
            lines=self.lines(group.members), mean=group.mean_score,
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
        items = []
        for g in found:
            group = groups.get(group_key(folder, g.name))
            if group is not None:
                items.append((g.name, group.page, g.count, g.mean_score))
        return rows(items)

    def stats_page(self) -> str:
        """stats.html: the score histogram, viewings per year, month and day, top tags and creators."""
        from watchbook.stats import group_scores, spread

        # The numbers `watchbook stats` shows, from the same functions, read off the cards.
        scores = spread([c.score for c in self.cards if c.score is not None])
        score_of = {id(c): c.score for c in self.cards}
        steps = list(scores.histogram)
        histogram = columns(
            scores.histogram,
            [s if "." not in s else "" for s in steps],
            [f"{s}/10: {n} entr{'y' if n == 1 else 'ies'}" for s, n in scores.histogram.items()],
        )
        per_year = {str(y): sum(days.values()) for y, days in sorted(self.per_day.items())}
        years_chart = columns(
            per_year, list(per_year), [f"{y}: {viewings(n)}" for y, n in per_year.items()]
        )
        per_month: Counter[str] = Counter()
        for days in self.per_day.values():
            for day, n in days.items():
                per_month[day[:7]] += n
        biggest = max(per_month.values(), default=0) or 1
        month_rows = []
        for year in sorted(per_year, reverse=True):
            counts = [per_month.get(f"{year}-{m:02d}", 0) for m in range(1, 13)]
            cells = [(n, -(-4 * n // biggest)) for n in counts]
            month_rows.append({"year": year, "cells": cells, "total": sum(counts)})
        calendars = [self.calendar(int(year)) for year in sorted(per_year, reverse=True)]
        return self.render(
            "stats.html.j2", "", title="Stats", section="stats", scores=scores,
            counts_line=counts_line(self.cards), histogram=histogram, years_chart=years_chart,
            month_names=MONTHS, month_rows=month_rows, calendars=calendars,
            tags=self._top(group_scores(self.cards, "tags", score_of), TAGS),
            creators=self._top(group_scores(self.cards, "creators", score_of), CREATORS),
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
                    f"{name} {year}: {viewings(n)}"
                    for name, n in zip(MONTHS, review.per_month.values(), strict=True)
                ],
            )
            cal, svg = self.calendar(year)

            def scored(slug: str, score: float) -> tuple[Markup, str]:
                return (self.link(slug), format_score(score))

            self.draw_cards(
                [self.by_slug[s] for s in {line.slug for line in lines} - self._links.keys()]
            )
            diary = [
                (line.date.isoformat(), self._links[line.slug], format_score(line.score),
                 line.rewatch)
                for line in lines
            ]  # fmt: skip
            context = {
                "review": review,
                "months": months,
                "cal": cal,
                "svg": svg,
                "best": [scored(t.slug, t.score) for t in review.best_new],
                "disappointments": [scored(t.slug, t.score) for t in review.disappointments],
                "creators": self._top(review.top_creators, CREATORS),
                "tags": self._top(review.top_tags, TAGS),
                "diary": diary,
            }
        return self.render(
            "year.html.j2", "../", title=str(year), section=YEARS, year=year, previous=previous,
            following=following, released=self.lines(self._released.get(year, [])),
            **context,
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
