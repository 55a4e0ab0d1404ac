"""Survival analyses over HTTP: created, run by the worker's code, their curves as plot data,
the figure and its options, the summary and methods, and every refusal naming
``parameters.<field>``."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from pluto.server.analyses.compute.inputs import no_progress
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.survival import COLUMNS
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.kind import FrameInputs
from pluto.server.analyses.kinds.survival import KIND
from pluto.server.analyses.kinds.survival_demo import SurvivalCohort, generate_survival_cohort
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import csv_bytes, exp_path, get, post_analysis, put_csv, start_and_run
from tests.conftest import Caller, make_experiment, make_project
from tests.web.conftest import html, signed_in

FOLLOW_UP = {"time_column": "os_months", "event_column": "os_event"}
BY_GENE = {**FOLLOW_UP, "gene": "MKI67", "covariates": ["stage", "age"]}


def request(parameters: dict[str, Any], name: str = "Overall survival") -> dict[str, Any]:
    return {"analysis_type": "survival", "name": name, "parameters": parameters}


def upload_cohort(
    caller: Caller, experiment: Experiment, cohort: SurvivalCohort, assay: bool = True
) -> None:
    put_csv(caller, experiment, "sample", csv_bytes(cohort.samples.reset_index()))
    if assay:
        put_csv(caller, experiment, "assay", csv_bytes(cohort.counts.reset_index()))


@pytest.fixture(scope="module")
def cohort() -> SurvivalCohort:
    return generate_survival_cohort()


@pytest.fixture
def cohort_experiment(ada: Caller, cohort: SurvivalCohort) -> Experiment:
    created = make_experiment(ada.user, make_project(ada.user), name="Survival cohort")
    upload_cohort(ada, created, cohort)
    return created


def plot_path(experiment: Experiment, analysis: dict[str, Any], rest: str = "") -> str:
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/{rest}")


def test_a_gene_split_runs_and_its_plot_data_are_the_curves(
    ada: Caller, cohort_experiment: Experiment, cohort: SurvivalCohort
) -> None:
    analysis = start_and_run(ada, cohort_experiment, request(BY_GENE))
    page = get(ada, plot_path(cohort_experiment, analysis, "data/?limit=1000")).data
    plot = ada.call("GET", plot_path(cohort_experiment, analysis)).data

    assert analysis["status"] == "complete", analysis["message"]
    assert plot["display"]["display_type"] == "kaplan_meier_curve"
    assert page["headers"] == list(COLUMNS)
    served = pd.DataFrame(page["items"], columns=page["headers"])
    params = validated(SurvivalParameters, BY_GENE)
    expected = KIND.run(params, FrameInputs(cohort.samples, cohort.counts), no_progress).table
    assert page["count"] == len(expected)
    pd.testing.assert_frame_equal(served, expected, check_dtype=False)


def test_the_summary_has_the_tests_and_hazard_ratios_and_methods_say_what_ran(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    analysis = start_and_run(ada, cohort_experiment, request(BY_GENE))
    summary = analysis["summary"]

    assert summary["samples"] == 60 and summary["log_rank"]["df"] == 1
    gene = summary["cox"]["terms"][0]
    assert (gene["variable"], gene["comparison"]) == ("MKI67", "high vs low")
    assert gene["hazard_ratio"] > 1 and gene["p_value"] < 0.05
    assert [t["variable"] for t in summary["cox"]["terms"][1:]] == ["stage"] * 3 + ["age"]
    assert summary["display"]["groups"] == ["MKI67 low", "MKI67 high"]
    assert analysis["parameters"] == {
        **BY_GENE,
        "event_values": [],
        "censored_values": [],
        "group_column": None,
        "group_values": [],
        "expression_quantile": 0.5,
    }
    methods = analysis["methods"]
    assert "numpy" in methods and "scipy" in methods and "60 samples" in methods
    assert "MKI67 high vs low: HR" in methods and "Efron" in methods


def test_groups_of_a_column_with_named_event_values(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    parameters = {
        "time_column": "os_months",
        "event_column": "vital_status",
        "event_values": "dead",
        "censored_values": "alive",
        "group_column": "stage",
        "group_values": ["IV", "I"],
    }
    analysis = start_and_run(ada, cohort_experiment, request(parameters))
    page = get(ada, plot_path(cohort_experiment, analysis, "data/?limit=1000")).data

    assert analysis["status"] == "complete", analysis["message"]
    assert list(dict.fromkeys(row["Group"] for row in page["items"])) == ["IV", "I"]
    assert analysis["summary"]["cox"]["terms"][0]["comparison"] == "I vs IV"


@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({**FOLLOW_UP, "gene": "NOSUCHGENE"}, "gene"),
        ({**FOLLOW_UP, "group_column": "stage", "group_values": ["I", "V"]}, "group_values"),
        ({**FOLLOW_UP, "group_column": "grade"}, "group_column"),
        ({"time_column": "months", "event_column": "os_event"}, "time_column"),
        ({**FOLLOW_UP, "event_column": "stage"}, "event_column"),
        (
            {**FOLLOW_UP, "event_column": "vital_status", "event_values": ["died"]},
            "censored_values",
        ),
        (
            {
                **FOLLOW_UP,
                "event_column": "vital_status",
                "event_values": ["Dead"],
                "censored_values": ["alive"],
            },
            "event_values",
        ),
        ({**FOLLOW_UP, "gene": "MKI67", "group_column": "stage"}, "gene"),
        ({**FOLLOW_UP, "gene": "MKI67", "expression_quantile": 1.5}, "expression_quantile"),
        ({**FOLLOW_UP, "covariates": ["os_months"]}, "covariates"),
        ({**FOLLOW_UP, "strata": ["stage"]}, "strata"),
        ({"event_column": "os_event"}, "time_column"),
    ],
)
def test_refusals_are_400_naming_the_parameter(
    ada: Caller, cohort_experiment: Experiment, parameters: dict[str, Any], field: str
) -> None:
    answer = post_analysis(ada, cohort_experiment, request(parameters))

    assert answer.status_code == 400, answer.data
    assert answer.data["code"] == "invalid"
    assert answer.data["details"]["field"] == f"parameters.{field}"
    assert answer.data["message"]
    listed = ada.call("GET", exp_path(cohort_experiment, "analyses/")).data
    assert listed["count"] == 0


def test_a_time_that_is_not_a_number_is_refused_naming_the_sample(
    ada: Caller, cohort: SurvivalCohort
) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), name="Bad follow-up")
    samples = cohort.samples.astype({"os_months": object})
    samples.loc["patient_005", "os_months"] = "lost"
    put_csv(ada, experiment, "sample", csv_bytes(samples.reset_index()))

    answer = post_analysis(ada, experiment, request(FOLLOW_UP))

    assert answer.status_code == 400
    assert answer.data["details"]["field"] == "parameters.time_column"
    assert "patient_005" in answer.data["message"] and "'lost'" in answer.data["message"]


def test_without_assay_data_groups_run_and_a_gene_is_refused(
    ada: Caller, cohort: SurvivalCohort
) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), name="Clinical only")
    upload_cohort(ada, experiment, cohort, assay=False)

    by_stage = start_and_run(ada, experiment, request({**FOLLOW_UP, "group_column": "stage"}))
    by_gene = post_analysis(ada, experiment, request({**FOLLOW_UP, "gene": "MKI67"}))

    assert by_stage["status"] == "complete", by_stage["message"]
    assert by_gene.status_code == 400
    assert by_gene.data["details"]["field"] == "parameters.gene"
    assert "no assay data" in by_gene.data["message"]


def test_the_figure_has_curves_and_a_risk_table_and_takes_options(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    analysis = start_and_run(ada, cohort_experiment, request(BY_GENE))
    base = plot_path(cohort_experiment, analysis)
    figure = ada.call("GET", base + "figure/").data
    display = ada.call("GET", base + "displays/").data["items"][0]
    edited = ada.call(
        "PUT",
        base + f"displays/{display['uuid']}/",
        {"options": {"confidence_bands": "shown", "risk_table_times": [0, 12, 36]}},
    )
    changed = ada.call("GET", base + "figure/").data
    png = get(ada, base + "image.png")
    svg = get(ada, base + "image.svg")

    curves = [t for t in figure["data"] if t["mode"] == "lines" and t.get("showlegend", True)]
    assert [c["name"] for c in curves] == ["MKI67 low", "MKI67 high"]
    risk_rows = [t for t in figure["data"] if t["mode"] == "text"]
    assert [r["text"][0] for r in risk_rows] == ["30", "30"]
    assert figure["layout"]["yaxis2"]["categoryarray"] == ["MKI67 high", "MKI67 low"]
    assert not any(t.get("fill") for t in figure["data"])
    assert edited.status_code == 200, edited.data
    assert sum(1 for t in changed["data"] if t.get("fill") == "tonexty") == 2
    assert next(t for t in changed["data"] if t["mode"] == "text")["x"] == [0, 12, 36]
    assert png.status == 200 and png.body.startswith(b"\x89PNG")
    assert svg.status == 200 and b"Number at risk" in svg.body and b"MKI67 high" in svg.body


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"risk_table_times": [-1]}, "options.risk_table_times"),
        ({"confidence_bands": "yes"}, "options.confidence_bands"),
        ({"colour": "red"}, "options.colour"),
    ],
)
def test_bad_display_options_are_refused_naming_them(
    ada: Caller, cohort_experiment: Experiment, options: dict[str, Any], field: str
) -> None:
    analysis = start_and_run(ada, cohort_experiment, request(FOLLOW_UP))
    base = plot_path(cohort_experiment, analysis)
    display = ada.call("GET", base + "displays/").data["items"][0]

    answer = ada.call("PUT", base + f"displays/{display['uuid']}/", {"options": options})

    assert answer.status_code == 400
    assert answer.data["details"]["field"] == field


def test_the_kind_is_listed_with_its_parameters(ada: Caller) -> None:
    listed = ada.call("GET", "/lab/analysis-types/").data
    kinds = listed["items"] if isinstance(listed, dict) else listed
    survival = next(k for k in kinds if k["analysis_type"] == "survival")

    properties = survival["parameters"]["properties"]
    assert {"time_column", "event_column", "gene", "covariates"} <= set(properties)
    assert properties["time_column"]["choices"] == "sample_columns"
    assert survival["parameters"]["required"] == ["time_column", "event_column"]


def test_the_plot_page_and_the_plots_tab_show_a_survival_plot(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    analysis = start_and_run(ada, cohort_experiment, request(BY_GENE))
    browser = signed_in(ada.user)
    experiment_page = f"/experiments/{cohort_experiment.pluto_id}/"

    plots_tab = browser.get(experiment_page + "?tab=plots")
    plot_page = browser.get(experiment_page + f"plots/{analysis['plot']['uuid']}/")

    assert plots_tab.status_code == 200
    assert "icons/kaplan_meier_curve.svg" in html(plots_tab)
    assert plot_page.status_code == 200
    assert "Kaplan-Meier curves were estimated with Greenwood standard errors" in html(plot_page)
    assert "Rows 1" in html(plot_page)
