"""The `watchbook` command, and `python -m watchbook`."""

import sys


def main() -> None:
    """Run the command line; Ctrl-C at any moment gets the same one line and exit code 130."""
    try:
        import signal

        # While Python imports Typer, the commands and the rest (most of a short command's first
        # 0.1 s), Ctrl-C is only noted: raised there, it would come out as a traceback from
        # inside an import, or be lost in one of importlib's callbacks. The CLI acts on it as
        # soon as its boundary is in place (cli/app.py, resume_interrupts).
        # (Not when started with Ctrl-C ignored, as a shell starts a job in the background.)
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, HeldInterrupt())
        start_up_and_run()
    except KeyboardInterrupt:
        interrupted()


class HeldInterrupt:
    """SIGINT's handler while watchbook starts: it notes Ctrl-C, for the CLI to act on."""

    def __init__(self) -> None:
        self.pressed = False

    def __call__(self, signum: int, frame: object) -> None:
        self.pressed = True


def start_up_and_run() -> None:
    """Run the command line (listing the journal folder ahead, beside the imports)."""
    import gc

    hold_closed_streams()
    from watchbook.readahead import start
    from watchbook.tricks import enabled

    # The `import-gc` trick: the objects modules make while loading live as long as the
    # process, and the collector would walk them again and again; they are frozen once loaded,
    # and what the command made is frozen when it ends.
    quiet = enabled("import-gc")
    if quiet:
        gc.disable()
    # Before Typer and the rest are imported: the child lists the folder meanwhile.
    start(sys.argv[1:])
    from watchbook.cli.app import run

    if quiet:
        gc.freeze()
        gc.enable()
    try:
        run()
    finally:
        if quiet:
            # And what the command made: it lives until the process ends, and the interpreter's
            # last collection need not walk it (1 ms after a search of 10,000 entries).
            gc.freeze()


def hold_closed_streams() -> None:
    """Give a descriptor 0, 1 or 2 that was closed (`>&-`) to /dev/null, and Python a stream on it."""
    # Else the next file opened (the read-ahead pipe, an entry file, the index) would get that
    # number, and a child (the editor) would write into it. stdout gets /dev/null opened for
    # reading: a write to it fails as a write to a closed stdout does, and the CLI says so.
    import os

    for number, name, mode in ((0, "stdin", "r"), (1, "stdout", "w"), (2, "stderr", "w")):
        if getattr(sys, name) is not None:
            continue
        held = os.open(os.devnull, os.O_WRONLY if number == 2 else os.O_RDONLY)
        if held != number:
            os.dup2(held, number)
            os.close(held)
        stream = open(number, mode, encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115 (the process's stream)
        setattr(sys, name, stream)


def interrupted() -> None:
    """Ctrl-C outside the CLI's boundary: its one line, and exit code 130."""
    import signal

    # The process is ending: a second Ctrl-C must not cut the line short with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from watchbook.errors import EXIT_INTERRUPTED
    from watchbook.render.output import INTERRUPTED, print_error

    print_error(INTERRUPTED)
    raise SystemExit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
