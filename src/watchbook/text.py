"""Text folding shared by slugs, query resolution, search keys and link detection."""

from __future__ import annotations

import re
import unicodedata

# Dots and apostrophes vanish rather than split words: "Production I.G" = "Production IG",
# "Howl's" = "howls". Every other non-alphanumeric character separates words.
_JOINERS = re.compile(r"[.'’`´]")
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
_ARTICLE_AT_END = re.compile(
    r"^(?P<rest>.+?),\s*(?P<article>the|a|an|le|la|les|l'|der|die|das|el)$", re.I
)
# C0/C1 controls and the bidi embedding/override/isolate marks (which can disguise text);
# ordinary right-to-left text, joiners and emoji are fine.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_MULTILINE_OK = {"\n", "\r", "\t"}


def strip_accents(text: str) -> str:
    """Drop combining marks after compatibility decomposition (Tetsurō -> Tetsuro)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lowercase, accent-free, punctuation-free words separated by single spaces."""
    text = strip_accents(text).casefold()
    text = _JOINERS.sub("", text)
    return _SEPARATORS.sub(" ", text).strip()


def unmove_article(title: str) -> str:
    """Library-style 'Matrix, The' becomes 'The Matrix'; other titles are returned as given."""
    match = _ARTICLE_AT_END.match(title.strip())
    if not match:
        return title
    article = match.group("article")
    joiner = "" if article.endswith("'") else " "
    return f"{article}{joiner}{match.group('rest')}"


def title_key(title: str) -> str:
    """The folded form two titles share when they name the same thing."""
    return fold(unmove_article(title))


def has_control_chars(text: str, allow_newlines: bool = False) -> bool:
    """True when the text holds control or bidi-override characters (newlines and tabs if allowed)."""
    for match in _CONTROL.finditer(text):
        if not (allow_newlines and match.group() in _MULTILINE_OK):
            return True
    return False
