"""Where the journal folder is, and its listing: entry file names, sizes and mtimes.

Every command that reads the index compares the folder with the listing stored in it, which
takes a `stat` per file. The index keeps the listing as bytes in pieces of CHUNK files, one row
each, so that an unchanged folder is a comparison of bytes, and an edit unpacks and rewrites only
the pieces it touched.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Mapping, Sequence
from typing import Any

ENV_VAR = "WATCHBOOK_JOURNAL"
SUFFIX = ".toml"
Stat = tuple[int, int]


def journal_folder(
    explicit: str | os.PathLike[str] | None, environ: Mapping[str, str], cwd: str
) -> tuple[str, str]:
    """(folder, what chose it): --journal, else $WATCHBOOK_JOURNAL, else ./journal, else user data."""
    if explicit:
        return os.path.expanduser(os.fspath(explicit)), "--journal"
    if environ.get(ENV_VAR):
        return os.path.expanduser(environ[ENV_VAR]), f"${ENV_VAR}"
    local = os.path.join(cwd, "journal")
    if os.path.isdir(local):
        return local, "./journal in the current folder"
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("watchbook"), "journal"), "the user data folder"


_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NONBLOCK", 0)

# Files per piece of a listing's bytes (see listing_bytes).
CHUNK = 256


class ListingChanges:
    """What differs between two listings: files added or changed (with their new stats), files
    removed, and which piece of the new listing holds each changed file."""

    __slots__ = ("changed", "pieces", "removed")

    def __init__(self, changed: dict[str, Stat], pieces: dict[str, int], removed: set[str]) -> None:
        self.changed, self.pieces, self.removed = changed, pieces, removed


class Listing:
    """A folder's listing: as the bytes the index stores and compares, and as a dict on demand."""

    __slots__ = ("_files", "_raw")

    def __init__(self, *, raw: bytes | None = None, files: dict[str, Stat] | None = None) -> None:
        self._raw, self._files = raw, files

    @property
    def raw(self) -> bytes:
        """The listing as bytes (see listing_bytes)."""
        if self._raw is None:
            self._raw = listing_bytes(self.files)
        return self._raw

    @property
    def files(self) -> dict[str, Stat]:
        """Entry file name -> (size, mtime_ns), in folder order."""
        if self._files is None:
            self._files = listing_files(self.raw)
        return self._files


def read_listing(path: str | os.PathLike[str]) -> Listing:
    """The folder's listing as it is now (empty when there is no folder)."""
    return Listing(files=scan_folder(path))


def scan_folder(path: str | os.PathLike[str]) -> dict[str, Stat]:
    """Entry file name -> (size, mtime_ns), as journal.files() sees the folder, in folder order."""
    try:
        # O_DIRECTORY: a named pipe or a device given as the journal is refused at once
        # (opening a pipe for reading would wait for a writer forever).
        folder = os.open(path, _FOLDER_FLAGS)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    try:
        names = [n for n in os.listdir(folder) if n.endswith(SUFFIX) and n[0] != "."]
        return dict(zip(names, _stats(folder, names), strict=True))
    finally:
        os.close(folder)


def _stats(folder: int, names: list[str]) -> list[Stat]:
    """(size, mtime_ns) of files in a folder, or (-1, -1) for one that cannot be read."""
    # A stat per file is the whole cost of a warm command on a big journal: no more, and as
    # little Python around each one as possible.
    stat = os.stat
    found: list[Stat] = []
    for name in names:
        try:
            info = stat(name, dir_fd=folder)
            found.append((info.st_size, info.st_mtime_ns))
        except OSError:
            found.append((-1, -1))
    return found


def listing_bytes(listing: dict[str, Stat]) -> bytes:
    """A listing as bytes, in its order: what the index compares with the pieces it stores."""
    # Marshal version 2 has no back-references, so equal listings give equal bytes.
    return marshal.dumps((len(listing), split_listing(listing)), 2)


def split_listing(listing: dict[str, Stat]) -> tuple[bytes, ...]:
    """A listing's pieces, CHUNK files each, in its order: what the index stores, a row each."""
    # Each piece marshalled apart, so that the few pieces an edit changes are found and
    # unpacked alone (listing_changes).
    from watchbook.tricks import enabled

    # Without the trick: one piece, so that any change unpacks the whole listing.
    size = CHUNK if enabled("listing-pieces") else max(1, len(listing))
    items = list(listing.items())
    return tuple(
        marshal.dumps(dict(items[start : start + size]), 2) for start in range(0, len(items), size)
    )


def _loads(data: bytes) -> Any:
    try:
        return marshal.loads(data)
    except (EOFError, TypeError) as exc:
        raise ValueError(f"damaged listing: {exc}") from None


def listing_pieces(raw: bytes) -> tuple[int, tuple[bytes, ...]]:
    """The number of files in a listing's bytes, and its pieces (ValueError when it is not one)."""
    value = _loads(raw)
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], tuple)):
        raise ValueError("not a listing")
    return value


def _piece(data: bytes) -> dict[str, Stat]:
    files = _loads(data)
    if not isinstance(files, dict):
        raise ValueError("not a piece of a listing")
    return files


def listing_files(raw: bytes) -> dict[str, Stat]:
    """The listing listing_bytes() wrote, as a dict (ValueError when it is not one)."""
    files: dict[str, Stat] = {}
    for piece in listing_pieces(raw)[1]:
        files.update(_piece(piece))
    return files


def listing_changes(old: Sequence[bytes], new: Sequence[bytes]) -> ListingChanges:
    """What changed from one listing's pieces to another's, unpacking only the pieces that differ."""
    old_part: dict[str, Stat] = {}
    new_part: dict[str, Stat] = {}
    pieces: dict[str, int] = {}
    for number in range(max(len(old), len(new))):
        old_piece = old[number] if number < len(old) else None
        new_piece = new[number] if number < len(new) else None
        if old_piece == new_piece:
            continue
        # A file in a piece that differs is in no equal piece of the other listing (names are
        # unique and equal pieces hold the same names), so comparing these pieces is enough.
        if old_piece is not None:
            old_part.update(_piece(old_piece))
        if new_piece is not None:
            files = _piece(new_piece)
            new_part.update(files)
            pieces.update(dict.fromkeys(files, number))
    changed = {name: stat for name, stat in new_part.items() if old_part.get(name) != stat}
    removed = old_part.keys() - new_part.keys()
    return ListingChanges(changed, {n: pieces[n] for n in changed}, removed)


def patched_pieces(
    parts: Sequence[bytes], stats: dict[str, Stat], pieces: dict[str, int]
) -> tuple[bytes, ...]:
    """A listing's pieces with some files' stats replaced (their pieces as listing_changes says)."""
    new_parts = list(parts)
    for number in sorted({pieces[name] for name in stats}):
        files = _piece(new_parts[number])
        files.update({name: stats[name] for name in files.keys() & stats.keys()})
        new_parts[number] = marshal.dumps(files, 2)
    return tuple(new_parts)
