"""export as Markdown: pages parsed back with markdown-it-py, links, escapes, determinism."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from tests.conftest import Invoke
from watchbook.entry import Entry, Link
from watchbook.entry_file import dump_entry
from watchbook.export.markdown import escape, kind_phrase
from watchbook.journal import Journal

PARSER = MarkdownIt("commonmark").enable("table")


def parse(text: str) -> list[Token]:
    return PARSER.parse(text)


def inline_text(token: Token) -> str:
    """What a reader sees of an inline token: its text, code and line breaks, no markup."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def hrefs(tokens: list[Token]) -> list[str]:
    return [
        str(child.attrGet("href"))
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    ]


def anchors(tokens: list[Token]) -> set[str]:
    found: set[str] = set()
    for token in tokens:
        pieces = [token] if token.type == "html_block" else token.children or []
        for piece in pieces:
            if piece.type in ("html_block", "html_inline"):
                found.update(re.findall(r'id="([^"]+)"', piece.content))
    return found


def headings(tokens: list[Token]) -> list[tuple[str, str]]:
    """(tag, text) of every heading."""
    return [
        (token.tag, inline_text(tokens[i + 1]))
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def section_links(tokens: list[Token], title: str) -> list[tuple[str, str]]:
    """(href, link text) of the links in the list under the heading with this text."""
    found: list[tuple[str, str]] = []
    inside = False
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            inside = inline_text(tokens[i + 1]) == title
        elif inside and token.type == "inline":
            children = token.children or []
            for j, child in enumerate(children):
                if child.type == "link_open":
                    found.append((str(child.attrGet("href")), children[j + 1].content))
    return found


def export(invoke: Invoke, out: Path, *args: str) -> None:
    result = invoke("export", "--out", str(out), *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def write(journal: Path, entry: Entry, name: str | None = None) -> None:
    journal.mkdir(parents=True, exist_ok=True)
    (journal / f"{name or entry.slug}.toml").write_text(dump_entry(entry), encoding="utf-8")


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# --- the sample journal -----------------------------------------------------------------------


def test_every_page_exists_and_every_link_resolves(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    export(invoke, out)
    slugs = {p.stem for p in sample_journal.glob("*.toml")}
    pages = {p.name for p in out.glob("*.md")}
    assert pages == {f"{slug}.md" for slug in slugs} | {"index.md"}
    linked: set[str] = set()
    for page in pages:
        for href in hrefs(parse((out / page).read_text(encoding="utf-8"))):
            assert "://" not in href and not href.startswith("/"), (page, href)
            assert (out / href).is_file(), f"{page} links to missing {href}"
            linked.add(href)
    # The index reaches every page, and every page leads back to the index.
    index_links = set(hrefs(parse((out / "index.md").read_text(encoding="utf-8"))))
    assert index_links == pages - {"index.md"}
    assert "index.md" in linked


def test_blame_page_reads_like_a_review(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    export(invoke, out)
    entry = Journal(sample_journal).get("blame-2017")
    text = (out / "blame-2017.md").read_text(encoding="utf-8")
    tokens = parse(text)
    assert headings(tokens)[0] == ("h1", "Blame! (2017)")
    paragraphs = [
        inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"
    ]
    assert paragraphs[0] == "Animated movie · 2017 · " + ", ".join(entry.creators)
    assert paragraphs[1].startswith("6/10 ")
    quote = tokens.index(next(t for t in tokens if t.type == "blockquote_open"))
    assert inline_text(tokens[quote + 2]) == entry.verdict
    # The review is copied byte for byte.
    assert entry.review is not None and entry.review in text
    related = section_links(tokens, "Related")
    assert ("knights-of-sidonia-2014.md", "Knights of Sidonia (2014)") in related
    sidonia = parse((out / "knights-of-sidonia-2014.md").read_text(encoding="utf-8"))
    assert ("blame-2017.md", "Blame! (2017)") in section_links(sidonia, "Linked from")
    # Planned entries are on the watchlist, not in the table.
    index = parse((out / "index.md").read_text(encoding="utf-8"))
    assert ("cloud-atlas-2012.md", "Cloud Atlas (2012)") in section_links(index, "Watchlist")
    table_links = [
        str(c.attrGet("href"))
        for t in index[: next(i for i, t in enumerate(index) if t.type == "table_close")]
        if t.type == "inline"
        for c in t.children or []
        if c.type == "link_open"
    ]
    assert "cloud-atlas-2012.md" not in table_links
    assert table_links[0] == "the-matrix-1999.md"  # best score first (9.5)


def test_single_file_has_an_anchor_for_every_link(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    out = tmp_path / "one"
    export(invoke, out, "--single-file")
    assert sorted(p.name for p in out.iterdir()) == [".watchbook-export", "watchbook.md"]
    tokens = parse((out / "watchbook.md").read_text(encoding="utf-8"))
    targets = anchors(tokens)
    assert targets == {p.stem for p in sample_journal.glob("*.toml")}
    links = hrefs(tokens)
    assert links and all(h.startswith("#") for h in links)
    assert {h[1:] for h in links} <= targets
    assert [text for tag, text in headings(tokens) if tag == "h1"] == ["Watch journal"]


# --- escapes ----------------------------------------------------------------------------------

TRICKY = [
    Entry(
        "*batteries not included",
        "batteries-not-included-1987",
        1987,
        "movie",
        score=6,
        verdict="*Charming* but _thin_ | better than its reputation",
        watched=[],
        tags=["sci-fi", "*stars*"],
        creators=["Matthew Robbins"],
    ),
    Entry(
        "[REC]",
        "rec-2007",
        2007,
        "movie",
        score=7.5,
        verdict="# not a heading, just a verdict",
        tags=["horror", "found|footage"],
        creators=["Jaume Balagueró", "Paco Plaza"],
    ),
    Entry(
        "#Alive",
        "alive-2020",
        2020,
        "movie",
        score=5,
        verdict="1. not a list either",
        tags=["#zombies"],
    ),
    Entry("- Dash", "dash-2001", 2001, "movie", score=3, verdict="- nor this", tags=["<b>x</b>"]),
]


def test_titles_verdicts_and_tags_render_as_written(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    for entry in TRICKY:
        write(journal_dir, entry)
    out = tmp_path / "site"
    export(invoke, out)
    for entry in TRICKY:
        tokens = parse((out / f"{entry.slug}.md").read_text(encoding="utf-8"))
        assert headings(tokens)[0] == ("h1", entry.label)
        assert not any(t.type in ("em_open", "strong_open") for t in tokens[1].children or [])
        start = next(i for i, t in enumerate(tokens) if t.type == "blockquote_open")
        assert tokens[start + 1].type == "paragraph_open"
        assert inline_text(tokens[start + 2]) == entry.verdict
        facts = [inline_text(t) for t in tokens if t.type == "inline" and "Tags:" in t.content]
        assert facts == ["Tags: " + ", ".join(entry.tags)]
    index = parse((out / "index.md").read_text(encoding="utf-8"))
    rows: list[list[str]] = []
    for i, token in enumerate(index):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("td_open", "th_open"):
            rows[-1].append(inline_text(index[i + 1]))
    assert all(len(row) == 5 for row in rows)
    by_title = {row[0]: row for row in rows[1:]}
    for entry in TRICKY:
        assert by_title[entry.title][4] == entry.verdict
    tag_headings = [text for tag, text in headings(index) if tag == "h3"]
    assert "found|footage (1)" in tag_headings and "#zombies (1)" in tag_headings


SAFE_TEXT = (
    st.text(
        alphabet=st.sampled_from(list("*_[]()#|`\\<>!&;:-+=.~{}\"'/ 01aZé")),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=300, deadline=None)
@given(SAFE_TEXT)
def test_escaped_text_reads_back_exactly_in_every_context(text: str) -> None:
    paragraph = parse(escape(text) + "\n")
    assert [t.type for t in paragraph] == ["paragraph_open", "inline", "paragraph_close"]
    assert inline_text(paragraph[1]) == text
    heading = parse("# " + escape(text, line_start=False) + "\n")
    assert heading[0].type == "heading_open" and inline_text(heading[1]) == text
    quote = parse("> " + escape(text) + "\n")
    assert [t.type for t in quote[1:4]] == ["paragraph_open", "inline", "paragraph_close"]
    assert inline_text(quote[2]) == text
    table = parse(f"| a | b |\n|---|---|\n| {escape(text, line_start=False)} | z |\n")
    cells = [inline_text(table[i + 1]) for i, t in enumerate(table) if t.type == "td_open"]
    assert cells == [text, "z"]


def test_a_review_is_kept_and_cannot_swallow_the_page(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    review = "# My own heading\n\n**Bold** claims, a [link](https://example.org).\n\n```python\nprint('unclosed')\n"
    fence = Entry("Open Fence", "open-fence-2000", 2000, "movie", review=review)
    fence.links = [Link("other-2000", "a pair")]
    write(journal_dir, fence)
    write(journal_dir, Entry("Other", "other-2000", 2000, "movie"))
    out = tmp_path / "site"
    export(invoke, out)
    text = (out / "open-fence-2000.md").read_text(encoding="utf-8")
    assert review in text
    tokens = parse(text)
    assert ("other-2000.md", "Other (2000)") in section_links(tokens, "Related")
    assert "https://example.org" in hrefs(tokens)


@pytest.mark.parametrize(
    "review",
    [
        "Intro.\n\n  ```\nsome code\n",
        "Intro.\n\n   ~~~~ text\ncode\n~~~\nstill code, the fence is longer\n",
        # Closed by a fence at the margin: nothing to add (an added one would open a new fence).
        "Intro.\n\n  ```\ncode\n```\n",
        # In a list item: the item's end closes it, and a fence added after would open a new one.
        "- a list\n\n  ```\n  code in the item\n",
        "- a list\n\n  ```\nno longer in the item\n",
        "> ```\n> quoted code\n",
    ],
)
def test_an_indented_or_nested_fence_cannot_swallow_the_page(
    invoke: Invoke, journal_dir: Path, tmp_path: Path, review: str
) -> None:
    fence = Entry("Open Fence", "open-fence-2000", 2000, "movie", score=9, review=review)
    fence.links = [Link("other-2000", "a pair")]
    write(journal_dir, fence)
    write(journal_dir, Entry("Other", "other-2000", 2000, "movie", score=1))
    export(invoke, tmp_path / "site")
    text = (tmp_path / "site" / "open-fence-2000.md").read_text(encoding="utf-8")
    assert review in text
    tokens = parse(text)
    assert ("other-2000.md", "Other (2000)") in section_links(tokens, "Related")
    assert "index.md" in hrefs(tokens)
    export(invoke, tmp_path / "one", "--single-file")
    tokens = parse((tmp_path / "one" / "watchbook.md").read_text(encoding="utf-8"))
    found = headings(tokens)
    assert ("h4", "Related") in found and ("h3", "Other (2000)") in found
    assert not [t for t in tokens if t.type in ("fence", "code_block") and "Related" in t.content]


def test_kind_phrase_says_only_what_the_tags_say() -> None:
    assert kind_phrase(Entry("A", kind="movie", tags=["anime"])) == "Animated movie"
    assert (
        kind_phrase(Entry("A", kind="movie", tags=["Japan", "anime"])) == "Japanese animated movie"
    )
    assert kind_phrase(Entry("A", kind="series", tags=["drama"])) == "Series"
    assert (
        kind_phrase(Entry("A", kind="movie", tags=["documentary", "french"]))
        == "French documentary"
    )
    assert kind_phrase(Entry("A", tags=["anime"])) == ""


# --- determinism ------------------------------------------------------------------------------


def test_repeated_exports_are_byte_identical(
    invoke: Invoke, sample_journal: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    export(invoke, first, "--front-matter")
    export(invoke, second, "--front-matter")
    assert files(first) == files(second)
    before = {p.name: p.stat().st_mtime_ns for p in first.iterdir()}
    result = invoke("export", "--out", str(first), "--front-matter")
    assert result.exit_code == 0 and "(0 changed)" in result.stderr
    # Unchanged pages are not rewritten at all (their mtimes stay, rsync and static sites see no change).
    assert {p.name: p.stat().st_mtime_ns for p in first.glob("*.md")} == {
        k: v for k, v in before.items() if k.endswith(".md")
    }


def test_same_bytes_across_processes_and_hash_seeds(sample_journal: Path, tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "WATCHBOOK_JOURNAL": str(sample_journal)}
        for args in ([], ["--format", "json"]):
            subprocess.run(
                [sys.executable, "-m", "watchbook", "export", "--out", str(out), *args],
                env=env,
                check=True,
                capture_output=True,
            )
        outputs.append(files(out))
    assert outputs[0] == outputs[1]
    assert "watchbook.json" in outputs[0] and "index.md" in outputs[0]


@pytest.mark.parametrize("single", [False, True])
def test_summary_goes_to_stderr(
    invoke: Invoke, sample_journal: Path, tmp_path: Path, single: bool
) -> None:
    args = ["--single-file"] if single else []
    result = invoke("export", "--out", str(tmp_path / "x"), *args)
    assert result.exit_code == 0
    assert result.stdout == ""
    count = len(list(sample_journal.glob("*.toml")))
    files_written = 1 if single else count + 1
    assert f"Exported {count} entries as {files_written} Markdown file" in result.stderr
    assert str((tmp_path / "x").resolve()) in result.stderr


def test_the_folder_writer_leaves_the_html_site_to_its_own_exporter(tmp_path: Path) -> None:
    from watchbook.export import ExportOptions, export_to_folder
    from watchbook.export.site import Site

    # The site reads the index (what changed since the last export): export_site writes it.
    with pytest.raises(ValueError, match="export_site"):
        export_to_folder(Site([], []), tmp_path / "site", ExportOptions(format="html"))
    assert not (tmp_path / "site").exists()
