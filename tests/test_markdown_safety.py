"""markdown_safety: reviews rendered by a CommonMark parser that trusts every link."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from watchbook.markdown_safety import safe_markdown


def links(markdown: str) -> list[str]:
    """Every link and image target the text renders to, read by a parser trusting any scheme."""
    # markdown-it-py refuses javascript: links by itself; other renderers do not.
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return [
        str(child.attrGet("href") or child.attrGet("src"))
        for token in parser.parse(markdown)
        for child in token.children or []
        if child.type in ("link_open", "image")
    ]


@pytest.mark.parametrize(
    "review",
    [
        "See [the trailer].\n\n> [the trailer]: javascript:alert(1)\n",
        "See [cast].\n\n- [cast]: javascript:alert(2)\n",
        "See [more][multi line].\n\n[multi\nline]: javascript:alert(3)\n",
        # The destination on the next line, behind the quote's marker.
        "See [x].\n\n> [x]:\n> javascript:alert(4)\n",
        "See [x].\n\n> - [x]:\n>   <javascript:alert(5)>\n",
        "See [x].\n\n1. > [x]: JaVaScRiPt&#58;alert(6)\n",
        "See [x].\n\n[x]:\n   data:text/html,hi\n",
    ],
)
def test_an_unsafe_definition_is_unlinked_wherever_it_sits(review: str) -> None:
    assert links(review), "the review links before it is made safe"
    made_safe = safe_markdown(review)
    assert links(made_safe) == []
    assert safe_markdown(made_safe) == made_safe


@pytest.mark.parametrize(
    ("review", "href"),
    [
        ("See [x].\n\n> [x]: https://example.org\n", "https://example.org"),
        ("See [x].\n\n- [x]: other-2000.md\n", "other-2000.md"),
        ("See [more][multi line].\n\n[multi\nline]: <#notes>\n", "#notes"),
        ("See [x].\n\n[x]:\n  mailto:me@example.org\n", "mailto:me@example.org"),
    ],
)
def test_a_safe_definition_stays_a_link(review: str, href: str) -> None:
    made_safe = safe_markdown(review)
    assert made_safe == review
    assert links(made_safe) == [href]


@pytest.mark.parametrize(
    ("review", "kept"),
    [
        ("x](y [click](javascript:alert(1))", []),
        ("See ](notes and ![pixel](data:image/png;base64,AA) here.", []),
        ("A [note](x.md) then ](y and [b](javascript:alert(3))", ["x.md"]),
    ],
)
def test_an_unsafe_inline_link_after_a_stray_bracket_is_unlinked(
    review: str, kept: list[str]
) -> None:
    # A '](' earlier on the line used to hide the links after it on that line.
    assert len(links(review)) > len(kept), "the review links before it is made safe"
    made_safe = safe_markdown(review)
    assert links(made_safe) == kept
    assert safe_markdown(made_safe) == made_safe
