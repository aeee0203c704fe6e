"""Commands: export. Importing this module registers them on the app in cli.py."""

from __future__ import annotations

from watchbook.cli import app, state  # noqa: F401
