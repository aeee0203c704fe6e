"""The streams: a console for rich, plain lines and notes, JSON, and one table helper."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any, NamedTuple, cast

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal() -> bool:
    """True for rich output: stdout is a terminal and neither NO_COLOR nor TERM=dumb asks for plain."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def console(stderr: bool = False) -> Console:
    """A rich console that honours NO_COLOR; on stdout, lines end without padding spaces."""
    from rich.console import Console

    # rich only writes, flushes and asks isatty()/fileno() of it.
    file = None if stderr else cast("IO[str]", TrimmedLines(sys.stdout))
    return Console(
        file=file, stderr=stderr, no_color=bool(os.environ.get("NO_COLOR")), highlight=False
    )


class TrimmedLines:
    """A stream that drops the spaces rich pads each line with, so none are copied along."""

    # Spaces (and the colour codes among them) at the end of a line; the codes are kept.
    # (Kept as strings: `re` compiles them when a terminal is first written to.)
    _TRAILING = r"(?:[ \t]|\x1b\[[0-9;]*m)+$"
    _CODE = r"\x1b\[[0-9;]*m"

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        """Write every complete line trimmed; keep an unfinished one until it ends."""
        *lines, self.pending = (self.pending + text).split("\n")
        if lines:
            self.stream.write("".join(self._trim(line) + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        """Write what is pending and flush the stream."""
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ""
        self.stream.flush()

    def _trim(self, line: str) -> str:
        return re.sub(self._TRAILING, lambda m: "".join(re.findall(self._CODE, m.group())), line)

    def __getattr__(self, name: str) -> Any:
        # isatty(), fileno(), encoding: rich asks the stream what it is.
        return getattr(self.stream, name)


def print_json(data: Any) -> None:
    """Pretty JSON on stdout, nothing else."""
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_line(text: str = "") -> None:
    """One plain line on stdout."""
    sys.stdout.write(text + "\n")


def print_error(message: str) -> None:
    """'Error: ...' on stderr, one line."""
    with contextlib.suppress(OSError):
        # Whatever reads stdout may be gone; the error is still said.
        sys.stdout.flush()
    _to_stderr(f"Error: {message}\n")


def print_note(message: str) -> None:
    """A side remark (warnings, where a file was written) on stderr, so stdout stays data."""
    # What was printed before the note comes before it when both go to one place (2>&1).
    sys.stdout.flush()
    _to_stderr(message + "\n")


def _to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def score_style(score: int | float | None) -> str:
    if score is None:
        return "dim"
    if score >= 8:
        return "bold green"
    if score >= 6:
        return "yellow"
    return "red"


def plain_value(value: Any) -> str:
    # Tabs and newlines would break one-record-per-line output for grep and cut.
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


NO_MATCH = "No entries match"


class Column(NamedTuple):
    """A column of a terminal table: its header, its share of a wide line, its style."""

    header: str
    # 0: never wrapped, as wide as its widest cell; else this share of what is left, folded.
    ratio: int = 0
    style: str | None = None


# A table cell: its text, or its text and a rich style (a score's colour).
Cell = str | tuple[str, str]


def print_table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]],
                empty: str = NO_MATCH) -> None:  # fmt: skip
    """Rows whose first field is a slug: a table of the rest on a terminal, every field piped."""
    if not is_terminal():
        for row in rows:
            print_line("\t".join(plain_value(_cell_text(cell)) for cell in row))
        return
    if not rows:
        print_note(empty)
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in columns:
        if column.ratio:
            table.add_column(column.header, ratio=column.ratio, overflow="fold", style=column.style)
        else:
            table.add_column(column.header, no_wrap=True, style=column.style)
    for row in rows:
        table.add_row(
            *(escape(c) if isinstance(c, str) else f"[{c[1]}]{escape(c[0])}[/]" for c in row[1:])
        )
    console().print(table)


def _cell_text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell[0]
