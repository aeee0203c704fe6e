"""The `watchbook` command, and `python -m watchbook`."""

import sys


def main() -> None:
    """Run the command line (listing the journal folder ahead, beside the imports)."""
    import gc

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


if __name__ == "__main__":
    main()
