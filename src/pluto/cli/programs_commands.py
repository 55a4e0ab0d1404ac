"""Client commands for research programs."""

from __future__ import annotations

from typing import Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json


@click.command("programs")
@click.option("--search", default=None, help="Only programs whose name, goal or labels match.")
@json_option
@api_command
def programs_command(search: str | None, as_json: bool) -> None:
    """List the research programs you can see, newest first.

    \b
    Example:
      pluto programs --search KRAS
    """
    programs = make_client().programs(search=search)
    if as_json:
        print_json([program.raw for program in programs])
        return
    if not programs:
        click.echo("No programs.")
    for program in programs:
        labels = f"  [{', '.join(program.labels)}]" if program.labels else ""
        click.echo(f"{program.uuid}  {program.status:<8}  {program.name}{labels}")


def dimension_lines(dimension: dict[str, Any]) -> list[str]:
    """A dimension and the evidence under it, as lines of text."""
    count = dimension.get("evidence_count", 0)
    lines = [f"  {dimension.get('name')} ({dimension.get('key')}): {count} evidence"]
    for asset in dimension.get("evidence") or []:
        where = asset.get("experiment", {}).get("pluto_id", "")
        lines.append(f"    - {asset.get('kind')}: {asset.get('name')} ({where})")
    return lines


@click.command("program")
@click.argument("program")
@json_option
@api_command
def program_command(program: str, as_json: bool) -> None:
    """Show a program: its goal, its framework's dimensions with their evidence, and its gaps.

    PROGRAM is the program's uuid (see `pluto programs`).

    \b
    Example:
      pluto program 3f2b6c9e-5d1a-4f7e-9c1b-2a6d8e4f0b17
    """
    client = make_client()
    found = client.program(program)
    summary = client.program_framework_summary(found.uuid)
    if as_json:
        print_json({"program": found.raw, "summary": summary})
        return
    click.echo(f"{found.name} ({found.status}, {found.program_type})")
    if found.goal:
        click.echo(f"Goal: {found.goal}")
    version = summary.get("current_version")
    click.echo(f"Framework version {version or '-'}:")
    for dimension in summary.get("dimensions") or []:
        for line in dimension_lines(dimension):
            click.echo(line)
    gaps = [d["name"] for d in summary.get("dimensions") or [] if not d.get("covered")]
    click.echo(f"Coverage gaps: {', '.join(gaps) if gaps else 'none'}")


COMMANDS: list[click.Command] = [programs_command, program_command]
