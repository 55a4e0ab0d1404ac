"""``pluto reference …``: the administrator's commands for transcriptome references."""

from __future__ import annotations

from pathlib import Path

import click

from pluto.cli.accounts_commands import open_database, service_call

EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def reference() -> None:
    """Add and list the references pipelines quantify against.

    \b
    Example:
      pluto reference add --name GRCh38-tx --organism human \\
          --transcripts tx.fa.gz --gtf genes.gtf.gz
    """


@reference.command("add")
@click.option("--name", required=True, help="The name runs choose it by.")
@click.option("--organism", required=True, help="The organism's short name (human, mouse…).")
@click.option("--transcripts", required=True, type=EXISTING, help="Transcript FASTA (.fa.gz).")
@click.option("--gtf", required=True, type=EXISTING, help="The matching GTF (.gtf.gz).")
@click.option("--verbose", is_flag=True, help="Show salmon's output while it indexes.")
def add_reference(name: str, organism: str, transcripts: Path, gtf: Path, verbose: bool) -> None:
    """Add a transcriptome reference: build its salmon index and transcript-to-gene map.

    Waits until the index is built and stored (seconds for a small transcriptome, about
    half an hour for a human one); the reference is ready to choose when this ends.

    \b
    Example:
      pluto reference add --name GRCh38-tx --organism human \\
          --transcripts tx.fa.gz --gtf genes.gtf.gz
    """
    open_database()
    from pluto.server.pipelines.references import add_reference as add

    click.echo(f"Indexing {transcripts.name} with salmon…")
    log = (lambda line: click.echo(f"  {line}", err=True)) if verbose else (lambda _line: None)
    added = service_call(add, name, organism, transcripts, gtf, log)
    click.echo(
        f"Added {added.name} ({added.organism.shortname}): {added.transcripts} transcripts of "
        f"{added.genes} genes, indexed with {added.indexer}; ready."
    )


@reference.command("list")
def list_references() -> None:
    """List the references with their status.

    \b
    Example:
      pluto reference list
    """
    open_database()
    from pluto.server.pipelines.references import all_references

    found = list(all_references())
    if not found:
        click.echo("No references.")
    for item in found:
        reason = f"  ({item.error})" if item.error else ""
        click.echo(
            f"{item.name}  {item.organism.shortname}  {item.kind}  {item.status}  "
            f"{item.transcripts} transcripts, {item.genes} genes{reason}"
        )
