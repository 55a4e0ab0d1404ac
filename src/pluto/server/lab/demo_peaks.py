"""A small peaks experiment for the demo's differential binding: the demo's 12 samples (6
treated, 6 control) with ATAC-seq-like read counts on 3,000 consensus peaks.

Peaks sit in loci along chromosomes 1-22 and X, a few kilobases apart within a locus; most
loci are near one of the demo's genes, whose symbol the peak id carries after a ``|``
(``chr3:1204512-1205190|MYC``), the rest are intergenic and their ids have no gene. The
treatment opens chromatin near the genes it raises in the demo's RNA-seq and closes it near
the genes it lowers: ``CHANGED_PEAK_COUNT`` peaks change 2- to 5.7-fold, in the direction of
their gene. Counts are negative binomial around log-normal peak means with library sizes
that differ up to twofold and a mild batch effect. Everything comes from one seeded
generator, so every call gives the same tables.

This module needs only numpy, pandas and pyarrow, so it can run outside the server.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from pluto.server.lab.demo_data import (
    draw_size_factors,
    generate_demo_tables,
    load_gene_symbols,
)

PEAKS_SEED = 140207
PEAK_COUNT = 3_000
CHANGED_PEAK_COUNT = 300
CHANGED_LOCI = 200
LOCI = 1_400
INTERGENIC_SHARE = 0.1
CHROMOSOMES = tuple(f"chr{name}" for name in [*map(str, range(1, 23)), "X"])
FIRST_LOCUS = 1_000_000
LOCUS_SPACING = (100_000, 400_000)
PEAK_SPACING = 4_000
PEAK_WIDTH = (200, 1_500)
LOG2_PEAK_MEAN = (6.0, 1.2)
LOG2_FOLD_CHANGE = (1.0, 2.5)
BATCH_LOG2_SD = 0.15

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PeaksExperiment:
    """The sample table (indexed by ``sample_id``), the peaks x samples count matrix (indexed
    by ``peak_id``) and the peaks the treatment truly changed, with their log2 fold changes
    (treated over control)."""

    samples: pd.DataFrame
    counts: pd.DataFrame
    changed_peaks: tuple[str, ...]
    changed_log2_fold_changes: tuple[float, ...]


@dataclass(frozen=True)
class Loci:
    """Where peaks sit: each locus's chromosome, start, gene (empty when intergenic) and
    the direction the treatment moves it (+1, -1, or 0 for loci it leaves alone)."""

    chromosomes: npt.NDArray[np.str_]
    starts: IntArray
    genes: npt.NDArray[np.str_]
    directions: FloatArray


def generate_peaks_experiment(seed: int = PEAKS_SEED) -> PeaksExperiment:
    """Build the peaks experiment; the same seed always gives the same tables."""
    rng = np.random.default_rng(seed)
    demo = generate_demo_tables()
    samples = demo.samples.to_pandas().set_index("sample_id")
    loci = draw_loci(rng, demo.changed_genes, demo.changed_log2_fold_changes)
    locus_of_peak = assign_peaks(rng, loci)
    peak_ids = name_peaks(rng, loci, locus_of_peak)
    log2_changes = draw_changes(rng, loci.directions[locus_of_peak])
    counts = pd.DataFrame(
        draw_peak_counts(rng, samples, log2_changes),
        index=pd.Index(peak_ids, name="peak_id"),
        columns=samples.index,
    )
    changed = np.flatnonzero(log2_changes)
    return PeaksExperiment(
        samples=samples,
        counts=counts.iloc[genomic_order(peak_ids)],
        changed_peaks=tuple(peak_ids[i] for i in changed),
        changed_log2_fold_changes=tuple(float(x) for x in log2_changes[changed]),
    )


def genomic_order(peak_ids: list[str]) -> IntArray:
    """The peaks sorted by chromosome (1-22, X) and start, as a consensus peak file is."""
    chromosome_rank = {name: rank for rank, name in enumerate(CHROMOSOMES)}
    keys = [
        (chromosome_rank[chromosome], int(span.split("-")[0]))
        for chromosome, span in (peak.split("|")[0].split(":") for peak in peak_ids)
    ]
    return np.asarray(sorted(range(len(keys)), key=keys.__getitem__), dtype=np.int64)


def draw_loci(
    rng: np.random.Generator, changed_genes: tuple[str, ...], changed_lfcs: tuple[float, ...]
) -> Loci:
    """The changed loci first (near genes the treatment changes, in their direction), then
    loci near other demo genes, then intergenic ones, placed along the chromosomes."""
    changed_index = rng.choice(len(changed_genes), CHANGED_LOCI, replace=False)
    changed = np.asarray(changed_genes)[changed_index]
    symbols, gene_types = load_gene_symbols()
    others = np.setdiff1d(np.asarray(symbols)[gene_types == "protein-coding"], changed)
    intergenic = round(LOCI * INTERGENIC_SHARE)
    quiet = rng.choice(others, LOCI - CHANGED_LOCI - intergenic, replace=False)
    genes = np.concatenate([changed, quiet, np.full(intergenic, "")])
    directions = np.zeros(LOCI)
    directions[:CHANGED_LOCI] = np.sign(np.asarray(changed_lfcs)[changed_index])
    chromosomes = rng.choice(np.asarray(CHROMOSOMES), LOCI)
    return Loci(chromosomes, locus_starts(rng, chromosomes), genes, directions)


def locus_starts(rng: np.random.Generator, chromosomes: npt.NDArray[np.str_]) -> IntArray:
    """Positions far enough apart that loci on one chromosome never overlap."""
    starts = np.zeros(len(chromosomes), dtype=np.int64)
    for chromosome in CHROMOSOMES:
        on = np.flatnonzero(chromosomes == chromosome)
        gaps = rng.integers(*LOCUS_SPACING, len(on))
        starts[on] = FIRST_LOCUS + np.cumsum(gaps)
    return starts


def assign_peaks(rng: np.random.Generator, loci: Loci) -> IntArray:
    """Each peak's locus: the changed peaks on the changed loci (each at least once), the
    others on any locus (each locus at least once)."""
    changed_loci = np.flatnonzero(loci.directions)
    extra_changed = rng.choice(changed_loci, CHANGED_PEAK_COUNT - len(changed_loci))
    unchanged = PEAK_COUNT - CHANGED_PEAK_COUNT
    quiet_loci = np.flatnonzero(loci.directions == 0)
    extra_quiet = rng.choice(len(loci.genes), unchanged - len(quiet_loci))
    return np.concatenate([changed_loci, extra_changed, quiet_loci, extra_quiet])


def name_peaks(rng: np.random.Generator, loci: Loci, locus_of_peak: IntArray) -> list[str]:
    """``chrN:start-end``, with ``|GENE`` for peaks near a gene; peaks of one locus are
    ``PEAK_SPACING`` apart, so no two peaks share coordinates."""
    order_in_locus = pd.Series(locus_of_peak).groupby(locus_of_peak).cumcount().to_numpy()
    starts = loci.starts[locus_of_peak] + order_in_locus * PEAK_SPACING
    starts += rng.integers(0, PEAK_SPACING - PEAK_WIDTH[1], len(starts))
    ends = starts + rng.integers(*PEAK_WIDTH, len(starts))
    names = []
    for locus, start, end in zip(locus_of_peak, starts, ends, strict=True):
        gene = loci.genes[locus]
        names.append(f"{loci.chromosomes[locus]}:{start}-{end}" + (f"|{gene}" if gene else ""))
    return names


def draw_changes(rng: np.random.Generator, directions: FloatArray) -> FloatArray:
    """Each peak's true log2 fold change: none for unchanged loci, 1 to 2.5 in the locus's
    direction for the first ``CHANGED_PEAK_COUNT`` peaks (those on changed loci)."""
    changes = np.zeros(len(directions))
    changes[:CHANGED_PEAK_COUNT] = directions[:CHANGED_PEAK_COUNT] * rng.uniform(
        *LOG2_FOLD_CHANGE, CHANGED_PEAK_COUNT
    )
    return changes


def draw_peak_counts(
    rng: np.random.Generator, samples: pd.DataFrame, log2_changes: FloatArray
) -> IntArray:
    """Negative binomial counts: peak means x library sizes x treatment x batch."""
    peaks = len(log2_changes)
    means = 2.0 ** rng.normal(*LOG2_PEAK_MEAN, peaks)
    dispersions = (0.02 + 1.0 / means) * np.exp(rng.normal(0.0, 0.3, peaks))
    treated = (samples["condition"] == "treated").to_numpy(dtype=float)
    batch2 = (samples["batch"] == "batch2").to_numpy(dtype=float) - 0.5
    log2_effects = np.outer(log2_changes, treated)
    log2_effects += np.outer(rng.normal(0.0, BATCH_LOG2_SD, peaks), batch2)
    expected = np.outer(means, draw_size_factors(rng, len(samples))) * 2.0**log2_effects
    size = (1.0 / dispersions)[:, None]
    return rng.negative_binomial(size, size / (size + expected)).astype(np.int64)
