"""The journal operations the CLI calls: each validates first, then locks, re-reads and writes."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from watchbook.dates import parse_date
from watchbook.entry import Entry, Link, Viewing, viewing_date_problem
from watchbook.errors import AlreadyExists, Ambiguous, InvalidValue, NotFound, UnreadableMatch
from watchbook.journal import Journal, LoadResult, make_slug
from watchbook.search import find_similar, labels, resolve_entry
from watchbook.text import title_key
from watchbook.validation import validate

if TYPE_CHECKING:
    from watchbook.index import Progress
    from watchbook.index.view import IndexView
    from watchbook.search import Resolution

AddMode = Literal["rewatch", "new"]
SORTS = ("watched", "score", "title", "year")


class Listable(Protocol):
    """What list filters and sorts by: an Entry, or the index's summary of one."""

    @property
    def slug(self) -> str: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def status(self) -> str: ...
    @property
    def score(self) -> float | None: ...
    @property
    def year(self) -> int | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def last_watched(self) -> dt.date | None: ...


Listed = TypeVar("Listed", bound=Listable)


def parse_when(text: str, today: dt.date | None = None) -> dt.date:
    """A viewing date: YYYY-MM-DD, 'today' or 'yesterday'; never in the future."""
    today = today or dt.date.today()
    word = text.strip().lower()
    if word == "today":
        return today
    if word == "yesterday":
        return today - dt.timedelta(days=1)
    try:
        date = parse_date(text, "watched")
    except InvalidValue:
        raise InvalidValue(
            "watched", f"must be a date like 2017-05-22, today or yesterday (got {text!r})"
        ) from None
    return check_viewing_date(date, today)


def check_viewing_date(date: dt.date, today: dt.date | None = None) -> dt.date:
    """A viewing date `add` records: from 1870 to today (InvalidValue otherwise)."""
    problem = viewing_date_problem(date, today)
    if problem:
        raise InvalidValue("watched", f"{date.isoformat()} {problem}")
    return date


@dataclass
class AddRequest:
    """What `watchbook add` was asked to record."""

    title: str
    year: int | None = None
    kind: str | None = None
    status: str | None = None
    score: str | float | None = None
    verdict: str | None = None
    watched: list[dt.date] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    where: str | None = None
    review: str | None = None
    links: list[str] = field(default_factory=list)
    mode: AddMode | None = None
    # A note on the viewing this add records.
    note: str | None = None
    # The slug of the entry a rewatch goes to, when the user chose it (at a prompt).
    target: str | None = None


@dataclass
class AddResult:
    """What add did: created a file, added a viewing to an existing one, or promoted a planned one.

    `changes` says, one line each, what a rewatch changed in the entry (`Score 6 -> 7 ...`).
    """

    entry: Entry
    path: Path
    action: Literal["created", "rewatch", "watched"]
    changes: list[str] = field(default_factory=list)


def check_request(request: AddRequest, today: dt.date | None = None) -> None:
    """Refuse what contradicts itself (a planned title with a viewing) or cannot be true."""
    if (request.status or "watched") == "planned":
        given = (
            ("--watched", bool(request.watched), "no viewings"),
            ("--score", request.score is not None, "no score"),
            ("--note", request.note is not None, "no viewing to note"),
            ("--rewatch", request.mode == "rewatch", "no viewings to add to"),
        )
        for flag, present, lacks in given:
            if present:
                raise InvalidValue(
                    flag, f"a planned title has {lacks} yet (leave out {flag} or --status planned)"
                )
    elif (
        request.mode == "rewatch"
        and not request.watched
        and request.status not in (None, "watched")
    ):
        raise InvalidValue(
            "--rewatch",
            f"records a viewing, and a {request.status} title has none without --watched "
            "(give the day with --watched, or use `watchbook watch` for episodes)",
        )
    elif (
        request.note is not None and not request.watched and request.status not in (None, "watched")
    ):
        raise InvalidValue(
            "--note", f"a {request.status} title has no viewing to note (give --watched)"
        )
    for date in request.watched:
        check_viewing_date(date, today)


def _requested_entry(request: AddRequest, today: dt.date) -> Entry:
    status = request.status or "watched"
    viewings = [Viewing(date) for date in request.watched]
    if not viewings and status == "watched":
        viewings = [Viewing(today)]
    if viewings and request.note is not None:
        max(viewings, key=lambda v: v.date).note = request.note
    entry = Entry(
        title=request.title,
        slug=make_slug(request.title.strip() or "x", request.year),
        year=request.year,
        kind=request.kind,
        status=status,
        score=request.score,  # type: ignore[arg-type]  # validate() turns text into a number
        verdict=request.verdict,
        watched=viewings,
        tags=list(request.tags),
        creators=list(request.creators),
        aliases=list(request.aliases),
        where=request.where,
        review=request.review,
    )
    return validate(entry)


def _merge_viewing(existing: Entry, new: Entry, request: AddRequest) -> tuple[Entry, list[str]]:
    """Add the new viewing to an existing entry; only what the user gave changes, and says so."""
    from watchbook.rewatch import Given, add_rewatch

    given = Given(
        score=new.score if request.score is not None else None,
        note=new.viewings[-1].note if new.viewings else None,
        verdict=new.verdict if request.verdict is not None else None,
        kind=new.kind if request.kind is not None else None,
        where=new.where if request.where is not None else None,
        review=new.review if request.review is not None else None,
        tags=new.tags,
        creators=new.creators,
        aliases=new.aliases,
    )
    viewings = [Viewing(v.date) for v in new.viewings]
    base = validate(existing)
    if existing.status != "watched" and request.status in (None, "watched"):
        base.status = "watched"
    elif request.status:
        base.status = new.status
    changes = []
    if base.status != existing.status and existing.status != "planned":
        # A planned title now watched is said by the command's first line.
        changes.append(f"Status {existing.status} -> {base.status}")
    if base.status == "watched" and base.progress is not None:
        # Watched, whole: the run that was under way ends with this viewing (as `watch` ends
        # one at its last episode); left in place, `next` would lose the title.
        changes.append(f"Run ended (it was at episode {base.progress.seen})")
        base.progress = None
    merged, more = add_rewatch(base, viewings, given)
    return merged, changes + more


def title_query(title: str, year: int | None) -> str:
    """A title as a QUERY ('Blame! (2017)'), with its year when there is one."""
    return f"{title} ({year})" if year else title


def resolve_in(journal: Journal, loaded: LoadResult, query: str) -> Resolution:
    """What QUERY names among the loaded entries; a file that does not parse is never passed over
    (UnreadableMatch when it is the likeliest)."""
    stated = {
        problem.path: title
        for problem in loaded.problems
        if (title := journal.stated_title(problem.path))
    }
    return resolve_entry(loaded.entries, query, loaded.problems, stated)


def named_exactly(journal: Journal, loaded: LoadResult, query: str) -> Entry:
    """The entry QUERY names exactly (slug, title or alias): add writes, so it never guesses."""
    found = resolve_in(journal, loaded, query)
    if found.entry is not None and found.exact:
        return found.entry
    if found.entry is None:
        return found.chosen()  # Ambiguous, naming the candidates
    raise Ambiguous(
        f"{query!r} does not name an entry exactly, and add changes files",
        labels(found.candidates),
    )


def _existing(
    journal: Journal, loaded: LoadResult, new: Entry, request: AddRequest
) -> Entry | None:
    """The entry this add would change, or that it duplicates; None for a new title."""
    entries = loaded.entries
    if request.target is not None:
        chosen = next((e for e in entries if e.slug == request.target), None)
        if chosen is None:
            raise NotFound(
                f"{request.target} is no longer in the journal (it was removed while you "
                "answered); nothing was written"
            )
        return chosen
    if request.mode == "rewatch":
        # The user says it is already there, so the title is a QUERY, named exactly.
        return named_exactly(journal, loaded, title_query(request.title, request.year))
    if request.mode == "new":
        return None
    # The file of the slug this title makes is the likeliest match, but only when it holds this
    # title: a year fixed by hand ('halloween-2018' is of 2007) or two titles making one slug
    # ('Death Race 2000', 'Death Race' of 2000) are other films, and get a file of their own.
    same = next(
        (e for e in entries if e.slug == new.slug and find_similar([e], new.title, new.year)),
        None,
    )
    found = same or find_similar(entries, new.title, new.year)
    if found is None:
        _check_not_broken(journal, loaded, new)
    elif new.year is None and found.year is not None:
        # No year given, and the title is in the journal for several (a remake): which one
        # is meant is the user's to say, not the first found's (a rewatch would go to it).
        years = [e for e in entries if e.year != found.year and find_similar([e], new.title, None)]
        if years:
            raise Ambiguous(
                f"{new.title} is in the journal for several years; give --year, or --new for "
                "another entry",
                labels(sorted([found, *years], key=lambda e: (e.year or 0, e.slug))),
            )
    return found


def _check_not_broken(journal: Journal, loaded: LoadResult, new: Entry) -> None:
    """UnreadableMatch when an entry file that does not parse still states this title (and no
    other year in its name): adding it again would leave two entries once that file is fixed."""
    key = title_key(new.title)
    for problem in loaded.problems:
        stated = journal.stated_title(problem.path)
        if stated is None or title_key(stated) != key:
            continue
        named_year = re.search(r"-((?:18|19|20)\d\d)(?:-\d{1,3})?\.toml$", problem.path)
        if new.year is None or named_year is None or int(named_year.group(1)) == new.year:
            raise UnreadableMatch(title_query(new.title, new.year), problem)


def match_existing(
    journal: Journal, request: AddRequest, today: dt.date | None = None
) -> Entry | None:
    """The entry `add_entry` would find for this request, read without the lock (for a prompt)."""
    today = today or dt.date.today()
    check_request(request, today)
    new = _requested_entry(request, today)
    return _existing(journal, journal.load_all(), new, request)


def needs_decision(existing: Entry | None, request: AddRequest) -> bool:
    """Whether the user must say rewatch or new before this add can go on."""
    if existing is None or request.mode is not None or request.target is not None:
        return False
    # A title on the watchlist that is now watched simply becomes watched.
    return not (existing.status == "planned" and (request.status or "watched") == "watched")


def add_entry(journal: Journal, request: AddRequest, today: dt.date | None = None) -> AddResult:
    """Record a viewing: a new entry, or a rewatch of (or first watch of a planned) existing one.

    Nothing is asked here: the journal lock is held while this runs, so a question (rewatch or
    new?) is settled before (`match_existing`, `needs_decision`) and checked again here.
    """
    today = today or dt.date.today()
    check_request(request, today)
    new = _requested_entry(request, today)
    with journal.lock():
        loaded = journal.load_all()
        new.links = [Link(to=named_exactly(journal, loaded, q).slug) for q in request.links]
        existing = _existing(journal, loaded, new, request)
        if needs_decision(existing, request):
            assert existing is not None
            raise AlreadyExists(
                f"{existing.label} is already in the journal as {existing.slug}; "
                "add --rewatch to record another viewing, or --new for a different title"
            )
        if existing is not None:
            was_planned = existing.status == "planned"
            merged, changes = _merge_viewing(existing, new, request)
            merged.links.extend(link for link in new.links if link not in merged.links)
            path = journal.update(merged)
            return AddResult(merged, path, "watched" if was_planned else "rewatch", changes)
        new.slug = journal.new_slug(new.title, new.year)
        path = journal.create(new)
        return AddResult(new, path, "created")


def remove_entry(journal: Journal, slug: str) -> Path:
    """Delete an entry's file under the lock (Conflict if it changed since it was read)."""
    with journal.lock():
        journal.get(slug)
        return journal.delete(slug)


def list_entries(
    journal: Journal,
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    min_score: float | None = None,
    year: int | None = None,
    *,
    sort: str = "watched",
    reverse: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
) -> list[Entry]:
    """What `list` shows: filtered, sorted, at most `limit`, decoding only those when it can."""
    from watchbook.index.store import read_index

    def read(view: IndexView) -> list[Entry]:
        view.problems()
        if limit is None or sort == "title" or tag is not None:
            # Every entry is shown, or the order or a filter needs what only entries hold
            # (title keys, tags as written).
            chosen = filter_entries(view.entries(), kind, status, tag, min_score, year)
            return sort_entries(chosen, sort, reverse)[:limit]
        summaries = filter_entries(view.all_summaries(), kind, status, None, min_score, year)
        slugs = [r.slug for r in sort_entries(summaries, sort, reverse)[:limit]]
        loaded = view.entries_by_slug(slugs)
        return [loaded[slug] for slug in slugs]

    return read_index(journal, read, progress, links=False)


def filter_entries(
    entries: Sequence[Listed],
    kind: str | None = None,
    status: str | None = None,
    tag: str | None = None,
    min_score: float | None = None,
    year: int | None = None,
) -> list[Listed]:
    """Entries (or their index summaries) that pass every filter (a tag in any spelling)."""
    from watchbook.text import tag_key

    wanted = tag_key(tag) if tag else None
    return [
        e
        for e in entries
        if (kind is None or e.kind == kind)
        and (status is None or e.status == status)
        and (wanted is None or wanted in map(tag_key, e.tags))
        and (min_score is None or (e.score is not None and e.score >= min_score))
        and (year is None or e.year == year)
    ]


def sort_entries(
    entries: Sequence[Listed], by: str = "watched", reverse: bool = False
) -> list[Listed]:
    """Score, year and last viewing newest/highest first, titles A-Z; missing values always last."""
    from watchbook.text import title_key

    value_of: Callable[[Any], Any] = {
        "score": lambda e: e.score,
        "year": lambda e: e.year,
        "watched": lambda e: e.last_watched,
        "title": lambda e: title_key(e.title),
    }[by]
    # Each entry's sort value worked out once (a title key costs a few regexes).
    valued = [(value_of(e), e) for e in entries]
    present = sorted(((v, e) for v, e in valued if v is not None), key=lambda item: item[1].slug)
    present.sort(key=lambda item: item[0], reverse=(by != "title") != reverse)
    missing = sorted((e for v, e in valued if v is None), key=lambda e: e.slug)
    return [e for _, e in present] + missing
