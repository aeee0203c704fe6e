"""Commands: search, link, unlink, check and reindex. Importing this module registers them on the app in cli.py."""

from __future__ import annotations

import typer

from watchbook.cli import (
    KIND_FILTER,
    MIN_SCORE_FILTER,
    STATUS_FILTER,
    TAG_FILTER,
    app,
    complete_entry,
    state,
)


@app.command()
def search(
    ctx: typer.Context,
    query: str = typer.Argument(
        ..., help="Words of a title, alias, creator, tag, verdict or review; typos are fine."
    ),
    limit: int = typer.Option(10, "--limit", "-n", help="At most this many results."),
    kind: str | None = KIND_FILTER,
    status: str | None = STATUS_FILTER,
    tag: str | None = TAG_FILTER,
    min_score: float | None = MIN_SCORE_FILTER,
    as_json: bool = typer.Option(False, "--json", help="Print a JSON array, best first."),
) -> None:
    """Find entries by what you remember of them, best match first (exit 1 when none).

    Example: watchbook search "sidnoia"
    """
    from watchbook.entry import KINDS, STATUSES, check_choice
    from watchbook.errors import InvalidValue
    from watchbook.render import print_json, print_search
    from watchbook.search import describe, search_journal

    if limit < 1:
        raise InvalidValue("--limit", f"must be at least 1 (got {limit})")
    kind = check_choice("--kind", kind, KINDS)
    status = check_choice("--status", status, STATUSES)
    st = state(ctx)
    found = st.indexed(
        search_journal, query, kind=kind, status=status, tag=tag, min_score=min_score, limit=limit
    )
    results = []
    for hit, entry in found:
        field, text = describe(hit, entry)
        results.append(
            {
                "slug": entry.slug,
                "title": entry.title,
                "year": entry.year,
                "kind": entry.kind,
                "status": entry.status,
                "score": entry.score,
                "verdict": entry.verdict,
                "path": str(st.journal.path_for(entry.slug)),
                "match": {"field": field, "score": round(hit.score, 1), "text": text},
            }
        )
    if as_json:
        print_json(results)
    else:
        print_search(results)
    if not results:
        raise typer.Exit(1)


@app.command()
def link(
    ctx: typer.Context,
    source: str = typer.Argument(
        ...,
        help="The entry the link starts from (its file is changed).",
        autocompletion=complete_entry,
    ),
    target: str = typer.Argument(
        ..., help="The entry it points to.", autocompletion=complete_entry
    ),
    why: str | None = typer.Option(None, "--why", help="Why they belong together."),
) -> None:
    """Link one entry to another for good (written in the first entry's file).

    Example: watchbook link "Blame!" "Knights of Sidonia" --why "same studio and manga author"
    """
    from watchbook.entry import check_line
    from watchbook.links import add_link
    from watchbook.render import print_line, print_note

    why = check_line("--why", why)
    st = state(ctx)
    first, second = st.find(source, target)
    change = add_link(st.journal, first.slug, second.slug, why)
    messages = {
        "linked": f"Linked {first.label} → {second.label}",
        "updated": f"Updated the link {first.label} → {second.label}",
        "unchanged": f"{first.label} already links to {second.label}",
    }
    print_note(messages[change.action])
    if change.path:
        print_line(str(change.path))


@app.command()
def unlink(
    ctx: typer.Context,
    source: str = typer.Argument(
        ..., help="The entry whose file is changed.", autocompletion=complete_entry
    ),
    target: str = typer.Argument(
        ..., help="The entry it should no longer be linked to.", autocompletion=complete_entry
    ),
) -> None:
    """Remove a link you wrote, or dismiss one the index found so it does not come back.

    Example: watchbook unlink "Blame!" "The Matrix"
    """
    from watchbook.index import derived_pair
    from watchbook.links import remove_link
    from watchbook.render import print_line, print_note

    st = state(ctx)
    # When the index found a link between them, unlinking records a dismissal.
    first, second, derived = st.indexed(derived_pair, source, target)
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


@app.command()
def check(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Read every file and report broken files, links to missing entries and likely duplicates.

    Also lists links the index found that you might want to keep. Exit 0 when there is no
    problem, 1 when there is.

    Example: watchbook check
    """
    from watchbook.index import check_journal
    from watchbook.render import print_check, print_json

    st = state(ctx)
    report = st.indexed(check_journal)
    # The report names every unreadable file already; no separate warnings.
    st.journal.problems.clear()
    if as_json:
        print_json(report)
    else:
        print_check(report)
    if not report["ok"]:
        raise typer.Exit(1)


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the index from the TOML files (never needed: every command keeps it fresh).

    Example: watchbook reindex
    """
    import time

    from watchbook.index import reindex as rebuild
    from watchbook.render import print_line

    st = state(ctx)
    started = time.perf_counter()
    view = st.indexed(rebuild)
    entries, problems, derived = view.counts()
    view.problems()
    seconds = time.perf_counter() - started
    print_line(
        f"Indexed {entries} entries ({problems} unreadable files, {derived} derived link "
        f"facts) in {seconds:.2f}s: {st.journal.state_dir / 'index.sqlite'}"
    )
