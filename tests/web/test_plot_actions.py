"""Cancelling an analysis and running it again with other parameters, from its plot page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pluto.server.analyses import queue
from pluto.server.analyses.models import Analysis
from pluto.server.analyses.services import cancel, create_analysis
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.web.conftest import html, run_pca, signed_in


def plot_path(analysis: Analysis) -> str:
    return f"/experiments/{analysis.experiment.pluto_id}/plots/{analysis.plot.uuid}/"


def queued(
    caller: Caller, experiment: Experiment, kind: str, parameters: dict[str, Any]
) -> Analysis:
    """An analysis waiting for a worker."""
    return create_analysis(
        caller.user, experiment, "owner", {"analysis_type": kind, "parameters": parameters}
    )


@pytest.fixture
def pca(ada: Caller, with_data: Experiment) -> Analysis:
    return run_pca(ada.user, with_data)


@pytest.fixture
def waiting(ada: Caller, with_data: Experiment) -> Analysis:
    return queued(ada, with_data, "principal_components", {"group_column": "condition"})


def test_editors_cancel_a_queued_analysis_and_see_it_cancelled(
    ada: Caller, waiting: Analysis
) -> None:
    browser = signed_in(ada.user)
    before = html(browser.get(plot_path(waiting)))

    response = browser.post(plot_path(waiting), {"action": "cancel"}, follow=True)

    page = html(response)
    waiting.refresh_from_db()
    assert 'id="cancel-form"' in before and 'name="csrfmiddlewaretoken"' in before
    assert response.redirect_chain == [(plot_path(waiting), 302)]
    assert waiting.status == waiting.plot.status == "cancelled"
    assert "The analysis was cancelled." in page and "This analysis cancelled" in page
    assert 'id="cancel-form"' not in page and 'id="plot-waiting"' not in page


def test_cancelling_a_running_analysis_asks_its_worker_to_stop(
    ada: Caller, waiting: Analysis
) -> None:
    queue.take(waiting.pk, "web-tests")
    browser = signed_in(ada.user)

    response = browser.post(plot_path(waiting), {"action": "cancel"}, follow=True)

    waiting.refresh_from_db()
    assert waiting.status == "running" and waiting.cancel_requested
    assert 'id="cancel-note"' in html(response) and 'id="cancel-form"' not in html(response)


def test_viewers_see_no_cancel_button_and_are_refused(
    bob: Caller, waiting: Analysis, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "viewer")
    browser = signed_in(bob.user)

    page = html(browser.get(plot_path(waiting)))
    refused = browser.post(plot_path(waiting), {"action": "cancel"})

    waiting.refresh_from_db()
    assert 'value="cancel"' not in page and 'id="cancel-form"' not in page
    assert refused.status_code == 403
    assert waiting.status == "pending" and not waiting.cancel_requested


def test_the_rerun_form_is_filled_with_the_analysis_parameters(ada: Caller, pca: Analysis) -> None:
    page = html(signed_in(ada.user).get(plot_path(pca)))
    form = page.split('id="analysis-form"')[1].split("</form>")[0]

    assert 'name="action" value="rerun"' in form and 'name="csrfmiddlewaretoken"' in form
    top_genes = form.split('name="top_genes"')[1].split(">")[0]
    assert 'min="2"' in top_genes and 'step="1"' in top_genes and 'value="500"' in top_genes
    assert '<option value="condition" selected>condition</option>' in form
    assert 'name="name" maxlength="200" value="Principal components"' in form
    assert 'for="top-genes"' in form


def test_a_rerun_with_changed_parameters_opens_the_new_plot(ada: Caller, pca: Analysis) -> None:
    form = {"action": "rerun", "name": "PCA by batch", "group_column": "batch", "top_genes": "20"}

    response = signed_in(ada.user).post(plot_path(pca), form)

    new = Analysis.objects.exclude(pk=pca.pk).get()
    assert response.status_code == 302 and response["Location"] == plot_path(new)
    assert new.rerun_of == pca and new.name == "PCA by batch"
    assert new.parameters == {**pca.parameters, "group_column": "batch", "top_genes": 20}
    assert new.status == "pending" and Analysis.objects.get(pk=pca.pk).status == "complete"


def test_a_rerun_keeps_the_parameters_it_was_not_sent(ada: Caller, pca: Analysis) -> None:
    signed_in(ada.user).post(plot_path(pca), {"action": "rerun", "top_genes": "50"})

    new = Analysis.objects.get(rerun_of=pca)
    assert new.parameters == {"group_column": "condition", "top_genes": 50}
    assert new.name == pca.name


def test_an_emptied_field_takes_its_default(ada: Caller, pca: Analysis) -> None:
    signed_in(ada.user).post(
        plot_path(pca), {"action": "rerun", "group_column": "", "top_genes": ""}
    )

    assert Analysis.objects.get(rerun_of=pca).parameters == {"group_column": None, "top_genes": 500}


@pytest.mark.parametrize(
    ("top_genes", "message"),
    [("many", "must be a whole number"), ("1", "must be at least 2")],
)
def test_a_bad_rerun_parameter_is_shown_next_to_its_field(
    ada: Caller, pca: Analysis, top_genes: str, message: str
) -> None:
    response = signed_in(ada.user).post(plot_path(pca), {"action": "rerun", "top_genes": top_genes})

    page = html(response)
    assert response.status_code == 400
    assert message in page.split('id="top-genes-error"')[1].split("</p>")[0]
    assert f'value="{top_genes}"' in page.split('id="analysis-form"')[1]
    assert '<details class="rerun" open>' in page
    assert not Analysis.objects.filter(rerun_of=pca).exists()


def test_viewers_see_no_rerun_form_and_are_refused(
    bob: Caller, pca: Analysis, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "viewer")
    browser = signed_in(bob.user)

    page = html(browser.get(plot_path(pca)))
    refused = browser.post(plot_path(pca), {"action": "rerun", "top_genes": "20"})

    assert 'id="analysis-form"' not in page and 'value="rerun"' not in page
    assert refused.status_code == 403
    assert Analysis.objects.count() == 1


def test_queued_analyses_offer_no_rerun_form(ada: Caller, waiting: Analysis) -> None:
    page = html(signed_in(ada.user).get(plot_path(waiting)))

    assert 'id="analysis-form"' not in page and 'id="rerun"' not in page


def test_a_cancelled_comparison_runs_again_with_its_groups_changed(
    ada: Caller, with_data: Experiment
) -> None:
    first = queued(
        ada,
        with_data,
        "differential_expression",
        {
            "group_column": "condition",
            "experimental_values": ["treated"],
            "control_values": ["control"],
        },
    )
    cancel(first, "owner")
    browser = signed_in(ada.user)
    page = html(browser.get(plot_path(first)))
    form = {
        "action": "rerun",
        "group_column": "condition",
        "experimental_values": ["", "control"],
        "control_values": ["", "treated"],
        "covariates": "",
        "alpha": "0.1",
    }

    response = browser.post(plot_path(first), form)

    new = Analysis.objects.get(rerun_of=first)
    assert '<input type="checkbox" name="experimental_values" value="treated" checked>' in page
    assert '<input type="checkbox" name="covariates" value="batch" >' in page
    assert response["Location"] == plot_path(new)
    assert new.parameters["experimental_values"] == ["control"]
    assert new.parameters["control_values"] == ["treated"]
    assert new.parameters["covariates"] == [] and new.parameters["alpha"] == 0.1


def test_the_unknown_action_is_refused(ada: Caller, pca: Analysis) -> None:
    response = signed_in(ada.user).post(plot_path(pca), {"action": "explode"})

    assert response.status_code == 400 and "Unknown action." in html(response)
