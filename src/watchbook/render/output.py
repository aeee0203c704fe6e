"""The streams: a console for rich, plain lines and notes, JSON, and one table helper."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, cast

if TYPE_CHECKING:
    from rich.console import Console


def is_terminal() -> bool:
    """True when stdout is a terminal: tables, Markdown and bars rather than plain lines."""
    # Only where the output goes decides its layout. NO_COLOR (no-color.org) asks for no
    # colour, and TERM=dumb for no colour nor cursor movement: console() and the progress bars
    # see to those, and the layout stays the terminal's.
    return sys.stdout.isatty()


def console(stderr: bool = False) -> Console:
    """A rich console (no colour with NO_COLOR, no codes at all on TERM=dumb); on stdout, lines end without padding spaces."""
    from rich.console import Console

    # rich only writes, flushes and asks isatty()/fileno() of it.
    file = None if stderr else cast("IO[str]", TrimmedLines(sys.stdout))
    width = height = None
    if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        # rich takes any dumb terminal for 80 columns; it is as wide as it says it is.
        width, height = terminal_size(sys.stderr if stderr else sys.stdout)
    return Console(
        file=file,
        stderr=stderr,
        no_color=bool(os.environ.get("NO_COLOR")),
        highlight=False,
        width=width,
        height=height,
    )


def terminal_size(stream: Any) -> tuple[int, int]:
    """Columns and lines of the terminal `stream` writes to: $COLUMNS and $LINES first, as rich reads them."""
    try:
        columns, lines = os.get_terminal_size(stream.fileno())
    except (AttributeError, ValueError, OSError):
        columns, lines = 80, 25
    given = os.environ.get("COLUMNS", ""), os.environ.get("LINES", "")
    return (
        int(given[0]) if given[0].isdigit() else columns or 80,
        int(given[1]) if given[1].isdigit() else lines or 25,
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

# What Ctrl-C gets, whenever it comes: every file is written whole or not at all.
INTERRUPTED = "interrupted; no file was left half-written"


class Column(NamedTuple):
    """A column of a terminal table: its header, its share of a wide line, its style, how narrow it may get."""

    header: str
    # 0: never wrapped, as wide as its widest cell; else this share of what is left, folded.
    ratio: int = 0
    style: str | None = None
    # A folded column narrower than this (or than its widest line) is unreadable: one word a
    # line, or a letter. Columns are left out (see `drop`) until each folded one gets it.
    min_width: int = 10
    # The order in which a terminal too narrow for the whole table leaves columns out: 1 first,
    # then 2, ...; 0: never.
    drop: int = 0
    justify: Literal["left", "right"] = "left"


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
    draw_table(columns, [row[1:] for row in rows])


def draw_table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> None:
    """A rich table of these rows on stdout, without the columns the terminal is too narrow for."""
    from rich.markup import escape
    from rich.table import Table

    out = console()
    table = Table(show_edge=False, pad_edge=False)
    kept = fitting(columns, rows, out.width)
    for column in (columns[i] for i in kept):
        if column.ratio:
            table.add_column(
                column.header,
                ratio=column.ratio,
                overflow="fold",
                style=column.style,
                justify=column.justify,
            )
        else:
            table.add_column(
                column.header, no_wrap=True, style=column.style, justify=column.justify
            )
    for row in rows:
        cells = (row[i] for i in kept)
        table.add_row(
            *(escape(c) if isinstance(c, str) else f"[{c[1]}]{escape(c[0])}[/]" for c in cells)
        )
    out.print(table)


def fitting(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], width: int) -> list[int]:
    """The columns (by index) kept on a terminal this wide: all, or fewer (in `drop` order) until each folded one gets its min_width."""
    from rich.cells import cell_len

    natural = [
        max(cell_len(line) for text in (column.header, *(_cell_text(row[i]) for row in rows))
            for line in text.split("\n"))
        for i, column in enumerate(columns)
    ]  # fmt: skip
    kept = list(range(len(columns)))
    leaving = sorted((i for i, c in enumerate(columns) if c.drop), key=lambda i: columns[i].drop)
    while True:
        folded = [i for i in kept if columns[i].ratio]
        # Between two columns: a rule and a space either side.
        spare = width - sum(natural[i] for i in kept if i not in folded) - 3 * (len(kept) - 1)
        # rich narrows the widest folded column first, down to the next widest, and so on: they
        # end up cut at one level, which must leave each the width it asks for.
        level = max((min(columns[i].min_width, natural[i]) for i in folded), default=0)
        if spare >= sum(min(natural[i], level) for i in folded) or not leaving:
            return kept
        kept.remove(leaving.pop(0))


def _cell_text(cell: Cell) -> str:
    return cell if isinstance(cell, str) else cell[0]
