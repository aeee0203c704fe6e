"""`--format json`: one document with every entry, its links, backlinks and recommendations.

Named json_export rather than json so that nobody reading `import json` in this package has to
wonder which one it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from watchbook.entry import Entry, Viewing
from watchbook.export.site import Site

FILE_NAME = "watchbook.json"
FORMAT_VERSION = 1


def entry_record(site: Site, entry: Entry) -> dict[str, Any]:
    """Every field of the entry in `show --json` terms (`watched` as in the file), plus links."""
    # `links` is the user's own [[links]] exactly as written (so the record turns back into the
    # same entry); `related` is every outgoing link, derived ones included; `backlinks` every link
    # pointing here.
    record = entry.to_json()
    # `watched` as the entry file has it, so that each viewing's score, note and own keys read
    # back; `show --json`'s `viewings` would say the same again, as a key no entry file has.
    del record["viewings"]
    record["watched"] = [viewing_record(v) for v in sorted(entry.viewings, key=lambda v: v.date)]
    record["related"] = [
        {"to": k.target, "why": k.why, "derived": k.derived} for k in site.outgoing(entry.slug)
    ]
    record["backlinks"] = [
        {"from": k.source, "why": k.why, "derived": k.derived} for k in site.incoming(entry.slug)
    ]
    if site.recommender is not None:
        record["recommended"] = [
            {"slug": r.slug, "why": r.why} for r in site.recommended(entry.slug)
        ]
    return record


def viewing_record(viewing: Viewing) -> str | dict[str, Any]:
    """A viewing as in its entry file: the ISO date alone, or an object with what else it has."""
    if viewing.plain:
        return viewing.date.isoformat()
    # A score or note not given is left out, as in the file (TOML has no null).
    return {k: v for k, v in viewing.to_json().items() if v is not None}


def document_start() -> str:
    """The first line of every JSON export (how an earlier export is recognised)."""
    return f'{{"watchbook_export": {FORMAT_VERSION}, "entries": [\n'


def document(site: Site) -> Iterator[str]:
    """The JSON text in pieces: entries by slug, one per line, so diffs show whole entries."""
    entries = sorted(site.entries, key=lambda e: e.slug)
    yield document_start()
    last = len(entries) - 1
    for i, entry in enumerate(entries):
        text = json.dumps(entry_record(site, entry), ensure_ascii=False)
        yield text + (",\n" if i < last else "\n")
    yield "]}\n"
