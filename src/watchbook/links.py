"""Links between entries: the user's own [[links]], links the index derives, and the link graph.

Derived links come in three kinds, each stored as rows by the index and merged for display:
- mention: a review or verdict names another entry's title or alias (source -> target);
- series: two titles are the same work with a season, part, sequel mark or subtitle (symmetric);
- creators: two entries share a creator, after normalising names (symmetric).
Mentions are found without comparing every review with every title: each title or alias is
indexed by its first word or first two words, a review is scanned once for those, and a small
typo in a long title is forgiven by mapping misspelt words to title words through a
one-deletion neighbourhood index before the lookup.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from watchbook.entry import DISMISS_KEY, Entry, Link, dismissed
from watchbook.errors import NotFound

if TYPE_CHECKING:
    from watchbook.journal import Journal

from watchbook.text import (
    STOPWORDS,
    creator_key,
    number_marks,
    series_key,
    split_words,
    strip_accents,
    title_key,
    unmove_article,
)

MENTION, SERIES, CREATORS = "mention", "series", "creators"
KIND_ORDER = (MENTION, SERIES, CREATORS)
# A creator on more entries than this (a big studio or distributor) links nothing by itself:
# it would tie hundreds of entries together and say little about any pair of them.
CREATOR_CAP = 20
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


class EntryLink(NamedTuple):
    """A link from one entry to another; `derived` ones were found by the index, not written."""

    source: str
    target: str
    why: str
    derived: bool = False
    # For derived links, what found it: any of "mention", "series", "creators".
    kinds: tuple[str, ...] = ()


class DerivedRow(NamedTuple):
    """One piece of evidence the index stores: symmetric kinds have source < target."""

    source: str
    target: str
    kind: str
    detail: str = ""


def user_links(entries: Iterable[Entry]) -> list[EntryLink]:
    """The [[links]] written in the entry files, as EntryLinks."""
    return [
        EntryLink(source=e.slug, target=link.to, why=link.why or "", derived=False)
        for e in entries
        for link in e.links
    ]


def dismissed_pairs(entries: Iterable[Entry]) -> set[frozenset[str]]:
    """Every dismissed pair of slugs, in either direction."""
    return {frozenset((e.slug, other)) for e in entries for other in dismissed(e)}


class LinkGraph:
    """Outgoing links and backlinks by slug, over user and derived links alike."""

    def __init__(self, links: Sequence[EntryLink]) -> None:
        self.links = list(links)
        self._out: dict[str, list[EntryLink]] = defaultdict(list)
        self._in: dict[str, list[EntryLink]] = defaultdict(list)
        for link in self.links:
            self._out[link.source].append(link)
            self._in[link.target].append(link)

    def outgoing(self, slug: str) -> list[EntryLink]:
        """Links that start at this entry."""
        return list(self._out.get(slug, ()))

    def incoming(self, slug: str) -> list[EntryLink]:
        """Backlinks: links from other entries that point at this one."""
        return list(self._in.get(slug, ()))


class LazyLinkGraph(LinkGraph):
    """A link graph that loads the links of one entry at a time (a fast `show`)."""

    def __init__(
        self,
        load_all: Callable[[], list[EntryLink]],
        load_of: Callable[[str], list[EntryLink]],
    ) -> None:
        self._load_all = load_all
        self._load_of = load_of
        self._all: list[EntryLink] | None = None
        self._cache: dict[str, list[EntryLink]] = {}

    @property  # type: ignore[override]
    def links(self) -> list[EntryLink]:
        """Every link (loaded on first use)."""
        if self._all is None:
            self._all = self._load_all()
        return self._all

    def _of(self, slug: str) -> list[EntryLink]:
        if slug not in self._cache:
            self._cache[slug] = self._load_of(slug)
        return self._cache[slug]

    def outgoing(self, slug: str) -> list[EntryLink]:
        """Links that start at this entry."""
        return [k for k in self._of(slug) if k.source == slug]

    def incoming(self, slug: str) -> list[EntryLink]:
        """Backlinks: links from other entries that point at this one."""
        return [k for k in self._of(slug) if k.target == slug]


# --- tokens -----------------------------------------------------------------------------------


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
    """The keys a review can mention this entry by: title, aliases, title without its article."""
    keys: dict[tuple[str, ...], MentionKey] = {}
    for name in (entry.title, *entry.aliases):
        written = split_words(unmove_article(name), keep_case=True)
        variants = [written]
        # "Texas Chainsaw Massacre" names The Texas Chainsaw Massacre; "Road" alone does not
        # name The Road ("Fury Road", "the road").
        if len(written) > 2 and written[0].casefold() in ("the", "a", "an"):
            variants.append(written[1:])
        for form in variants:
            tokens = tuple(w.casefold() for w in form)
            if not tokens or tokens in keys:
                continue
            if len(tokens) == 1 and tokens[0].isdigit():
                # "1917" or "2046" in a review is nearly always a year, not the film.
                continue
            content = [t for t in tokens if t not in STOPWORDS]
            typo_ok = len(" ".join(tokens)) >= TYPO_TITLE_LENGTH and len(content) >= 2
            if len(tokens) == 1 or not content:
                # A title styled in lower case ("if....") is still written with a capital when
                # it is named in running text.
                case_form = " ".join(form)
                case_form = case_form if _has_capital(case_form) else case_form.capitalize()
            else:
                written = [w for w in form if w.casefold() not in STOPWORDS]
                case_form = " ".join(form) if any(map(_has_capital, written)) else ""
            keys[tokens] = MentionKey(
                slug=entry.slug, tokens=tokens, typo_ok=typo_ok, case_form=case_form
            )
    return list(keys.values())


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


# --- series and creators ----------------------------------------------------------------------


def series_rows(entries: Sequence[Entry]) -> list[DerivedRow]:
    """Same-series (or same-title) rows for every pair of entries sharing a series key."""
    return series_rows_of([(e.slug, series_key(e.title), title_key(e.title)) for e in entries])


def series_rows_of(items: Iterable[tuple[str, str, str]]) -> list[DerivedRow]:
    """series_rows() from (slug, series key, title key) triples."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for slug, key, title in items:
        if key:
            groups[key].append((slug, title))
    rows: list[DerivedRow] = []
    for members in groups.values():
        for i, (slug_a, title_a) in enumerate(members):
            for slug_b, title_b in members[i + 1 :]:
                source, target = sorted((slug_a, slug_b))
                detail = "same title" if title_a == title_b else "same series"
                rows.append(DerivedRow(source, target, SERIES, detail))
    return rows


def series_row(a: Entry, b: Entry) -> DerivedRow:
    """The series row for two entries with the same series key."""
    return series_rows_of([(e.slug, series_key(e.title), title_key(e.title)) for e in (a, b)])[0]


def creator_names(entry: Entry) -> dict[str, str]:
    """Normalised creator key -> the name as this entry writes it."""
    names: dict[str, str] = {}
    for name in entry.creators:
        key = creator_key(name)
        if key:
            names.setdefault(key, name)
    return names


def creator_rows(entries: Sequence[Entry], cap: int = CREATOR_CAP) -> list[DerivedRow]:
    """Shared-creator rows: one per pair of entries sharing a creator used at most `cap` times."""
    return creator_rows_of([(e.slug, list(creator_names(e).items())) for e in entries], cap)


def creator_rows_of(
    items: Iterable[tuple[str, list[tuple[str, str]]]], cap: int = CREATOR_CAP
) -> list[DerivedRow]:
    """creator_rows() from (slug, [(creator key, name as written)]) pairs."""
    holders: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
    for slug, names in items:
        for position, (key, name) in enumerate(names):
            holders[key].append((slug, position, name))
    shared: dict[tuple[str, str], dict[str, tuple[int, str]]] = defaultdict(dict)
    for key, people in holders.items():
        if len(people) < 2 or len(people) > cap:
            continue
        for i, first in enumerate(people):
            for second in people[i + 1 :]:
                # Names as the entry with the smaller slug writes them, in its order.
                a, b = (first, second) if first[0] < second[0] else (second, first)
                shared[(a[0], b[0])][key] = (a[1], a[2])
    return [creator_row(a, b, names.values()) for (a, b), names in shared.items()]


def creator_row(a: str, b: str, names: Iterable[tuple[int, str]]) -> DerivedRow:
    """The creators row for slugs a < b sharing these (position in a, name) creators."""
    return DerivedRow(a, b, CREATORS, "\x1f".join(name for _, name in sorted(names)))


def mention_rows(
    finder: MentionFinder, scanned: Iterable[tuple[str, list[Match]]]
) -> list[DerivedRow]:
    """Mention rows from scans done with this finder (misspellings judged by its final counts)."""
    return [
        DerivedRow(slug, target, MENTION)
        for slug, matches in scanned
        if matches
        for target in sorted(finder.resolve(matches))
    ]


def derive_all(entries: Sequence[Entry]) -> list[DerivedRow]:
    """Every derived row for a whole journal (the full rebuild)."""
    finder = MentionFinder.from_keys(k for e in entries for k in mention_keys(e))
    # Scan everything first: whether a misspelling is rare is only known at the end.
    scanned = [
        (entry.slug, finder.scan(mention_text(entry), entry.slug))
        for entry in entries
        if entry.verdict or entry.review
    ]
    return mention_rows(finder, scanned) + series_rows(entries) + creator_rows(entries)


# --- merging rows into links ------------------------------------------------------------------


def reason(kind: str, detail: str) -> str:
    """The words shown for one piece of evidence."""
    if kind == MENTION:
        return "mentioned in the review"
    if kind == SERIES:
        return detail or "same series"
    names = [n for n in detail.split("\x1f") if n]
    label = "same creator" if len(names) == 1 else "same creators"
    return f"{label}: {', '.join(names)}"


def merge_rows(
    rows: Iterable[DerivedRow],
    years: Mapping[str, int | None],
    dismissed_pairs: set[frozenset[str]] = frozenset(),  # type: ignore[assignment]
) -> list[EntryLink]:
    """One derived link per direction with every reason joined; dismissed pairs left out."""
    # Symmetric evidence (series, creators) goes on the direction a mention already took, else from
    # the newer entry to the older one, so a sequel points at the film it continues.
    directed: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    symmetric: list[DerivedRow] = []
    order = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
    for row in rows:
        if row.source not in years or row.target not in years:
            continue
        if dismissed_pairs and frozenset((row.source, row.target)) in dismissed_pairs:
            continue
        if row.kind == MENTION:
            directed[(row.source, row.target)].append((order[MENTION], row.kind, row.detail))
        else:
            symmetric.append(row)
    for row in symmetric:
        a, b = row.source, row.target
        forward, backward = (a, b) in directed, (b, a) in directed
        if forward != backward:
            pair = (a, b) if forward else (b, a)
        else:
            # The newer entry first; the slug decides between two of one year.
            pair = (a, b) if ((years[a] or 0), a) > ((years[b] or 0), b) else (b, a)
        directed[pair].append((order.get(row.kind, len(order)), row.kind, row.detail))
    links: list[EntryLink] = []
    for (source, target), ranked in directed.items():
        ranked.sort()
        evidence = [(kind, detail) for _, kind, detail in ranked]
        kinds = tuple(dict.fromkeys(kind for kind, _ in evidence))
        why = "; ".join(reason(kind, detail) for kind, detail in evidence)
        links.append(EntryLink(source, target, why, derived=True, kinds=kinds))
    links.sort(key=lambda k: (k.source, k.target))
    return links


# --- link, unlink and check -------------------------------------------------------------------


class LinkChange(NamedTuple):
    """What `link` or `unlink` did to the first entry's file."""

    entry: Entry
    path: Path | None
    action: str  # linked, updated, unchanged, unlinked, dismissed, already-dismissed
    removed: bool = False  # unlink: a link written in the file was removed


def add_link(journal: Journal, source: str, target: str, why: str | None) -> LinkChange:
    """Write a [[links]] entry from `source` to `target` (its file only); undo a dismissal."""
    from watchbook.errors import InvalidValue

    if source == target:
        raise InvalidValue("link", "an entry cannot link to itself")
    with journal.lock():
        entry = journal.get(source)
        before = (list(entry.links), dismissed(entry))
        existing = [link for link in entry.links if link.to == target]
        if existing:
            if why and existing[0].why != why:
                existing[0].why = why
        else:
            entry.links.append(Link(to=target, why=why or None))
        _set_dismissed(entry, [s for s in dismissed(entry) if s != target])
        if (entry.links, dismissed(entry)) == before:
            return LinkChange(entry, None, "unchanged")
        path = journal.update(entry)
    return LinkChange(entry, path, "updated" if existing else "linked")


def remove_link(journal: Journal, source: str, target: str, derived_exists: bool) -> LinkChange:
    """Remove `source`'s own links to `target`, and dismiss derived ones between the two."""
    with journal.lock():
        entry = journal.get(source)
        had_link = any(link.to == target for link in entry.links)
        already = target in dismissed(entry)
        if not had_link and not derived_exists:
            if already:
                return LinkChange(entry, None, "already-dismissed")
            raise NotFound(f"{source} has no link to {target}, written or found by the index")
        entry.links = [link for link in entry.links if link.to != target]
        if derived_exists and not already:
            _set_dismissed(entry, [*dismissed(entry), target])
        path = journal.update(entry)
    return LinkChange(entry, path, "dismissed" if derived_exists else "unlinked", had_link)


def _set_dismissed(entry: Entry, slugs: list[str]) -> None:
    if slugs:
        entry.extra[DISMISS_KEY] = sorted(set(slugs))
    else:
        entry.extra.pop(DISMISS_KEY, None)


def likely_duplicates(entries: Sequence[Entry]) -> list[tuple[Entry, Entry, str]]:
    """Pairs that are probably the same title entered twice (no all-pairs comparison)."""
    # Same title and year (or one year missing), or titles one small edit apart with the same year;
    # a sequel ('Shadow 2' / 'Shadow 3') is not a duplicate.
    from rapidfuzz.distance import OSA

    by_variant: dict[str, list[int]] = defaultdict(list)
    keys = [title_key(e.title).replace(" ", "") for e in entries]
    for index, key in enumerate(keys):
        for variant in {key, *deletions(key)} if len(key) >= 6 else {key}:
            by_variant[variant].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in by_variant.values():
        if 1 < len(members) <= 50:
            pairs.update((a, b) for i, a in enumerate(members) for b in members[i + 1 :] if a != b)
    found: list[tuple[Entry, Entry, str]] = []
    for a, b in sorted(pairs):
        first, second = entries[a], entries[b]
        if first.year and second.year and first.year != second.year:
            continue
        if keys[a] == keys[b]:
            reason = "same title and year" if first.year == second.year else "same title"
        elif (
            OSA.distance(keys[a], keys[b]) <= 1
            and series_key(first.title) != series_key(second.title)
            # 'Apollo 13' and 'Apollo 18' differ by a number: two films, not one typed twice.
            and number_marks(title_key(first.title)) == number_marks(title_key(second.title))
        ):
            reason = "nearly the same title and year"
        else:
            continue
        found.append((first, second, reason))
    return found
