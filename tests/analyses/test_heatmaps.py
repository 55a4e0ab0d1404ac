"""Clustering and sample correlation over HTTP: created with POST, run as a worker runs them,
read back as plot data, figures, images and methods; refusals name the parameter."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.analyses.heatmap import column_label_angle
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    CountData,
    exp_path,
    get,
    post_analysis,
    start_and_run,
)
from tests.conftest import Caller
from tests.web.conftest import html, signed_in

CLUSTERING_REQUEST = {
    "analysis_type": "clustering",
    "name": "Top genes",
    "parameters": {"top_n": 50, "clusters": 3, "annotation_columns": ["condition"]},
}
CORRELATION_REQUEST = {
    "analysis_type": "sample_correlation",
    "parameters": {"method": "spearman", "annotation_columns": ["condition", "batch"]},
}


def sample_ids(data: CountData) -> list[str]:
    """The generated sample ids, in sample table order."""
    return [line.split(",")[0] for line in data.samples_csv.decode().splitlines()[1:]]


def plot_path(experiment: Experiment, analysis: dict[str, Any], rest: str = "") -> str:
    """``…/plots/<the analysis's plot>/<rest>``."""
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/{rest}")


def data_page(caller: Caller, experiment: Experiment, analysis: dict[str, Any]) -> Any:
    """Every row of the analysis's results, as the plot data endpoint pages them."""
    return get(caller, plot_path(experiment, analysis, "data/?limit=5000")).data


def refused_field(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> tuple[int, Any]:
    """The status and the field named by the answer to a create request."""
    answer = post_analysis(caller, experiment, body)
    return answer.status_code, (answer.data.get("details") or {}).get("field")


def test_a_clustering_heatmap_runs_and_its_table_is_the_heatmap(
    ada: Caller, experiment: Experiment, data: CountData
) -> None:
    analysis = start_and_run(ada, experiment, CLUSTERING_REQUEST)
    page = data_page(ada, experiment, analysis)
    plot = ada.call("GET", plot_path(experiment, analysis)).data

    assert analysis["status"] == "complete", analysis["message"]
    assert plot["display"]["display_type"] == "heatmap"
    headers = page["headers"]
    assert headers[0] == "Gene_Symbol" and headers[-2:] == ["Row_Order", "Cluster"]
    assert sorted(headers[1:-2]) == sorted(sample_ids(data))
    assert page["count"] == 50
    assert [row["Row_Order"] for row in page["items"]] == list(range(1, 51))
    assert {row["Cluster"] for row in page["items"]} == {1, 2, 3}
    assert analysis["summary"]["cluster_sizes"] and sum(analysis["summary"]["cluster_sizes"]) == 50
    assert "clustered hierarchically with SciPy" in analysis["methods"]


def test_the_heatmap_figure_and_image_are_served(ada: Caller, experiment: Experiment) -> None:
    analysis = start_and_run(ada, experiment, CLUSTERING_REQUEST)
    figure = ada.call("GET", plot_path(experiment, analysis, "figure/"))
    image = ada.client.get(
        plot_path(experiment, analysis, "image.png/"), HTTP_AUTHORIZATION=f"Token {ada.key}"
    )

    assert figure.status_code == 200
    traces = figure.data["data"]
    assert traces[0]["type"] == "heatmap" and len(traces[0]["z"]) == 50
    assert [t["x"].count(None) for t in traces if t.get("mode") == "lines"] == [7, 49]
    assert {t["name"] for t in traces if t.get("mode") == "markers"} == {
        "condition: control",
        "condition: treated",
    }
    assert figure.data["layout"]["xaxis"]["tickangle"] == 0  # eight short ids fit upright
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_sample_labels_that_would_overlap_are_turned() -> None:
    demo_samples = [f"{group}_{n}" for group in ("control", "treated") for n in range(1, 7)]

    assert column_label_angle(demo_samples) == -90
    assert column_label_angle(demo_samples[:5]) == 0


def test_display_options_change_the_figure_and_bad_ones_are_refused(
    ada: Caller, experiment: Experiment
) -> None:
    analysis = start_and_run(ada, experiment, CLUSTERING_REQUEST)
    display = ada.call("GET", plot_path(experiment, analysis)).data["display"]
    path = plot_path(experiment, analysis, f"displays/{display['uuid']}/")

    changed = ada.call("PUT", path, {"options": {"show_dendrograms": False, "color_limit": 2}})
    bad = ada.call("PUT", path, {"options": {"show_trees": True}})
    figure = ada.call("GET", plot_path(experiment, analysis, "figure/")).data

    assert changed.status_code == 200, changed.data
    assert not [t for t in figure["data"] if t.get("mode") == "lines"]
    assert figure["data"][0]["zmax"] == 2
    assert bad.status_code == 400 and bad.data["details"]["field"] == "options.show_trees"


def test_the_significant_genes_of_a_differential_expression_are_clustered(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any], data: CountData
) -> None:
    body = {
        "analysis_type": "clustering",
        "parameters": {
            "feature_selection": "differential_expression",
            "differential_expression_id": completed_de["uuid"],
            "clusters": 2,
        },
    }
    analysis = start_and_run(ada, experiment, body)
    de_page = data_page(ada, experiment, completed_de)  # volcano pages come column by column
    columns = zip(*de_page["items"], strict=True)
    de_rows = [dict(zip(de_page["headers"], row, strict=True)) for row in columns]
    significant = {
        row["Gene_Symbol"]
        for row in de_rows
        if row["Adj_P_Value"] < 0.05 and abs(row["Log2_Fold_Change"]) >= 1
    }
    rows = data_page(ada, experiment, analysis)["items"]

    assert analysis["status"] == "complete", analysis["message"]
    assert {row["Gene_Symbol"] for row in rows} == significant
    up = set(data.up) & significant
    first_cluster = {row["Gene_Symbol"] for row in rows if row["Cluster"] == 1}
    assert first_cluster in (up, significant - up)
    assert completed_de["uuid"] in analysis["methods"]
    assert "condition: treated vs control" in analysis["methods"]


def test_a_pasted_gene_list_is_clustered(ada: Caller, experiment: Experiment) -> None:
    body = {
        "analysis_type": "clustering",
        "parameters": {
            "feature_selection": "gene_list",
            "genes": "GENE1 GENE2, GENE3\nGENE4",
            "clusters": 2,
            "values": "vst",
        },
    }
    analysis = start_and_run(ada, experiment, body)
    rows = data_page(ada, experiment, analysis)["items"]

    assert analysis["status"] == "complete", analysis["message"]
    assert sorted(row["Gene_Symbol"] for row in rows) == ["GENE1", "GENE2", "GENE3", "GENE4"]
    assert analysis["parameters"]["genes"] == ["GENE1", "GENE2", "GENE3", "GENE4"]
    assert "variance stabilising transformation" in analysis["methods"]


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"distance": "correlation", "linkage": "ward"}, "parameters.linkage"),
        ({"feature_selection": "gene_list", "genes": ["GENE1", "NOPE"]}, "parameters.genes"),
        ({"feature_selection": "gene_list"}, "parameters.genes"),
        (
            {
                "feature_selection": "differential_expression",
                "differential_expression_id": "0b5f4c1e-6f0c-4b55-9d39-2a8a3c1f0e11",
            },
            "parameters.differential_expression_id",
        ),
        ({"annotation_columns": ["tissue"]}, "parameters.annotation_columns"),
        ({"top_n": 5000}, "parameters.top_n"),
        ({"clusters": 60}, "parameters.clusters"),
        ({"heat": True}, "parameters.heat"),
    ],
)
def test_clustering_refusals_name_the_parameter(
    ada: Caller, experiment: Experiment, parameters: dict[str, Any], field: str
) -> None:
    status, named = refused_field(ada, experiment, {"analysis_type": "clustering",
                                                    "parameters": parameters})  # fmt: skip

    assert (status, named) == (400, field)


def test_a_differential_expression_with_no_significant_gene_is_refused_at_creation(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    body = {
        "analysis_type": "clustering",
        "parameters": {
            "feature_selection": "differential_expression",
            "differential_expression_id": completed_de["uuid"],
            "adj_p_value_threshold": 1e-300,
        },
    }
    answer = post_analysis(ada, experiment, body)

    assert answer.status_code == 400
    assert answer.data["details"]["field"] == "parameters.adj_p_value_threshold"
    assert "0 genes of that differential expression" in answer.data["message"]


def test_sample_correlation_runs_and_its_table_is_the_clustered_matrix(
    ada: Caller, experiment: Experiment, data: CountData
) -> None:
    analysis = start_and_run(ada, experiment, CORRELATION_REQUEST)
    page = data_page(ada, experiment, analysis)
    figure = ada.call("GET", plot_path(experiment, analysis, "figure/")).data

    assert analysis["status"] == "complete", analysis["message"]
    order = [row["Sample_ID"] for row in page["items"]]
    assert page["headers"] == ["Sample_ID", *order]
    assert sorted(order) == sorted(sample_ids(data))
    assert all(row[row["Sample_ID"]] == pytest.approx(1.0) for row in page["items"])
    assert all(row[other] == page["items"][order.index(other)][row["Sample_ID"]]
               for row in page["items"] for other in order)  # fmt: skip
    assert figure["data"][0]["type"] == "heatmap" and figure["data"][0]["x"] == order
    assert "Spearman rank correlation" in analysis["methods"]
    assert analysis["summary"]["samples"] == 8


def test_sample_correlation_refusals_name_the_parameter(
    ada: Caller, experiment: Experiment
) -> None:
    bad_method = refused_field(ada, experiment, {"analysis_type": "sample_correlation",
                                                 "parameters": {"method": "kendall"}})  # fmt: skip
    bad_column = refused_field(
        ada,
        experiment,
        {"analysis_type": "sample_correlation", "parameters": {"annotation_columns": ["x"]}},
    )

    assert bad_method == (400, "parameters.method")
    assert bad_column == (400, "parameters.annotation_columns")


def test_both_kinds_are_listed_with_their_parameters(ada: Caller) -> None:
    listed = ada.call("GET", "/lab/analysis-types/").data["items"]
    kinds = {item["analysis_type"]: item for item in listed}

    clustering = kinds["clustering"]["parameters"]["properties"]
    assert clustering["differential_expression_id"]["choices"] == "analyses"
    assert clustering["genes"]["choices"] == "genes"
    assert clustering["annotation_columns"]["choices"] == "sample_columns"
    assert kinds["clustering"]["display_types"] == ["heatmap"]
    assert kinds["sample_correlation"]["display_types"] == ["heatmap"]
    assert "heatmap" in kinds["clustering"]["aliases"]


def test_the_plot_page_of_a_heatmap_shows_its_figure_and_results(
    ada: Caller, experiment: Experiment
) -> None:
    analysis = start_and_run(ada, experiment, CLUSTERING_REQUEST)
    page = signed_in(ada.user).get(
        f"/experiments/{experiment.pluto_id}/plots/{analysis['plot']['uuid']}/"
    )
    text = html(page)

    assert page.status_code == 200
    assert f'data-figure-url="{plot_path(experiment, analysis, "figure/")}"' in text
    assert "Rows 1\u201350 of 50" in text and "Row_Order" in text
    assert 'name="row_labels"' in text and 'name="show_dendrograms"' in text
