"""Command: completion (the script that sets up TAB completion in a shell)."""

from __future__ import annotations

import os

import typer

from watchbook.cli.completion import choice_text

commands = typer.Typer()


@commands.command()
def completion(
    ctx: typer.Context,
    shell: str | None = typer.Argument(
        None,
        help="bash, zsh or fish (default: the shell in $SHELL, if it is one of them).",
        show_default=False,
        click_type=choice_text("SHELL", "shells"),
    ),
) -> None:
    """Print the script that makes TAB complete watchbook's commands, options and entries.

    bash: add `eval "$(watchbook completion bash)"` to ~/.bashrc.
    zsh: add `eval "$(watchbook completion zsh)"` to ~/.zshrc (after compinit).
    fish: `watchbook completion fish > ~/.config/fish/completions/watchbook.fish`.

    Example: watchbook completion bash
    """
    from watchbook.cli.completion import SHELLS, completion_script
    from watchbook.errors import InvalidValue
    from watchbook.render.output import print_line

    chosen = shell or os.path.basename(os.environ.get("SHELL", ""))
    if chosen not in SHELLS:
        # Another shell's script would fail where it is loaded (dash cannot eval bash's).
        found = (
            f"$SHELL is {chosen!r}, a shell watchbook has no script for"
            if chosen
            else "$SHELL is not set"
        )
        raise InvalidValue("SHELL", f"{found}; name one: watchbook completion {'|'.join(SHELLS)}")
    print_line(completion_script(ctx.find_root().command, chosen).rstrip("\n"))
