"""Command: stats."""

from __future__ import annotations

import typer

from watchbook.cli.options import AS_JSON, state
from watchbook.cli.values import YEAR

commands = typer.Typer()


@commands.command()
def stats(
    ctx: typer.Context,
    year: int | None = typer.Option(
        None,
        "--year",
        "-y",
        help="Only what you watched in this year, with its year in review and calendar heatmap.",
        click_type=YEAR,
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Counts, viewings over time, the score histogram, top tags and creators, favourites.

    With --year: the year in review (first watches and rewatches, best and lowest scores,
    streaks) and a calendar heatmap of that year's viewings.

    Example: watchbook stats --year 2024
    """
    from watchbook.render.output import is_terminal, print_json
    from watchbook.render.reports import print_stats
    from watchbook.review_text import review_sections
    from watchbook.stats import compute_stats
    from watchbook.year_review import year_review

    entries = state(ctx).catalog(links=False).entries
    result = compute_stats(entries, year)
    review = year_review(entries, year) if year is not None else None
    if as_json:
        print_json({**result.to_json(), **({"review": review.to_json()} if review else {})})
    else:
        print_stats(result, review_sections(review, is_terminal()) if review else ())
