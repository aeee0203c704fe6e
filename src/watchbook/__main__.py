"""The `watchbook` command, and `python -m watchbook`."""

import sys

from watchbook.listing import read_ahead


def main() -> None:
    """Start listing the journal folder on the side, then run the command line."""
    read_ahead(sys.argv[1:])
    from watchbook.cli import run

    run()


if __name__ == "__main__":
    main()
