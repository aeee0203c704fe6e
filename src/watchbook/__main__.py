"""The `watchbook` command, and `python -m watchbook`."""

import contextlib
import gc
import os
import sys

from watchbook.listing import read_ahead


def main() -> None:
    """Start listing the journal folder on the side, run the command line, leave at once."""
    # Start-up makes tens of thousands of objects that live as long as the process; the cyclic
    # collector would walk them again and again while modules load (a fifth of a warm search).
    gc.disable()
    read_ahead(sys.argv[1:])
    from watchbook.cli import run

    # What is loaded so far stays; later collections look only at what the command makes.
    gc.freeze()
    gc.enable()
    try:
        run()
    except SystemExit as done:
        leave(done.code)
    leave(0)


def leave(code: object) -> None:
    """Flush the output and end the process without tearing the interpreter down."""
    # By now every journal file, export page and index transaction is written and closed (they
    # are written through context managers or raw descriptors); what teardown would do is free
    # memory one object at a time, which costs a short command about a tenth of its time.
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        from watchbook.errors import EXIT_READER_GONE

        status = EXIT_READER_GONE
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
