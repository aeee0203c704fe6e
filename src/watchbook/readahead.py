"""The journal folder listed ahead, in a child process, while the command line is still loading.

Every command that reads the index first lists the journal folder (a `stat` per file: about
30 ms for 10,000 files), then compares it with the listing the index stored. For the commands
that only read, `watchbook` forks a child before Python imports Typer and the rest (60-100 ms
of work the child runs beside), and the index takes the child's listing instead of making
its own. This is the `read-ahead` trick (docs/benchmarks.md gives its gain);
`WATCHBOOK_OFF=read-ahead` turns it off. The fork happens while the process has one thread
and nothing buffered; the child only lists, writes its answer to a pipe and leaves.

This module is imported before anything else: the standard library's os and marshal only,
and watchbook.listing.
"""

from __future__ import annotations

import marshal
import os
import sys

from watchbook.listing import journal_folder, listing_bytes, scan_folder

# Commands that read the index before anything else, and wait for nobody (no editor, no
# question, no write first).
READ_AHEAD_COMMANDS = frozenset(
    {"show", "list", "search", "recommend", "stats", "check", "export", "diary", "next"}
)
# Set by the shell when it asks for completions: a TAB reads the index too.
COMPLETE_VAR = "_WATCHBOOK_COMPLETE"
_JOURNAL_OPTIONS = ("-j", "--journal")
# The largest pipe an unprivileged process may ask for on Linux (/proc/sys/fs/pipe-max-size).
PIPE_MAX = 1 << 20


class _Pending:
    """A child listing a folder, and the pipe its answer comes through."""

    def __init__(self, pid: int, answer: int, folder: str) -> None:
        self.pid, self.answer, self.folder = pid, answer, folder


_pending: _Pending | None = None


def start(argv: list[str]) -> None:
    """Fork a child listing the journal folder if this command line only reads the index."""
    global _pending
    if not _can_fork():
        return
    completing = bool(os.environ.get(COMPLETE_VAR))
    if completing:
        explicit = _completion_journal()
    else:
        explicit, command = journal_and_command(argv)
        if command not in READ_AHEAD_COMMANDS:
            return
    try:
        folder, _source = journal_folder(explicit, os.environ, os.getcwd())
        answer, to_parent = os.pipe()
        pid = os.fork()
    except OSError:
        return
    if pid == 0:  # the child
        # Only the parent reads: were the child to keep this end open too, a parent that
        # stops before reading (a refused option) would leave it waiting forever to write.
        os.close(answer)
        _list_and_leave(folder, to_parent)
    os.close(to_parent)
    _pending = _Pending(pid, answer, folder)


def _list_and_leave(folder: str, to_parent: int) -> None:
    """In the child: list the folder, write the answer, end without running Python's exit."""
    status = 1
    try:
        # Let go of the terminal and of any pipe at once: a reader of the command's output
        # (`watchbook list | head`) must never wait for this child.
        nothing = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):
            os.dup2(nothing, stream)
        data = memoryview(marshal.dumps(listing_bytes(scan_folder(folder)), 2))
        _make_room(to_parent, len(data))
        while data:
            data = data[os.write(to_parent, data) :]
        status = 0
    finally:
        # os._exit, not sys.exit: the child must not flush the parent's buffers or run its
        # exit handlers a second time.
        os._exit(status)


def _make_room(pipe: int, size: int) -> None:
    """Widen the pipe (Linux) so that the whole answer fits and the child need not wait."""
    # A pipe holds 64 KB; a listing of 10,000 files is 600 KB, which the parent would otherwise
    # take in ten turns with the child, each a switch between the two (1-2 ms in all).
    try:
        import fcntl

        fcntl.fcntl(pipe, fcntl.F_SETPIPE_SZ, min(size, PIPE_MAX))
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or over the system's limit: the answer goes in turns


def take(folder: str | os.PathLike[str]) -> bytes | None:
    """The listing read ahead for this folder, as listing_bytes() wrote it (once), or None."""
    global _pending
    pending, _pending = _pending, None
    if pending is None:
        return None
    try:
        chunks = []
        while chunk := os.read(pending.answer, 1 << 20):
            chunks.append(chunk)
        _pid, status = os.waitpid(pending.pid, 0)
        if status != 0 or not _same_folder(pending.folder, os.fspath(folder)):
            return None
        listing = marshal.loads(b"".join(chunks))
    except (OSError, EOFError, ValueError, TypeError):
        return None
    finally:
        os.close(pending.answer)
    return listing if isinstance(listing, bytes) else None


def _same_folder(listed: str, wanted: str) -> bool:
    return os.path.realpath(listed) == os.path.realpath(wanted)


def journal_and_command(words: list[str]) -> tuple[str | None, str | None]:
    """The --journal value and the command of a command line ("" after an unknown option)."""
    explicit = None
    remaining = iter(words)
    for word in remaining:
        if word in _JOURNAL_OPTIONS:
            explicit = next(remaining, None)
        elif word.startswith("--journal="):
            explicit = word.partition("=")[2]
        elif word.startswith("-j") and not word.startswith("--"):
            explicit = word[2:]
        elif word.startswith("-"):
            return explicit, ""  # --help, --version, or an option this guess does not know
        else:
            return explicit, word
    return explicit, None


def _completion_journal() -> str | None:
    """The --journal value in the command line being completed."""
    import shlex

    line = os.environ.get("COMP_WORDS", "")
    for ending in ("", "'", '"'):  # the last word may be a quote still being typed
        try:
            words = shlex.split(line + ending)
            break
        except ValueError:
            continue
    else:
        words = line.split()
    return journal_and_command(words[1:])[0]


def _can_fork() -> bool:
    from watchbook.tricks import enabled

    # Linux only, where forking this early is cheap and safe, and only when another core can
    # do the listing while this one loads the rest.
    return (
        sys.platform == "linux"
        and hasattr(os, "fork")
        and (os.cpu_count() or 1) > 1
        and enabled("read-ahead")
    )
