"""Genome FASTA files: checking one (its records, names and letters) and indexing it with
bowtie2 for the peak pipelines, which align reads to a genome.

The check reads the whole file before bowtie2-build starts, so a file that is not a genome
is refused in seconds, naming the record and line, instead of after an hour of indexing.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pluto.server.errors import InvalidInput
from pluto.server.pipelines.tools import run_tool, threads

# IUPAC nucleotide codes (U for RNA, N for unknown, the rest for ambiguous bases).
NOT_NUCLEOTIDE = re.compile(r"[^ACGTUNRYSWKMBDHV]", re.IGNORECASE)
INDEX_NAME = "genome"
GENOME_INDEX_FILE = "bowtie2_index.tar"


@dataclass
class GenomeSummary:
    """What a genome FASTA holds: each sequence's length by name (in file order), and its
    bases that are not N."""

    lengths: dict[str, int] = field(default_factory=dict)
    size: int = 0


def refuse(message: str) -> InvalidInput:
    """A refusal of the genome file."""
    return InvalidInput(f"'genome' {message}", details={"field": "genome"})


def read_header(line: str, number: int, summary: GenomeSummary) -> str:
    """The name a header line gives its record (its first word), checked to be new."""
    words = line[1:].split()
    if not words:
        raise refuse(f"line {number} is a header ('>') without a sequence name.")
    name = words[0]
    if name in summary.lengths:
        raise refuse(f"names the sequence {name!r} twice (again on line {number}).")
    summary.lengths[name] = 0
    return name


def read_bases(line: str, number: int, name: str | None, summary: GenomeSummary) -> None:
    """Count a sequence line's bases, refusing letters that are not nucleotides."""
    if name is None:
        raise refuse(f"line {number} comes before any '>' header: this is not a FASTA file.")
    wrong = NOT_NUCLEOTIDE.search(line)
    if wrong:
        raise refuse(
            f"record {name!r}, line {number}: {wrong.group()!r} is not a nucleotide "
            "(IUPAC letters ACGTUNRYSWKMBDHV only)."
        )
    summary.lengths[name] += len(line)
    summary.size += len(line) - line.count("N") - line.count("n")


def summarize_genome(lines: Iterable[str]) -> GenomeSummary:
    """Check a genome FASTA's lines; its sequences and size (``InvalidInput`` naming
    ``genome`` with the record and line of the first problem)."""
    summary = GenomeSummary()
    name: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.startswith(">"):
            name = read_header(line, number, summary)
        elif line:
            read_bases(line, number, name, summary)
    check_not_empty(summary)
    return summary


def check_not_empty(summary: GenomeSummary) -> None:
    """A genome has records, each with bases (bowtie2-build cannot index empty ones)."""
    if not summary.lengths:
        raise refuse("holds no FASTA record (no line starts with '>').")
    empty = [name for name, length in summary.lengths.items() if length == 0]
    if empty:
        raise refuse(f"record {empty[0]!r} has no bases.")


def build_genome_index(
    genome: Path, gzipped: bool, folder: Path, log: Callable[[str], None]
) -> Path:
    """Index the genome with bowtie2 in ``folder``; the index as one tar archive."""
    # bowtie2-build tells a gzipped file by its name, so it reads a link named for what it is.
    source = folder / ("genome.fa.gz" if gzipped else "genome.fa")
    source.symlink_to(genome.resolve())
    index = folder / "index"
    index.mkdir()
    args: list[str | Path] = ["bowtie2-build", "--threads", str(threads()), source]
    run_tool([*args, index / INDEX_NAME], f"indexing {genome.name}", log, folder)
    archive = folder / GENOME_INDEX_FILE
    with tarfile.open(archive, "w") as tar:
        tar.add(index, arcname="index")
    return archive
