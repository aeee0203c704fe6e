"""Review text with HTML in it (Letterboxd allows a few tags) turned into safe Markdown, and
review text and names rid of the control characters an entry may not hold."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from watchbook.markdown_safety import safe_markdown
from watchbook.text import has_control_chars

_TAG_OR_ENTITY = re.compile(r"</?[A-Za-z][^>]*>|&(#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);")
_MANY_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*"}
_BLOCK = {"p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
_HIDDEN = {"script", "style"}
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Characters that end a line or a page in some editors: vertical tab, form feed, next line, line
# separator (a line break each) and paragraph separator (a blank line).
_BREAKS = re.compile("[\x0b\x0c\x85\u2028\u2029]")
# What stands between words in a name that lost its line breaks.
_LINE_SPACES = frozenset("\t\n\r\x0b\x0c\x85\u2028\u2029")


class _Frame:
    """Text collected inside one open element that needs wrapping when it closes."""

    def __init__(self, tag: str, href: str | None = None) -> None:
        self.tag = tag
        self.href = href
        self.parts: list[str] = []


class _ToMarkdown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Frame] = [_Frame("")]
        self.hidden = 0

    @property
    def out(self) -> list[str]:
        return self.stack[-1].parts

    def text(self) -> str:
        return "".join(self.out)

    def handle_data(self, data: str) -> None:
        # Line breaks in the text are the writer's own, unlike in a browser: keep them.
        if not self.hidden:
            self.out.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCK:
            self.out.append("\n\n")
            if tag == "li":
                self.out.append("- ")
        elif tag in _INLINE or tag == "blockquote":
            self.stack.append(_Frame(tag))
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            self.stack.append(_Frame("a", href.strip()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
            return
        if tag in _BLOCK:
            self.out.append("\n\n")
            return
        if not any(frame.tag == tag for frame in self.stack[1:]):
            return
        # Close anything left open inside it (HTML in reviews is not always balanced).
        while self.stack[-1].tag != tag:
            self._close()
        self._close()

    def close(self) -> None:
        super().close()
        while len(self.stack) > 1:
            self._close()

    def _close(self) -> None:
        frame = self.stack.pop()
        inner = "".join(frame.parts)
        if frame.tag in _INLINE:
            self.out.append(_wrap(inner, _INLINE[frame.tag]))
        elif frame.tag == "blockquote":
            lines = inner.strip("\n").splitlines() or [""]
            quoted = "\n".join(f"> {line.strip()}".rstrip() for line in lines)
            self.out.append(f"\n\n{quoted}\n\n")
        elif frame.tag == "a":
            self.out.append(_link(inner, frame.href))


def _wrap(inner: str, marker: str) -> str:
    """**bold** with the spaces outside the markers, which Markdown needs to see emphasis."""
    core = inner.strip()
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{marker}{core}{marker}{trail}"


def _link(text: str, href: str | None) -> str:
    """[text](url) for web and mail links; just the text for anything else (javascript: etc.)."""
    label = text.strip()
    if not href or not href.lower().startswith(_SAFE_SCHEMES):
        return text
    url = href.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    if not label or label == href:
        return f"<{url}>"
    label = label.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url})"


def looks_like_html(text: str) -> bool:
    """True when the text holds a tag or an entity reference."""
    return bool(_TAG_OR_ENTITY.search(text))


def html_to_markdown(text: str) -> str:
    """Markdown for review HTML: bold, italics, links, quotes and paragraphs kept; other tags dropped.

    The result is always safe Markdown (markdown_safety): text the HTML escaped, such as
    `&lt;script&gt;`, stays text, and no link leads to javascript: or data:.
    """
    # Plain text without tags or entities is only made safe.
    if not looks_like_html(text):
        return safe_markdown(text)
    parser = _ToMarkdown()
    parser.feed(text.replace("\r\n", "\n"))
    parser.close()
    result = _TRAILING_SPACE.sub("\n", parser.text())
    result = _MANY_BLANK_LINES.sub("\n\n", result)
    return safe_markdown(result.strip("\n"))


def clean_controls(text: str) -> tuple[str, int, int]:
    """The text as a review may hold it, with the counts of characters removed and made breaks.

    Vertical tabs, form feeds and line or paragraph separators become line breaks; every other
    character validation refuses in a review (C0 and C1 controls, bidi embedding, override and
    isolate marks) is removed. Pasted right-to-left text brings such marks; the words stay.
    """
    breaks = len(_BREAKS.findall(text))
    if breaks:
        text = _BREAKS.sub(lambda m: "\n\n" if m.group() == "\u2029" else "\n", text)
    if not has_control_chars(text, allow_newlines=True):
        return text, 0, breaks
    # What validation refuses, decided by validation's own test, so the result always passes.
    kept = "".join(ch for ch in text if not has_control_chars(ch, allow_newlines=True))
    return kept, len(text) - len(kept), breaks


def clean_line(text: str) -> tuple[str, int]:
    """A one-line text (a title, a tag) as validation takes it, and how many characters went.

    Tabs and line breaks become spaces; other control characters and bidi embedding, override
    and isolate marks are removed (validation refuses them all in a name).
    """
    if not has_control_chars(text):
        return text, 0
    gone = sum(1 for ch in text if has_control_chars(ch))
    spaced = "".join(" " if ch in _LINE_SPACES else ch for ch in text)
    kept = "".join(ch for ch in spaced if not has_control_chars(ch))
    return " ".join(kept.split()), gone
