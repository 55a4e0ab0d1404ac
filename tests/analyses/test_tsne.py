"""t-SNE over HTTP: created, run by the worker's code, read back as plot data and figures;
the same data gives the same map; the perplexity is checked against the samples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from plutobio import PlutoClient

from pluto.server.analyses.compute.versions import package_version
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    CountData,
    count_data,
    exp_path,
    get,
    post_analysis,
    run_analysis,
    start_and_run,
    upload_counts,
)
from tests.conftest import Caller, make_experiment, make_project
from tests.web.conftest import html, signed_in

COLUMNS = ["Sample_ID", "TSNE1", "TSNE2", "group_id", "group_name"]
REQUEST = {"analysis_type": "tsne", "parameters": {"group_column": "condition"}}


def plot_base(experiment: Experiment, analysis: dict[str, Any]) -> str:
    """``…/plots/<plot>/`` of an analysis."""
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/")


def rows_of(
    caller: Caller, experiment: Experiment, analysis: dict[str, Any]
) -> list[dict[str, Any]]:
    """The results rows of an analysis's plot."""
    page = get(caller, plot_base(experiment, analysis) + "data/").data
    assert page["headers"] == COLUMNS
    rows: list[dict[str, Any]] = page["items"]
    return rows


@pytest.fixture
def tsne(ada: Caller, experiment: Experiment) -> dict[str, Any]:
    """A completed t-SNE of the generated experiment, grouped by condition."""
    analysis = start_and_run(ada, experiment, REQUEST)
    assert analysis["status"] == "complete", analysis["message"]
    return analysis


def test_results_have_one_row_per_sample_with_its_group(
    ada: Caller, experiment: Experiment, data: CountData, tsne: dict[str, Any]
) -> None:
    plot = ada.call("GET", plot_base(experiment, tsne)).data
    rows = rows_of(ada, experiment, tsne)

    assert plot["display"]["display_type"] == "sample_scatter_plot"
    assert [row["Sample_ID"] for row in rows] == [f"S{i:02d}" for i in range(1, 9)]
    assert all(value is not None for row in rows for value in row.values())
    assert {row["group_name"]: row["group_id"] for row in rows} == {"control": 1, "treated": 2}


def test_parameters_methods_and_summary_say_what_ran(tsne: dict[str, Any]) -> None:
    assert tsne["parameters"] == {"group_column": "condition", "top_genes": 500, "perplexity": None}
    assert f"scikit-learn {package_version('scikit-learn')}" in tsne["methods"]
    assert "perplexity = 2.333 (chosen from the number of samples)" in tsne["methods"]
    assert tsne["summary"]["perplexity_used"] == pytest.approx(7 / 3)
    assert tsne["summary"]["samples"] == 8


def test_a_rerun_draws_the_same_map(
    ada: Caller, experiment: Experiment, tsne: dict[str, Any]
) -> None:
    rerun = ada.call("POST", exp_path(experiment, f"analyses/{tsne['uuid']}/rerun/"), {})
    assert rerun.status_code == 202, rerun.data
    assert run_analysis(rerun.data["uuid"]).status == "complete"

    assert rows_of(ada, experiment, rerun.data) == rows_of(ada, experiment, tsne)


def test_figure_is_the_sample_scatter_plot_with_t_sne_axes(
    ada: Caller, experiment: Experiment, tsne: dict[str, Any]
) -> None:
    base = plot_base(experiment, tsne)
    figure = ada.call("GET", base + "figure/").data
    display = ada.call("GET", base + "displays/").data["items"][0]

    edited = ada.call(
        "PUT", base + f"displays/{display['uuid']}/", {"options": {"color_by": "batch"}}
    )
    recoloured = ada.call("GET", base + "figure/").data
    png = get(ada, base + "image.png")

    assert sorted(trace["name"] for trace in figure["data"]) == ["control", "treated"]
    assert figure["layout"]["xaxis"]["title"]["text"] == "TSNE1"
    assert figure["layout"]["yaxis"]["title"]["text"] == "TSNE2"
    assert edited.status_code == 200, edited.data
    assert sorted(trace["name"] for trace in recoloured["data"]) == ["b1", "b2"]
    assert png.status == 200 and png.body.startswith(b"\x89PNG")


def test_a_perplexity_not_below_the_sample_count_is_refused_with_the_limit(
    ada: Caller, experiment: Experiment
) -> None:
    body = {"analysis_type": "tsne", "parameters": {"perplexity": 8}}

    refused = post_analysis(ada, experiment, body)

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.perplexity"
    assert "less than the number of samples (8)" in refused.data["message"]
    assert "left empty it is 2.333 for 8 samples" in refused.data["message"]


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"perplexity": "5"}, "parameters.perplexity"),
        ({"perplexity": 0}, "parameters.perplexity"),
        ({"top_genes": 1}, "parameters.top_genes"),
        ({"group_column": "tissue"}, "parameters.group_column"),
        ({"n_neighbors": 5}, "parameters.n_neighbors"),
    ],
)
def test_bad_parameters_are_refused_naming_them(
    ada: Caller, experiment: Experiment, parameters: dict[str, Any], field: str
) -> None:
    refused = post_analysis(ada, experiment, {"analysis_type": "tsne", "parameters": parameters})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == field


def test_t_sne_needs_four_samples(ada: Caller) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    upload_counts(ada, experiment, count_data(per_group=1, genes=50, changed=0, rare=0))

    refused = post_analysis(ada, experiment, {"analysis_type": "tsne"})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.samples"
    assert "at least 4" in refused.data["message"]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_plutobio_reads_the_t_sne_coordinates(
    live_server: Any,
    ada: Caller,
    experiment: Experiment,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    analysis = start_and_run(ada, experiment, REQUEST)
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)

    client = PlutoClient(token=ada.key)
    table = client.get_plot_data(experiment.pluto_id, analysis["plot"]["uuid"], str(tmp_path))

    assert list(table.columns) == COLUMNS
    assert len(table) == 8 and not table.isna().any().any()
    assert sorted(table["group_name"].unique()) == ["control", "treated"]


def test_the_api_lists_t_sne_with_the_perplexity_limits(ada: Caller) -> None:
    listed = ada.call("GET", "/lab/analysis-types/").data["items"]

    (ours,) = [item for item in listed if item["analysis_type"] == "tsne"]
    perplexity = ours["parameters"]["properties"]["perplexity"]
    assert ours["columns"] == COLUMNS and ours["display_types"] == ["sample_scatter_plot"]
    assert perplexity["default"] is None
    assert {"type": "number", "exclusiveMinimum": 0, "maximum": 10000} in perplexity["anyOf"]


def test_the_web_form_runs_a_t_sne_with_the_perplexity_given(
    ada: Caller, experiment: Experiment
) -> None:
    browser = signed_in(ada.user)
    url = f"/experiments/{experiment.pluto_id}/?tab=analysis"
    form = html(browser.get(url + "&type=tsne"))

    sent = browser.post(
        url,
        {
            "action": "run_analysis",
            "analysis_type": "tsne",
            "group_column": "condition",
            "perplexity": "2",
        },
    )

    assert 'name="perplexity" step="any" min="0" max="10000"' in form
    assert sent.status_code == 302, html(sent)
    analysis = ada.call("GET", exp_path(experiment, "analyses/")).data["items"][0]
    assert analysis["parameters"] == {
        "group_column": "condition",
        "top_genes": 500,
        "perplexity": 2.0,
    }
