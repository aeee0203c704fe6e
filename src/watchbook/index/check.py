"""`watchbook check`: every file read again, with problems reported by file and line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from watchbook.entry import dismissed
from watchbook.index.store import open_index
from watchbook.listing import SUFFIX

if TYPE_CHECKING:
    from watchbook.index import Progress
    from watchbook.journal import Journal


def check_journal(journal: Journal, progress: Progress | None = None) -> dict[str, Any]:
    """Read every file again and report problems (with file and line) and suggested links."""
    from watchbook.links import likely_duplicates

    view = open_index(journal, progress, rebuild=True)
    catalog = view.catalog()
    problems: list[dict[str, Any]] = [
        {"kind": "invalid", "file": p.path, "line": p.line, "message": p.reason}
        for p in catalog.problems
    ]
    slugs = {e.slug for e in catalog.entries}
    for entry in catalog.entries:
        name = f"{entry.slug}{SUFFIX}"
        for link in entry.links:
            if link.to not in slugs:
                problems.append(
                    {
                        "kind": "missing-link",
                        "file": name,
                        "line": _line_of(
                            journal, name, f"to\\s*=\\s*[\"']{re.escape(link.to)}[\"']"
                        ),
                        "message": f"links to {link.to!r}, which is not in the journal",
                    }
                )
        for other in dismissed(entry):
            if other not in slugs:
                problems.append(
                    {
                        "kind": "missing-link",
                        "file": name,
                        "line": _line_of(journal, name, r"unlinked\s*="),
                        "message": f"unlinked lists {other!r}, which is not in the journal",
                    }
                )
    for first, second, reason in likely_duplicates(catalog.entries):
        name = f"{first.slug}{SUFFIX}"
        problems.append(
            {
                "kind": "duplicate",
                "file": name,
                "line": _line_of(journal, name, r"title\s*="),
                "message": f"probably the same as {second.slug}{SUFFIX} ({reason})",
                "other": f"{second.slug}{SUFFIX}",
            }
        )
    written = {frozenset((k.source, k.target)) for k in catalog.links if not k.derived}
    suggestions = [
        {"from": k.source, "to": k.target, "why": k.why}
        for k in catalog.derived_links()
        if len(k.kinds) >= 2 and frozenset((k.source, k.target)) not in written
    ]
    problems.sort(key=lambda p: (p["file"], p["line"] or 0, p["kind"]))
    return {
        "ok": not problems,
        "files": len(catalog.entries) + len(catalog.problems),
        "problems": problems,
        "suggestions": suggestions,
    }


def _line_of(journal: Journal, name: str, pattern: str) -> int | None:
    """The first line of an entry file matching a pattern (for 'file:line' reports)."""
    try:
        text = (journal.path / name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    compiled = re.compile(rf"^\s*\[*\s*{pattern}")
    for number, line in enumerate(text.splitlines(), start=1):
        if compiled.search(line):
            return number
    return None
