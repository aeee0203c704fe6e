"""The export folder: its marker file, the refusal to write into a stranger's folder, atomic writes.

Rules, all enforced here so that the formats cannot get them wrong:
- every file goes into the folder (`--out`) or one level below it (`years/2017.html`), under a
  name checked against a strict pattern: a subfolder of lowercase letters, digits and '-', a
  plain file name, no `..`, no leading dot; a subfolder that is a link or a file is refused;
  nothing else is ever created or removed;
- a folder that exists, is not empty and has no marker is refused unless `force` is set;
- the marker (`.watchbook-export`) lists, per format, the files the last export wrote; a file is
  removed as stale only when the marker lists it, the new export does not, and it is still a
  regular file (not a link, not a folder);
- each file is written to a temporary file beside it and renamed over the old one, so a reader
  never sees half a page, and a file whose bytes did not change is left alone (its mtime too);
- a format may keep a state file beside the marker (the HTML site's `.watchbook-site`: what
  its pages were made from); an export removes it before writing any page and writes it again
  last, so it never describes pages that an interrupted export left half done.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchbook.errors import FolderNotEmpty, NotAnExport, UnsafePath, WriteFailed

MARKER = ".watchbook-export"
MARKER_HEADER = (
    "# This folder was written by `watchbook export`. Files listed under a format are\n"
    "# watchbook's: the next export of that format rewrites them and removes those whose entry\n"
    "# is gone. Nothing else here is touched. Delete this file and watchbook will refuse to\n"
    "# write here again without --force.\n"
)
# Every name watchbook writes or removes: one plain file name, maybe in one plain subfolder.
SAFE_NAME = re.compile(
    r"^(?:[a-z0-9][a-z0-9-]{0,40}/)?[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9]+)+$"
)
_SECTION = re.compile(r"^\[([a-z0-9-]+)\]$")
# What the temporary files of an interrupted export look like: '.<name>.<random>.tmp'.
_TEMP = re.compile(r"^\.\.?[A-Za-z0-9][A-Za-z0-9_.-]*\.[a-z0-9_]+\.tmp$")
# Never follow a link planted at a temporary name, never reuse an existing file.
_CREATE = (
    os.O_WRONLY
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def check_name(name: str) -> str:
    """A file name that stays directly inside the folder; UnsafePath otherwise."""
    if not SAFE_NAME.match(name) or ".." in name or len(name) > 200:
        raise UnsafePath(f"refusing to write {name!r}: not a plain file name")
    return name


def subfolder(name: str) -> str:
    """The subfolder part of a checked name ('' for a file directly in the folder)."""
    return name.rpartition("/")[0]


def read_marker(text: str) -> dict[str, set[str]]:
    """The files listed under each format in a marker file; unsafe names are dropped."""
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _SECTION.match(line)
        if match:
            current = sections.setdefault(match.group(1), set())
        elif current is not None and SAFE_NAME.match(line) and ".." not in line:
            current.add(line)
    return sections


def format_marker(sections: dict[str, set[str]]) -> bytes:
    """The marker file's bytes: sections and names sorted, so it never changes needlessly."""
    lines = [MARKER_HEADER]
    for section in sorted(sections):
        lines.append(f"\n[{section}]\n")
        lines.extend(f"{name}\n" for name in sorted(sections[section]))
    return "".join(lines).encode("utf-8")


@dataclass
class WriteSummary:
    """What an export did to the folder."""

    folder: Path
    files: list[str] = field(default_factory=list)
    changed: int = 0
    removed: list[str] = field(default_factory=list)
    created: bool = False


class OutputFolder:
    """One export's view of its folder; call `begin`, then `write` each file, then `finish`."""

    def __init__(
        self, path: Path, section: str, *, force: bool = False, state: str | None = None
    ) -> None:
        self.requested = path
        self.section = section
        self.force = force
        self.state = state
        self.root = Path()
        self._existing: set[str] = set()
        # Temporary names are '.<name>.<token>.tmp'; one random token per export.
        self._token = f"{os.getpid()}{secrets.token_hex(4)}"
        self._previous: dict[str, set[str]] = {}
        self._names: list[str] = []
        self._folders: set[str] = set()
        self.summary = WriteSummary(folder=path)

    def begin(self, names: Iterable[str]) -> None:
        """Check or create the folder and record every name this export will write."""
        self._names = sorted({check_name(n) for n in names})
        if MARKER in self._names:
            raise UnsafePath(f"refusing to write {MARKER!r}: that is the marker file")
        path = self.requested
        if path.is_symlink() and not path.exists():
            raise UnsafePath(f"{path} is a link to nothing; remove it or choose another --out")
        if path.exists() and not path.is_dir():
            raise UnsafePath(f"{path} exists and is not a folder; choose another --out")
        if not path.exists():
            path.mkdir(parents=True)
            self.summary.created = True
        # Everything below happens inside this one resolved folder.
        self.root = path.resolve()
        self.summary.folder = self.root
        marker = self.root / MARKER
        # The marker's temporary file is the first thing an export writes: an export killed
        # before renaming it still made this folder.
        ours = _is_regular(marker) or self._marker_temp_left()
        if ours:
            try:
                self._previous = read_marker(marker.read_text(encoding="utf-8"))
            except FileNotFoundError:
                self._previous = {}
            except (OSError, UnicodeDecodeError):
                # An unreadable marker still says the folder is ours; it just lists nothing.
                self._previous = {}
            self._remove_temps(self.root)
        with os.scandir(self.root) as items:
            # One listing, so that writing a file that is not there yet needs no stat() first.
            self._existing = {item.name for item in items}
        if not ours and not self.force and self._existing:
            raise FolderNotEmpty(
                f"{path} is not empty and was not made by watchbook export (it has no "
                f"{MARKER} file); choose an empty or new --out folder, or add --force to "
                "write into it anyway"
            )
        self._open_folders(ours)
        if ours and self.state and _is_regular(self.root / self.state):
            (self.root / self.state).unlink()
        # Listed before any page is written: if this export dies halfway, the next one still
        # knows which files are its own.
        sections = {k: set(v) for k, v in self._previous.items()}
        sections.setdefault(self.section, set()).update(self._names)
        self._write_bytes(MARKER, format_marker(sections))

    def _open_folders(self, ours: bool) -> None:
        """Create the subfolders this export writes into, and list what they hold."""
        listed = {n for names in self._previous.values() for n in names} if ours else set()
        wanted = {subfolder(n) for n in self._names} - {""}
        for folder in sorted(wanted | ({subfolder(n) for n in listed} - {""})):
            path = self.root / folder
            if folder not in self._existing:
                if folder not in wanted:
                    continue
                path.mkdir()
            elif not _is_folder(path):
                if folder not in wanted:
                    # Stale names under a link are left alone: removing them could reach outside.
                    continue
                raise UnsafePath(
                    f"{path} is not a folder (or is a link); remove it or choose another --out"
                )
            self._folders.add(folder)
            if ours:
                self._remove_temps(path)
            with os.scandir(path) as items:
                self._existing.update(f"{folder}/{item.name}" for item in items)

    def had(self, name: str) -> bool:
        """Whether the folder held a file of that name when this export began."""
        return name in self._existing

    def file_times(self) -> dict[str, tuple[int, int]]:
        """The size and modification time of each file of this export, as the folder holds it."""
        found: dict[str, tuple[int, int]] = {}
        root = os.fspath(self.root)
        for name in self._names:
            with contextlib.suppress(OSError):
                info = os.lstat(f"{root}/{name}")
                if stat.S_ISREG(info.st_mode):
                    found[name] = (info.st_size, info.st_mtime_ns)
        return found

    def write_state(self, data: bytes) -> None:
        """Write the state file, after `finish` (what the files just written were made from)."""
        assert self.state is not None
        self._write_bytes(self.state, data)

    def write(self, name: str, data: bytes) -> bool:
        """Write one file atomically unless it already holds these bytes; True if it changed."""
        check_name(name)
        target = self.root / name
        if target.parent != self.root and (
            target.parent.parent != self.root or subfolder(name) not in self._folders
        ):
            raise UnsafePath(f"refusing to write {name!r}: it would leave {self.root}")
        info = None
        if name in self._existing:
            with contextlib.suppress(FileNotFoundError):
                info = target.lstat()
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise UnsafePath(f"{target} is a folder; remove it or choose another --out")
        if info is not None and stat.S_ISREG(info.st_mode) and info.st_size == len(data):
            with contextlib.suppress(OSError):
                if target.read_bytes() == data:
                    return False
        self._write_bytes(name, data)
        self.summary.changed += 1
        return True

    def finish(self) -> WriteSummary:
        """Remove this format's files the last export wrote and this one did not; update the marker."""
        keep = set(self._names)
        others = {n for s, names in self._previous.items() if s != self.section for n in names}
        for name in sorted(self._previous.get(self.section, set()) - keep - others):
            target = self.root / name
            inside = target.parent == self.root or subfolder(name) in self._folders
            if inside and _is_regular(target):
                target.unlink()
                self.summary.removed.append(name)
        for folder in sorted(self._folders - {subfolder(n) for n in keep | others}):
            # A subfolder left empty by the stale pages goes too; one with files of yours stays.
            with contextlib.suppress(OSError):
                (self.root / folder).rmdir()
        sections = {k: set(v) for k, v in self._previous.items()}
        sections[self.section] = keep
        self._write_bytes(MARKER, format_marker(sections))
        self.summary.files = list(self._names)
        return self.summary

    def _write_bytes(self, name: str, data: bytes) -> None:
        folder, _, base = name.rpartition("/")
        _replace(self.root / folder, base, data, self._token)

    def _marker_temp_left(self) -> bool:
        prefix = f".{MARKER}."
        with os.scandir(self.root) as items:
            return any(
                item.name.startswith(prefix)
                and _TEMP.match(item.name) is not None
                and item.is_file(follow_symlinks=False)
                for item in items
            )

    @staticmethod
    def _remove_temps(folder: Path) -> None:
        """Temporary files an interrupted export left behind in its own folder."""
        for item in os.scandir(folder):
            if _TEMP.match(item.name) and item.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(item.path)


def marker_identity(folder: Path) -> tuple[int, int, int] | None:
    """The marker file as it is now (inode, size, mtime): any export that rewrites it changes it."""
    try:
        info = (folder / MARKER).lstat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns) if stat.S_ISREG(info.st_mode) else None


def read_state(folder: Path, name: str) -> bytes | None:
    """A format's state file in an export folder, if there is one (never through a link)."""
    try:
        fd = os.open(folder / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read()
    except OSError:
        return None


def _replace(folder: Path, name: str, data: bytes, token: str) -> None:
    """Put `data` in folder/name through a temporary file renamed over it."""
    # As few system calls as possible (they dominate an export of thousands of pages):
    # create the temporary file exclusively, write, close, rename over the target.
    tmp = folder / f".{name}.{token}.tmp"
    fd = os.open(tmp, _CREATE, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        # rename() replaces a link at the target itself, never the file it points to.
        os.replace(tmp, folder / name)
    except OSError as exc:
        # A full disk or a file size limit: name the file, say what stayed as it was.
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise WriteFailed(
            str(folder / name),
            exc.strerror or str(exc),
            "the journal was not changed, and every file already in the export folder is "
            "whole (run the export again to finish)",
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_file(
    path: Path, data: bytes, ours: Callable[[bytes], bool], *, force: bool = False
) -> WriteSummary:
    """Write a one-file export at `path` itself: its folder is created if missing, and a file
    already there is replaced only if it is an earlier export of the same format (`ours` looks
    at its first bytes) or with `force`."""
    if path.is_symlink():
        raise UnsafePath(f"{path} is a link; choose another --out")
    summary = WriteSummary(folder=path.parent, files=[path.name])
    if path.exists():
        if not path.is_file():
            raise UnsafePath(f"{path} exists and is not a file; choose another --out")
        with path.open("rb") as existing:
            head = existing.read(4096)
        if not ours(head) and not force:
            raise NotAnExport(
                f"{path} exists and is not an export watchbook wrote; choose another --out, "
                "or add --force to replace it"
            )
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return summary
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        summary.created = True
    _replace(path.parent, path.name, data, f"{os.getpid()}{secrets.token_hex(4)}")
    summary.changed = 1
    return summary


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.lstat().st_mode)
    except OSError:
        return False
