"""Another viewing of an entry already in the journal: what it changes, and what is kept.

A viewing may carry its own score and note. The entry's `score` and `verdict` are the latest
opinion the user gave; when a rewatch replaces them, the viewing before it keeps the old ones
(`Score 6 -> 7 (the 2017-05-22 viewing keeps 6)`), so no opinion is ever lost. A viewing
dated before the latest one (a rewatch recorded late) keeps its score and note to itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from watchbook.entry import Entry, Viewing
from watchbook.text import group_key
from watchbook.validation import validate


@dataclass
class Given:
    """What the user gave with a rewatch; None (or empty) where they gave nothing."""

    score: int | float | None = None
    note: str | None = None
    verdict: str | None = None
    kind: str | None = None
    where: str | None = None
    review: str | None = None
    tags: list[str] = field(default_factory=list)
    creators: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)


def number(score: int | float | None) -> str:
    """A score in a message: '6', '7.5'."""
    return "none" if score is None else f"{score:g}"


def add_rewatch(entry: Entry, viewings: list[Viewing], given: Given) -> tuple[Entry, list[str]]:
    """The entry with the viewings added (the last one gets the score and note), and what changed."""
    merged = validate(entry)
    before = merged.viewings[-1] if merged.viewings else None
    earlier = list(merged.viewings)
    newest = max(viewings, key=lambda v: v.date)
    newest.score, newest.note = given.score, given.note
    for viewing in viewings:
        merged.add_viewing(viewing)
    # A viewing recorded late leaves the entry's opinion to the later one.
    latest = before is None or newest.date >= before.date
    changes: list[str] = []
    if given.score is not None:
        changes += _score(merged, before, earlier, newest, latest)
    if given.verdict is not None and given.verdict != merged.verdict:
        changes += _verdict(merged, before, newest, given.verdict, latest)
    for name, value in (("kind", given.kind), ("where", given.where)):
        old = getattr(merged, name)
        if value is not None and value != old:
            setattr(merged, name, value)
            changes.append(f"{name.capitalize()} {old or 'none'} -> {value}")
    if given.review and given.review.strip() != (merged.review or "").strip():
        changes.append(_review(merged, newest, given.review))
    for name in ("tags", "creators", "aliases"):
        values = getattr(merged, name)
        # A tag or creator it has in another spelling ('Drôle' for 'drôle') is not added again.
        have = {_spelling_key(name, v) for v in values}
        added = []
        for value in getattr(given, name):
            if _spelling_key(name, value) not in have:
                have.add(_spelling_key(name, value))
                added.append(value)
        if added:
            values.extend(added)
            changes.append(f"{name.capitalize()} + {', '.join(added)}")
    return validate(merged), changes


def _spelling_key(attribute: str, value: str) -> str:
    """What two spellings of one tag or creator share (aliases only as written)."""
    return value if attribute == "aliases" else group_key(attribute, value)


def _score(
    merged: Entry, before: Viewing | None, earlier: list[Viewing], newest: Viewing, latest: bool
) -> list[str]:
    score = newest.score
    if not latest:
        assert before is not None
        return [
            f"Score stays {number(merged.score)} (the {before.date} viewing is later; "
            f"the {newest.date} viewing keeps {number(score)})"
        ]
    old = merged.score
    merged.score = score
    if old is None:
        return [f"Score {number(score)}"]
    if old == score:
        return []
    if before is None:
        return [
            f"Score {number(old)} -> {number(score)} (no earlier viewing to keep {number(old)})"
        ]
    # Every earlier viewing without a score of its own stood for the entry's: each keeps it
    # (not only the last one, or a third viewing would re-score the first).
    keeping = [viewing for viewing in earlier if viewing.score is None]
    for viewing in keeping:
        viewing.score = old
    change = f"Score {number(old)} -> {number(score)}"
    if len(keeping) > 1:
        days = ", ".join(str(viewing.date) for viewing in keeping)
        return [f"{change} (the viewings of {days} keep {number(old)})"]
    kept = keeping[0] if keeping else before
    return [f"{change} (the {kept.date} viewing keeps {number(kept.score)})"]


def _verdict(
    merged: Entry, before: Viewing | None, newest: Viewing, verdict: str, latest: bool
) -> list[str]:
    if not latest:
        assert before is not None
        return [
            f"Verdict stays (the {before.date} viewing is later); "
            f"the {newest.date} viewing keeps yours {_keep(newest, verdict)}"
        ]
    old, merged.verdict = merged.verdict, verdict
    if not old:
        return ["Verdict added"]
    if before is None:
        return [f"Verdict replaced (it was: {old})"]
    return [f"Verdict replaced (the {before.date} viewing keeps the old one {_keep(before, old)})"]


def _keep(viewing: Viewing, verdict: str) -> str:
    """Keep a verdict on a viewing: as its note, else under a key of its table; says where."""
    if viewing.note is None:
        viewing.note = verdict
        return "as its note"
    key, n = "verdict", 2
    while key in viewing.extra:
        key, n = f"verdict-{n}", n + 1
    viewing.extra[key] = verdict
    return f"as `{key}`"


def _review(merged: Entry, newest: Viewing, review: str) -> str:
    """A review given with a rewatch is added as a section dated by the viewing."""
    if not merged.review:
        merged.review = review
        return "Review added"
    merged.review = (
        f"{merged.review.rstrip()}\n\n**{newest.date.isoformat()}**\n\n{review.strip()}\n"
    )
    return f"Review: added a section for {newest.date.isoformat()}"
