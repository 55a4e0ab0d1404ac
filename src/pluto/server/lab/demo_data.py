"""The data of the demo experiment PLX140206: 12 samples and 32,544 genes of raw counts.

Everything comes from one seeded ``numpy.random.Generator``, so every call on every
machine gives the same tables. The counts imitate a real bulk RNA-seq experiment well
enough for Pluto's analyses to show something sensible: negative-binomial counts around
heavy-tailed gene means, dispersion falling with expression as DESeq2 would fit it,
library sizes that differ up to twofold, a mild batch effect, sex-specific genes, and a
few hundred genes truly changed by the treatment. Exactly ``DEMO_PASSING_GENE_COUNT``
genes pass the default feature filter, so the demo differential expression has exactly
that many results rows.

This module needs only numpy and pyarrow, so it can run outside the server.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa

DEMO_SEED = 140206
DEMO_GENE_COUNT = 32_544
DEMO_PASSING_GENE_COUNT = 16_954
REPLICATES_PER_CONDITION = 6
CONDITIONS = ("control", "treated")
CHANGED_GENE_COUNT = 400
GENE_SYMBOLS_FILE = Path(__file__).with_name("demo_assets") / "human_gene_symbols.tsv.gz"

DEFAULT_MIN_COUNT = 3
DEFAULT_MIN_FRACTION = 0.2

# Share of each gene type that is expressed in the imitated tissue, and the mean and
# spread of log2 mean counts of those that are. The rest are barely expressed.
EXPRESSION_BY_GENE_TYPE = {
    "protein-coding": (0.72, 8.0, 2.0),
    "ncRNA": (0.25, 4.5, 2.0),
    "snoRNA": (0.30, 4.0, 2.0),
    "pseudo": (0.12, 3.5, 2.0),
}
SILENT_LOG2_MEAN = (-3.0, 1.5)
WELL_EXPRESSED_MEAN = 50.0
BATCH_LOG2_SD = 0.2
DISPERSION_SCATTER_SD = 0.4
MAX_DISPERSION = 10.0
# Reads left on a gene in the sex that does not express it (mapping noise).
OTHER_SEX_FACTOR = 1e-3
# Genes every reader of a count table looks up first; they are always highly expressed.
HOUSEKEEPING_GENES = ("ACTB", "GAPDH", "B2M", "EEF1A1", "RPLP0", "TPT1", "FTL", "UBC", "PPIA")
HOUSEKEEPING_LOG2_MEAN = (13.0, 1.0)
SEX_SPECIFIC_LOG2_MEAN = (9.0, 1.0)
SEX_SPECIFIC_GENES = {
    "XIST": "female",
    "RPS4Y1": "male",
    "DDX3Y": "male",
    "KDM5D": "male",
    "UTY": "male",
    "EIF1AY": "male",
    "USP9Y": "male",
    "ZFY": "male",
}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DemoTables:
    """The demo experiment's sample table and count table, with what was put into them.

    ``changed_genes`` are the genes truly changed by the treatment and
    ``changed_log2_fold_changes`` their true log2 fold changes, treated over control.
    ``size_factors`` are the samples' library size factors, in sample order.
    ``filter_adjusted_genes`` is how many borderline genes had a few counts moved across
    the filter's minimum count so that exactly ``DEMO_PASSING_GENE_COUNT`` genes pass.
    """

    samples: pa.Table
    counts: pa.Table
    changed_genes: tuple[str, ...]
    changed_log2_fold_changes: tuple[float, ...]
    size_factors: tuple[float, ...]
    filter_adjusted_genes: int


@dataclass(frozen=True)
class GeneModel:
    """Per-gene parameters of the count model, aligned with the gene symbols."""

    base_means: FloatArray
    dispersions: FloatArray
    batch_log2_effects: FloatArray
    log2_fold_changes: FloatArray


def generate_demo_tables(seed: int = DEMO_SEED) -> DemoTables:
    """Build the demo experiment's tables; the same seed always gives the same tables."""
    rng = np.random.default_rng(seed)
    samples = demo_sample_table()
    symbols, gene_types = load_gene_symbols()
    model = draw_gene_model(rng, symbols, gene_types)
    size_factors = draw_size_factors(rng, samples.num_rows)
    means = expected_counts(model, symbols, samples, size_factors)
    matrix = draw_counts(rng, means, model.dispersions)
    groups = group_column_masks(samples, "condition")
    adjusted = match_passing_count(matrix, groups, model.base_means, DEMO_PASSING_GENE_COUNT)
    changed = np.flatnonzero(model.log2_fold_changes)
    return DemoTables(
        samples=samples,
        counts=count_table(symbols, samples.column("sample_id").to_pylist(), matrix),
        changed_genes=tuple(symbols[i] for i in changed),
        changed_log2_fold_changes=tuple(float(x) for x in model.log2_fold_changes[changed]),
        size_factors=tuple(float(x) for x in size_factors),
        filter_adjusted_genes=adjusted,
    )


def demo_sample_table() -> pa.Table:
    """Twelve samples: six per condition, sex and batch balanced within each condition."""
    rows = [(c, r) for c in CONDITIONS for r in range(1, REPLICATES_PER_CONDITION + 1)]
    return pa.table(
        {
            "sample_id": pa.array([f"{c}_{r}" for c, r in rows], pa.string()),
            "condition": pa.array([c for c, _ in rows], pa.string()),
            "replicate": pa.array([r for _, r in rows], pa.int64()),
            "sex": pa.array(["female" if r % 2 else "male" for _, r in rows], pa.string()),
            "batch": pa.array(
                ["batch1" if r <= REPLICATES_PER_CONDITION // 2 else "batch2" for _, r in rows],
                pa.string(),
            ),
        }
    )


def load_gene_symbols() -> tuple[list[str], npt.NDArray[np.str_]]:
    """The shipped human gene symbols and their NCBI gene types, sorted by symbol."""
    with gzip.open(GENE_SYMBOLS_FILE, "rt", encoding="utf-8") as lines:
        pairs = [line.rstrip("\n").split("\t") for line in lines]
    return [symbol for symbol, _ in pairs], np.array([kind for _, kind in pairs])


def draw_gene_model(
    rng: np.random.Generator, symbols: list[str], gene_types: npt.NDArray[np.str_]
) -> GeneModel:
    """Draw every gene's mean, dispersion, batch effect and treatment effect."""
    base_means = draw_base_means(rng, gene_types)
    housekeeping = np.isin(symbols, HOUSEKEEPING_GENES)
    sex_specific = np.isin(symbols, list(SEX_SPECIFIC_GENES))
    base_means[housekeeping] = 2.0 ** rng.normal(*HOUSEKEEPING_LOG2_MEAN, housekeeping.sum())
    base_means[sex_specific] = 2.0 ** rng.normal(*SEX_SPECIFIC_LOG2_MEAN, sex_specific.sum())
    return GeneModel(
        base_means=base_means,
        dispersions=draw_dispersions(rng, base_means),
        batch_log2_effects=rng.normal(0.0, BATCH_LOG2_SD, base_means.size),
        log2_fold_changes=draw_log2_fold_changes(rng, base_means, ~(housekeeping | sex_specific)),
    )


def draw_base_means(rng: np.random.Generator, gene_types: npt.NDArray[np.str_]) -> FloatArray:
    """Heavy-tailed mean counts: expressed genes log-normal, the rest barely above zero."""
    log2_means = rng.normal(*SILENT_LOG2_MEAN, gene_types.size)
    expressed_draw = rng.random(gene_types.size)
    for gene_type, (share, mean, sd) in EXPRESSION_BY_GENE_TYPE.items():
        expressed = (gene_types == gene_type) & (expressed_draw < share)
        log2_means[expressed] = rng.normal(mean, sd, expressed.sum())
    return np.asarray(2.0**log2_means, dtype=np.float64)


def draw_dispersions(rng: np.random.Generator, base_means: FloatArray) -> FloatArray:
    """Gene-wise dispersions around DESeq2's usual trend 0.05 + 1/mean, log-normal scatter."""
    trend = 0.05 + 1.0 / base_means
    scatter = np.exp(rng.normal(0.0, DISPERSION_SCATTER_SD, base_means.size))
    return np.asarray(np.minimum(trend * scatter, MAX_DISPERSION), dtype=np.float64)


def draw_log2_fold_changes(
    rng: np.random.Generator, base_means: FloatArray, eligible: BoolArray
) -> FloatArray:
    """Zero for most genes; 1 to 3 in either direction for a few hundred well-expressed ones."""
    candidates = np.flatnonzero(eligible & (base_means >= WELL_EXPRESSED_MEAN))
    changed = np.sort(rng.choice(candidates, CHANGED_GENE_COUNT, replace=False))
    signs = rng.choice(np.array([-1.0, 1.0]), CHANGED_GENE_COUNT)
    log2_fold_changes = np.zeros(base_means.size)
    log2_fold_changes[changed] = signs * rng.uniform(1.0, 3.0, CHANGED_GENE_COUNT)
    return log2_fold_changes


def draw_size_factors(rng: np.random.Generator, sample_count: int) -> FloatArray:
    """Library size factors spread evenly over a twofold range, in a random sample order."""
    log2_factors = np.linspace(-0.5, 0.5, sample_count)
    return np.asarray(2.0 ** rng.permutation(log2_factors), dtype=np.float64)


def expected_counts(
    model: GeneModel, symbols: list[str], samples: pa.Table, size_factors: FloatArray
) -> FloatArray:
    """Each gene's expected count in each sample (genes by samples)."""
    treated = column_equals(samples, "condition", "treated")
    batch2 = column_equals(samples, "batch", "batch2")
    log2_effects = np.outer(model.log2_fold_changes, treated) + np.outer(
        model.batch_log2_effects, batch2 - 0.5
    )
    means = np.outer(model.base_means, size_factors) * 2.0**log2_effects
    return np.asarray(means * sex_factors(symbols, samples), dtype=np.float64)


def sex_factors(symbols: list[str], samples: pa.Table) -> FloatArray:
    """1 everywhere except sex-specific genes in samples of the other sex."""
    factors = np.ones((len(symbols), samples.num_rows))
    sexes = np.array(samples.column("sex").to_pylist())
    for row, symbol in enumerate(symbols):
        sex = SEX_SPECIFIC_GENES.get(symbol)
        if sex is not None:
            factors[row, sexes != sex] = OTHER_SEX_FACTOR
    return factors


def column_equals(samples: pa.Table, column: str, value: str) -> FloatArray:
    """1.0 for samples whose ``column`` is ``value``, else 0.0."""
    return np.array([float(v == value) for v in samples.column(column).to_pylist()])


def draw_counts(rng: np.random.Generator, means: FloatArray, dispersions: FloatArray) -> IntArray:
    """Negative-binomial counts with the given means and gene-wise dispersions."""
    size = (1.0 / dispersions)[:, np.newaxis]
    return rng.negative_binomial(size, size / (size + means)).astype(np.int64)


def passes_default_filter(
    counts: pa.Table,
    samples: pa.Table,
    group_column: str = "condition",
    min_count: int = DEFAULT_MIN_COUNT,
    min_fraction: float = DEFAULT_MIN_FRACTION,
) -> BoolArray:
    """Which genes Pluto's default feature filter keeps, in count-table row order.

    A gene is kept when, in at least one group of ``group_column``, at least
    ``ceil(min_fraction * group size)`` samples have a count of ``min_count`` or more.
    """
    sample_ids = samples.column("sample_id").to_pylist()
    matrix = np.column_stack([counts.column(s).to_numpy() for s in sample_ids])
    groups = group_column_masks(samples, group_column)
    return passing_mask(matrix, groups, min_count, min_fraction)


def group_column_masks(samples: pa.Table, group_column: str) -> list[BoolArray]:
    """One boolean mask over the samples per distinct value of ``group_column``."""
    values = np.array(samples.column(group_column).to_pylist(), dtype=object)
    return [values == value for value in dict.fromkeys(values)]


def samples_needed(group_size: int, min_fraction: float) -> int:
    """How many samples of a group must reach the minimum count."""
    # The tolerance keeps e.g. 0.2 * 15 = 3.0000000000000004 from rounding up to 4.
    return max(1, math.ceil(min_fraction * group_size - 1e-9))


def passing_mask(
    matrix: IntArray,
    groups: list[BoolArray],
    min_count: int = DEFAULT_MIN_COUNT,
    min_fraction: float = DEFAULT_MIN_FRACTION,
) -> BoolArray:
    """The default filter on a genes-by-samples matrix."""
    passing = np.zeros(matrix.shape[0], dtype=bool)
    for group in groups:
        reaching = (matrix[:, group] >= min_count).sum(axis=1)
        passing |= reaching >= samples_needed(int(group.sum()), min_fraction)
    return passing


def match_passing_count(
    matrix: IntArray, groups: list[BoolArray], base_means: FloatArray, target: int
) -> int:
    """Adjust the fewest borderline genes so exactly ``target`` genes pass; return how many.

    Genes that pass although barely expressed lose their few counts of 3 or more, or
    genes that fail although nearly expressed gain a few; ``matrix`` changes in place.
    """
    passing = passing_mask(matrix, groups)
    excess = int(passing.sum()) - target
    if excess > 0:
        for gene in lowest_means(np.flatnonzero(passing), base_means)[:excess]:
            make_gene_fail(matrix[gene], groups)
    else:
        for gene in lowest_means(np.flatnonzero(~passing), -base_means)[:-excess]:
            make_gene_pass(matrix[gene], groups)
    return abs(excess)


def lowest_means(genes: IntArray, base_means: FloatArray) -> IntArray:
    """``genes`` ordered by ``base_means``, lowest first, ties by position."""
    return genes[np.argsort(base_means[genes], kind="stable")]


def make_gene_fail(counts: IntArray, groups: list[BoolArray]) -> None:
    """Lower all but the top count of each group to just under the minimum count."""
    for group in groups:
        columns = np.flatnonzero(group)
        reaching = columns[counts[columns] >= DEFAULT_MIN_COUNT]
        allowed = samples_needed(columns.size, DEFAULT_MIN_FRACTION) - 1
        ranked = reaching[np.argsort(-counts[reaching], kind="stable")]
        counts[ranked[allowed:]] = DEFAULT_MIN_COUNT - 1


def make_gene_pass(counts: IntArray, groups: list[BoolArray]) -> None:
    """Raise the highest counts of the gene's best group to the minimum count."""
    reaching = [int((counts[g] >= DEFAULT_MIN_COUNT).sum()) for g in groups]
    columns = np.flatnonzero(groups[int(np.argmax(reaching))])
    needed = samples_needed(columns.size, DEFAULT_MIN_FRACTION)
    ranked = columns[np.argsort(-counts[columns], kind="stable")][:needed]
    counts[ranked] = np.maximum(counts[ranked], DEFAULT_MIN_COUNT)


def count_table(symbols: list[str], sample_ids: list[str], matrix: IntArray) -> pa.Table:
    """``gene_symbol`` then one int64 column per sample, in sample order."""
    columns = {"gene_symbol": pa.array(symbols, pa.string())}
    for index, sample_id in enumerate(sample_ids):
        columns[sample_id] = pa.array(matrix[:, index], pa.int64())
    return pa.table(columns)
