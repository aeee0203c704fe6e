"""How an import meets the journal: match, merge, plan, write, report.

An importer turns an export into Records (validated entries, one per title, with where they came
from) and Skipped rows (records.py). `plan_import` matches each record against the journal (external id first,
then title and year), merges it into the entry it found or plans a new one, all in memory.
`apply_plan` then writes each changed file atomically. The same export imported twice plans
nothing the second time, because every merge rule only ever adds what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from watchbook.entry import Entry
from watchbook.errors import AlreadyExists, Conflict, InvalidValue, UnsafePath, WriteFailed
from watchbook.importers.entry_merge import describe_changes, drop_repeated_score, merge_into
from watchbook.importers.records import Parsed, Record, Skipped
from watchbook.text import creator_key, title_key
from watchbook.validation import validate

if TYPE_CHECKING:
    from concurrent.futures import Future

    from watchbook.journal import Journal

Action = Literal["created", "merged", "unchanged"]
Progress = Callable[[int, int], None]
_FILM_KINDS = {"movie"}
_TV_KINDS = {"series", "season", "episode"}
# Services that number films and shows separately (Trakt's movie 481 is not its show 481): an id
# there names one title only together with whether it is a film or a show.
_KIND_SCOPED_IDS = {"trakt", "tmdb"}


@dataclass
class Outcome:
    """What the import does to one journal entry."""

    action: Action
    entry: Entry
    where: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON-ready data."""
        return {
            "action": self.action,
            "slug": self.entry.slug,
            "title": self.entry.title,
            "year": self.entry.year,
            "from": self.where,
            "changes": self.changes,
            "kept": self.kept,
        }


@dataclass
class ImportReport:
    """The summary of one import: what was read, and what happened to each entry and row."""

    service: str
    path: str
    dry_run: bool
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, action: Action) -> int:
        """How many entries had this outcome."""
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def ambiguous(self) -> list[Skipped]:
        """Titles left out because two or more journal entries matched them."""
        return [skip for skip in self.skipped if skip.candidates]

    @property
    def dropped(self) -> list[Skipped]:
        """Rows left out because they could not be read or written."""
        return [skip for skip in self.skipped if not skip.candidates]

    def of(self, action: Action) -> list[Outcome]:
        """The outcomes with this action, in journal order."""
        return [outcome for outcome in self.outcomes if outcome.action == action]

    def to_json(self) -> dict[str, Any]:
        """The whole report as JSON-ready data."""
        return {
            "service": self.service,
            "path": self.path,
            "dry_run": self.dry_run,
            "rows": dict(self.rows),
            "read": dict(self.counts),
            "created": self.count("created"),
            "merged": self.count("merged"),
            "unchanged": self.count("unchanged"),
            "ambiguous": len(self.ambiguous),
            "skipped": len(self.dropped),
            "entries": [outcome.to_json() for outcome in self.outcomes],
            "ambiguous_rows": [skip.to_json() for skip in self.ambiguous],
            "skipped_rows": [skip.to_json() for skip in self.dropped],
            "notes": list(self.notes),
        }


# --- matching and merging ---------------------------------------------------------------------


@dataclass
class _Work:
    """An entry as the plan currently has it: an existing one being merged into, or a new one."""

    entry: Entry
    original: Entry | None
    where: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    claimed: bool = False


def _name_keys(entry: Entry) -> set[str]:
    keys = {title_key(entry.title)}
    keys.update(title_key(alias) for alias in entry.aliases)
    keys.discard("")
    return keys


def _other_creators(new: Entry, have: Entry) -> bool:
    """A title without a year is not the entry of that name when it names other creators."""
    # Without a year the name is all that matches, and names repeat: IMDb's yearless 'Akira'
    # (not yet released, by Taika Waititi) is not the 1988 film. A record naming creators finds
    # an entry that shares one, or a title without a year and creators (as MyAnimeList's are),
    # but not a dated entry that names none: nothing says it is the same.
    if not new.creators:
        return False
    if not have.creators:
        return have.year is not None
    return not {creator_key(c) for c in new.creators} & {creator_key(c) for c in have.creators}


def _kinds_clash(a: str | None, b: str | None) -> bool:
    """A film is never the same title as a TV series, whatever they are called."""
    if not a or not b:
        return False
    return (a in _FILM_KINDS and b in _TV_KINDS) or (a in _TV_KINDS and b in _FILM_KINDS)


class Planner:
    """Matches records against the journal and merges them, in memory, in record order."""

    def __init__(
        self,
        existing: Sequence[Entry],
        taken_slugs: Iterable[str],
        unreadable: Mapping[str, str] | None = None,
    ) -> None:
        self.works: list[_Work] = []
        # Entry files that could not be read (slug -> why), folded like slugs.
        self.unreadable = {slug.casefold(): why for slug, why in (unreadable or {}).items()}
        self.by_id: dict[tuple[str, str], list[_Work]] = {}
        self.by_name: dict[str, list[_Work]] = {}
        self.taken = {slug.casefold() for slug in taken_slugs}
        self.skipped: list[Skipped] = []
        for entry in sorted(existing, key=lambda e: e.slug):
            self._add(_Work(entry=validate(entry), original=entry))
            self.taken.add(entry.slug.casefold())

    def _add(self, work: _Work) -> None:
        self.works.append(work)
        self._index(work)

    def _index(self, work: _Work) -> None:
        for service, value in work.entry.ids.items():
            same = self.by_id.setdefault((service, value), [])
            if work not in same:
                same.append(work)
        for key in _name_keys(work.entry):
            bucket = self.by_name.setdefault(key, [])
            if work not in bucket:
                bucket.append(work)

    def _by_id(self, new: Entry) -> _Work | None:
        """The entry holding one of the record's ids (of a kind that can be the same title)."""
        for service, value in new.ids.items():
            for work in self.by_id.get((service, value), ()):
                if service not in _KIND_SCOPED_IDS or not _kinds_clash(new.kind, work.entry.kind):
                    return work
        return None

    def _by_name(self, new: Entry, *, claimed_too: bool = False) -> list[_Work]:
        """The entries the record may be by title and year (those this import matched already
        only when asked)."""
        candidates: list[_Work] = []
        for key in _name_keys(new):
            for work in self.by_name.get(key, []):
                if work in candidates or (work.claimed and not claimed_too):
                    continue
                have = work.entry
                # A different id at the same service means a different title of the same name.
                if any(have.ids.get(s, v) != v for s, v in new.ids.items()):
                    continue
                if new.year and have.year and new.year != have.year:
                    continue
                if not (new.year and have.year) and _kinds_clash(new.kind, have.kind):
                    continue
                if not new.year and _other_creators(new, have):
                    continue
                candidates.append(work)
        return candidates

    def hold_back(self, records: Sequence[Record]) -> dict[int, Skipped]:
        """Records left out before matching, by position: titles of several years that would
        each take the same journal entry, one without a year ('Solaris' against the 1972 and
        the 2002 film). Whichever came first would take it, and the entry's year with it."""
        # id of the yearless entry's work -> (the work, {year: positions of its records})
        years_of: dict[int, tuple[_Work, dict[int, list[int]]]] = {}
        for position, record in enumerate(records):
            new = record.entry
            if not new.year or self._by_id(new) is not None:
                continue
            candidates = self._by_name(new, claimed_too=True)
            if any(w.entry.year == new.year for w in candidates):
                continue
            yearless = [w for w in candidates if w.entry.year is None]
            if len(yearless) == 1:
                _work, by_year = years_of.setdefault(id(yearless[0]), (yearless[0], {}))
                by_year.setdefault(new.year, []).append(position)
        held: dict[int, Skipped] = {}
        for work, by_year in years_of.values():
            if len(by_year) < 2:
                continue
            have = work.entry
            years = ", ".join(str(year) for year in sorted(by_year))
            reason = (
                f"matches {have.label} [{have.slug}], which has no year, as do titles of other "
                f"years in this export ({years}); add the year to it and import again"
            )
            for positions in by_year.values():
                for position in positions:
                    record = records[position]
                    held[position] = Skipped(
                        record.where, reason, record.entry.label, [f"{have.label} [{have.slug}]"]
                    )
        return held

    def _find(self, record: Record) -> _Work | Skipped | None:
        """The entry a record belongs to, None for a new title, or Skipped when ambiguous."""
        new = record.entry
        found = self._by_id(new)
        if found is not None:
            return found
        candidates = self._by_name(new)
        exact = [w for w in candidates if new.year and w.entry.year == new.year]
        if len(exact) == 1 or len(candidates) == 1:
            return exact[0] if exact else candidates[0]
        if not candidates:
            return None
        labels = [f"{w.entry.label} [{w.entry.slug}]" for w in candidates]
        ids = ", ".join(f'ids.{s} = "{v}"' for s, v in new.ids.items())
        hint = f"; add {ids} to the right one and import again" if ids else ""
        reason = f"matches several journal entries: {', '.join(labels[:4])}{hint}"
        return Skipped(record.where, reason, new.label, labels)

    def add(self, record: Record) -> None:
        """Merge one record into the plan."""
        found = self._find(record)
        if isinstance(found, Skipped):
            self.skipped.append(found)
            return
        if found is None:
            entry = validate(record.entry)
            problem = self._unreadable_file(entry)
            if problem:
                self.skipped.append(Skipped(record.where, problem, entry.label))
                return
            entry.slug = self._new_slug(entry)
            drop_repeated_score(entry)
            self._add(_Work(entry=entry, original=None, where=[record.where], claimed=True))
            return
        new = record.entry
        if record.viewings_if_none and found.entry.viewings:
            # Seen by then, says the export, and the journal knows when: no viewing to add.
            new = validate(new)
            new.viewings = []
        try:
            merged, kept = merge_into(found.entry, new)
        except InvalidValue as exc:
            # What the export says cannot stand beside what the journal has (validation
            # refuses the merged entry): this record is left out, the rest goes on.
            why = f"cannot be merged into {found.entry.label} [{found.entry.slug}]: {exc}"
            self.skipped.append(Skipped(record.where, why, record.entry.label))
            return
        found.where.append(record.where)
        found.entry = merged
        found.kept.extend(note for note in kept if note not in found.kept)
        # Matched once by this import, an entry is not the same title as another record.
        found.claimed = True
        self._index(found)

    def _unreadable_file(self, entry: Entry) -> str | None:
        """Why a new title is skipped: its file is in the journal but cannot be read."""
        from watchbook.journal import make_slug

        why = self.unreadable.get(make_slug(entry.title, entry.year).casefold())
        if why is None:
            return None
        # The title is probably that file's: a second entry beside it would be a duplicate
        # once it is fixed, so the record waits until then.
        return f"the journal has a file for it that cannot be read ({why}); fix it and import again"

    def _new_slug(self, entry: Entry) -> str:
        from watchbook.journal import make_slug

        base = make_slug(entry.title, entry.year)
        slug, n = base, 2
        while slug.casefold() in self.taken:
            slug, n = f"{base}-{n}", n + 1
        self.taken.add(slug.casefold())
        return slug

    def outcomes(self) -> list[Outcome]:
        """Created, merged and unchanged entries (untouched journal entries are left out)."""
        result: list[Outcome] = []
        for work in self.works:
            if not work.where:
                continue
            if work.original is None:
                result.append(Outcome("created", work.entry, work.where))
                continue
            changes = describe_changes(work.original, work.entry)
            action: Action = "merged" if changes else "unchanged"
            result.append(Outcome(action, work.entry, work.where, changes, work.kept))
        return result


# --- the whole import -------------------------------------------------------------------------


def plan_import(
    existing: Sequence[Entry],
    parsed: Parsed,
    taken_slugs: Iterable[str],
    unreadable: Mapping[str, str] | None = None,
) -> tuple[list[Outcome], list[Skipped]]:
    """Match and merge every record in memory: the outcome per entry, and records skipped.

    `unreadable`: slug -> why, for entry files that could not be read (their titles wait).
    """
    planner = Planner(existing, taken_slugs, unreadable)
    held = planner.hold_back(parsed.records)
    for position, record in enumerate(parsed.records):
        if position in held:
            planner.skipped.append(held[position])
        else:
            planner.add(record)
    return planner.outcomes(), planner.skipped


# Entry files are written by this many threads: each write waits on fsync, and a disk commits
# concurrent fsyncs together, which makes a large import several times faster.
WRITERS = 8


def _write(journal: Journal, outcome: Outcome) -> Skipped | None:
    """Write one created or merged entry; a Skipped when it must be left alone."""
    try:
        if outcome.action == "created":
            try:
                journal.create(outcome.entry)
            except AlreadyExists:
                # A file not written by watchbook took the name after planning.
                outcome.entry.slug = journal.new_slug(outcome.entry.title, outcome.entry.year)
                journal.create(outcome.entry)
        else:
            journal.update(outcome.entry)
    except (Conflict, AlreadyExists, InvalidValue, UnsafePath) as exc:
        return Skipped(", ".join(outcome.where), str(exc), outcome.entry.label)
    return None


def _written(future: Future[Skipped | None]) -> bool:
    return (
        future.done()
        and not future.cancelled()
        and future.exception() is None
        and (future.result() is None)
    )


def apply_plan(
    journal: Journal, outcomes: list[Outcome], progress: Progress | None = None
) -> list[Skipped]:
    """Write each created or merged entry atomically (the caller holds the lock)."""
    # A file someone changed while the import ran is left alone: its outcome is taken out of
    # `outcomes` and returned as Skipped. Everything else is still written, and importing again
    # finishes the job. Interrupted (Ctrl-C), the writes not yet started are dropped; each file is
    # either fully written or not at all.
    from concurrent.futures import ThreadPoolExecutor, as_completed

    failed: list[Skipped] = []
    failed_ids: set[int] = set()
    todo = [o for o in outcomes if o.action != "unchanged"]
    pool = ThreadPoolExecutor(max_workers=WRITERS, thread_name_prefix="watchbook-import")
    try:
        futures = {pool.submit(_write, journal, outcome): outcome for outcome in todo}
        for number, future in enumerate(as_completed(futures), start=1):
            try:
                problem = future.result()
            except WriteFailed as exc:
                # A full disk fails every write after this one: stop, and say what was done.
                pool.shutdown(wait=True, cancel_futures=True)
                written = sum(1 for f in futures if _written(f))
                raise WriteFailed(
                    exc.path,
                    exc.reason,
                    f"the import stopped there; the {written} entries written before it are "
                    "whole and nothing else was changed (run the same import again to finish)",
                ) from None
            if problem is not None:
                failed.append(problem)
                failed_ids.add(id(futures[future]))
            if progress and (number % 50 == 0 or number == len(todo)):
                progress(number, len(todo))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    outcomes[:] = [o for o in outcomes if id(o) not in failed_ids]
    failed.sort(key=lambda skip: skip.where)
    return failed
