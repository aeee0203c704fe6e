"""Search quality: top-1 hit rate, MRR@10 and empty answers of `watchbook search` against baselines.

Three query sets, each over a journal of its own:
- standard: the generated journal of benchmarks/corpus.py (5,000 entries by default) and
  queries of the kinds a person
  types (typos, missing punctuation, case and accents, word order, part of a title, a title
  being typed, library-style articles, aliases, creators, review phrases, very short titles);
- hard: the same corpus with a second title pool mixed in, and the harder queries of
  benchmarks/hard_corpus.py (moved articles in five languages, titles joined by punctuation,
  sequel numbers, two typos beside a short token, an article and a word being typed, words
  several titles hold, titles run together, and nonsense that should find nothing);
- real: the standard kinds of query over real titles, the IMDb, Letterboxd and MyAnimeList
  exports in ../shared/fixtures imported into one journal (about 6,000 entries; the set is
  skipped, saying why, where that folder is absent).
Each query comes with the entries that rightly answer it; the journal is ranked by:
- watchbook's search (through its index);
- plain `rapidfuzz.process.extract` with WRatio (and utils.default_process) over every title,
  alias and creator;
- `fzf --filter` over the same lines, when fzf is installed (skipped otherwise).
Review phrases are only searchable by watchbook (the baselines get names, not reviews), so the
table shows each category apart as well as the overall figures. "Empty" is the share of
queries answered with nothing at all; for nonsense, nothing is the right answer.

Tune on one seed, report on another (docs/benchmarks.md says which).

    python benchmarks/search_quality.py [--set standard|hard|real] [--entries 5000] [--per-kind 40]
        [--seed 2] [--show-misses] [--without-last-pass]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import SHORT_TITLES, typo_title, write_journal
from hard_corpus import Query, make_hard_entries, make_hard_queries
from watchbook.entry import Entry
from watchbook.journal import Journal
from watchbook.text import STOPWORDS, creator_key, fold, strip_accents, title_key

TOP = 10
# The real exports (see their README), outside the repository.
SHARED = Path(__file__).resolve().parents[2] / "shared" / "fixtures"


def _by_title(entries: Sequence[Entry]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        groups[title_key(entry.title)].add(entry.slug)
    return groups


def _in_order(words: list[str], name: list[str]) -> bool:
    """True when every word appears in the name, in this order."""
    position = 0
    for word in words:
        try:
            position = name.index(word, position) + 1
        except ValueError:
            return False
    return True


def _bare(key: str) -> str:
    """A folded title without its leading article."""
    first, _, rest = key.partition(" ")
    return rest if rest and first in ("the", "a", "an") else key


def make_queries(entries: Sequence[Entry], per_kind: int, seed: int) -> list[Query]:
    """Queries with known answers; ambiguous ones (a fragment shared by titles) are left out."""
    rng = random.Random(seed)
    same_title = _by_title(entries)
    keys = list(same_title)
    bare_keys = {_bare(k) for k in keys}
    # A title query is also rightly answered by an entry that has that title as an alias.
    named: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for name in (entry.title, *entry.aliases):
            named[title_key(name)].add(entry.slug)
    queries: list[Query] = []

    def title_query(kind: str, text: str, entry: Entry) -> None:
        queries.append(Query(kind, text, frozenset(named[title_key(entry.title)])))

    def sample(condition: Callable[[Entry], bool]) -> list[Entry]:
        pool = [e for e in entries if condition(e)]
        rng.shuffle(pool)
        return pool

    # A typo in the longest word of a title.
    for entry in sample(lambda e: len(title_key(e.title)) >= 8 and e.title.isascii())[:per_kind]:
        title_query("typo", typo_title(rng, entry.title), entry)
    # Punctuation left out, case kept.
    for entry in sample(lambda e: bool(re.search(r"[:!'\-]", e.title)))[:per_kind]:
        title_query("punctuation", re.sub(r"[^\w\s]", "", entry.title), entry)
    # Lower case, no accents.
    for entry in sample(lambda e: not e.title.isascii() and fold(e.title).isascii())[:per_kind]:
        title_query("case-accents", strip_accents(entry.title).lower(), entry)
    # Words in another order.
    count = 0
    for entry in sample(lambda e: len(fold(e.title).split()) in (2, 3, 4)):
        reordered = " ".join(reversed(fold(entry.title).split()))
        if any(_in_order(reordered.split(), n.split()) for n in named):
            continue  # another title or alias has these words in this order: a fair answer
        title_query("word-order", reordered, entry)
        count += 1
        if count == per_kind:
            break
    # Two words from the middle or end of a longer title, found in no other title.
    count = 0
    for entry in sample(lambda e: len(title_key(e.title).split()) >= 4):
        words = title_key(entry.title).split()
        start = rng.randrange(1, len(words) - 1)
        window = " ".join(words[start : start + 2])
        if (
            any(w in STOPWORDS or w.isdigit() for w in window.split())
            or len(set(window.split())) < 2
        ):
            continue
        # Only this title holds these words side by side, and no title starts with them.
        inside = sum(f" {window} " in f" {k} " for k in keys)
        if inside == 1 and not any(k.startswith(window) for k in bare_keys):
            title_query("partial", window, entry)
            count += 1
        if count == per_kind:
            break
    # A title being typed: the shortest prefix (past 60% of it) that only this title has.
    count = 0
    for entry in sample(lambda e: len(title_key(e.title)) >= 10):
        key = title_key(entry.title)
        for end in range(max(4, int(len(key) * 0.6)), int(len(key) * 0.85)):
            prefix = key[:end].rstrip()
            if sum(n.startswith(prefix) or _bare(n).startswith(prefix) for n in named) == 1:
                title_query("prefix", prefix, entry)
                count += 1
                break
        if count == per_kind:
            break
    # Library-style titles: 'River, The' typed for 'The River', and the other way round.
    for entry in sample(lambda e: e.title.startswith("The ") and ":" not in e.title)[:per_kind]:
        title_query("article", f"{entry.title[4:]}, The", entry)
    # Aliases (original titles).
    for entry in sample(lambda e: bool(e.aliases))[:per_kind]:
        alias = entry.aliases[0]
        relevant = {e.slug for e in entries if title_key(alias) in map(title_key, e.aliases)}
        relevant |= same_title.get(title_key(alias), set())
        queries.append(Query("alias", alias.lower(), frozenset(relevant)))
    # Creators, as a person would type them (no accents, lower case).
    holders: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for creator in entry.creators:
            holders[creator_key(creator)].add(entry.slug)
    people = sorted({c for e in entries for c in e.creators if " " in c})
    for person in rng.sample(people, min(per_kind, len(people))):
        queries.append(
            Query("creator", strip_accents(person).lower(), frozenset(holders[creator_key(person)]))
        )
    # A phrase from a review that no other review has, in the reviewer's own words (no name
    # of a title or a person in it: those would be fair answers too).
    texts = {e.slug: " ".join(fold(e.review or "").split()) for e in entries}
    title_words = [set(k.split()) for k in keys]
    count = 0
    for entry in sample(lambda e: bool(e.review)):
        words = (entry.review or "").split()
        for _attempt in range(5):
            start = rng.randrange(0, max(1, len(words) - 4))
            window = words[start : start + 4]
            if len(window) < 4 or any(not w.islower() for w in window):
                continue
            phrase = fold(" ".join(window))
            content = {w for w in phrase.split() if w not in STOPWORDS}
            if len(content) < 2 or any(len(content & title) >= 2 for title in title_words):
                continue  # it names a title (reviews mention titles, some in lower case)
            if sum(f" {phrase} " in f" {text} " for text in texts.values()) == 1:
                queries.append(Query("review", phrase, frozenset({entry.slug})))
                count += 1
                break
        if count == per_kind:
            break
    # Very short titles, typed exactly.
    shorts = [e for e in entries if e.title in SHORT_TITLES]
    for entry in rng.sample(shorts, min(per_kind // 2, len(shorts))):
        title_query("short-title", entry.title, entry)
    return queries


# --- the contenders ---------------------------------------------------------------------------


def watchbook_ranker(journal: Path) -> Callable[[str], list[str]]:
    """watchbook's own ranking, through the index (built once, then warm)."""
    from watchbook.index.store import open_index
    from watchbook.search import rank

    view = open_index(Journal(journal))
    data = view.search_data()
    slugs = dict(view.conn.execute("SELECT id, slug FROM entries"))

    def ranked(query: str) -> list[str]:
        hits = rank(data, query, view.summaries, texts=view.text_matches, limit=TOP)
        explained[query] = [f"{slugs[h.rowid]} {h.field} {h.score:.1f}" for h in hits[:3]]
        return [slugs[h.rowid] for h in hits]

    return ranked


# Why watchbook ranked what it did, for --show-misses.
explained: dict[str, list[str]] = {}


def _lines(entries: Sequence[Entry]) -> list[tuple[str, str]]:
    """(slug, text) choices the baselines rank: each title, alias and creator on its own."""
    return [(e.slug, name) for e in entries for name in (e.title, *e.aliases, *e.creators)]


def wratio_ranker(entries: Sequence[Entry]) -> Callable[[str], list[str]]:
    """Plain `process.extract(query, choices, scorer=WRatio)`, first result per entry."""
    from rapidfuzz import fuzz, process, utils

    lines = _lines(entries)
    choices = [text for _slug, text in lines]

    def ranked(query: str) -> list[str]:
        found: list[str] = []
        for _text, _score, index in process.extract(
            query, choices, scorer=fuzz.WRatio, processor=utils.default_process, limit=200
        ):
            slug = lines[index][0]
            if slug not in found:
                found.append(slug)
            if len(found) == TOP:
                break
        return found

    return ranked


def fzf_ranker(entries: Sequence[Entry], folder: Path) -> Callable[[str], list[str]] | None:
    """`fzf --filter` over 'slug<TAB>title | aliases | creators' lines (slug not matched)."""
    fzf = shutil.which("fzf")
    if fzf is None:
        return None
    source = folder / "fzf-lines.txt"
    source.write_text(
        "".join(f"{e.slug}\t{' | '.join([e.title, *e.aliases, *e.creators])}\n" for e in entries),
        encoding="utf-8",
    )

    def ranked(query: str) -> list[str]:
        with source.open("rb") as lines:
            out = subprocess.run(
                [fzf, "--filter", query, "--delimiter", "\t", "--nth", "2.."],
                stdin=lines,
                capture_output=True,
                check=False,
            ).stdout.decode("utf-8")
        return [line.split("\t", 1)[0] for line in out.splitlines()[:TOP]]

    return ranked


# --- scoring ----------------------------------------------------------------------------------


class Scores(NamedTuple):
    """One ranker's figures for one kind of query."""

    top1: float
    mrr: float
    empty: float  # the share of queries answered with nothing
    queries: int


def evaluate(
    ranker: Callable[[str], list[str]], queries: Sequence[Query]
) -> tuple[dict[str, Scores], list[list[str]]]:
    """Top-1, MRR@10 and empty answers per kind (and 'all'), and each query's answer.

    A nonsense query (no right answer) counts as right when it is answered with nothing; it is
    left out of 'all'.
    """
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    answers: list[list[str]] = []
    for query in queries:
        ranked = ranker(query.text)[:TOP]
        answers.append(ranked)
        if query.relevant:
            rank = next((i for i, slug in enumerate(ranked, 1) if slug in query.relevant), None)
        else:
            rank = None if ranked else 1
        for kind in (query.kind, "all") if query.relevant else (query.kind,):
            sums[kind][0] += rank == 1
            sums[kind][1] += 1 / rank if rank else 0.0
            sums[kind][2] += not ranked
            sums[kind][3] += 1
    return {
        k: Scores(v[0] / v[3], v[1] / v[3], v[2] / v[3], int(v[3])) for k, v in sums.items()
    }, answers


def import_real_exports(journal: Path) -> list[Entry]:
    """The real IMDb, Letterboxd and MyAnimeList exports imported into a new journal."""
    for service, path in (
        ("imdb", SHARED / "imdb" / "ratings.csv"),
        ("letterboxd", SHARED / "letterboxd"),
        ("mal", SHARED / "mal" / "animelist.xml"),
    ):
        command = [sys.executable, "-m", "watchbook", "-j", str(journal), "import", service]
        subprocess.run([*command, str(path)], check=True, capture_output=True)
    return Journal(journal).load_all().entries


def write_entries(journal: Path, entries: Sequence[Entry]) -> None:
    """Write entry files into a new journal folder."""
    from watchbook.entry_file import dump_entry

    journal.mkdir(parents=True)
    for entry in entries:
        (journal / f"{entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--set", choices=("standard", "hard", "real"), default="standard", dest="kind"
    )
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--per-kind", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument(
        "--without-last-pass", action="store_true", help="what the whole-string pass adds"
    )
    args = parser.parse_args()
    if args.without_last_pass:
        import watchbook.search

        watchbook.search.last_pass = lambda query, keys, limit: []

    with tempfile.TemporaryDirectory(prefix="watchbook-quality-") as tmp:
        folder = Path(tmp)
        journal = folder / "journal"
        if args.kind == "real":
            if not SHARED.is_dir():
                print(f"real set skipped: {SHARED} is not there (the real exports live beside CI)")
                return 0
            entries = import_real_exports(journal)
            queries = make_queries(entries, args.per_kind, args.seed)
        elif args.kind == "hard":
            entries = make_hard_entries(args.entries, args.seed)
            write_entries(journal, entries)
            queries = make_hard_queries(entries, args.per_kind, args.seed)
        else:
            entries = write_journal(
                journal, args.entries, seed=args.seed, planned=args.entries // 20
            )
            queries = make_queries(entries, args.per_kind, args.seed)
        started = time.perf_counter()
        contenders: dict[str, Callable[[str], list[str]] | None] = {
            "watchbook": watchbook_ranker(journal),
            "WRatio": wratio_ranker(entries),
            "fzf": fzf_ranker(entries, folder),
        }
        print(
            f"{args.kind} set, seed {args.seed}: {len(entries)} entries, {len(queries)} queries "
            f"(index built in {time.perf_counter() - started:.1f}s)\n"
        )
        results, answers = {}, {}
        for name, ranker in contenders.items():
            if ranker is None:
                print(f"{name}: not installed, skipped")
                continue
            results[name], answers[name] = evaluate(ranker, queries)
        mine, theirs = answers["watchbook"], answers["WRatio"]
        if args.show_misses:
            for query, got in zip(queries, mine, strict=True):
                right = (got[:1] and got[0] in query.relevant) or (not query.relevant and not got)
                if not right:
                    want = sorted(query.relevant)[:2]
                    why = explained.get(query.text, [])
                    print(f"  miss [{query.kind}] {query.text!r}: want {want}, got {why}")
        lost = sum(
            1
            for query, got, other in zip(queries, mine, theirs, strict=True)
            if query.relevant and not got and query.relevant & set(other)
        )
        kinds = ["all", *sorted({q.kind for q in queries})]
        names = list(results)
        columns = " | ".join(f"{n} top-1 | {n} MRR@10 | {n} empty" for n in names)
        print(f"| queries | n | {columns} |")
        print("|---|---|" + "---|---|---|" * len(names))
        for kind in kinds:
            count = results[names[0]][kind].queries
            cells = " | ".join(
                f"{results[n][kind].top1:.3f} | {results[n][kind].mrr:.3f} | "
                f"{results[n][kind].empty:.3f}"
                for n in names
            )
            label = f"**{kind}**" if kind == "all" else kind
            print(f"| {label} | {count} | {cells} |")
        print(f"\nwatchbook answered nothing where WRatio's top {TOP} held a right answer: {lost}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
