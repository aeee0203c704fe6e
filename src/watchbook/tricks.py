"""Speed tricks, each with a switch to turn it off for debugging.

`WATCHBOOK_OFF=parallel-build,listing-pieces` (or `WATCHBOOK_OFF=all`) runs watchbook without
them; the results must be the same, only slower. docs/benchmarks.md gives each one's measured
gain, which is why it stays.
"""

from __future__ import annotations

import os

ENV_VAR = "WATCHBOOK_OFF"

TRICKS = {
    "parallel-build": "an index build of 2,000 files or more parses them in two forked processes",
    "listing-pieces": "the stored folder listing is compared in pieces of 256 files",
    "lazy-links": "a build for a command that shows no links leaves them to the first that does",
    "quiet-edits": "an edit no link, key or text depends on rewrites one row of the index",
    "plain-reviews": "the HTML export writes a review of plain paragraphs without parsing it",
    "read-ahead": "a command that only reads lists the journal folder in a child while it loads",
    "one-command": "a command line builds only the Typer command it runs",
    "import-gc": "no garbage collection while modules load; what they and the command made is frozen",
    "gc-freeze": "an export leaves the journal it loaded out of the garbage collector's passes",
    "incremental-site": "an HTML export into its own folder draws only the pages that changed",
}


def enabled(name: str) -> bool:
    """Whether a trick is on (it is unless WATCHBOOK_OFF names it, or says all)."""
    assert name in TRICKS, name
    off = os.environ.get(ENV_VAR, "")
    if not off:
        return True
    names = {part.strip() for part in off.split(",")}
    return name not in names and "all" not in names
