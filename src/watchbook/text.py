"""Text folding shared by slugs, query resolution, search keys and link detection."""

from __future__ import annotations

import functools
import re
import unicodedata

# Dots and apostrophes vanish rather than split words: "Production I.G" = "Production IG",
# "Howl's" = "howls". Every other non-alphanumeric character separates words.
# (A table for str.translate: a regular expression with these characters takes half a
# millisecond to compile, on every start.)
_JOINERS = str.maketrans("", "", ".'’`´")
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
# The articles search understands, in English, Italian, Spanish, French and German, as folded
# words ("l'" folds to "l"). Library-style titles move them to the back: "Gattopardo, Il".
ARTICLES = frozenset(
    {"the", "a", "an", "il", "lo", "la", "l", "le", "les", "el", "los", "las", "der", "die", "das"}
)
_ARTICLE_AT_END = re.compile(
    r"^(?P<rest>.+?),\s*(?P<article>the|an|a|il|lo|las|la|los|les|le|l['’]|el|der|die|das)$", re.I
)
# C0/C1 controls, the bidi embedding/override/isolate marks (which can disguise text), and lone
# surrogates (bytes that were not UTF-8 on the command line, which no file can hold);
# ordinary right-to-left text, joiners and emoji are fine.
_CONTROL = r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
# The same without newlines, carriage returns and tabs (\x09, \x0a, \x0d), allowed in text.
_CONTROL_IN_TEXT = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def strip_accents(text: str) -> str:
    """Drop combining marks after compatibility decomposition (Tetsurō -> Tetsuro, ı -> i,
    Alien³ -> Alien 3)."""
    if text.isascii():
        # Nothing to decompose; reviews are long and mostly ASCII, so this matters.
        return text
    # Decomposition and mark removal only ever change the non-ASCII runs, so only they are
    # walked character by character.
    return _NON_ASCII.sub(_strip_run, text)


# What decomposition leaves as it is, or joins to the word before, that a reader takes otherwise:
# the dotless ı ('KIŞ' is 'Kış', whose capital folds to i), and a superscript or subscript
# number, a word of its own ('Alien³' is 'Alien 3', numbered as sequels are).
_READ_AS = str.maketrans(
    {"ı": "i"}
    | {mark: f" {digit}" for digit, mark in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}
    | {mark: f" {digit}" for digit, mark in enumerate("₀₁₂₃₄₅₆₇₈₉")}
)


def _strip_run(match: re.Match[str]) -> str:
    decomposed = unicodedata.normalize("NFKD", match.group().translate(_READ_AS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lowercase, accent-free, punctuation-free words separated by single spaces."""
    text = strip_accents(text).casefold()
    text = text.translate(_JOINERS)
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


def word_forms(text: str, keep_case: bool = False) -> list[str]:
    """How search reads a name or a query: its folded words split at every mark, then (when
    different) with the marks inside a word dropped: 'Mr.Nobody' -> 'mr nobody', 'mrnobody'."""
    plain = strip_accents(text)
    plain = plain if keep_case else plain.casefold()
    split = _SEPARATORS.sub(" ", plain).strip()
    if not split:
        return []
    joined = " ".join(w for w in (_SEPARATORS.sub("", chunk) for chunk in plain.split()) if w)
    return [split] if joined == split else [split, joined]


def name_forms(name: str) -> list[str]:
    """word_forms() of a name (or a query) with a library-style article put back in front."""
    return word_forms(unmove_article(name.strip()))


def has_control_chars(text: str, allow_newlines: bool = False) -> bool:
    """True when the text holds control or bidi-override characters (newlines and tabs if allowed)."""
    return _control_pattern(allow_newlines).search(text) is not None


@functools.cache
def _control_pattern(allow_newlines: bool) -> re.Pattern[str]:
    # Compiled when first needed: these large character classes take a millisecond each.
    return re.compile(_CONTROL_IN_TEXT if allow_newlines else _CONTROL)


# --- words: stop words, tokens, creator names, series -----------------------------------------


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words too common to identify a title on their own (English plus the articles above and the
# Japanese particle "no", as in "Sidonia no Kishi").
STOPWORDS = _wordset(
    """
    a an the of and or in on at to for with from by as is it its be are was into about than
    but not no il lo la les le l los las el der die das de del du des y e und et
    """
)
# Company suffixes that do not change who a creator is: "Polygon Pictures Inc." = "Polygon Pictures".
COMPANY_SUFFIXES = _wordset(
    """
    inc incorporated co corp corporation company ltd limited llc plc gmbh ag sa kk pty srl
    bv nv oy ab
    """
)
_ROMAN = _wordset("ii iii iv v vi vii viii ix")
_ORDINALS = _wordset("one two three four five six seven eight nine ten")
_SEQUEL_WORDS = _wordset(
    """
    reloaded revolutions returns resurrection resurrections reborn rises begins forever redux
    origins awakens
    """
)
_NUMBERED = _wordset("season part chapter volume vol episode book series")
_SUBTITLE = re.compile(r"\s*(?::|\s[-–—]\s)\s*")


def words(text: str) -> list[str]:
    """The folded words of a text, in order."""
    return fold(text).split()


# For ASCII text, one byte-table pass does what fold()'s regular expressions do.
_ASCII_WORD_BYTES = {*range(ord("0"), ord("9") + 1), *range(ord("A"), ord("Z") + 1)}
_ASCII_WORD_BYTES |= set(range(ord("a"), ord("z") + 1))
_ASCII_SPACES = bytes(b if b in _ASCII_WORD_BYTES else 32 for b in range(256))
_ASCII_JOINERS = b".'`"


def split_words(text: str, keep_case: bool = False) -> list[str]:
    """fold(text).split(), or fold_keep_case(text).split(); fast for (mostly) Latin text."""
    if not text.isascii():
        # Accents gone, most Latin text is ASCII and can take the fast path below.
        text = strip_accents(text)
    if text.isascii():
        data = text.encode("ascii").translate(_ASCII_SPACES, _ASCII_JOINERS)
        return (data if keep_case else data.lower()).decode("ascii").split()
    if not keep_case:
        text = text.casefold()
    return _SEPARATORS.sub(" ", text.translate(_JOINERS)).split()


def fold_keep_case(text: str) -> str:
    """Like fold() but keeping letter case: accent-free words separated by single spaces."""
    text = strip_accents(text).translate(_JOINERS)
    return _SEPARATORS.sub(" ", text).strip()


@functools.lru_cache(maxsize=1 << 16)
def fold_name(name: str) -> str:
    """fold() for short strings that repeat a lot (creators, tags), remembered."""
    return fold(name)


def group_key(attribute: str, name: str) -> str:
    """The key of a tag or a creator (`attribute`) that its other spellings share.

    Tags that differ only in case, accents (however they are encoded) or punctuation are one
    ('Sci-Fi', 'sci fi'); creators also in word order and without 'Inc.' (creator_key). A name
    of punctuation only is its own key.
    """
    return (fold_name(name) if attribute == "tags" else creator_key(name)) or name


def tag_key(name: str) -> str:
    """The key a tag shares with its other spellings (see group_key)."""
    return group_key("tags", name)


@functools.lru_cache(maxsize=1 << 16)
def creator_key(name: str) -> str:
    """One key per creator however it is written: case, accents, dots, word order, Inc./Co., Ltd."""
    tokens = fold(name).split()
    while len(tokens) > 1 and tokens[-1] in COMPANY_SUFFIXES:
        tokens.pop()
    return " ".join(sorted(tokens))


def _strip_sequel(tokens: list[str]) -> list[str]:
    """Drop trailing season/part/sequel markers: 'attack on titan season 2' -> 'attack on titan'."""
    while len(tokens) > 1:
        last = tokens[-1]
        marker = (last.isdigit() and 1 <= int(last) <= 9) or last in _ROMAN
        if (marker or last in _ORDINALS) and len(tokens) > 2 and tokens[-2] in _NUMBERED:
            tokens = tokens[:-2]
        elif marker or last in _SEQUEL_WORDS:
            # A number word alone is no sequel mark ('The Brave One', 'One Eight Seven'); only
            # after 'part', 'season', ... ('Part One').
            tokens = tokens[:-1]
        else:
            break
    return tokens


def number_marks(key: str) -> list[str]:
    """The numbers in a folded title, Roman numerals as digits: 'rocky ii' -> ['2']."""
    return [
        token if token.isdigit() else _ROMAN_VALUES[token]
        for token in key.split()
        if token.isdigit() or token in _ROMAN_VALUES
    ]


def number_value(word: str) -> str | None:
    """The number a folded word writes, as digits: '2', 'ii' and 'two' -> '2' (else None)."""
    if word.isdecimal():
        return str(int(word))
    if word == "i":
        return None  # nearly always the pronoun, so Roman numerals start at 'ii'
    return _ROMAN_VALUES.get(word) or _NUMBER_WORDS.get(word)


def arabic_numerals(key: str) -> str:
    """A folded title with Roman numerals and number words as digits: 'part two' -> 'part 2'."""
    # Number words too, so that number_marks() tells 'Part One' from 'Part Two' (add's
    # duplicate check), as it tells 'Part 1' from 'Part 2'.
    return " ".join(
        _ROMAN_VALUES.get(token) or _NUMBER_WORDS.get(token, token) for token in key.split()
    )


_ROMAN_VALUES = {
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5",
    "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10",
}  # fmt: skip
_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10",
}  # fmt: skip


def series_key(title: str) -> str:
    """The key two titles of the same work share: subtitle, season/part and sequel marks dropped."""
    # The leading article is kept: 'The Mission' is not 'Mission: Impossible' with its subtitle
    # dropped, nor 'The Arrival' another 'Arrival'.
    head = _SUBTITLE.split(unmove_article(title).strip(), maxsplit=1)[0] or title
    tokens = fold(head).split() or fold(title).split()
    return " ".join(_strip_sequel(tokens))
