"""Markdown pages: one per entry plus index.md, or one document with anchors (`--single-file`).

Titles, verdicts, tags, creators and other one-line fields are escaped so that they read as
plain text in any CommonMark renderer; the review is the user's own Markdown and is copied as
written, except that raw HTML and links to anything but the web, mail, pages and anchors are
made harmless (markdown_safety), whatever the journal holds, and a code fence it leaves open is
closed after it, so that it cannot swallow the rest of the page.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from watchbook.entry import Entry, Viewing, format_score
from watchbook.export.site import Ref, Site, score_order, title_order
from watchbook.markdown_safety import safe_markdown
from watchbook.text import fold

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

SITE_TITLE = "Watch journal"
SINGLE_FILE = "watchbook.md"
INDEX = "index.md"

# --- escaping ---------------------------------------------------------------------------------

# Characters that start emphasis, code, links, table cells, headings, strikethrough or
# attribute lists wherever they are; a backslash before any ASCII punctuation is allowed in
# CommonMark. '<' becomes an entity instead: not every Markdown takes '\<' as an escape
# (Python-Markdown, behind MkDocs, would pass the tag through).
_ALWAYS = str.maketrans({"<": "&lt;", **{c: "\\" + c for c in "\\`*_[]{}>|#~"}})
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# At the start of a line, these would begin a list, an ordered list or a setext underline.
_LIST_START = re.compile(r"^(\d{1,9})([.)])")


@functools.lru_cache(maxsize=1 << 16)
def escape(text: str, line_start: bool = True) -> str:
    """One line of plain text as Markdown that renders as exactly that text."""
    if "&" in text:
        # Before the translation, which brings entities of its own.
        text = _ENTITY.sub("&amp;", text)
    text = text.translate(_ALWAYS)
    return guard_line_start(text) if line_start else text


def guard_line_start(line: str) -> str:
    """Escape what would make an escaped line start a list or a setext underline."""
    first = line[:1]
    if first in ("-", "+", "="):
        return "\\" + line
    return _LIST_START.sub(r"\1\\\2", line) if first.isdigit() else line


def closing_for(review: str) -> str:
    """What to append after a review so a code fence or HTML block it leaves open ends there."""
    if "```" not in review and "~~~" not in review and "<" not in review:
        return ""
    # Whether a fence is left open depends on the blocks around it (indented up to three
    # spaces it is still a fence; in a list item or a quote the end of the item or quote closes
    # it), so a CommonMark parser decides: a line at the margin after a blank line ends every
    # block but a fence or an HTML block left open outside any list or quote.
    last = _commonmark().parse(f"{review}\n\n{_PROBE}\n")[-1]
    if last.type == "fence":
        return last.markup + "\n"
    if last.type == "html_block":
        end = _html_block_end(last.content.lstrip(" "))
        return f"{end}\n" if end else ""
    return ""


# The line closing_for puts after a review to see what the review leaves open.
_PROBE = "watchbook-end-of-review"


@functools.lru_cache(maxsize=1)
def _commonmark() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Blocks only: what is inside them does not matter here, and skipping it is 20x faster.
    return MarkdownIt("commonmark").disable("inline")


def _html_block_end(line: str) -> str | None:
    """The text that ends a raw HTML block starting on this line, for the kinds that need one."""
    lower = line.lower()
    for tag in ("pre", "script", "style", "textarea"):
        if re.match(rf"<{tag}(?:[\s>]|$)", lower):
            return f"</{tag}>"
    for start, end in (("<!--", "-->"), ("<?", "?>"), ("<![cdata[", "]]>")):
        if lower.startswith(start):
            return end
    if re.match(r"<![a-z]", lower):
        return ">"
    return None


# --- pieces of a page -------------------------------------------------------------------------

COUNTRY_TAGS = {
    "japan": "Japanese",
    "japanese": "Japanese",
    "korea": "Korean",
    "south korea": "Korean",
    "korean": "Korean",
    "china": "Chinese",
    "chinese": "Chinese",
    "hong kong": "Hong Kong",
    "taiwan": "Taiwanese",
    "taiwanese": "Taiwanese",
    "india": "Indian",
    "indian": "Indian",
    "france": "French",
    "french": "French",
    "germany": "German",
    "german": "German",
    "italy": "Italian",
    "italian": "Italian",
    "spain": "Spanish",
    "spanish": "Spanish",
    "uk": "British",
    "british": "British",
    "usa": "American",
    "american": "American",
    "canada": "Canadian",
    "canadian": "Canadian",
    "mexico": "Mexican",
    "mexican": "Mexican",
    "brazil": "Brazilian",
    "brazilian": "Brazilian",
    "sweden": "Swedish",
    "swedish": "Swedish",
    "denmark": "Danish",
    "danish": "Danish",
    "norway": "Norwegian",
    "norwegian": "Norwegian",
    "russia": "Russian",
    "russian": "Russian",
    "poland": "Polish",
    "polish": "Polish",
    "iran": "Iranian",
    "iranian": "Iranian",
    "ireland": "Irish",
    "irish": "Irish",
    "australia": "Australian",
    "australian": "Australian",
}
ANIMATION_TAGS = frozenset({"anime", "animation", "animated"})
KIND_NOUNS = {
    "movie": "movie",
    "series": "series",
    "season": "season",
    "episode": "episode",
    "special": "special",
    "short": "short film",
    "other": "title",
}


def kind_phrase(entry: Entry) -> str:
    """'Japanese animated movie' from the kind and tags; only what the tags actually say."""
    if entry.kind is None:
        return ""
    noun = KIND_NOUNS[entry.kind]
    tags = [fold(t) for t in entry.tags]
    countries = list(dict.fromkeys(COUNTRY_TAGS[t] for t in tags if t in COUNTRY_TAGS))
    words = ["-".join(countries)] if countries else []
    if ANIMATION_TAGS.intersection(tags):
        words.append("animated")
    if "documentary" in tags:
        noun = "documentary" if entry.kind == "movie" else f"documentary {noun}"
    phrase = " ".join([*words, noun])
    return phrase[:1].upper() + phrase[1:]


def byline(entry: Entry) -> str:
    """'Animated movie · 2017 · Polygon Pictures': kind, year and creators, whichever are known."""
    parts = [
        escape(kind_phrase(entry), line_start=False),
        str(entry.year or ""),
        ", ".join(escape(c, line_start=False) for c in entry.creators),
    ]
    return guard_line_start(" · ".join(p for p in parts if p))


def score_bar(score: int | float) -> str:
    """Ten cells, one per point, a half block for a half point: 6.5 -> '██████▌░░░'."""
    whole = int(score)
    half = "▌" if score - whole else ""
    return "█" * whole + half + "░" * (10 - whole - len(half))


def score_line(entry: Entry) -> str:
    """'**6/10** `██████░░░░`' (the bar in code so it keeps its width)."""
    if entry.score is None:
        return ""
    return f"**{format_score(entry.score)}** `{score_bar(entry.score)}`"


STATUS_WORDS = {
    "watching": "still watching",
    "dropped": "dropped",
    "planned": "on the watchlist, not seen yet",
}


def facts(entry: Entry) -> list[str]:
    """The short list under the verdict: status, viewings, where, tags, other titles, ids."""
    items: list[tuple[str, str]] = []
    if entry.status in STATUS_WORDS:
        items.append(("Status", STATUS_WORDS[entry.status]))
    if entry.watched:
        count = len(entry.watched)
        if all(v.plain for v in entry.viewings):
            dates = ", ".join(d.isoformat() for d in entry.watched)
            items.append(("Watched", dates + (f" ({count} viewings)" if count > 1 else "")))
        else:
            # One sub-item a viewing, with the score and note given that time.
            lines = [viewing_line(v) for v in entry.viewings]
            times = f"{count} viewings" if count > 1 else "1 viewing"
            items.append(("Watched", times + "".join(f"\n  - {line}" for line in lines)))
    if entry.where:
        items.append(("Where", escape(entry.where, line_start=False)))
    if entry.tags:
        items.append(("Tags", ", ".join(escape(t, line_start=False) for t in entry.tags)))
    if entry.aliases:
        items.append(
            ("Also known as", ", ".join(escape(a, line_start=False) for a in entry.aliases))
        )
    if entry.ids:
        ids = ", ".join(
            f"{escape(k, line_start=False)} {escape(v, line_start=False)}"
            for k, v in sorted(entry.ids.items())
        )
        items.append(("Elsewhere", ids))
    return [f"- **{label}:** {value}" for label, value in items]


def viewing_line(viewing: Viewing) -> str:
    """'2024-03-09 · 7/10 · Better on a big screen.' (the note escaped)."""
    parts = [viewing.date.isoformat()]
    if viewing.score is not None:
        parts.append(format_score(viewing.score))
    if viewing.note:
        parts.append(escape(viewing.note, line_start=False))
    return " · ".join(parts)


def front_matter(fields: dict[str, object]) -> str:
    """A YAML front matter block; strings double-quoted (JSON escapes are valid YAML)."""
    lines = ["---"]
    for key, value in fields.items():
        lines.append(f"{key}: {_yaml_value(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n\n"


# What YAML refuses raw in a document (outside its printable set: controls but tab and line
# ends, surrogates, U+FFFE, U+FFFF) or reads as a line break even inside quotes (NEL, U+2028,
# U+2029). JSON escapes the C0 controls itself.
_NOT_YAML_TEXT = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def _yaml_value(value: object) -> str:
    if isinstance(value, str):
        # As '\uXXXX' escapes, valid in JSON and in YAML's double-quoted strings alike.
        return _NOT_YAML_TEXT.sub(
            lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False)
        )
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value)


def entry_front_matter(entry: Entry) -> str:
    """Title, last viewing as `date`, score, tags and the verdict as `description`."""
    fields: dict[str, object] = {"title": entry.label}
    if entry.last_watched:
        fields["date"] = entry.last_watched
    if entry.score is not None:
        fields["score"] = entry.score
    fields["tags"] = list(entry.tags)
    if entry.verdict:
        fields["description"] = entry.verdict
    return front_matter(fields)


# --- the writer -------------------------------------------------------------------------------


class MarkdownExport:
    """Renders the pages of a Site; links are to `<page>.md` files or, in one document, anchors."""

    def __init__(self, site: Site, *, single_file: bool = False, with_front_matter: bool = False):
        self.site = site
        self.single_file = single_file
        self.with_front_matter = with_front_matter
        # In one document every entry is a '###' section under '## Entries'.
        self.level = 3 if single_file else 1
        self._links: dict[str, str] = {}

    # links

    def target(self, slug: str) -> str:
        """Where a link to this entry points: its page, or its anchor in the one document."""
        name = self.site.pages[slug]
        return f"#{name}" if self.single_file else f"{name}.md"

    def link(self, slug: str, text: str | None = None, line_start: bool = False) -> str:
        """A Markdown link to an entry in the export, or plain text if it is not in it."""
        if text is None and slug in self._links:
            return self._links[slug]
        entry = self.site.by_slug.get(slug)
        if entry is None:
            return f"{escape(text or slug, line_start)} (not in this journal)"
        label = escape(text if text is not None else entry.label, line_start=False)
        link = f"[{label}]({self.target(slug)})"
        if text is None:
            # Each entry is linked from many pages and index sections: build its link once.
            self._links[slug] = link
        return link

    def ref_list(self, refs: Iterable[Ref]) -> list[str]:
        """'- [Title (year)](page.md) — why' lines."""
        return [
            f"- {self.link(ref.slug, line_start=True)}"
            + (f" — {escape(ref.why, line_start=False)}" if ref.why else "")
            for ref in refs
        ]

    # one entry

    def entry_body(self, entry: Entry) -> str:
        """An entry's page without front matter: heading, facts, review and link lists."""
        h1 = "#" * self.level
        h2 = "#" * (self.level + 1)
        out: list[str] = []
        if self.single_file:
            out.append(f'<a id="{self.site.pages[entry.slug]}"></a>')
        out.append(f"{h1} {escape(entry.label, line_start=False)}")
        blocks: list[str] = ["\n".join(out)]
        line = byline(entry)
        if line:
            blocks.append(line)
        score = score_line(entry)
        if score:
            blocks.append(score)
        if entry.verdict:
            blocks.append("> " + escape(entry.verdict))
        items = facts(entry)
        if items:
            blocks.append("\n".join(items))
        if entry.review:
            # Newlines become '\n' like everywhere else; no raw HTML, no script links.
            review = safe_markdown(entry.review.replace("\r\n", "\n").replace("\r", "\n"))
            review = review if review.endswith("\n") else review + "\n"
            blocks.append(f"{h2} Review\n\n{review}{closing_for(review)}".rstrip("\n"))
        for heading, refs in (
            ("Related", self.site.related(entry.slug)),
            ("Linked from", self.site.linked_from(entry.slug)),
            ("Recommended", self.site.recommended(entry.slug)),
        ):
            if refs:
                blocks.append(f"{h2} {heading}\n\n" + "\n".join(self.ref_list(refs)))
        if not self.single_file:
            blocks.append(f"[← All entries]({INDEX})")
        return "\n\n".join(blocks) + "\n"

    def page(self, entry: Entry) -> str:
        """The whole `<page>.md` of one entry."""
        head = entry_front_matter(entry) if self.with_front_matter else ""
        return head + self.entry_body(entry)

    # the index

    def counts_line(self) -> str:
        """'11 entries: 7 watched, 1 dropped, 3 on the watchlist · 10 viewings · average score 7.3'."""
        entries = self.site.entries
        status = Counter(e.status for e in entries)
        words = {
            "watched": "watched",
            "watching": "watching",
            "dropped": "dropped",
            "planned": "on the watchlist",
        }
        parts = [f"{status[s]} {w}" for s, w in words.items() if status[s]]
        line = f"**{len(entries)} {'entry' if len(entries) == 1 else 'entries'}**"
        if parts:
            line += ": " + ", ".join(parts)
        viewings = sum(len(e.watched) for e in entries)
        line += f" · {viewings} {'viewing' if viewings == 1 else 'viewings'}"
        scores = [float(e.score) for e in entries if e.score is not None]
        if scores:
            # Rounded as `watchbook stats` rounds its mean, so the two agree.
            line += f" · average score {round(sum(scores) / len(scores), 2):g}"
        return line

    def index_sections(self) -> list[str]:
        """Counts, the table of everything seen, sections by tag and by year, the watchlist."""
        # The same levels in both modes: under the document's one '#' title.
        h1, h2 = "##", "###"
        seen = sorted((e for e in self.site.entries if e.status != "planned"), key=score_order)
        planned = [e for e in self.site.entries if e.status == "planned"]
        blocks = [self.counts_line()]
        if seen:
            blocks.append("\n".join(self.table(seen)))
            tags = self.by_tag(seen, h2)
            if tags:
                blocks.append(f"{h1} By tag")
                blocks.extend(tags)
            blocks.append(f"{h1} By year")
            blocks.extend(self.by_year(seen, h2))
        if planned:
            blocks.append(f"{h1} Watchlist")
            blocks.append("\n".join(self.watchlist_line(e) for e in planned))
        return blocks

    def table(self, entries: list[Entry]) -> list[str]:
        """Title (linked), year, kind, score and verdict; '|' in any cell is escaped."""
        rows = ["| Title | Year | Kind | Score | Verdict |", "|---|---|---|---|---|"]
        for e in entries:
            title = self.link(e.slug, e.title)
            if e.status in ("watching", "dropped"):
                title += f" ({e.status})"
            cells = [
                title,
                str(e.year or ""),
                e.kind or "",
                format_score(e.score),
                escape(e.verdict or "", line_start=False),
            ]
            rows.append("| " + " | ".join(cells) + " |")
        return rows

    def short_line(self, entry: Entry) -> str:
        """'- [Title (year)](page.md) · 6/10'."""
        score = f" · {format_score(entry.score)}" if entry.score is not None else ""
        return f"- {self.link(entry.slug)}{score}"

    def by_tag(self, entries: list[Entry], heading: str) -> list[str]:
        """A section per tag (tags differing only in case or accents are one), tags A to Z."""
        groups: dict[str, dict[str, Entry]] = {}
        spellings: dict[str, Counter[str]] = {}
        for entry in entries:
            for tag in entry.tags:
                key = fold(tag) or tag
                groups.setdefault(key, {})[entry.slug] = entry
                spellings.setdefault(key, Counter())[tag] += 1
        blocks: list[str] = []
        for key in sorted(groups):
            # The spelling most entries use; ties go to the first in sorted order.
            name = min(spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))[0]
            members = list(groups[key].values())
            blocks.append(f"{heading} {escape(name, line_start=False)} ({len(members)})")
            blocks.append("\n".join(self.short_line(e) for e in members))
        return blocks

    def by_year(self, entries: list[Entry], heading: str) -> list[str]:
        """A section per release year, newest first; entries without a year last."""
        groups: dict[int | None, list[Entry]] = {}
        for entry in entries:
            groups.setdefault(entry.year, []).append(entry)
        years = sorted((y for y in groups if y is not None), reverse=True)
        blocks: list[str] = []
        for year in [*years, None] if None in groups else years:
            blocks.append(f"{heading} {year if year is not None else 'Year unknown'}")
            blocks.append("\n".join(self.short_line(e) for e in groups[year]))
        return blocks

    def watchlist_line(self, entry: Entry) -> str:
        """'- [Cloud Atlas (2012)](cloud-atlas-2012.md) · movie · sci-fi, drama'."""
        parts = [self.link(entry.slug)]
        if entry.kind:
            parts.append(entry.kind)
        if entry.tags:
            parts.append(", ".join(escape(t, line_start=False) for t in entry.tags))
        return "- " + " · ".join(parts)

    def index(self) -> str:
        """index.md: the journal at a glance, every entry linked."""
        head = front_matter({"title": SITE_TITLE}) if self.with_front_matter else ""
        blocks = [f"# {SITE_TITLE}", *self.index_sections()]
        return head + "\n\n".join(blocks) + "\n"

    def document(self) -> Iterator[str]:
        """The single-file document in pieces: the index part, then every entry as a section."""
        if self.with_front_matter:
            dates = [e.last_watched for e in self.site.entries if e.last_watched]
            fields: dict[str, object] = {"title": SITE_TITLE}
            if dates:
                fields["date"] = max(dates)
            yield front_matter(fields)
        yield f"# {SITE_TITLE}\n\n" + "\n\n".join(self.index_sections()) + "\n"
        seen = sorted((e for e in self.site.entries if e.status != "planned"), key=score_order)
        planned = sorted((e for e in self.site.entries if e.status == "planned"), key=title_order)
        yield "\n## Entries\n"
        for entry in [*seen, *planned]:
            yield "\n" + self.entry_body(entry)
