"""The New analysis form of the survival kind, made from its model, and the options form of
its Kaplan-Meier plot."""

from __future__ import annotations

import pytest

from pluto.server.analyses.kinds.survival_demo import SurvivalCohort, generate_survival_cohort
from pluto.server.analyses.models import Analysis, Display
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import csv_bytes, put_csv, run_analysis, start_and_run
from tests.conftest import Caller, make_experiment, make_project
from tests.web.conftest import html, signed_in

FORM = {
    "action": "run_analysis",
    "analysis_type": "survival",
    "time_column": "os_months",
    "event_column": "os_event",
    "gene": "MKI67",
    "covariates": ["stage", "age"],
}


@pytest.fixture(scope="module")
def cohort() -> SurvivalCohort:
    return generate_survival_cohort()


@pytest.fixture
def cohort_experiment(ada: Caller, cohort: SurvivalCohort) -> Experiment:
    created = make_experiment(ada.user, make_project(ada.user), name="Survival cohort")
    put_csv(ada, created, "sample", csv_bytes(cohort.samples.reset_index()))
    put_csv(ada, created, "assay", csv_bytes(cohort.counts.reset_index()))
    return created


def analysis_tab(experiment: Experiment, query: str = "") -> str:
    return f"/experiments/{experiment.pluto_id}/?tab=analysis{query}"


def test_the_survival_form_offers_the_sample_columns(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    page = html(signed_in(ada.user).get(analysis_tab(cohort_experiment, "&type=survival")))

    assert 'name="time_column"' in page and 'value="os_months"' in page
    assert 'name="event_column"' in page and 'name="gene"' in page
    assert 'name="covariates" value="stage"' in page
    assert 'name="expression_quantile"' in page


def test_a_survival_submitted_from_the_form_runs_with_one_gene(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    response = signed_in(ada.user).post(analysis_tab(cohort_experiment), FORM)

    analysis = Analysis.objects.get()
    assert response.status_code == 302, html(response)[:2000]
    assert analysis.parameters["gene"] == "MKI67"
    assert analysis.parameters["covariates"] == ["stage", "age"]
    assert run_analysis(str(analysis.uuid)).status == "complete"


def test_a_refusal_from_the_form_is_shown_next_to_its_field(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    response = signed_in(ada.user).post(analysis_tab(cohort_experiment), {**FORM, "gene": "NOPE"})

    assert response.status_code == 400
    assert "no gene" in html(response).split('id="gene-error"')[1].split("</p>")[0]
    assert not Analysis.objects.exists()


def test_the_options_form_saves_bands_switches_and_times(
    ada: Caller, cohort_experiment: Experiment
) -> None:
    parameters = {k: v for k, v in FORM.items() if k not in ("action", "analysis_type")}
    analysis = start_and_run(
        ada, cohort_experiment, {"analysis_type": "survival", "parameters": parameters}
    )
    page_path = f"/experiments/{cohort_experiment.pluto_id}/plots/{analysis['plot']['uuid']}/"
    browser = signed_in(ada.user)
    form = {
        "plot_title": "Overall survival",
        "confidence_bands": "shown",
        "show_risk_table": "on",
        "show_p_value": "on",
        "risk_table_times": "0, 12, 24",
    }

    page = html(browser.get(page_path))
    response = browser.post(page_path, form)

    display = Display.objects.get(plot__uuid=analysis["plot"]["uuid"])
    assert '<option value="auto" selected>' in page
    assert 'data-option="list" value="" placeholder="e.g. 12, 24, 36"' in page
    assert 'name="show_censored" data-option="boolean" checked' in page
    assert response.status_code == 302, html(response)[:2000]
    assert display.options["confidence_bands"] == "shown"
    assert display.options["show_censored"] is False
    assert display.options["risk_table_times"] == [0.0, 12.0, 24.0]
