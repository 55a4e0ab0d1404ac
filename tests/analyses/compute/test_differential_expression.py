"""Differential expression: results, filtering, methods text and every refusal."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.inputs import feature_filter
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.versions import package_version
from tests.analyses.compute.synthetic import Experiment, experiment

BASE = {
    "group_column": "condition",
    "experimental_values": ["treated"],
    "control_values": ["control"],
}


@pytest.fixture(scope="module")
def data() -> Experiment:
    return experiment(genes=300, per_group=4)


@pytest.fixture(scope="module")
def result(data: Experiment) -> de.AnalysisResult:
    return de.run(
        validated(de.DifferentialExpressionParameters, BASE),
        data.samples,
        data.counts,
        "raw_counts",
    )


def params(**changes: Any) -> de.DifferentialExpressionParameters:
    return validated(de.DifferentialExpressionParameters, {**BASE, **changes})


def refusal(
    data: Experiment, units: str = "raw_counts", samples: pd.DataFrame | None = None, **changes: Any
) -> AnalysisInputError:
    """The error check_inputs raises for these parameters."""
    with pytest.raises(AnalysisInputError) as caught:
        de.check_inputs(params(**changes), data.samples if samples is None else samples, units)
    return caught.value


def test_results_have_the_api_columns_and_no_nulls(result: de.AnalysisResult) -> None:
    table = result.table
    assert list(table.columns) == list(de.COLUMNS)
    assert not table.isna().any().any()
    assert np.isfinite(table.select_dtypes("number").to_numpy()).all()
    assert table["P_Value"].between(0, 1).all() and table["Adj_P_Value"].between(0, 1).all()


def test_one_row_per_gene_passing_the_default_filter(
    data: Experiment, result: de.AnalysisResult
) -> None:
    groups = [list(data.samples.index[4:]), list(data.samples.index[:4])]
    expected = feature_filter(data.counts, groups, 3, 0.2)
    assert set(result.table["Gene_Symbol"]) == set(expected[expected].index)
    assert result.summary["genes_tested"] == int(expected.sum())
    assert result.summary["genes_in_matrix"] == 300


def test_changed_genes_are_found_with_the_right_sign(
    data: Experiment, result: de.AnalysisResult
) -> None:
    table = result.table.set_index("Gene_Symbol")
    called = table[table["Adj_P_Value"] < 0.05]
    assert len(set(called.index) & set(data.changed_genes)) >= 20
    up = [gene for i, gene in enumerate(data.changed_genes) if i % 2 == 0 and gene in called.index]
    assert (table.loc[up, "Log2_Fold_Change"] > 1).all()


def test_methods_text_names_versions_parameters_and_numbers(result: de.AnalysisResult) -> None:
    methods = result.methods
    assert f"PyDESeq2 {package_version('pydeseq2')}" in methods
    assert f"numpy {package_version('numpy')}" in methods
    assert f"{result.summary['genes_tested']:,} of 300 genes were kept" in methods
    assert "4 samples with condition = treated" in methods
    assert "at least 3 reads in at least 20%" in methods
    assert "P_Value and Adj_P_Value of 1" in methods
    assert result.display["p_value_threshold"] == 0.05


def test_stricter_filter_keeps_fewer_genes(data: Experiment) -> None:
    strict = de.prepare(
        params(min_count=50, min_sample_fraction=1.0), data.samples, data.counts, "raw_counts"
    )
    loose = de.prepare(params(), data.samples, data.counts, "raw_counts")
    assert 0 < len(strict.counts) < len(loose.counts)


def test_covariate_enters_the_design_and_expected_counts_are_rounded(data: Experiment) -> None:
    counts = data.counts.astype(float) + 0.3
    result = de.run(params(covariates=["sex"]), data.samples, counts, "expected_counts")
    assert "~ sex + condition" in result.methods
    assert "rounded" in result.methods
    assert not result.table.isna().any().any()


def test_numeric_covariate_is_modelled_as_continuous(data: Experiment) -> None:
    samples = data.samples.assign(rin=[7.1, 8.0, 6.5, 9.2, 7.7, 8.8, 6.9, 7.4])
    result = de.run(params(covariates=["rin"]), samples, data.counts, "raw_counts")
    assert "~ rin + condition (rin continuous" in result.methods
    assert not result.table.isna().any().any()


def test_samples_in_neither_group_are_left_out(data: Experiment) -> None:
    samples = data.samples.copy()
    samples.loc["control_4", "condition"] = "other"
    prepared = de.prepare(params(), samples, data.counts, "raw_counts")
    assert "control_4" not in prepared.counts.columns
    assert prepared.comparison.excluded == 1


def test_untestable_genes_are_reported_with_p_values_of_one() -> None:
    results = pd.DataFrame(
        {
            "baseMean": [10.0, 5.0],
            "log2FoldChange": [1.0, 0.5],
            "pvalue": [0.01, np.nan],
            "padj": [np.nan, np.nan],
        },
        index=["A", "B"],
    )
    table = de.results_table(results).set_index("Gene_Symbol")
    assert table.loc["A", "Adj_P_Value"] == 1.0
    assert table.loc["B", "P_Value"] == 1.0 and table.loc["B", "Adj_P_Value"] == 1.0


@pytest.mark.parametrize(
    ("changes", "units", "field", "words"),
    [
        ({}, "tpm", "units", "raw or expected counts"),
        ({"group_column": "tissue"}, "raw_counts", "group_column", "no column 'tissue'"),
        ({"experimental_values": ["drug"]}, "raw_counts", "experimental_values", "'drug'"),
        ({"control_values": ["placebo"]}, "raw_counts", "control_values", "'placebo'"),
        ({"covariates": ["site"]}, "raw_counts", "covariates", "no column 'site'"),
        ({"covariates": ["condition_copy"]}, "raw_counts", "covariates", "confounded"),
        ({"covariates": ["constant"]}, "raw_counts", "covariates", "same value"),
        ({"covariates": ["sex", "sex_copy"]}, "raw_counts", "covariates", "redundant"),
        ({"covariates": ["gapped"]}, "raw_counts", "covariates", "no value for sample"),
    ],
)
def test_check_inputs_refuses_with_the_field_named(
    data: Experiment, changes: dict[str, Any], units: str, field: str, words: str
) -> None:
    samples = data.samples.assign(
        condition_copy=lambda s: s["condition"].map({"treated": "x", "control": "y"}),
        constant="same",
        sex_copy=lambda s: s["sex"],
        gapped=["a", None, "b", "a", "b", "a", "b", "a"],
    )
    error = refusal(data, units=units, samples=samples, **changes)
    assert error.field == field
    assert words in error.message


def test_group_of_one_sample_is_refused(data: Experiment) -> None:
    samples = data.samples.copy()
    samples["condition"] = [
        "control",
        "control",
        "control",
        "control",
        "treated",
        "other",
        "other",
        "other",
    ]
    error = refusal(data, samples=samples)
    assert error.field == "experimental_values"
    assert "at least 2" in error.message


def test_too_many_covariate_levels_for_the_samples_are_refused() -> None:
    small = experiment(genes=50, per_group=2)
    samples = small.samples.assign(donor=["d1", "d2", "d3", "d1"])
    with pytest.raises(AnalysisInputError) as caught:
        de.check_inputs(params(covariates=["donor"]), samples, "raw_counts")
    assert caught.value.field == "covariates"
    assert "4 coefficients for 4 samples" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"group_colum": "condition"}, "group_colum"),
        ({"group_column": 3}, "group_column"),
        ({"experimental_values": []}, "experimental_values"),
        ({"control_values": [1, 2]}, "control_values"),
        ({"control_values": ["treated"]}, "control_values"),
        ({"min_count": -1}, "min_count"),
        ({"min_count": 2.5}, "min_count"),
        ({"min_count": True}, "min_count"),
        ({"min_sample_fraction": 1.5}, "min_sample_fraction"),
        ({"alpha": 0}, "alpha"),
        ({"alpha": "0.05"}, "alpha"),
        ({"covariates": ["condition"]}, "covariates"),
    ],
)
def test_the_parameters_model_refuses_with_the_field_named(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        validated(de.DifferentialExpressionParameters, {**BASE, **raw})
    assert caught.value.field == field


def test_the_parameters_model_accepts_single_strings_and_applies_defaults() -> None:
    parsed = validated(
        de.DifferentialExpressionParameters,
        {"group_column": "c", "experimental_values": "a", "control_values": "b"},
    )
    assert parsed.model_dump() == {
        "group_column": "c",
        "experimental_values": ("a",),
        "control_values": ("b",),
        "covariates": (),
        "min_count": 3,
        "min_sample_fraction": 0.2,
        "alpha": 0.05,
    }
