"""Over-representation run end to end: created over HTTP on a completed differential
expression, run as a worker runs it, its results, dot plot, images, options and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.analyses.compute.over_representation import COLUMNS
from pluto.server.analyses.models import Analysis
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    DE_REQUEST,
    CountData,
    count_data,
    exp_path,
    get,
    make_experiment,
    make_project,
    post_analysis,
    start_and_run,
    upload_counts,
)
from tests.analyses.test_gene_set_enrichment import gmt_of, upload_collection
from tests.conftest import Caller
from tests.web.conftest import html, signed_in


def ora_request(analysis_id: str, collection: str = "treatment", **more: Any) -> dict[str, Any]:
    """An over-representation request on a differential expression analysis."""
    parameters = {"differential_expression_id": analysis_id, "gene_set_collection": collection}
    return {
        "analysis_type": "over_representation",
        "name": "Treatment sets",
        "parameters": {**parameters, **more},
    }


@pytest.fixture
def ora(
    ada: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> dict[str, Any]:
    """A completed over-representation of all significant genes in the treatment sets."""
    assert upload_collection(ada, gmt_of(data)).status_code == 201
    analysis = start_and_run(ada, experiment, ora_request(completed_de["uuid"]))
    assert analysis["status"] == "complete", analysis["message"]
    return analysis


def plot_path(experiment: Experiment, analysis: dict[str, Any], rest: str = "") -> str:
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/{rest}")


def rows_of(caller: Caller, experiment: Experiment, analysis: dict[str, Any]) -> Any:
    """The results page as rows by gene set, and the page."""
    page = get(caller, plot_path(experiment, analysis, "data/")).data
    return {row["Gene_Set_Shortname"]: row for row in page["items"]}, page


def test_the_treatment_sets_are_enriched_among_the_significant_genes(
    ada: Caller, experiment: Experiment, data: CountData, ora: dict[str, Any]
) -> None:
    rows, page = rows_of(ada, experiment, ora)

    assert page["headers"] == list(COLUMNS)
    assert set(rows) == {"TREATMENT_UP", "TREATMENT_DOWN", "HOUSEKEEPING"}
    assert all(value is not None for row in page["items"] for value in row.values())
    up = rows["TREATMENT_UP"]
    assert up["Set_Size"] == len(data.up) and up["Adj_P_Value"] < 1e-6
    assert set(up["Genes"].split(";")) <= set(data.up) and len(up["Genes"].split(";")) >= 15
    assert up["Overlap"] == len(up["Genes"].split(";"))
    assert rows["HOUSEKEEPING"]["Adj_P_Value"] > 0.05
    assert ora["parameters"]["direction"] == "all" and ora["parameters"]["min_size"] == 10
    assert ora["summary"]["genes_in_universe"] == len(data.genes) - 20
    assert ora["summary"]["p_value_threshold"] == 0.05


def test_methods_name_the_test_the_source_analysis_and_the_threshold_it_ran_with(
    ora: dict[str, Any], completed_de: dict[str, Any]
) -> None:
    methods = ora["methods"]

    assert "one-sided hypergeometric test" in methods and "scipy" in methods
    assert completed_de["uuid"] in methods
    assert "adjusted p-value below 0.05" in methods and "'treatment'" in methods


def test_one_direction_leaves_the_other_set_without_overlap(
    ada: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> None:
    upload_collection(ada, gmt_of(data))

    down = start_and_run(ada, experiment, ora_request(completed_de["uuid"], direction="down"))
    rows, _ = rows_of(ada, experiment, down)

    assert rows["TREATMENT_UP"]["Overlap"] == 0 and rows["TREATMENT_UP"]["P_Value"] == 1
    assert rows["TREATMENT_DOWN"]["Adj_P_Value"] < 1e-6
    assert set(rows["TREATMENT_DOWN"]["Genes"].split(";")) <= set(data.down)


def test_the_dot_plot_shows_enriched_sets_sized_by_overlap(
    ada: Caller, experiment: Experiment, ora: dict[str, Any]
) -> None:
    rows, _ = rows_of(ada, experiment, ora)
    by_name = {row["Gene_Set_Name"]: row for row in rows.values()}

    figure = ada.call("GET", plot_path(experiment, ora, "figure/"))
    displays = ada.call("GET", plot_path(experiment, ora, "displays/")).data

    assert displays["items"][0]["display_type"] == "dot_plot"
    assert figure.status_code == 200
    trace = figure.data["data"][0]
    assert set(trace["y"]) == {"genes raised by treatment", "genes lowered by treatment"}
    assert trace["marker"]["size"] == [float(by_name[name]["Overlap"]) for name in trace["y"]]
    assert trace["marker"]["color"] == [by_name[name]["Adj_P_Value"] for name in trace["y"]]
    assert figure.data["layout"]["xaxis"]["title"]["text"] == "Fold enrichment"


def test_the_dot_plot_renders_as_png_and_svg(
    ada: Caller, experiment: Experiment, ora: dict[str, Any]
) -> None:
    png = get(ada, plot_path(experiment, ora, "image.png/"))
    svg = get(ada, plot_path(experiment, ora, "image.svg/"))

    assert png.status == 200 and png.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.status == 200 and b"<svg" in svg.body[:2000]


def test_display_options_change_the_dot_plot_and_bad_ones_are_refused(
    ada: Caller, experiment: Experiment, ora: dict[str, Any]
) -> None:
    display = ada.call("GET", plot_path(experiment, ora, "displays/")).data["items"][0]
    path = plot_path(experiment, ora, f"displays/{display['uuid']}/")

    edited = ada.call("PUT", path, {"options": {"top_n": 1, "p_value_threshold": 1.0}})
    figure = ada.call("GET", plot_path(experiment, ora, "figure/")).data
    unknown = ada.call("PUT", path, {"options": {"size_by": "Overlap"}})
    too_few = ada.call("PUT", path, {"options": {"top_n": 0}})

    assert edited.status_code == 200, edited.data
    assert len(figure["data"][0]["y"]) == 1
    assert unknown.status_code == 400 and unknown.data["details"]["field"] == "options.size_by"
    assert too_few.status_code == 400 and too_few.data["details"]["field"] == "options.top_n"


@pytest.mark.parametrize(
    ("more", "field"),
    [
        ({"p_value_threshold": 1e-300}, "parameters.p_value_threshold"),
        ({"min_size": 100, "max_size": 200}, "parameters.min_size"),
        ({"direction": "sideways"}, "parameters.direction"),
        ({"min_size": 30, "max_size": 20}, "parameters.max_size"),
        ({"gene_set_collection": "hallmark"}, "parameters.gene_set_collection"),
        (
            {"differential_expression_id": "0b5f4c1e-6f0c-4b55-9d39-2a8a3c1f0e11"},
            "parameters.differential_expression_id",
        ),
    ],
)
def test_refusals_are_400_naming_the_parameter(
    ada: Caller,
    experiment: Experiment,
    data: CountData,
    completed_de: dict[str, Any],
    more: dict[str, Any],
    field: str,
) -> None:
    upload_collection(ada, gmt_of(data))

    refused = post_analysis(ada, experiment, ora_request(completed_de["uuid"], **more))

    assert refused.status_code == 400, refused.data
    assert refused.data["code"] == "invalid"
    assert refused.data["details"]["field"] == field
    assert Analysis.objects.filter(analysis_type="over_representation").count() == 0


def test_no_gene_in_the_chosen_direction_is_refused_naming_direction(ada: Caller) -> None:
    only_up = count_data(changed=1)
    experiment = make_experiment(ada.user, make_project(ada.user))
    upload_counts(ada, experiment, only_up)
    de = start_and_run(ada, experiment, DE_REQUEST)
    upload_collection(ada, ("SOME\tgenes\t" + "\t".join(only_up.genes[:30]) + "\n").encode())

    refused = post_analysis(ada, experiment, ora_request(de["uuid"], direction="down"))

    assert refused.status_code == 400, refused.data
    assert refused.data["details"]["field"] == "parameters.direction"
    assert "significantly lowered" in refused.data["message"]


def test_a_non_differential_expression_analysis_is_refused(
    ada: Caller, experiment: Experiment, data: CountData
) -> None:
    upload_collection(ada, gmt_of(data))
    pca = start_and_run(ada, experiment, {"analysis_type": "principal_components"})

    refused = post_analysis(ada, experiment, ora_request(pca["uuid"]))

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.differential_expression_id"


def test_the_web_form_offers_the_analyses_collections_and_directions_and_runs(
    ada: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> None:
    upload_collection(ada, gmt_of(data))
    browser = signed_in(ada.user)
    page_path = f"/experiments/{experiment.pluto_id}/?tab=analysis"

    form = html(browser.get(page_path + "&type=over_representation"))
    submitted = browser.post(
        page_path,
        {
            "action": "run_analysis",
            "analysis_type": "over_representation",
            "name": "Raised genes",
            "differential_expression_id": completed_de["uuid"],
            "gene_set_collection": "treatment",
            "direction": "up",
            "use_adjusted_p_value": "true",
            "min_size": "5",
        },
    )

    assert completed_de["uuid"] in form and 'value="treatment"' in form
    assert all(f'value="{direction}"' in form for direction in ("up", "down", "all"))
    assert submitted.status_code == 302, html(submitted)[:2000]
    analysis = Analysis.objects.get(analysis_type="over_representation")
    assert analysis.parameters["direction"] == "up" and analysis.parameters["min_size"] == 5
    assert analysis.parameters["use_adjusted_p_value"] is True
