"""What an exported HTML site was made from, kept beside its marker for the next export.

`.watchbook-site` holds, for the site as written: a fingerprint of the code and templates that
drew it, the index generation it was read at (see index.schema), the marker file as that export
left it, every entry's card, the entries each entry's page lists (Related and Linked from), the
tag and creator groups' names and pages, each year's score weights, and the size and
modification time of every file it left. The next export reads it back and renders only the
pages whose inputs changed.

The file is a signature line, then JSON. The signature is an HMAC of the JSON keyed with the
index's lineage, a random name that stays in the journal's index and is written nowhere else:
a state file changed by hand (or by anyone), or made from another index, fails the check and
means a full export. Anything else unexpected (another version of watchbook, a damaged file, a
folder another export wrote to since) means a full export too, and the values are checked even
when signed: page names are always worked out again from slugs, and every text is escaped when
drawn, as it is from the journal.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from pathlib import Path
from typing import Any

from watchbook.export.html_model import Card, Names
from watchbook.text import has_control_chars
from watchbook.year_review import YearWeights

STATE_FILE = ".watchbook-site"
VERSION = 4


def signed(payload: bytes, key: str) -> bytes:
    """A state file's bytes: the HMAC-SHA256 of the payload under `key`, a line, the payload."""
    import hashlib
    import hmac

    mac = hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()
    return f"{mac}\n".encode("ascii") + payload


def verified(raw: bytes, key: str) -> bytes:
    """The payload of a state file signed under `key` (ValueError if the signature fails)."""
    import hmac

    _line, newline, payload = raw.partition(b"\n")
    if not newline or not hmac.compare_digest(signed(payload, key), raw):
        raise ValueError("a state file this index did not sign (edited, or from another index)")
    return payload


@functools.cache
def code_fingerprint() -> str:
    """A digest of watchbook's source files and of the libraries that draw the pages."""
    # Any change to the code may change any page, so a site drawn by other code is drawn again
    # whole. Files are known by name, size and time, as the index knows the journal's.
    import hashlib
    import os

    import jinja2
    import markdown_it

    import watchbook

    digest = hashlib.sha256()
    for version in (watchbook.__version__, jinja2.__version__, markdown_it.__version__):
        digest.update(f"{version}\n".encode())
    folders = [os.path.dirname(watchbook.__file__)]
    while folders:
        with os.scandir(folders.pop()) as found:
            for item in sorted(found, key=lambda item: item.name):
                if item.is_dir(follow_symlinks=False) and item.name != "__pycache__":
                    folders.append(item.path)
                elif item.name.endswith((".py", ".j2", ".css", ".js")):
                    info = item.stat()
                    digest.update(f"{item.path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass
class SiteState:
    """A site as one export wrote it."""

    code: str
    # The index's lineage (the key the file is signed with; not written in it) and generation.
    lineage: str
    generation: int
    # The marker file's (inode, size, mtime) once that export was done.
    marker: tuple[int, int, int]
    # Every entry's card, in title order.
    cards: list[Card]
    # The slugs each entry's page lists under Related and Linked from (entries of the journal).
    neighbours: Mapping[str, Sequence[str]]
    tags: Names
    creators: Names
    # The score weights of each year with a review.
    years: dict[int, YearWeights]
    # Each file the export left, by name: its size and modification time then (a file changed
    # in the folder since, by hand or by `git checkout`, is drawn again).
    files: Mapping[str, tuple[int, int]]

    def changed_files(self, root: Path, names: Iterable[str]) -> set[str]:
        """Those of these files that are no longer as this export left them (or were not left)."""
        import os

        folder, changed, lstat = os.fspath(root), set(), os.lstat
        for name in names:
            # A stat per file, 12,000 of them for a big journal: plain strings, not Paths.
            try:
                info = lstat(f"{folder}/{name}")
            except OSError:
                changed.add(name)
                continue
            if (info.st_size, info.st_mtime_ns) != self.files.get(name):
                changed.add(name)
        return changed

    def to_bytes(self) -> bytes:
        """The state file's bytes, signed: the cards column by column (quicker to read and check)."""
        cards = self.cards
        place = {card.slug: number for number, card in enumerate(cards)}
        data = {
            "version": VERSION,
            "code": self.code,
            "generation": self.generation,
            "marker": list(self.marker),
            **{name: [getattr(c, name) for c in cards] for name in _SCALARS},
            "key": [c.order[0] for c in cards],
            "seen": [len(c.viewings) for c in cards],
            "days": [day for c in cards for day, _ in c.viewings],
            "marks": [mark for c in cards for _, mark in c.viewings],
            "tags": [c.tags for c in cards],
            "creators": [c.creators for c in cards],
            "episodes": [[n for pair in c.episodes for n in pair] for c in cards],
            "neighbours": [
                sorted(place[s] for s in self.neighbours.get(c.slug, ()) if s in place)
                for c in cards
            ],
            "groups": [
                [[key, *names] for key, names in found.items()]
                for found in (self.tags, self.creators)
            ],
            "years": [[year, weights.to_json()] for year, weights in self.years.items()],
            "files": [list(self.files), *map(list, zip(*self.files.values(), strict=True))]
            if self.files
            else [[], [], []],
        }
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return signed(payload, self.lineage)

    @classmethod
    def from_bytes(cls, raw: bytes, lineage: str) -> SiteState:
        """A state file read back, signed for the index of this lineage; ValueError if it is not
        one this version wrote for it."""
        try:
            data = json.loads(verified(raw, lineage))
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("another version of the state file")
            cards = _cards(data)
            generation = data["generation"]
            if type(generation) is not int:
                raise ValueError("a generation that is not a number")
            ino, size, mtime = data["marker"]
            tags, creators = (_names(found) for found in data["groups"])
            return cls(
                code=_text(data["code"]),
                lineage=lineage,
                generation=generation,
                marker=(int(ino), int(size), int(mtime)),
                cards=cards,
                neighbours=Neighbours([c.slug for c in cards], data["neighbours"]),
                tags=tags,
                creators=creators,
                years={int(year): YearWeights.from_json(w) for year, w in data["years"]},
                files=_files(data["files"]),
            )
        except (KeyError, TypeError, ValueError, IndexError, RecursionError) as exc:
            raise ValueError(f"not a usable state file: {exc}") from None


# Card fields kept as they are, one column each, and what each may hold.
_SCALARS = {
    "slug": (str,),
    "page": (str,),
    "title": (str,),
    "year": (int, type(None)),
    "kind": (str, type(None)),
    "status": (str,),
    "score": (float, int, type(None)),
    "verdict": (str, type(None)),
}
_DAYS = re.compile(r"(?:\d{4}-\d{2}-\d{2},)*")


def _cards(data: Mapping[str, Any]) -> list[Card]:
    """The cards of a state file's columns (ValueError or TypeError for anything unexpected)."""
    count = len(data["slug"])
    columns = {name: _column(data[name], kinds, count) for name, kinds in _SCALARS.items()}
    keys = _column(data["key"], (str,), count)
    seen = _column(data["seen"], (int,), count)
    days, marks = data["days"], _column(data["marks"], (float, int, type(None)), sum(seen))
    tags, creators = (
        _column(data["tags"], (list,), count),
        _column(data["creators"], (list,), count),
    )
    episodes = _column(data["episodes"], (list,), count)
    names = [*chain.from_iterable(tags), *chain.from_iterable(creators)]
    if (
        not _DAYS.fullmatch(",".join(days) + ("," if days else ""))
        or len(days) != len(marks)
        or min(seen, default=0) < 0
        or not _all_of(names, (str,))
        # Titles and names become text in pages drawn in one pass (see HtmlSite.draw_cards),
        # which a control character could break; the journal never holds one.
        or has_control_chars(" ".join(columns["title"]) + " " + " ".join(names))
        or not _all_of(chain.from_iterable(episodes), (int,))
    ):
        raise ValueError("a card with a value of the wrong kind")
    # Column by column, each card made in one step at the end: the quickest way in Python.
    ends = list(accumulate(seen))
    pairs = list(zip(days, marks, strict=True))
    viewings = [tuple(pairs[end - n : end]) for n, end in zip(seen, ends, strict=True)]
    runs = [tuple(zip(found[::2], found[1::2], strict=True)) for found in episodes]
    orders = [
        (key, year or 0, slug)
        for key, year, slug in zip(keys, columns["year"], columns["slug"], strict=True)
    ]
    rows = zip(*columns.values(), viewings, map(tuple, tags), map(tuple, creators), orders, runs,
               strict=True)  # fmt: skip
    return list(map(Card._make, rows))


def _all_of(values: Iterable[Any], kinds: tuple[type, ...]) -> bool:
    """Whether every value is exactly of one of these types (not of a subclass: no bool for int)."""
    return set(map(type, values)) <= set(kinds)


def _column(values: Any, kinds: tuple[type, ...], count: int) -> list[Any]:
    if type(values) is not list or len(values) != count:
        raise ValueError("a column of the wrong length")
    if not _all_of(values, kinds):
        raise ValueError("a value of the wrong kind")
    return values


class Neighbours(Mapping[str, Sequence[str]]):
    """Each card's neighbours as the state file numbers them, named only when asked for."""

    def __init__(self, slugs: list[str], numbers: Any) -> None:
        self.slugs = slugs
        self.numbers = _column(numbers, (list,), len(slugs))
        self.place = {slug: number for number, slug in enumerate(slugs)}
        flat = list(chain.from_iterable(self.numbers))
        if (
            not _all_of(flat, (int,))
            or min(flat, default=0) < 0
            or max(flat, default=-1) >= len(slugs)
        ):
            raise ValueError("a neighbour out of range")

    def __getitem__(self, slug: str) -> Sequence[str]:
        return [self.slugs[n] for n in self.numbers[self.place[slug]]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.slugs)

    def __len__(self) -> int:
        return len(self.slugs)


def _files(columns: Any) -> dict[str, tuple[int, int]]:
    """The state file's names, sizes and times of the files its export left."""
    names, sizes, times = columns
    names = _column(names, (str,), len(names))
    pairs = zip(_column(sizes, (int,), len(names)), _column(times, (int,), len(names)), strict=True)
    return dict(zip(names, pairs, strict=True))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("text expected")
    return value


def _names(rows: Sequence[Any]) -> dict[str, tuple[str, str]]:
    return {_text(key): (_text(name), _text(page)) for key, name, page in rows}
