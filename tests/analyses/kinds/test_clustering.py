"""Clustering heatmaps computed in memory: rows chosen three ways, values, trees in R's
conventions, clusters, the figure, and every refusal naming its parameter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError, hierarchy
from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.parameters import ParameterProblems, validated
from pluto.server.analyses.compute.versions import package_version
from pluto.server.analyses.heatmap import heatmap_figure, tree_lines
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds import clustering
from tests.analyses.compute.synthetic import Experiment, experiment

DE_ID = "0b3f8f36-9d7e-4c55-a7a4-2f1a6f0f4c11"
DE_PARAMETERS = {
    "group_column": "condition",
    "experimental_values": ["treated"],
    "control_values": ["control"],
}
# Six points in four dimensions and what R 4.2's hclust made of them (merge row by row).
POINTS = np.array(
    [
        [0.35, 0.82, -0.40, 1.10],
        [0.33, -1.30, 0.75, 0.05],
        [0.91, 0.45, -1.20, 0.60],
        [-0.54, 0.58, 0.20, -0.90],
        [0.36, 0.29, 1.40, -0.30],
        [1.25, -0.70, 0.10, 0.85],
    ]
)
R_HCLUST = {
    ("euclidean", "average"): ([-1, -3, -2, -6, -4, -5, 1, 2, 3, 4], [4, 5, 1, 3, 2, 6]),
    ("euclidean", "ward"): ([-1, -3, -2, -6, -4, -5, 2, 3, 1, 4], [1, 3, 2, 6, 4, 5]),
    ("correlation", "complete"): ([-1, -3, -2, -6, -4, -5, 1, 2, 3, 4], [4, 5, 1, 3, 2, 6]),
}
R_CUTREE_3 = [1, 2, 1, 3, 3, 2]


@pytest.fixture(scope="module")
def data() -> Experiment:
    return experiment(genes=300, per_group=4)


@pytest.fixture(scope="module")
def de_table(data: Experiment) -> pd.DataFrame:
    """A real differential expression of the same data, treated vs control."""
    params = validated(de.DifferentialExpressionParameters, DE_PARAMETERS)
    return de.run(params, data.samples, data.counts, "raw_counts").table


def inputs_of(
    data: Experiment, de_table: pd.DataFrame | None = None, units: str = "raw_counts"
) -> FrameInputs:
    analyses = {DE_ID: (DE_PARAMETERS, de_table)} if de_table is not None else {}
    return FrameInputs(data.samples, data.counts, units, analyses)


def params(**raw: Any) -> clustering.ClusteringParameters:
    return validated(clustering.ClusteringParameters, raw)


def run(inputs: FrameInputs, **raw: Any) -> AnalysisResult:
    return clustering.KIND.run(params(**raw), inputs, no_progress)


def refusal(inputs: FrameInputs, **raw: Any) -> AnalysisInputError:
    with pytest.raises(AnalysisInputError) as caught:
        clustering.KIND.check(params(**raw), inputs)
    return caught.value


def parameter_problem(**raw: Any) -> ParameterProblems:
    with pytest.raises(ParameterProblems) as caught:
        params(**raw)
    return caught.value


def sample_columns(table: pd.DataFrame) -> list[str]:
    return [str(c) for c in table.columns[1:-2]]


def test_results_have_a_row_per_feature_a_column_per_sample_order_and_cluster(
    data: Experiment,
) -> None:
    table = run(inputs_of(data), top_n=60).table

    assert table.columns[0] == "Gene_Symbol" and list(table.columns[-2:]) == [
        "Row_Order",
        "Cluster",
    ]
    assert sorted(sample_columns(table)) == sorted(data.samples.index)
    assert len(table) == 60 and not table.isna().any().any()
    assert table["Row_Order"].tolist() == list(range(1, 61))
    assert sorted(table["Cluster"].unique()) == [1, 2, 3, 4]


def test_clusters_are_numbered_from_the_top_of_the_heatmap(data: Experiment) -> None:
    clusters = run(inputs_of(data), top_n=60, clusters=5).table["Cluster"].tolist()

    first_seen = list(dict.fromkeys(clusters))
    assert first_seen == [1, 2, 3, 4, 5]
    assert all(clusters.index(c) < clusters.index(c + 1) for c in range(1, 5))


def test_rows_are_the_most_variable_genes_as_z_scores(data: Experiment) -> None:
    table = run(inputs_of(data), top_n=40).table
    values = table[sample_columns(table)]
    cpm = data.counts / data.counts.sum() * 1e6
    logged = np.log2(cpm + 1)
    expected = logged.var(axis=1, ddof=1).sort_values(ascending=False).index[:40]

    assert set(table["Gene_Symbol"]) == set(expected)
    assert np.allclose(values.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(values.std(axis=1, ddof=1), 1)
    gene = table["Gene_Symbol"][0]
    row = logged.loc[gene, sample_columns(table)]
    assert np.allclose(values.iloc[0], (row - row.mean()) / row.std(ddof=1))


def test_unscaled_values_are_log2_cpm_and_centred_ones_have_mean_zero(data: Experiment) -> None:
    plain = run(inputs_of(data), top_n=20, row_scaling="none").table
    centred = run(inputs_of(data), top_n=20, row_scaling="center").table
    cpm = data.counts / data.counts.sum() * 1e6
    gene = plain["Gene_Symbol"][0]

    assert np.allclose(plain.iloc[0][sample_columns(plain)].astype(float),
                       np.log2(cpm.loc[gene, sample_columns(plain)] + 1))  # fmt: skip
    assert np.allclose(centred[sample_columns(centred)].mean(axis=1), 0, atol=1e-12)


def test_treated_and_control_samples_fall_in_separate_branches(data: Experiment) -> None:
    table = run(inputs_of(data), top_n=100, distance="correlation", linkage="average").table
    conditions = data.samples.loc[sample_columns(table), "condition"].tolist()

    assert conditions[:4] in (["control"] * 4, ["treated"] * 4)
    assert set(conditions[4:]) == {"control", "treated"} - {conditions[0]}


def test_significant_genes_of_a_differential_expression_split_into_up_and_down(
    data: Experiment, de_table: pd.DataFrame
) -> None:
    result = run(
        inputs_of(data, de_table),
        feature_selection="differential_expression",
        differential_expression_id=DE_ID,
        clusters=2,
    )
    significant = de_table[
        (de_table["Adj_P_Value"] < 0.05) & (de_table["Log2_Fold_Change"].abs() >= 1)
    ]
    up = set(significant.loc[significant["Log2_Fold_Change"] > 0, "Gene_Symbol"])
    table = result.table

    assert set(table["Gene_Symbol"]) == set(significant["Gene_Symbol"])
    assert set(table.loc[table["Cluster"] == 1, "Gene_Symbol"]) in (
        up,
        set(table["Gene_Symbol"]) - up,
    )
    assert "condition: treated vs control" in result.methods
    assert result.summary["genes_significant"] == len(significant)


def test_stricter_thresholds_show_fewer_genes(data: Experiment, de_table: pd.DataFrame) -> None:
    chosen = {"feature_selection": "differential_expression", "differential_expression_id": DE_ID}
    loose = run(inputs_of(data, de_table), **chosen).table
    strict = run(inputs_of(data, de_table), **chosen, fold_change_threshold=1.9,
                 adj_p_value_threshold=1e-6).table  # fmt: skip

    assert 2 <= len(strict) < len(loose)
    assert set(strict["Gene_Symbol"]) <= set(loose["Gene_Symbol"])


def test_a_gene_list_is_shown_as_given_with_pasted_text_split(data: Experiment) -> None:
    result = run(inputs_of(data), feature_selection="gene_list",
                 genes="GENE1, GENE2;GENE3\nGENE4 GENE5 GENE5", clusters=2)  # fmt: skip

    assert sorted(result.table["Gene_Symbol"]) == ["GENE1", "GENE2", "GENE3", "GENE4", "GENE5"]
    assert "The 5 genes of the list given were shown." in result.methods


def test_unknown_genes_are_refused_with_the_spelling_the_data_uses(data: Experiment) -> None:
    error = refusal(
        inputs_of(data), feature_selection="gene_list", genes=["GENE1", "gene2", "TP53"]
    )

    assert error.field == "genes"
    assert "no row for 2 genes: gene2, TP53" in error.message
    assert "gene2 (did you mean GENE2?)" in error.message
    assert "ignore_unknown_genes" in error.message


def test_unknown_genes_can_be_left_out_and_are_reported(data: Experiment) -> None:
    result = run(inputs_of(data), feature_selection="gene_list", clusters=2,
                 genes=["GENE1", "GENE2", "GENE3", "TP53"], ignore_unknown_genes=True)  # fmt: skip

    assert sorted(result.table["Gene_Symbol"]) == ["GENE1", "GENE2", "GENE3"]
    assert "1 gene not in the assay data was left out (TP53)" in result.methods
    assert result.summary["genes_unknown"] == 1


def test_genes_without_variation_are_left_out_and_said_so(data: Experiment) -> None:
    counts = data.counts.copy()
    counts.loc["FLAT"] = 0
    flat = Experiment(data.samples, counts, ())
    result = run(inputs_of(flat), feature_selection="gene_list", clusters=2,
                 genes=["GENE1", "GENE2", "GENE3", "FLAT"])  # fmt: skip

    assert "FLAT" not in set(result.table["Gene_Symbol"])
    assert "1 feature with the same value in every sample was left out (FLAT)" in result.methods
    assert result.summary["rows_without_variation"] == 1


def test_vst_values_follow_log2_counts_and_are_named_in_the_methods(data: Experiment) -> None:
    result = run(inputs_of(data), top_n=50, values="vst", row_scaling="none")
    table = result.table
    vst_means = table[sample_columns(table)].mean(axis=1).to_numpy()
    count_means = np.log2(data.counts.loc[table["Gene_Symbol"]].mean(axis=1)).to_numpy()

    assert np.corrcoef(vst_means, count_means)[0, 1] > 0.98
    assert f"variance stabilising transformation (PyDESeq2 {package_version('pydeseq2')}" in (
        result.methods
    )
    assert result.display["value_label"] == "VST"


def test_trees_are_r_hclust_merges_and_orders() -> None:
    for (distance, method), (merge, order) in R_HCLUST.items():
        tree = hierarchy.cluster(POINTS, distance, method, "distance")  # type: ignore[arg-type]

        assert tree.merge.ravel().tolist() == merge, (distance, method)
        assert (tree.order + 1).tolist() == order, (distance, method)


def test_cutting_the_tree_gives_r_cutree_groups_numbered_from_the_top() -> None:
    tree = hierarchy.cluster(POINTS, "euclidean", "average", "distance")
    clusters = hierarchy.cut(tree, 3)

    assert len(set(zip(clusters.tolist(), R_CUTREE_3, strict=True))) == 3
    assert [int(clusters[i]) for i in tree.order] == [1, 1, 2, 2, 3, 3]
    assert hierarchy.cut(tree, 1).tolist() == [1] * 6
    assert sorted(hierarchy.cut(tree, 6).tolist()) == [1, 2, 3, 4, 5, 6]


def test_a_chained_tree_of_two_thousand_rows_is_read_without_recursion() -> None:
    points = np.cumsum(1.5 ** (np.arange(2000) % 60))[:, None]
    tree = hierarchy.cluster(points, "euclidean", "complete", "distance")

    assert sorted(tree.order.tolist()) == list(range(2000))
    assert len(tree.neighbour_heights) == 1999
    assert hierarchy.cut(tree, 50).max() == 50


def test_neighbour_heights_redraw_the_tree_with_one_branch_per_merge() -> None:
    tree = hierarchy.cluster(POINTS, "euclidean", "ward", "distance")
    positions, heights = tree_lines(tree.neighbour_heights.tolist())

    drawn = [float(h or 0) for i, h in enumerate(heights) if i % 5 == 1]
    assert positions.count(None) == 5
    assert sorted(drawn) == pytest.approx(sorted(tree.heights.tolist()))


def test_the_figure_draws_the_heatmap_both_trees_and_annotation_tracks(data: Experiment) -> None:
    result = run(inputs_of(data), top_n=30, annotation_columns=["condition", "sex"])
    figure = heatmap_figure(result.table, "Heatmap", {}, FigureContext(result.display, None))
    traces = figure["data"]
    lines = [t for t in traces if t.get("mode") == "lines"]
    legend = sorted(t["name"] for t in traces if t.get("mode") == "markers")

    assert traces[0]["type"] == "heatmap" and len(traces[0]["z"]) == 30
    assert traces[0]["x"] == sample_columns(result.table)
    assert traces[0]["y"] == result.table["Gene_Symbol"].tolist()
    assert [line["x"].count(None) for line in lines] == [7, 29]
    assert traces[3]["y"] == ["condition", "sex"]
    assert legend == ["condition: control", "condition: treated", "sex: female", "sex: male"]
    assert traces[0]["zmid"] == 0 and traces[0]["zmin"] == -traces[0]["zmax"]


def test_display_options_hide_trees_and_tracks_and_set_the_colour_limit(data: Experiment) -> None:
    result = run(inputs_of(data), top_n=30, annotation_columns=["condition"])
    options = {"show_dendrograms": False, "show_annotations": False, "color_limit": 1.5}
    figure = heatmap_figure(result.table, "Heatmap", options, FigureContext(result.display, None))

    assert [t["type"] for t in figure["data"]] == ["heatmap"]
    assert figure["data"][0]["zmax"] == 1.5
    assert figure["layout"]["yaxis"]["showticklabels"] is True


def test_samples_keep_sample_table_order_without_a_sample_tree(data: Experiment) -> None:
    result = run(inputs_of(data), top_n=30, cluster_samples=False)

    assert sample_columns(result.table) == list(data.samples.index)
    assert result.display["column_tree_heights"] is None
    assert "Samples are in sample table order." in result.methods


def test_methods_name_the_software_parameters_and_cluster_sizes(data: Experiment) -> None:
    result = run(inputs_of(data), top_n=50, distance="correlation", linkage="average")

    assert f"scipy {package_version('scipy')}" in result.methods
    assert "one minus Pearson correlation and average linkage" in result.methods
    assert "The row tree was cut into 4 clusters" in result.methods
    sizes = result.summary["cluster_sizes"]
    assert sum(sizes) == 50 and len(sizes) == 4


def test_peak_assays_name_their_feature_column_peak_id(data: Experiment) -> None:
    peaks = data.counts.rename_axis("peak_id")
    table = run(FrameInputs(data.samples, peaks), top_n=10, clusters=2).table

    assert table.columns[0] == "peak_id"


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"distance": "correlation", "linkage": "ward"}, "linkage", "euclidean distance"),
        ({"feature_selection": "gene_list"}, "genes", "needed"),
        ({"feature_selection": "differential_expression"}, "differential_expression_id", "needed"),
        ({"differential_expression_id": DE_ID}, "differential_expression_id", "only used"),
        ({"genes": ["GENE1"]}, "genes", "only used"),
        ({"top_n": 2001}, "top_n", "at most 2000"),
        ({"feature_selection": "gene_list", "genes": [f"G{i}" for i in range(2001)]}, "genes",
         "at most 2,000 rows"),
        ({"clusters": 0}, "clusters", "at least 1"),
        ({"annotation_columns": [f"c{i}" for i in range(11)]}, "annotation_columns", "most 10"),
        ({"cluster_samples": "yes"}, "cluster_samples", "boolean"),
        ({"values": "tpm"}, "values", "log2_cpm"),
    ],
)  # fmt: skip
def test_parameters_are_refused_naming_the_field(
    raw: dict[str, Any], field: str, words: str
) -> None:
    problem = parameter_problem(**raw)

    assert problem.field == field
    assert words in problem.message


def test_vst_is_refused_for_values_that_are_not_counts(data: Experiment) -> None:
    error = refusal(inputs_of(data, units="tpm"), values="vst")

    assert error.field == "values" and "log2_cpm" in error.message


def test_too_many_significant_genes_are_refused_naming_the_threshold(data: Experiment) -> None:
    many = pd.DataFrame(
        {
            "Gene_Symbol": [f"G{i}" for i in range(2500)],
            "Average_Expression": 10.0,
            "Log2_Fold_Change": 2.0,
            "P_Value": 1e-6,
            "Adj_P_Value": 1e-4,
        }
    )
    chosen = {"feature_selection": "differential_expression", "differential_expression_id": DE_ID}
    error = refusal(inputs_of(data, many), **chosen)
    none = refusal(inputs_of(data, many), **chosen, fold_change_threshold=3.0)

    assert error.field == "adj_p_value_threshold"
    assert "2,500 genes" in error.message and "at most 2,000 rows" in error.message
    assert none.field == "adj_p_value_threshold" and "0 genes" in none.message


def test_a_missing_or_foreign_analysis_is_refused_naming_it(data: Experiment) -> None:
    chosen = {"feature_selection": "differential_expression", "differential_expression_id": DE_ID}
    missing = refusal(inputs_of(data), **chosen)
    pca_like = refusal(inputs_of(data, pd.DataFrame({"Sample_ID": ["a"], "PC1": [1.0]})), **chosen)

    assert missing.field == pca_like.field == "differential_expression_id"
    assert "Gene_Symbol" in pca_like.message


def test_more_clusters_than_rows_are_refused(data: Experiment) -> None:
    error = refusal(inputs_of(data), feature_selection="gene_list", genes=["GENE1", "GENE2"])

    assert error.field == "clusters" and "(4)" in error.message and "(2)" in error.message


def test_samples_unknown_columns_and_clashing_names_are_refused(data: Experiment) -> None:
    clashing = data.samples.rename(index={"control_1": "Cluster"})
    counts = data.counts.rename(columns={"control_1": "Cluster"})

    unknown = refusal(inputs_of(data), annotation_columns=["tissue"])
    clash = refusal(FrameInputs(clashing, counts))
    single = refusal(FrameInputs(data.samples.iloc[:1], data.counts))

    assert unknown.field == "annotation_columns" and "condition" in unknown.message
    assert clash.field == "samples" and "'Cluster'" in clash.message
    assert single.field == "samples"
