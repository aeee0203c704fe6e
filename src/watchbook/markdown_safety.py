"""Markdown that cannot carry raw HTML or script links, whatever text it was made from.

Reviews are Markdown. Imported reviews and exported pages pass through `safe_markdown`, so
that neither a review from an export file nor anything written in the journal by hand can put
a tag (`<script>`, `<img onerror=...>`, `<iframe>`) or a `javascript:`/`data:` link into a page
a Markdown renderer turns into HTML. Everything readable stays: a `<` that would open a tag
becomes the entity `&lt;` (every Markdown flavour shows it as `<`), and a link to anything but
http(s), mailto, a page or an anchor keeps its text but loses its link.
"""

from __future__ import annotations

import html
import re

# What may follow '<' to open raw HTML: a tag name, a closing tag, a comment or declaration,
# a processing instruction. An autolink to a web or mail address is left alone.
_ANGLE = re.compile(
    r"<(?:(?:https?://|mailto:)[^\s<>]*>|[\w.+-]+@[\w-]+(?:\.[\w-]+)+>)|<(?=[A-Za-z/!?])",
    re.IGNORECASE,
)
# The '](' of an inline link or image, and (looked ahead at, not consumed) its destination and
# title, to the next ')' or line end (blanks included: a browser skips them inside a scheme, so
# they must not hide one). Not consumed, so a '](' inside that text is judged on its own too.
_INLINE_LINK = re.compile(r"\]\((?=([ \t]*\n?[^)\n]*))")
# The ']' closing a link reference definition's label, and (looked ahead at, not consumed)
# what would be its destination. A label's ']' is always followed by ':' at once, so every ']:'
# is judged, wherever it sits: in a quote or a list item, after a label spread over lines. The
# blanks, line ends and quote markers allowed before the destination are skipped.
_DEFINITION = re.compile(r"\](?=:[\s>]*(<[^>\n]*>|\S+))")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_SAFE_SCHEMES = {"http", "https", "mailto"}
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def safe_markdown(text: str) -> str:
    """The text with raw HTML turned into visible text and unsafe link targets unlinked."""
    if "<" in text:
        text = _ANGLE.sub(_escape_angle, text)
    if "](" in text:
        text = _INLINE_LINK.sub(_unlink_inline, text)
    if "]:" in text:
        text = _DEFINITION.sub(_unlink_definition, text)
    return text


def is_safe_link(destination: str) -> bool:
    """True for web and mail links, pages and anchors; False for javascript:, data: and the like."""
    # Judged as a renderer and a browser would read it: entities and backslash escapes
    # decoded, and the blanks and control characters browsers skip inside a scheme removed.
    target = re.sub(r"\\(.)", r"\1", html.unescape(destination))
    target = _INVISIBLE.sub("", target).lstrip("<").lower()
    scheme = _SCHEME.match(target)
    return scheme is None or scheme.group(1) in _SAFE_SCHEMES


def _escape_angle(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if len(found) > 1 else "&lt;"


def _unlink_inline(match: re.Match[str]) -> str:
    if is_safe_link(match.group(1)):
        return match.group(0)
    # ']\(' is no link in any Markdown: the text and the target stay visible, as text.
    return "]\\("


def _unlink_definition(match: re.Match[str]) -> str:
    if is_safe_link(match.group(1)):
        return match.group(0)
    # ']\:' ends no label, whatever backslashes come before the ']'; it reads as ']:'.
    return "]\\"
