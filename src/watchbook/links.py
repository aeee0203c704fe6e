"""Links between entries: the user's own [[links]], links the index derives, and the link graph.

Derived links come in three kinds, each stored as rows by the index and merged for display:
- mention: a review or verdict names another entry's title or alias (source -> target; found
  by watchbook.mentions);
- series: two titles are the same work with a season, part, sequel mark or subtitle (symmetric);
- creators: two entries share a creator, after normalising names (symmetric).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from watchbook.entry import DISMISS_KEY, Entry, Link, dismissed
from watchbook.errors import NotFound
from watchbook.mentions import Match, MentionFinder, deletions, mention_keys, mention_text
from watchbook.text import creator_key, number_marks, series_key, title_key

if TYPE_CHECKING:
    from watchbook.journal import Journal

MENTION, SERIES, CREATORS = "mention", "series", "creators"
KIND_ORDER = (MENTION, SERIES, CREATORS)
# A creator on more entries than this (a big studio or distributor) links nothing by itself:
# it would tie hundreds of entries together and say little about any pair of them.
CREATOR_CAP = 20


class EntryLink(NamedTuple):
    """A link from one entry to another; `derived` ones were found by the index, not written."""

    source: str
    target: str
    why: str
    derived: bool = False
    # For derived links, what found it: any of "mention", "series", "creators".
    kinds: tuple[str, ...] = ()


class DerivedRow(NamedTuple):
    """One piece of evidence the index stores: symmetric kinds have source < target."""

    source: str
    target: str
    kind: str
    detail: str = ""


def user_links(entries: Iterable[Entry]) -> list[EntryLink]:
    """The [[links]] written in the entry files, as EntryLinks."""
    return [
        EntryLink(source=e.slug, target=link.to, why=link.why or "", derived=False)
        for e in entries
        for link in e.links
    ]


def dismissed_pairs(entries: Iterable[Entry]) -> set[frozenset[str]]:
    """Every dismissed pair of slugs, in either direction."""
    return {frozenset((e.slug, other)) for e in entries for other in dismissed(e)}


class LinkGraph:
    """Outgoing links and backlinks by slug, over user and derived links alike."""

    def __init__(self, links: Sequence[EntryLink]) -> None:
        self.links = list(links)
        self._out: dict[str, list[EntryLink]] = defaultdict(list)
        self._in: dict[str, list[EntryLink]] = defaultdict(list)
        for link in self.links:
            self._out[link.source].append(link)
            self._in[link.target].append(link)

    def outgoing(self, slug: str) -> list[EntryLink]:
        """Links that start at this entry."""
        return list(self._out.get(slug, ()))

    def incoming(self, slug: str) -> list[EntryLink]:
        """Backlinks: links from other entries that point at this one."""
        return list(self._in.get(slug, ()))


class LazyLinkGraph(LinkGraph):
    """A link graph that loads the links of one entry at a time (a fast `show`)."""

    def __init__(
        self,
        load_all: Callable[[], list[EntryLink]],
        load_of: Callable[[str], list[EntryLink]],
    ) -> None:
        self._load_all = load_all
        self._load_of = load_of
        self._all: list[EntryLink] | None = None
        self._cache: dict[str, list[EntryLink]] = {}

    @property
    def links(self) -> list[EntryLink]:  # type: ignore[override]
        """Every link (loaded on first use)."""
        if self._all is None:
            self._all = self._load_all()
        return self._all

    def _of(self, slug: str) -> list[EntryLink]:
        if slug not in self._cache:
            self._cache[slug] = self._load_of(slug)
        return self._cache[slug]

    def outgoing(self, slug: str) -> list[EntryLink]:
        """Links that start at this entry."""
        return [k for k in self._of(slug) if k.source == slug]

    def incoming(self, slug: str) -> list[EntryLink]:
        """Backlinks: links from other entries that point at this one."""
        return [k for k in self._of(slug) if k.target == slug]


# --- series and creators ----------------------------------------------------------------------


def series_rows(entries: Sequence[Entry]) -> list[DerivedRow]:
    """Same-series (or same-title) rows for every pair of entries sharing a series key."""
    return series_rows_of([(e.slug, series_key(e.title), title_key(e.title)) for e in entries])


def series_rows_of(items: Iterable[tuple[str, str, str]]) -> list[DerivedRow]:
    """series_rows() from (slug, series key, title key) triples."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for slug, key, title in items:
        if key:
            groups[key].append((slug, title))
    rows: list[DerivedRow] = []
    for members in groups.values():
        for i, (slug_a, title_a) in enumerate(members):
            for slug_b, title_b in members[i + 1 :]:
                source, target = sorted((slug_a, slug_b))
                detail = "same title" if title_a == title_b else "same series"
                rows.append(DerivedRow(source, target, SERIES, detail))
    return rows


def series_row(a: Entry, b: Entry) -> DerivedRow | None:
    """The series row for two entries, or None unless they share a series key that is not empty."""
    rows = series_rows_of([(e.slug, series_key(e.title), title_key(e.title)) for e in (a, b)])
    return rows[0] if rows else None


def creator_names(entry: Entry) -> dict[str, str]:
    """Normalised creator key -> the name as this entry writes it."""
    names: dict[str, str] = {}
    for name in entry.creators:
        key = creator_key(name)
        if key:
            names.setdefault(key, name)
    return names


def creator_rows(entries: Sequence[Entry], cap: int = CREATOR_CAP) -> list[DerivedRow]:
    """Shared-creator rows: one per pair of entries sharing a creator used at most `cap` times."""
    return creator_rows_of([(e.slug, list(creator_names(e).items())) for e in entries], cap)


def creator_rows_of(
    items: Iterable[tuple[str, list[tuple[str, str]]]], cap: int = CREATOR_CAP
) -> list[DerivedRow]:
    """creator_rows() from (slug, [(creator key, name as written)]) pairs."""
    holders: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for slug, names in items:
        for position, (key, name) in enumerate(names):
            holders[key].append((slug, position, name))
    shared: dict[tuple[str, str], dict[str, tuple[int, str]]] = defaultdict(dict)
    for key, people in holders.items():
        if len(people) < 2 or len(people) > cap:
            continue
        for i, first in enumerate(people):
            for second in people[i + 1 :]:
                # Names as the entry with the smaller slug writes them, in its order.
                a, b = (first, second) if first[0] < second[0] else (second, first)
                shared[(a[0], b[0])][key] = (a[1], a[2])
    return [creator_row(a, b, names.values()) for (a, b), names in shared.items()]


def creator_row(a: str, b: str, names: Iterable[tuple[int, str]]) -> DerivedRow:
    """The creators row for slugs a < b sharing these (position in a, name) creators."""
    return DerivedRow(a, b, CREATORS, "\x1f".join(name for _, name in sorted(names)))


def mention_rows(
    finder: MentionFinder, scanned: Iterable[tuple[str, list[Match]]]
) -> list[DerivedRow]:
    """Mention rows from scans done with this finder (misspellings judged by its final counts)."""
    return [
        DerivedRow(slug, target, MENTION)
        for slug, matches in scanned
        if matches
        for target in sorted(finder.resolve(matches))
    ]


def derive_all(entries: Sequence[Entry]) -> list[DerivedRow]:
    """Every derived row for a whole journal (the full rebuild)."""
    finder = MentionFinder.from_keys(k for e in entries for k in mention_keys(e))
    # Scan everything first: whether a misspelling is rare is only known at the end.
    scanned = [
        (entry.slug, finder.scan(mention_text(entry), entry.slug))
        for entry in entries
        if entry.verdict or entry.review
    ]
    return mention_rows(finder, scanned) + series_rows(entries) + creator_rows(entries)


# --- merging rows into links ------------------------------------------------------------------


def reason(kind: str, detail: str) -> str:
    """The words shown for one piece of evidence."""
    if kind == MENTION:
        return "mentioned in the review"
    if kind == SERIES:
        return detail or "same series"
    names = [n for n in detail.split("\x1f") if n]
    label = "same creator" if len(names) == 1 else "same creators"
    return f"{label}: {', '.join(names)}"


def merge_rows(
    rows: Iterable[DerivedRow],
    years: Mapping[str, int | None],
    dismissed_pairs: set[frozenset[str]] = frozenset(),  # type: ignore[assignment]
) -> list[EntryLink]:
    """One derived link per direction with every reason joined; dismissed pairs left out."""
    # Symmetric evidence (series, creators) goes on the direction a mention already took, else from
    # the newer entry to the older one, so a sequel points at the film it continues.
    directed: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    symmetric: list[DerivedRow] = []
    order = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
    for row in rows:
        if row.source not in years or row.target not in years:
            continue
        if dismissed_pairs and frozenset((row.source, row.target)) in dismissed_pairs:
            continue
        if row.kind == MENTION:
            directed[(row.source, row.target)].append((order[MENTION], row.kind, row.detail))
        else:
            symmetric.append(row)
    for row in symmetric:
        a, b = row.source, row.target
        forward, backward = (a, b) in directed, (b, a) in directed
        if forward != backward:
            pair = (a, b) if forward else (b, a)
        else:
            # The newer entry first; the slug decides between two of one year.
            pair = (a, b) if ((years[a] or 0), a) > ((years[b] or 0), b) else (b, a)
        directed[pair].append((order.get(row.kind, len(order)), row.kind, row.detail))
    links: list[EntryLink] = []
    for (source, target), ranked in directed.items():
        ranked.sort()
        evidence = [(kind, detail) for _, kind, detail in ranked]
        kinds = tuple(dict.fromkeys(kind for kind, _ in evidence))
        why = "; ".join(reason(kind, detail) for kind, detail in evidence)
        links.append(EntryLink(source, target, why, derived=True, kinds=kinds))
    links.sort(key=lambda k: (k.source, k.target))
    return links


# --- link, unlink and check -------------------------------------------------------------------


class LinkChange(NamedTuple):
    """What `link` or `unlink` did to the first entry's file."""

    entry: Entry
    path: Path | None
    action: str  # linked, updated, unchanged, unlinked, dismissed, already-dismissed
    removed: bool = False  # unlink: a link written in the file was removed


def add_link(journal: Journal, source: str, target: str, why: str | None) -> LinkChange:
    """Write a [[links]] entry from `source` to `target` (its file only); undo a dismissal."""
    from watchbook.errors import InvalidValue

    if source == target:
        raise InvalidValue("link", "an entry cannot link to itself")
    with journal.lock():
        entry = journal.get(source)
        before = (list(entry.links), dismissed(entry))
        existing = [number for number, link in enumerate(entry.links) if link.to == target]
        if existing:
            old = entry.links[existing[0]]
            if why and old.why != why:
                # A new Link in its place: `before` still holds the old one, to compare with.
                entry.links[existing[0]] = Link(to=target, why=why, extra=dict(old.extra))
        else:
            entry.links.append(Link(to=target, why=why or None))
        _set_dismissed(entry, [s for s in dismissed(entry) if s != target])
        if (entry.links, dismissed(entry)) == before:
            return LinkChange(entry, None, "unchanged")
        path = journal.update(entry)
    return LinkChange(entry, path, "updated" if existing else "linked")


def remove_link(journal: Journal, source: str, target: str, derived_exists: bool) -> LinkChange:
    """Remove `source`'s own links to `target`, and dismiss derived ones between the two."""
    with journal.lock():
        entry = journal.get(source)
        had_link = any(link.to == target for link in entry.links)
        already = target in dismissed(entry)
        if not had_link and not derived_exists:
            if already:
                return LinkChange(entry, None, "already-dismissed")
            raise NotFound(f"{source} has no link to {target}, written or found by the index")
        entry.links = [link for link in entry.links if link.to != target]
        if derived_exists and not already:
            _set_dismissed(entry, [*dismissed(entry), target])
        path = journal.update(entry)
    return LinkChange(entry, path, "dismissed" if derived_exists else "unlinked", had_link)


def _set_dismissed(entry: Entry, slugs: list[str]) -> None:
    if slugs:
        entry.extra[DISMISS_KEY] = sorted(set(slugs))
    else:
        entry.extra.pop(DISMISS_KEY, None)


# Folded titles (spaces aside) this long are worth a question when one letter apart with the
# same year. Shorter ones have few letters to spare ('Cube' and 'Cure', 'Amer' and 'Gamer' are
# all films of their year): they need the same kind too, and a slip of the finger that keeps the
# first letter ('Alein', 'Jawz'). Titles under SHORT_NEAR letters ('Tag' / 'Tau') are compared
# only as spelled.
NEAR, SHORT_NEAR = 6, 4
# A QWERTY keyboard's letter rows, each sitting half a key right of the one above: a key struck
# beside the right one ('Jawz') is a slip, a letter far from it ('Cure' for 'Cube') is a word.
KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_AT = {key: (row, col) for row, keys in enumerate(KEY_ROWS) for col, key in enumerate(keys)}
# Entries sharing one title or one-letter variant (52 Hamlets) beyond this are compared only
# within a year, and beyond it again within a year only as copies of one title.
DUPLICATE_GROUP = 50


def likely_duplicates(entries: Sequence[Entry]) -> list[tuple[Entry, Entry, str]]:
    """Pairs that are probably the same title entered twice (no all-pairs comparison)."""
    # Same title and year (or one year missing), or titles one small edit apart with the same year;
    # a sequel ('Shadow 2' / 'Shadow 3') is not a duplicate.
    from rapidfuzz.distance import OSA

    by_variant: dict[str, list[int]] = defaultdict(list)
    # A title with no letter or digit ('?', an emoji) folds to nothing, which would make it the
    # same as every other such title: it is compared as written instead, spaces aside.
    keys = [title_key(e.title).replace(" ", "") or "".join(e.title.split()) for e in entries]
    for index, key in enumerate(keys):
        for variant in {key, *deletions(key)} if len(key) >= SHORT_NEAR else {key}:
            by_variant[variant].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in by_variant.values():
        if len(members) > 1:
            pairs.update(_duplicate_candidates(members, entries, keys))
    found: list[tuple[Entry, Entry, str]] = []
    for a, b in sorted(pairs):
        first, second = entries[a], entries[b]
        if first.year and second.year and first.year != second.year:
            continue
        if keys[a] == keys[b]:
            both_years = first.year and first.year == second.year
            reason = "same title and year" if both_years else "same title"
        elif OSA.distance(keys[a], keys[b]) <= 1 and _may_be_one_title(
            first, second, keys[a], keys[b]
        ):
            reason = "nearly the same title and year"
        else:
            continue
        found.append((first, second, reason))
    return found


def _duplicate_candidates(
    members: list[int], entries: Sequence[Entry], keys: list[str]
) -> Iterable[tuple[int, int]]:
    """The pairs (in index order) of one title group worth comparing, without a quadratic blow-up."""
    if len(members) <= DUPLICATE_GROUP:
        return _every_pair(members)
    # So many entries under one title are remakes and adaptations: only the same year can be
    # a duplicate (an entry without a year is not compared in such a crowd).
    by_year: dict[int, list[int]] = defaultdict(list)
    for index in members:
        year = entries[index].year
        if year:
            by_year[year].append(index)
    pairs: list[tuple[int, int]] = []
    for same_year in by_year.values():
        if len(same_year) <= DUPLICATE_GROUP:
            pairs.extend(_every_pair(same_year))
            continue
        # Still a crowd: each copy of a title is paired with its first, so every one is named.
        copies: dict[str, list[int]] = defaultdict(list)
        for index in same_year:
            copies[keys[index]].append(index)
        pairs.extend((same[0], other) for same in copies.values() for other in same[1:])
    return pairs


def _every_pair(members: list[int]) -> list[tuple[int, int]]:
    return [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]


def _may_be_one_title(first: Entry, second: Entry, key_a: str, key_b: str) -> bool:
    """Whether two titles one letter apart may be one title typed twice."""
    if any(second.ids.get(service, value) != value for service, value in first.ids.items()):
        # Two ids from one service (two Letterboxd films, two MAL series) are two titles.
        return False
    shorter = min(len(key_a), len(key_b))
    if shorter < SHORT_NEAR:
        return False
    if shorter < NEAR and not (
        first.year and second.year and first.kind == second.kind and _slip(key_a, key_b)
    ):
        return False
    return (
        series_key(first.title) != series_key(second.title)
        # 'Apollo 13' and 'Apollo 18' differ by a number: two films, not one typed twice.
        and number_marks(title_key(first.title)) == number_marks(title_key(second.title))
    )


def _slip(a: str, b: str) -> bool:
    """Whether two keys one edit apart differ by a typing slip after the same first letter.

    A slip: two neighbouring letters swapped, a neighbouring key struck, a letter doubled, or
    one left out before the last.
    """
    if a[:1] != b[:1]:
        return False
    if len(a) == len(b):
        at = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(at) == 2:
            return at[1] == at[0] + 1  # one edit apart: the two letters are swapped
        return len(at) == 1 and _keys_touch(a[at[0]], b[at[0]])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    for i in range(1, len(longer)):
        if longer[:i] + longer[i + 1 :] == shorter:
            doubled = longer[i] == longer[i - 1] or longer[i + 1 : i + 2] == longer[i]
            if doubled or i < len(longer) - 1:
                return True
    return False


def _keys_touch(a: str, b: str) -> bool:
    """Whether two letters sit side by side on a QWERTY keyboard (in a row or across two)."""
    if a not in _KEY_AT or b not in _KEY_AT:
        return False
    (row_a, col_a), (row_b, col_b) = sorted((_KEY_AT[a], _KEY_AT[b]))
    if row_a == row_b:
        return col_b - col_a == 1
    # The row below is half a key to the right: 's' touches 'w' and 'e' above it.
    return row_b - row_a == 1 and col_a - col_b in (0, 1)
