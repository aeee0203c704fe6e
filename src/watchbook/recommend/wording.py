"""Review wording: reviews compared as tf-idf vectors, with word rarity from the journal."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from watchbook.recommend.evidence import MIN_RELATEDNESS, WORDING, Part, _mean, names_list
from watchbook.text import STOPWORDS, split_words

if TYPE_CHECKING:
    from watchbook.entry import Entry

# Without the index, word rarity is counted over at most this many reviews, spread evenly.
WORD_SAMPLE = 300


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Review words that say nothing about what a film is about.
_GENERIC_WORDS = """
about above after again against all also although always am among another any anyone
anything around away back because been before being below best better between both
came can cannot could did does doing done down during each either else enough even ever
every few first for from further get gets getting give given goes going got had has have
having he her here hers herself him himself his how however i if into just kind know last
least less like likes liked little long look looks lot made make makes making many may me
might more most much must my myself near never new next nice nobody none nor nothing now
off often once one only other others our ours out over own part quite rather really right
same saw say says see seen seems she should since so some something still such take than
that their theirs them themselves then there these they thing things think this those
though through thus too under until upon us very want was way we well went were what when
where whether which while who whom whose why will would yet you your yours yourself
film films movie movies show shows series episode episodes season seasons scene scenes
story character characters watch watched watching time times minutes hour hours end ending
work works good great bad way plot feel feels felt make two three half whole
"""


REVIEW_STOPWORDS = _wordset(_GENERIC_WORDS) | STOPWORDS


def review_text(entry: Entry) -> str:
    """The text compared for wording: verdict and review."""
    return "\n".join(t for t in (entry.verdict, entry.review) if t)


def review_words(text: str) -> Counter[str]:
    """Content words of a review as read (link addresses left out), folded, and their counts."""
    return content_words(read_text(text))


def content_words(text: str) -> Counter[str]:
    """Content words of some text (folded, as the full-text index stores them) and their counts."""
    return Counter(
        word
        for word in split_words(text)
        if len(word) >= 3 and not word.isdigit() and word not in REVIEW_STOPWORDS
    )


# Markdown link addresses, which a reader does not read: `[text](target "title")` (the target may
# hold one level of parentheses, as Wikipedia's do), `[text][label]`, `[label]: target` lines,
# `<scheme:...>` autolinks and bare web addresses. Words of the addresses of two unrelated reviews
# (`https`, `letterboxdcom`, `actor`) made them "similar".
# (Patterns as strings: `re` compiles them when a text with a link sign first needs them, not
# on every start.)
_LINK_TARGET = (
    r"""\]\(\s*(?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)"""
    r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"""
)
_LINK_LABEL = r"\]\[[^\]\n]*\]"
_DEFINITION = r"(?m)^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$"
_AUTOLINK = r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:|[^<>\s@]+@)[^<>\s]*>"
_BARE_ADDRESS = r"(?i)(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>]*"
_LINK_SIGNS = ("](", "][", "]:", "<", "://", "www.", "WWW.")


def read_text(text: str) -> str:
    """The text as a reader reads it: Markdown link addresses dropped, link text kept."""
    if not any(sign in text for sign in _LINK_SIGNS):
        return text
    text = re.sub(_DEFINITION, " ", text)
    text = re.sub(_LINK_TARGET, "] ", text)
    text = re.sub(_LINK_LABEL, "] ", text)
    text = re.sub(_AUTOLINK, " ", text)
    return re.sub(_BARE_ADDRESS, " ", text)


# How many reviews hold each of some words.
Frequency = Callable[[set[str]], Mapping[str, int]]


class ReviewWords:
    """Reviews as tf-idf vectors: (1 + ln tf) * ln((D + 1) / (df + 0.5)) over D reviewed entries."""

    # Comparing a review with others looks up the rarity of its own words only, so the cost does
    # not grow with the number of reviews compared or the size of the journal.

    def __init__(self, documents: int, frequency: Frequency) -> None:
        self.documents = documents
        self._frequency = frequency
        # slug -> (rarity of each word, root-mean-square rarity, tf-idf vector norm)
        self._profiles: dict[str, tuple[dict[str, float], float, float]] = {}
        # slug -> (1 + ln tf of each word, their sum of squares)
        self._tfs: dict[str, tuple[dict[str, float], float]] = {}

    @classmethod
    def sampled(cls, entries: Sequence[Entry], sample_size: int = WORD_SAMPLE) -> ReviewWords:
        """Word rarity counted on an even sample of the reviews (exact in smaller journals)."""
        reviewed = [e for e in entries if review_text(e)]
        step = max(1, math.ceil(len(reviewed) / sample_size))
        sample = reviewed[::step]
        scale = len(reviewed) / len(sample) if sample else 1.0
        counts: Counter[str] = Counter()
        for entry in sample:
            # Rarity is counted on every word of the text, addresses included, as the index's
            # full-text vocabulary counts it: both paths must give the same answers.
            counts.update(content_words(review_text(entry)).keys())

        def frequency(words: set[str]) -> Mapping[str, int]:
            return {w: round(counts[w] * scale) for w in words if w in counts}

        return cls(len(reviewed), frequency)

    def profile(self, entry: Entry) -> tuple[dict[str, float], float, float]:
        """The rarity of the review's words, its root-mean-square, and the tf-idf vector's norm."""
        found = self._profiles.get(entry.slug)
        if found is None:
            tfs, _ = self._tf(entry)
            frequency = self._frequency(set(tfs)) if tfs else {}
            rarity = {w: self.idf(frequency.get(w, 1)) for w in tfs}
            typical = math.sqrt(_mean([r * r for r in rarity.values()])) if tfs else 0.0
            norm = math.sqrt(sum((tf * rarity[w]) ** 2 for w, tf in tfs.items()))
            found = self._profiles[entry.slug] = (rarity, typical, norm)
        return found

    def idf(self, frequency: int) -> float:
        """ln((D + 1) / (df + 0.5)) for a word held by `frequency` reviews (at least 1)."""
        return math.log((self.documents + 1) / (max(1, frequency) + 0.5))

    def _tf(self, entry: Entry) -> tuple[dict[str, float], float]:
        found = self._tfs.get(entry.slug)
        if found is None:
            counts = review_words(review_text(entry))
            tfs = {w: 1.0 + math.log(n) for w, n in counts.items()}
            found = self._tfs[entry.slug] = (tfs, sum(t * t for t in tfs.values()))
        return found

    def overlap(self, a: Entry, b: Entry) -> bool:
        """True when the two reviews share a content word: else their similarity is 0."""
        return not self._tf(a)[0].keys().isdisjoint(self._tf(b)[0])

    def similarity(self, a: Entry, b: Entry) -> tuple[float, list[str]]:
        """Cosine of the two reviews' tf-idf vectors (0-1), and the shared words weighing most."""
        # Only a's words have their rarity looked up: b's other words count as rare as a's words
        # are on average, which is all b's length needs to be fair.
        rarity, typical, norm_a = self.profile(a)
        own_tfs, _ = self._tf(a)
        tfs, squares = self._tf(b)
        if not rarity or not tfs:
            return 0.0, []
        # Every word of b at the typical rarity, then the shared ones corrected to their own:
        # only the shared words are visited (a set intersection in C), not all of b's.
        floor = typical * typical
        norm_b = squares * floor
        total = 0.0
        shared: list[tuple[float, str]] = []  # (-weight, word): a plain sort puts the best first
        for word in rarity.keys() & tfs.keys():
            tf = tfs[word]
            own = rarity[word]
            norm_b += tf * tf * (own * own - floor)
            value = own_tfs[word] * own * tf * own
            total += value
            shared.append((-value, word))
        if not shared or norm_b <= 0.0:
            return 0.0, []
        cosine = min(1.0, total / (norm_a * math.sqrt(norm_b)))
        shared.sort()
        return cosine, [word for _, word in shared[:3]]


def wording_part(words: ReviewWords, a: Entry, b: Entry) -> Part | None:
    """The wording evidence between two entries, when it is worth naming."""
    cosine, top = words.similarity(a, b)
    if WORDING * cosine < MIN_RELATEDNESS / 2 or not top:
        return None
    return WORDING * cosine, f"similar reviews: {names_list(top)}"
