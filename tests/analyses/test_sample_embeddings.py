"""Principal components and UMAP of the samples: results rows, variance explained, figures."""

from __future__ import annotations

from typing import Any

from tests.analyses.conftest import (
    PCA_COLUMNS,
    UMAP_COLUMNS,
    CountData,
    count_data,
    exp_path,
    get,
    post_analysis,
    start_and_run,
    upload_counts,
)
from tests.conftest import Caller, make_experiment, make_project

PCA_REQUEST = {
    "analysis_type": "principal_components",
    "name": "PCA by condition",
    "parameters": {"group_column": "condition"},
}


def sample_ids(data: CountData) -> list[str]:
    """The sample ids of the generated sample table, in order."""
    return [line.split(",")[0] for line in data.samples_csv.decode().splitlines()[1:]]


def test_pca_results_have_one_row_per_sample_with_groups(
    ada: Caller, experiment: Any, data: CountData
) -> None:
    analysis = start_and_run(ada, experiment, PCA_REQUEST)
    plot = ada.call("GET", exp_path(experiment, f"plots/{analysis['plot']['uuid']}/")).data
    page = get(ada, exp_path(experiment, f"plots/{analysis['plot']['uuid']}/data/")).data

    assert analysis["status"] == "complete", analysis["message"]
    assert plot["display"]["display_type"] == "sample_scatter_plot"
    assert page["headers"] == PCA_COLUMNS
    assert page["count"] == 8
    rows = page["items"]
    assert all(list(row) == PCA_COLUMNS for row in rows)
    assert all(value is not None for row in rows for value in row.values())
    assert [row["Sample_ID"] for row in rows] == sample_ids(data)
    assert {row["group_name"]: row["group_id"] for row in rows} == {"control": 1, "treated": 2}
    control_pc1 = [row["PC1"] for row in rows if row["group_name"] == "control"]
    treated_pc1 = [row["PC1"] for row in rows if row["group_name"] == "treated"]
    assert max(control_pc1) < min(treated_pc1) or min(control_pc1) > max(treated_pc1)


def test_pca_reports_variance_explained_and_methods(ada: Caller, experiment: Any) -> None:
    analysis = start_and_run(ada, experiment, PCA_REQUEST)

    explained = analysis["summary"]["variance_explained"]
    assert len(explained) == 5
    assert explained == sorted(explained, reverse=True)
    assert 0 < sum(explained) <= 1.0 + 1e-9
    assert "scikit-learn" in analysis["methods"] and "8 samples" in analysis["methods"]


def test_pca_figure_shows_groups_and_variance_on_the_axes(ada: Caller, experiment: Any) -> None:
    analysis = start_and_run(ada, experiment, PCA_REQUEST)
    explained = analysis["summary"]["variance_explained"]

    figure = ada.call("GET", exp_path(experiment, f"plots/{analysis['plot']['uuid']}/figure/"))

    assert figure.status_code == 200
    assert sorted(trace["name"] for trace in figure.data["data"]) == ["control", "treated"]
    assert sum(len(trace["x"]) for trace in figure.data["data"]) == 8
    x_title = figure.data["layout"]["xaxis"]["title"]["text"]
    assert x_title == f"PC1 ({explained[0] * 100:.1f}%)"


def test_pca_without_a_group_column_puts_every_sample_in_one_group(
    ada: Caller, experiment: Any
) -> None:
    analysis = start_and_run(ada, experiment, {"analysis_type": "principal_components"})
    page = get(ada, exp_path(experiment, f"plots/{analysis['plot']['uuid']}/data/")).data

    assert analysis["status"] == "complete"
    assert {(row["group_id"], row["group_name"]) for row in page["items"]} == {(1, "All samples")}


def test_display_colour_by_another_sample_column(ada: Caller, experiment: Any) -> None:
    analysis = start_and_run(ada, experiment, PCA_REQUEST)
    base = exp_path(experiment, f"plots/{analysis['plot']['uuid']}/")
    display = ada.call("GET", base + "displays/").data["items"][0]

    edited = ada.call(
        "PUT", base + f"displays/{display['uuid']}/", {"options": {"color_by": "batch"}}
    )
    figure = ada.call("GET", base + "figure/").data

    assert edited.status_code == 200
    assert sorted(trace["name"] for trace in figure["data"]) == ["b1", "b2"]


def test_umap_results_and_figure(ada: Caller, experiment: Any, data: CountData) -> None:
    analysis = start_and_run(
        ada,
        experiment,
        {"analysis_type": "umap", "parameters": {"group_column": "condition", "n_neighbors": 5}},
    )
    base = exp_path(experiment, f"plots/{analysis['plot']['uuid']}/")
    page = get(ada, base + "data/").data
    figure = ada.call("GET", base + "figure/")
    png = get(ada, base + "image.png")

    assert analysis["status"] == "complete", analysis["message"]
    assert analysis["parameters"] == {
        "group_column": "condition",
        "top_genes": 500,
        "n_neighbors": 5,
        "min_dist": 0.1,
    }
    assert "umap-learn" in analysis["methods"] and "n_neighbors = 5" in analysis["methods"]
    assert page["headers"] == UMAP_COLUMNS
    assert [row["Sample_ID"] for row in page["items"]] == sample_ids(data)
    assert all(value is not None for row in page["items"] for value in row.values())
    assert figure.status_code == 200
    assert figure.data["layout"]["xaxis"]["title"]["text"] == "UMAP1"
    assert png.status == 200 and png.body.startswith(b"\x89PNG")


def test_umap_needs_enough_samples(ada: Caller) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    upload_counts(ada, experiment, count_data(per_group=1, genes=50, changed=0, rare=0))

    refused = post_analysis(ada, experiment, {"analysis_type": "umap"})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.samples"
