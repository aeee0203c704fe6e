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
        help="Only what you watched in this year (also picks the monthly chart).",
        click_type=YEAR,
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Counts, viewings over time, the score histogram, top tags and creators, favourites.

    Example: watchbook stats --year 2024
    """
    from watchbook.render import print_json, print_stats
    from watchbook.stats import compute_stats

    result = compute_stats(state(ctx).catalog(links=False).entries, year)
    if as_json:
        print_json(result.to_json())
    else:
        print_stats(result)
