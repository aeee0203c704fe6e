"""Dates as an entry file or a person writes them: a TOML date or datetime, or an ISO 8601 string."""

from __future__ import annotations

import datetime as dt
from typing import Any

from watchbook.errors import InvalidValue


def parse_date(value: Any, name: str = "watched") -> dt.date:
    """The day a value names; InvalidValue naming the field when it names none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValue(name, f"must be a date like 2017-05-22 (got {value!r})")
