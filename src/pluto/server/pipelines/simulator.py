"""Simulated bulk RNA-seq with known truth: a tiny made-up transcriptome and paired-end reads.

A fixed seed makes the same genome, the same abundances and the same reads every time, so
the pipeline's results can be checked against what was planted: each sample's transcript
TPMs and the number of fragments drawn from each transcript.

Genes have two to four exons of random sequence and one to three transcripts (the first
with every exon, the others skipping one exon), laid out on one made-up chromosome; the GTF
describes them as Ensembl's does (``gene``, ``transcript`` and ``exon`` lines). Fragments
are drawn in proportion to TPM times effective length, as quantifiers model them, and read
from both ends, from either strand, with a few substitution errors.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

SEED = 13
READ_LENGTH = 75
FRAGMENT_MEAN = 200
FRAGMENT_SD = 20
ERROR_RATE = 0.002
INTRON = 200
BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
COMPLEMENT = np.zeros(256, dtype=np.uint8)
COMPLEMENT[np.frombuffer(b"ACGT", dtype=np.uint8)] = np.frombuffer(b"TGCA", dtype=np.uint8)


@dataclass(frozen=True)
class Transcript:
    """One transcript: its id, its gene and its exons (start, end on the chromosome)."""

    id: str
    gene_id: str
    exons: tuple[tuple[int, int], ...]
    sequence: bytes


@dataclass
class Transcriptome:
    """The made-up genome's transcripts, in gene order."""

    chromosome: bytes
    transcripts: list[Transcript] = field(default_factory=list)

    @property
    def gene_ids(self) -> list[str]:
        """Every gene id, in order."""
        return list(dict.fromkeys(t.gene_id for t in self.transcripts))


@dataclass
class SampleTruth:
    """What was planted in one sample: TPM and fragments drawn, per transcript."""

    tpm: dict[str, float]
    fragments: dict[str, int]
    fastq_1: Path
    fastq_2: Path


@dataclass
class SimulatedExperiment:
    """The reference files and each sample's reads with its truth."""

    transcriptome: Transcriptome
    transcripts_fasta: Path
    gtf: Path
    samples: dict[str, SampleTruth]

    def gene_of(self) -> dict[str, str]:
        """Transcript id to gene id."""
        return {t.id: t.gene_id for t in self.transcriptome.transcripts}

    def gene_fragments(self, sample: str) -> dict[str, float]:
        """Fragments drawn per gene in a sample."""
        return sum_by_gene(self.samples[sample].fragments, self.gene_of())

    def gene_tpm(self, sample: str) -> dict[str, float]:
        """True TPM per gene in a sample (the sum of its transcripts')."""
        return sum_by_gene(self.samples[sample].tpm, self.gene_of())


def sum_by_gene(values: Mapping[str, float], gene_of: dict[str, str]) -> dict[str, float]:
    """Per-transcript values summed per gene."""
    totals: dict[str, float] = {}
    for transcript, value in values.items():
        totals[gene_of[transcript]] = totals.get(gene_of[transcript], 0) + value
    return totals


def random_bases(rng: np.random.Generator, length: int) -> bytes:
    """``length`` random nucleotides."""
    return BASES[rng.integers(0, 4, length)].tobytes()


def gene_transcripts(
    rng: np.random.Generator, gene_id: str, exons: list[tuple[int, int]], chromosome: bytes
) -> list[Transcript]:
    """One to three transcripts of a gene: all exons, then each skipping one inner exon."""
    layouts = [list(range(len(exons)))]
    skippable = list(range(1, len(exons) - 1)) or list(range(1, len(exons)))
    for skipped in rng.permutation(skippable)[: int(rng.integers(0, 3))]:
        layouts.append([i for i in range(len(exons)) if i != skipped])
    transcripts = []
    for number, layout in enumerate(layouts, start=1):
        chosen = tuple(exons[i] for i in layout)
        sequence = b"".join(chromosome[start - 1 : end] for start, end in chosen)
        transcripts.append(Transcript(f"{gene_id}-T{number}", gene_id, chosen, sequence))
    return transcripts


def make_transcriptome(genes: int = 150, seed: int = SEED) -> Transcriptome:
    """A made-up chromosome with ``genes`` genes of one to three transcripts each."""
    rng = np.random.default_rng(seed)
    pieces: list[bytes] = []
    layout: list[tuple[str, list[tuple[int, int]]]] = []
    position = 1
    for number in range(1, genes + 1):
        exons = []
        for _ in range(int(rng.integers(2, 5))):
            length = int(rng.integers(150, 600))
            pieces += [random_bases(rng, INTRON), random_bases(rng, length)]
            exons.append((position + INTRON, position + INTRON + length - 1))
            position += INTRON + length
        layout.append((f"SIMG{number:04d}", exons))
    chromosome = b"".join(pieces)
    transcriptome = Transcriptome(chromosome)
    for gene_id, exons in layout:
        transcriptome.transcripts += gene_transcripts(rng, gene_id, exons, chromosome)
    return transcriptome


def gtf_lines(transcriptome: Transcriptome) -> list[str]:
    """The transcriptome as GTF lines (gene, transcript, exon)."""
    lines, seen = [], set()
    for t in transcriptome.transcripts:
        tags = f'gene_id "{t.gene_id}"; gene_name "{t.gene_id}";'
        if t.gene_id not in seen:
            seen.add(t.gene_id)
            ends = [e for x in transcriptome.transcripts if x.gene_id == t.gene_id for e in x.exons]
            span = (min(s for s, _ in ends), max(e for _, e in ends))
            lines.append(f"chrSim\tsimulated\tgene\t{span[0]}\t{span[1]}\t.\t+\t.\t{tags}")
        tags += f' transcript_id "{t.id}";'
        start, end = t.exons[0][0], t.exons[-1][1]
        lines.append(f"chrSim\tsimulated\ttranscript\t{start}\t{end}\t.\t+\t.\t{tags}")
        for number, (s, e) in enumerate(t.exons, start=1):
            lines.append(
                f'chrSim\tsimulated\texon\t{s}\t{e}\t.\t+\t.\t{tags} exon_number "{number}";'
            )
    return lines


def write_gzip(path: Path, data: bytes, level: int = 9) -> Path:
    """Write ``data`` gzipped, with no timestamp, so the same input makes the same bytes.

    A lower ``level`` writes much faster: random bases hardly compress at any level.
    """
    with (
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=level) as out,
    ):
        out.write(data)
    return path


def write_reference(transcriptome: Transcriptome, folder: Path) -> tuple[Path, Path]:
    """``(transcripts.fa.gz, genes.gtf.gz)`` in ``folder``."""
    fasta = b"".join(
        b">" + t.id.encode() + b"\n" + t.sequence + b"\n" for t in transcriptome.transcripts
    )
    gtf = ("\n".join(gtf_lines(transcriptome)) + "\n").encode()
    return (
        write_gzip(folder / "transcripts.fa.gz", fasta),
        write_gzip(folder / "genes.gtf.gz", gtf),
    )


def true_abundances(rng: np.random.Generator, count: int, base: np.ndarray) -> np.ndarray:
    """A sample's TPMs: the shared base levels changed by a per-sample factor, summing to 1e6."""
    levels = base * rng.lognormal(0.0, 0.4, count)
    return levels / levels.sum() * 1e6


def effective_lengths(transcriptome: Transcriptome) -> np.ndarray:
    """Each transcript's length less the mean fragment's, at least one."""
    lengths = np.array([len(t.sequence) for t in transcriptome.transcripts], dtype=float)
    return np.maximum(lengths - FRAGMENT_MEAN + 1, 1.0)


def mutate(rng: np.random.Generator, reads: np.ndarray) -> np.ndarray:
    """Substitute a random base at a few positions (sequencing errors)."""
    errors = rng.random(reads.shape) < ERROR_RATE
    reads[errors] = BASES[rng.integers(0, 4, int(errors.sum()))]
    return reads


def fastq_bytes(name: str, mate: int, reads: np.ndarray) -> bytes:
    """FASTQ records ``@<name>.<i>/<mate>`` with a constant high quality."""
    quality = b"F" * reads.shape[1]
    return b"".join(
        b"@%s.%d/%d\n%s\n+\n%s\n" % (name.encode(), i, mate, row.tobytes(), quality)
        for i, row in enumerate(reads, start=1)
    )


def draw_reads(
    rng: np.random.Generator, transcriptome: Transcriptome, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Both mates of one fragment per entry of ``chosen`` (transcript indexes)."""
    sequences = [np.frombuffer(t.sequence, dtype=np.uint8) for t in transcriptome.transcripts]
    offsets = np.cumsum([0] + [len(s) for s in sequences])
    joined = np.concatenate(sequences)
    lengths = np.diff(offsets)[chosen]
    fragment = np.clip(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, len(chosen)).astype(int), 100, None)
    fragment = np.minimum(fragment, lengths)
    start = offsets[chosen] + (rng.random(len(chosen)) * (lengths - fragment + 1)).astype(int)
    steps = np.arange(READ_LENGTH)
    left = joined[start[:, None] + steps]
    right = COMPLEMENT[joined[(start + fragment - 1)[:, None] - steps]]
    flip = rng.random(len(chosen)) < 0.5  # fragments of either strand (unstranded library)
    first = np.where(flip[:, None], right, left)
    second = np.where(flip[:, None], left, right)
    return mutate(rng, first), mutate(rng, second)


def simulate_sample(
    rng: np.random.Generator,
    transcriptome: Transcriptome,
    tpm: np.ndarray,
    fragments: int,
    stem: Path,
) -> SampleTruth:
    """Draw ``fragments`` fragments and write ``<stem>_R1.fastq.gz`` and ``_R2``."""
    weights = tpm * effective_lengths(transcriptome)
    drawn = rng.multinomial(fragments, weights / weights.sum())
    chosen = rng.permutation(np.repeat(np.arange(len(drawn)), drawn))
    first, second = draw_reads(rng, transcriptome, chosen)
    ids = [t.id for t in transcriptome.transcripts]
    return SampleTruth(
        tpm=dict(zip(ids, tpm.tolist(), strict=True)),
        fragments=dict(zip(ids, drawn.tolist(), strict=True)),
        fastq_1=write_gzip(Path(f"{stem}_R1.fastq.gz"), fastq_bytes(stem.name, 1, first)),
        fastq_2=write_gzip(Path(f"{stem}_R2.fastq.gz"), fastq_bytes(stem.name, 2, second)),
    )


def simulate_experiment(
    folder: Path,
    samples: tuple[str, ...] = ("S1", "S2", "S3"),
    fragments: int = 30_000,
    genes: int = 150,
    seed: int = SEED,
) -> SimulatedExperiment:
    """The reference and each sample's paired-end reads in ``folder``, with their truth."""
    folder.mkdir(parents=True, exist_ok=True)
    transcriptome = make_transcriptome(genes, seed)
    fasta, gtf = write_reference(transcriptome, folder)
    rng = np.random.default_rng(seed + 1)
    count = len(transcriptome.transcripts)
    base = rng.lognormal(3.0, 1.5, count)
    truths = {
        sample: simulate_sample(
            rng, transcriptome, true_abundances(rng, count, base), fragments, folder / sample
        )
        for sample in samples
    }
    return SimulatedExperiment(transcriptome, fasta, gtf, truths)
