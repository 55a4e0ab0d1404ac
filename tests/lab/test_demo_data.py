"""The demo experiment's generated sample and count tables."""

from __future__ import annotations

import time
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from pluto.server.lab.demo_data import (
    DEMO_GENE_COUNT,
    DEMO_PASSING_GENE_COUNT,
    DemoTables,
    generate_demo_tables,
    passes_default_filter,
    samples_needed,
)

SAMPLE_COLUMNS = ["sample_id", "condition", "replicate", "sex", "batch"]


@pytest.fixture(scope="module")
def demo() -> DemoTables:
    return generate_demo_tables()


def count_matrix(tables: DemoTables) -> np.ndarray:
    """Genes by samples, in sample order."""
    sample_ids = tables.samples.column("sample_id").to_pylist()
    return np.column_stack([tables.counts.column(s).to_numpy() for s in sample_ids])


def sample_column(tables: DemoTables, column: str) -> np.ndarray:
    return np.array(tables.samples.column(column).to_pylist())


def test_sample_table_has_the_expected_columns_and_types(demo: DemoTables) -> None:
    assert demo.samples.column_names == SAMPLE_COLUMNS
    assert demo.samples.num_rows == 12
    assert demo.samples.schema.field("replicate").type == pa.int64()
    for name in ("sample_id", "condition", "sex", "batch"):
        assert demo.samples.schema.field(name).type == pa.string()


def test_sample_ids_are_unique_and_non_empty(demo: DemoTables) -> None:
    sample_ids = demo.samples.column("sample_id").to_pylist()
    assert len(set(sample_ids)) == 12
    assert all(sample_ids)


def test_conditions_have_six_replicates_each(demo: DemoTables) -> None:
    conditions = sample_column(demo, "condition")
    replicates = sample_column(demo, "replicate")
    assert Counter(conditions.tolist()) == {"treated": 6, "control": 6}
    for condition in ("treated", "control"):
        assert sorted(replicates[conditions == condition].tolist()) == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("column", "values"), [("sex", {"female", "male"}), ("batch", {"batch1", "batch2"})]
)
def test_sex_and_batch_are_balanced_within_each_condition(
    demo: DemoTables, column: str, values: set[str]
) -> None:
    conditions = sample_column(demo, "condition")
    levels = sample_column(demo, column)
    for condition in ("treated", "control"):
        assert Counter(levels[conditions == condition].tolist()) == dict.fromkeys(values, 3)


def test_count_table_has_one_int64_column_per_sample_in_order(demo: DemoTables) -> None:
    sample_ids = demo.samples.column("sample_id").to_pylist()
    assert demo.counts.num_rows == DEMO_GENE_COUNT == 32_544
    assert demo.counts.column_names == ["gene_symbol", *sample_ids]
    assert demo.counts.schema.field("gene_symbol").type == pa.string()
    assert all(demo.counts.schema.field(s).type == pa.int64() for s in sample_ids)
    assert count_matrix(demo).min() >= 0
    assert all(column.null_count == 0 for column in demo.counts.columns)


def test_gene_symbols_are_unique_non_empty_strings(demo: DemoTables) -> None:
    symbols = demo.counts.column("gene_symbol").to_pylist()
    assert len(set(symbols)) == len(symbols)
    assert all(isinstance(s, str) and s.strip() == s and s for s in symbols)
    assert {"GAPDH", "ACTB", "XIST", "MARCHF1", "SEPTIN2"} <= set(symbols)


def test_the_same_seed_gives_identical_tables(demo: DemoTables) -> None:
    again = generate_demo_tables()
    assert again.samples.equals(demo.samples)
    assert again.counts.equals(demo.counts)
    assert again.changed_genes == demo.changed_genes
    assert again.changed_log2_fold_changes == demo.changed_log2_fold_changes


def test_a_different_seed_gives_different_counts(demo: DemoTables) -> None:
    other = generate_demo_tables(seed=1)
    assert other.samples.equals(demo.samples)
    assert not other.counts.equals(demo.counts)
    assert other.changed_genes != demo.changed_genes


def test_exactly_the_demo_number_of_genes_pass_the_default_filter(demo: DemoTables) -> None:
    passing = passes_default_filter(demo.counts, demo.samples)
    assert passing.dtype == np.bool_
    assert passing.shape == (DEMO_GENE_COUNT,)
    assert int(passing.sum()) == DEMO_PASSING_GENE_COUNT == 16_954


def test_other_seeds_also_hit_the_passing_count_with_few_adjusted_genes(
    demo: DemoTables,
) -> None:
    other = generate_demo_tables(seed=7)
    assert int(passes_default_filter(other.counts, other.samples).sum()) == 16_954
    assert demo.filter_adjusted_genes < 50
    assert other.filter_adjusted_genes < 0.01 * DEMO_GENE_COUNT


def test_the_default_filter_counts_each_group_separately() -> None:
    samples = pa.table(
        {
            "sample_id": [f"s{i}" for i in range(12)],
            "condition": ["control"] * 6 + ["treated"] * 6,
        }
    )
    rows = {
        "two_in_control": [3, 5, 0, 0, 0, 0] + [0] * 6,
        "two_in_treated": [0] * 6 + [0, 0, 0, 0, 4, 9],
        "one_in_each_group": [3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3],
        "just_below_minimum": [2] * 12,
    }
    counts = pa.table(
        {"gene_symbol": list(rows), **{f"s{i}": [v[i] for v in rows.values()] for i in range(12)}}
    )
    assert passes_default_filter(counts, samples).tolist() == [True, True, False, False]
    assert passes_default_filter(counts, samples, min_count=2).tolist() == [True, True, False, True]
    assert passes_default_filter(counts, samples, min_fraction=0.1).tolist() == [
        True,
        True,
        True,
        False,
    ]


def test_samples_needed_rounds_up_without_floating_point_surprises() -> None:
    assert samples_needed(6, 0.2) == 2
    assert samples_needed(5, 0.2) == 1
    assert samples_needed(15, 0.2) == 3
    assert samples_needed(1, 0.0) == 1


def test_about_half_of_the_genes_are_barely_expressed(demo: DemoTables) -> None:
    gene_means = count_matrix(demo).mean(axis=1)
    barely_expressed = float((gene_means < 2).mean())
    assert 0.4 <= barely_expressed <= 0.6
    assert np.median(gene_means) < 10
    assert np.quantile(gene_means, 0.99) > 1000


def test_library_sizes_differ_between_samples(demo: DemoTables) -> None:
    library_sizes = count_matrix(demo).sum(axis=0)
    assert 1.3 < library_sizes.max() / library_sizes.min() < 3
    assert max(demo.size_factors) / min(demo.size_factors) == pytest.approx(2.0)
    assert 5_000_000 < np.median(library_sizes) < 50_000_000


def test_a_few_hundred_genes_change_in_both_directions(demo: DemoTables) -> None:
    fold_changes = np.array(demo.changed_log2_fold_changes)
    assert 300 <= len(demo.changed_genes) <= 500
    assert len(set(demo.changed_genes)) == len(demo.changed_genes)
    assert np.all((np.abs(fold_changes) >= 1) & (np.abs(fold_changes) <= 3))
    assert 0.3 < float((fold_changes > 0).mean()) < 0.7


def test_changed_genes_move_in_the_intended_direction(demo: DemoTables) -> None:
    rows = {s: i for i, s in enumerate(demo.counts.column("gene_symbol").to_pylist())}
    changed = count_matrix(demo)[[rows[g] for g in demo.changed_genes]]
    treated = sample_column(demo, "condition") == "treated"
    normalised = changed / np.array(demo.size_factors)
    log_ratio = np.log2(normalised[:, treated].mean(1) + 1) - np.log2(
        normalised[:, ~treated].mean(1) + 1
    )
    agrees = np.sign(log_ratio) == np.sign(demo.changed_log2_fold_changes)
    assert float(agrees.mean()) > 0.95
    assert float(np.corrcoef(log_ratio, demo.changed_log2_fold_changes)[0, 1]) > 0.9


def test_changed_genes_are_well_expressed(demo: DemoTables) -> None:
    rows = {s: i for i, s in enumerate(demo.counts.column("gene_symbol").to_pylist())}
    control = sample_column(demo, "condition") == "control"
    changed = count_matrix(demo)[[rows[g] for g in demo.changed_genes]]
    means = np.maximum(changed[:, control].mean(1), changed[:, ~control].mean(1))
    assert float(np.median(means)) > 100


def test_unchanged_genes_stay_level_between_conditions(demo: DemoTables) -> None:
    matrix = count_matrix(demo) / np.array(demo.size_factors)
    treated = sample_column(demo, "condition") == "treated"
    unchanged = np.ones(matrix.shape[0], dtype=bool)
    rows = {s: i for i, s in enumerate(demo.counts.column("gene_symbol").to_pylist())}
    unchanged[[rows[g] for g in demo.changed_genes]] = False
    expressed = unchanged & (matrix.mean(1) > 100)
    log_ratio = np.log2(
        matrix[expressed][:, treated].mean(1) / matrix[expressed][:, ~treated].mean(1)
    )
    assert float(np.quantile(np.abs(log_ratio), 0.9)) < 1


def test_sex_specific_genes_follow_the_sample_sex(demo: DemoTables) -> None:
    rows = {s: i for i, s in enumerate(demo.counts.column("gene_symbol").to_pylist())}
    female = sample_column(demo, "sex") == "female"
    matrix = count_matrix(demo)
    assert matrix[rows["XIST"], female].min() > 10 * max(1, matrix[rows["XIST"], ~female].max())
    assert matrix[rows["RPS4Y1"], ~female].min() > 10 * max(1, matrix[rows["RPS4Y1"], female].max())


def test_generation_is_fast() -> None:
    started = time.perf_counter()
    generate_demo_tables(seed=3)
    assert time.perf_counter() - started < 10
