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
    problems += _conflicts(journal, [f"{e.slug}{SUFFIX}" for e in catalog.entries])
    slugs = {e.slug for e in catalog.entries}
    # A slug whose file is there but does not parse: 'not in the journal' would send the user
    # looking for a file that exists.
    unparsed = {p.path.removesuffix(SUFFIX): p.path for p in catalog.problems}
    for entry in catalog.entries:
        name = f"{entry.slug}{SUFFIX}"
        for link in entry.links:
            if link.to not in slugs:
                # `to = ` starts a line under [[links]], or follows `{` or `,` in an inline table.
                to = rf"(?:^\s*|[{{,]\s*)[\"']?to[\"']?\s*=\s*[\"']{re.escape(link.to)}[\"']"
                problems.append(
                    {
                        "kind": "missing-link",
                        "file": name,
                        "line": _line_of(journal, name, to),
                        "message": f"links to {link.to!r}, {_missing(link.to, unparsed)}",
                    }
                )
        for other in dismissed(entry):
            if other not in slugs:
                problems.append(
                    {
                        "kind": "missing-link",
                        "file": name,
                        "line": _line_of(journal, name, r"^\s*unlinked\s*="),
                        "message": f"unlinked lists {other!r}, {_missing(other, unparsed)}",
                    }
                )
    for first, second, reason in likely_duplicates(catalog.entries):
        name = f"{first.slug}{SUFFIX}"
        problems.append(
            {
                "kind": "duplicate",
                "file": name,
                "line": _line_of(journal, name, r"^\s*title\s*="),
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


def _conflicts(journal: Journal, names: list[str]) -> list[dict[str, Any]]:
    """Entry files that still hold conflict markers from a merge (in the review, they parse)."""
    from watchbook.editing import conflict_marker, marker_reason

    found = []
    for name in names:
        try:
            data = (journal.path / name).read_bytes()
        except OSError:
            continue
        # Most files have no run of seven marks at all: no need to decode and scan them.
        if b"<<<<<<<" not in data and b">>>>>>>" not in data and b"|||||||" not in data:
            continue
        marker = conflict_marker(data.decode("utf-8-sig", "replace"))
        if marker is not None:
            line, mark = marker
            found.append(
                {"kind": "conflict", "file": name, "line": line, "message": marker_reason(mark)}
            )
    return found


def _missing(slug: str, unparsed: dict[str, str]) -> str:
    """Why a slug an entry names is not there: no such file, or a file that does not parse."""
    if slug in unparsed:
        return f"whose file {unparsed[slug]} does not parse"
    return "which is not in the journal"


def _line_of(journal: Journal, name: str, pattern: str) -> int | None:
    """The first line of an entry file a pattern finds (for 'file:line' reports)."""
    try:
        text = (journal.path / name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    compiled = re.compile(pattern)
    for number, line in enumerate(text.splitlines(), start=1):
        if compiled.search(line):
            return number
    return None
