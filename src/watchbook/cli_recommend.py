"""Commands: recommend. Importing this module registers them on the app in cli.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from watchbook.cli import State, app, complete_entry, state

if TYPE_CHECKING:
    from watchbook.recommend import Recommendation, Source


@app.command()
def recommend(
    ctx: typer.Context,
    query: str | None = typer.Argument(
        None,
        help="An entry (slug, title, alias or close spelling). Without it: your watchlist, "
        "best match for your taste first.",
        show_default=False,
        autocompletion=complete_entry,
    ),
    limit: int = typer.Option(10, "--limit", "-n", min=1, help="At most this many results."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array, best first."),
) -> None:
    """What an entry relates to and why; or, without QUERY, what to watch next.

    Related entries are ranked by your links, mentions in reviews, same series, shared
    creators and tags (rare ones count more), review wording and your scores. Without QUERY
    your planned titles are ordered by how much they share with what you scored highest;
    with nothing planned, you get rewatch ideas.

    Example: watchbook recommend "Blame!"
    """
    import sqlite3

    from watchbook.render import print_json, print_recommendations

    st = state(ctx)
    try:
        results, heading = _recommend(_index_source(st), query, limit)
    except sqlite3.DatabaseError:
        # The index broke while it was read: answer from the files themselves.
        from watchbook.recommend import CatalogSource

        results, heading = _recommend(CatalogSource(st.catalog()), query, limit)
    if as_json:
        print_json([item.to_json() for item in results])
    elif results:
        print_recommendations(results, heading)


def _index_source(st: State) -> Source:
    """The index, brought up to date (with a progress bar if that takes a while)."""
    from watchbook.index import open_index
    from watchbook.recommend import IndexSource

    view = st.indexed(open_index)
    view.problems()
    return IndexSource(view)


def _recommend(source: Source, query: str | None, limit: int) -> tuple[list[Recommendation], str]:
    """The results and their heading; notes on stderr say when there is nothing (or a fallback)."""
    from watchbook.recommend import related, rewatch_ideas, watchlist
    from watchbook.render import print_note

    if query is not None:
        entry = source.find(query)
        results = related(source, entry, limit)
        if not results:
            print_note(
                f"Nothing related to {entry.label} yet: no links, mentions, shared creators or "
                "tags connect it to another entry."
            )
        return results, f"Related to {entry.label}"
    results = watchlist(source, limit)
    if results:
        return results, "Your watchlist, best match for your taste first"
    results = rewatch_ideas(source, limit)
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
