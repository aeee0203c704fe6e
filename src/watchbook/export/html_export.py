"""The HTML site into its folder: the whole site, or only the pages that changed since the last one.

A full export reads the whole catalog and draws every page. It then leaves `.watchbook-site`
beside the marker (html_state): what the site was made from. The next export into that folder
asks the index which entries were written since (`IndexView.changed_since`), reads only those,
works out which pages show them (html_changes) and draws those pages alone; every other page is
already as a full export would write it. A site with "Recommended" lists (any entry may change
any of them), a state file from other code or another index, or a folder another export wrote
to since, is exported in full. `WATCHBOOK_OFF=incremental-site` always exports in full.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from watchbook.export.html import HtmlSite, entry_lists
from watchbook.export.html_model import ENTRIES, YEARS, Card, card_of
from watchbook.export.html_state import STATE_FILE, SiteState, code_fingerprint
from watchbook.export.output import OutputFolder, marker_identity, read_state
from watchbook.export.site import RECOMMEND_MAX_ENTRIES, Site, page_names, title_order

if TYPE_CHECKING:
    from watchbook.entry import Entry
    from watchbook.export import ExportOptions, ExportResult, Progress
    from watchbook.index.view import IndexView
    from watchbook.journal import Journal
    from watchbook.year_review import YearWeights


def export_site(
    journal: Journal,
    out: Path,
    options: ExportOptions,
    recommended: bool | None = None,
    progress: Progress | None = None,
    pages: Progress | None = None,
) -> ExportResult:
    """Export the journal's site into `out`, drawing only what changed when it can.

    `recommended` as for `build_site`; `progress` is told about an index rebuild, `pages`
    about the pages drawn.
    """
    from watchbook.index.store import read_index

    options.check()
    export = functools.partial(_export, out=out, options=options, recommended=recommended)
    return read_index(journal, lambda view: export(view, pages=pages), progress)


def _export(
    view: IndexView,
    out: Path,
    options: ExportOptions,
    recommended: bool | None,
    pages: Progress | None,
) -> ExportResult:
    from watchbook.export import frozen_heap
    from watchbook.tricks import enabled

    with_lists = recommended or (
        recommended is None and view.entry_count() <= RECOMMEND_MAX_ENTRIES
    )
    folder = OutputFolder(out, "html", force=options.force, state=STATE_FILE)
    plan: Full | Settled | None = None
    if enabled("incremental-site") and not with_lists:
        plan = Incremental.of(view, out)
    if plan is None:
        plan = Full(view, recommended, keep_state=not with_lists)
    # What was read (the catalog, or the state file) stays as it is while pages are drawn.
    with frozen_heap():
        plan.lay_out()
        return plan.write(folder, pages)


class Full:
    """Every page of the site, from the whole catalog."""

    def __init__(self, view: IndexView, recommended: bool | None, *, keep_state: bool) -> None:
        from watchbook.export import build_site

        self.history = view.history() if keep_state else None
        self.site = build_site(view.catalog(), recommended)
        self.neighbours: dict[str, Sequence[str]] = {}
        self.years: dict[int, YearWeights] = {}

    def lay_out(self) -> None:
        """Cards, groups, years: what every page is drawn from; and which pages to draw."""
        site = self.site
        cards = [card_of(e, site.pages[e.slug], site.orders[e.slug]) for e in site.entries]
        self.html = HtmlSite(cards, site.entries)
        # Nearly every card shows on some list: all drawn in one pass.
        self.html.draw_cards(cards)
        self.entries: set[str] = set(site.by_slug)
        self.pages: set[str] = set(shared_pages(self.html))

    def prepare(self, folder: OutputFolder) -> None:
        """Read what drawing the pages takes (once the folder is open)."""

    def write(self, folder: OutputFolder, progress: Progress | None) -> ExportResult:
        """Draw the pages into the folder; the result says what changed."""
        from watchbook.export import ExportResult

        html = self.html
        names = [f"{ENTRIES}/{c.page}.html" for c in html.cards] + list(shared_pages(html))
        folder.begin(names)
        self.entries |= {c.slug for c in html.cards if not folder.had(f"{ENTRIES}/{c.page}.html")}
        self.pages |= {name for name in shared_pages(html) if not folder.had(name)}
        self.prepare(folder)
        jobs = self.jobs()
        for done, (name, produce) in enumerate(jobs, start=1):
            folder.write(name, produce().encode("utf-8", "replace"))
            if progress is not None:
                progress(done, len(jobs))
        summary = folder.finish()
        if self.history is not None:
            folder.write_state(self.state(folder).to_bytes())
        return ExportResult.of(summary, len(html.cards))

    def jobs(self) -> list[tuple[str, Callable[[], str]]]:
        """The pages to draw, entry pages first and the index last."""
        from watchbook.export.reviews import review_renderer

        html, site = self.html, self.site
        render_review = review_renderer()

        def page(entry: Entry) -> str:
            review = render_review(entry.review) if entry.review else ""
            lists = entry_lists(site, entry.slug, html)
            shown = {slug for _, _, items in lists[:2] for _, slug, _ in items}
            self.neighbours[entry.slug] = tuple(sorted(shown & html.by_slug.keys()))
            return html.entry_page(entry, lists, review)

        jobs: list[tuple[str, Callable[[], str]]] = [
            (f"{ENTRIES}/{site.pages[e.slug]}.html", functools.partial(page, e))
            for e in site.entries
            if e.slug in self.entries
        ]
        return jobs + [
            (name, draw) for name, draw in shared_pages(html).items() if name in self.pages
        ]

    def state(self, folder: OutputFolder) -> SiteState:
        """What the site was made from, once written."""
        assert self.history is not None
        html = self.html
        marker = marker_identity(folder.root)
        assert marker is not None
        years = {year: self.years[year] for year in html.years if year in self.years}
        for year, review in html.reviews.items():
            if review is not None and review.weights is not None:
                years[year] = review.weights
        return SiteState(
            code=code_fingerprint(),
            lineage=self.history[0],
            generation=self.history[1],
            marker=marker,
            cards=html.cards,
            neighbours=self.neighbours,
            tags={key: (g.name, g.page) for key, g in html.tags.items()},
            creators={key: (g.name, g.page) for key, g in html.creators.items()},
            years=years,
            files=folder.file_times(),
        )


class Incremental(Full):
    """The pages showing what changed since the export a state file describes."""

    def __init__(self, view: IndexView, out: Path, previous: SiteState, touched: set[str]) -> None:
        from watchbook.index.catalog import IndexLinkSource

        self.view = view
        self.out = out
        self.history = view.history()
        self.previous = previous
        self.touched = touched
        self.links = IndexLinkSource(view)
        self.fresh = view.entries_by_slug(touched)

    def lay_out(self) -> None:
        """The cards now, and the pages showing what changed."""
        from watchbook.export.html_changes import redraw

        previous, touched = self.previous, self.touched
        cards, changes = _cards_now(previous.cards, self.fresh, touched)
        self.html = HtmlSite(cards, known=(previous.tags, previous.creators))
        moved = (touched | changes.keys()) & self.html.by_slug.keys()
        linked_now = {slug: self._linked(slug) for slug in moved}
        found = redraw(previous, self.html, changes, touched, linked_now)
        self.entries, self.pages = found.entries, found.pages
        # And the pages changed in the folder since that export (by hand, by `git checkout`).
        entry_pages = {f"{ENTRIES}/{c.page}.html": c.slug for c in self.html.cards}
        shared = shared_pages(self.html)
        for name in previous.changed_files(self.out, [*entry_pages, *shared]):
            if name in entry_pages:
                self.entries.add(entry_pages[name])
            else:
                self.pages.add(name)
        self.neighbours = {
            slug: shown
            for slug, shown in previous.neighbours.items()
            if slug in self.html.by_slug and slug not in self.entries
        }
        self.years = dict(previous.years)

    @classmethod
    def of(cls, view: IndexView, out: Path) -> Incremental | Settled | None:
        """The incremental export into `out` (Settled if there is nothing to do), or None if
        it must be a full one."""
        raw = read_state(out, STATE_FILE)
        if raw is None:
            return None
        lineage, generation = view.history()
        try:
            # Signed for this index's lineage, or changed since (by hand), or another's.
            previous = SiteState.from_bytes(raw, lineage)
        except ValueError:
            return None
        usable = (
            previous.code == code_fingerprint()
            and previous.generation <= generation
            and previous.marker == marker_identity(out)
        )
        if not usable:
            return None
        touched = view.changed_since(previous.generation)
        if not touched:
            settled = Settled(out, previous)
            if settled.complete():
                return settled
        return cls(view, out, previous, touched)

    def _linked(self, slug: str) -> set[str]:
        """The entries one entry links or is linked from, now."""
        return {end for link in self.links.links_of(slug) for end in (link.source, link.target)}

    def prepare(self, folder: OutputFolder) -> None:
        """Read the entries whose pages are drawn, and their links, from the index; work out
        the reviews of the years whose pages are drawn."""
        html = self.html
        html.work_out_years(year for year in html.years if f"{YEARS}/{year}.html" in self.pages)
        wanted = self.entries
        entries = dict(self.fresh)
        entries.update(self.view.entries_by_slug(wanted - entries.keys()))
        # Each link once, the user's own in the order their files write them.
        links = dict.fromkeys(link for slug in sorted(wanted) for link in self.links.links_of(slug))
        self.site = Site(
            [entries[slug] for slug in wanted if slug in entries],
            list(links),
            pages={c.slug: c.page for c in html.cards},
            ranks={c.slug: number for number, c in enumerate(html.cards)},
        )


class Settled:
    """A site as the journal is now, every file of it still there: nothing to draw or write."""

    def __init__(self, out: Path, state: SiteState) -> None:
        from watchbook.export.html import ROOT_PAGES, STYLESHEET
        from watchbook.export.html_model import CREATORS, TAGS, site_years

        self.out = out
        self.state = state
        self.names = [f"{ENTRIES}/{card.page}.html" for card in state.cards]
        for folder, groups in ((TAGS, state.tags), (CREATORS, state.creators)):
            self.names += [f"{folder}/{page}.html" for _, page in groups.values()]
        self.names += [f"{YEARS}/{year}.html" for year in site_years(state.cards)]
        self.names += [STYLESHEET, *ROOT_PAGES]

    def complete(self) -> bool:
        """Whether every file of the site is in the folder as the export left it (none deleted
        or changed since, by hand or by `git checkout`)."""
        return not self.state.changed_files(self.out, self.names)

    def lay_out(self) -> None:
        """Nothing to work out."""

    def write(self, folder: OutputFolder, progress: Progress | None) -> ExportResult:
        """Leave the folder as it is: it already is what a full export would write."""
        from watchbook.export import ExportResult

        return ExportResult(
            folder=self.out.resolve(), entries=len(self.state.cards), files=sorted(self.names)
        )


def _cards_now(
    before: Sequence[Card], fresh: dict[str, Entry], touched: Iterable[str]
) -> tuple[list[Card], dict[str, tuple[Card | None, Card | None]]]:
    """The cards of the journal now, and the ones that changed: (before, now) by slug."""
    old = {card.slug: card for card in before}
    slugs = (old.keys() - set(touched)) | fresh.keys()
    pages = page_names(slugs)
    cards = []
    for slug in slugs:
        if slug in fresh:
            entry = fresh[slug]
            cards.append(card_of(entry, pages[slug], title_order(entry)))
        else:
            card = old[slug]
            cards.append(card if card.page == pages[slug] else card._replace(page=pages[slug]))
    cards.sort(key=lambda card: card.order)
    now = {card.slug: card for card in cards}
    changes = {
        slug: (old.get(slug), now.get(slug))
        for slug in old.keys() | now.keys()
        if old.get(slug) != now.get(slug)
    }
    return cards, changes


def shared_pages(html: HtmlSite) -> dict[str, Callable[[], str]]:
    """Every file but the entry pages, by name, in writing order (the index last)."""
    return dict(html.shared_pages())
