"""How one imported entry merges into the journal's: what is added, filled in, or kept as it is.

Every rule only ever adds what is missing or moves a run forward, so the same export merged
twice changes nothing the second time. A score the journal has is never replaced, nor a review,
unless the import's only extends it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from watchbook.entry import COMMUNITY_KEY, Entry, Viewing, format_score
from watchbook.progress import EPISODE_KINDS, Progress
from watchbook.text import creator_key, tag_key, title_key
from watchbook.validation import validate

# Status a record may move an existing entry to: a planned title that was watched, or a series
# someone was watching and has finished. Any other difference keeps the journal's status.
_STATUS_UPGRADES = {("planned", "watching"), ("planned", "watched"), ("planned", "dropped")}
_STATUS_UPGRADES |= {("watching", "watched")}


def union(current: Sequence[str], extra: Iterable[str], key: Callable[[str], str]) -> list[str]:
    """The current items, then each extra one whose key none before it has (first spelling kept)."""
    seen = {key(item) for item in current}
    result = list(current)
    for item in extra:
        folded = key(item)
        if folded not in seen:
            seen.add(folded)
            result.append(item)
    return result


def _add_viewings(
    current: list[Viewing], extra: list[Viewing], score: int | float | None
) -> list[Viewing]:
    """Add the viewings the journal lacks (the same date twice in the export counts twice), and
    the score of a viewing the journal has without one; `score` is the entry's."""
    result = list(current)
    unmatched = list(current)
    # An only viewing written as a plain date carries the entry's score (drop_repeated_score
    # writes it so): it has a score, and the import's is not put in its place.
    carrier = None
    if len(current) == 1 and current[0].score is None and score is not None:
        carrier = current[0]
    for viewing in extra:
        same = next((v for v in unmatched if v.date == viewing.date), None)
        if same is None:
            result.append(Viewing(viewing.date, viewing.score, viewing.note, dict(viewing.extra)))
            continue
        unmatched.remove(same)
        if same.score is None and viewing.score is not None and same is not carrier:
            same.score = viewing.score
    if carrier is not None and len(result) > 1:
        # No longer the only one, it keeps that score as its own, as after `add --rewatch`;
        # else the next import would take it for unscored and give it the export's.
        carrier.score = score
    return sorted(result, key=lambda v: v.date)


def merge_into(have: Entry, new: Entry) -> tuple[Entry, list[str]]:
    """The entry with what the import adds, and notes on differences kept as the journal has them."""
    # Viewings, tags, creators, aliases and ids are added; a missing year, kind, score or review is
    # filled in; a planned title becomes watched. A score or review already there is never replaced
    # (a review the import only extends, for instance with a newer viewing's review appended, is
    # the one exception: nothing the user wrote is lost).
    merged = validate(have)
    kept: list[str] = []
    merged.viewings = _add_viewings(merged.viewings, new.viewings, have.score)
    if (have.status, new.status) in _STATUS_UPGRADES:
        merged.status = new.status
    elif new.status != have.status and new.status != "planned":
        kept.append(f"status: kept {have.status} (import says {new.status})")
    if merged.year is None:
        merged.year = new.year
    if merged.kind is None:
        merged.kind = new.kind
    if new.score is not None and merged.status != "planned":
        if merged.score is None:
            merged.score = new.score
        elif merged.score != new.score:
            kept.append(
                f"score: kept {format_score(merged.score)} (import says {format_score(new.score)})"
            )
    if new.review:
        if not have.review or have.review.strip() in new.review:
            merged.review = new.review
        elif new.review.strip() not in have.review:
            kept.append("review: kept the journal's review (the import has a different one)")
    merged.tags = union(have.tags, new.tags, tag_key)
    merged.creators = union(have.creators, new.creators, creator_key)
    # The import's own title too, when it matched by id or by alias under another name: the
    # entry is then found by what the export calls it ('Spirited Away' for the MyAnimeList
    # entry 'Sen to Chihiro no Kamikakushi').
    names = [new.title, *new.aliases]
    merged.aliases = union(
        have.aliases, [a for a in names if title_key(a) != title_key(have.title)], title_key
    )
    for service, value in new.ids.items():
        merged.ids.setdefault(service, value)
    kept.extend(_merge_series(have, merged, new))
    _count_each_viewing_once(have, merged, new)
    if not any(v.score is not None for v in have.viewings):
        drop_repeated_score(merged)
    # Other people's ratings are not the user's own data: the export's newer numbers replace
    # the ones it gave before (other keys in the table are kept).
    theirs = new.extra.get(COMMUNITY_KEY)
    if theirs:
        merged.extra[COMMUNITY_KEY] = {**(have.extra.get(COMMUNITY_KEY) or {}), **theirs}
    return validate(merged), kept


def _merge_series(have: Entry, merged: Entry, new: Entry) -> list[str]:
    """Episodes, the run under way and undated rewatches: each only ever moves forward."""
    kept = []
    episodes, run = new.episodes, new.progress
    if merged.kind not in (*EPISODE_KINDS, None) and (episodes or run):
        # The journal has it as a film (an OVA that MyAnimeList counts in episodes, say): the
        # journal's kind is kept, and a film has no episodes to count.
        kept.append(f"episodes: left out (the journal has it as a {merged.kind})")
        episodes, run = None, None
    if episodes is not None:
        if merged.episodes is None or episodes > merged.episodes:
            # A series still airing gains episodes; a newer export knows more of them.
            merged.episodes = episodes
        elif episodes < merged.episodes:
            kept.append(f"episodes: kept {merged.episodes} (import says {episodes})")
    if new.rewatches and new.rewatches > (merged.rewatches or 0):
        merged.rewatches = new.rewatches
    if have.status == "watching" and merged.status == "watched" and run is None:
        # The import saw the run finished (its viewing is added above).
        merged.progress = None
    elif run is not None and merged.status in ("watching", "dropped"):
        mine = merged.progress
        if mine is None or (run.seen, run.last or dt.date.min) > (
            mine.seen,
            mine.last or dt.date.min,
        ):
            # The keys a user added to the table (who they watch it with...) stay.
            extra = {**(mine.extra if mine else {}), **run.extra}
            merged.progress = Progress(run.seen, run.date, run.started, extra)
    if merged.progress and merged.episodes and merged.progress.seen > merged.episodes:
        merged.episodes = merged.progress.seen
    return kept


def _count_each_viewing_once(have: Entry, merged: Entry, new: Entry) -> None:
    """Undated rewatches give way to the dated viewings that stood for them."""
    # An export that dates every play (Trakt's newer layout) after one that only counted them
    # (its older one): the plays now dated were the undated rewatches. The merged entry never
    # counts more viewings than the journal or the import did; fewer undated ones make it so.
    most = max(len(have.viewings) + (have.rewatches or 0), len(new.viewings) + (new.rewatches or 0))
    dated = len(merged.viewings)
    if dated + (merged.rewatches or 0) > most:
        merged.rewatches = max(0, most - dated) or None


def drop_repeated_score(entry: Entry) -> None:
    """An only viewing scored as the entry is says nothing more: keep the short form."""
    if len(entry.viewings) == 1 and entry.viewings[0].score == entry.score:
        entry.viewings[0].score = None


def describe_changes(before: Entry, after: Entry) -> list[str]:
    """Short words for what an import changed in an entry ('+2 viewings', 'score', 'tags +3')."""
    changes: list[str] = []
    added = len(after.watched) - len(before.watched)
    if added:
        changes.append(f"+{added} viewing" + ("s" if added > 1 else ""))
    scored = sum(v.score is not None for v in after.viewings)
    if scored - sum(v.score is not None for v in before.viewings) > added:
        changes.append("viewing scores")
    for name in ("status", "year", "kind", "score", "review"):
        if getattr(before, name) != getattr(after, name):
            changes.append(name)
    for name in ("tags", "creators", "aliases"):
        grown = len(getattr(after, name)) - len(getattr(before, name))
        if grown:
            changes.append(f"{name} +{grown}")
    for name in ("episodes", "progress", "rewatches"):
        if getattr(before, name) != getattr(after, name):
            changes.append(name)
    if before.ids != after.ids:
        changes.append("ids")
    if before.extra.get(COMMUNITY_KEY) != after.extra.get(COMMUNITY_KEY):
        changes.append(COMMUNITY_KEY)
    return changes
