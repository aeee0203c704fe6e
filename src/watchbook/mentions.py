"""Mentions: which entries a review or verdict names, found without comparing every pair.

Each title or alias is indexed by its first word or first two words; a review is scanned once
for those, and a small typo in a long title is forgiven by mapping misspelt words to title
words through a one-deletion neighbourhood index before the lookup. Capitals are evidence:
"Up" names the film only as written, and not where it opens a sentence.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from watchbook.entry import Entry
from watchbook.text import STOPWORDS, split_words, strip_accents, unmove_article, word_forms

# Titles at least this long (folded) with two or more real words may be mentioned with a typo.
TYPO_TITLE_LENGTH = 12
TYPO_WORD_LENGTH = 5

_JOINER_CHARS = ".'’`´"
_LETTERBOXD_FILM = re.compile(r"letterboxd\.com/(?:[\w.-]+/)?film/([a-z0-9]+(?:-[a-z0-9]+)*)")
_INNER_JOINERS = re.compile(rf"(?<=[^\W_])[{_JOINER_CHARS}](?=[^\W_])")
_WORD = re.compile(r"[^\W_]+")
# The word right after or right before a name, beside it or joined by '-' or '&'.
_NEXT_WORD = re.compile(r"(?:[ \t]+|[ \t]*[-&][ \t]*)([^\W\d_][\w'’]*)")
_PREVIOUS_WORD = re.compile(r"([^\W\d_][\w'’]*)(?:[ \t]+|[ \t]*[-&][ \t]*)$")
_OPENING_QUOTES = '"“«‘'
_CLOSING_QUOTES = '"”»’'
_I_FORMS = frozenset(
    {"i", "im", "ive", "id", "ill", "i'm", "i've", "i'd", "i'll", "i’m", "i’ve", "i’d", "i’ll"}
)


# The records here are NamedTuples and plain classes, not dataclasses: a dataclass compiles its
# methods when the module is imported, which every read command would pay for.


def mention_text(entry: Entry) -> str:
    """The text scanned for mentions: verdict, then review."""
    return "\n\n".join(t for t in (entry.verdict, entry.review) if t)


# --- mention keys -----------------------------------------------------------------------------


class MentionKey(NamedTuple):
    """One way an entry can be named in a review: the folded words of its title or an alias."""

    slug: str
    tokens: tuple[str, ...]
    typo_ok: bool = False
    # How the name is written, where its capitals are evidence. One-word names ("Up", "Blame")
    # must appear so, and not where any word has a capital (opening a sentence): "I gave up",
    # "don't blame me" and "Maybe not." do not count. A longer name with capitals ("Do the Right
    # Thing") needs a capital on one of its real words, unless the review is written without
    # capitals: "we did the right thing" does not count.
    case_form: str = ""

    @property
    def only_small_words(self) -> bool:
        """A name of stopwords only ('What If'): treated like a one-word name."""
        return all(t in STOPWORDS for t in self.tokens)

    @property
    def gram(self) -> str:
        """What the key is looked up by: a one-word name as written, else its first two words."""
        return self.case_form if len(self.tokens) == 1 else " ".join(self.tokens[:2])


def mention_keys(entry: Entry) -> list[MentionKey]:
    """The keys a review can mention this entry by: title, aliases, title without its article.

    Each name is read as reviews are (dots and apostrophes join words: "Howl's" is "Howls"),
    and in the forms search reads it in: split at every mark ("Mr.Nobody" as "Mr Nobody") and
    with the marks inside a word dropped ("Psycho-Pass" as "PsychoPass" or "Psychopass").
    """
    keys: dict[tuple[tuple[str, ...], str], MentionKey] = {}
    for name in (entry.title, *entry.aliases):
        unmoved = unmove_article(name)
        read = split_words(unmoved, keep_case=True)
        forms = [(read, False)]
        forms += [(f.split(), i > 0) for i, f in enumerate(word_forms(unmoved, keep_case=True))]
        variants = []
        for written, joined in forms:
            variants.append((written, joined))
            # "Texas Chainsaw Massacre" names The Texas Chainsaw Massacre; "Road" alone does
            # not name The Road ("Fury Road", "the road").
            if len(written) > 2 and written[0].casefold() in ("the", "a", "an"):
                variants.append((written[1:], joined))
        for form, joined in variants:
            for key in _keys_of_form(entry.slug, form, joined):
                keys.setdefault((key.tokens, key.case_form), key)
    return list(keys.values())


def _keys_of_form(slug: str, form: list[str], joined: bool) -> list[MentionKey]:
    """The keys of one written form of a name (none for a bare number: nearly always a year).

    `joined`: the form drops marks inside words, so "PsychoPass" may be written "Psychopass".
    """
    tokens = tuple(w.casefold() for w in form)
    if not tokens or (len(tokens) == 1 and tokens[0].isdigit()):
        # "1917" or "2046" in a review is nearly always a year, not the film.
        return []
    content = [t for t in tokens if t not in STOPWORDS]
    typo_ok = len(" ".join(tokens)) >= TYPO_TITLE_LENGTH and len(content) >= 2
    if len(tokens) == 1 or not content:
        # A title styled in lower case ("if....") is still written with a capital when it is
        # named in running text; a name joined from several ("PsychoPass") is also written
        # as one word ("Psychopass").
        written = " ".join(form)
        case_forms = [written] if _has_capital(written) else []
        if not case_forms or (joined and written.capitalize() != written):
            case_forms.append(written.capitalize())
    else:
        real = [w for w in form if w.casefold() not in STOPWORDS]
        case_forms = [" ".join(form) if any(map(_has_capital, real)) else ""]
    return [MentionKey(slug, tokens, typo_ok, case_form) for case_form in case_forms]


def _has_capital(word: str) -> bool:
    return word[:1].isupper()


def writes_capitals(text: str) -> bool:
    """Whether a text capitalises words at all (words in capitals only, 'SIDONIA', aside)."""
    words = _WORD.findall(text)
    return any(w[:1].isupper() and not w.isupper() for w in words) or "I" in words


def typo_candidate(word: str) -> bool:
    """Whether a word is long enough, and not too common, to be matched with a typo."""
    return len(word) >= TYPO_WORD_LENGTH and word not in STOPWORDS


def key_words(keys: Iterable[MentionKey]) -> set[tuple[str, bool]]:
    """Every word of these keys, and whether it may be matched with a typo."""
    return {(w, key.typo_ok and typo_candidate(w)) for key in keys for w in key.tokens}


def typo_words(keys: Iterable[MentionKey]) -> dict[str, set[str]]:
    """The neighbourhood index: each title word (exact) and its one-letter deletions -> words."""
    return typo_index(key_words(keys))


def typo_index(words: Iterable[tuple[str, bool]]) -> dict[str, set[str]]:
    """The neighbourhood index from (word, may have a typo) pairs."""
    index: dict[str, set[str]] = defaultdict(set)
    for word, typo in words:
        index[word].add(word)
        if typo:
            for variant in deletions(word):
                index[variant].add(word)
    return index


def group_keys(keys: Iterable[MentionKey]) -> dict[str, KeyGroup]:
    """Keys by gram, then by their full words."""
    groups: dict[str, dict[tuple[str, ...], list[MentionKey]]] = defaultdict(dict)
    for key in keys:
        groups[key.gram].setdefault(key.tokens, []).append(key)
    return {
        gram: (tuple(sorted({len(t) for t in by_words})), by_words)
        for gram, by_words in groups.items()
    }


def deletions(word: str) -> set[str]:
    """Every string one letter shorter than the word."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _best_fix(token: str, found: Mapping[str, set[str]]) -> str | None:
    """The title word a misspelt token stands for, if exactly one edit away."""
    from rapidfuzz.distance import OSA

    if token in found.get(token, ()):
        return None
    candidates: set[str] = set(found.get(token, ()))
    for variant in deletions(token):
        candidates.update(found.get(variant, ()))
    close = sorted(
        w
        for w in candidates
        if len(w) >= TYPO_WORD_LENGTH and w != token and OSA.distance(token, w) <= 1
    )
    return close[0] if close else None


# Lookups into the title indexes: the full rebuild uses plain dictionaries (from_keys), the
# index module passes SQL-backed versions for the few reviews an update rescans.
VariantLookup = Callable[[set[str]], Mapping[str, set[str]]]
KeyLookup = Callable[[set[str]], Mapping[str, "KeyGroup"]]
# Keys sharing a gram: their word counts, and the keys by their full words (several entries
# can share a name: remakes).
KeyGroup = tuple[tuple[int, ...], Mapping[tuple[str, ...], Sequence[MentionKey]]]
DocFrequency = Callable[[set[str]], Mapping[str, int]]
# A misspelling is only forgiven when the misspelt word is rare in the journal's reviews:
# "story" is one letter from a title word "storm", but it is in hundreds of reviews.
TYPO_MAX_DOCS = 3


class Match(NamedTuple):
    """A name found in a text: word span, the entry it names, and the misspelt word if any."""

    start: int
    end: int
    slug: str
    typo: str = ""


class MentionFinder:
    """Finds the entries a text mentions, given lookups into the title indexes."""

    def __init__(
        self,
        variants: VariantLookup,
        pairs: KeyLookup,
        singles: KeyLookup,
        doc_frequency: DocFrequency | None = None,
    ) -> None:
        self.variants = variants
        # Keys of two or more words by their first two (folded) words.
        self.pairs = pairs
        # One-word keys by the word as written.
        self.singles = singles
        # How many reviews hold each of these words; None: count them while scanning (a rebuild
        # scans every review, and filters misspellings by the final counts at the end).
        self.doc_frequency = doc_frequency
        # Tokens already checked for typos (shared across reviews during a rebuild), the fixes.
        self.checked: set[str] = set()
        self.fixed: dict[str, str] = {}
        self.seen: Counter[str] = Counter()

    @classmethod
    def from_keys(cls, keys: Iterable[MentionKey]) -> MentionFinder:
        """An in-memory finder over these keys (used for a full rebuild)."""
        keys = list(keys)
        by_gram = group_keys(keys)
        neighbourhood = typo_words(keys)

        def variants(strings: set[str]) -> Mapping[str, set[str]]:
            return {s: neighbourhood[s] for s in strings & neighbourhood.keys()}

        def grams(strings: set[str]) -> Mapping[str, KeyGroup]:
            return {s: by_gram[s] for s in strings & by_gram.keys()}

        return cls(variants, grams, grams)

    def _fix_tokens(self, distinct: set[str]) -> dict[str, str]:
        unknown = distinct - self.checked
        if unknown:
            self.checked |= unknown
            unknown = {t for t in unknown if typo_candidate(t)}
            wanted = set(unknown)
            for token in unknown:
                wanted |= deletions(token)
            found = self.variants(wanted)
            for token in unknown:
                fix = _best_fix(token, found)
                if fix:
                    self.fixed[token] = fix
        fixable = distinct & self.fixed.keys()
        if not fixable:
            return {}
        if self.doc_frequency is None:
            self.seen.update(fixable)
            frequency: Mapping[str, int] = self.seen
        else:
            frequency = self.doc_frequency(fixable)
        return {t: self.fixed[t] for t in fixable if frequency.get(t, 0) <= TYPO_MAX_DOCS}

    def typo_allowed(self, word: str) -> bool:
        """After a rebuild's scan: is this misspelt word rare enough to be forgiven?"""
        return self.doc_frequency is not None or self.seen[word] <= TYPO_MAX_DOCS

    def scan(self, text: str, source: str = "") -> list[Match]:
        """Every name found in the text, overlapping ones included."""
        cased = split_words(text, keep_case=True)
        tokens = split_words(text) if text.isascii() else [w.casefold() for w in cased]
        if not tokens:
            return []
        fixes = self._fix_tokens(set(tokens))
        canon = [fixes.get(t, t) for t in tokens] if fixes else tokens
        written = _Written(text)
        matches: list[Match] = []
        pairs = list(map(" ".join, itertools.pairwise(canon)))
        for pair, (lengths, group) in self.pairs(set(pairs)).items():
            for i in _positions(pairs, pair):
                for n in lengths:
                    window = tuple(canon[i : i + n])
                    if len(window) != n or window not in group:
                        continue
                    typos = [tokens[j] for j in range(i, i + n) if canon[j] != tokens[j]]
                    for key in group[window]:
                        if key.slug == source or len(typos) > (1 if key.typo_ok else 0):
                            continue
                        if key.case_form and not written.names(key, cased[i : i + n]):
                            continue
                        matches.append(Match(i, i + n, key.slug, typos[0] if typos else ""))
        matches += self._linked(text, len(tokens), source)
        # One-word names count only as written ("Up", not "up"), and not where they open a
        # sentence ("Up close, ...", "Maybe not."), where any word has a capital.
        for form, (_, group) in self.singles(set(cased)).items():
            if not written.mid_sentence(form):
                continue
            spots = [i for i, w in enumerate(cased) if w == form]
            matches.extend(
                Match(i, i + 1, k.slug)
                for same in group.values()
                for k in same
                if k.slug != source
                for i in spots
            )
        return matches

    def _linked(self, text: str, offset: int, source: str) -> list[Match]:
        """Films named by the whole address of a Letterboxd film link in the text."""
        # Imported reviews hold them: [Covenant](https://letterboxd.com/film/alien-covenant/).
        if "letterboxd.com/" not in text:
            return []
        found: list[Match] = []
        for number, address in enumerate(_LETTERBOXD_FILM.findall(text)):
            words = tuple(address.split("-"))
            if len(words) > 1 and len(words[-1]) == 4 and words[-1].isdigit():
                words = words[:-1]  # the year Letterboxd adds to tell remakes apart
            if len(words) > 1:
                groups = [g for _, g in self.pairs({" ".join(words[:2])}).values()]
            else:
                forms = {words[0].capitalize(), words[0].upper()}
                groups = [g for _, g in self.singles(forms).values()]
            spot = offset + number
            found.extend(
                Match(spot, spot + 1, key.slug)
                for group in groups
                for key in group.get(words, ())
                if key.slug != source
            )
        return found

    def resolve(self, matches: Iterable[Match]) -> set[str]:
        """The entries named, keeping the longest name where names overlap."""
        return _longest_first(m for m in matches if not m.typo or self.typo_allowed(m.typo))

    def find(self, text: str, source: str = "") -> set[str]:
        """Slugs of the entries the text names (never `source` itself)."""
        return self.resolve(self.scan(text, source))


def _positions(items: list[str], wanted: str) -> Iterator[int]:
    """Every index of `wanted` in `items` (list.index does the scanning in C)."""
    start = 0
    while True:
        try:
            start = items.index(wanted, start)
        except ValueError:
            return
        yield start
        start += 1


class _Written:
    """A review as written, for the checks a name's capitals call for (each made once)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @functools.cached_property
    def capitals(self) -> bool:
        return writes_capitals(self.text)

    @functools.cached_property
    def accentless(self) -> str:
        return strip_accents(self.text)

    @functools.cached_property
    def plain(self) -> str:
        return _plain(self.text)

    def mid_sentence(self, form: str) -> bool:
        """Whether a name written so stands somewhere other than opening a sentence or line."""
        if " " not in form:
            # A word as it stands in the text, which is nearly always how it is found.
            found = _named_mid_sentence(self.accentless, form)
            if found is not None:
                return found
        return bool(_named_mid_sentence(self.plain, form))

    def names(self, key: MentionKey, words: Sequence[str]) -> bool:
        """Whether these words of the text (as written) name the key's entry, by their case."""
        if key.only_small_words:
            return self.mid_sentence(key.case_form)
        # A capital on a real word, unless the review is written without capitals.
        real = [w for w in words if w.casefold() not in STOPWORDS]
        return any(map(_has_capital, real)) or not self.capitals


def _plain(text: str) -> str:
    """A text as names are looked for in it: no accents, no joiners inside words."""
    # "Don't" becomes "Dont" and "S.W.A.T." "SWAT", as in a name's form; a full stop that ends
    # a sentence stays, to be seen.
    return _INNER_JOINERS.sub("", strip_accents(text))


def _named_mid_sentence(plain: str, form: str) -> bool | None:
    """Whether a name stands in `plain` other than opening a sentence or a line (None: absent)."""
    # Where a sentence, a line or a quotation opens, a capital says nothing ("Maybe not.",
    # "> Don't ...", "If you needed help"), and a capitalised word beside it makes it part of a
    # longer name ("a Big Screen showing", "Noah Baumbach", "M&Ms", "Kurosawa Akira").
    found = None
    for start in _occurrences(plain, form):
        end = start + len(form)
        if _opens_sentence(plain, start, end) or _in_longer_name(plain, start, end):
            found = False
            continue
        return True
    return found


def _opens_sentence(text: str, start: int, end: int) -> bool:
    """Whether the words at text[start:end] open a sentence, a line or a quotation."""
    before = text[text.rfind("\n", 0, start) + 1 : start].rstrip()
    # Only quote, list or heading marks before it on its line: it starts the line.
    if not before.strip(" \t>*+#-") or before[-1] in ".!?…":
        return True
    # A quotation opening with it, unless the quotes hold nothing else ('I loved "Up"').
    return before[-1] in _OPENING_QUOTES and text[end : end + 1] not in _CLOSING_QUOTES


def _in_longer_name(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word right beside text[start:end] makes it part of a longer name."""
    after = _NEXT_WORD.match(text, end)
    if after and _name_word(after.group(1)) and after.group(1).casefold() not in _I_FORMS:
        return True
    before = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    if before is None or not _name_word(word := before.group(1)):
        return False
    # "Ridley Scott's Alien" names Alien; a word capitalised only because it opens the sentence
    # ("Watching Alien again") says nothing.
    possessive = word.endswith(("'s", "’s", "s'", "s’"))
    return not possessive and not _opens_sentence(text, before.start(1), before.end(1))


def _name_word(word: str) -> bool:
    return word[:1].isupper() and word.casefold() not in STOPWORDS


def _occurrences(plain: str, form: str) -> Iterator[int]:
    """Where a name stands as whole words in a text (between its words, any non-letters)."""
    if " " in form:
        name = r"[\W_]+".join(re.escape(word) for word in form.split())
        yield from (m.start() for m in re.finditer(rf"(?<![^\W_]){name}(?![^\W_])", plain))
        return
    # One word (nearly every call): str.find, with no pattern to compile per name. An
    # apostrophe or a dot inside a word joins it ("Don't" holds no "Don").
    start = plain.find(form)
    while start >= 0:
        end = start + len(form)
        if not _joined(plain, start - 1, -1) and not _joined(plain, end, 1):
            yield start
        start = plain.find(form, start + 1)


def _joined(text: str, at: int, step: int) -> bool:
    """Whether the character at `at` continues the word next to it."""
    # A letter does, and so does a joiner with a letter beyond it ("Don" in "Don't").
    if not 0 <= at < len(text):
        return False
    if text[at].isalnum():
        return True
    beyond = at + step
    return text[at] in _JOINER_CHARS and 0 <= beyond < len(text) and text[beyond].isalnum()


def _longest_first(matches: Iterable[Match]) -> set[str]:
    """Keep the longest name where names overlap ('Knights of Sidonia: Battle for ...')."""
    # Entries sharing one name (remakes) are all kept: the text cannot say which one it meant.
    taken: set[tuple[int, int]] = set()
    found: set[str] = set()
    for match in sorted(matches, key=lambda m: (m.start - m.end, m.start)):
        span = (match.start, match.end)
        if span not in taken and any(span[0] < end and start < span[1] for start, end in taken):
            continue
        taken.add(span)
        found.add(match.slug)
    return found
