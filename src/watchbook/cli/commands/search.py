"""Command: search."""

from __future__ import annotations

import typer

from watchbook.cli.options import (
    AS_JSON,
    KIND_FILTER,
    MIN_SCORE_FILTER,
    STATUS_FILTER,
    TAG_FILTER,
    limit_option,
    state,
)
from watchbook.cli.values import SEARCH_WORDS

commands = typer.Typer()


@commands.command()
def search(
    ctx: typer.Context,
    query: str = typer.Argument(
        ...,
        help="Words of a title, alias, creator, tag, verdict or review; typos are fine.",
        click_type=SEARCH_WORDS,
    ),
    limit: int = limit_option(10),
    kind: str | None = KIND_FILTER,
    status: str | None = STATUS_FILTER,
    tag: str | None = TAG_FILTER,
    min_score: float | None = MIN_SCORE_FILTER,
    as_json: bool = AS_JSON,
) -> None:
    """Find entries by what you remember of them, best match first (exit 1 when none).

    Example: watchbook search "sidnoia"
    """
    from watchbook.index.queries import search_journal
    from watchbook.render.entries import print_search
    from watchbook.render.output import print_json
    from watchbook.search import describe

    st = state(ctx)
    found = st.indexed(
        search_journal, query, kind=kind, status=status, tag=tag, min_score=min_score, limit=limit
    )
    results = []
    for hit, entry in found:
        field, text = describe(hit, entry)
        results.append(
            {
                "slug": entry.slug,
                "title": entry.title,
                "year": entry.year,
                "kind": entry.kind,
                "status": entry.status,
                "score": entry.score,
                "verdict": entry.verdict,
                "path": str(st.journal.path_for(entry.slug)),
                "match": {"field": field, "score": round(hit.score, 1), "text": text},
            }
        )
    if as_json:
        print_json(results)
    else:
        print_search(results)
    if not results:
        raise typer.Exit(1)
