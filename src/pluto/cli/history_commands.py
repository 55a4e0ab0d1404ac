"""Client commands for an experiment's history."""

from __future__ import annotations

from typing import Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json


def when(moment: Any) -> str:
    """A moment as ``YYYY-MM-DD HH:MM`` (UTC), empty when unknown."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


@click.command("history")
@click.argument("experiment")
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Show at most this many events."
)
@json_option
@api_command
def history_command(experiment: str, limit: int | None, as_json: bool) -> None:
    """Show who changed an experiment, what and when, newest first.

    EXPERIMENT is its PLX id or UUID. Uploads, new table versions, analyses, plot
    changes, files, sharing and edits are all listed.

    \b
    Example:
      pluto history PLX140206 --limit 20
    """
    events = make_client().experiment_history(experiment, limit=limit)
    if as_json:
        print_json([event.raw for event in events])
        return
    for event in events:
        who = event.actor_email or "Pluto"
        click.echo(f"{when(event.created_at)}  {who}  {event.description}")


COMMANDS: list[click.Command] = [history_command]
