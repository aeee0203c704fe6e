"""What an exported HTML site was made from, kept beside its marker for the next export.

`.watchbook-site` (JSON) holds, for the site as written: a fingerprint of the code and templates
that drew it, the index history it was read at (lineage and generation, see index.schema), the
marker file as that export left it, every entry's card, the entries each entry's page lists
(Related and Linked from), the tag and creator groups' names and pages, and each year's score
weights. The next export reads it back and renders only the pages whose inputs changed. Anything
unexpected (another version of watchbook, a damaged file, a folder another export wrote to
since) means a full export; nothing in the file is trusted beyond that: page names are always
worked out again from slugs, and every text is escaped when drawn, as it is from the journal.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from watchbook.export.html_model import Card
from watchbook.text import has_control_chars
from watchbook.year_review import YearWeights

STATE_FILE = ".watchbook-site"
VERSION = 1
# (name, page) of each tag or creator group, by key.
Names = Mapping[str, tuple[str, str]]


@functools.cache
def code_fingerprint() -> str:
    """A digest of watchbook's sources and templates and of the libraries that draw the pages."""
    # Any change to the code may change any page, so a site drawn by other code is redrawn whole.
    import hashlib
    from pathlib import Path

    import jinja2
    import markdown_it

    import watchbook

    digest = hashlib.sha256()
    for version in (watchbook.__version__, jinja2.__version__, markdown_it.__version__):
        digest.update(f"{version}\n".encode())
    root = Path(watchbook.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".j2", ".css", ".js") and path.is_file():
            digest.update(f"{path.relative_to(root).as_posix()}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class SiteState:
    """A site as one export wrote it."""

    code: str
    lineage: str
    generation: int
    # The marker file's (inode, size, mtime) once that export was done.
    marker: tuple[int, int, int]
    # Every entry's card, in title order.
    cards: list[Card]
    # The slugs each entry's page lists under Related and Linked from (entries of the journal).
    neighbours: dict[str, tuple[str, ...]]
    tags: Names
    creators: Names
    # The score weights of each year with a review.
    years: dict[int, YearWeights]

    def to_bytes(self) -> bytes:
        """The state file's bytes."""
        place = {card.slug: number for number, card in enumerate(self.cards)}
        data = {
            "version": VERSION,
            "code": self.code,
            "index": [self.lineage, self.generation],
            "marker": list(self.marker),
            "cards": self.cards,
            "neighbours": [
                sorted(place[s] for s in self.neighbours.get(card.slug, ()) if s in place)
                for card in self.cards
            ],
            "tags": [[key, *names] for key, names in self.tags.items()],
            "creators": [[key, *names] for key, names in self.creators.items()],
            "years": [[year, weights.to_json()] for year, weights in self.years.items()],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    @classmethod
    def from_bytes(cls, raw: bytes) -> SiteState:
        """A state file read back; ValueError if it is not one this version wrote."""
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("version") != VERSION:
                raise ValueError("another version of the state file")
            cards = [_card(item) for item in data["cards"]]
            neighbours = {
                card.slug: tuple(cards[n].slug for n in _numbers(found, len(cards)))
                for card, found in zip(cards, data["neighbours"], strict=True)
            }
            lineage, generation = data["index"]
            ino, size, mtime = data["marker"]
            return cls(
                code=_text(data["code"]),
                lineage=_text(lineage),
                generation=int(generation),
                marker=(int(ino), int(size), int(mtime)),
                cards=cards,
                neighbours=neighbours,
                tags=_names(data["tags"]),
                creators=_names(data["creators"]),
                years={int(year): YearWeights.from_json(w) for year, w in data["years"]},
            )
        except (KeyError, TypeError, ValueError, IndexError, RecursionError) as exc:
            raise ValueError(f"not a usable state file: {exc}") from None


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("text expected")
    return value


def _card(item: Any) -> Card:
    card = Card.from_json(item)
    # Titles and names become text in pages drawn in one pass (see HtmlSite.link), which a
    # control character could break; the journal never holds one.
    if any(has_control_chars(text) for text in (card.title, *card.tags, *card.creators)):
        raise ValueError("a card holds a control character")
    return card


def _numbers(found: Any, count: int) -> list[int]:
    numbers = [int(n) for n in found]
    if any(not 0 <= n < count for n in numbers):
        raise ValueError("a neighbour out of range")
    return numbers


def _names(rows: Sequence[Any]) -> dict[str, tuple[str, str]]:
    return {_text(key): (_text(name), _text(page)) for key, name, page in rows}
