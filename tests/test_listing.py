"""The journal folder's listing: which folder, which files, and how two listings differ."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from watchbook.listing import ENV_VAR, journal_folder, scan_folder


def write_entries(folder: Path, *slugs: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        (folder / f"{slug}.toml").write_text(f'title = "{slug}"\n', encoding="utf-8")


def test_journal_folder_follows_the_documented_order(tmp_path: Path) -> None:
    env = {ENV_VAR: "~/from-env"}
    assert journal_folder("~/mine", env, str(tmp_path)) == (
        os.path.expanduser("~/mine"),
        "--journal",
    )
    assert journal_folder(None, env, str(tmp_path))[0] == os.path.expanduser("~/from-env")
    (tmp_path / "journal").mkdir()
    assert journal_folder(None, {}, str(tmp_path))[0] == str(tmp_path / "journal")


def test_scan_folder_lists_entry_files_only(tmp_path: Path) -> None:
    write_entries(tmp_path, "akira-1988", "blame-2017")
    (tmp_path / ".hidden.toml").write_text("", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    listing = scan_folder(tmp_path)
    assert sorted(listing) == ["akira-1988.toml", "blame-2017.toml"]
    size = (tmp_path / "akira-1988.toml").stat().st_size
    assert listing["akira-1988.toml"][0] == size
    assert scan_folder(tmp_path / "missing") == {}


def test_listing_changes_find_what_a_plain_comparison_finds() -> None:
    from watchbook.listing import (
        CHUNK,
        listing_bytes,
        listing_changes,
        listing_files,
        listing_pieces,
        patched_pieces,
        split_listing,
    )

    draw = random.Random(5)
    for size in (0, 1, CHUNK - 1, CHUNK, 3 * CHUNK + 7):
        before = {
            f"entry-{i:05d}.toml": (draw.randrange(900, 3000), 10**18 + i) for i in range(size)
        }
        for _ in range(20):
            after = dict(before)
            names = list(after)
            for name in draw.sample(names, min(len(names), draw.randrange(4))):
                after[name] = (after[name][0] + 1, after[name][1])  # edited
            for name in draw.sample(names, min(len(names), draw.randrange(3))):
                del after[name]  # removed
            for n in range(draw.randrange(3)):
                after[f"new-{n}-{draw.random()}.toml"] = (10, 20)  # added
            if draw.random() < 0.3:
                after = dict(draw.sample(list(after.items()), len(after)))  # another order
            new = listing_bytes(after)
            assert listing_files(new) == after and list(listing_files(new)) == list(after)
            assert listing_pieces(new) == (len(after), split_listing(after))
            changes = listing_changes(split_listing(before), split_listing(after))
            assert changes.changed == {n: s for n, s in after.items() if before.get(n) != s}
            assert changes.removed == before.keys() - after.keys()
            marks = {name: (-1, stat[1]) for name, stat in changes.changed.items()}
            patched = {n: marks.get(n, s) for n, s in after.items()}
            assert patched_pieces(split_listing(after), marks, changes.pieces) == split_listing(
                patched
            )


def test_a_damaged_listing_is_a_value_error() -> None:
    from watchbook.listing import listing_bytes, listing_changes, listing_files, split_listing

    good = listing_bytes({"a.toml": (1, 2)})
    for bad in (b"", b"\x00", good[:-3], b"i\x01\x00\x00\x00"):
        with pytest.raises(ValueError):
            listing_files(bad)
        with pytest.raises(ValueError):
            listing_changes(split_listing({"a.toml": (1, 2)}), [bad])


def test_without_pieces_the_listing_is_one_piece_and_changes_are_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from watchbook.listing import (
        CHUNK,
        listing_bytes,
        listing_changes,
        listing_files,
        split_listing,
    )

    before = {f"entry-{i:05d}.toml": (1000 + i, 10**18 + i) for i in range(3 * CHUNK)}
    after = {**before, "entry-00007.toml": (1, 2), "added.toml": (3, 4)}
    del after["entry-00100.toml"]
    pieced = listing_changes(split_listing(before), split_listing(after))
    monkeypatch.setenv("WATCHBOOK_OFF", "listing-pieces")
    assert len(split_listing(after)) == 1
    assert listing_files(listing_bytes(after)) == after
    whole = listing_changes(split_listing(before), split_listing(after))
    assert (whole.changed, whole.removed) == (pieced.changed, pieced.removed)
    assert set(whole.pieces.values()) == {0}


def test_a_file_that_cannot_be_statted_is_listed_as_unreadable(tmp_path: Path) -> None:
    write_entries(tmp_path, "akira-1988")
    (tmp_path / "gone.toml").symlink_to(tmp_path / "nowhere")
    listing = scan_folder(tmp_path)
    assert listing["gone.toml"] == (-1, -1)
    assert listing["akira-1988.toml"][0] > 0
