"""watchbook: a command-line review journal for films, series and anime."""

__version__ = "0.1.0"
