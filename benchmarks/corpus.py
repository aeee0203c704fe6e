"""A deterministic generator of realistic journals for benchmarks: `write_journal(path, n)`.

The journals look like a real viewer's: titles built from ordinary words, with articles,
subtitles, sequels and seasons, a few very short titles ("Up", "M"), non-ASCII titles, creators
drawn from a shared pool (so entries share directors and studios, sometimes spelled a little
differently), tags, scores, viewing dates, and multi-paragraph reviews that now and then name
another title in the journal. The same (n, seed, planned, reviews) always writes the same files.

Other benchmarks import it:

    from corpus import write_journal
    entries = write_journal(tmp / "journal", 10_000, seed=1)
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from watchbook.entry import Entry
from watchbook.entry_file import dump_entry
from watchbook.journal import make_slug


def _words(text: str) -> list[str]:
    return text.split()


ADJECTIVES = _words("""
silent broken hidden last first iron golden crimson frozen burning distant quiet wild lost
endless hollow bright dark little great secret final scarlet electric paper glass northern
southern eternal forgotten wandering sleeping restless savage gentle bitter sweet empty
lonely perfect strange ancient modern midnight silver violent tender hungry invisible
""")

NOUNS = _words("""
river city garden winter summer shadow mirror ghost machine empire kingdom island harbor
signal station tower forest mountain desert ocean storm dream memory promise letter song
voice heart knife crown bridge road train lantern engine planet moon star sky circus hotel
orchard lighthouse archive frontier witness stranger hunter soldier pilot doctor detective
thief prince queen sister brother daughter father mother children angel demon samurai
knight titan dragon robot android witch wolf fox crow tiger whale spider serpent
""")

PLACES = _words("""
Tokyo Berlin Paris Lisbon Osaka Kyoto Havana Cairo Dublin Prague Vienna Seoul Lagos Lima
Marseille Naples Shanghai Brooklyn Harlem Montana Texas Alaska Patagonia Siberia Mars
Venus Neptune Atlantis Avalon Sidonia Arrakis Elysium Utopia Babylon Nowhere
""")

NAMES = _words("""
Anna Marco Yuki Kenji Lena Tomas Sofia Hiro Mei Amélie Zoë Björn Ines Rafael Chiara Omar
Nadia Felix Akira Sana Jonas Clara Emil Rosa Dario Ingrid Mateo Noor Taro Wren
""")

ROMAJI = _words("""
kaze yume hoshi sora tsuki hana mizu kage hikari yoru umi yama kokoro tenshi akuma
ningen sekai mirai kioku kotoba
""")

# Titles people really give films: one short word, a letter, a number.
SHORT_TITLES = _words("""
Up M Z It Us Her Heat Pi Ran Rope Jaws Big Cube Coco Elf Ali Saw Tag Ray Mud Fury Drive Gone
Run Split Room Love Rush Taxi Dune Alien Signs Hook Cars Nope Argo Babe Gravity Frozen
Boyhood Memento Paprika Akira Tenet 1917 2046 Z-Men
""")

ACCENTED = (
    "Amélie à Montréal",
    "Le Château des Étoiles",
    "Mañana en Sevilla",
    "Das Boot über Köln",
    "Smultronstället i Göteborg",
    "Kōkaku no Sora",
    "Tōkyō Monogatari",
    "Crème Brûlée",
    "Déjà Vu Boulevard",
    "Niño del Río",
    "Ødegaard's Winter",
    "Ça Ira",
)
NON_LATIN = ("東京の夜", "風の谷", "千と千尋", "Любовь и голуби", "Ελένη")

SUBTITLES = """
Battle for {place}|The Beginning|Requiem|Reckoning|Homecoming|Dawn of the {noun}s|
Return of the {noun}|The Last {noun}|Rebirth|A New Hope for {place}|Origins|The Long Night|
Endgame|The {adj} Road|Chapter One|Final Season|Resurrection|Exodus|Legacy|Redemption
""".replace("\n", "").split("|")

SEQUEL_FORMS = (
    "{base} 2",
    "{base} II",
    "{base} 3",
    "{base} Season 2",
    "{base} Season 3",
    "{base}: {subtitle}",
    "{base} Reloaded",
    "{base} Returns",
    "{base}: Part Two",
    "{base} Revolutions",
)

GIVEN = _words("""
Hiroyuki Tetsurō Mamoru Satoshi Hayao Isao Makoto Naoko Mari Sunao Kobun Masaaki Yoshiaki
Shinichirō Rintarō Kenji Gen Katsuhiro Hideaki Yōko Sayo Aiko Lana Lilly Denis Agnès Claire
Pedro Alfonso Guillermo Bong Park Céline Wong Jane Sofia Kathryn Ridley Stanley Andrei Akira
Yasujirō Kiyoshi Michael Jacques François Ingmar Krzysztof Lynne Chloé Joon-ho Ryūsuke
""")

FAMILY = _words("""
Seshita Araki Oshii Kon Miyazaki Takahata Shinkai Yamada Okada Nihei Shizuno Yuasa Watanabe
Kawai Urobuchi Otomo Anno Kanno Yamazaki Wachowski Villeneuve Varda Denis Almodóvar Cuarón
Toro Ho Kar-wai Campion Coppola Bigelow Scott Kubrick Tarkovsky Kurosawa Ozu
Mann Tati Truffaut Bergman Kieślowski Ramsay Zhao Hamaguchi Sciamma Östlund Žižek Chonchúir
""")

STUDIOS = (
    ("Polygon Pictures", "Polygon Pictures Inc."),
    ("Production I.G", "Production IG"),
    ("Studio Ghibli", "Studio Ghibli Inc."),
    ("Madhouse", "Madhouse Inc."),
    ("Bones", "BONES Inc."),
    ("Wit Studio", "WIT STUDIO"),
    ("Sunrise", "Sunrise Inc."),
    ("Kyoto Animation", "Kyoto Animation Co., Ltd."),
    ("Toei Animation", "Toei Animation Co., Ltd."),
    ("Science SARU", "Science Saru"),
    ("Warner Bros.", "Warner Bros"),
    ("A24", "A24 Films"),
    ("Studio Trigger", "Trigger"),
    ("MAPPA", "MAPPA Co., Ltd."),
    ("Shaft", "Shaft Inc."),
    ("Gainax", "GAINAX Co., Ltd."),
    ("Pathé", "Pathe"),
    ("Gaumont", "Gaumont S.A."),
)

TAGS = _words("""
anime sci-fi drama comedy horror thriller romance action mecha cyberpunk fantasy documentary
noir western musical crime mystery war space dystopia slice-of-life coming-of-age heist
animation silent black-and-white satire family sports historical psychological
post-apocalyptic supernatural superhero martial-arts period road-movie biopic
""")

KIND_WEIGHTS = {
    "movie": 55,
    "series": 20,
    "season": 10,
    "episode": 3,
    "special": 4,
    "short": 6,
    "other": 2,
}
WHERE = ("Netflix", "cinema", "Blu-ray", "Crunchyroll", "festival", "library DVD", "TV", None)

OPENERS = (
    "I went in knowing almost nothing about it.",
    "A friend had been telling me to watch this for years.",
    "This was a rewatch after a long time away.",
    "I caught this late one night and stayed up to finish it.",
    "The trailer promised something quite different.",
    "It arrives with a big reputation, and mostly earns it.",
)
# Words of reviews only (never in titles), so that a review reads like one person's notes.
THINGS = _words("""
staircase rooftop monologue lullaby typewriter subway aquarium funeral wedding kitchen
rainstorm ferry courtroom hospital classroom laundromat carousel greenhouse telescope
elevator parking-lot chess-game phone-call dinner-party car-chase heist bank-vault
cassette mixtape snowfall blackout radio-broadcast interrogation montage flashback dream
sequence costume wig mask umbrella suitcase bicycle motorcycle lighthouse-keeper
photograph diary postcard birthday hangover marathon swimming-pool bowling-alley
""")
QUALITIES = _words("""
clumsy graceful overlong brisk wistful sardonic luminous grimy chilly warm-hearted
melancholy jittery hypnotic stilted playful solemn garish muted lopsided tender-hearted
confident nervous baroque spare sprawling claustrophobic airy droning jaunty deadpan
""")
EXTRA_SENTENCES = (
    "The {thing} scene is {quality}, and I mean that as praise.",
    "I still think about the {thing} and how {quality} it felt.",
    "Nothing prepared me for the {thing}, which turns {quality} without warning.",
    "The {quality} {thing} in the second act is the heart of it.",
    "Someone should write about the {thing}; it is the most {quality} thing here.",
    "The {thing} goes on too long and the tone turns {quality}.",
)
SENTENCES = (
    "The {noun} sequences are the best thing in it, {adj} and carefully framed.",
    "{creator} keeps the pace {adj} without ever rushing the quieter scenes.",
    "The score leans on a {adj} theme that returns whenever the {noun} appears.",
    "I did not care much for the subplot about the {noun}, which goes nowhere.",
    "There is a {adj} scene in the {place} sequence that I will remember for a long time.",
    "The dialogue is often clumsy, but the performances sell it.",
    "Every frame of the {noun} looks {adj}; the production design is extraordinary.",
    "It drags in the middle, when the story turns to the {noun} and loses its nerve.",
    "The ending is {adj} and a little too neat for my taste.",
    "What stays with me is the {adj} mood rather than the plot.",
    "The cast is uneven: the lead is superb, the supporting roles are thin.",
    "The {noun} is a {adj} metaphor that the film never spells out, which I liked.",
    "Some of the effects have aged badly, though the practical work holds up.",
    "The film supports its themes with patient, {adj} camera work instead of speeches.",
    "Things pick up in the second half, when the {noun} finally takes over.",
    "The editing gets choppy whenever the action picks up.",
    "I laughed more than I expected, mostly at the {noun}.",
    "Fans of {creator} will know exactly what to expect here.",
    "The world building around {place} is dense but never confusing.",
)
MENTIONS = (
    "It reminded me of {title}, which did the same thing better.",
    "If you liked {title}, this is worth your evening.",
    "The obvious comparison is {title}, and it holds up well against it.",
    "I kept thinking of {title} during the final act.",
    "Watch it after {title}; the two belong together.",
)
CLOSERS = (
    "Worth seeing once.",
    "I would watch it again.",
    "Not for everyone, but it was for me.",
    "A flawed but memorable film.",
    "I will not be revisiting it.",
    "Recommended, with reservations.",
)
VERDICTS = (
    "A {adj} {noun} story that mostly works.",
    "Beautiful to look at, {adj} to sit through.",
    "Better than its reputation.",
    "{adj} and unforgettable.",
    "The {noun} carries it.",
    "Too long, but the last hour is {adj}.",
    "A {adj} misfire.",
    "Exactly as good as everyone says.",
)


@dataclass
class _Pool:
    """Shared creators: people and studios with a long-tailed popularity."""

    people: list[str] = field(default_factory=list)
    studios: list[tuple[str, str]] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)


def _people(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
        if len(seen) >= len(GIVEN) * len(FAMILY) - 1:
            break
    return names


def _typo(rng: random.Random, word: str) -> str:
    """One swapped, dropped or doubled letter somewhere in the middle of a word."""
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.randrange(3)
    if kind == 0 and word[i].isalpha() and word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1 and word[i].isalpha():
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def typo_title(rng: random.Random, title: str) -> str:
    """The title with one typo in its longest word (used for mentions and search queries)."""
    words = title.split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    words[longest] = _typo(rng, words[longest])
    return " ".join(words)


def _fill(rng: random.Random, template: str, creator: str = "", title: str = "") -> str:
    return template.format(
        thing=rng.choice(THINGS).replace("-", " "),
        quality=rng.choice(QUALITIES).replace("-", " "),
        adj=rng.choice(ADJECTIVES),
        noun=rng.choice(NOUNS),
        place=rng.choice(PLACES),
        creator=creator or f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
        title=title,
    )


def _base_title(rng: random.Random) -> str:
    adj, noun, noun2 = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(NOUNS)
    place, name = rng.choice(PLACES), rng.choice(NAMES)
    form = rng.randrange(16)
    if form == 0:
        return f"The {adj.title()} {noun.title()}"
    if form == 1:
        return f"{noun.title()} of {place}"
    if form == 2:
        return f"{name}'s {noun.title()}"
    if form == 3:
        return f"{adj.title()} {noun.title()}s"
    if form == 4:
        return f"A {noun.title()} in {place}"
    if form == 5:
        return f"The {noun.title()} and the {noun2.title()}"
    if form == 6:
        return f"{rng.choice(ROMAJI).title()} no {rng.choice(ROMAJI).title()}"
    if form == 7:
        return f"{noun.title()}!"
    if form == 8:
        return f"{adj.title()} {noun.title()} in {place}"
    if form == 9:
        return f"The {noun.title()} Who {rng.choice(['Knew', 'Fell', 'Stayed', 'Lied', 'Sang'])}"
    if form == 10:
        return f"{noun.title()}-{noun2.title()}"
    if form == 11:
        return f"Knights of {place}" if rng.random() < 0.05 else f"{noun.title()}s of {place}"
    if form == 12:
        return f"{name} and the {adj.title()} {noun.title()}"
    if form == 13:
        return f"{adj.title()} {noun.title()} {noun2.title()}"
    if form == 14:
        return f"The {adj.title()} {noun.title()} of {place}"
    return f"{noun.title()} {rng.randrange(2, 99)}"


def _title(rng: random.Random, made: list[Entry]) -> tuple[str, Entry | None]:
    """A new title, and the earlier entry it continues when it is a sequel or season."""
    roll = rng.random()
    if made and roll < 0.12:
        base = rng.choice(made)
        if base.kind not in ("episode", "short"):
            root = base.title.split(":")[0]
            form = rng.choice(SEQUEL_FORMS)
            subtitle = _fill(rng, rng.choice(SUBTITLES))
            return form.format(base=root, subtitle=subtitle.title()), base
    if roll < 0.14:
        return rng.choice(SHORT_TITLES), None
    if roll < 0.155:
        return rng.choice(ACCENTED), None
    if roll < 0.16:
        return rng.choice(NON_LATIN), None
    if roll < 0.36:
        return f"{_base_title(rng)}: {_fill(rng, rng.choice(SUBTITLES)).title()}", None
    return _base_title(rng), None


def _creators(rng: random.Random, pool: _Pool, base: Entry | None) -> list[str]:
    if base is not None and base.creators and rng.random() < 0.8:
        # Sequels mostly keep the team, with a spelling variant now and then.
        kept = [c for c in base.creators if rng.random() < 0.8] or base.creators[:1]
        return [_variant(rng, pool, c) for c in kept]
    names: list[str] = []
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
        name = rng.choices(pool.people, weights=pool.weights)[0]
        if name not in names:
            names.append(name)
    if rng.random() < 0.5:
        official, variant = rng.choice(pool.studios)
        names.append(variant if rng.random() < 0.25 else official)
    return names


def _variant(rng: random.Random, pool: _Pool, name: str) -> str:
    for official, variant in pool.studios:
        if name in (official, variant):
            return variant if rng.random() < 0.3 else official
    if rng.random() < 0.1:
        from watchbook.text import strip_accents

        return strip_accents(name)
    return name


def _review(rng: random.Random, creators: list[str], made: list[Entry]) -> str:
    creator = creators[0] if creators else ""
    paragraphs: list[str] = []
    for number in range(rng.choice((2, 2, 3, 3, 4))):
        sentences = [rng.choice(OPENERS)] if number == 0 else []
        sentences += [
            _fill(rng, rng.choice(SENTENCES if rng.random() < 0.6 else EXTRA_SENTENCES), creator)
            for _ in range(rng.randrange(3, 7))
        ]
        if made and rng.random() < 0.15:
            other = rng.choice(made)
            title = other.title
            if len(title) >= 12 and rng.random() < 0.2:
                title = typo_title(rng, title)
            elif rng.random() < 0.2:
                title = title.lower()
            sentences.insert(
                rng.randrange(len(sentences) + 1), _fill(rng, rng.choice(MENTIONS), title=title)
            )
        paragraphs.append(" ".join(sentences))
    paragraphs[-1] += " " + rng.choice(CLOSERS)
    return "\n\n".join(_wrap(p) for p in paragraphs) + "\n"


def _wrap(paragraph: str, width: int = 90) -> str:
    lines, line = [], ""
    for word in paragraph.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def make_entries(n: int, *, seed: int = 0, planned: int = 0, reviews: bool = True) -> list[Entry]:
    """The entries of a generated journal, with unique slugs, without writing anything."""
    rng = random.Random(seed)
    people = _people(rng, max(40, n // 3))
    pool = _Pool(
        people=people,
        studios=list(STUDIOS),
        # A long tail: a few people work on many titles, most on one or two.
        weights=[1 / (rank + 1) ** 0.9 for rank in range(len(people))],
    )
    kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    made: list[Entry] = []
    slugs: set[str] = set()
    titles: set[str] = set()
    planned_at = set(rng.sample(range(n), min(planned, n)))
    for index in range(n):
        title, base = _title(rng, made)
        for _retry in range(8):
            # Most titles are unique in a real journal; a few repeat (remakes, same name).
            if title.casefold() not in titles or rng.random() < 0.02:
                break
            title, base = _title(rng, made)
        titles.add(title.casefold())
        year = rng.randrange(1925, 2025)
        if base is not None and base.year:
            year = min(2024, base.year + rng.randrange(1, 4))
        kind = rng.choices(kinds, weights=kind_weights)[0]
        if base is not None and base.kind in ("series", "season"):
            kind = "season"
        status = (
            "planned"
            if index in planned_at
            else rng.choice(("watched",) * 8 + ("watching", "dropped"))
        )
        creators = _creators(rng, pool, base)
        tags = rng.sample(TAGS, rng.randrange(1, 5))
        if base is not None:
            tags = list(dict.fromkeys([*base.tags[:2], *tags]))
        entry = Entry(
            title=title, year=year, kind=kind, status=status, creators=creators, tags=tags
        )
        if rng.random() < 0.06:
            # An original title, used by no other entry as a title or alias.
            alias = f"{rng.choice(ROMAJI).title()} no {rng.choice(ROMAJI).title()}"
            if alias.casefold() not in titles:
                titles.add(alias.casefold())
                entry.aliases = [alias]
        elif title.startswith("The ") and rng.random() < 0.2:
            entry.aliases = [f"{title[4:]}, The"]
        if status != "planned":
            entry.score = rng.choice([s / 2 for s in range(4, 21)])
            first = dt.date(max(year, 1990), 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 3))
            first = min(first, dt.date(2024, 12, 31))
            entry.watched = sorted(
                {
                    min(first + dt.timedelta(days=rng.randrange(0, 4000)), dt.date(2024, 12, 31))
                    for _ in range(rng.choice((1, 1, 1, 2, 3)))
                }
                | {first}
            )
            entry.verdict = _fill(rng, rng.choice(VERDICTS)).capitalize()
            entry.where = rng.choice(WHERE)
            if reviews:
                entry.review = _review(rng, creators, made)
        slug = make_slug(title, year)
        if slug in slugs:
            n_ = 2
            while f"{slug}-{n_}" in slugs:
                n_ += 1
            slug = f"{slug}-{n_}"
        slugs.add(slug)
        entry.slug = slug
        made.append(entry)
    return made


def write_journal(
    path: Path, n: int, *, seed: int = 0, planned: int = 0, reviews: bool = True
) -> list[Entry]:
    """Write n entry files into `path` (created if needed) and return their entries."""
    entries = make_entries(n, seed=seed, planned=planned, reviews=reviews)
    path.mkdir(parents=True, exist_ok=True)
    for entry in entries:
        (path / f"{entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")
    return entries


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--planned", type=int, default=0)
    parser.add_argument("--no-reviews", action="store_true")
    args = parser.parse_args()
    written = write_journal(
        args.path, args.n, seed=args.seed, planned=args.planned, reviews=not args.no_reviews
    )
    print(f"wrote {len(written)} entries to {args.path}")
