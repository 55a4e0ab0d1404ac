"""Bulk RNA-seq runs on the job queue: a worker takes interactive analyses first, and a
``pluto worker`` killed with SIGKILL in the middle of a step leaves a run that the next
worker starts again from its first step, or fails saying the worker was lost once the
attempts are used up."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pluto.server.analyses.worker import Worker
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from tests.analyses.conftest import DE_REQUEST, count_data, post_analysis, upload_counts
from tests.analyses.processes import alive, wait_for
from tests.conftest import Caller, make_experiment, make_project
from tests.pipelines.conftest import assay_versions, base, workflow_path
from tests.pipelines.rnaseq.conftest import (
    get_run,
    samples_body,
    start_rnaseq,
    start_worker,
    stop_worker,
    wait_for_run,
)
from tests.pipelines.rnaseq.test_run_cancel import get_run_log, tools_named


def test_a_worker_takes_an_interactive_analysis_before_a_pipeline_run_queued_earlier(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    run = start_rnaseq(ada, experiment, {"reference": "tiny", "samples": samples_body(fastq)})
    counted = make_experiment(ada.user, make_project(ada.user))
    upload_counts(ada, counted, count_data(genes=40, per_group=3, changed=5, rare=2))
    analysis = post_analysis(ada, counted, DE_REQUEST)
    worker = Worker()

    first, second, third = worker.claim(), worker.claim(), worker.claim()

    assert run.status_code == 201 and analysis.status_code == 202
    assert first is not None and second is not None
    assert (first[0].name, second[0].name, third) == ("analysis", "pipeline_run", None)
    claimed = get_run(ada, experiment, run.data["uuid"])
    assert (claimed["status"], claimed["started_at"] is not None) == ("in_progress", True)


def kill_mid_fastp(worker: subprocess.Popen[bytes]) -> int:
    """SIGKILL the worker's own process group (as ``kill -9`` would) while fastp runs; the
    pid of that fastp, which must die with the run's process."""
    (tool,) = wait_for(lambda: tools_named(worker, "fastp"), timeout=180, interval=0.02)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    wait_for(lambda: not alive(tool), timeout=10, interval=0.05)
    return tool


@pytest.fixture
def workers(tmp_path: Path) -> Any:
    """Starts workers for the test, each logging to its own file; all stopped at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        started.append(start_worker(tmp_path / f"worker-{len(started) + 1}.log"))
        return started[-1]

    yield start
    for process in started:
        stop_worker(process)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_step_is_replaced_and_the_run_starts_again_from_its_first_step(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    workers: Any,
) -> None:
    first = workers()
    started = start_rnaseq(ada, experiment, {"reference": "tiny", "samples": samples_body(fastq)})
    run = started.data["uuid"]
    kill_mid_fastp(first)

    workers()
    finished = wait_for_run(ada, experiment, run)

    assert finished["status"] == "completed", finished["error"]
    log = get_run_log(ada, experiment, run)
    assert "attempt 1 of 3 was lost; the run starts again from its first step" in log
    assert "Attempt 2 of 3." in log
    steps = ada.call("GET", workflow_path(experiment, started.data["workflow"], "preprocesses/"))
    assert {step["status"] for step in steps.data} == {"completed"}
    assert [row["sample_id"] for row in finished["outputs"]["qc"]] == ["S1", "S2", "S3"]


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_worker_is_lost_on_its_last_attempt_fails_saying_so(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    workers: Any,
    settings: Any,
) -> None:
    settings.JOB_MAX_ATTEMPTS = 1
    first = workers()
    started = start_rnaseq(ada, experiment, {"reference": "tiny", "samples": samples_body(fastq)})
    run = started.data["uuid"]
    kill_mid_fastp(first)

    workers()
    finished = wait_for_run(ada, experiment, run)

    assert finished["status"] == "failed"
    assert finished["error"].startswith("The worker running this run was lost once")
    steps = ada.call("GET", workflow_path(experiment, started.data["workflow"], "preprocesses/"))
    assert steps.data[0]["status"] == "failed"
    assert steps.data[0]["message"] == "The worker was lost while this step ran."
    workflow = ada.call("GET", workflow_path(experiment, started.data["workflow"]))
    assert workflow.data["status"] == "failed"
    assert assay_versions(ada, experiment) == []
    assert ada.call("GET", f"{base(experiment)}/files/?data_type=tpm_gene").data == {
        "tpm_gene": {"count": 0, "items": []}
    }
