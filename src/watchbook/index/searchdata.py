"""The search keys of every entry, kept in the index as one blob, and what search reads of a row.

For each field (names, creators, tags, works) the blob holds two parallel lists: the folded
keys, which search hands to rapidfuzz as they are, and the row ids of the entries under each
key. Most keys belong to one entry and are stored as an int; the others as packed bytes that
load at once however many there are and are unpacked only when asked for.
"""

from __future__ import annotations

import array
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from watchbook.entry import Entry
from watchbook.index.codec import IndexDamaged, pack, unpack
from watchbook.search import KeyField, name_keys
from watchbook.text import creator_key, fold_name

# The keys of one entry, by KeyField.
SearchKeys = tuple[list[str], list[str], list[str], list[str]]
# The row ids of one key: an int for one entry, packed bytes for several.
Packed = int | bytes

_ROW_SIZE = array.array("I").itemsize


def search_keys(entry: Entry) -> SearchKeys:
    """The folded names, creators and tags a search finds an entry by, and its creator keys."""
    return (
        name_keys(entry),
        list(dict.fromkeys(k for k in (fold_name(c) for c in entry.creators) if k)),
        list(dict.fromkeys(k for k in (fold_name(t) for t in entry.tags) if k)),
        # As recommend matches creators (word order and company suffixes ignored).
        list(dict.fromkeys(k for k in (creator_key(c) for c in entry.creators) if k)),
    )


def entry_columns(entry: Entry) -> tuple[Any, ...]:
    """What search reads of an entry without decoding it: kind, status, score, viewing, tags."""
    last = entry.last_watched
    return (
        entry.kind,
        entry.status,
        entry.score,
        last.toordinal() if last else 0,
        "\x1f".join(dict.fromkeys(k for k in (fold_name(t) for t in entry.tags) if k)),
    )


class EntrySummary:
    """What search knows of one entry without decoding it (one row of small columns)."""

    __slots__ = ("kind", "last", "score", "slug", "status", "tags", "year")

    def __init__(self, slug: str, year: int | None, kind: str | None, status: str,
                 score: float | None, last: int, tags: str) -> None:  # fmt: skip
        self.slug, self.year, self.kind, self.status = slug, year, kind, status
        self.score, self.last, self.tags = score, last, tags.split("\x1f") if tags else []

    @property
    def last_watched(self) -> dt.date | None:
        """The latest viewing, as Entry.last_watched gives it."""
        return dt.date.fromordinal(self.last) if self.last else None


class RowLists(Sequence[list[int]]):
    """The row ids under each key of one field, unpacked one key at a time when indexed."""

    __slots__ = ("_packed",)

    def __init__(self, packed: list[Packed]) -> None:
        self._packed = packed

    def __len__(self) -> int:
        return len(self._packed)

    def __getitem__(self, at: int) -> list[int]:  # type: ignore[override]
        return row_array(self._packed[at]).tolist()


class SearchData:
    """Row ids of entries by each folded name, creator and tag, and by creator key."""

    def __init__(self) -> None:
        # Per KeyField: (keys, row ids per key), kept packed as stored.
        self._columns: list[tuple[list[str], list[Packed]]] = [([], []) for _ in KeyField]
        self._lookups: dict[KeyField, dict[str, int]] = {}

    def columns(self, field: KeyField) -> tuple[list[str], RowLists]:
        """The keys of one field and, position by position, the row ids under each."""
        keys, rows = self._columns[field]
        return keys, RowLists(rows)

    def keys(self, field: KeyField) -> list[str]:
        """The keys of one field."""
        return self._columns[field][0]

    def rows_of(self, field: KeyField, key: str) -> list[int]:
        """The row ids under one key."""
        return self.row_array(field, key).tolist()

    def count_of(self, field: KeyField, key: str) -> int:
        """How many row ids one key has, without unpacking them."""
        at = self._lookup(field).get(key)
        if at is None:
            return 0
        rows = self._columns[field][1][at]
        return 1 if isinstance(rows, int) else len(rows) // _ROW_SIZE

    def row_array(self, field: KeyField, key: str) -> array.array[int]:
        """The row ids under one key as an array, for set operations in C."""
        at = self._lookup(field).get(key)
        return array.array("I") if at is None else row_array(self._columns[field][1][at])

    def table(self, field: KeyField) -> dict[str, list[int]]:
        """One field as a dictionary: key -> row ids."""
        keys, rows = self._columns[field]
        return {key: row_array(packed).tolist() for key, packed in zip(keys, rows, strict=True)}

    def _lookup(self, field: KeyField) -> dict[str, int]:
        lookup = self._lookups.get(field)
        if lookup is None:
            keys = self._columns[field][0]
            lookup = self._lookups[field] = {key: at for at, key in enumerate(keys)}
        return lookup

    def add(self, rowid: int, keys: SearchKeys) -> None:
        """File one entry under its keys."""
        for field, words in zip(KeyField, keys, strict=True):
            column_keys, column_rows = self._columns[field]
            lookup = self._lookup(field)
            for key in words:
                at = lookup.get(key)
                if at is None:
                    lookup[key] = len(column_keys)
                    column_keys.append(key)
                    column_rows.append(rowid)
                else:
                    column_rows[at] = _packed([*row_array(column_rows[at]), rowid])

    def remove(self, rowid: int, keys: SearchKeys) -> None:
        """Forget one entry (filed under these keys)."""
        for field, words in zip(KeyField, keys, strict=True):
            column_keys, column_rows = self._columns[field]
            for key in words:
                at = self._lookup(field).get(key)
                if at is None:
                    continue
                left = [r for r in row_array(column_rows[at]) if r != rowid]
                if left:
                    column_rows[at] = _packed(left)
                else:
                    del column_keys[at], column_rows[at]
                    # Positions after it moved.
                    self._lookups.pop(field, None)

    @classmethod
    def of_entries(cls, items: Iterable[tuple[int, SearchKeys]]) -> SearchData:
        """The data for (row id, keys) of every entry (what a build makes)."""
        tables: list[dict[str, list[int]]] = [{} for _ in KeyField]
        for rowid, keys in items:
            for table, words in zip(tables, keys, strict=True):
                for key in words:
                    table.setdefault(key, []).append(rowid)
        data = cls()
        data._columns = [
            (list(table), [_packed(rows) for rows in table.values()]) for table in tables
        ]
        return data

    def dump(self) -> bytes:
        """The data as a blob."""
        return pack(self._columns)

    @classmethod
    def load(cls, blob: bytes) -> SearchData:
        """The data from a blob (IndexDamaged when it is not one)."""
        columns = unpack(blob)
        if (
            not isinstance(columns, list)
            or len(columns) != len(KeyField)
            or any(len(column) != 2 or len(column[0]) != len(column[1]) for column in columns)
        ):
            raise IndexDamaged("index search data has the wrong shape")
        data = cls()
        data._columns = [(list(keys), list(rows)) for keys, rows in columns]
        return data


def _packed(rows: list[int]) -> Packed:
    return rows[0] if len(rows) == 1 else array.array("I", rows).tobytes()


def row_array(rows: Packed) -> array.array[int]:
    """The row ids of one key as an array."""
    if isinstance(rows, int):
        return array.array("I", (rows,))
    unpacked = array.array("I")
    unpacked.frombytes(rows)
    return unpacked
