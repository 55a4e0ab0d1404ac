"""``pluto reference …``: the administrator's commands for references (transcriptomes for
RNA-seq, genomes for the peak pipelines)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pluto.cli.accounts_commands import open_database, service_call

if TYPE_CHECKING:
    from pluto.server.pipelines.models import Reference

EXISTING = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def reference() -> None:
    """Add and list the references pipelines quantify against or align to.

    \b
    Examples:
      pluto reference add --name GRCh38-tx --organism human \\
          --transcripts tx.fa.gz --gtf genes.gtf.gz
      pluto reference add --name GRCh38 --organism human --genome GRCh38.fa.gz
    """


@reference.command("add")
@click.option("--name", required=True, help="The name runs choose it by.")
@click.option("--organism", required=True, help="The organism's short name (human, mouse…).")
@click.option("--transcripts", type=EXISTING, help="Transcript FASTA (.fa.gz), with --gtf.")
@click.option("--gtf", type=EXISTING, help="The GTF of those transcripts (.gtf.gz).")
@click.option("--genome", type=EXISTING, help="Genome FASTA (.fa.gz), indexed with bowtie2.")
@click.option("--verbose", is_flag=True, help="Show salmon's and bowtie2's output.")
def add_reference(
    name: str,
    organism: str,
    transcripts: Path | None,
    gtf: Path | None,
    genome: Path | None,
    verbose: bool,
) -> None:
    """Add a reference: a transcriptome (--transcripts with --gtf: a salmon index and a
    transcript-to-gene map, for RNA-seq), a genome (--genome: a bowtie2 index, for the peak
    pipelines), or both at once.

    Waits until the indexes are built and stored (seconds for small files; about half an
    hour for a human transcriptome, hours for a human genome); the reference is ready to
    choose when this ends.

    \b
    Examples:
      pluto reference add --name GRCh38-tx --organism human \\
          --transcripts tx.fa.gz --gtf genes.gtf.gz
      pluto reference add --name GRCh38 --organism human --genome GRCh38.fa.gz
    """
    open_database()
    from pluto.server.pipelines.references import add_reference as add
    from pluto.server.pipelines.references import clean_files

    # Refused before saying what will be indexed, so nothing reads as if it had started.
    service_call(clean_files, transcripts, gtf, genome)
    click.echo(indexing_line(transcripts, genome))
    log = (lambda line: click.echo(f"  {line}", err=True)) if verbose else (lambda _line: None)
    files = {"transcripts": transcripts, "gtf": gtf, "genome": genome}
    added = service_call(add, name, organism, **files, log=log)
    click.echo(
        f"Added {added.name} ({added.organism.shortname}): {built(added)}, indexed with "
        f"{added.indexer}; ready."
    )


def indexing_line(transcripts: Path | None, genome: Path | None) -> str:
    """What is about to be indexed, and with which tool."""
    parts = [f"{transcripts.name} with salmon"] if transcripts else []
    parts += [f"{genome.name} with bowtie2"] if genome else []
    return f"Indexing {' and '.join(parts)}…"


def built(reference: Reference) -> str:
    """What a ready reference holds: ``270 transcripts of 150 genes and a genome of …``."""
    parts = []
    if reference.holds_transcriptome:
        parts.append(f"{reference.transcripts} transcripts of {reference.genes} genes")
    if reference.holds_genome:
        parts.append(f"a genome of {genome_contents(reference)}")
    return " and ".join(parts)


def genome_contents(reference: Reference) -> str:
    """``3 sequences, 12,000 bases`` (bases that are not N)."""
    return f"{reference.sequences:,} sequences, {reference.genome_size:,} bases"


def contents(reference: Reference) -> str:
    """What ``reference list`` shows a reference holds."""
    parts = []
    if reference.holds_transcriptome:
        parts.append(f"{reference.transcripts} transcripts, {reference.genes} genes")
    if reference.holds_genome:
        parts.append(genome_contents(reference))
    return "; ".join(parts)


@reference.command("list")
def list_references() -> None:
    """List the references with their status and what they hold (genome sizes count the
    bases that are not N).

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
        # Only a ready reference holds anything; the others say why they do not.
        held = contents(item) if item.status == "ready" else ""
        reason = f"({item.error})" if item.error else ""
        columns = [item.name, item.organism.shortname, item.kind, item.status, held, reason]
        click.echo("  ".join(column for column in columns if column))
