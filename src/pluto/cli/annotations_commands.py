"""Client commands for annotation sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json


def show_set(found: dict[str, Any]) -> None:
    """One set as a line: uuid, resolution, clusters, cells and name."""
    clusters = len(found.get("clusters") or [])
    click.echo(
        f"{found['uuid']}  {found['resolution']:>5g}  {clusters:>3} clusters  "
        f"{found.get('cell_count', ''):>7} cells  {found['display_name']}"
    )


@click.group("annotation-sets")
def annotation_sets() -> None:
    """Cell clusters of single-cell experiments.

    \b
    Examples:
      pluto annotation-sets upload PLX140206 clusters.csv --name Leiden --resolution 0.8
      pluto annotation-sets list PLX140206
      pluto annotation-sets cluster PLX140206 SET_UUID 3 --name "NK cells" --color "#aa00ff"
    """


@annotation_sets.command("list")
@click.argument("experiment")
@json_option
@api_command
def list_sets(experiment: str, as_json: bool) -> None:
    """List an experiment's annotation sets (uuid, resolution, clusters, cells, name).

    \b
    Example:
      pluto annotation-sets list PLX140206
    """
    found = make_client().list_annotation_sets(experiment)
    if as_json:
        print_json(found)
        return
    for item in found:
        show_set(item)


@annotation_sets.command("show")
@click.argument("experiment")
@click.argument("set_uuid")
@json_option
@api_command
def show(experiment: str, set_uuid: str, as_json: bool) -> None:
    """Show a set's clusters: number, colour, cells and name.

    \b
    Example:
      pluto annotation-sets show PLX140206 0b6f5c1e-3d0a-4c1e-9a43-2f1d7b0c9e11
    """
    found = make_client().get_annotation_set(experiment, set_uuid)
    if as_json:
        print_json(found)
        return
    show_set(found)
    for cluster in found["clusters"]:
        click.echo(
            f"  {cluster['number']:>4}  {cluster['color']}  {cluster.get('cell_count', ''):>7}  "
            f"{cluster['display_name']}"
        )


@annotation_sets.command("upload")
@click.argument("experiment")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", "display_name", default=None, help="The set's display name.")
@click.option("--resolution", type=float, default=None, help="The clustering resolution.")
@json_option
@api_command
def upload(
    experiment: str, table: Path, display_name: str | None, resolution: float | None, as_json: bool
) -> None:
    """Add a set from a CSV with cell_id and cluster columns; prints its uuid.

    \b
    Example:
      pluto annotation-sets upload PLX140206 clusters.csv --name "Leiden 0.5" --resolution 0.5
    """
    created = make_client().create_annotation_set(
        experiment, table, display_name=display_name, resolution=resolution
    )
    if as_json:
        print_json(created)
        return
    click.echo(created["uuid"])


@annotation_sets.command("cells")
@click.argument("experiment")
@click.argument("set_uuid")
@json_option
@api_command
def cells(experiment: str, set_uuid: str, as_json: bool) -> None:
    """Print every cell's cluster as CSV (cell_id,cluster_number).

    \b
    Example:
      pluto annotation-sets cells PLX140206 0b6f5c1e-3d0a-4c1e-9a43-2f1d7b0c9e11 > cells.csv
    """
    found = make_client().list_annotations(experiment, set_uuid)
    if as_json:
        print_json(found)
        return
    click.echo("cell_id,cluster_number")
    for cell in found:
        click.echo(f"{cell['cell_id']},{cell['cluster_number']}")


@annotation_sets.command("cluster")
@click.argument("experiment")
@click.argument("set_uuid")
@click.argument("cluster")
@click.option("--name", "display_name", default=None, help="A new display name.")
@click.option("--color", default=None, help="A new colour, #rrggbb.")
@json_option
@api_command
def cluster(
    experiment: str,
    set_uuid: str,
    cluster: str,
    display_name: str | None,
    color: str | None,
    as_json: bool,
) -> None:
    """Rename or recolour a CLUSTER (its number or uuid).

    \b
    Example:
      pluto annotation-sets cluster PLX140206 SET_UUID 3 --name "T cells" --color "#1f77b4"
    """
    if display_name is None and color is None:
        raise click.UsageError("Give --name, --color or both.")
    changed = make_client().update_cluster(
        experiment, set_uuid, cluster, display_name=display_name, color=color
    )
    if as_json:
        print_json(changed)
        return
    click.echo(f"{changed['number']}  {changed['color']}  {changed['display_name']}")


COMMANDS: list[click.Command] = [annotation_sets]
