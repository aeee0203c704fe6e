"""Command: recommend."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from watchbook.cli.completion import EntryQuery
from watchbook.cli.options import AS_JSON, State, limit_option, settle, state

if TYPE_CHECKING:
    from watchbook.recommend.evidence import Recommendation
    from watchbook.recommend.sources import Relations

commands = typer.Typer()


@commands.command()
def recommend(
    ctx: typer.Context,
    query: str | None = typer.Argument(
        None,
        help="An entry (slug, title, alias or close spelling). Without it: your watchlist, "
        "best match for your taste first.",
        show_default=False,
        click_type=EntryQuery(),
    ),
    limit: int = limit_option(10),
    as_json: bool = AS_JSON,
) -> None:
    """What an entry relates to and why; or, without QUERY, what to watch next.

    Related entries are ranked by your links, mentions in reviews, same series, shared
    creators and tags (rare ones count more), review wording and your scores. Without QUERY
    the series you are watching and like so far come first ("continue"), then your planned
    titles, ordered by the score you would likely give them, learnt from your own scores of
    titles with the same creators, tags, series or links and from community ratings (with
    fewer than 20 scored titles: by what they share with your favourites); with nothing
    planned, you get rewatch ideas.

    Example: watchbook recommend "Blame!"
    """
    import sqlite3

    from watchbook.render.entries import print_recommendations
    from watchbook.render.output import print_json

    st = state(ctx)
    try:
        results, heading = _recommend(_index_relations(st), query, limit)
    except sqlite3.DatabaseError:
        # The index broke while it was read: answer from the files themselves.
        from watchbook.recommend.sources import CatalogRelations

        results, heading = _recommend(CatalogRelations(st.catalog()), query, limit)
    if as_json:
        print_json([item.to_json() for item in results])
    elif results:
        print_recommendations(results, heading)


def _index_relations(st: State) -> Relations:
    """The index, brought up to date (with a progress bar if that takes a while)."""
    from watchbook.index.store import open_index
    from watchbook.recommend.indexed import IndexRelations

    view = st.indexed(open_index)
    view.problems()
    return IndexRelations(view)


def _recommend(
    relations: Relations, query: str | None, limit: int
) -> tuple[list[Recommendation], str]:
    """The results and their heading; notes on stderr say when there is nothing (or a fallback)."""
    from watchbook.recommend.continuing import continuing
    from watchbook.recommend.related import related
    from watchbook.recommend.taste import MIN_SCORED
    from watchbook.recommend.watchlist import rewatch_ideas, watchlist
    from watchbook.render.output import print_note

    if query is not None:
        entry = settle(relations.resolve(query))
        results = related(relations, entry, limit)
        if not results:
            print_note(
                f"Nothing related to {entry.label} yet: no links, mentions, shared creators or "
                "tags connect it to another entry."
            )
        return results, f"Related to {entry.label}"
    continued = continuing(relations, limit)
    planned = watchlist(relations, limit)
    predicted = bool(planned) and planned[0].predicted is not None
    if planned and not predicted:
        print_note(
            f"Fewer than {MIN_SCORED} scored titles: your watchlist is ordered by what it shares "
            "with your favourites, not yet by the score you would likely give."
        )
    results = (continued + planned)[:limit]
    if results:
        order = (
            "by the score you would likely give" if predicted else "best match for your taste first"
        )
        if continued:
            return results, f"Continue what you are watching, then your watchlist {order}"
        return results, f"Your watchlist, {order}"
    results = rewatch_ideas(relations, limit)
    if results:
        print_note(
            "Nothing planned on your watchlist (add titles with --status planned). "
            "Rewatch ideas instead: your best-scored titles, longest unseen first."
        )
    else:
        print_note(
            "Nothing to suggest yet: add titles you plan to watch (--status planned) "
            "or score what you have watched."
        )
    return results, "Rewatch ideas: your best-scored titles, longest unseen first"
