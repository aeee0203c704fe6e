"""The `watchbook` command, and `python -m watchbook`."""

from watchbook.cli.app import run


def main() -> None:
    """Run the command line."""
    run()


if __name__ == "__main__":
    main()
