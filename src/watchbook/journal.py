"""The journal folder: where it is, reading and atomically writing entry files, slugs, the lock."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from watchbook.entry import Entry
from watchbook.entry_file import MAX_FILE_BYTES, encode_entry, parse_entry
from watchbook.errors import (
    AlreadyExists,
    Conflict,
    InvalidFile,
    NotFound,
    UnsafePath,
    WriteFailed,
)
from watchbook.listing import SUFFIX, journal_folder
from watchbook.text import has_control_chars

STATE_DIR = ".watchbook"
MAX_SLUG = 80
LOCK_TIMEOUT = 15.0
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{p}{n}" for p in ("com", "lpt") for n in range(10)
}
# Patterns only the rare paths use stay strings: `re` compiles (and keeps) them when first used.
# A title on a line of its own, in a file that may not parse as a whole.
_TITLE_LINE = r"""(?m)^[ \t]*title[ \t]*=[ \t]*(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)')"""
# Written with O_NOFOLLOW: a link planted in the journal or its cache is never written through.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
GITIGNORE_TEXT = "# watchbook's cache and lock: rebuilt on demand, never committed\n*\n"
# Where `edit` keeps what the user wrote when the file changed on disk meanwhile.
SIDE_SUFFIX = ".edited"
# What _write_temp names its temporary files: '.<slug>.toml.<random>.tmp' (and for a side
# copy, '.<slug>.toml.edited.<random>.tmp').
_TEMP_NAME = r"^\..+\.toml(?:\.edited(?:-\d+)?)?\.[a-z0-9_]+\.tmp$"
# Lock files this process holds, with how deeply, so a nested lock() does not wait on itself.
_HELD_LOCKS: dict[tuple[str, int], int] = {}


class Location(NamedTuple):
    """The journal folder in use and what chose it."""

    path: Path
    source: str


def locate(
    explicit: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Location:
    """--journal, else $WATCHBOOK_JOURNAL, else ./journal if it exists, else the user data folder."""
    folder, source = journal_folder(
        explicit, os.environ if env is None else env, os.fspath(cwd or Path.cwd())
    )
    return Location(Path(folder), source)


def make_slug(title: str, year: int | None = None) -> str:
    """Lowercase ASCII words joined by '-', plus '-<year>'; never empty, never a path."""
    from slugify import slugify

    base = slugify(
        title, max_length=MAX_SLUG, word_boundary=True, replacements=[["'", ""], ["’", ""]]
    )
    if not base:
        # Titles with no Latin transliteration (emoji, symbols) still get a stable readable id.
        import hashlib

        base = "untitled-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
    if base in _WINDOWS_RESERVED and not year:
        # CON.toml and friends cannot be created on Windows; con-2020.toml can.
        base = f"{base}-title"
    return f"{base}-{year}" if year else base


def digest(data: bytes) -> tuple[int, int]:
    """Content fingerprint used to notice a file changed since this process read it."""
    # Compared within one process only, so Python's own keyed 64-bit hash of the bytes serves
    # as well as a cryptographic digest, and costs no import (hashlib takes 3-5 ms to load).
    return len(data), hash(data)


class LoadResult:
    """Every readable entry, and a problem for each file that could not be read."""

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.problems: list[InvalidFile] = []


class Journal:
    """A folder of `<slug>.toml` entry files."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # Digest of each file's bytes when this process read it: a rewrite checks it first.
        self._read_digests: dict[str, tuple[int, int]] = {}
        # Files that could not be read, by name, so the CLI can warn about each once.
        self.problems: dict[str, InvalidFile] = {}
        # Set when the index cache could not be used and the files were read directly.
        self.cache_note: str | None = None

    @property
    def state_dir(self) -> Path:
        """Watchbook's own cache folder inside the journal, kept out of git."""
        return self.path / STATE_DIR

    def ensure(self) -> None:
        """Create the journal folder and its state folder (with a .gitignore) if missing."""
        self.check_folder()
        problem = self.state_problem()
        if problem:
            raise UnsafePath(f"{problem}; remove it and watchbook will recreate it")
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            # Created only if nothing (not even a link) has the name: never written through.
            fd = os.open(self.state_dir / ".gitignore", _CREATE, 0o644)
            with os.fdopen(fd, "w") as ignore:
                ignore.write(GITIGNORE_TEXT)

    def check_folder(self) -> None:
        """UnsafePath when the journal path exists but is not a folder (a file, a pipe, a device)."""
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISDIR(os.stat(self.path).st_mode):
                raise UnsafePath(f"the journal path {self.path} is not a folder")

    def state_problem(self) -> str | None:
        """Why the state folder cannot be used, or None when it is a plain folder or absent."""
        try:
            mode = os.lstat(self.state_dir).st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISDIR(mode):
            return None
        # A link here (say, committed to a shared git journal) would send the lock, the index
        # and the .gitignore into someone else's folder.
        what = "a link" if stat.S_ISLNK(mode) else "not a folder"
        return f"{self.state_dir} must be watchbook's own folder, and is {what}"

    def path_for(self, slug: str) -> Path:
        """The file of a slug; refuses anything that would leave the journal folder."""
        if (
            not slug
            or "/" in slug
            or "\\" in slug
            or slug.startswith(".")
            or has_control_chars(slug)
        ):
            raise UnsafePath(f"not a valid entry id: {slug!r}")
        return self.path / f"{slug}{SUFFIX}"

    def files(self) -> list[Path]:
        """Entry files directly in the folder, sorted by name (hidden and temporary files skipped)."""
        if not self.path.is_dir():
            return []
        return sorted(
            p for p in self.path.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith(".")
        )

    def read_path(self, path: Path) -> Entry:
        """Read one entry file; InvalidFile if it cannot be used (and it is then never rewritten)."""
        name = path.name
        slug = name[: -len(SUFFIX)]
        if has_control_chars(name):
            # Such a name cannot be printed safely, stored in the index, or typed as an id.
            raise InvalidFile(
                printable_name(name),
                "has control characters or bytes that are not UTF-8 in its name; rename it",
            )
        # One lstat for the common case, a plain file; a link is followed only inside the journal.
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            mode = self._link_target_mode(path)
        if not stat.S_ISREG(mode):
            raise InvalidFile(name, "is not a regular file")
        with open(path, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            # Read whole (a read of the limit's size would allocate 2 MB for every file), and
            # measured again in case it grew meanwhile.
            data = file.read() if size <= MAX_FILE_BYTES else b""
        if size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
            raise InvalidFile(
                name,
                f"is {max(size, len(data)):,} bytes; entry files are limited to {MAX_FILE_BYTES:,}",
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InvalidFile(name, "is not UTF-8 text", line) from None
        entry = parse_entry(text, slug, name)
        self._read_digests[slug] = digest(data)
        return entry

    def stated_title(self, name: str) -> str | None:
        """The title a file that does not parse still states on a line of its own, if any."""
        # Read only to tell which entry a QUERY means (search.resolve_entry), never to use.
        path = self.path / name
        try:
            if not stat.S_ISREG(os.lstat(path).st_mode):
                return None
            with open(path, "rb") as file:
                # (utf-8-sig: a file may open with a byte order mark, as read_path allows.)
                head = file.read(64 * 1024).decode("utf-8-sig", "replace")
        except OSError:
            return None
        found = re.search(_TITLE_LINE, head)
        if found is None:
            return None
        return found.group(1) if found.group(1) is not None else found.group(2)

    def _link_target_mode(self, path: Path) -> int:
        """The mode of what a link in the journal points to (0 for nothing); InvalidFile if outside."""
        try:
            target = os.path.realpath(path, strict=True)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise InvalidFile(
                    path.name, "is a link that loops back on itself; not followed"
                ) from None
            target = os.path.realpath(path)  # a link to nothing: where it would lead
        if not Path(target).is_relative_to(os.path.realpath(self.path)):
            raise InvalidFile(path.name, "is a link to a file outside the journal; not followed")
        try:
            return os.stat(path).st_mode
        except OSError:
            return 0  # a link to nothing

    def get(self, slug: str) -> Entry:
        """The entry with this slug; NotFound if there is no such file."""
        path = self.path_for(slug)
        if not path.exists() and not path.is_symlink():
            raise NotFound(f"no entry with id {slug!r} in {self.path}")
        return self.read_path(path)

    def load_all(self) -> LoadResult:
        """Read every entry file; unreadable ones become problems and the rest still load."""
        result = self.read_files(path.name for path in self.files())
        self.problems.update((p.path, p) for p in result.problems)
        return result

    def read_files(self, names: Iterable[str]) -> LoadResult:
        """Read these entry files, in name order; unreadable ones become problems."""
        result = LoadResult()
        for name in sorted(names):
            try:
                result.entries.append(self.read_path(self.path / name))
            except InvalidFile as problem:
                result.problems.append(problem)
            except FileNotFoundError:
                continue  # removed since the folder was listed (a racing `rm`): nothing to report
            except OSError as exc:
                result.problems.append(InvalidFile(name, f"cannot be read: {exc.strerror or exc}"))
        return result

    def new_slug(self, title: str, year: int | None) -> str:
        """A slug for a new entry that no existing file uses ('-2', '-3' on a clash)."""
        base = make_slug(title, year)
        taken = {p.name[: -len(SUFFIX)].casefold() for p in self.files()}
        slug, n = base, 2
        while slug.casefold() in taken:
            slug, n = f"{base}-{n}", n + 1
        return slug

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the journal's write lock (one writer at a time across processes; re-entrant)."""
        from filelock import FileLock, Timeout

        self.ensure()
        lock_path = self.state_dir / "journal.lock"
        key = (
            os.path.join(os.path.realpath(self.state_dir), "journal.lock"),
            threading.get_ident(),
        )
        if _HELD_LOCKS.get(key):
            # flock() locks are per open file, so a second FileLock here would wait on ourselves.
            _HELD_LOCKS[key] += 1
            try:
                yield
            finally:
                _HELD_LOCKS[key] -= 1
            return
        problem = _not_plain_file(lock_path)
        if problem:
            raise UnsafePath(f"{lock_path} is {problem}; remove it and watchbook will recreate it")
        try:
            with FileLock(str(lock_path), timeout=LOCK_TIMEOUT):
                _HELD_LOCKS[key] = 1
                try:
                    self._remove_stale_temps()
                    yield
                finally:
                    del _HELD_LOCKS[key]
        except Timeout:
            raise Conflict(
                f"another watchbook process has held the journal lock for {LOCK_TIMEOUT:g}s; try again"
            ) from None

    def _remove_stale_temps(self) -> None:
        """Delete temporary files a killed writer left; safe only while holding the lock."""
        # Every write happens under the lock, so no temp file can be in use by anyone else now.
        for path in self.path.iterdir():
            if re.match(_TEMP_NAME, path.name) and path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    path.unlink()

    def create(self, entry: Entry) -> Path:
        """Write a new entry file; AlreadyExists if its slug is taken. Never replaces a file."""
        self.ensure()
        path = self.path_for(entry.slug)
        data = encode_entry(entry)
        if not self._link_new(path, data):
            raise AlreadyExists(f"{path.name} already exists in the journal")
        self._read_digests[entry.slug] = digest(data)
        return path

    def _link_new(self, path: Path, data: bytes) -> bool:
        """Give a new file these bytes under this name, atomically; False if the name is taken."""
        tmp = self._write_temp(path, data, mode=0o644)
        try:
            # link() fails if the target exists, so two writers can never clobber each other.
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError as exc:
            raise WriteFailed(str(path), exc.strerror or str(exc)) from None
        finally:
            os.unlink(tmp)
        _fsync_dir(self.path)
        return True

    def save_aside(self, slug: str, data: bytes) -> Path:
        """Keep bytes in a new file beside an entry (`<slug>.toml.edited`, `-2`...), never an entry."""
        base = self.path_for(slug)
        n = 1
        while True:
            side = base.with_name(base.name + SIDE_SUFFIX + (f"-{n}" if n > 1 else ""))
            if self._link_new(side, data):
                return side
            n += 1

    def update(self, entry: Entry) -> Path:
        """Atomically rewrite an entry this process read; Conflict if the file changed since."""
        path = self.path_for(entry.slug)
        self._check_unchanged(entry.slug, path)
        self._replace(entry.slug, path, encode_entry(entry))
        return path

    def save_text(self, slug: str, data: bytes, expected: bytes) -> Path:
        """Replace an entry file with bytes written by hand, only if it still holds `expected`."""
        path = self.path_for(slug)
        self._read_digests[slug] = digest(expected)
        self._check_unchanged(slug, path)
        self._replace(slug, path, data)
        return path

    def _replace(self, slug: str, path: Path, data: bytes) -> None:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        tmp = self._write_temp(path, data, mode=mode)
        with _removed_on_failure(tmp, path):
            # Checked again right before the rename: an editor may have saved the file while
            # the temporary copy was written and synced (which can take a while on a slow disk).
            self._check_unchanged(slug, path)
            os.replace(tmp, path)
        _fsync_dir(self.path)
        self._read_digests[slug] = digest(data)

    def delete(self, slug: str) -> Path:
        """Remove an entry file this process read; Conflict if it changed since."""
        path = self.path_for(slug)
        self._check_unchanged(slug, path)
        path.unlink()
        _fsync_dir(self.path)
        self._read_digests.pop(slug, None)
        return path

    def _check_unchanged(self, slug: str, path: Path) -> None:
        expected = self._read_digests.get(slug)
        if expected is None:
            raise Conflict(f"{path.name} was not read before being rewritten; nothing was changed")
        self.refuse_link(path)
        if not path.is_file():
            raise Conflict(f"{path.name} is no longer a regular file; nothing was changed")
        if digest(path.read_bytes()) != expected:
            raise Conflict(
                f"{path.name} was changed by someone else since it was read; nothing was changed"
            )

    def refuse_link(self, path: Path) -> None:
        """UnsafePath if an entry file is a link: watchbook never writes or deletes through one."""
        if path.is_symlink():
            # Waiting and trying again would never help, so this is not a Conflict.
            raise UnsafePath(
                f"{path.name} is a link to {printable_name(os.readlink(path))}, and watchbook "
                "never writes or deletes through a link; nothing was changed (change the file "
                "it points to, or replace the link with a copy)"
            )

    def _write_temp(self, path: Path, data: bytes, mode: int) -> str:
        import tempfile

        try:
            fd, tmp = tempfile.mkstemp(dir=self.path, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise WriteFailed(str(path), exc.strerror or str(exc)) from None
        # A full disk or a file size limit: WriteFailed says which file, and that none changed.
        with _removed_on_failure(tmp, path):
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, mode)
        return tmp


@contextlib.contextmanager
def _removed_on_failure(tmp: str, path: Path) -> Iterator[None]:
    """Remove the temporary file when the block fails; an OSError becomes WriteFailed for path."""
    try:
        yield
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteFailed(str(path), exc.strerror or str(exc)) from None
        raise


def printable_name(name: str) -> str:
    """A file name safe to print: undecodable bytes and control characters as escapes."""
    text = os.fsencode(name).decode("utf-8", "backslashreplace")
    return "".join(ascii(ch)[1:-1] if has_control_chars(ch) else ch for ch in text)


def _not_plain_file(path: Path) -> str | None:
    """What a path that should be a regular file (or absent) is instead, or None."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISREG(mode):
        return None
    return "a link" if stat.S_ISLNK(mode) else "not a regular file"


def _fsync_dir(path: Path) -> None:
    # Make the rename itself durable; some filesystems cannot open a folder for this.
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
