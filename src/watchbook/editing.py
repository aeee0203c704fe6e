"""`watchbook edit`: a working copy of an entry file, saved back only over the version it came from.

The editor never opens the journal's file itself. It edits a copy in the system's temporary
folder; when it closes, the copy replaces the entry file atomically, under the journal lock,
and only if the file still holds the bytes the copy was made from. If something else changed
the file meanwhile (`add --rewatch`, `link`, an import, another editor), nothing is written
over it: the user's text is kept in a side file beside it (`<slug>.toml.edited`), the caller
is told what changed on disk, and may offer a three-way merge of both versions to edit again.
Text that does not read as a valid entry (conflict markers included) is never saved over the
file either: it too is kept in a side file, and the file stays as it is.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from watchbook.errors import Conflict, InvalidFile, WatchbookError
from watchbook.listing import SUFFIX

if TYPE_CHECKING:
    from watchbook.journal import Journal

# The markers a merge puts around lines both sides changed, as git and diff3 write them.
OURS, BASE, SEPARATOR, THEIRS = (
    "<<<<<<< your edit",
    "||||||| when you opened it",
    "=======",
    ">>>>>>> on disk now",
)

# A line a merge (git's, diff3's or watchbook's) leaves around each conflict: seven marks at the
# start of a line, then a space and a label. A line of exactly seven '=' can also underline a
# Markdown heading in a review, so it counts only in a text that has one of the others.
_MARKER = re.compile(r"^(?:(?:<{7}|>{7}|\|{7})(?: [^\n]*)?|={7})\r?$", re.MULTILINE)


class ChangedMeanwhile(Conflict):
    """The entry file changed on disk while it was being edited; the user's text was kept aside."""

    def __init__(self, name: str, side: Path, current: bytes | None, diff: list[str]) -> None:
        what = "changed on disk" if current is not None else "was deleted"
        super().__init__(
            f"{name} {what} while you edited it, so your version was not saved over it; "
            f"it is kept in {side}"
        )
        self.side = side
        self.current = current
        self.diff = diff


class EditSession:
    """One entry being edited: its file, the bytes the working copy started from, the copy."""

    def __init__(self, journal: Journal, slug: str) -> None:
        import tempfile

        self.journal = journal
        self.slug = slug
        self.path = journal.path_for(slug)
        # Refused before the editor opens, not after the user has done the work.
        journal.refuse_link(self.path)
        self.base = self.path.read_bytes()
        # True once what the user wrote is safe in the journal (saved, or kept in a side file).
        self.settled = False
        # True once the copy holds a merge with another writer's version (see merge).
        self.merged = False
        fd, name = tempfile.mkstemp(prefix=f"watchbook-{slug}-", suffix=".toml")
        self.copy = Path(name)
        with os.fdopen(fd, "wb") as out:
            out.write(self.base)

    def edited(self) -> bytes:
        """What the working copy holds now."""
        return self.copy.read_bytes()

    def unchanged(self, data: bytes) -> bool:
        """True when `data` is what the copy started from: nothing to save, nothing to keep."""
        if data != self.base:
            return False
        self.settled = True
        return True

    def problem(self, data: bytes) -> InvalidFile | None:
        """Why these bytes are not a valid entry file (named as the entry's file), or None."""
        from watchbook.entry_file import parse_entry

        name = self.path.name
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return InvalidFile(name, "is not UTF-8 text", data[: exc.start].count(b"\n") + 1)
        # Before parsing: markers in the TOML would be reported as a mere syntax error, and
        # inside the review they parse (and would be published by `export`).
        marker = conflict_marker(text)
        if marker is not None:
            return InvalidFile(name, marker_reason(marker[1]), marker[0])
        try:
            parse_entry(text, self.slug, name)
        except InvalidFile as problem:
            return problem
        return None

    def save(self, data: bytes) -> Path:
        """Replace the entry file with `data` if it still holds what the copy started from.

        ChangedMeanwhile (exit 3) otherwise, once `data` is safe in a side file.
        """
        with self.journal.lock():
            try:
                path = self.journal.save_text(self.slug, data, expected=self.base)
            except Conflict:
                current = _read_or_none(self.path)
                side = self.journal.save_aside(self.slug, data)
            else:
                self.settled = True
                return path
        self.settled = True
        raise ChangedMeanwhile(self.path.name, side, current, self.changes_on_disk(current))

    def keep(self, data: bytes) -> Path:
        """Keep `data` in a new side file beside the entry (the file itself is left as it is)."""
        # Under the lock: a writer taking it removes half-written side files it finds.
        with self.journal.lock():
            side = self.journal.save_aside(self.slug, data)
        self.settled = True
        return side

    def changes_on_disk(self, current: bytes | None) -> list[str]:
        """What changed in the file since the copy was made, as unified diff lines."""
        if current is None:
            return []
        return [
            _printable(line)
            for line in difflib.unified_diff(
                _lines(self.base),
                _lines(current),
                f"{self.path.name} when you opened it",
                f"{self.path.name} now",
                lineterm="",
            )
        ]

    def merge(self, mine: bytes, current: bytes) -> bool:
        """Put a merge of `mine` and the file as it is now in the working copy; True if clean.

        From then on the copy is saved only over `current`.
        """
        merged, clean = merge_texts(
            self.base.decode("utf-8", "replace"),
            mine.decode("utf-8", "replace"),
            current.decode("utf-8", "replace"),
        )
        self.copy.write_text(merged, encoding="utf-8")
        self.base = current
        self.merged = True
        return clean

    def close(self) -> Path | None:
        """Remove the working copy, unless it holds text saved nowhere else: then its path."""
        with contextlib.suppress(OSError):
            if not self.settled and self.edited() != self.base:
                return self.copy
        with contextlib.suppress(OSError):
            self.copy.unlink()
        return None


def conflict_marker(text: str) -> tuple[int, str] | None:
    """The first conflict marker line in a text, as (line number, the line), or None."""
    marks = list(_MARKER.finditer(text))
    if all(mark.group().startswith("=") for mark in marks):
        return None
    first = marks[0]
    return text.count("\n", 0, first.start()) + 1, first.group().rstrip("\r")


def marker_reason(mark: str) -> str:
    """What to say of a conflict marker line (shortened: a label may be long)."""
    return (
        f"conflict marker {mark[:40]!r} left by a merge; keep the lines you want and remove "
        "the markers"
    )


def broken_file_named(journal: Journal, query: str, name: str) -> str | None:
    """The slug of `name`, a file that does not parse, if QUERY names exactly that file; or None."""
    # Exactly: its slug or file name, or the title its `title = ` line still states (with the
    # year its file name carries, when QUERY gives one). Not a folder or other odd file; a
    # link is let through, to be refused by EditSession saying why.
    from watchbook.search import split_year
    from watchbook.text import title_key

    query = query.strip()
    slug = name.removesuffix(SUFFIX)
    if query.removesuffix(SUFFIX) != slug:
        stated = journal.stated_title(name)
        if stated is None:
            return None
        text, year = split_year(query)
        named_year = re.search(r"-((?:18|19|20)\d\d)(?:-\d{1,3})?$", slug)
        by_title = title_key(query) == title_key(stated)
        by_title_and_year = (
            year is not None
            and named_year is not None
            and int(named_year.group(1)) == year
            and title_key(text) == title_key(stated)
        )
        if not (by_title or by_title_and_year):
            return None
    try:
        mode = os.lstat(journal.path_for(slug)).st_mode
    except (OSError, WatchbookError):
        return None
    return slug if stat.S_ISREG(mode) or stat.S_ISLNK(mode) else None


def merge_texts(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    """A line-by-line three-way merge, and whether it was clean (no conflict markers)."""
    # Each side's changes are hunks over the base's lines. Hunks of the two sides that touch
    # different lines are both applied (even on neighbouring lines, unlike diff3 and git);
    # hunks that overlap become one region, taken once if both sides made it the same, else
    # both versions are kept between conflict markers for the user to settle.
    old, ours, other = (
        (text if not text or text.endswith("\n") else text + "\n").splitlines(keepends=True)
        for text in (base, mine, theirs)
    )
    hunks = sorted(
        [(*hunk, 0) for hunk in _hunks(old, ours)] + [(*hunk, 1) for hunk in _hunks(old, other)],
        key=lambda hunk: (hunk[0], hunk[1]),
    )
    out: list[str] = []
    clean = True
    done = 0  # base lines before this are in `out`
    n = 0
    while n < len(hunks):
        start, end = hunks[n][0], hunks[n][1]
        group = [hunks[n]]
        n += 1
        while n < len(hunks) and (hunks[n][0] < end or hunks[n][0] == start):
            group.append(hunks[n])
            end = max(end, hunks[n][1])
            n += 1
        out.extend(old[done:start])
        done = end
        versions = [
            _applied(old, start, end, [h for h in group if h[3] == side]) for side in (0, 1)
        ]
        if len({h[3] for h in group}) == 1 or versions[0] == versions[1]:
            out.extend(versions[0] if any(h[3] == 0 for h in group) else versions[1])
        else:
            clean = False
            out.extend(_conflict(old[start:end], *versions))
    out.extend(old[done:])
    return "".join(out), clean


def _hunks(old: list[str], new: list[str]) -> list[tuple[int, int, list[str]]]:
    """What `new` changed: (first base line, end of the base lines, the lines put there)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [(i1, i2, new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _applied(
    old: list[str], start: int, end: int, hunks: list[tuple[int, int, list[str], int]]
) -> list[str]:
    """Base lines start..end with one side's hunks in that region applied."""
    result: list[str] = []
    at = start
    for first, last, lines, _side in hunks:
        result.extend(old[at:first])
        result.extend(lines)
        at = last
    result.extend(old[at:end])
    return result


def _conflict(was: list[str], mine: list[str], theirs: list[str]) -> list[str]:
    return [OURS + "\n", *mine, BASE + "\n", *was, SEPARATOR + "\n", *theirs, THEIRS + "\n"]


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8", "replace").splitlines()


def _printable(line: str) -> str:
    """A diff line safe for a terminal: control characters (a file may hold any) escaped."""
    from watchbook.text import has_control_chars

    if not has_control_chars(line):
        return line
    return "".join(ascii(ch)[1:-1] if has_control_chars(ch) else ch for ch in line)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return None
