"""`python -m watchbook` runs the command line."""

from watchbook.cli import run

run()
