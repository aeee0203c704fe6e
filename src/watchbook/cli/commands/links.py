"""Commands: link and unlink."""

from __future__ import annotations

import typer

from watchbook.cli.options import query_argument, state
from watchbook.cli.values import LINE

commands = typer.Typer()


@commands.command()
def link(
    ctx: typer.Context,
    source: str = query_argument("The entry the link starts from (its file is changed)."),
    target: str = query_argument("The entry it points to."),
    why: str | None = typer.Option(
        None, "--why", help="Why they belong together.", click_type=LINE
    ),
) -> None:
    """Link one entry to another for good (written in the first entry's file).

    Example: watchbook link "Blame!" "Knights of Sidonia" --why "same studio and manga author"
    """
    from watchbook.links import add_link
    from watchbook.render.output import print_line, print_note

    st = state(ctx)
    first, second = st.find(source, target, changes=True)
    change = add_link(st.journal, first.slug, second.slug, why)
    messages = {
        "linked": f"Linked {first.label} → {second.label}",
        "updated": f"Updated the link {first.label} → {second.label}",
        "unchanged": f"{first.label} already links to {second.label}",
    }
    print_note(messages[change.action])
    if change.path:
        print_line(str(change.path))


@commands.command()
def unlink(
    ctx: typer.Context,
    source: str = query_argument("The entry whose file is changed."),
    target: str = query_argument("The entry it should no longer be linked to."),
) -> None:
    """Remove a link you wrote, or dismiss one the index found so it does not come back.

    Example: watchbook unlink "Blame!" "The Matrix"
    """
    from watchbook.index.queries import derived_pair
    from watchbook.links import remove_link
    from watchbook.render.output import print_line, print_note

    st = state(ctx)
    first, second = st.find(source, target, changes=True)
    # When the index found a link between them, unlinking records a dismissal.
    first, second, derived = st.indexed(derived_pair, first.slug, second.slug)
    change = remove_link(st.journal, first.slug, second.slug, derived)
    messages = {
        "unlinked": f"Removed the link {first.label} → {second.label}",
        "dismissed": f"Unlinked {first.label} and {second.label} "
        f"(recorded in {first.slug}.toml, so the index will not link them again)",
        "already-dismissed": f"{first.label} and {second.label} are already unlinked",
    }
    if change.action == "dismissed" and change.removed:
        print_note(f"Removed the link {first.label} → {second.label}")
    print_note(messages[change.action])
    if any(link.to == first.slug for link in second.links):
        print_note(
            f"{second.label} links to {first.label} in its own file; "
            f"`watchbook unlink {second.slug} {first.slug}` removes that one"
        )
    if change.path:
        print_line(str(change.path))
