"""The console examples of README.md and docs/*.md, run for real and compared with what they show.

A ```console block holds commands (`$ ` lines, continued by a trailing backslash) and what each
prints, stdout and stderr in the order a terminal shows them. A line holding only `...` stands
for any number of lines. Every block runs in a sandbox of its own:

- HOME is a temporary folder, shown as /home/me in the output;
- the working folder is ~/watchbook with a copy of the sample journal as journal/ (so
  `watchbook` uses it) and the files and folders of tests/fixtures/docs/ beside it;
- `watchbook` commands run in this process (fast); any other command runs in bash;
- a command ending in `<TAB>` asks watchbook's shell completion (as zsh does) and shows the
  candidates the way zsh lists them: `slug   -- Title (Year)`.

An HTML comment on the line before a block changes that:

    <!-- console: same sandbox as above -->     go on where the previous block left off
    <!-- console: WATCHBOOK_JOURNAL=~/films -->  set a variable (a leading ~ is expanded)

`python tests/doc_examples.py` checks every file; `--update` (or `make docs`) writes what the
commands print now into the files, keeping the `...` lines that still fit. The test suite
runs the check (tests/test_docs.py).
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHOWN_HOME = "/home/me"
ELLIPSIS = "..."
_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.M | re.S)
_SETUP = re.compile(r"<!-- console: (.*?) -->\s*$")
# Shell syntax that needs a real shell: pipes, redirections, substitutions, sequences.
_SHELL = re.compile(r"[|<>;&`$()*]")


@dataclass
class Command:
    """One `$` command of a block and the output lines the document shows for it."""

    line: str
    shown: list[str] = field(default_factory=list)


@dataclass
class Block:
    """A console block: where its text is in the file, how to set it up, its commands."""

    start: int
    end: int
    setup: str
    commands: list[Command]


def blocks(text: str) -> list[Block]:
    """The console blocks of a Markdown text."""
    found = []
    for match in _BLOCK.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        setup = _SETUP.search(before)
        commands: list[Command] = []
        lines = match.group(1).split("\n")[:-1]
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    command = command[:-1].rstrip() + " " + lines[i].strip()
                commands.append(Command(command))
            elif commands:
                commands[-1].shown.append(line)
            else:
                raise ValueError(f"a console block must start with a $ command: {line!r}")
            i += 1
        found.append(Block(match.start(1), match.end(1), setup.group(1) if setup else "", commands))
    return found


class Sandbox:
    """A home folder with the sample journal, where a block's commands run."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="watchbook-docs-")).resolve()
        self.home = self.base / "home"
        self.cwd = self.home / "watchbook"
        self.cwd.mkdir(parents=True)
        shutil.copytree(
            ROOT / "journal", self.cwd / "journal", ignore=shutil.ignore_patterns(".watchbook")
        )
        files = ROOT / "tests" / "fixtures" / "docs"
        if files.is_dir():
            for path in files.iterdir():
                if path.is_dir():
                    shutil.copytree(path, self.cwd / path.name)
                else:
                    shutil.copy(path, self.cwd / path.name)
        self.bin = self.base / "bin"
        self.bin.mkdir()
        shim = self.bin / "watchbook"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m watchbook "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        # None unsets a variable (the tests point WATCHBOOK_JOURNAL elsewhere).
        self.env: dict[str, str | None] = {
            "WATCHBOOK_JOURNAL": None,
            "VISUAL": None,
            "EDITOR": None,
            "HOME": str(self.home),
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "COLUMNS": "100",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
            "LC_ALL": "C.UTF-8",
        }

    def configure(self, setup: str) -> None:
        """Apply a `<!-- console: NAME=value -->` setting."""
        if "=" in setup:
            name, value = setup.split("=", 1)
            self.env[name.strip()] = self.expand(value.strip())

    def expand(self, word: str) -> str:
        return str(self.home) + word[1:] if word == "~" or word.startswith("~/") else word

    def run(self, command: str) -> list[str]:
        """The lines a terminal would show for a command (stdout and stderr in order)."""
        if command.endswith("<TAB>"):
            return self._completion(shlex.split(command.removesuffix("<TAB>")))
        words = shlex.split(command)
        if words[:1] == ["watchbook"] and not _SHELL.search(command):
            output = self._in_process([self.expand(w) for w in words[1:]])
        else:
            output = self._in_shell(command)
        output = output.replace(str(self.home), SHOWN_HOME)
        return output.rstrip("\n").split("\n") if output.strip() else []

    def _in_process(self, args: list[str]) -> str:
        from typer.testing import CliRunner

        from watchbook.cli.app import app

        with _cwd(self.cwd), _environment(self.env):
            result = CliRunner().invoke(app, args, prog_name="watchbook", env=self.env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result.output

    def _completion(self, words: list[str]) -> list[str]:
        """What zsh lists on TAB after these words (the last one is being typed)."""
        env = {
            "_WATCHBOOK_COMPLETE": "complete_zsh",
            "COMP_WORDS": shlex.join(words),
            "COMP_CWORD": str(len(words) - 1),
        }
        lines = self._in_shell("watchbook", env).split("\n")
        # zsh's protocol: three lines per candidate (type, value, description).
        found = [(lines[i + 1], lines[i + 2]) for i in range(0, len(lines) - 2, 3)]
        width = max((len(value) for value, _ in found), default=0)
        return [f"{value.ljust(width)}   -- {why}" for value, why in found]

    def _in_shell(self, command: str, extra: dict[str, str] | None = None) -> str:
        merged = {**os.environ, **self.env, **(extra or {})}
        result = subprocess.run(
            ["bash", "-c", command],
            cwd=self.cwd,
            env={name: value for name, value in merged.items() if value is not None},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        return result.stdout

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _environment(env: dict[str, str | None]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in env}
    _set(env)
    try:
        yield
    finally:
        _set(saved)


def _set(env: dict[str, str | None]) -> None:
    for name, value in env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether the output shown (with `...` lines) fits what was printed."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == ELLIPSIS else re.escape(line) + r"\n" for line in shown
    )
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


def refreshed(shown: list[str], actual: list[str]) -> list[str]:
    """What to show now: the output as printed, elided where the document elided it."""
    if ELLIPSIS not in shown or matches(shown, actual):
        return shown if matches(shown, actual) else actual
    parts: list[list[str]] = [[]]
    for line in shown:
        if line == ELLIPSIS:
            parts.append([])
        else:
            parts[-1].append(line)
    head, tail = len(parts[0]), len(parts[-1])
    if head + tail >= len(actual):
        return actual
    middle = [part for part in parts[1:-1] if _contains(actual[head : len(actual) - tail], part)]
    result = actual[:head]
    for part in middle:
        result += [ELLIPSIS, *part]
    return [*result, ELLIPSIS, *actual[len(actual) - tail :]]


def _contains(lines: list[str], part: list[str]) -> bool:
    return any(lines[i : i + len(part)] == part for i in range(len(lines) - len(part) + 1))


@dataclass
class Mismatch:
    """A command whose output differs from what the document shows."""

    path: Path
    command: str
    shown: list[str]
    actual: list[str]

    def __str__(self) -> str:
        import difflib

        diff = difflib.unified_diff(self.shown, self.actual, "shown", "printed", lineterm="")
        name = self.path.relative_to(ROOT)
        return f"{name}: $ {self.command}\n" + "\n".join(diff)


def run_file(path: Path, update: bool = False) -> list[Mismatch]:
    """Run every console block of one file; with `update`, write the outputs into it."""
    text = path.read_text(encoding="utf-8")
    found = blocks(text)
    mismatches: list[Mismatch] = []
    replacements: list[tuple[Block, str]] = []
    sandbox: Sandbox | None = None
    try:
        for block in found:
            if sandbox is None or not block.setup.startswith("same sandbox"):
                if sandbox is not None:
                    sandbox.close()
                sandbox = Sandbox()
                sandbox.configure(block.setup)
            lines = []
            for command in block.commands:
                actual = sandbox.run(command.line)
                if not matches(command.shown, actual):
                    mismatches.append(Mismatch(path, command.line, command.shown, actual))
                lines += _command_lines(text, block, command)
                lines += refreshed(command.shown, actual)
            replacements.append((block, "".join(line + "\n" for line in lines)))
    finally:
        if sandbox is not None:
            sandbox.close()
    if update and mismatches:
        for block, new in reversed(replacements):
            text = text[: block.start] + new + text[block.end :]
        path.write_text(text, encoding="utf-8")
    return mismatches


def _command_lines(text: str, block: Block, command: Command) -> list[str]:
    """The `$` line(s) of a command as the document writes them (continuations kept)."""
    lines = text[block.start : block.end].split("\n")
    for i, line in enumerate(lines):
        if not line.startswith("$ "):
            continue
        j, joined = i, line[2:]
        while joined.endswith("\\") and j + 1 < len(lines):
            j += 1
            joined = joined[:-1].rstrip() + " " + lines[j].strip()
        if joined == command.line:
            return lines[i : j + 1]
    return [f"$ {command.line}"]


def main(argv: list[str]) -> int:
    """Check (or with --update, rewrite) the console examples; exit 1 when any differs."""
    update = "--update" in argv
    sys.path.insert(0, str(ROOT / "src"))
    problems = [m for path in DOCS for m in run_file(path, update)]
    for problem in problems:
        print(problem, end="\n\n")
    if update:
        print(f"updated {len(problems)} example(s)" if problems else "every example is current")
        return 0
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
