"""export --format html without a browser: files, escaping, folder rules, determinism, reviews."""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Invoke
from watchbook.export.output import MARKER, read_marker
from watchbook.export.reviews import plain_paragraphs, review_renderer, safe_link


def export(invoke: Invoke, out: Path, *flags: str) -> str:
    result = invoke("export", "--format", "html", "--out", str(out), *flags)
    assert result.exit_code == 0, result.output
    return result.output


def pages(site: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()
    }


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(data: bytes) -> Tags:
    parser = Tags()
    parser.feed(data.decode("utf-8"))
    return parser


def test_the_sample_site_has_every_page_and_a_marker(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    output = export(invoke, site)
    files = pages(site)
    for name in (
        "index.html", "stats.html", "years.html", "tags.html", "creators.html", "style.css",
        "entries/blame-2017.html", "tags/anime.html", "creators/tsutomu-nihei.html",
        "years/2017.html", "years/1995.html",
    ):  # fmt: skip
        assert name in files, name
    assert len([n for n in files if n.startswith("entries/")]) == 11
    marker = read_marker((site / MARKER).read_text(encoding="utf-8"))
    assert marker["html"] == set(files) - {MARKER}
    assert "as " in output and "HTML files" in output
    blame = files["entries/blame-2017.html"].decode()
    # Links and backlinks with their reasons, related entries, viewings, tags, creators.
    assert "same studio and manga author" in blame
    assert 'href="../creators/tsutomu-nihei.html"' in blame
    assert 'href="../tags/cyberpunk.html"' in blame
    assert '<time datetime="2017-05-22">' in blame
    assert '<h2 id="recommended">' in blame
    # The review is Markdown made HTML: its paragraphs are paragraphs.
    assert blame.count("<p>") >= 3
    index = files["index.html"].decode()
    assert index.count("<tr><td>") == 11


def test_the_same_journal_gives_the_same_bytes_and_a_rerun_changes_nothing(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    export(invoke, tmp_path / "one")
    export(invoke, tmp_path / "two")
    assert pages(tmp_path / "one") == pages(tmp_path / "two")
    assert "(0 changed)" in export(invoke, tmp_path / "one")


def test_one_changed_entry_rewrites_only_the_pages_it_is_on(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(invoke, site)
    untouched = site / "entries" / "cloud-atlas-2012.html"
    before = untouched.stat().st_mtime_ns
    path = sample_journal / "jupiter-ascending-2015.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("score = 4", "score = 3"), encoding="utf-8"
    )
    output = export(invoke, site)
    changed = int(re.search(r"\((\d+) changed", output).group(1))  # type: ignore[union-attr]
    # Its page, the index and stats, its year pages, tag and creator pages: not the others.
    assert 4 <= changed <= 25
    assert untouched.stat().st_mtime_ns == before
    assert "3/10" in (site / "entries" / "jupiter-ascending-2015.html").read_text(encoding="utf-8")


def test_a_deleted_entry_takes_its_pages_away_and_leaves_the_users_files(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(invoke, site)
    own = site / "entries" / "notes.txt"
    own.write_text("mine", encoding="utf-8")
    (sample_journal / "jupiter-ascending-2015.toml").unlink()
    output = export(invoke, site)
    assert "stale removed" in output
    assert not (site / "entries" / "jupiter-ascending-2015.html").exists()
    # Only that film has the tag "space opera" in the sample journal.
    assert not (site / "tags" / "space-opera.html").exists()
    assert (site / "tags" / "space.html").exists()
    assert own.read_text(encoding="utf-8") == "mine"


def test_a_strangers_folder_is_refused_without_force(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    site = tmp_path / "notes"
    site.mkdir()
    (site / "mine.txt").write_text("x", encoding="utf-8")
    result = invoke("export", "--format", "html", "--out", str(site))
    assert result.exit_code == 3
    assert "not empty" in result.output
    assert sorted(os.listdir(site)) == ["mine.txt"]
    export(invoke, site, "--force")
    assert (site / "index.html").is_file() and (site / "mine.txt").is_file()


def test_a_subfolder_that_is_a_link_is_refused_and_nothing_leaves_the_folder(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(invoke, site)
    shutil.rmtree(site / "tags")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (site / "tags").symlink_to(elsewhere)
    result = invoke("export", "--format", "html", "--out", str(site))
    assert result.exit_code != 0
    assert "is a link" in result.output
    assert list(elsewhere.iterdir()) == []


def hostile_journal(journal: Path) -> None:
    journal.mkdir(parents=True, exist_ok=True)
    (journal / "My Film.toml").write_text(
        'title = "<script>alert(1)</script> & co"\nyear = 2020\nscore = 7\n'
        'verdict = "<img src=x onerror=alert(2)>"\n'
        'tags = ["\\"><svg onload=alert(3)>", "fine"]\n'
        'creators = ["<b onmouseover=alert(4)>Bold</b>"]\n'
        'where = "javascript:alert(5)"\nwatched = [2020-05-01]\n'
        "review = '''\n<script>alert(6)</script>\n\n[x](javascript:alert(7)) "
        "[d](data:text/html,hi) [ok](https://example.org/a?b=1&c=2)\n\n"
        "<img src=x onerror=alert(8)> ![pic](https://example.org/p.png)\n'''\n",
        encoding="utf-8",
    )


def test_nothing_from_the_journal_becomes_markup(
    invoke: Invoke, journal_dir: Path, tmp_path: Path
) -> None:
    hostile_journal(journal_dir)
    site = tmp_path / "site"
    export(invoke, site)
    names = pages(site)
    # Page names come from slugs only: an odd file name becomes a readable name and a hash.
    entry = [n for n in names if n.startswith("entries/")]
    assert len(entry) == 1 and re.fullmatch(r"entries/my-film-[0-9a-f]{8}\.html", entry[0])
    assert all(re.fullmatch(r"[a-z0-9./-]+", n) for n in names if n != MARKER), names
    for name, data in names.items():
        if not name.endswith(".html"):
            continue
        found = parsed(data)
        for tag, attrs in found.tags:
            # (The site's own charts are inline SVG; journal text never becomes a tag.)
            assert tag not in ("img", "b", "iframe", "object"), (name, tag)
            assert tag != "script" or name == "index.html", name
            for attribute, value in attrs.items():
                assert not attribute.startswith("on"), (name, tag, attribute)
                if attribute in ("href", "src"):
                    assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I) or (
                        tag == "link" and attrs.get("rel") == "icon"
                    ), (name, value)
    text = "".join(parsed(names[entry[0]]).text)
    for shown in ("<script>alert(1)</script> & co", "<img src=x onerror=alert(2)>",
                  "<script>alert(6)</script>", "javascript:alert(5)"):  # fmt: skip
        assert shown in text
    review = names[entry[0]].decode()
    assert 'href="https://example.org/a?b=1&amp;c=2"' in review


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org", True),
        ("mailto:me@example.org", True),
        ("other.html#x", True),
        ("#top", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("vbscript:x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_only_relative_and_web_links_survive(url: str, safe: bool) -> None:
    assert safe_link(url) is safe


def test_a_review_link_with_a_bad_scheme_is_text() -> None:
    render = review_renderer()
    html = render("[x](javascript:alert(1)) <b>bold</b> ![i](https://example.org/i.png)")
    assert 'href="javascript' not in html and "<b>" not in html and "<img" not in html
    assert "[x](javascript:alert(1))" in html
    # An image is never loaded: it stays a plain link to its address.
    assert '<a href="https://example.org/i.png">i</a>' in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Z9.,;:\"'()?/\n\u00a0é%$@{}^-")), max_size=60))
def test_plain_paragraphs_render_exactly_as_markdown_does(text: str) -> None:
    from markdown_it import MarkdownIt

    quick = plain_paragraphs(text)
    if quick is not None:
        parser = MarkdownIt("commonmark", {"html": False})
        assert quick == parser.render(text)


def test_markdown_reviews_are_rendered(invoke: Invoke, journal_dir: Path, tmp_path: Path) -> None:
    result = invoke(
        "add", "Paprika", "--year", "2006", "--score", "8", "--verdict", "Dreams.",
        "--watched", "2020-01-01",
    )  # fmt: skip
    assert result.exit_code == 0
    path = journal_dir / "paprika-2006.toml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "review = '''\nA *dream* with `code` and\n\n- a list\n'''\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    export(invoke, site)
    page = (site / "entries" / "paprika-2006.html").read_text(encoding="utf-8")
    assert "<em>dream</em>" in page and "<code>code</code>" in page and "<li>a list</li>" in page


def test_chart_labels_say_one_viewing_not_one_viewings(
    sample_journal: Path, invoke: Invoke, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    export(invoke, site)
    labels = [
        label
        for page in [site / "stats.html", *sorted((site / "years").glob("*.html"))]
        for label in re.findall(r"<title>([^<]*)</title>", page.read_text(encoding="utf-8"))
    ]
    assert any(label.endswith(": 1 viewing") for label in labels)
    assert not [label for label in labels if re.search(r"\b1 viewings\b", label)]
