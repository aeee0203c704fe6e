"""How the index stores values: entries as marshal bytes, blobs with a checksum.

Marshal keeps ints, floats, strings, lists and dicts as they are; TOML dates and times become
one-key tables (`{"$date": "2017-05-22"}`) and back. A key of the user's own that starts with
`$` is stored with one more `$` in front, so no table the user wrote can pass for a date.
"""

from __future__ import annotations

import datetime as dt
import marshal
import zlib
from typing import Any

from watchbook.entry import Entry, Link, Viewing
from watchbook.progress import Progress


class IndexDamaged(Exception):
    """The index file cannot be trusted (not SQLite, wrong version, failed checks)."""


_DECODERS = {
    "$datetime": dt.datetime.fromisoformat,
    "$date": dt.date.fromisoformat,
    "$time": dt.time.fromisoformat,
}


def tag_value(value: Any) -> Any:
    """A TOML value with its dates, times and `$` keys made safe for marshal."""
    if isinstance(value, dict):
        return {_escape(k): tag_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tag_value(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    return value


def untag_value(value: Any) -> Any:
    """The value tag_value() was given."""
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, text),) = value.items()
            decode = _DECODERS.get(key)
            if decode is not None:
                return decode(text)
        return {_unescape(k): untag_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [untag_value(v) for v in value]
    return value


def _escape(key: str) -> str:
    return "$" + key if key.startswith("$") else key


def _unescape(key: str) -> str:
    return key[1:] if key.startswith("$") else key


def encode_entry(entry: Entry) -> bytes:
    """The entry as compact bytes that decode back to an equal Entry."""
    data = [
        entry.title,
        entry.slug,
        entry.year,
        entry.kind,
        entry.status,
        entry.score,
        entry.verdict,
        [_encode_viewing(v) for v in entry.viewings],
        entry.tags,
        entry.creators,
        entry.aliases,
        entry.where,
        entry.review,
        entry.ids,
        [[k.to, k.why, tag_value(k.extra)] for k in entry.links],
        tag_value(entry.extra),
        entry.episodes,
        _encode_progress(entry.progress),
        entry.rewatches,
    ]
    # Marshal, not JSON: quicker to read back (`list` reads every entry) and no json import.
    # Version 2 has no back-references, so equal entries give equal bytes.
    return marshal.dumps(data, 2)


def decode_entry(data: bytes) -> Entry:
    """The Entry encode_entry() wrote (no re-validation: the index wrote it from a valid one)."""
    try:
        (
            title, slug, year, kind, status, score, verdict, watched,
            tags, creators, aliases, where, review, ids, links, extra, episodes, progress,
            rewatches,
        ) = marshal.loads(data)  # fmt: skip
        return Entry(
            title=title,
            slug=slug,
            year=year,
            kind=kind,
            status=status,
            score=score,
            verdict=verdict,
            watched=[_decode_viewing(v) for v in watched],
            tags=tags,
            creators=creators,
            aliases=aliases,
            where=where,
            review=review,
            ids=ids,
            links=[Link(to=to, why=why, extra=untag_value(more)) for to, why, more in links],
            extra=untag_value(extra) if extra else {},
            episodes=episodes,
            progress=_decode_progress(progress),
            rewatches=rewatches,
        )
    except (EOFError, ValueError, TypeError) as exc:
        # Rows carry no checksum: bytes that do not decode mean a damaged index.
        raise IndexDamaged(f"index entry unreadable: {exc}") from None


def _encode_viewing(viewing: Viewing) -> str | list[Any]:
    # Most viewings are a date alone: stored as its text, the others as a list.
    date = viewing.date.isoformat()
    if viewing.plain:
        return date
    return [date, viewing.score, viewing.note, tag_value(viewing.extra)]


def _decode_viewing(data: str | list[Any]) -> Viewing:
    if isinstance(data, str):
        return Viewing(dt.date.fromisoformat(data))
    date, score, note, extra = data
    return Viewing(dt.date.fromisoformat(date), score, note, untag_value(extra))


def _encode_progress(progress: Progress | None) -> list[Any] | None:
    if progress is None:
        return None
    days = [d.isoformat() if d else None for d in (progress.date, progress.started)]
    return [progress.seen, *days, tag_value(progress.extra)]


def _decode_progress(data: list[Any] | None) -> Progress | None:
    if data is None:
        return None
    seen, date, started, extra = data
    day, first = (dt.date.fromisoformat(d) if d else None for d in (date, started))
    return Progress(seen, day, first, untag_value(extra))


def pack(value: Any) -> bytes:
    """A value as a blob with a checksum."""
    return with_checksum(marshal.dumps(value))


def with_checksum(data: bytes) -> bytes:
    """Bytes with their CRC-32 in front."""
    return zlib.crc32(data).to_bytes(4, "big") + data


def checked(blob: bytes) -> bytes:
    """A stored blob's data once its checksum is verified (IndexDamaged when it is not)."""
    # SQLite pages carry no checksum; a damaged blob is refused rather than trusted.
    if len(blob) < 4 or zlib.crc32(blob[4:]).to_bytes(4, "big") != blob[:4]:
        raise IndexDamaged("index blob checksum mismatch")
    return blob[4:]


def unpack(blob: bytes) -> Any:
    """The value pack() stored."""
    try:
        return marshal.loads(checked(blob))
    except (EOFError, ValueError, TypeError) as exc:
        raise IndexDamaged(f"index blob unreadable: {exc}") from None
