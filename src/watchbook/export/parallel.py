"""Writing a big export's files in two processes: rendering pages is most of an HTML export's work.

A forked child renders and writes every other file while this process does the rest; the last
file (the index) is written by this process once the child is done, so the index never links
to a page that is not there yet. The child reports how many files it changed, or the error it
met, through a pipe. Turned off with WATCHBOOK_OFF=parallel-site.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchbook.export.output import OutputFolder

# Below this many files one process is quicker than forking another.
PARALLEL_MIN = 2000

Encode = Callable[[str | Iterable[str]], bytes]
Job = tuple[str, Callable[[], str | Iterable[str]]]


def write_jobs(
    folder: OutputFolder,
    work: Sequence[Job],
    encode: Encode,
    progress: Callable[[int, int], None] | None,
    parallel: bool,
) -> None:
    """Write every job's file into the folder, in two processes when that pays."""
    from watchbook.tricks import enabled

    total = len(work)
    if (
        not parallel
        or total < PARALLEL_MIN
        or not hasattr(os, "fork")
        or not enabled("parallel-site")
    ):
        for done, (name, produce) in enumerate(work, start=1):
            folder.write(name, encode(produce()))
            if progress is not None:
                progress(done, total)
        return
    body, last = work[:-1], work[-1]
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(reader)
        code = 0
        try:
            changed = sum(folder.write(n, encode(p())) for n, p in body[1::2])
            message = pickle.dumps(changed)
        except BaseException as exc:
            code = 1
            message = pickle.dumps(exc if _picklable(exc) else RuntimeError(str(exc)))
        try:
            os.write(writer, message)
        finally:
            os._exit(code)
    os.close(writer)
    try:
        mine = body[0::2]
        for done, (name, produce) in enumerate(mine, start=1):
            folder.write(name, encode(produce()))
            if progress is not None:
                progress(min(2 * done, total - 1), total)
    finally:
        with os.fdopen(reader, "rb") as pipe:
            reported = pipe.read()
        _, status = os.waitpid(pid, 0)
    result = (
        pickle.loads(reported) if reported else RuntimeError("the export's helper process died")
    )
    if isinstance(result, BaseException):
        raise result
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the export's helper process failed")
    folder.summary.changed += int(result)
    folder.write(last[0], encode(last[1]()))
    if progress is not None:
        progress(total, total)


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True
