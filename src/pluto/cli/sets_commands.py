"""Client commands for biomarker and biomodel sets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pluto.cli.client_support import api_command, json_option, make_client, print_json

TARGET_TYPES = ("gene", "protein", "metabolite", "other")
COLUMN_TYPES = ("text", "number", "boolean", "date")


def show_set(found: dict[str, Any]) -> None:
    """One biomarker set as a line: uuid, kind, size and name."""
    size = found.get("biomarker_count", found.get("biomodel_count", ""))
    kind = found.get("target_type", "table")
    click.echo(f"{found['uuid']}  {kind:<10}  {size:>6}  {found['name']}")


@click.group("biomarker-sets")
def biomarker_sets() -> None:
    """Lists of genes, proteins or metabolites shared in your organization.

    \b
    Examples:
      pluto biomarker-sets create "Hypoxia genes" --organism human
      pluto biomarker-sets add SET_UUID HIF1A VEGFA EPAS1
      pluto biomarker-sets upload SET_UUID genes.csv
    A gene set can then be used in analyses as the gene set collection
    biomarker_set:SET_UUID.
    """


@biomarker_sets.command("list")
@click.option("--search", default=None, help="Only sets whose name or description has this.")
@json_option
@api_command
def list_biomarker_sets(search: str | None, as_json: bool) -> None:
    """List the biomarker sets you can use (uuid, kind, size, name).

    \b
    Example:
      pluto biomarker-sets list --search hypoxia
    """
    found = make_client().list_biomarker_sets(search=search)
    if as_json:
        print_json(found)
        return
    for item in found:
        show_set(item)


@biomarker_sets.command("create")
@click.argument("name")
@click.option("--target-type", type=click.Choice(TARGET_TYPES), default="gene", show_default=True)
@click.option("--organism", "organism", default="", help="Organism short name, e.g. human.")
@click.option("--description", default="")
@json_option
@api_command
def create_biomarker_set(
    name: str, target_type: str, organism: str, description: str, as_json: bool
) -> None:
    """Create a biomarker set called NAME; prints its uuid.

    \b
    Example:
      pluto biomarker-sets create "Hypoxia genes" --target-type gene
    """
    created = make_client().create_biomarker_set(
        name, target_type=target_type, organism_shortname=organism, description=description
    )
    if as_json:
        print_json(created)
        return
    click.echo(created["uuid"])


@biomarker_sets.command("add")
@click.argument("set_uuid")
@click.argument("names", nargs=-1, required=True)
@json_option
@api_command
def add_biomarkers(set_uuid: str, names: tuple[str, ...], as_json: bool) -> None:
    """Add biomarkers NAMES to the set (names already in it are skipped).

    \b
    Example:
      pluto biomarker-sets add <set-uuid> VEGFA HIF1A
    """
    result = make_client().add_biomarkers(set_uuid, names)
    if as_json:
        print_json(result)
        return
    click.echo(
        f"Added {result['added']}, skipped {result['skipped']}; the set has {result['count']}."
    )


@biomarker_sets.command("upload")
@click.argument("set_uuid")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@api_command
def upload_biomarkers(set_uuid: str, csv_file: Path, as_json: bool) -> None:
    """Add the rows of CSV_FILE (with a 'name' column) to the set.

    \b
    Example:
      pluto biomarker-sets upload <set-uuid> genes.csv
    """
    result = make_client().upload_biomarker_csv(set_uuid, csv_file)
    if as_json:
        print_json(result)
        return
    click.echo(
        f"Added {result['added']}, skipped {result['skipped']}; the set has {result['count']}."
    )


@biomarker_sets.command("show")
@click.argument("set_uuid")
@json_option
@api_command
def show_biomarkers(set_uuid: str, as_json: bool) -> None:
    """List the biomarkers of a set, one name a line.

    \b
    Example:
      pluto biomarker-sets show <set-uuid>
    """
    found = make_client().list_biomarkers(set_uuid)
    if as_json:
        print_json(found)
        return
    for item in found:
        click.echo(item["name"])


@biomarker_sets.command("download")
@click.argument("set_uuid")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@api_command
def download_biomarker_set(set_uuid: str, path: Path | None) -> None:
    """Save the set as a CSV (to PATH, or a file named after the set).

    \b
    Example:
      pluto biomarker-sets download <set-uuid> hypoxia.csv
    """
    click.echo(make_client().download_biomarker_set(set_uuid, path))


@biomarker_sets.command("archive")
@click.argument("set_uuid")
@api_command
def archive_biomarker_set(set_uuid: str) -> None:
    """Archive a biomarker set.

    \b
    Example:
      pluto biomarker-sets archive <set-uuid>
    """
    archived = make_client().archive_biomarker_set(set_uuid)
    click.echo(f"Archived {archived['name']}.")


def parse_column(text: str) -> tuple[str, str]:
    """``name:type`` as a column; a plain name is a text column."""
    name, _, kind = text.partition(":")
    kind = kind or "text"
    if not name or kind not in COLUMN_TYPES:
        raise click.BadParameter(
            f"{text!r}: write NAME:TYPE, TYPE one of {', '.join(COLUMN_TYPES)}."
        )
    return name, kind


@click.group("biomodel-sets")
def biomodel_sets() -> None:
    """Reference tables (cell lines, patients, cohorts) with declared columns.

    \b
    Examples:
      pluto biomodel-sets create "Cell lines" cell_line doubling_hours:number
      pluto biomodel-sets upload SET_UUID lines.csv
    """


@biomodel_sets.command("list")
@json_option
@api_command
def list_biomodel_sets(as_json: bool) -> None:
    """List the biomodel sets you can use (uuid, rows, name).

    \b
    Example:
      pluto biomodel-sets list
    """
    found = make_client().list_biomodel_sets()
    if as_json:
        print_json(found)
        return
    for item in found:
        show_set(item)


@biomodel_sets.command("create")
@click.argument("name")
@click.argument("columns", nargs=-1, required=True)
@json_option
@api_command
def create_biomodel_set(name: str, columns: tuple[str, ...], as_json: bool) -> None:
    """Create a biomodel set NAME with COLUMNS written NAME:TYPE (text, number, boolean, date).

    \b
    Example:
      pluto biomodel-sets create "Cell lines" name:text passage:number
    """
    created = make_client().create_biomodel_set(name, [parse_column(c) for c in columns])
    if as_json:
        print_json(created)
        return
    click.echo(created["uuid"])


@biomodel_sets.command("upload")
@click.argument("set_uuid")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@api_command
def upload_biomodels(set_uuid: str, csv_file: Path) -> None:
    """Add the rows of CSV_FILE, whose header names the set's columns.

    \b
    Example:
      pluto biomodel-sets upload <set-uuid> cell_lines.csv
    """
    result = make_client().upload_biomodel_csv(set_uuid, csv_file)
    click.echo(f"Added {result['added']}; the set has {result['count']} rows.")


@biomodel_sets.command("show")
@click.argument("set_uuid")
@json_option
@api_command
def show_biomodels(set_uuid: str, as_json: bool) -> None:
    """Print the rows of a biomodel set as CSV-like lines.

    \b
    Example:
      pluto biomodel-sets show <set-uuid>
    """
    client = make_client()
    headers = [column["name"] for column in client.biomodel_columns(set_uuid)]
    rows = client.list_biomodels(set_uuid)
    if as_json:
        print_json(rows)
        return
    click.echo(",".join(headers))
    for row in rows:
        click.echo(",".join("" if row.get(h) is None else str(row.get(h)) for h in headers))


COMMANDS: list[click.Command] = [biomarker_sets, biomodel_sets]
