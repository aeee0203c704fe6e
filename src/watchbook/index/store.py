"""The index file of one journal: opening it, keeping it fresh, rebuilding it when it cannot be trusted.

Readers never wait (WAL); one writer at a time patches the index under SQLite's write lock, and
rebuilding from scratch also takes `index.lock`.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from watchbook.errors import Conflict, NotFound
from watchbook.index.codec import IndexDamaged
from watchbook.index.schema import (
    BUSY_TIMEOUT,
    INDEX_NAME,
    LOCK_NAME,
    LOCK_TIMEOUT,
    SCHEMA_VERSION,
    TABLES,
    stored_pieces,
)
from watchbook.index.view import IndexView
from watchbook.listing import Listing, Stat, listing_changes, listing_pieces, read_listing

if TYPE_CHECKING:
    import sqlite3

    from watchbook.index import Progress
    from watchbook.index.catalog import Catalog
    from watchbook.journal import Journal

# Past this share of changed files, rebuilding everything is faster than patching.
REBUILD_SHARE = 0.3
# The files of the index in the state folder (the lock, the database and SQLite's own).
CACHE_FILES = (LOCK_NAME, INDEX_NAME, *(f"{INDEX_NAME}{s}" for s in ("-wal", "-shm", "-journal")))

_T = TypeVar("_T")


def damage() -> tuple[type[Exception], ...]:
    """What reading a damaged index raises: the caller rebuilds it and tries again (unless
    is_busy says it is only held by another process)."""
    import sqlite3

    # Only these: a bug in a reader (a KeyError, say) must show, not turn into a rebuild.
    return (IndexDamaged, sqlite3.DatabaseError)


def is_busy(exc: BaseException) -> bool:
    """Whether an SQLite error says another connection held a lock past the wait: no damage."""
    import sqlite3

    if not isinstance(exc, sqlite3.OperationalError):
        return False
    # The primary code, under the extended one (SQLITE_BUSY_SNAPSHOT is BUSY too).
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def open_index(
    journal: Journal,
    progress: Progress | None = None,
    *,
    rebuild: bool = False,
    links: bool = True,
) -> IndexView:
    """An up-to-date, read-only view of the index (rebuilt first when asked or needed)."""
    return Index(journal, progress).view(rebuild=rebuild, links=links)


def read_index(
    journal: Journal,
    read: Callable[[IndexView], _T],
    progress: Progress | None = None,
    *,
    links: bool = True,
) -> _T:
    """Run `read` on an up-to-date view of the index, rebuilt once if it turns out damaged.

    `links=False` when `read` needs no links (see Index.view).
    """
    for rebuild in (False, True):
        view = open_index(journal, progress, rebuild=rebuild, links=links)
        try:
            return read(view)
        except damage() as exc:
            if is_busy(exc):
                break  # another process holds the index (deriving links): not damage
            if rebuild:
                raise
        finally:
            view.close()
    view = Index(journal, progress).busy_view(links)
    try:
        return read(view)
    finally:
        view.close()


def load_catalog(
    journal: Journal, progress: Progress | None = None, *, links: bool = True
) -> Catalog:
    """The journal as a Catalog, from the index (brought up to date first; see Index.view)."""
    try:
        return open_index(journal, progress, links=links).catalog()
    except damage() as exc:
        if is_busy(exc):
            return Index(journal, progress).busy_view(links).catalog()
        return open_index(journal, progress, rebuild=True, links=links).catalog()


def reindex(journal: Journal, progress: Progress | None = None) -> IndexView:
    """Rebuild the index from the TOML files (never needed, but reassuring)."""
    return open_index(journal, progress, rebuild=True)


class Index:
    """The index file of one journal."""

    def __init__(self, journal: Journal, progress: Progress | None = None) -> None:
        self.journal = journal
        self.progress = progress
        self.path = journal.state_dir / Path(INDEX_NAME)

    # -- connections

    def _connect(self, path: str) -> sqlite3.Connection:
        import sqlite3

        # Another process's write is waited for BUSY_TIMEOUT; then is_busy(), and the command
        # reads the files directly.
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        # With WAL, NORMAL never corrupts; a crash may only lose the last update of a cache
        # that is checked against the files on every run anyway.
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _open_existing(self) -> sqlite3.Connection | None:
        """A connection to a trustworthy index file, or None when it must be rebuilt."""
        import sqlite3

        if not self.path.is_file():
            return None
        try:
            conn = self._connect(str(self.path))
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            if version != SCHEMA_VERSION or not tables.issuperset(TABLES):
                conn.close()
                return None
            return conn
        except sqlite3.DatabaseError:
            return None

    def view(self, rebuild: bool = False, links: bool = True) -> IndexView:
        """Bring the index up to date and return a read view of it, with its links.

        `links=False`: the caller reads no links, so a build may leave them for later (and a
        reader of them derives them then; see IndexView.require_links).
        """
        from watchbook.tricks import enabled

        links = links or not enabled("lazy-links")
        self.journal.check_folder()
        if not self.journal.path.is_dir():
            # Reading must not create folders, and an empty answer would hide a mistyped path.
            raise NotFound(
                f"there is no journal folder at {self.journal.path}; create it with "
                "`watchbook init`, or add a first entry with `watchbook add`"
            )
        from watchbook.readahead import take

        ahead = take(self.journal.path)
        listed = Listing(raw=ahead) if ahead is not None else read_listing(self.journal.path)
        problem = self.journal.state_problem() or self._cache_problem()
        if problem:
            return self._fallback(listed.files, links, problem)
        for _attempt in range(3):
            try:
                conn = None if rebuild else self._open_existing()
                if conn is not None:
                    view = IndexView(conn, self.journal, self.progress)
                    if view.listing_matches(listed):
                        return _with_links(view) if links else view
                    # The same connection patches it, once its read snapshot is over: closing
                    # it would checkpoint the log, and opening another costs as much again.
                    conn.execute("ROLLBACK")
                view = self._update(listed, rebuild, conn, links)
                return _with_links(view) if links else view
            except damage() as exc:
                if is_busy(exc):
                    # Held by another process (suspended mid-write, say), not damaged: a
                    # rebuild would remove the index from under it.
                    return self.busy_view(links, listed.files)
                # Damaged beyond what an update repairs: start from nothing.
                rebuild, problem = True, f"it could not be rebuilt: {exc}"
            except Conflict:
                # Another process holds the index for too long: answer from memory instead.
                return self.busy_view(links, listed.files)
            except OSError as exc:
                if not self._writable():
                    # A read-only journal: an in-memory index is the normal way to read it.
                    return self._memory_view(listed.files, links)
                # Say the state folder was deleted meanwhile: the next try builds it again.
                rebuild = True
                where = f"{exc.filename}: " if exc.filename else ""
                problem = f"{where}{exc.strerror or exc}"
        return self._fallback(listed.files, links, problem or "it could not be opened")

    def _cache_problem(self) -> str | None:
        """Why the index files cannot be used; a link among them is removed (never followed)."""
        for name in CACHE_FILES:
            path = self.journal.state_dir / name
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if stat.S_ISLNK(mode):
                # The cache folder is watchbook's own: a link in it is damage, and removing the
                # link (never what it points to) lets the index be rebuilt as a plain file.
                with contextlib.suppress(OSError):
                    os.unlink(path)
            elif not stat.S_ISREG(mode):
                return f"{path} is not a regular file"
        return None

    def _fallback(self, listing: dict[str, Stat], links: bool, problem: str) -> IndexView:
        """An in-memory index when the one on disk cannot be used, and a note saying so."""
        self.journal.cache_note = (
            f"could not use the index cache: {problem}; read the files directly instead "
            f"(remove {self.journal.state_dir} and the next command rebuilds it)"
        )
        return self._memory_view(listing, links)

    def busy_view(self, links: bool, listing: dict[str, Stat] | None = None) -> IndexView:
        """An in-memory index, and a note, when another process holds the index too long."""
        self.journal.cache_note = (
            f"another watchbook process has held the index for over {BUSY_TIMEOUT:g}s (one "
            "stopped with Ctrl-Z?); read the files directly instead"
        )
        if listing is None:
            listing = read_listing(self.journal.path).files
        return self._memory_view(listing, links)

    def _writable(self) -> bool:
        try:
            self.journal.ensure()
        except OSError:
            return False
        return os.access(self.journal.state_dir, os.W_OK)

    def _memory_view(self, listing: dict[str, Stat], links: bool) -> IndexView:
        """A throwaway in-memory index (read-only journal, or none yet)."""
        from watchbook.index.build import Builder

        conn = self._connect(":memory:")
        Builder(conn, self.journal, self.progress).build(listing, links)
        return IndexView(conn, self.journal, self.progress)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        from filelock import FileLock, Timeout

        self.journal.ensure()
        try:
            with FileLock(str(self.journal.state_dir / LOCK_NAME), timeout=LOCK_TIMEOUT):
                yield
        except Timeout:
            raise Conflict(
                f"another watchbook process has been updating the index for {LOCK_TIMEOUT:g}s"
            ) from None

    def _update(
        self,
        listed: Listing,
        rebuild: bool,
        conn: sqlite3.Connection | None = None,
        links: bool = True,
    ) -> IndexView:
        """Patch the index for what changed, or rebuild it (under the index lock)."""
        import sqlite3

        if conn is None and not rebuild:
            conn = self._open_existing()
        if conn is None:
            with self._lock():
                # Another process may have rebuilt it while this one waited for the lock.
                conn = None if rebuild else self._open_existing()
                if conn is None:
                    self._build_file(listed.files, links)
                    return IndexView(self._connect(str(self.path)), self.journal, self.progress)
        # A patch needs no lock file: SQLite's write lock lets one writer in at a time, and
        # what changed is worked out again once inside.
        try:
            conn.execute("BEGIN IMMEDIATE")
            stored = stored_pieces(conn)
            try:
                total, pieces = listing_pieces(listed.raw)
                changes = listing_changes(stored, pieces)
            except ValueError as exc:
                raise IndexDamaged(str(exc)) from None
            count = len(changes.changed) + len(changes.removed)
            if not count:
                conn.execute("COMMIT")
            elif count > max(50, REBUILD_SHARE * total):
                from watchbook.index.build import Builder

                conn.execute("ROLLBACK")
                Builder(conn, self.journal, self.progress).build(listed.files, links)
            else:
                from watchbook.index.update import Updater

                Updater(conn, self.journal).apply(stored, pieces, changes)
                conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            conn.close()
            raise
        return IndexView(conn, self.journal, self.progress)

    def _build_file(self, listing: dict[str, Stat], links: bool) -> None:
        """Build a new index beside the old one and move it into place (under the index lock)."""
        # Nobody else can see the new file while it is written, so it is written the cheap way:
        # no rollback journal, no syncing on the way, a big page cache. It is synced once, turned
        # into a WAL database and closed before it replaces the old index.
        import sqlite3

        from watchbook.index.build import Builder

        for stale in self.path.parent.glob(f"{INDEX_NAME}.*.tmp*"):
            # Left by a rebuild that was killed: only a holder of the lock builds.
            with contextlib.suppress(OSError):
                stale.unlink()
        temporary = self.path.with_name(f"{INDEX_NAME}.{os.getpid()}.tmp")
        conn = sqlite3.connect(str(temporary), isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute("PRAGMA cache_size = -65536")
            Builder(conn, self.journal, self.progress).build(listing, links)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.close()
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            self._remove_files()
            os.replace(temporary, self.path)
        except BaseException:
            conn.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(f"{temporary}{suffix}")
            raise

    def _remove_files(self) -> None:
        # Only under the index lock: the database and its WAL files go together, so that a
        # stale WAL is never replayed into a fresh file.
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self.path}{suffix}")


def _with_links(view: IndexView) -> IndexView:
    # Derived now, while the caller's progress bar is up, rather than at the first read.
    try:
        view.require_links()
    except BaseException:
        view.close()
        raise
    return view
