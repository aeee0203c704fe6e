"""What each option and argument accepts: its name in --help, and the reason a value is refused.

Every value is checked by a Click parameter type built on the library's own rules (entry.py),
so a bad value fails while the command line is parsed, before anything is read or asked, and
`cli/app.py` prints it the same way for every option: `Error: --year: must be a whole number
(got '20O1')`. The names are words a person reads in --help (YEAR, N, DATE, TEXT, PATH).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from watchbook.errors import InvalidValue

_WHOLE_NUMBER = r"[+-]?[0-9]+"


class Checked(click.ParamType):
    """A value checked by a library rule that raises InvalidValue; its reason becomes the error."""

    def __init__(self, name: str, check: Callable[[str], Any]) -> None:
        self.name = name
        self.check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return convert_checked(self, self.check, value, param, ctx)


def convert_checked(
    kind: click.ParamType,
    check: Callable[[str], Any],
    value: Any,
    param: click.Parameter | None,
    ctx: click.Context | None,
) -> Any:
    """A parameter type's conversion by a library rule: its InvalidValue is Click's refusal."""
    if not isinstance(value, str):
        # A default, or a value converted already.
        return value
    try:
        return check(value)
    except InvalidValue as exc:
        kind.fail(exc.reason, param, ctx)


def whole_number(text: str, minimum: int | None = None) -> int:
    """A whole number written in digits, at least `minimum`."""
    if not re.fullmatch(_WHOLE_NUMBER, text.strip()):
        raise InvalidValue("N", f"must be a whole number (got {text!r})")
    number = int(text)
    if minimum is not None and number < minimum:
        raise InvalidValue("N", f"must be at least {minimum} (got {number})")
    return number


def _count(text: str) -> int:
    return whole_number(text, minimum=1)


def _year(text: str) -> int | None:
    from watchbook.validation import check_year

    return check_year(whole_number(text))


def _month(text: str) -> int:
    from watchbook.diary import check_period

    month = whole_number(text)
    check_period(None, month)
    return month


def _score(text: str) -> int | float | None:
    from watchbook.validation import check_score

    return check_score(text)


def _score_floor(text: str) -> float:
    """A filter's lowest score: any number from 0 to 10."""
    try:
        number = float(text.strip())
    except ValueError:
        number = -1.0
    if not 0 <= number <= 10:
        raise InvalidValue("score", f"must be a number from 0 to 10 (got {text!r})")
    return number


def _date(text: str) -> Any:
    from watchbook.actions import parse_when

    return parse_when(text)


def _line(text: str) -> str | None:
    from watchbook.validation import check_line

    return check_line("text", text)


def _review(text: str) -> str | None:
    from watchbook.validation import check_review

    return check_review(text)


def _title(text: str) -> str:
    from watchbook.validation import check_title

    return check_title(text)


def _path(text: str) -> Path:
    # Any bytes a file name may hold are allowed (names that are not UTF-8 included).
    if not text.strip() or "\x00" in text:
        raise InvalidValue("path", f"must name a file or folder (got {text!r})")
    return Path(text)


def query_text(text: str) -> str:
    """What names an entry or is searched for: it needs a letter or a digit."""
    if not any(ch.isalnum() for ch in text):
        raise InvalidValue("QUERY", f"must hold a letter or a digit to search for (got {text!r})")
    return text


def _out(text: str) -> str:
    # '-' means stdout, so the export command keeps the text.
    return text if text == "-" else str(_path(text))


COUNT = Checked("N", _count)
YEAR = Checked("YEAR", _year)
MONTH = Checked("MONTH", _month)
SCORE = Checked("SCORE", _score)
SCORE_FLOOR = Checked("SCORE", _score_floor)
DATE = Checked("DATE", _date)
LINE = Checked("TEXT", _line)
REVIEW = Checked("TEXT", _review)
TITLE = Checked("TITLE", _title)
PATH = Checked("PATH", _path)
OUT = Checked("PATH", _out)
SEARCH_WORDS = Checked("QUERY", query_text)


def parameter_name(param: click.Parameter | None) -> str | None:
    """How an error names a parameter: its long option (`--year`), or an argument's metavar."""
    if param is None:
        return None
    if isinstance(param, click.Option):
        longs = [opt for opt in param.opts if opt.startswith("--")]
        return (longs or param.opts)[0]
    return (param.metavar or param.name or "").upper() or None
