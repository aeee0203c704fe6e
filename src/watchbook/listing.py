"""Where the journal folder is, and its listing: entry file names, sizes and mtimes.

Every command that reads the index compares the folder with the listing stored in it, which
takes a `stat` per file: 30-80 ms for 10,000 files, as much as the rest of a warm search. So
`python -m watchbook` and the `watchbook` script start a child process that lists the folder
before Python imports Typer and the rest (about 100 ms), and the index takes the listing from
it (like git's preloaded index, on the other core). A folder of 20,000 files or more is
stat'ed by two processes, half each. This module stays cheap to import for that reason: the
standard library's os and marshal only.
"""

from __future__ import annotations

import marshal
import os
import sys

# Not typing.TYPE_CHECKING: importing typing would delay the read-ahead by several ms.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

ENV_VAR = "WATCHBOOK_JOURNAL"
SUFFIX = ".toml"
Stat = tuple[int, int]

# Commands that read the index without writing to the journal (and every completion request).
# The others may wait for a person (an editor, a question) or write files first, and list the
# folder themselves.
READ_AHEAD_COMMANDS = frozenset({"show", "list", "search", "recommend", "stats", "check", "export"})
_JOURNAL_OPTIONS = ("-j", "--journal")
# Set by the shell when it asks for completions (see `watchbook --show-completion`).
COMPLETE_VAR = "_WATCHBOOK_COMPLETE"


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


# Files per piece of a listing's bytes (see listing_bytes).
CHUNK = 256


class ListingChanges:
    """What differs between two listings: files added or changed (with their new stats), files
    removed, and which piece of the new listing holds each changed file."""

    __slots__ = ("changed", "pieces", "removed", "total")

    def __init__(self, changed: dict[str, Stat], pieces: dict[str, int], removed: set[str],
                 total: int) -> None:  # fmt: skip
        self.changed, self.pieces, self.removed, self.total = changed, pieces, removed, total


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
    """The folder's listing: the one read ahead for this folder if there is one, else a new one."""
    ahead = _take_read_ahead(os.fspath(path))
    return Listing(raw=ahead) if ahead is not None else Listing(files=_scan(path))


def scan_folder(path: str | os.PathLike[str]) -> dict[str, Stat]:
    """Entry file name -> (size, mtime_ns), as journal.files() sees the folder, in folder order."""
    return read_listing(path).files


def _scan(path: str | os.PathLike[str]) -> dict[str, Stat]:
    try:
        folder = os.open(path, os.O_RDONLY)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    try:
        names = [n for n in os.listdir(folder) if n.endswith(SUFFIX) and n[0] != "."]
        if len(names) < SPLIT_MIN or not _can_fork():
            return dict(zip(names, _stats(folder, names), strict=True))
        # The second half in a forked helper, on the other core (threads do not help: the
        # Python around each call holds the GIL longer than the system call lets it go).
        half = len(names) // 2
        helper = _forked(lambda: marshal.dumps(_stats(folder, names[half:]), 2))
        found = _stats(folder, names[:half] if helper else names)
        if helper:
            try:
                theirs = marshal.loads(helper.result())
            except (EOFError, ValueError, TypeError):
                theirs = None
            if not isinstance(theirs, list) or len(theirs) != len(names) - half:
                theirs = _stats(folder, names[half:])  # the helper failed: do its half too
            found += theirs
        return dict(zip(names, found, strict=True))
    finally:
        os.close(folder)


# From this many entry files, two processes stat them (a warm search of 100,000 files waits
# about 0.6 s for the stats alone; fewer are listed while Python imports the rest anyway).
SPLIT_MIN = 20_000


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
    """A listing as bytes, in its order: what the index stores and compares in one go."""
    # In pieces of CHUNK files, each marshalled apart, so that the few pieces an edit changes
    # are found and unpacked alone (listing_changes). Marshal version 2 has no back-references,
    # so equal listings give equal bytes.
    items = list(listing.items())
    pieces = tuple(
        marshal.dumps(dict(items[start : start + CHUNK]), 2)
        for start in range(0, len(items), CHUNK)
    )
    return marshal.dumps((len(items), pieces), 2)


def _loads(data: bytes) -> Any:
    try:
        return marshal.loads(data)
    except (EOFError, TypeError) as exc:
        raise ValueError(f"damaged listing: {exc}") from None


def _pieces(raw: bytes) -> tuple[int, tuple[bytes, ...]]:
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
    for piece in _pieces(raw)[1]:
        files.update(_piece(piece))
    return files


def listing_changes(before: bytes, after: bytes) -> ListingChanges:
    """What changed from one listing's bytes to another's, unpacking only the pieces that differ."""
    _total, old = _pieces(before)
    total, new = _pieces(after)
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
    return ListingChanges(changed, {n: pieces[n] for n in changed}, removed, total)


def patched_listing(raw: bytes, stats: dict[str, Stat], pieces: dict[str, int]) -> bytes:
    """A listing's bytes with some files' stats replaced (their pieces as listing_changes says)."""
    total, parts = _pieces(raw)
    new_parts = list(parts)
    for number in sorted({pieces[name] for name in stats}):
        files = _piece(new_parts[number])
        files.update({name: stats[name] for name in files.keys() & stats.keys()})
        new_parts[number] = marshal.dumps(files, 2)
    return marshal.dumps((total, tuple(new_parts)), 2)


# --- reading ahead ------------------------------------------------------------------------------


class _Forked:
    """A child process writing bytes into an anonymous in-memory file, for the parent to take."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    def result(self) -> bytes:
        """What the child wrote (b"" if it failed); waits for it to end."""
        try:
            _pid, status = os.waitpid(self.pid, 0)
            return os.pread(self.fd, os.fstat(self.fd).st_size, 0) if status == 0 else b""
        except OSError:
            return b""
        finally:
            os.close(self.fd)


def _forked(work: Callable[[], bytes], detach: bool = False) -> _Forked | None:
    """Run `work` in a forked child that writes its bytes down and leaves; None if no fork."""
    try:
        # A file in memory rather than a pipe: the child writes it all and ends without waiting
        # for the parent, which reads it in one go when it needs it.
        answer = os.memfd_create("watchbook-listing")
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(answer)
        return None
    if pid == 0:  # the child: work, write it down, leave without Python's exit
        status = 1
        try:
            if detach:
                # Let go of the terminal and any pipe at once: a reader of this command's
                # output (`watchbook list | less`) must not wait for the child to end.
                nothing = os.open(os.devnull, os.O_RDWR)
                for stream in (0, 1, 2):
                    os.dup2(nothing, stream)
            data = memoryview(work())
            while data:
                data = data[os.write(answer, data) :]
            status = 0
        finally:
            os._exit(status)
    return _Forked(pid, answer)


# The child listing the folder ahead (see read_ahead), until its listing is taken.
_pending: _Forked | None = None


def read_ahead(argv: list[str]) -> int | None:
    """List the journal folder in a child process if this command line reads the index: its pid."""
    global _pending
    # Completing reads the index whatever the command (a TAB writes nothing); the child finds
    # --journal among the words being completed.
    completing = bool(os.environ.get(COMPLETE_VAR))
    target = (None,) if completing else read_ahead_target(argv)
    if target is None or not _can_fork():
        return None

    def listing() -> bytes:
        explicit = _completion_journal(os.environ) if completing else target[0]
        folder, _source = journal_folder(explicit, os.environ, os.getcwd())
        return marshal.dumps((folder, listing_bytes(_scan(folder))), 2)

    _pending = _forked(listing, detach=True)
    return _pending.pid if _pending else None


def _take_read_ahead(folder: str) -> bytes | None:
    """The listing read ahead for this folder (once, as bytes), or None."""
    global _pending
    if _pending is None:
        return None
    child, _pending = _pending, None
    try:
        listed, listing = marshal.loads(child.result())
    except (EOFError, ValueError, TypeError):
        return None
    if not isinstance(listing, bytes) or not _same_folder(listed, folder):
        return None
    return listing


def _same_folder(listed: str, wanted: str) -> bool:
    from pathlib import Path

    return Path(listed) == Path(wanted)


def read_ahead_target(argv: list[str]) -> tuple[str | None] | None:
    """(the --journal value, or None) when a command line reads the index only; else None."""
    explicit, command = _journal_and_command(argv)
    return (explicit,) if command in READ_AHEAD_COMMANDS else None


def _journal_and_command(words: list[str]) -> tuple[str | None, str | None]:
    """The --journal value and the command of a command line ("" for an unknown option)."""
    explicit = None
    remaining = iter(words)
    for word in remaining:
        if word in _JOURNAL_OPTIONS:
            explicit = next(remaining, None)
        elif word.startswith("--journal="):
            explicit = word.partition("=")[2]
        elif word.startswith("-j") and not word.startswith("--"):
            explicit = word[2:]
        elif word.startswith("-"):
            return explicit, ""  # --help, --version, or an option this guess does not know
        else:
            return explicit, word
    return explicit, None


def _completion_journal(environ: Mapping[str, str]) -> str | None:
    """The --journal value in a command line being completed (bash, zsh or fish)."""
    import shlex

    line = environ.get("COMP_WORDS") or environ.get("_TYPER_COMPLETE_ARGS") or ""
    for ending in ("", "'", '"'):  # the last word may be a quote still being typed
        try:
            words = shlex.split(line + ending)
            break
        except ValueError:
            continue
    else:
        words = line.split()
    return _journal_and_command(words[1:])[0]


def _can_fork() -> bool:
    # Like the index's parallel rebuild: fork on Linux only, where it is cheap and safe this
    # early (one thread, nothing buffered), and only when another core can do the listing.
    # (os.memfd_create is missing where the C library lacks it.)
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1 and hasattr(os, "memfd_create")
