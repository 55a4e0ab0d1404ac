"""Sample correlation heatmaps computed in memory: the matrix, its clustered order, the
figure and the refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.parameters import ParameterProblems, validated
from pluto.server.analyses.compute.versions import package_version
from pluto.server.analyses.heatmap import heatmap_figure
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds import sample_correlation as kind
from tests.analyses.compute.synthetic import Experiment, experiment


@pytest.fixture(scope="module")
def data() -> Experiment:
    return experiment(genes=400, per_group=5)


def run(data: Experiment, **raw: Any) -> AnalysisResult:
    params = validated(kind.SampleCorrelationParameters, raw)
    return kind.KIND.run(params, FrameInputs(data.samples, data.counts), no_progress)


def log2_cpm(data: Experiment, top: int) -> pd.DataFrame:
    """log2(CPM + 1) of the ``top`` most variable genes, computed here independently."""
    logged = np.log2(data.counts / data.counts.sum() * 1e6 + 1)
    return logged.loc[logged.var(axis=1).sort_values(ascending=False).index[:top]]


def matrix_of(result: AnalysisResult) -> pd.DataFrame:
    return result.table.set_index("Sample_ID")


def test_results_are_the_symmetric_matrix_in_clustered_order(data: Experiment) -> None:
    result = run(data)
    matrix = matrix_of(result)

    assert result.table.columns[0] == "Sample_ID"
    assert list(matrix.columns) == list(matrix.index)
    assert sorted(matrix.index) == sorted(data.samples.index)
    assert np.allclose(matrix.to_numpy(), matrix.to_numpy().T, atol=0)
    assert np.allclose(np.diag(matrix.to_numpy()), 1.0)
    assert result.display["value_columns"] == list(matrix.index)


def test_pearson_is_the_correlation_of_log2_cpm_of_the_top_genes(data: Experiment) -> None:
    matrix = matrix_of(run(data, top_genes=150))
    expected = log2_cpm(data, 150).corr(method="pearson")

    assert np.abs(matrix - expected.loc[matrix.index, matrix.columns]).to_numpy().max() < 1e-12


def test_spearman_ranks_ties_by_their_average_rank(data: Experiment) -> None:
    shallow = Experiment(data.samples, data.counts // 40, ())
    matrix = matrix_of(run(shallow, method="spearman", top_genes=100_000))
    logged = np.log2(shallow.counts / shallow.counts.sum() * 1e6 + 1)
    expected = logged.loc[logged.var(axis=1) > 0].corr(method="spearman")

    assert np.abs(matrix - expected.loc[matrix.index, matrix.columns]).to_numpy().max() < 1e-12


def test_samples_of_a_condition_are_neighbours(data: Experiment) -> None:
    order = run(data, linkage="complete").table["Sample_ID"].tolist()
    conditions = data.samples.loc[order, "condition"].tolist()

    assert conditions[:5] in (["control"] * 5, ["treated"] * 5)


def test_the_figure_shows_the_same_tree_on_both_sides_and_leaves_out_the_diagonal(
    data: Experiment,
) -> None:
    result = run(data, annotation_columns=["condition"])
    figure = heatmap_figure(result.table, "Samples", {}, FigureContext(result.display, None))
    main, top_tree, left_tree = figure["data"][:3]
    values = matrix_of(result).to_numpy()
    between = values[~np.eye(len(values), dtype=bool)]

    assert main["x"] == main["y"] == result.table["Sample_ID"].tolist()
    assert top_tree["x"] == left_tree["y"] and top_tree["y"] == left_tree["x"]
    assert main["zmax"] == pytest.approx(between.max()) and main["zmax"] < 1.0
    assert result.display["row_tree_heights"] == result.display["column_tree_heights"]


def test_methods_and_summary_give_genes_method_and_versions(data: Experiment) -> None:
    result = run(data, method="spearman", top_genes=200)

    assert "the 200 genes with the highest variance across the 10 samples" in result.methods
    assert "Spearman rank correlation" in result.methods
    assert f"scipy {package_version('scipy')}" in result.methods
    assert result.summary["samples"] == 10 and result.summary["genes_used"] == 200
    assert 0 < result.summary["lowest_correlation"] <= result.summary["median_correlation"] < 1


def test_a_sample_without_reads_is_refused_naming_what_to_change(data: Experiment) -> None:
    counts = data.counts.copy()
    counts["control_1"] = 0
    with pytest.raises(AnalysisInputError) as caught:
        run(Experiment(data.samples, counts, ()))

    assert caught.value.field == "top_genes"
    assert "same value for every gene" in caught.value.message


def test_samples_and_columns_that_cannot_be_used_are_refused(data: Experiment) -> None:
    named = data.samples.rename(index={"control_1": "Sample_ID"})
    cases = [
        (FrameInputs(named, data.counts.rename(columns={"control_1": "Sample_ID"})), {}),
        (FrameInputs(data.samples.iloc[:1], data.counts), {}),
        (FrameInputs(data.samples, data.counts), {"annotation_columns": ["tissue"]}),
    ]
    fields = []
    for inputs, raw in cases:
        with pytest.raises(AnalysisInputError) as caught:
            kind.KIND.check(validated(kind.SampleCorrelationParameters, raw), inputs)
        fields.append(caught.value.field)

    assert fields == ["samples", "samples", "annotation_columns"]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"method": "kendall"}, "method"),
        ({"top_genes": 1}, "top_genes"),
        ({"linkage": "ward"}, "linkage"),
        ({"annotation_columns": [f"c{i}" for i in range(11)]}, "annotation_columns"),
    ],
)
def test_parameters_are_refused_naming_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ParameterProblems) as caught:
        validated(kind.SampleCorrelationParameters, raw)

    assert caught.value.field == field
