"""Patching the index for the files that were added, changed or removed since it last looked."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from watchbook.index.codec import decode_entry, unpack
from watchbook.index.schema import (
    ENTRY_COLUMNS,
    ENTRY_MARKS,
    blob,
    chunks,
    entry_row,
    fts_text,
    key_rows,
    links_due,
    next_generation,
    pack_typos,
    put_blob,
    put_listing,
    stored_listing,
)
from watchbook.index.searchdata import SearchData, search_keys
from watchbook.index.view import entries_by_id
from watchbook.journal import printable_name
from watchbook.listing import SUFFIX, patched_pieces
from watchbook.text import series_key
from watchbook.tricks import enabled

if TYPE_CHECKING:
    import sqlite3

    from watchbook.entry import Entry
    from watchbook.journal import Journal
    from watchbook.listing import ListingChanges
    from watchbook.mentions import MentionFinder, MentionKey


class Updater:
    """Applies added, changed and removed files to the index (inside the caller's transaction)."""

    def __init__(self, conn: sqlite3.Connection, journal: Journal) -> None:
        self.conn = conn
        self.journal = journal

    def _old(self, slugs: Iterable[str]) -> dict[str, tuple[int, Entry]]:
        found: dict[str, tuple[int, Entry]] = {}
        wanted = list(slugs)
        for chunk in chunks(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for rowid, data in self.conn.execute(
                f"SELECT id, data FROM entries WHERE slug IN ({marks})", chunk
            ):
                entry = decode_entry(data)
                found[entry.slug] = (rowid, entry)
        return found

    def apply(
        self, stored: Sequence[bytes], pieces: Sequence[bytes], changes: ListingChanges
    ) -> None:
        """Re-read changed files, forget removed ones, and refresh every derived link they touch.

        `stored` are the pieces of the listing the index holds, `pieces` those of the folder now.
        """
        conn = self.conn
        # What this update writes is recorded under a generation of its own.
        next_generation(conn)
        changed = set(changes.changed)
        names = changed | changes.removed
        # Only names that are text can be entries; the others are problems, nothing more.
        slugs = {n[: -len(SUFFIX)] for n in names if _is_text(n)}
        read_at = time.time_ns()
        read = self.journal.read_files(changed)
        new_entries, problems = read.entries, read.problems
        new = {e.slug: e for e in new_entries}
        old = self._old(slugs)
        # Problems are stored under a printable name (file names may hold any bytes).
        for name in names:
            conn.execute("DELETE FROM problems WHERE name = ?", (printable_name(name),))
        conn.executemany(
            "INSERT INTO problems VALUES (?, ?, ?)",
            [(p.path, p.reason, p.line) for p in problems],
        )
        # An entry changed only where no link, search key or review text depends on it (a
        # score, a viewing, its status...) keeps its row id and everything else: the most
        # common edit rewrites one row.
        quiet = {s for s in slugs & old.keys() & new.keys() if _same_ties(old[s][1], new[s])}
        if not enabled("quiet-edits"):
            quiet = set()
        for slug in quiet:
            conn.execute(
                f"UPDATE entries SET ({ENTRY_COLUMNS}) = ({ENTRY_MARKS[2:]}) WHERE id = ?",
                (*entry_row(new[slug]), old[slug][0]),
            )
        if slugs - quiet:
            self._relink(
                slugs - quiet,
                {s: e for s, e in new.items() if s not in quiet},
                {s: row for s, row in old.items() if s not in quiet},
            )
        # The folder as listed, with the files just read marked when they may change unseen.
        fresh = stored_listing(changes.changed, read_at)
        marks = {name: stat for name, stat in fresh.items() if stat != changes.changed[name]}
        put_listing(
            conn, patched_pieces(pieces, marks, changes.pieces) if marks else pieces, stored
        )

    def _relink(
        self, slugs: set[str], new: dict[str, Entry], old: dict[str, tuple[int, Entry]]
    ) -> None:
        """Replace the rows, search keys, texts and derived links of entries that changed."""
        conn = self.conn
        search = SearchData.load(blob(conn, "search"))
        for slug in slugs & old.keys():
            rowid, entry = old[slug]
            if entry.verdict or entry.review:
                conn.execute(
                    "INSERT INTO texts (texts, rowid, verdict, review) VALUES ('delete', ?, ?, ?)",
                    (rowid, fts_text(entry.verdict), fts_text(entry.review)),
                )
            conn.execute("DELETE FROM entries WHERE id = ?", (rowid,))
            search.remove(rowid, search_keys(entry))
        for entry in new.values():
            cursor = conn.execute(
                f"INSERT INTO entries ({ENTRY_COLUMNS}) VALUES ({ENTRY_MARKS[2:]})",
                entry_row(entry),
            )
            rowid = int(cursor.lastrowid or 0)
            if entry.verdict or entry.review:
                conn.execute(
                    "INSERT INTO texts (rowid, verdict, review) VALUES (?, ?, ?)",
                    (rowid, fts_text(entry.verdict), fts_text(entry.review)),
                )
            search.add(rowid, search_keys(entry))
        put_blob(conn, "search", search.dump())
        # Links still to be derived (by the first command that reads them) need no patching.
        if not links_due(conn):
            self._patch_links(slugs, new, {s: entry for s, (_rowid, entry) in old.items()})

    def _patch_links(self, slugs: set[str], new: dict[str, Entry], old: dict[str, Entry]) -> None:
        """Refresh the link tables and every derived link the changed entries touch."""
        from watchbook.links import MENTION, SERIES, creator_names
        from watchbook.mentions import key_words, mention_keys, typo_index

        conn = self.conn
        # Which names changed decides whose incoming mentions must be looked for again.
        renamed = {
            s
            for s in slugs
            if (s in old) != (s in new) or (s in old and _names(old[s]) != _names(new[s]))
        }
        # Creator keys before the change, to notice creators crossing the cap.
        touched_keys = {k for s in slugs if s in old for k in creator_names(old[s])}
        touched_keys |= {k for e in new.values() for k in creator_names(e)}
        before = self._creator_counts(touched_keys)
        for slug in slugs:
            # Title words only change with the names (below).
            for table in ("mention_keys", "creators"):
                conn.execute(f"DELETE FROM {table} WHERE slug = ?", (slug,))
            conn.execute("DELETE FROM derived WHERE source = ? AND kind = ?", (slug, MENTION))
            conn.execute(
                "DELETE FROM derived WHERE (source = ? OR target = ?) AND kind = ?",
                (slug, slug, SERIES),
            )
            if slug in renamed:
                conn.execute("DELETE FROM derived WHERE target = ? AND kind = ?", (slug, MENTION))
        keys_of = {slug: mention_keys(entry) for slug, entry in new.items()}
        for slug, entry in new.items():
            conn.executemany(
                "INSERT INTO mention_keys VALUES (?, ?, ?, ?, ?)", key_rows(keys_of[slug])
            )
            conn.executemany(
                "INSERT INTO creators VALUES (?, ?, ?, ?)",
                [(k, slug, i, n) for i, (k, n) in enumerate(creator_names(entry).items())],
            )
        if renamed:
            # Titles changed: their words, and the typo neighbourhood built from all words.
            for slug in renamed:
                conn.execute("DELETE FROM title_words WHERE slug = ?", (slug,))
            conn.executemany(
                "INSERT INTO title_words VALUES (?, ?, ?)",
                [
                    (w, slug, int(t))
                    for slug in renamed
                    if slug in keys_of
                    for w, t in key_words(keys_of[slug])
                ],
            )
            rows = conn.execute("SELECT word, max(typo) FROM title_words GROUP BY word")
            put_blob(conn, "typos", pack_typos(typo_index((w, bool(t)) for w, t in rows)))
        old_keys = [k for s in renamed if s in old for k in mention_keys(old[s])]
        self._mentions(new, keys_of, renamed, old_keys)
        self._series(new)
        self._creators(slugs, touched_keys, before)

    # -- derived links

    def _finder(self) -> MentionFinder:
        from watchbook.mentions import MentionFinder, MentionKey, group_keys

        conn = self.conn

        neighbourhood: dict[str, list[str]] = unpack(blob(conn, "typos"))

        def variants(strings: set[str]) -> Mapping[str, set[str]]:
            return {s: set(neighbourhood[s]) for s in strings & neighbourhood.keys()}

        def grams(strings: set[str]) -> Mapping[str, Any]:
            keys: list[MentionKey] = []
            for chunk in chunks(sorted(strings), 900):
                marks = ",".join("?" * len(chunk))
                keys.extend(
                    MentionKey(slug, tuple(tokens.split(" ")), bool(typo_ok), case_form)
                    for slug, tokens, typo_ok, case_form in conn.execute(
                        "SELECT slug, tokens, typo_ok, case_form FROM mention_keys "
                        f"WHERE gram IN ({marks})",
                        chunk,
                    )
                )
            return group_keys(keys)

        def doc_frequency(words: set[str]) -> Mapping[str, int]:
            found: dict[str, int] = {}
            for chunk in chunks(sorted(words), 900):
                marks = ",".join("?" * len(chunk))
                found.update(
                    conn.execute(
                        f"SELECT term, doc FROM text_words WHERE term IN ({marks})", chunk
                    ).fetchall()
                )
            return found

        return MentionFinder(variants, grams, grams, doc_frequency)

    def _mentions(
        self,
        new: dict[str, Entry],
        keys_of: dict[str, list[MentionKey]],
        renamed: set[str],
        old_keys: list[MentionKey],
    ) -> None:
        from watchbook.links import MENTION
        from watchbook.mentions import mention_text

        conn = self.conn
        finder = self._finder()
        # Reviews to scan again: every new or changed one, and every other one that may name
        # a title that appeared, disappeared or changed (a longer name can hide a shorter one,
        # so their mentions are recomputed whole).
        keys = [k for slug in renamed if slug in keys_of for k in keys_of[slug]] + old_keys
        candidates: set[int] = set()
        for key in keys:
            candidates |= self._texts_matching(key)
        found = entries_by_id(conn, sorted(candidates))
        sources = [e for e in found.values() if e.slug not in new]
        sources += [e for e in new.values()]
        for entry in sources:
            conn.execute("DELETE FROM derived WHERE source = ? AND kind = ?", (entry.slug, MENTION))
            if entry.verdict or entry.review:
                targets = finder.find(mention_text(entry), entry.slug)
                conn.executemany(
                    "INSERT OR IGNORE INTO derived VALUES (?, ?, ?, '')",
                    [(entry.slug, t, MENTION) for t in sorted(targets)],
                )

    def _texts_matching(self, key: MentionKey) -> set[int]:
        """Row ids of verdicts and reviews that could name this key (a superset)."""
        words = list(key.tokens)
        if key.case_form and len(words) == 1:
            expressions = [f'"{words[0]}"']
        else:
            expressions = ['"' + " ".join(words) + '"']
            if key.typo_ok:
                for i in range(len(words)):
                    before, after = " ".join(words[:i]), " ".join(words[i + 1 :])
                    parts = [f'"{p}"' for p in (before, after) if p]
                    expressions.append(
                        f"NEAR({' '.join(parts)}, 1)" if len(parts) == 2 else parts[0]
                    )
        found: set[int] = set()
        for expression in expressions:
            found.update(
                rowid
                for (rowid,) in self.conn.execute(
                    "SELECT rowid FROM texts WHERE texts MATCH ?", (expression,)
                )
            )
        return found

    def _series(self, new: dict[str, Entry]) -> None:
        from watchbook.links import series_row

        conn = self.conn
        for slug, entry in new.items():
            key = series_key(entry.title)
            if not key:
                # A title with no letter or digit names no series: it has no series partners
                # (as in a full build, links.series_rows_of).
                continue
            partners = conn.execute(
                "SELECT data FROM entries WHERE series = ? AND slug != ?", (key, slug)
            ).fetchall()
            for (data,) in partners:
                row = series_row(entry, decode_entry(data))
                if row is None:
                    continue
                conn.execute(
                    "INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)",
                    (row.source, row.target, row.kind, row.detail),
                )

    def _creator_counts(self, keys: Iterable[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for chunk in chunks(sorted(set(keys)), 900):
            marks = ",".join("?" * len(chunk))
            counts.update(
                self.conn.execute(
                    f"SELECT key, count(*) FROM creators WHERE key IN ({marks}) GROUP BY key",
                    chunk,
                ).fetchall()
            )
        return counts

    def _creators(self, slugs: set[str], keys: set[str], before: dict[str, int]) -> None:
        from watchbook.links import CREATOR_CAP, CREATORS, creator_row

        conn = self.conn
        after = self._creator_counts(keys)
        crossed = {
            k for k in keys if (before.get(k, 0) <= CREATOR_CAP) != (after.get(k, 0) <= CREATOR_CAP)
        }
        # Entries whose creator links may change: the changed ones, and everyone holding a
        # creator that just became too common (or stopped being so).
        affected = set(slugs)
        for key in crossed:
            affected.update(
                s for (s,) in conn.execute("SELECT slug FROM creators WHERE key = ?", (key,))
            )
        for slug in affected:
            conn.execute(
                "DELETE FROM derived WHERE (source = ? OR target = ?) AND kind = ?",
                (slug, slug, CREATORS),
            )
        for slug in sorted(affected):
            shared: dict[str, dict[str, tuple[int, str]]] = {}
            mine = [k for (k,) in conn.execute("SELECT key FROM creators WHERE slug = ?", (slug,))]
            usable = [k for k, n in self._creator_counts(mine).items() if n <= CREATOR_CAP]
            marks = ",".join("?" * len(usable))
            rows = conn.execute(
                "SELECT other.slug, other.key, other.position, other.name, "
                "mine.position, mine.name FROM creators AS mine "
                "JOIN creators AS other ON other.key = mine.key AND other.slug != mine.slug "
                f"WHERE mine.slug = ? AND mine.key IN ({marks})",
                (slug, *usable),
            ).fetchall()
            for other, key, other_pos, other_name, my_pos, my_name in rows:
                # Names as the entry with the smaller slug writes them, in its order.
                shared.setdefault(other, {})[key] = (
                    (my_pos, my_name) if slug < other else (other_pos, other_name)
                )
            for other, names in shared.items():
                a, b = sorted((slug, other))
                row = creator_row(a, b, names.values())
                conn.execute(
                    "INSERT OR REPLACE INTO derived VALUES (?, ?, ?, ?)",
                    (row.source, row.target, row.kind, row.detail),
                )


def _is_text(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _same_ties(before: Entry, after: Entry) -> bool:
    """Whether two versions of an entry agree on all that links, search keys and texts use."""
    return (before.title, before.aliases, before.year, before.creators, before.tags,
            before.verdict, before.review) == (after.title, after.aliases, after.year,
            after.creators, after.tags, after.verdict, after.review)  # fmt: skip


def _names(entry: Entry) -> list[tuple[str, ...]]:
    from watchbook.mentions import mention_keys

    return [(*k.tokens, k.case_form) for k in mention_keys(entry)]
