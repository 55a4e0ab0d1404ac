"""The job queue's rules: one owner per job, dead workers' jobs retried then failed, late
writes from a run that lost its job ignored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from pluto.server.analyses import execution, queue
from pluto.server.analyses.models import Analysis, Plot
from pluto.server.analyses.worker import settle
from pluto.server.lab.models import Experiment
from pluto.server.tables.models import Dataset
from tests.analyses.conftest import DE_REQUEST, exp_path, post_analysis
from tests.conftest import Caller

PCA = {"analysis_type": "principal_components", "parameters": {}}


def queued(caller: Caller, experiment: Experiment, body: dict[str, Any] = PCA) -> Analysis:
    """A new pending analysis row."""
    created = post_analysis(caller, experiment, body)
    assert created.status_code == 202, created.data
    return Analysis.objects.get(uuid=created.data["uuid"])


def silence(analysis: Analysis) -> None:
    """Make the analysis's last heartbeat older than the timeout, as if its worker died."""
    old = timezone.now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS + 5)
    Analysis.objects.filter(pk=analysis.pk).update(heartbeat_at=old)


def state(analysis: Analysis) -> tuple[str, int, str]:
    """Status, attempts and owner of the analysis, and its plot's status must agree."""
    analysis.refresh_from_db()
    assert Plot.objects.get(analysis=analysis).status == analysis.status
    return analysis.status, analysis.attempts, analysis.worker_id


def test_workers_take_the_oldest_job_and_never_the_same_one(
    ada: Caller, experiment: Experiment
) -> None:
    first, second = queued(ada, experiment), queued(ada, experiment)

    taken_by_a = queue.claim_next("worker-a")
    taken_by_b = queue.claim_next("worker-b")

    assert taken_by_a is not None and taken_by_a.pk == first.pk
    assert taken_by_b is not None and taken_by_b.pk == second.pk
    assert queue.claim_next("worker-c") is None
    assert not queue.take(first.pk, "worker-c")
    assert state(first) == ("running", 1, "worker-a")


def test_a_live_worker_keeps_its_job(ada: Caller, experiment: Experiment) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")

    assert queue.heartbeat(analysis.pk, "worker-a")
    assert queue.reap_stale() == 0
    assert state(analysis) == ("running", 1, "worker-a")


def test_a_silent_job_is_retried_then_failed(ada: Caller, experiment: Experiment) -> None:
    analysis = queued(ada, experiment)
    Analysis.objects.filter(pk=analysis.pk).update(max_attempts=2)

    queue.take(analysis.pk, "worker-a")
    silence(analysis)
    assert queue.reap_stale() == 1
    after_first = state(analysis)
    message = analysis.message
    queue.take(analysis.pk, "worker-b")
    silence(analysis)
    queue.reap_stale()

    assert after_first == ("pending", 1, "")
    assert "retrying" in message
    assert state(analysis)[:2] == ("failed", 2)
    assert "stopped unexpectedly 2 times" in analysis.message
    assert analysis.finished_at is not None
    assert not queue.heartbeat(analysis.pk, "worker-b")


def test_a_run_that_lost_its_job_cannot_record_anything(
    ada: Caller, experiment: Experiment
) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")
    silence(analysis)
    queue.reap_stale()
    queue.take(analysis.pk, "worker-b")

    execution.execute(analysis.pk, "worker-a")

    assert state(analysis) == ("running", 2, "worker-b")
    assert Plot.objects.get(analysis=analysis).results is None
    assert not Dataset.objects.filter(experiment=experiment, kind="results").exists()
    execution.execute(analysis.pk, "worker-b")
    assert state(analysis)[0] == "complete"


def test_a_worker_shutting_down_gives_the_job_back_without_counting_it(
    ada: Caller, experiment: Experiment
) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")

    settle(analysis.pk, "worker-a", "stopped", None)

    assert state(analysis) == ("pending", 0, "")
    assert "start again" in analysis.message


def test_a_child_that_died_is_retried(ada: Caller, experiment: Experiment) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")

    settle(analysis.pk, "worker-a", "exited", -9)

    assert state(analysis) == ("pending", 1, "")


def test_cancelling_a_running_analysis_asks_its_worker_to_stop_it(
    ada: Caller, experiment: Experiment
) -> None:
    analysis = queued(ada, experiment, DE_REQUEST)
    queue.take(analysis.pk, "worker-a")

    answer = ada.call("POST", exp_path(experiment, f"analyses/{analysis.uuid}/cancel/")).data
    asked = queue.cancel_requested(analysis.pk)
    settle(analysis.pk, "worker-a", "cancelled", -9)

    assert answer["status"] == "running" and asked
    assert state(analysis)[0] == "cancelled"
    assert analysis.finished_at is not None


def test_a_dead_workers_cancelled_job_ends_cancelled(ada: Caller, experiment: Experiment) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")
    ada.call("POST", exp_path(experiment, f"analyses/{analysis.uuid}/cancel/"))
    silence(analysis)

    queue.reap_stale()

    assert state(analysis)[0] == "cancelled"


def test_progress_is_logged_while_the_job_runs(ada: Caller, experiment: Experiment) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")

    queue.report_progress(analysis.pk, "worker-a", 0.4, "Halfway there")
    queue.report_progress(analysis.pk, "worker-b", 0.9, "Not my job")
    shown = ada.call("GET", exp_path(experiment, f"analyses/{analysis.uuid}/")).data

    assert shown["progress"] == 0.4
    assert shown["message"] == "Halfway there"
    assert "Halfway there" in shown["log"]
    assert shown["started_at"] is not None


def test_a_retried_job_says_so_while_it_runs(ada: Caller, experiment: Experiment) -> None:
    analysis = queued(ada, experiment)
    queue.take(analysis.pk, "worker-a")
    first_run = ada.call("GET", exp_path(experiment, f"analyses/{analysis.uuid}/")).data
    silence(analysis)
    queue.reap_stale()

    queue.take(analysis.pk, "worker-b")
    started = ada.call("GET", exp_path(experiment, f"analyses/{analysis.uuid}/")).data
    queue.report_progress(analysis.pk, "worker-b", 0.5, "Fitting dispersions.")
    progressing = ada.call("GET", exp_path(experiment, f"analyses/{analysis.uuid}/")).data

    assert first_run["message"] == "Started."
    assert started["status"] == "running"
    assert started["message"].startswith("Attempt 2 of 3 (the previous worker stopped)")
    assert progressing["message"] == (
        "Attempt 2 of 3 (the previous worker stopped): Fitting dispersions."
    )


def test_the_jobs_of_a_dead_worker_process_are_released_at_once(
    ada: Caller, experiment: Experiment
) -> None:
    dead, alive = queued(ada, experiment), queued(ada, experiment)
    queue.take(dead.pk, "lab-host:4242:0a1b2c3d")
    queue.take(alive.pk, "lab-host:42420:0a1b2c3d")

    released = queue.release_jobs_of_process("lab-host", 4242)

    assert released == 1
    assert state(dead) == ("pending", 1, "")
    assert "retrying (attempt 2 of 3)" in dead.message
    assert state(alive) == ("running", 1, "lab-host:42420:0a1b2c3d")
