"""Who may read and change pipeline runs and workflows: the experiment's roles."""

from __future__ import annotations

from pluto.server.lab.models import Experiment, ExperimentMember
from tests.conftest import Caller
from tests.pipelines.conftest import base, completed_workflow, start_run, workflow_path


def test_a_viewer_reads_runs_and_workflows_but_changes_nothing(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    ExperimentMember.objects.create(experiment=experiment, user=bob.user, role="viewer")
    workflow = completed_workflow(ada, experiment)

    reads = [
        bob.call("GET", f"{base(experiment)}/pipelines/"),
        bob.call("GET", f"{base(experiment)}/pipeline-runs/"),
        bob.call("GET", f"{base(experiment)}/workflows/"),
        bob.call("GET", workflow_path(experiment, workflow)),
        bob.call("GET", workflow_path(experiment, workflow, "preprocesses/")),
    ]
    writes = [
        start_run(bob, experiment),
        bob.call("POST", workflow_path(experiment, workflow, "accept/")),
        bob.call("POST", workflow_path(experiment, workflow, "archive/")),
        bob.call("POST", workflow_path(experiment, workflow, "copy/"), []),
    ]

    assert [r.status_code for r in reads] == [200] * 5
    assert [w.status_code for w in writes] == [403] * 4
    assert all("editor" in w.data["message"] for w in writes)
    assert ada.call("GET", workflow_path(experiment, workflow)).data["status"] == "completed"


def test_an_editor_may_run_and_accept(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    ExperimentMember.objects.create(experiment=experiment, user=bob.user, role="editor")

    run = start_run(bob, experiment)
    accepted = bob.call("POST", workflow_path(experiment, run.data["workflow"], "accept/"))

    assert run.status_code == 201 and accepted.status_code == 200
    assert accepted.data["accepted_by"] == bob.user.email


def test_strangers_do_not_learn_the_experiment_exists(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)

    answers = [
        bob.call("GET", f"{base(experiment)}/pipelines/"),
        bob.call("GET", f"{base(experiment)}/workflows/"),
        bob.call("GET", workflow_path(experiment, workflow, "preprocesses/")),
        bob.call("POST", workflow_path(experiment, workflow, "accept/")),
        start_run(bob, experiment),
    ]

    assert [a.status_code for a in answers] == [404] * 5


def test_anonymous_requests_are_refused(ada: Caller, experiment: Experiment) -> None:
    answer = ada.client.get(f"{base(experiment)}/workflows/")

    assert answer.status_code == 401
