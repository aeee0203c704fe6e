"""Progress bars on stderr, for long jobs on a terminal only."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass

from watchbook.render.output import console


class ProgressBar:
    """A progress bar on stderr, called as (done, total); only on a terminal, for long jobs."""

    def __init__(self, label: str, minimum: int = 0, delay: float = 0.0) -> None:
        # Long: `minimum` steps or more, and already running for `delay` seconds (quick jobs
        # stay silent).
        import time

        self.label = label
        self.minimum = minimum
        self.delay = delay
        self._clock = time.monotonic
        self._started = self._clock()
        self._bar: Any = None
        self._task: Any = None
        self._terminal: bool | None = None
        self._drawn = 0.0

    def _wanted(self, total: int) -> bool:
        if total < self.minimum or self._clock() - self._started < self.delay:
            return False
        if self._terminal is None:
            # Asked once: isatty() is a system call, and this may run once per file.
            self._terminal = sys.stderr.isatty() and os.environ.get("TERM") != "dumb"
        return self._terminal

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if not self._wanted(total):
                return
            from rich.progress import Progress

            # No refresh thread: the bar is redrawn from here. The index build forks worker
            # processes, which is only safe while the process runs a single thread.
            self._bar = Progress(console=console(stderr=True), transient=True, auto_refresh=False)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=total)
            self._drawn = 0.0
        self._bar.update(self._task, completed=done, total=total)
        now = self._clock()
        if now - self._drawn >= REDRAW_EVERY or done >= total:
            self._drawn = now
            self._bar.refresh()

    def close(self) -> None:
        """Remove the bar, if one was shown."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


REBUILD_DELAY = 1.0


# Seconds between two redraws of a progress bar.
REDRAW_EVERY = 0.1


def rebuild_progress() -> ProgressBar:
    """The bar for index rebuilds: only once a rebuild has taken REBUILD_DELAY seconds."""
    return ProgressBar("Indexing the journal", delay=REBUILD_DELAY)


def export_progress(label: str = "Exporting") -> ProgressBar:
    """The bar for exports of 1,000 files or more."""
    return ProgressBar(label, minimum=1000)


def import_progress(label: str = "Importing") -> ProgressBar:
    """The bar for imports of 300 entries or more."""
    return ProgressBar(label, minimum=300)
