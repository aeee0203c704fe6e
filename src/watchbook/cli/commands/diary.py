"""Command: diary."""

from __future__ import annotations

import typer

from watchbook.cli.options import AS_JSON, state
from watchbook.cli.values import MONTH, YEAR

commands = typer.Typer()


@commands.command()
def diary(
    ctx: typer.Context,
    year: int | None = typer.Option(
        None, "--year", "-y", help="Only viewings in this year.", click_type=YEAR
    ),
    month: int | None = typer.Option(
        None,
        "--month",
        "-m",
        help="Only viewings in this month (1-12), of --year or of every year.",
        click_type=MONTH,
    ),
    as_json: bool = AS_JSON,
) -> None:
    """Every viewing in date order: date, title, score and a rewatch mark.

    Example: watchbook diary --year 2024 --month 3
    """
    from watchbook.diary import check_period
    from watchbook.diary import diary as diary_of
    from watchbook.render.output import print_json
    from watchbook.render.reports import print_diary

    check_period(year, month)
    lines = diary_of(state(ctx).catalog(links=False).entries, year, month)
    if as_json:
        print_json([line.to_json() for line in lines])
    else:
        print_diary(lines)
