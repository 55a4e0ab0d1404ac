"""Client commands for search."""

from __future__ import annotations

from typing import Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json


def show_match(item: dict[str, Any]) -> None:
    """One match as a line: Pluto id, name and where the words were found."""
    where = ", ".join(item.get("matched") or [])
    click.echo(f"{item['pluto_id']:<10}  {item['name']}" + (f"  ({where})" if where else ""))


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["experiments", "projects"]),
    default="experiments",
    show_default=True,
)
@click.option(
    "--public",
    "public",
    is_flag=True,
    help="Only what is public (default: everything you may see).",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=24, show_default=True)
@json_option
@api_command
def search(query: tuple[str, ...], kind: str, public: bool, limit: int, as_json: bool) -> None:
    """Find experiments (or projects) by name, description, id or sample values.

    \b
    Examples:
      pluto search liver organoids
      pluto search PLX140206
      pluto search --type projects atlas
    """
    access = "public" if public else "shareable"
    page = make_client().search(" ".join(query), type=kind, access=access, limit=limit)
    if as_json:
        print_json(page)
        return
    for item in page["items"]:
        show_match(item)
    shown, count = len(page["items"]), page["count"]
    click.echo(
        f"{count} match{'es' if count != 1 else ''}"
        + (f" (showing {shown})" if shown < count else ""),
        err=True,
    )


COMMANDS: list[click.Command] = [search]
