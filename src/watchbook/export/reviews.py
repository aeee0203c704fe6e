"""Reviews as safe HTML: CommonMark through markdown-it-py with raw HTML off and links checked.

A review is the user's own Markdown, but an exported site may be read by anyone, so nothing in
a review can run: raw HTML shows as text, images are not loaded (nothing is fetched from the
network), and a link is kept only when it is relative or uses http, https or mailto (never
javascript:, data:, vbscript: or file:).
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Schemes a review's link may use; a link without one (relative, '#anchor') is kept too.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# Whitespace and control characters that browsers drop inside a scheme ('java\tscript:').
_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]+")

# A review that is only plain paragraphs: nothing Markdown could read as markup (no punctuation
# that starts emphasis, code, links, HTML, entities or escapes; no line starting with
# whitespace, a digit or a list, quote, heading or underline marker; no trailing whitespace).
_NOT_PLAIN = re.compile(
    r"[\\`*_\[\]<>!&#~|=+\x00-\x09\x0b-\x1f\x7f]|^[^\S\n]|^[\d-]|[^\S\n]$", re.M
)


def safe_link(url: str) -> bool:
    """True for a relative link or one with an allowed scheme."""
    match = _SCHEME.match(_IGNORED.sub("", url))
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def plain_paragraphs(text: str) -> str | None:
    """The HTML of a review made only of plain paragraphs, or None if it needs a parser.

    For such a review this is exactly what markdown-it renders (tested), without parsing it.
    """
    if _NOT_PLAIN.search(text):
        return None
    blocks = (b.strip("\n") for b in text.replace('"', "&quot;").split("\n\n"))
    return "".join(f"<p>{block}</p>\n" for block in blocks if block)


def review_renderer() -> Callable[[str], str]:
    """A function turning a review's Markdown into safe HTML."""
    from markdown_it import MarkdownIt

    from watchbook.tricks import enabled

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.disable("image")
    parser.validateLink = safe_link  # type: ignore[method-assign]
    quick = enabled("plain-reviews")

    def render(text: str) -> str:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        plain = plain_paragraphs(text) if quick else None
        return plain if plain is not None else parser.render(text)

    return render
