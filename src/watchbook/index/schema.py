"""The index's tables, how an entry becomes a row, and the small helpers every writer shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from watchbook.entry import Entry, community_rating, dismissed
from watchbook.index.codec import IndexDamaged, checked, encode_entry, pack, with_checksum
from watchbook.index.searchdata import entry_columns
from watchbook.text import series_key, split_words

if TYPE_CHECKING:
    import sqlite3

    from watchbook.listing import Stat
    from watchbook.mentions import MentionKey

# Bumped whenever what is stored changes shape: an index of another version is rebuilt.
SCHEMA_VERSION = 19
INDEX_NAME = "index.sqlite"
LOCK_NAME = "index.lock"
# How long a rebuild waits for another one (index.lock): a big journal takes a while to build,
# and the one under way is the answer.
LOCK_TIMEOUT = 60.0
# How long a command waits for SQLite's write lock on the index, held by another's patch
# (milliseconds) or links being derived (seconds): past it, the holder is stuck (stopped with
# Ctrl-Z), and the command reads the files directly rather than wait on.
BUSY_TIMEOUT = 15.0
# A file changed this recently may change again within the same mtime tick, unseen: keep
# re-reading it until it is older than this. A tick is a nanosecond on most Linux file systems,
# but a second on ext3, HFS+ and many network mounts and two on FAT, where a file written late
# in a tick looks most of a tick old; three seconds cover those, and a file server's clock a
# little ahead.
RACY_NS = 3_000_000_000

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE listing (piece INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY, slug TEXT NOT NULL UNIQUE, status TEXT, score REAL, last INTEGER,
    year INTEGER, kind TEXT, tags TEXT, tied INTEGER NOT NULL, series TEXT NOT NULL,
    community REAL, running INTEGER NOT NULL, data BLOB NOT NULL
);
CREATE TABLE problems (name TEXT PRIMARY KEY, message TEXT NOT NULL, line INTEGER);
CREATE TABLE mention_keys (
    gram TEXT NOT NULL, slug TEXT NOT NULL, tokens TEXT NOT NULL, typo_ok INTEGER NOT NULL,
    case_form TEXT NOT NULL
);
CREATE TABLE title_words (word TEXT NOT NULL, slug TEXT NOT NULL, typo INTEGER NOT NULL);
CREATE TABLE creators (key TEXT NOT NULL, slug TEXT NOT NULL, position INTEGER, name TEXT);
CREATE TABLE derived (
    source TEXT NOT NULL, target TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,
    PRIMARY KEY (source, target, kind)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE texts USING fts5 (verdict, review, content='', tokenize='unicode61');
CREATE VIRTUAL TABLE text_words USING fts5vocab (texts, 'row');
CREATE TABLE changes (slug TEXT PRIMARY KEY, generation INTEGER NOT NULL) WITHOUT ROWID;
"""
# Made once the tables are filled (sorting once is cheaper than keeping them up to date).
INDEXES = """
CREATE INDEX entries_series ON entries (series);
CREATE INDEX entries_records ON entries (slug, status, score, last, year);
CREATE INDEX entries_tied ON entries (tied) WHERE tied = 1;
CREATE INDEX entries_planned ON entries (slug) WHERE status = 'planned';
CREATE INDEX entries_liked ON entries (score, slug) WHERE status != 'planned' AND score >= 0;
CREATE INDEX entries_taste ON entries (slug, score, year, kind, community, status)
    WHERE status != 'planned' AND score >= 0;
CREATE INDEX entries_groups ON entries (kind, year, score, community, status)
    WHERE status != 'planned' AND score >= 0;
CREATE INDEX entries_running ON entries (score, slug) WHERE status = 'watching' AND running = 1;
"""
LINK_INDEXES = """
CREATE INDEX mention_keys_gram ON mention_keys (gram);
CREATE INDEX mention_keys_slug ON mention_keys (slug);
CREATE INDEX title_words_slug ON title_words (slug);
CREATE INDEX creators_key ON creators (key, slug);
CREATE INDEX creators_slug ON creators (slug);
CREATE INDEX derived_target ON derived (target);
"""
TABLES = ("meta", "blobs", "listing", "entries", "problems", "mention_keys", "title_words", "creators",
          "derived", "texts", "text_words", "changes")  # fmt: skip

# What changed since when, for readers that keep something made from the index (the HTML
# export's state): every write to an entry's row or to a derived link records the slugs it
# touched with the index's generation, which each update raises by one. A build starts a new
# lineage (a random name) at generation 0: what was made from another lineage starts afresh.
# The triggers come after a build's bulk inserts, which they would only slow down.
_RECORD = "INSERT OR REPLACE INTO changes SELECT {}, value FROM meta WHERE key = 'generation';"
HISTORY_TRIGGERS = {
    # trigger name: (when it fires, the slugs it records)
    "entry_added": ("AFTER INSERT ON entries", ("new.slug",)),
    "entry_removed": ("AFTER DELETE ON entries", ("old.slug",)),
    # (A file read again unchanged rewrites its row with the same values: not a change.)
    "entry_changed": (
        "AFTER UPDATE ON entries WHEN old.data IS NOT new.data OR old.slug IS NOT new.slug",
        ("old.slug", "new.slug"),
    ),
    "link_added": ("AFTER INSERT ON derived", ("new.source", "new.target")),
    "link_removed": ("AFTER DELETE ON derived", ("old.source", "old.target")),
    "link_changed": (
        "AFTER UPDATE ON derived",
        ("old.source", "old.target", "new.source", "new.target"),
    ),
}

# Present in `blobs` while the links are yet to be derived: a build for a command that needs none
# of them (search, list, completion) leaves them to the first command that does.
LINKS_DUE = "links due"

# The small columns come first and the encoded entry last, so that reading them never walks it;
# `tied` marks the few entries with links written by hand or dismissed ones, `running` those
# with a run of episodes under way (progress).
ENTRY_MARKS = ",".join("?" * 13)
ENTRY_COLUMNS = (
    "slug, status, score, last, year, kind, tags, tied, series, community, running, data"
)


def entry_row(entry: Entry) -> tuple[Any, ...]:
    """The values of an entry's row, in ENTRY_COLUMNS order."""
    kind, status, score, last, tags = entry_columns(entry)
    tied = int(bool(entry.links or dismissed(entry)))
    return (entry.slug, status, score, last, entry.year, kind, tags, tied,
            series_key(entry.title), community_rating(entry), int(entry.progress is not None),
            encode_entry(entry))  # fmt: skip


def fts_text(text: str | None) -> str:
    """The words of a verdict or review as the full-text index stores them."""
    return " ".join(split_words(text)) if text else ""


def key_rows(keys: Iterable[MentionKey]) -> list[tuple[str, str, str, int, str]]:
    """Rows of the mention_keys table."""
    return [(k.gram, k.slug, " ".join(k.tokens), int(k.typo_ok), k.case_form) for k in keys]


def pack_typos(index: Mapping[str, set[str]]) -> bytes:
    """The typo neighbourhood of title words as a blob."""
    return pack({variant: sorted(words) for variant, words in index.items()})


def stored_listing(listing: dict[str, Stat], read_at: int) -> dict[str, Stat]:
    """The listing to store: files changed just before they were read are marked racy."""
    # Such a file could be rewritten within the same mtime tick with the same size; a stored size
    # of -1 never matches a real one, so it is read again by the next command.
    racy_after = read_at - RACY_NS
    return {n: (size if mtime < racy_after else -1, mtime) for n, (size, mtime) in listing.items()}


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run SQL statements one by one (executescript would end the transaction)."""
    for statement in statements(script):
        conn.execute(statement)


def statements(script: str) -> list[str]:
    """The statements of a script."""
    return [statement.strip() for statement in script.split(";") if statement.strip()]


def add_history_triggers(conn: sqlite3.Connection) -> None:
    """Record, from now on, the slugs every write to entries and derived links touches."""
    for name, (when, slugs) in HISTORY_TRIGGERS.items():
        body = " ".join(_RECORD.format(slug) for slug in slugs)
        conn.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")


def drop_history_triggers(conn: sqlite3.Connection) -> None:
    """Stop recording (before writes that start a new lineage anyway)."""
    for name in HISTORY_TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")


def new_lineage(conn: sqlite3.Connection) -> None:
    """Start the index's history afresh (after a build, or after every link was derived anew)."""
    import secrets

    conn.execute("DELETE FROM changes")
    conn.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        # The lineage also keys the HTML site's state file's signature (export.html_state):
        # long enough not to be guessed, and written nowhere but here.
        [("lineage", secrets.token_hex(16)), ("generation", 0)],
    )


def next_generation(conn: sqlite3.Connection) -> None:
    """Raise the generation every change recorded from now on is marked with."""
    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")


def history(conn: sqlite3.Connection) -> tuple[str, int]:
    """The index's lineage and generation (IndexDamaged without them)."""
    found = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('lineage', 'generation')"))
    try:
        return str(found["lineage"]), int(found["generation"])
    except (KeyError, TypeError, ValueError):
        raise IndexDamaged("the index has no history") from None


def links_due(conn: sqlite3.Connection) -> bool:
    """Whether the index was built without its links, which the first reader of them derives."""
    return conn.execute("SELECT 1 FROM blobs WHERE name = ?", (LINKS_DUE,)).fetchone() is not None


def blob(conn: sqlite3.Connection, name: str) -> bytes:
    """A stored blob (IndexDamaged when missing)."""
    row = conn.execute("SELECT data FROM blobs WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise IndexDamaged(f"the index has no {name}")
    return bytes(row[0])


def put_blob(conn: sqlite3.Connection, name: str, data: bytes) -> None:
    """Store a blob under a name."""
    conn.execute("INSERT OR REPLACE INTO blobs VALUES (?, ?)", (name, data))


def put_listing(
    conn: sqlite3.Connection, pieces: Sequence[bytes], stored: Sequence[bytes] = ()
) -> None:
    """Store a listing's pieces (listing_pieces), each with a checksum, over those `stored`."""
    # A row per piece: an edit rewrites the piece it touched, not the whole listing (which a
    # commit writes twice, to the log and then to the file).
    conn.executemany(
        "INSERT OR REPLACE INTO listing VALUES (?, ?)",
        [
            (number, with_checksum(piece))
            for number, piece in enumerate(pieces)
            if number >= len(stored) or stored[number] != piece
        ],
    )
    conn.execute("DELETE FROM listing WHERE piece >= ?", (len(pieces),))


def stored_pieces(conn: sqlite3.Connection) -> list[bytes]:
    """The pieces of the listing put_listing stored, checked (IndexDamaged when damaged)."""
    pieces: list[bytes] = []
    for number, data in conn.execute("SELECT piece, data FROM listing ORDER BY piece"):
        if number != len(pieces):
            raise IndexDamaged("the index's listing has a piece missing")
        pieces.append(checked(bytes(data)))
    return pieces


def stored_listing_matches(conn: sqlite3.Connection, pieces: Sequence[bytes]) -> bool:
    """True when the stored listing holds exactly these pieces."""
    rows = conn.execute("SELECT data FROM listing ORDER BY piece").fetchall()
    # The checksum needs no checking here: pieces equal to fresh ones are sound.
    return len(rows) == len(pieces) and all(
        row[0][4:] == piece for row, piece in zip(rows, pieces, strict=True)
    )


def chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """Slices of at most `size` items (SQLite limits the parameters of one statement)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def marks(count: int) -> str:
    """'?,?,?' for a statement with `count` parameters."""
    return ",".join("?" * count)
