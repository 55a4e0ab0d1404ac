"""The Workflows tab of the experiment page: steps, the Accept button and the import form."""

from __future__ import annotations

from pluto.server.files.services import attach_file
from pluto.server.lab.models import Experiment, ExperimentMember
from tests.conftest import Caller
from tests.pipelines.conftest import ASSAY_CSV, assay_versions, completed_workflow
from tests.web.conftest import html, signed_in


def workflows_tab(experiment: Experiment) -> str:
    return f"/experiments/{experiment.pluto_id}/?tab=workflows"


def test_the_tab_shows_a_completed_workflow_with_its_steps_and_an_accept_button(
    ada: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)

    page = html(signed_in(ada.user).get(workflows_tab(experiment)))

    assert 'href="?tab=workflows" aria-current="page"' in page
    assert f'data-workflow="{workflow}" data-status="completed"' in page
    assert "Validate the assay table" in page and "3 features and 3 samples" in page
    assert f'name="workflow" value="{workflow}"' in page and ">Accept<" in page


def test_accepting_from_the_tab_publishes_the_version(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)
    client = signed_in(ada.user)

    done = client.post(
        workflows_tab(experiment), {"action": "accept_workflow", "workflow": workflow}
    )
    page = html(client.get(workflows_tab(experiment)))

    assert done.status_code == 302
    assert "was accepted as version 1 of the assay data" in page
    assert 'data-status="accepted"' in page and ">Accept<" not in page
    assert [v["version"] for v in assay_versions(ada, experiment)] == [1]


def test_accepting_twice_from_the_tab_says_why_not(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)
    client = signed_in(ada.user)
    form = {"action": "accept_workflow", "workflow": workflow}
    client.post(workflows_tab(experiment), form)

    again = client.post(workflows_tab(experiment), form)

    assert again.status_code == 409
    assert "is accepted; only a completed workflow can be accepted" in html(again)


def test_an_attachment_is_imported_from_the_tab(ada: Caller, experiment: Experiment) -> None:
    attached = attach_file(ada.user, experiment, "counts.csv", ASSAY_CSV.encode())
    client = signed_in(ada.user)

    done = client.post(workflows_tab(experiment), {"action": "import_assay", "file": attached.uuid})
    page = html(client.get(workflows_tab(experiment)))

    assert done.status_code == 302
    assert "is ready to review" in page and 'data-status="completed"' in page


def test_a_viewer_sees_workflows_without_buttons(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    ExperimentMember.objects.create(experiment=experiment, user=bob.user, role="viewer")
    attach_file(ada.user, experiment, "counts.csv", ASSAY_CSV.encode())
    workflow = completed_workflow(ada, experiment)

    page = html(signed_in(bob.user).get(workflows_tab(experiment)))
    refused = signed_in(bob.user).post(
        workflows_tab(experiment), {"action": "accept_workflow", "workflow": workflow}
    )

    assert f'data-workflow="{workflow}"' in page
    assert ">Accept<" not in page and "import-assay-form" not in page
    assert refused.status_code == 403
