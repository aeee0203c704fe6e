"""The docs cannot drift: every console example runs and prints what it shows.

When one fails, run `make docs` (`.venv/bin/python tests/doc_examples.py --update`) and review
the diff it makes to the docs.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.doc_examples import DOCS, ROOT, blocks, matches, refreshed, run_file
from watchbook.validation import entry_from_dict

HINT = (
    "\n\nIf the new output is right: make docs (tests/doc_examples.py --update), review the diff."
)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_console_example_prints_what_it_shows(path: Path) -> None:
    problems = run_file(path)
    assert not problems, "\n\n".join(str(p) for p in problems) + HINT


def test_the_docs_have_examples_and_each_one_runs_a_command() -> None:
    found = {path.name: blocks(path.read_text(encoding="utf-8")) for path in DOCS}
    assert len(found["README.md"]) >= 10
    assert all(block.commands for each in found.values() for block in each)


def test_a_dotted_line_stands_for_any_lines_and_nothing_else() -> None:
    printed = ["a", "b", "c", "d"]
    assert matches(["a", "...", "d"], printed)
    assert matches(["...", "b", "c", "..."], printed)
    assert matches(["a", "b", "c", "d", "..."], printed)
    assert not matches(["a", "...", "c"], printed)
    assert not matches(["a", "b"], printed)
    assert not matches(["a", "b ..."], ["a", "b c"])


def test_an_update_keeps_the_elisions_that_still_fit() -> None:
    printed = ["head", "x", "kept", "y", "tail", "z"]
    assert refreshed(["head", "...", "kept", "...", "old tail"], printed) == [
        "head", "...", "kept", "...", "z",
    ]  # fmt: skip
    assert refreshed(["head", "..."], printed) == ["head", "..."]
    assert refreshed(["old"], printed) == printed


def test_the_entry_examples_of_the_format_doc_are_valid_entries() -> None:
    text = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    examples = [part.split("```", 1)[0] for part in text.split("```toml\n")[1:]]
    assert len(examples) >= 2
    for example in examples:
        data = tomllib.loads(example)
        entry_from_dict({"title": "Example", **data})


def test_the_index_doc_names_the_schema_version_in_use() -> None:
    from watchbook.index.schema import SCHEMA_VERSION

    text = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"(schema version {SCHEMA_VERSION})" in text
