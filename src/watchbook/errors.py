"""Named exceptions raised by the library; cli/app.py turns them into a message and an exit code."""

from __future__ import annotations

# Exit codes, documented in the README. Click's own usage errors also exit 2.
EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_BAD_INPUT = 2
EXIT_CONFLICT = 3
# As a shell reports a process stopped by Ctrl-C (128 + SIGINT's 2).
EXIT_INTERRUPTED = 130
# As a process killed by SIGPIPE reports it in a shell (128 + 13): the reader of stdout left.
EXIT_READER_GONE = 141


class WatchbookError(Exception):
    """Base class for every error watchbook reports to the user."""

    exit_code = EXIT_BAD_INPUT


class InvalidValue(WatchbookError):
    """A field value is not allowed; the message names the field and what is allowed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class InvalidFile(WatchbookError):
    """A journal file does not parse or breaks the entry format."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.reason = message


class NotFound(WatchbookError):
    """No entry matches the query."""

    exit_code = EXIT_NOT_FOUND

    def __init__(self, message: str, suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.suggestions = suggestions or []


class Ambiguous(WatchbookError):
    """Several entries match the query about equally well."""

    exit_code = EXIT_NOT_FOUND

    def __init__(self, message: str, candidates: list[str]) -> None:
        super().__init__(f"{message}: {'; '.join(candidates)}. Use the id in brackets to pick one.")
        self.candidates = candidates


class UnreadableMatch(WatchbookError):
    """The entry a QUERY most likely means is in a file that does not parse."""

    exit_code = EXIT_NOT_FOUND

    def __init__(self, query: str, problem: InvalidFile) -> None:
        super().__init__(
            f"{problem} ({problem.path} is the best match for {query!r} but does not parse; "
            "fix the file and try again)"
        )
        self.problem = problem


class AlreadyExists(WatchbookError):
    """An entry for this title is already in the journal and the user did not say what to do."""

    exit_code = EXIT_NOT_FOUND


class Conflict(WatchbookError):
    """A file changed on disk since it was read, or another process holds the journal lock."""

    exit_code = EXIT_CONFLICT


class UnsafePath(WatchbookError):
    """A path would leave the folder it must stay in, or is a link or special file."""


class FolderNotEmpty(WatchbookError):
    """The export folder holds files watchbook did not write; --force writes there anyway."""

    exit_code = EXIT_CONFLICT


class NotAnExport(WatchbookError):
    """The --out file exists and is not an export watchbook wrote; --force replaces it."""

    exit_code = EXIT_CONFLICT


class UnreadableImport(WatchbookError):
    """A file given to `import` is missing, not the expected export, hostile or too large."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message


class WriteFailed(WatchbookError):
    """The system refused a write (disk full, file size limit, ...); nothing was left half-written."""

    def __init__(self, path: str, reason: str, outcome: str = "nothing was changed") -> None:
        super().__init__(f"could not write {path}: {reason}; {outcome}")
        self.path = path
        self.reason = reason
