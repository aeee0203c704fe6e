"""What watchbook changes in Typer, in one place: plain parameter conversion, fuzzy completion.

1. Typer 0.29 converts every non-flag parameter through a pydantic TypeAdapter that it builds
   on first use (`typer.core` calls `typer._coercion.build_runtime_param`); importing pydantic
   and building the adapters costs 60-90 ms, more than watchbook's own work in most commands.
   Parameters of plain types (str, int, float, bool, Path, lists of them) get a converter
   that handles the everyday values itself and hands anything else (a malformed number, a
   number out of range) to Typer's own converter, built only then. So whatever is accepted
   is converted exactly as Typer would, and every error is Typer's own message.
2. Typer keeps only the completion candidates that start with what was typed; watchbook's
   completion callbacks match fuzzily (`sidon` offers knights-of-sidonia-2014) and decide
   for themselves. bash and fish take such candidates as they are; zsh filters them by the
   typed prefix again unless told not to (`compadd -U`), so for those the zsh answer is a
   `_describe ... -U` instead of Typer's `_arguments`.
3. Typer builds every command (signature, type hints, parameters) before running one: 15-20
   ms for watchbook's twenty. A group of class `OnDemandGroup` gets placeholders instead, and
   Typer builds each command the first time it is looked up, so a command line builds one.
4. For zsh and fish, Typer renders every candidate's description through rich to strip
   markup (watchbook's help texts have none): about 10 ms a candidate, and a title's
   [brackets] would be taken for markup. Descriptions are used as they are.

All of this relies on Typer's internals, which is why pyproject.toml pins typer to 0.29.x.
`install()` checks what it needs first and leaves Typer as it is when anything has moved:
commands then import pydantic again, and completion offers prefix matches only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typer.core import TyperGroup

# Only spellings that pydantic converts the same way as int() and float() do; the rest
# (' 5 ', '1_000', '1.0' for an int, 'inf', ...) go to Typer's converter. Patterns, not
# compiled here: re compiles (and caches) them on first use, and most commands never do.
_INT = r"[+-]?[0-9]{1,18}"
_FLOAT = r"[+-]?(?:[0-9]{1,18}(?:\.[0-9]{0,18})?|\.[0-9]{1,18})(?:[eE][+-]?[0-9]{1,3})?"


class _Unhandled(Exception):
    """The value is not one the plain converter is sure about: Typer's converter decides."""


def _leaf_converter(annotation: Any, info: Any) -> Any:
    """A function converting one command-line value of this type, or None if Typer must."""
    if annotation is str:
        return _to_str
    if annotation is bool:
        return _to_bool
    if annotation in (int, float):
        if info.clamp:
            return None
        return _number(annotation, info.min, info.max)
    if annotation is Path and info.path_type is None and not info.allow_dash:
        from typer._param_types import coerce_cli_path

        def to_path(value: Any, param: Any, ctx: Any) -> Path:
            if not isinstance(value, str | Path):
                raise _Unhandled
            # Typer's own checks (exists, readable, ...) on the path, without pydantic.
            return Path(coerce_cli_path(value, info, path_type=None, param=param, ctx=ctx))

        return to_path
    return None


def _to_str(value: Any, param: Any, ctx: Any) -> str:
    if type(value) is not str:
        raise _Unhandled
    return value


def _to_bool(value: Any, param: Any, ctx: Any) -> bool:
    if type(value) is not bool:
        raise _Unhandled
    return value


def _number(kind: type, low: float | None, high: float | None) -> Any:
    pattern = _INT if kind is int else _FLOAT

    def convert(value: Any, param: Any, ctx: Any) -> Any:
        if type(value) is kind:
            number = value
        elif type(value) is str and re.fullmatch(pattern, value):
            number = kind(value)
        else:
            raise _Unhandled
        # Out of range: Typer's converter raises its own "should be greater than ..." error.
        if (low is not None and number < low) or (high is not None and number > high):
            raise _Unhandled
        return number

    return convert


def install() -> None:
    """Make the changes above (each only if Typer's internals are as expected)."""
    _plain_conversion()
    _commands_on_demand()
    _unfiltered_completion()
    _unfiltered_zsh()
    _plain_descriptions()


def _plain_conversion() -> None:
    """Route plain parameters past pydantic."""
    try:
        import typer.core
        from typer._coercion import RuntimeParam, TypeDescriptor
        from typer._param_types import coerce_cli_path  # noqa: F401  (used by Path parameters)

        original = typer.core.build_runtime_param
        known = {"annotation", "parameter_info", "file_annotation"}
        if not known <= TypeDescriptor.__dataclass_fields__.keys() or not hasattr(
            RuntimeParam, "_coerce_value"
        ):
            return
    except (ImportError, AttributeError):
        return
    if getattr(original, "watchbook_patched", False):
        return

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):  # type: ignore[misc]
        """Converts plain values itself; Typer's converter, made on demand, does the rest."""

        convert: Any = None
        descriptor: Any = None
        is_list: bool = False
        _typer: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                if self.is_list:
                    if not isinstance(value, list | tuple):
                        raise _Unhandled
                    return [self.convert(item, param, ctx) for item in value]
                return self.convert(value, param, ctx)
            except _Unhandled:
                if not self._typer:
                    self._typer.append(original(self.descriptor))
                return self._typer[0]._coerce_value(value, param=param, ctx=ctx)

    def build_runtime_param(descriptor: Any) -> Any:
        try:
            info = descriptor.parameter_info
            annotation = descriptor.annotation
            is_list = descriptor.is_list
            if is_list:
                (annotation,) = annotation.__args__
            plain = (
                descriptor.file_annotation is None
                and info.parser is None
                and not descriptor.is_choice
            )
            convert = _leaf_converter(annotation, info) if plain else None
        except (AttributeError, ValueError, TypeError):
            convert = None
        if convert is None:
            return original(descriptor)
        return PlainRuntimeParam(
            parameter_info=descriptor.parameter_info,
            annotation=descriptor.annotation,
            convert=convert,
            descriptor=descriptor,
            is_list=is_list,
        )

    build_runtime_param.watchbook_patched = True  # type: ignore[attr-defined]
    typer.core.build_runtime_param = build_runtime_param


class _Unbuilt:
    """A command Typer has not built yet: its name, and how to build it."""

    def __init__(self, name: str, build: Any) -> None:
        self.name, self.build = name, build


class CommandsOnDemand(dict[str, Any]):
    """A group's commands by name, each built the first time it is looked up."""

    def __getitem__(self, name: str) -> Any:
        command = super().__getitem__(name)
        if isinstance(command, _Unbuilt):
            command = command.build()
            self[name] = command
        return command

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        try:
            return self[name]
        except KeyError:
            return default

    def values(self) -> list[Any]:  # type: ignore[override]
        return [self[name] for name in self]

    def items(self) -> list[tuple[str, Any]]:  # type: ignore[override]
        return [(name, self[name]) for name in self]


class OnDemandGroup(TyperGroup):
    """A Typer group whose commands are built when first used (see _commands_on_demand)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = CommandsOnDemand(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        # Names only: Typer's own version builds every command to throw it away.
        return list(self.commands)


def _commands_on_demand() -> None:
    """Let Typer build an OnDemandGroup's commands one at a time, when they are looked up."""
    try:
        import typer.main

        build_group = typer.main.get_group_from_info
        build_command = typer.main.get_command_from_info
        name_of = typer.main.get_command_name
    except (ImportError, AttributeError):
        return
    if getattr(build_group, "watchbook_patched", False):
        return

    def unbuilt_command(command_info: Any, **options: Any) -> Any:
        name = command_info.name or name_of(command_info.callback.__name__)
        return _Unbuilt(name, lambda: build_command(command_info, **options))

    def get_group_from_info(group_info: Any, **options: Any) -> Any:
        cls = getattr(group_info.cls, "value", group_info.cls)
        instance = group_info.typer_instance
        if not isinstance(cls, type) and instance is not None:
            cls = getattr(instance.info.cls, "value", instance.info.cls)
        on_demand = isinstance(cls, type) and issubclass(cls, OnDemandGroup)
        # Set for this group only: a group inside it builds its commands its own way.
        saved = typer.main.get_command_from_info
        typer.main.get_command_from_info = unbuilt_command if on_demand else build_command
        try:
            return build_group(group_info, **options)
        finally:
            typer.main.get_command_from_info = saved

    get_group_from_info.watchbook_patched = True  # type: ignore[attr-defined]
    typer.main.get_group_from_info = get_group_from_info


def _unfiltered_completion() -> None:
    """Offer every candidate a completion callback returns (they match for themselves)."""
    # Typer keeps only those starting with what was typed.
    try:
        import typer.core
        from typer._click.shell_completion import CompletionItem

        original = typer.core._typer_param_setup_autocompletion_compat
    except (ImportError, AttributeError):
        return
    if getattr(original, "watchbook_patched", False):
        return

    def setup(self: Any, *, autocompletion: Any = None) -> None:
        original(self, autocompletion=autocompletion)
        if autocompletion is None or getattr(self, "_custom_shell_complete", None) is None:
            return

        def complete(ctx: Any, param: Any, incomplete: str) -> list[Any]:
            return [
                CompletionItem(item[0], help=item[1])
                if isinstance(item, tuple)
                else CompletionItem(item)
                for item in autocompletion(ctx, [], incomplete)
            ]

        self._custom_shell_complete = complete

    setup.watchbook_patched = True  # type: ignore[attr-defined]
    typer.core._typer_param_setup_autocompletion_compat = setup


def _unfiltered_zsh() -> None:
    """Let zsh offer candidates that do not start with the typed word (it filters otherwise)."""
    try:
        from typer._completion_classes import ZshComplete

        typer_complete = ZshComplete.complete
        if not all(hasattr(ZshComplete, n) for n in ("get_completion_args", "get_completions")):
            return
    except (ImportError, AttributeError):
        return
    if getattr(typer_complete, "watchbook_patched", False):
        return

    def complete(self: Any) -> str:
        args, incomplete = self.get_completion_args()
        items = self.get_completions(args, incomplete)
        if all(item.value.startswith(incomplete) for item in items):
            # Prefix matches (or none: zsh then offers file names): Typer's own answer.
            self.get_completions = lambda _args, _incomplete: items
            return str(typer_complete(self))
        described = " ".join(_zsh_quote(_zsh_describe(item.value, item.help)) for item in items)
        # The script runs `eval $(...)`: one line, every value single-quoted.
        return f"local -a _wb_values; _wb_values=({described}); _describe -V values _wb_values -U"

    complete.watchbook_patched = True  # type: ignore[attr-defined]
    ZshComplete.complete = complete  # type: ignore[method-assign]


def _zsh_describe(value: str, help: str | None) -> str:
    """'value:description' as _describe reads it (a colon in the value escaped)."""
    value = value.replace("\\", "\\\\").replace(":", "\\:")
    return f"{value}:{' '.join(help.split())}" if help else value


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _plain_descriptions() -> None:
    """Candidates' descriptions as written, not rendered through rich."""
    try:
        import typer._completion_classes as classes

        if not callable(classes._sanitize_help_text):
            return
    except (ImportError, AttributeError):
        return
    classes._sanitize_help_text = _as_written


def _as_written(text: str) -> str:
    return text
