"""Cancelling pipeline runs over HTTP while a real ``pluto worker`` runs them: the tool
running at the time is killed within seconds, every step left is canceled and nothing
reaches the experiment; a finished run cannot be canceled."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.storage import get_storage
from tests.analyses.processes import alive, children_of, wait_for
from tests.conftest import Caller
from tests.pipelines.conftest import assay_versions, base, completed_workflow, workflow_path
from tests.pipelines.rnaseq.conftest import (
    get_run,
    samples_body,
    start_rnaseq,
    started_and_run,
)
from tests.web.conftest import html, signed_in


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, theirs, and so on)."""
    found, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def tools_named(worker: subprocess.Popen[bytes], tool: str) -> list[int]:
    """The live processes of ``tool`` the worker's job processes started."""
    pids = []
    for pid in descendants(worker.pid):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if name == tool and alive(pid):
            pids.append(pid)
    return pids


def cancel(caller: Caller, experiment: Experiment, run: str) -> Any:
    """``POST pipeline-runs/<run>/cancel/``; the response."""
    return caller.call("POST", f"{base(experiment)}/pipeline-runs/{run}/cancel/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tool", ["fastp", "salmon"])
def test_cancel_kills_the_running_tool_and_leaves_the_experiment_untouched(
    tool: str,
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    worker: subprocess.Popen[bytes],
) -> None:
    stored_before = set(get_storage().listing(f"files/{experiment.uuid}/"))
    started = start_rnaseq(ada, experiment, {"reference": "tiny", "samples": samples_body(fastq)})
    run = started.data["uuid"]
    (pid,) = wait_for(lambda: tools_named(worker, tool), timeout=180, interval=0.02)

    answer = cancel(ada, experiment, run)

    assert answer.status_code == 200, answer.data
    assert answer.data["status"] == "canceled"
    assert answer.data["finished_at"] is not None
    wait_for(lambda: not alive(pid), timeout=5, interval=0.05)
    steps = ada.call("GET", workflow_path(experiment, started.data["workflow"], "preprocesses/"))
    statuses = [step["status"] for step in steps.data]
    assert "in_progress" not in statuses and "pending" not in statuses
    assert statuses[-5:] == ["canceled"] * 5  # the QC report onwards never ran
    workflow = ada.call("GET", workflow_path(experiment, started.data["workflow"]))
    assert workflow.data["status"] == "failed"
    wait_for(lambda: "Canceled;" in get_run_log(ada, experiment, run), timeout=10)
    assert get_run(ada, experiment, run)["status"] == "canceled"
    assert assay_versions(ada, experiment) == []
    made = ExperimentFile.objects.filter(experiment=experiment).exclude(data_type="fastq")
    assert not made.exists()
    if tool == "fastp":  # nothing is stored before the QC report, so nothing is left over
        assert set(get_storage().listing(f"files/{experiment.uuid}/")) == stored_before


def get_run_log(caller: Caller, experiment: Experiment, run: str) -> str:
    """The run's log as text."""
    answer = caller.client.get(
        f"{base(experiment)}/pipeline-runs/{run}/log/", HTTP_AUTHORIZATION=f"Token {caller.key}"
    )
    return answer.content.decode()


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_finished_run_is_a_conflict_naming_its_state(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    worker: subprocess.Popen[bytes],
) -> None:
    run = started_and_run(ada, experiment, {"reference": "tiny", "samples": samples_body(fastq)})

    answer = cancel(ada, experiment, run["uuid"])

    assert run["status"] == "completed"
    assert answer.status_code == 409, answer.data
    assert answer.data["code"] == "conflict"
    assert answer.data["message"] == (
        f"Pipeline run {run['uuid']} is completed; only a pending or in-progress run can be "
        "canceled."
    )
    assert answer.data["details"]["status"] == "completed"
    assert get_run(ada, experiment, run["uuid"])["status"] == "completed"


def test_a_viewer_cannot_cancel_a_run_and_an_unknown_run_is_not_found(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)
    run = ada.call("GET", workflow_path(experiment, workflow)).data["run"]
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )

    refused = cancel(bob, experiment, run)
    unknown = cancel(ada, experiment, "00000000-0000-4000-8000-000000000000")
    finished = cancel(ada, experiment, run)

    assert refused.status_code == 403
    assert unknown.status_code == 404
    assert finished.status_code == 409  # an assay import ends in its request


def test_cancelling_from_the_workflows_tab_cancels_the_run(
    ada: Caller, experiment: Experiment, reference: Reference, fastq: dict[str, tuple[str, str]]
) -> None:
    started = start_rnaseq(ada, experiment, {"reference": "tiny", "samples": samples_body(fastq)})
    client = signed_in(ada.user)
    tab = f"/experiments/{experiment.pluto_id}/?tab=workflows"
    shown = html(client.get(tab))

    done = client.post(tab, {"action": "cancel_run", "workflow": started.data["workflow"]})
    page = html(client.get(tab))

    assert ">Cancel<" in shown
    assert done.status_code == 302
    assert "was canceled; the experiment is unchanged" in page and ">Cancel<" not in page
    assert get_run(ada, experiment, started.data["uuid"])["status"] == "canceled"
