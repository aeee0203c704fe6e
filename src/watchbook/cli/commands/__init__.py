"""The commands, one module per concept; each holds a Typer of its own that app.py merges in."""
