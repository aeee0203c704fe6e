"""The harder search benchmark (issue 17): a title pool of its own, and the queries it asks.

The journal is the ordinary corpus (benchmarks/corpus.py) with a second pool of titles mixed
in, made of what the first one lacks:
- foreign titles with their article in front or moved to the back, library-style
  ("Il Gattopardo", "Notte di Roma, La", "Avventura, L'"), in Italian, Spanish, French,
  German and English;
- titles joined by punctuation ("Mr.Nobody", "Psycho-Pass", "Face/Off", "Re:Zero"), each with
  decoys that hold one of its parts as a word of their own ("Johnny Nobody", "Little Nobody");
- possessives, whose apostrophe leaves a one-letter token ("Sophie's Choice");
- sequel families numbered in Roman numerals, digits and words ("Rocco II", "Rocco 3",
  "Rocco: Part Four");
- words that some titles hold whole and others only begin with ("Ghost Dad", "Sea Ghost",
  "Ghosting, The"), the prefix holders scored higher by the user so that a tie-break alone
  would put them first.

Query classes, each with the entries that rightly answer it:
- trailing-article: a foreign or English title typed with its article moved (or left out);
- joined: a punctuation-joined title with its parts spaced, swapped or glued;
- sequel-number: a sequel with its number written another way ("rocco 2" for "Rocco II");
- two-typos-short: two typos in the long words of a title with a short token;
- article-prefix: an article and the first letters of the next word ("il gat");
- whole-word: one word that several titles hold whole (any of them is right);
- run-together: two words typed as one, with typos, which only a whole-string comparison finds;
- nonsense: random letters, for which the right answer is nothing at all.
"""

from __future__ import annotations

import random
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from corpus import _typo, make_entries
from watchbook.entry import Entry
from watchbook.journal import make_slug


def _listed(text: str) -> list[str]:
    return text.split()


# (article, noun) as each language writes them, and the words for "of" and a few places.
FOREIGN = {
    "it": (
        "il gattopardo|il sorpasso|l' avventura|la notte|la strada|il deserto|la bellezza|"
        "il conformista|lo sceicco|il posto|la terra|il grido|il vangelo|l' eclisse|"
        "il generale|la città|il mare|la luna|il tempo|la casa|il cielo|il giardino|il viaggio|"
        "il silenzio|l' ombra|lo specchio|il treno|il fiume|la stella|l' isola|il sogno|"
        "l' uomo|la donna|il ragazzo|il lupo|la volpe|il corvo|il fuoco|il vento|lo straniero",
        "di",
        "Roma Napoli Milano Torino Palermo Venezia Firenze Genova Bologna Trieste",
    ),
    "es": (
        "el espíritu|la colmena|el laberinto|el fauno|los olvidados|el perro|la calle|"
        "la ciudad|la noche|el mar|el sol|la luna|el amor|el tiempo|la casa|el cielo|"
        "el desierto|el jardín|el viaje|el silencio|la sombra|el espejo|el tren|el río|"
        "la estrella|la isla|el sueño|el hombre|la mujer|el niño|el lobo|el zorro|el cuervo|"
        "la tierra|el fuego|el viento|los amantes|las horas|las aventuras|las brujas",
        "de",
        "Madrid Sevilla Toledo Granada Bilbao Valencia Córdoba Lima Bogotá Oaxaca",
    ),
    "fr": (
        "la haine|la jetée|le samouraï|le mépris|le salaire|la peur|la règle|le jeu|"
        "l' illusion|la nuit|la rue|la ville|la mer|le soleil|la lune|l' amour|le temps|"
        "la maison|le ciel|le désert|le jardin|le voyage|le silence|l' ombre|le miroir|"
        "le train|le fleuve|l' étoile|l' île|le rêve|l' homme|la femme|l' enfant|le loup|"
        "le renard|le corbeau|la terre|le feu|les enfants|les amants|les diaboliques",
        "de",
        "Paris Lyon Marseille Nantes Lille Bordeaux Toulouse Nice Rouen Brest",
    ),
    "de": (
        "das boot|der himmel|das leben|die blechtrommel|die stadt|die nacht|die straße|"
        "das meer|die sonne|der mond|die liebe|die zeit|das haus|die wüste|der garten|"
        "die reise|die stille|der schatten|der spiegel|der zug|der fluss|der stern|die insel|"
        "der traum|der mann|die frau|das kind|der wolf|der fuchs|der rabe|die erde|das feuer|"
        "der wind|die brücke|das schloss|der golem|die ehe|das wunder|der tunnel|die mauer",
        "von",
        "Berlin Hamburg München Köln Dresden Leipzig Bremen Wien Zürich Bern",
    ),
    "en": (
        "the conversation|the departed|the insider|the prestige|the shining|the apartment|"
        "the graduate|the searchers|the birds|the host|the wrestler|the piano|the hunt|"
        "the swimmer|the tenant|the collector|the informer|the outsiders|the warriors|"
        "the servant|the messenger|the assassin|the lighthouse|the witch|the babadook|"
        "a prophet|a separation|an education|a hijacking|a ghost story|an autumn afternoon",
        "of",
        "Boston Chicago Denver Memphis Houston Detroit Seattle Portland Atlanta Phoenix",
    ),
}
# Parts of punctuation-joined titles, and what joins them.
JOINED_HEADS = _listed("Mr Dr Mrs St Ms")
JOINED_TAILS = _listed("""Nobody Holland Death Brooks Strange Wrong Jones Right Ripley Smith Bean Deeds
Vengeance Majestyk Freeze Fox Magorium Morrow Tinkle Pinkerton Hyde Caligari Mabuse""")
COMPOUND_PARTS = _listed("""Psycho Pass Cyber Punk Night Hawk Iron Clad Star Gate Dead Lock Fire Wall
Moon Light Blade Runner Sun Shine Time Line Mind Game Ghost Town Zero Point Face Off Dark Side
Over Lord Stein Gate Code Geass Death Note Kill Bill Re Zero Sky Crawler Heat Wave""")
JOINERS = ("-", "-", "/", ":", ".")
DECOY_GIVEN = _listed("""Johnny Little Mister Sweet Old Young Lady Uncle Baby Poor Lucky Crazy""")
POSSESSORS = _listed("""Sophie Schindler Ocean Howl Rosemary Charlotte Angela Carlito Miller Ferris Jacob
Fletcher Ellie Hannah Winston Marnie Kiki Chihiro Cassandra Maurice Valentina Bernard Dominic
Frances Gilbert Harriet Ignatius Josephine Leopold Margaret Nathaniel Octavia Prudence Quentin
Reginald Sebastian Theodora Ursula Victoria Wilhelmina""")
POSSESSED = _listed("""Choice List Baby Web Crossing Ladder Castle Island Letter Garden Secret Promise
Journey Ghost Song Dream Return Daughter Mother Brother Lover Revenge Wedding Funeral Dinner
Holiday Kitchen Window Mirror Shadow Bargain Fortune Passage""")
SEQUEL_BASES = _listed("""Rocco Dante Marlowe Bastian Corvin Delphine Evander Florian Galen Isadora
Lazarus Magnus Nikolai Orsino Percival Quincy Rafferty Severin Tobias Ulric Vesper Wolfram
Xavier Yorick Zenobia Anselm Benedikt Cosima Dorian Emrys""")
SEQUEL_SUFFIXES = (
    (2, " II"), (3, " III"), (4, " IV"), (2, " 2"), (3, " 3"), (4, " 4"), (5, " 5"),
    (2, ": Part Two"), (3, ": Part Three"), (2, " Part II"), (3, " Part 3"), (6, " VI"),
)  # fmt: skip
_ROMAN = {2: "ii", 3: "iii", 4: "iv", 5: "v", 6: "vi", 7: "vii", 8: "viii", 9: "ix"}
_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
SHARED_WORDS = _listed("""ghost night star wolf fire river dream moon iron storm shadow glass snow
stone rain blood gold silver dragon hunter angel devil tiger winter summer crow salt wind
bone ash""")
SHARED_SUFFIXES = ("ing, The", "s of {place}", "ly", "er", "s", "land", "fall", "light")
SHARED_OTHERS = _listed("""Dad Sea Town Road King Bride Man Girl Boy Train Party House Garden Song
War Child Eyes Heart Queen""")
ARTICLES = {"il", "lo", "la", "l", "le", "les", "el", "los", "las", "der", "die", "das",
            "the", "a", "an"}  # fmt: skip


@dataclass
class Query:
    """A query, its kind, and the slugs that count as a right answer (none for nonsense)."""

    kind: str
    text: str
    relevant: frozenset[str]


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


def _foreign_title(rng: random.Random, language: str) -> tuple[str, str, str]:
    """(title, article, rest): front or back article, sometimes 'of' a place."""
    pairs, of, places = FOREIGN[language]
    article, noun = rng.choice(pairs.split("|")).split(" ", 1)
    rest = " ".join(_cap(w) for w in noun.split())
    if rng.random() < 0.5:
        rest = f"{rest} {of} {rng.choice(places.split())}"
    written = _cap(article)
    if rng.random() < 0.5:
        return f"{rest}, {written}", article, rest
    front = f"{written}{rest}" if article.endswith("'") else f"{written} {rest}"
    return front, article, rest


def _hard_titles(rng: random.Random) -> list[tuple[str, int | None]]:
    """Titles of the second pool, with the user score each gets (None: random)."""
    titles: list[tuple[str, int | None]] = []
    for _ in range(900):
        titles.append((_foreign_title(rng, rng.choice(list(FOREIGN)))[0], None))
    for _ in range(70):
        head, tail = rng.choice(JOINED_HEADS), rng.choice(JOINED_TAILS)
        titles.append((f"{head}.{tail}", None))
        for given in rng.sample(DECOY_GIVEN, 2):
            titles.append((f"{given} {tail}", 9))
    for _ in range(90):
        first, second = rng.sample(COMPOUND_PARTS, 2)
        titles.append((f"{first}{rng.choice(JOINERS)}{second}", None))
        titles.append((f"{first} {rng.choice(SHARED_OTHERS)}", 9))
        titles.append((f"{rng.choice(DECOY_GIVEN)} {second}", 9))
    for _ in range(250):
        possessor, thing = rng.choice(POSSESSORS), rng.choice(POSSESSED)
        titles.append((f"{possessor}'s {thing}", None))
    for base in SEQUEL_BASES:
        titles.append((base, None))
        for _number, suffix in rng.sample(SEQUEL_SUFFIXES, 3):
            titles.append((f"{base}{suffix}", None))
    for word in SHARED_WORDS:
        for other in rng.sample(SHARED_OTHERS, 2):
            titles.append((f"{_cap(word)} {other}", 3))
            titles.append((f"{other} {_cap(word)}", 4))
        place = rng.choice(FOREIGN["en"][2].split())
        for suffix in rng.sample(SHARED_SUFFIXES, 2):
            titles.append((_cap(word) + suffix.format(place=place), 10))
    return titles


def make_hard_entries(n: int, seed: int) -> list[Entry]:
    """The harder journal: the ordinary corpus of this seed, with the second pool mixed in."""
    rng = random.Random(seed * 7919 + 17)
    hard = _hard_titles(rng)
    entries = make_entries(max(0, n - len(hard)), seed=seed, planned=n // 20)
    slugs = {e.slug for e in entries}
    seen = {e.title.casefold() for e in entries}
    for title, score in hard:
        if title.casefold() in seen:
            continue
        seen.add(title.casefold())
        year = rng.randrange(1930, 2025)
        slug = make_slug(title, year)
        while slug in slugs:
            year += 1
            slug = make_slug(title, year)
        slugs.add(slug)
        entries.append(
            Entry(
                title=title, slug=slug, year=year, kind="movie",
                score=score if score is not None else rng.randrange(1, 11),
            )
        )  # fmt: skip
    rng.shuffle(entries)
    return entries


# --- queries ----------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    """Lower-case words without accents, split at every other character (the benchmark's own)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[\W_]+", " ", plain).split()


def _bare(words: list[str]) -> list[str]:
    return words[1:] if len(words) > 1 and words[0] in ARTICLES else words


def _two_typos(rng: random.Random, words: list[str]) -> list[str] | None:
    """Two typos in two different long words, or None when there are not two of them."""
    long = [i for i, w in enumerate(words) if len(w) >= 5]
    if len(long) < 2:
        return None
    changed = list(words)
    for i in rng.sample(long, 2):
        for _attempt in range(10):
            typo = _typo(rng, words[i])
            if typo != words[i]:
                changed[i] = typo
                break
    return changed if changed != words else None


def _unmoved(title: str) -> list[str]:
    """A title's folded words with a library-style article put back in front."""
    match = _MOVED.match(title)
    if match:
        article = match.group("article").lower()
        return [*_words(article), *_words(match.group("rest"))]
    return _words(title)


_MOVED = re.compile(r"^(?P<rest>.+), (?P<article>[A-Za-z]+'?)$")
_JOINED = re.compile(r"^([A-Za-z]+)[.\-/:]([A-Za-z]+)$")
_NUMBERED = re.compile(r"^(?P<base>[A-Za-z]+):? (?P<part>Part )?(?P<n>[IVX]+|\d|Two|Three|Four)$")


def _numeral(mark: str) -> int:
    """The number a sequel mark writes ('II', '2', 'Two'); 0 for one this benchmark skips."""
    mark = mark.lower()
    if mark.isdigit():
        return int(mark)
    for table in (_ROMAN, _WORDS):
        for value, written in table.items():
            if written == mark:
                return value
    return 0


def make_hard_queries(entries: Sequence[Entry], per_kind: int, seed: int) -> list[Query]:
    """The harder queries, with their right answers; those without one right answer left out."""
    rng = random.Random(seed * 104729 + 3)
    named: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for name in (entry.title, *entry.aliases):
            named[" ".join(_unmoved(name))].add(entry.slug)
    queries: list[Query] = []

    def answer(entry: Entry) -> frozenset[str]:
        return frozenset(named[" ".join(_unmoved(entry.title))])

    def shuffled(condition: Callable[[Entry], object]) -> list[Entry]:
        pool = [e for e in entries if condition(e)]
        rng.shuffle(pool)
        return pool

    bare_count: dict[tuple[str, ...], int] = defaultdict(int)
    for key in named:
        bare_count[tuple(_bare(key.split()))] += 1

    # Articles moved: 'il gattopardo' or 'gattopardo' for 'Gattopardo, Il', and back.
    count = 0
    for entry in shuffled(lambda e: _words(e.title)[0] in ARTICLES or _MOVED.match(e.title)):
        words = _unmoved(entry.title)
        if words[0] not in ARTICLES or len(words) < 2 or bare_count[tuple(words[1:])] > 1:
            continue  # no article, or another title is the same without its article
        match = _MOVED.match(entry.title)
        rest = match.group("rest") if match else re.sub(r"^\w+'|^\S+ ", "", entry.title)
        article = words[0] + ("'" if "'" in entry.title.split()[0] + entry.title[-1] else "")
        if match:  # written at the back: typed in front, or left out
            front = f"{article}{rest}" if article.endswith("'") else f"{article} {rest}"
            text = rng.choice((front, rest))
        else:  # written in front: typed at the back, library-style or not, or left out
            text = rng.choice((f"{rest}, {article}", f"{rest} {article}", rest))
        queries.append(Query("trailing-article", text.lower(), answer(entry)))
        count += 1
        if count == per_kind:
            break
    # Punctuation-joined titles: parts spaced, swapped or glued.
    for entry in shuffled(lambda e: _JOINED.match(e.title))[:per_kind]:
        first, second = _JOINED.match(entry.title).groups()  # type: ignore[union-attr]
        text = rng.choice((f"{second} {first}", f"{first} {second}", f"{first}{second}"))
        queries.append(Query("joined", text.lower(), answer(entry)))
    # Sequels with the number written another way ('rocco 2' for 'Rocco II').
    family: dict[tuple[str, int], set[str]] = defaultdict(set)
    for entry in entries:
        if match := _NUMBERED.match(entry.title):
            family[(match.group("base").lower(), _numeral(match.group("n")))].add(entry.slug)
    # (A corpus title can end in any number: 'River 1'; those past the numerals are left out.)
    for entry in shuffled(
        lambda e: (m := _NUMBERED.match(e.title)) and _numeral(m.group("n")) in _ROMAN
    )[:per_kind]:
        match = _NUMBERED.match(entry.title)
        assert match
        mark, base = match.group("n").lower(), match.group("base").lower()
        value = _numeral(mark)
        other = rng.choice([f for f in (str(value), _ROMAN[value]) if f != mark])
        part = " part" if match.group("part") else ""
        text = f"{base}{part} {other}"
        queries.append(Query("sequel-number", text, frozenset(family[(base, value)])))
    # Two typos beside a short token: 'sophe s chioce'.
    count = 0
    for entry in shuffled(lambda e: "'s " in e.title and e.title.isascii()):
        typed = _two_typos(rng, _words(entry.title.replace("'", " ")))
        if typed is None:
            continue
        queries.append(Query("two-typos-short", " ".join(typed), answer(entry)))
        count += 1
        if count == per_kind:
            break
    # An article and the first letters of the next word: 'il gat' for 'Gattopardo, Il'.
    count = 0
    for entry in shuffled(lambda e: len(_unmoved(e.title)) >= 2):
        words = _unmoved(entry.title)
        if words[0] not in ARTICLES or len(words[1]) < 5 or not words[1].isascii():
            continue
        for end in range(3, len(words[1])):
            prefix = f"{words[0]} {words[1][:end]}"
            if sum(key.startswith(prefix) for key in named) == 1:
                queries.append(Query("article-prefix", prefix, answer(entry)))
                count += 1
                break
        if count == per_kind:
            break
    # One word that several titles hold whole, and some others only begin with.
    holders: dict[str, set[str]] = defaultdict(set)
    starters: dict[str, int] = defaultdict(int)
    for key, slugs in named.items():
        for word in set(key.split()):
            holders[word].update(slugs)
            for cut in range(3, len(word)):
                starters[word[:cut]] += 1
    shared = sorted(w for w in SHARED_WORDS if len(holders[w]) >= 2 and starters[w] >= 1)
    for word in rng.sample(shared, min(per_kind, len(shared))):
        queries.append(Query("whole-word", word, frozenset(holders[word])))
    # Run together: a space dropped and a typo ('ghostin the shel'), for whole-string matching.
    for entry in shuffled(lambda e: len(_words(e.title)) >= 3 and e.title.isascii())[:per_kind]:
        words = _words(entry.title)
        glued = rng.randrange(len(words) - 1)
        typed = _two_typos(rng, words) or words
        typed = [*typed[:glued], typed[glued] + typed[glued + 1], *typed[glued + 2 :]]
        queries.append(Query("run-together", " ".join(typed), answer(entry)))
    # Nonsense: nothing is right.
    for _ in range(per_kind):
        length = rng.randrange(5, 11)
        text = "".join(rng.choice(string.ascii_lowercase) for _ in range(length))
        queries.append(Query("nonsense", text, frozenset()))
    return queries
