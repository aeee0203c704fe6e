"""The command line: a thin Typer layer over the library (see app.py for the one error boundary)."""
