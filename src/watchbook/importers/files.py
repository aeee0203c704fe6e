"""Reading export files safely: size limits, zip members, gzip, text decoding, CSV rows, dates."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from watchbook.errors import UnreadableImport
from watchbook.text import has_control_chars

if TYPE_CHECKING:
    from zipfile import ZipInfo

# Far above any real export (a 10,000-film Letterboxd history with long reviews is a few MB),
# far below what would exhaust memory: a zip or gzip member that expands past it is refused.
MAX_INPUT_BYTES = 200 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YEAR = re.compile(r"^\s*(\d{4})")
# A lead byte and its continuation bytes (overlong forms and surrogates are weeded out by
# decoding the match).
_UTF8_CHAR = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def shown(text: str, limit: int = 200) -> str:
    """Text from an export made safe to print: control characters escaped, length capped."""
    if len(text) > limit:
        text = text[:limit] + "…"
    if has_control_chars(text):
        text = "".join(ascii(ch)[1:-1] if has_control_chars(ch) else ch for ch in text)
    return text


def check_regular(path: Path) -> None:
    """UnreadableImport unless the path is an existing regular file (a FIFO would block)."""
    check_exists(path)
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise UnreadableImport(shown(str(path)), f"cannot be read: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise UnreadableImport(shown(str(path)), "is not a regular file")


@dataclass
class Source:
    """The bytes of one file to import, with a name for messages."""

    name: str
    data: bytes


@dataclass
class ZipContents:
    """The members of a zip that were read, and the ones left alone (with why)."""

    members: dict[str, Source] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)


class TooLarge(UnreadableImport):
    """A file or zip member past MAX_INPUT_BYTES (an importer may leave out just that file)."""


def too_big(name: str, size: int) -> UnreadableImport:
    """The error for a file or member past MAX_INPUT_BYTES."""
    return TooLarge(
        name,
        f"would be {size:,} bytes once read; the limit is {MAX_INPUT_BYTES:,}, "
        "so it is not a plain export (nothing was imported)",
    )


def check_exists(path: Path) -> None:
    """UnreadableImport unless the path exists (as a file or folder)."""
    if not path.exists():
        raise UnreadableImport(shown(str(path)), "no such file or folder")


def read_file(path: Path) -> Source:
    """A regular file's bytes, refused if larger than MAX_INPUT_BYTES; gzip is expanded."""
    check_regular(path)
    size = path.stat().st_size
    if size > MAX_INPUT_BYTES:
        raise too_big(shown(str(path)), size)
    try:
        with path.open("rb") as handle:
            # Bounded even if the file grows between the size check and the read.
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise UnreadableImport(shown(str(path)), f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_INPUT_BYTES:
        raise too_big(shown(str(path)), len(data))
    if data.startswith(GZIP_MAGIC):
        data = gunzip(data, path.name)
    return Source(shown(path.name), data)


def one_export_file(path: Path, names: Sequence[str], export: str) -> dict[str, Source]:
    """An export given as one of its files (by name), or UnreadableImport saying what to give."""
    if path.name in names:
        return {path.name: read_file(path)}
    listed = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    raise UnreadableImport(
        shown(str(path)),
        f"is not a {export} export: give the .zip as downloaded, the folder it unpacks to, "
        f"or one of its files ({listed})",
    )


def gunzip(data: bytes, name: str) -> bytes:
    """Expand gzip data, refusing (not truncating) anything that grows past MAX_INPUT_BYTES."""
    import gzip
    import io
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            expanded = stream.read(MAX_INPUT_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableImport(name, f"is not valid gzip data ({exc})") from None
    if len(expanded) > MAX_INPUT_BYTES:
        raise too_big(name, len(expanded))
    return expanded


def is_zip(path: Path) -> bool:
    """True when the path is a regular file that starts like a zip archive, whatever its name."""
    check_regular(path)
    try:
        with path.open("rb") as handle:
            return handle.read(4) == ZIP_MAGIC
    except OSError:
        return False


def unsafe_member_name(name: str) -> str | None:
    """Why a zip member name must not be used (absolute, '..', backslash, drive), or None."""
    if "\x00" in name or "\\" in name:
        return "its name holds a backslash or NUL"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "its name is an absolute path"
    if ".." in PurePosixPath(name).parts:
        return "its name leaves the archive's folder"
    return None


def read_zip(path: Path, wanted: Sequence[str]) -> ZipContents:
    """Read the members named in `wanted` (top level, or inside one wrapping folder)."""
    # Members with unsafe names are never used, whatever they are called; members that are links
    # are skipped; a wanted member that would expand past MAX_INPUT_BYTES is refused. Nothing is
    # ever extracted to disk.
    import zipfile

    contents = ZipContents()
    try:
        archive = zipfile.ZipFile(path)
    except zip_errors() as exc:
        raise UnreadableImport(
            shown(str(path)), f"is not a readable zip archive ({shown(str(exc))})"
        ) from None
    with archive:
        infos = archive.infolist()
        usable: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            why = unsafe_member_name(info.filename)
            if why is None and stat.S_ISLNK(info.external_attr >> 16):
                why = "it is a symbolic link"
            if why:
                contents.ignored.append(f"{shown(repr(info.filename))} ({why})")
            elif not info.is_dir() and not _hidden(info.filename):
                usable[info.filename] = info
        chosen = _pick_members(usable, wanted)
        for name, info in chosen.items():
            if info.file_size > MAX_INPUT_BYTES:
                raise too_big(shown(f"{path.name}: {info.filename}"), info.file_size)
            try:
                with archive.open(info) as stream:
                    data = stream.read(MAX_INPUT_BYTES + 1)
            except zip_errors() as exc:
                raise UnreadableImport(
                    shown(f"{path.name}: {info.filename}"), f"cannot be read ({shown(str(exc))})"
                ) from None
            if len(data) > MAX_INPUT_BYTES:
                raise too_big(shown(f"{path.name}: {info.filename}"), len(data))
            contents.members[name] = Source(name, data)
    return contents


def zip_errors() -> tuple[type[Exception], ...]:
    """What zipfile raises for a damaged archive or member, whatever its compression."""
    # A flipped byte in compressed data surfaces as the decompressor's own error (zlib.error,
    # LZMAError; bz2 says OSError), sizes that run past the end as EOFError, and an unknown
    # zip version or compression method as NotImplementedError.
    import zipfile
    import zlib

    errors: list[type[Exception]] = [
        zipfile.BadZipFile,
        RuntimeError,
        NotImplementedError,
        OSError,
        EOFError,
        zlib.error,
    ]
    with contextlib.suppress(ImportError):  # Python may be built without lzma
        import lzma

        errors.append(lzma.LZMAError)
    return tuple(errors)


def _hidden(name: str) -> bool:
    """True for a member no export holds: macOS's __MACOSX/ copies and hidden (dot) files."""
    # Zipping a folder again on macOS adds __MACOSX/<folder>/._<file> (AppleDouble resource
    # data) and .DS_Store beside the export's files; counted, they would look like a second
    # folder and the export would not be found.
    parts = PurePosixPath(name).parts
    return bool(parts) and (parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts))


def _pick_members(usable: dict[str, ZipInfo], wanted: Sequence[str]) -> dict[str, ZipInfo]:
    """Wanted names at the top level; failing that, inside the one folder everything is in."""
    top = {name: usable[name] for name in wanted if name in usable}
    if top:
        return top
    folders = {PurePosixPath(name).parts[0] for name in usable if "/" in name}
    if len(folders) != 1 or any("/" not in name for name in usable):
        return {}
    (folder,) = folders
    return {name: usable[f"{folder}/{name}"] for name in wanted if f"{folder}/{name}" in usable}


def decode_text(source: Source) -> tuple[str, str | None]:
    """The text of a file and, when it was not UTF-8, a note saying how it was read."""
    # Exports are UTF-8 (with or without a byte-order mark), except IMDb's older CSVs, which are
    # Windows-1252 (Latin-1): those are decoded as such and the report says so.
    data = source.data
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), f"{source.name} is UTF-16 text; read as such"
        except UnicodeDecodeError:
            raise UnreadableImport(source.name, "is not valid UTF-16 text") from None
    if b"\x00" in data[:65536]:
        raise UnreadableImport(
            source.name, "holds NUL bytes, so it is not a text export (is it the right file?)"
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    utf8_line = None if bom else _utf8_char_line(data)
    if bom or utf8_line:
        # UTF-8 with a line in another encoding (typed into it by hand): read as Windows-1252,
        # every accented title elsewhere would be garbled into a duplicate entry; read as UTF-8,
        # that line's title would be. Refused, naming the lines to fix.
        bad = [n for n, line in enumerate(data.split(b"\n"), 1) if not _is_utf8(line)]
        more = f" (and {len(bad) - 1} more line{'s' if len(bad) > 2 else ''})" if bad[1:] else ""
        found = "it starts with a UTF-8 byte-order mark" if bom else f"line {utf8_line} is"
        raise UnreadableImport(
            source.name,
            f"line {bad[0]}: is not UTF-8 text (byte 0x{data[first_bad]:02x}){more}, but {found}, "
            f"so the file mixes two encodings; retype {'those lines' if more else 'that line'} "
            "as UTF-8 and import again",
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableImport(
            source.name,
            f"line {line}: is neither UTF-8 nor Windows-1252 text (byte 0x{data[exc.start]:02x}); "
            "save it as UTF-8 and import again",
        ) from None
    line = data[:first_bad].count(b"\n") + 1
    return text, (
        f"{source.name} is not UTF-8 (first at line {line}); read it as Windows-1252 (Latin-1)"
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8_char_line(data: bytes) -> int | None:
    """The line of the first well-formed multi-byte UTF-8 character in the data, or None."""
    # Windows-1252 text almost never holds one by chance: that takes an accented capital
    # followed by a symbol such as ’ or ©, or a lowercase accented letter by two of them.
    for match in _UTF8_CHAR.finditer(data):
        if _is_utf8(match.group()):
            return data.count(b"\n", 0, match.start()) + 1
    return None


@dataclass
class CsvRow:
    """One record of a CSV file: the line it starts on and its cells by column name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """A cell's text, stripped; '' when the column is absent or empty."""
        return (self.cells.get(column) or "").strip()


@dataclass
class CsvProblem:
    """A record that could not be split into the header's columns."""

    line: int
    reason: str


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    import csv

    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, limit))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class _Lines:
    """A text's physical lines, handed to the csv module one by one; reading can go back."""

    def __init__(self, text: str) -> None:
        import io

        # Split as the csv module's own StringIO input was: at LF, CR LF and a lone CR.
        self.lines = list(io.StringIO(text, newline=""))
        self.read = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.read >= len(self.lines):
            raise StopIteration
        self.read += 1
        return self.lines[self.read - 1]


def read_csv(
    text: str, name: str, required: Sequence[str]
) -> tuple[list[str], list[CsvRow | CsvProblem]]:
    """The header and every record of a CSV export, read by column name."""
    # A record with the wrong number of cells, or that the csv module cannot split, becomes a
    # CsvProblem with its line number so the importer can report and skip it. A header that lacks a
    # required column raises UnreadableImport: the file is not the export it should be.
    import csv

    lines = _Lines(text)
    # No cell can be longer than the file. A smaller limit (the csv module's own is 128 KiB)
    # makes the reader give up inside a long quoted cell and lose its place: every row after it
    # was read wrong. A cell too long for an entry is refused with its row instead.
    with _field_limit(len(text) + 1):
        reader = csv.reader(lines)
        try:
            header = [cell.strip() for cell in next(reader, [])]
        except csv.Error as exc:
            raise UnreadableImport(name, f"line 1: not a CSV header ({exc})") from None
        missing = [column for column in required if column not in header]
        if missing:
            found = shown(", ".join(header[:12])) or "nothing"
            columns = ", ".join(repr(m) for m in missing)
            raise UnreadableImport(
                name,
                f"lacks the column{'s' if len(missing) > 1 else ''} {columns}, so it is not the "
                f"export expected here (its first line holds: {found})",
            )
        rows: list[CsvRow | CsvProblem] = []
        while True:
            start = lines.read + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problem = f"cannot be read as CSV ({shown(str(exc))})"
            else:
                if not cells or cells == [""]:
                    continue
                if len(cells) == len(header):
                    rows.append(CsvRow(start, dict(zip(header, cells, strict=True))))
                    continue
                problem = f"has {len(cells)} cells where the header has {len(header)}"
            if lines.read > start:
                # A quote left open (`2019-01-02,"The Bourne Legacy,2012,...`) runs on to the
                # next quote in the file, maybe hundreds of rows later, taking every row between
                # into this broken record. Only this line is lost: reading starts again at the
                # next line (the csv module starts each record afresh).
                problem += (
                    f": a quote opened on this line runs on to line {lines.read}; "
                    "the lines after it are read on their own"
                )
                lines.read = start
            rows.append(CsvProblem(start, problem))
    return header, rows


def parse_export_date(text: str) -> dt.date | None:
    """'2021-01-02' or US-style '1/2/2021' (month first); '' is None; anything else ValueError."""
    text = text.strip()
    if not text:
        return None
    match = _US_DATE.match(text)
    if match:
        month, day, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text[:10])


def parse_year(text: str) -> int | None:
    """The year at the start of a cell ('2019', '2019-2021'); '' is None; else ValueError."""
    if not text.strip():
        return None
    match = _YEAR.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a year")
    return int(match.group(1))
