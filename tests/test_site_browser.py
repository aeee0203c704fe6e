"""The HTML site in a real browser: headless Chromium (Debian's package) through Playwright.

Every page of the sample journal's site loads from file:// without a console error or a failed
request, every link and anchor resolves (read from the DOM), the index sorts and filters by its
script and is complete without it, hostile reviews never run, and screenshots at phone and
desktop widths are not blank. The same checks run on a generated 1,000-entry journal (a sample
of its pages; all of them with WATCHBOOK_SLOW=1).

Without Chromium or Playwright these tests are skipped with a one-line reason; README.md says
how to run them (`apt-get install chromium`, then `make test`).
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from tests.conftest import SAMPLE_JOURNAL, Invoke

CHROMIUM = os.environ.get("WATCHBOOK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# A fresh profile, no sandbox (root in CI), and nothing that talks to the network by itself.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SLOW = os.environ.get("WATCHBOOK_SLOW", "") not in ("", "0")
ROOT = Path(__file__).resolve().parents[1]


def _missing() -> str:
    if not Path(CHROMIUM).exists():
        return "no Chromium here (apt-get install chromium, or set WATCHBOOK_CHROMIUM)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return ""


pytestmark = pytest.mark.skipif(bool(_missing()), reason=_missing() or "ready")

HOSTILE_REVIEW = """\
<script>document.title='pwned'</script>

<img src=x onerror="document.title='pwned by img'">

[x](javascript:alert(1)) and [y](data:text/html,<script>alert(1)</script>) and
[z](JaVaScRiPt:alert(1)) and <a href="javascript:alert(2)">raw</a>.

Plain words stay.
"""


class Browser:
    """Two Chromium profiles (JavaScript on and off) and what the pages they open report."""

    def __init__(self, folder: Path) -> None:
        from playwright.sync_api import sync_playwright

        self._driver = sync_playwright().start()
        self.with_js = self._launch(folder / "profile-js", True)
        self.without_js = self._launch(folder / "profile-no-js", False)
        self.problems: list[str] = []

    def _launch(self, profile: Path, javascript: bool) -> Any:
        return self._driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
            java_script_enabled=javascript,
            viewport={"width": 1280, "height": 900},
        )

    def page(self, javascript: bool = True) -> Any:
        """A new tab that records console errors, page errors, failed requests and dialogs."""
        context = self.with_js if javascript else self.without_js
        page = context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"failed request: {r.url} {r.failure}"),
        )
        page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        return page

    def close(self) -> None:
        self.with_js.close()
        self.without_js.close()
        self._driver.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    opened = Browser(tmp_path_factory.mktemp("chromium"))
    try:
        yield opened
    finally:
        opened.close()


def export_site(invoke: Invoke, journal: Path, out: Path, *flags: str) -> Path:
    result = invoke(
        "--journal", str(journal), "export", "--format", "html", "--out", str(out), *flags
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def sample_site(invoke: Invoke, tmp_path: Path) -> Path:
    journal = tmp_path / "sample"
    shutil.copytree(SAMPLE_JOURNAL, journal, ignore=shutil.ignore_patterns(".watchbook"))
    return export_site(invoke, journal, tmp_path / "site")


def crawl(browser: Browser, site: Path, pages: list[Path]) -> dict[str, set[str]]:
    """Open each page; check its links and resources from the DOM; return the ids of each page."""
    site = site.resolve()
    page = browser.page()
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str, str]] = []
    for path in pages:
        url = path.resolve().as_uri()
        page.goto(url, wait_until="load")
        found = page.evaluate(
            """() => ({
                ids: Array.from(document.querySelectorAll('[id]'), e => e.id),
                links: Array.from(document.querySelectorAll('a[href]'), e => e.href),
                resources: Array.from(
                    document.querySelectorAll('link[href]:not([rel=icon]), script[src], img[src]'),
                    e => e.href || e.src),
            })"""
        )
        ids[url] = set(found["ids"])
        for link in found["links"]:
            target, fragment = urldefrag(link)
            anchors.append((url, target, fragment))
        for resource in found["resources"]:
            assert resource.startswith("file://"), f"{url} loads {resource}"
    page.close()
    for source, target, fragment in anchors:
        scheme = urlparse(target).scheme
        if scheme in ("http", "https", "mailto"):
            continue
        assert scheme == "file", f"{source} links to {target}"
        local = Path(unquote(urlparse(target).path))
        assert local.is_file(), f"{source} links to a missing page {target}"
        assert local.resolve().is_relative_to(site), f"{source} leaves the site: {target}"
        if fragment:
            known = ids.get(local.resolve().as_uri())
            if known is None:
                # A page outside the crawled sample: open it for its ids.
                known = crawl(browser, site, [local])[local.resolve().as_uri()]
                ids[local.resolve().as_uri()] = known
            assert fragment in known, f"{source} links to a missing anchor #{fragment} of {target}"
    return ids


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_of_the_sample_site_loads_and_every_link_resolves(
    browser: Browser, sample_site: Path
) -> None:
    pages = html_pages(sample_site)
    assert len(pages) > 40
    browser.problems.clear()
    crawl(browser, sample_site, pages)
    assert browser.problems == []


def rows_of(page: Any) -> list[list[str]]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#entries tbody tr'))
            .filter(r => !r.hidden)
            .map(r => Array.from(r.cells, c => c.getAttribute('data-value') ?? c.textContent))"""
    )


def test_the_index_sorts_and_filters_with_its_script(browser: Browser, sample_site: Path) -> None:
    browser.problems.clear()
    page = browser.page()
    page.goto((sample_site / "index.html").as_uri())
    titles = [row[0] for row in rows_of(page)]
    assert len(titles) == 11
    page.get_by_role("button", name="Score").click()
    scores = [row[4] for row in rows_of(page)]
    given = [float(s) for s in scores if s]
    assert given == sorted(given) and scores[len(given) :] == [""] * (len(scores) - len(given))
    page.get_by_role("button", name="Score").click()
    given = [float(s) for s in (row[4] for row in rows_of(page)) if s]
    assert given == sorted(given, reverse=True)
    assert page.get_attribute("th:nth-child(5)", "aria-sort") == "descending"
    page.get_by_role("button", name="Year").click()
    years = [int(row[1]) for row in rows_of(page)]
    assert years == sorted(years)
    page.fill("#filter", "sidonia")
    shown = rows_of(page)
    assert sorted(row[0] for row in shown) == [
        "Knights of Sidonia",
        "Knights of Sidonia: Battle for Planet Nine",
    ]
    assert page.text_content("#shown") == "2 of 11 shown"
    page.fill("#filter", "")
    assert len(rows_of(page)) == 11
    page.close()
    assert browser.problems == []


def test_without_javascript_the_index_is_complete(browser: Browser, sample_site: Path) -> None:
    browser.problems.clear()
    page = browser.page(javascript=False)
    page.goto((sample_site / "index.html").as_uri())
    rows = rows_of_static(page)
    files = sorted((SAMPLE_JOURNAL).glob("*.toml"))
    assert len(rows) == len(files)
    assert "Blame!" in [row[0] for row in rows]
    assert page.is_hidden("#filter-box")
    # Headers are plain text: the script that turns them into buttons did not run.
    assert page.locator("th button").count() == 0
    page.close()
    assert browser.problems == []


def rows_of_static(page: Any) -> list[list[str]]:
    cells = page.locator("#entries tbody tr")
    return [cells.nth(i).locator("td").all_inner_texts() for i in range(cells.count())]


def test_a_hostile_review_does_not_run_and_shows_as_text(
    browser: Browser, invoke: Invoke, tmp_path: Path
) -> None:
    journal = tmp_path / "hostile"
    journal.mkdir()
    (journal / "bad-2020.toml").write_text(
        "title = \"<script>document.title='pwned title'</script>\"\nyear = 2020\n"
        'tags = ["\\"><img src=x onerror=alert(3)>"]\nwatched = [2020-01-02]\n'
        f"review = '''\n{HOSTILE_REVIEW}'''\n",
        encoding="utf-8",
    )
    site = export_site(invoke, journal, tmp_path / "site")
    browser.problems.clear()
    page = browser.page()
    for path in html_pages(site):
        page.goto(path.as_uri())
        # Each attack would set the title to its words alone.
        assert page.title().endswith(" · Watch journal"), page.title()
        assert page.locator("img").count() == 0
        assert (
            page.evaluate(
                "() => Array.from(document.querySelectorAll('a[href]'))"
                ".filter(a => !/^(file|https?|mailto):/.test(a.href)).map(a => a.href)"
            )
            == []
        )
        scripts = page.locator("script").count()
        assert scripts == (1 if path.name == "index.html" else 0)
    page.goto(next(site.glob("entries/*.html")).as_uri())
    text = page.inner_text(".review")
    assert "<script>document.title='pwned'</script>" in text
    assert "<img src=x onerror=" in text
    assert "Plain words stay." in text
    assert page.inner_text("h1").startswith("<script>document.title='pwned title'</script>")
    page.close()
    assert [p for p in browser.problems if "dialog" in p or "page error" in p] == []


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_screenshots_at_phone_and_desktop_widths(
    browser: Browser, sample_site: Path, tmp_path: Path
) -> None:
    shots = tmp_path / "screenshots"
    shots.mkdir()
    browser.problems.clear()
    page = browser.page()
    for name in ("index.html", "entries/blame-2017.html", "stats.html", "years/2015.html"):
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto((sample_site / name).as_uri())
            # Nothing wider than the screen: a phone scrolls down, never sideways.
            assert page.evaluate("() => document.documentElement.scrollWidth") <= width, name
            target = shots / f"{name.replace('/', '-')[:-5]}-{width}.png"
            page.screenshot(path=str(target), full_page=True)
            shot_width, shot_height = png_size(target)
            assert shot_width == width and shot_height >= 400
            # A blank page compresses to a few hundred bytes.
            assert target.stat().st_size > 15_000, target
    # The same stylesheet in a dark colour scheme: dark background, light text.
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto((sample_site / "years/2015.html").as_uri())
    colours = page.evaluate(
        "() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    assert colours == ["rgb(20, 21, 24)", "rgb(232, 230, 225)"]
    page.screenshot(path=str(shots / "years-2015-1280-dark.png"), full_page=True)
    page.close()
    assert browser.problems == []


def test_the_site_of_a_1000_entry_journal(browser: Browser, invoke: Invoke, tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from corpus import write_journal
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    journal = tmp_path / "journal-1000"
    write_journal(journal, 1000, seed=11, planned=50, reviews=True)
    site = export_site(invoke, journal, tmp_path / "site", "--no-recommended")
    pages = html_pages(site)
    entry_pages = [p for p in pages if p.parent.name == "entries"]
    assert len(entry_pages) == 1000
    others = [p for p in pages if p.parent.name != "entries"]
    # Every page with WATCHBOOK_SLOW=1; else the top pages, every 50th entry and 25th other page.
    chosen = pages if SLOW else [*others[::25], *entry_pages[::50]]
    if not SLOW:
        chosen += [p for p in others if p.parent == site]
    browser.problems.clear()
    crawl(browser, site, sorted(set(chosen)))
    page = browser.page()
    page.goto((site / "index.html").as_uri())
    assert len(rows_of(page)) == 1000
    page.get_by_role("button", name="Title").click()
    page.fill("#filter", "tokyo")
    shown = rows_of(page)
    assert 0 < len(shown) < 1000
    assert all("tokyo" in " ".join(row).lower() for row in shown)
    page.close()
    assert browser.problems == []
