"""Shell completion: what a TAB offers for a QUERY, a tag, a creator or a fixed choice.

Each is a Click parameter type whose `shell_complete` answers: the candidates come from the
index and match fuzzily (`sidon` offers knights-of-sidonia-2014), so they are offered as they
are, not filtered by prefix. The shell scripts are Click's own (zsh is told not to filter
either, and descriptions go out as written), asked for as Typer's group reads the request
(`complete_zsh` where Click writes `zsh_complete`); bash's and fish's are mended so that a
value with spaces, quotes, `*` or commas reaches the command line whole. All of it is Click's
public API. Every TAB runs in a process of its own, and nothing but the candidates may
reach the terminal.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from click.shell_completion import (
    BashComplete,
    CompletionItem,
    FishComplete,
    ShellComplete,
    ZshComplete,
    add_completion_class,
)

from watchbook.errors import InvalidValue

if TYPE_CHECKING:
    from watchbook.journal import Journal

Finder = Callable[["Journal", str], list[tuple[str, str]]]


class _Completing(click.ParamType):
    """A text parameter whose completion comes from the journal."""

    name = "TEXT"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from watchbook.cli.values import convert_checked

        return convert_checked(self, self.check, value, param, ctx)

    def check(self, value: str) -> str:
        """The value as the command takes it; InvalidValue when it cannot be one."""
        from watchbook.validation import check_line

        text = check_line(self.name, value)
        if text is None:
            raise InvalidValue(self.name, "must not be empty")
        return text

    def finder(self) -> Finder:
        """The function listing (value, description) candidates for what is typed."""
        raise NotImplementedError

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return [
            CompletionItem(value, help=why)
            for value, why in _from_journal(ctx, self.finder(), incomplete)
        ]


class EntryQuery(_Completing):
    """A QUERY: completes to the slugs of matching entries, described as 'Title (Year)'."""

    name = "QUERY"

    def check(self, value: str) -> str:
        from watchbook.cli.values import query_text

        return query_text(value)

    def finder(self) -> Finder:
        from watchbook.complete import entries

        return entries


class TagText(_Completing):
    """A tag: completes to the journal's tags as it spells them."""

    name = "TAG"

    def finder(self) -> Finder:
        from watchbook.complete import tags

        return tags


class CreatorText(_Completing):
    """A creator: completes to the journal's creators as it spells them."""

    name = "NAME"

    def finder(self) -> Finder:
        from watchbook.complete import creators

        return creators


class ChoiceText(click.ParamType):
    """One of a fixed set of words, in any case; the value is given in lower case."""

    def __init__(self, name: str, choices: Callable[[], tuple[str, ...]]) -> None:
        self.name = name
        self.choices = choices

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from watchbook.cli.values import convert_checked
        from watchbook.validation import check_choice

        def check(text: str) -> str | None:
            return check_choice(self.name, text, self.choices())

        return convert_checked(self, check, value, param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from watchbook.complete import choices

        return [CompletionItem(choice) for choice in choices(self.choices(), incomplete)]


def choice_text(name: str, what: str) -> ChoiceText:
    """A ChoiceText for the kinds, statuses, sort orders, export formats, services or shells."""

    def kinds() -> tuple[str, ...]:
        from watchbook.entry import KINDS

        return KINDS

    def statuses() -> tuple[str, ...]:
        from watchbook.entry import STATUSES

        return STATUSES

    def sorts() -> tuple[str, ...]:
        from watchbook.actions import SORTS

        return SORTS

    def formats() -> tuple[str, ...]:
        from watchbook.export import FORMATS

        return FORMATS

    def services() -> tuple[str, ...]:
        from watchbook.importers import SERVICES

        return SERVICES

    def shells() -> tuple[str, ...]:
        return tuple(SHELLS)

    lists = {"kinds": kinds, "statuses": statuses, "sorts": sorts, "formats": formats}
    lists.update(services=services, shells=shells)
    return ChoiceText(name, lists[what])


# Click's bash script, with each reply read raw (`read -r`: its backslashes are the escapes
# that keep a value one word), split at its first comma only (a value may end with one) and
# added quoted (a `*` in it must not glob the current folder); asked for the way Typer's group
# reads the request.
_BASH_SCRIPT = """\
%(complete_func)s() {
    local IFS=$'\\n'
    local response completion type value

    response=$(env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \\
        %(complete_var)s=complete_bash $1)

    while IFS= read -r completion; do
        type=${completion%%%%,*}
        value=${completion#*,}
        if [[ $type == 'dir' ]]; then
            COMPREPLY=()
            compopt -o dirnames
        elif [[ $type == 'file' ]]; then
            COMPREPLY=()
            compopt -o default
        elif [[ $type == 'plain' ]]; then
            COMPREPLY+=("$value")
        fi
    done <<< "$response"

    return 0
}

%(complete_func)s_setup() {
    complete -o nosort -F %(complete_func)s %(prog_name)s
}

%(complete_func)s_setup;
"""


class BashCompletion(BashComplete):
    """Click's bash completion, inserting the escaped values as they come (one word each)."""

    source_template = _BASH_SCRIPT


class ZshCompletion(ZshComplete):
    """Click's zsh completion (it offers every candidate, with its description)."""

    source_template = ZshComplete.source_template.replace("=zsh_complete", "=complete_zsh")


class FishCompletion(FishComplete):
    """Click's fish completion, split at the first comma only (a value may hold commas)."""

    source_template = FishComplete.source_template.replace(
        "=fish_complete", "=complete_fish"
    ).replace('string split "," $completion', 'string split -m 1 "," $completion')


SHELLS: dict[str, type[ShellComplete]] = {
    "bash": BashCompletion,
    "zsh": ZshCompletion,
    "fish": FishCompletion,
}


def register_shells() -> None:
    """Answer completion requests with the classes above."""
    for name, cls in SHELLS.items():
        add_completion_class(cls, name)


def completion_script(cli: click.Command, shell: str, prog_name: str = "watchbook") -> str:
    """The script that sets up completion for one shell."""
    complete_var = f"_{prog_name.replace('-', '_').upper()}_COMPLETE"
    return SHELLS[shell](cli, {}, prog_name, complete_var).source()


def _completing_for_bash(ctx: click.Context) -> bool:
    """True when the shell asking is bash (the only one that inserts candidates unquoted)."""
    prog = ctx.find_root().info_name or "watchbook"
    return os.environ.get(f"_{prog.replace('-', '_').upper()}_COMPLETE") == "complete_bash"


def _from_journal(ctx: click.Context, find: Finder, incomplete: str) -> list[tuple[str, str]]:
    """Candidates from the journal the command line names; none if anything goes wrong."""
    import contextlib
    import io
    import re

    try:
        from watchbook.journal import Journal, locate

        # The main callback does not run while completing: --journal comes from the parse.
        journal = Journal(locate(ctx.find_root().params.get("journal")).path)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            found = find(journal, incomplete)
    except Exception:
        return []
    if _completing_for_bash(ctx):
        # bash inserts the word as it is: escape what it would split on or expand.
        return [(re.sub(r"([^\w@%+=:,./-])", r"\\\1", value), why) for value, why in found]
    return found
