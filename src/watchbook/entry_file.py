"""An entry file's text: the TOML watchbook writes, and reading and checking what a person wrote."""

from __future__ import annotations

import re
from typing import Any

from watchbook.entry import SCALAR_ORDER, Entry
from watchbook.errors import InvalidFile, InvalidValue
from watchbook.validation import entry_from_dict

# An entry file bigger than this is refused, read or written (a long review is some 50 KB).
MAX_FILE_BYTES = 2 * 1024 * 1024
# Compiled by `re` when first used: only a file that does not parse needs it.
_TOML_LINE = r"line (\d+)"
# What a literal string may not hold (TOML 1.0): control characters other than tab and newline.
_NOT_LITERAL = r"[\x00-\x08\x0b-\x1f\x7f]"


def dump_entry(entry: Entry) -> str:
    """The TOML text of an entry file: short lists on one line, the review as a multi-line string."""
    import tomli_w

    plain: list[str] = []
    tables: list[str] = []
    for key, value in entry.to_dict().items():
        name = _key_text(key)
        text = tomli_w.dumps({key: value}, multiline_strings=True)
        if isinstance(value, list) and value and not any(isinstance(v, dict | list) for v in value):
            # tomli-w puts every array item on its own line; one line reads and diffs better.
            inline = f"{name} = [{', '.join(map(_value_text, value))}]"
            if len(inline) <= 100:
                text = inline + "\n"
        elif isinstance(value, str) and _literal_block(value):
            # A literal multi-line string needs no escapes, so a review reads as it was written.
            text = f"{name} = '''\n{value}'''\n"
        elif isinstance(value, dict) and key in SCALAR_ORDER and _flat_table(value):
            # A known key holding a table (`progress`) stays one line among the plain keys,
            # however long (tomli-w would make a long one a table of its own).
            pairs = ", ".join(f"{_key_text(k)} = {_value_text(v)}" for k, v in value.items())
            text = f"{name} = {{ {pairs} }}\n" if pairs else f"{name} = {{}}\n"
        elif (
            isinstance(value, list)
            and value
            and all(_flat_table(v) for v in value)
            and key not in SCALAR_ORDER
        ):
            # `watched` stays a plain key even when every viewing is a table (inline, one a line).
            text = "\n".join(
                f"[[{name}]]\n" + tomli_w.dumps(v, multiline_strings=True) for v in value
            )
        # Anything tomli-w wrote as a [table] must come after every plain key.
        (tables if text.startswith("[") else plain).append(text)
    return "\n".join(["".join(plain), *tables]) if tables else "".join(plain)


def _key_text(key: str) -> str:
    """A key as TOML writes it (quoted when it must be: `"a = b"`)."""
    import tomli_w

    return tomli_w.dumps({key: 0})[: -len(" = 0\n")]


def _value_text(value: object) -> str:
    """A value as TOML writes it on one line (a string's line breaks escaped)."""
    import tomli_w

    return tomli_w.dumps({"v": value})[len("v = ") : -1]


def _literal_block(value: str) -> bool:
    """Whether a string can be written as a multi-line literal string, as it is."""
    # Such a string holds no escapes: no carriage return, no control character but the tab and
    # the line break, and never its own closing quotes.
    return "\n" in value and "'''" not in value and not re.search(_NOT_LITERAL, value)


def _flat_table(value: object) -> bool:
    return isinstance(value, dict) and not any(isinstance(v, dict | list) for v in value.values())


def toml_reader() -> Any:
    """tomli when installed, else the standard library's tomllib."""
    # tomli is the parser tomllib was made from, compiled: about twice as fast, which counts
    # when a big journal is indexed.
    # Imported only when a file is read: a warm command reads none.
    try:
        import tomli
    except ImportError:
        import tomllib

        return tomllib
    return tomli


def parse_entry(text: str, slug: str, name: str) -> Entry:
    """Parse and validate an entry file's text; InvalidFile names the file and line."""
    toml = toml_reader()
    try:
        data = toml.loads(text)
    except RecursionError:
        # Both parsers refuse arrays and inline tables nested too deeply this way.
        raise InvalidFile(name, "not valid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:
        if not isinstance(exc, toml.TOMLDecodeError):
            # Python refuses to convert integers of more than 4300 digits.
            raise InvalidFile(name, "not valid TOML: holds a number too long to read") from None
        match = re.search(_TOML_LINE, str(exc))
        raise InvalidFile(
            name, f"not valid TOML: {exc}", int(match.group(1)) if match else None
        ) from None
    try:
        return entry_from_dict(data, slug)
    except InvalidValue as exc:
        raise InvalidFile(name, str(exc), _line_of_key(text, exc.field.split(".")[0])) from None


def _line_of_key(text: str, key: str) -> int | None:
    """The line a top-level key (bare or quoted) is written on, outside multi-line strings."""
    name = re.escape(key)
    pattern = re.compile(rf"""^\s*\[*\s*(?:{name}|"{name}"|'{name}')\s*[=\].]""")
    inside = None  # the quotes of the multi-line string a line is in
    for number, line in enumerate(text.splitlines(), start=1):
        if inside is None and pattern.match(line):
            return number
        # Each delimiter opens or closes one (a line may hold both: `x = """a"""`).
        for found in re.finditer(r"'''|\"\"\"", line):
            if inside is None:
                inside = found.group()
            elif found.group() == inside:
                inside = None
    return None


def encode_entry(entry: Entry) -> bytes:
    """The bytes of an entry file; InvalidValue if watchbook could not read such a file back."""
    try:
        data = dump_entry(entry).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidValue(
            "entry", "holds text that is not valid UTF-8; nothing was written"
        ) from None
    except RecursionError:
        # Entries are read with a nesting limit (entry.MAX_NESTING), so only one built in
        # code could get here; refused like any other entry that could not be read back.
        raise InvalidValue("entry", "is nested too deeply to write; nothing was written") from None
    if len(data) > MAX_FILE_BYTES:
        raise InvalidValue(
            "review",
            f"the entry would take {len(data):,} bytes; entry files are limited to {MAX_FILE_BYTES:,}",
        )
    # The last guard of a user's file: what is written must read back as what was meant.
    try:
        written = toml_reader().loads(data.decode("utf-8"))
    except ValueError:
        written = None
    if written is None or not _same(written, entry.to_dict()):
        raise InvalidValue(
            "entry", "could not be written as TOML that reads back the same; nothing was written"
        )
    return data


def _same(read: object, meant: object) -> bool:
    """Whether a value read back is the one written (not-a-number equal to itself)."""
    if isinstance(read, dict) and isinstance(meant, dict):
        return read.keys() == meant.keys() and all(_same(read[k], meant[k]) for k in read)
    if isinstance(read, list) and isinstance(meant, list | tuple):
        return len(read) == len(meant) and all(map(_same, read, meant))
    if isinstance(read, float) and isinstance(meant, float) and read != read:
        return meant != meant
    return type(read) is type(meant) and read == meant
