"""Simulated peak-type sequencing (ChIP-seq, ATAC-seq, CUT&RUN) with known binding sites.

A fixed seed makes the same genome, the same sites and the same reads every time, so the
peak pipelines' results can be checked against what was planted: the binding sites (a BED
file) and, per sample, how many fragments were drawn from each site.

The genome is a few chromosomes of random sequence, so every read maps to one place. The
sites are the same in every sample; each has a strength of its own (some strong, some weak
but still callable) that every sample changes a little. A sample's fragments are a uniform
background over the genome plus fragments centred on the sites, drawn in proportion to the
sites' strengths and read from both ends, from either strand, with a few substitution
errors. A small share are exact copies of other fragments (PCR duplicates), so duplicate
marking has something to find.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pluto.server.pipelines.simulator import (
    COMPLEMENT,
    fastq_bytes,
    mutate,
    random_bases,
    write_gzip,
)

SEED = 31
CHROMOSOMES = (("chr1", 150_000), ("chr2", 100_000), ("chr3", 60_000))
SITES = 40
SITE_LENGTHS = (200, 500)
# Sites keep this far from a chromosome's ends and from each other, so no fragment of a site
# falls off a chromosome and no two sites merge into one called peak.
MARGIN = 2_000
FRAGMENTS = 30_000
READ_LENGTH = 50
FRAGMENT_MEAN = 180
FRAGMENT_SD = 30
FRAGMENT_MIN = 80
SIGNAL_SHARE = 0.25
# Strengths are log-uniform over this range, so the weakest site gets a quarter of the
# fragments of the strongest: weaker, yet still well above the background.
STRENGTHS = (1.5, 6.0)
SAMPLE_VARIATION = 0.25
DUPLICATE_SHARE = 0.04
FASTA_LINE = 60
# The fastest level: random bases hardly compress at any level, and level 9 is slow on them.
GZIP_LEVEL = 1

Peak = tuple[str, int, int]


@dataclass(frozen=True, order=True)
class Site:
    """A planted binding site: 0-based, half-open, with its relative strength."""

    chrom: str
    start: int
    end: int
    name: str = ""
    strength: float = 1.0


@dataclass
class PeakSampleTruth:
    """One sample's reads and what was planted in them.

    ``fragments`` is the number of read pairs (reads when single-end) in the files, the
    ``duplicates`` among them included; ``fragments_in_sites`` counts, per site name, the
    fragments drawn centred on that site, duplicates not counted.
    """

    fastq_1: Path
    fastq_2: Path | None
    fragments: int
    duplicates: int
    fragments_in_sites: dict[str, int]


@dataclass
class SimulatedPeaks:
    """The genome, the planted sites and each sample's reads with its truth."""

    genome_fasta: Path
    sites: list[Site]
    sites_bed: Path
    samples: dict[str, PeakSampleTruth]
    genome_size: int
    chromosomes: dict[str, int]


@dataclass(frozen=True)
class Genome:
    """The made-up chromosomes joined into one array, with where each starts."""

    names: tuple[str, ...]
    sequence: np.ndarray
    offsets: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """Each chromosome's length."""
        return np.diff(self.offsets)

    def sizes(self) -> dict[str, int]:
        """Chromosome name to length."""
        return dict(zip(self.names, self.lengths.tolist(), strict=True))


def make_genome(rng: np.random.Generator) -> Genome:
    """The chromosomes of ``CHROMOSOMES`` filled with random bases."""
    pieces = [np.frombuffer(random_bases(rng, length), np.uint8) for _, length in CHROMOSOMES]
    offsets = np.cumsum([0] + [length for _, length in CHROMOSOMES])
    names = tuple(name for name, _ in CHROMOSOMES)
    return Genome(names, np.concatenate(pieces), offsets)


def fasta_bytes(genome: Genome) -> bytes:
    """The genome as FASTA, lines of ``FASTA_LINE`` bases."""
    records = []
    for name, start, end in zip(genome.names, genome.offsets, genome.offsets[1:], strict=False):
        bases = genome.sequence[start:end].tobytes()
        lines = [bases[i : i + FASTA_LINE] for i in range(0, len(bases), FASTA_LINE)]
        records.append(b">" + name.encode() + b"\n" + b"\n".join(lines) + b"\n")
    return b"".join(records)


def sites_per_chromosome(lengths: Sequence[int], total: int) -> list[int]:
    """``total`` sites shared among chromosomes in proportion to length, at least one each."""
    shares = np.maximum(np.floor(np.asarray(lengths) / sum(lengths) * total), 1).astype(int)
    shares[int(np.argmax(lengths))] += total - int(shares.sum())
    return [int(count) for count in shares]


def place_sites(rng: np.random.Generator, chrom: str, length: int, count: int) -> list[Site]:
    """``count`` sites on one chromosome, one in each of ``count`` equal slots of its interior.

    A slot is wider than a site and its margins, so sites never overlap and stay spread.
    """
    slot = (length - 2 * MARGIN) // count
    sites = []
    for number in range(count):
        size = int(rng.integers(SITE_LENGTHS[0], SITE_LENGTHS[1] + 1))
        low = MARGIN + number * slot + MARGIN // 2
        start = int(rng.integers(low, low + slot - MARGIN - size))
        strength = float(np.exp(rng.uniform(*np.log(STRENGTHS))))
        sites.append(Site(chrom, start, start + size, strength=round(strength, 3)))
    return sites


def make_sites(rng: np.random.Generator, genome: Genome, total: int = SITES) -> list[Site]:
    """``total`` sites over the genome, sorted, named ``site01``, ``site02``, ..."""
    lengths = genome.lengths.tolist()
    counts = sites_per_chromosome(lengths, total)
    placed = [
        site
        for name, length, count in zip(genome.names, lengths, counts, strict=True)
        for site in place_sites(rng, name, length, count)
    ]
    return [
        Site(s.chrom, s.start, s.end, f"site{number:02d}", s.strength)
        for number, s in enumerate(sorted(placed), start=1)
    ]


def bed_bytes(sites: Iterable[Site]) -> bytes:
    """Sites as BED lines: chrom, start, end, name, and as the score the strength scaled to
    BED's whole numbers up to 1000 (the strongest possible site)."""
    return "".join(
        f"{s.chrom}\t{s.start}\t{s.end}\t{s.name}\t{round(1000 * s.strength / STRENGTHS[1])}\n"
        for s in sites
    ).encode()


def fragment_lengths(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` fragment lengths, normal around ``FRAGMENT_MEAN``, never under a minimum."""
    return np.clip(rng.normal(FRAGMENT_MEAN, FRAGMENT_SD, count).astype(int), FRAGMENT_MIN, None)


def background_starts(rng: np.random.Generator, genome: Genome, lengths: np.ndarray) -> np.ndarray:
    """Starts (in the joined genome) of fragments placed uniformly over the chromosomes."""
    chromosome_lengths = genome.lengths
    chosen = rng.choice(
        len(chromosome_lengths), len(lengths), p=chromosome_lengths / genome.offsets[-1]
    )
    room = chromosome_lengths[chosen] - lengths + 1
    return genome.offsets[chosen] + (rng.random(len(lengths)) * room).astype(int)


def site_starts(
    rng: np.random.Generator,
    genome: Genome,
    sites: list[Site],
    drawn: np.ndarray,
    lengths: np.ndarray,
) -> np.ndarray:
    """Starts of fragments centred at random points of their sites (``drawn`` per site)."""
    index = {name: number for number, name in enumerate(genome.names)}
    offsets = np.array([genome.offsets[index[s.chrom]] for s in sites])
    begins = np.repeat(offsets + [s.start for s in sites], drawn)
    widths = np.repeat([s.end - s.start for s in sites], drawn)
    centres = begins + (rng.random(len(begins)) * widths).astype(int)
    return centres - lengths // 2


def sample_strengths(rng: np.random.Generator, sites: list[Site]) -> np.ndarray:
    """The sites' strengths in one sample: the shared ones changed by a per-sample factor."""
    base = np.array([s.strength for s in sites])
    return base * rng.lognormal(0.0, SAMPLE_VARIATION, len(sites))


def with_duplicates(rng: np.random.Generator, fragments: np.ndarray, copies: int) -> np.ndarray:
    """The fragments plus ``copies`` exact copies of random ones, all in a shuffled order."""
    copied = rng.integers(0, len(fragments), copies)
    joined = np.concatenate([fragments, fragments[copied]])
    return joined[rng.permutation(len(joined))]


def read_ends(
    rng: np.random.Generator, genome: Genome, fragments: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Both mates of each fragment (start, length, reverse), with sequencing errors."""
    starts, lengths, reverse = fragments.T
    steps = np.arange(READ_LENGTH)
    left = genome.sequence[starts[:, None] + steps]
    right = COMPLEMENT[genome.sequence[(starts + lengths - 1)[:, None] - steps]]
    flip = reverse.astype(bool)[:, None]
    return mutate(rng, np.where(flip, right, left)), mutate(rng, np.where(flip, left, right))


def draw_fragments(
    rng: np.random.Generator, genome: Genome, sites: list[Site], fragments: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """One sample's fragments, one row each (start, length, reverse), with the fragments
    drawn per site and the number of duplicates among them."""
    copies = round(fragments * DUPLICATE_SHARE)
    unique = fragments - copies
    in_sites = round(unique * SIGNAL_SHARE)
    strengths = sample_strengths(rng, sites)
    drawn = rng.multinomial(in_sites, strengths / strengths.sum())
    lengths = fragment_lengths(rng, unique)
    starts = np.concatenate(
        [
            site_starts(rng, genome, sites, drawn, lengths[:in_sites]),
            background_starts(rng, genome, lengths[in_sites:]),
        ]
    )
    # Either strand is read first (an unstranded library); a copy keeps its original's.
    reverse = (rng.random(unique) < 0.5).astype(int)
    rows = with_duplicates(rng, np.column_stack([starts, lengths, reverse]), copies)
    return rows, drawn, copies


def simulate_sample(
    rng: np.random.Generator,
    genome: Genome,
    sites: list[Site],
    fragments: int,
    stem: Path,
    paired: bool,
) -> PeakSampleTruth:
    """Draw one sample's fragments and write ``<stem>_R1.fastq.gz`` (and ``_R2`` if paired)."""
    rows, drawn, copies = draw_fragments(rng, genome, sites, fragments)
    first, second = read_ends(rng, genome, rows)
    fastq_1 = write_gzip(Path(f"{stem}_R1.fastq.gz"), fastq_bytes(stem.name, 1, first), GZIP_LEVEL)
    fastq_2 = None
    if paired:
        fastq_2 = write_gzip(
            Path(f"{stem}_R2.fastq.gz"), fastq_bytes(stem.name, 2, second), GZIP_LEVEL
        )
    return PeakSampleTruth(
        fastq_1=fastq_1,
        fastq_2=fastq_2,
        fragments=fragments,
        duplicates=copies,
        fragments_in_sites=dict(zip([s.name for s in sites], drawn.tolist(), strict=True)),
    )


def simulate_peaks_experiment(
    folder: Path,
    samples: Sequence[str] = ("S1", "S2", "S3"),
    fragments: int = FRAGMENTS,
    paired: bool = True,
    seed: int = SEED,
) -> SimulatedPeaks:
    """The genome, the sites and each sample's reads in ``folder``, with their truth.

    Writes ``genome.fa.gz``, ``sites.bed`` and ``<sample>_R1.fastq.gz`` (and ``_R2`` when
    ``paired``); the same seed writes the same bytes.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    genome = make_genome(rng)
    sites = make_sites(rng, genome)
    fasta = write_gzip(folder / "genome.fa.gz", fasta_bytes(genome), GZIP_LEVEL)
    bed = folder / "sites.bed"
    bed.write_bytes(bed_bytes(sites))
    truths = {
        sample: simulate_sample(rng, genome, sites, fragments, folder / sample, paired)
        for sample in samples
    }
    size = int(genome.offsets[-1])
    return SimulatedPeaks(fasta, sites, bed, truths, size, genome.sizes())


def overlaps(peak: Peak, site: Site) -> bool:
    """Whether a peak and a site share at least one base (both half-open)."""
    return peak[0] == site.chrom and peak[1] < site.end and site.start < peak[2]


def recovered_sites(peaks: Sequence[Peak], sites: Sequence[Site]) -> float:
    """The share of sites that some peak overlaps (0 when there are no sites)."""
    if not sites:
        return 0.0
    found = sum(any(overlaps(peak, site) for peak in peaks) for site in sites)
    return found / len(sites)


def false_peaks(peaks: Sequence[Peak], sites: Sequence[Site]) -> list[Peak]:
    """The peaks that overlap no site, in their order."""
    return [peak for peak in peaks if not any(overlaps(peak, site) for site in sites)]


def read_peaks(path: Path) -> list[Peak]:
    """``(chrom, start, end)`` of each line of a BED or narrowPeak file."""
    peaks = []
    for line in path.read_text().splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and not line.startswith(("#", "track", "browser")):
            peaks.append((fields[0], int(fields[1]), int(fields[2])))
    return peaks
