"""What an importer produces: records (validated entries, one per title), skipped rows, notes.

An importer reads an export into a Parsed: a Record per title, a Skipped per row it could not
use, and notes on how the files were read. `make_record` validates each entry, and first tidies
what an export may hold that an entry cannot, saying so in a note rather than losing the title:
control characters in a review, a viewing dated in the future or before 1870, one tag written
twice in different case.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from watchbook.entry import Entry, Viewing, viewing_date_problem
from watchbook.importers.entry_merge import union
from watchbook.importers.files import CsvProblem, decode_text, read_csv, shown
from watchbook.importers.markup import clean_controls, clean_line
from watchbook.markdown_safety import safe_markdown
from watchbook.text import tag_key
from watchbook.validation import validate

if TYPE_CHECKING:
    from watchbook.importers.files import CsvRow, Source


@dataclass
class Record:
    """One title read from an export: a validated entry (no slug yet) and where it came from."""

    entry: Entry
    where: str
    # The viewings only say the title was seen by then (IMDb's Date Rated is when the rating was
    # last set): they date an entry that has no viewing, and are no viewings of their own.
    viewings_if_none: bool = False


@dataclass
class Skipped:
    """A row or element that was not imported, and why."""

    where: str
    reason: str
    title: str | None = None
    # The journal entries a title matched equally well ("Solaris (2002) [solaris-2002]"): set
    # when it was left out as ambiguous, empty when it could not be read or written.
    candidates: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Export text may be huge or hold terminal escapes: never echo it raw.
        self.where, self.reason = shown(self.where), shown(self.reason, 300)
        self.title = shown(self.title, 100) if self.title else None

    @property
    def outcome(self) -> str:
        """'ambiguous' (two or more candidates) or 'skipped'."""
        return "ambiguous" if self.candidates else "skipped"

    def to_json(self) -> dict[str, Any]:
        """The skipped row as JSON-ready data."""
        data: dict[str, Any] = {"where": self.where, "title": self.title, "reason": self.reason}
        if self.candidates:
            data["candidates"] = list(self.candidates)
        return data


@dataclass
class Parsed:
    """Everything an importer read from an export."""

    service: str
    records: list[Record] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Rows read per file, and what they held: titles, viewings, planned titles...
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def csv_rows(
        self, source: Source, required: Sequence[str]
    ) -> tuple[list[str], Iterator[tuple[str, CsvRow]]]:
        """A CSV export file's header, and its readable rows with where each is.

        The file's rows are counted, a note on its encoding kept, and each row that could not
        be read is skipped here with its line number.
        """
        text, note = decode_text(source)
        if note:
            self.notes.append(note)
        header, rows = read_csv(text, source.name, required)
        self.rows[source.name] = len(rows)

        def readable() -> Iterator[tuple[str, CsvRow]]:
            for row in rows:
                where = f"{source.name} line {row.line}"
                if isinstance(row, CsvProblem):
                    self.skipped.append(Skipped(where, row.reason))
                else:
                    yield where, row

        return header, readable()

    def tally(self) -> dict[str, int]:
        """What the records hold: titles, dated viewings, planned titles, runs under way."""
        return {
            "titles": len(self.records),
            "viewings": sum(len(r.entry.watched) for r in self.records),
            "planned": sum(1 for r in self.records if r.entry.status == "planned"),
            "in progress": sum(1 for r in self.records if r.entry.progress),
        }


def make_record(
    where: str, entry: Entry, notes: list[str] | None = None, *, viewings_if_none: bool = False
) -> Record:
    """Validate an entry built from an export row; InvalidValue names the field that is wrong.

    What was tidied first so that the title is not lost goes to `notes`, one line each.
    """
    said: list[str] = []
    if entry.review:
        # Written to its file, a review's CR LF line ends become LF: the record holds what
        # the file will, so that the next import finds the same review there.
        review = entry.review.replace("\r\n", "\n").replace("\r", "\n")
        entry.review, note = clean_review(review)
        if note:
            said.append(note)
    kept: list[Viewing] = []
    for viewing in entry.viewings:
        why = viewing_date_problem(viewing.date)
        if why:
            said.append(f"viewing of {viewing.date.isoformat()} left out: it {why}")
        else:
            kept.append(viewing)
    entry.viewings = kept
    gone = clean_names(entry)
    if gone:
        said.append(
            f"names cleaned: {gone} control or bidi formatting characters removed or made spaces"
        )
    entry.tags = unique_tags(entry.tags)
    record = Record(validate(entry), where, viewings_if_none)
    if notes is not None:
        notes.extend(title_note(where, entry.title, note) for note in said)
    return record


def clean_names(entry: Entry) -> int:
    """Tidy the entry's one-line texts (title, names, verdict) as validation takes them; how
    many characters that removed or made spaces."""
    # Pasted right-to-left text brings bidi marks, a spreadsheet a tab: the title is kept.
    gone = 0
    for name in ("title", "verdict", "where"):
        value = getattr(entry, name)
        if isinstance(value, str):
            value, count = clean_line(value)
            setattr(entry, name, value)
            gone += count
    for name in ("aliases", "tags", "creators"):
        values = []
        for value in getattr(entry, name):
            value, count = clean_line(value)
            gone += count
            if value:
                values.append(value)
        setattr(entry, name, values)
    return gone


def title_note(where: str, title: str, note: str) -> str:
    """A note on one title: 'diary.csv line 4 (Heat): viewing of ... left out: ...'."""
    return f"{where} ({shown(title, 100)}): {note}"


def clean_review(text: str) -> tuple[str, str | None]:
    """The review without control or bidi formatting characters, and a note when it had any."""
    cleaned, removed, breaks = clean_controls(text)
    if not (removed or breaks):
        return text, None
    # What the removed characters kept apart may now be a tag ('<\x1bscript>') or a script link
    # ('java\u202bscript:'): the text is made safe Markdown again.
    cleaned = safe_markdown(cleaned)
    said: list[str] = []
    if removed:
        said.append(_count(removed, "control or bidi formatting character", "removed"))
    if breaks:
        words = "vertical tab, form feed or line separator"
        plural = "vertical tabs, form feeds or line separators"
        said.append(
            f"{breaks} {words} made a line break"
            if breaks == 1
            else f"{breaks} {plural} made line breaks"
        )
    return cleaned, "review cleaned: " + ", ".join(said)


def _count(n: int, word: str, done: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'} {done}"


def unique_tags(tags: Sequence[str]) -> list[str]:
    """Tags written twice (`sci-fi`, `Sci-Fi`) once, as first written."""
    # Merges compare tags so (entry_merge), and an entry should not hold what they call one.
    return union([], tags, tag_key)
