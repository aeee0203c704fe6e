"""`--format json`: one document with every entry, its links, backlinks and recommendations.

Named json_export rather than json so that nobody reading `import json` in this package has to
wonder which one it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from watchbook.entry import Entry
from watchbook.export.site import Site

FILE_NAME = "watchbook.json"
FORMAT_VERSION = 1


def entry_record(site: Site, entry: Entry) -> dict[str, Any]:
    """Every field of the entry as in `show --json` terms, plus its links both ways."""
    # `links` is the user's own [[links]] exactly as written (so the record turns back into the
    # same entry); `related` is every outgoing link, derived ones included; `backlinks` every link
    # pointing here.
    record = entry.to_json()
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
