"""Pipeline runs on the job queue: claimed, kept alive, cancelled and reaped by workers.

A queued run (``queued``) is its own job, like an analysis row: a worker claims a
``pending`` run by switching it to ``in_progress`` under its ``worker_id`` (``SELECT … FOR
UPDATE SKIP LOCKED`` on PostgreSQL, so two workers never take the same run), runs it in a
child process and keeps ``heartbeat_at`` fresh, judged on the database's clock. A run whose
heartbeat lapsed lost its worker: it starts again from its first step until
``max_attempts``, then ends ``failed`` saying so. Cancelling marks the run ``canceled`` at
once (:func:`.services.cancel_run`); the worker then sees it and kills the run's process,
whose tools die with it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat, Now
from django.utils import timezone

from pluto.server.analyses.jobs import JobQueue
from pluto.server.errors import Conflict, PlutoError
from pluto.server.lab.permissions import experiment_role
from pluto.server.pipelines import fastq_run, services
from pluto.server.pipelines.models import (
    PipelineRun,
    Reference,
    RunStatus,
    StepStatus,
    Workflow,
    WorkflowPreprocess,
    WorkflowStatus,
)

logger = logging.getLogger("pluto.worker")
Candidate = tuple[int, int]


def pending_runs() -> QuerySet[PipelineRun]:
    """The queued runs waiting for a worker."""
    return PipelineRun.objects.filter(queued=True, status=RunStatus.PENDING)


def next_priority() -> int | None:
    """The highest priority among the waiting runs, None when none waits."""
    return pending_runs().order_by("-priority").values_list("priority", flat=True).first()


def claim_next(worker_id: str) -> int | None:
    """Take the next waiting run (highest priority, then oldest) for ``worker_id``; its
    id, or None when none waits."""
    for _ in range(5):
        with transaction.atomic():
            waiting = pending_runs()
            if connection.features.has_select_for_update_skip_locked:
                waiting = waiting.select_for_update(skip_locked=True)
            row = waiting.order_by("-priority", "created_at", "id").values_list("pk", "attempts")
            candidate = row.first()
            if candidate is None:
                return None
            taken = take_candidate((candidate[0], candidate[1]), worker_id)
        if taken:
            return candidate[0]
    return None


def take_candidate(candidate: Candidate, worker_id: str) -> bool:
    """Switch the waiting run to ``in_progress`` under ``worker_id``; False if it changed
    meanwhile (another worker took it, or it was cancelled)."""
    run_id, attempts = candidate
    taken = PipelineRun.objects.filter(
        pk=run_id, queued=True, status=RunStatus.PENDING, attempts=attempts
    ).update(
        status=RunStatus.IN_PROGRESS,
        worker_id=worker_id,
        heartbeat_at=Now(),
        started_at=Now(),
        attempts=attempts + 1,
    )
    return bool(taken)


def take(run_id: int, worker_id: str) -> bool:
    """Claim one given waiting run for ``worker_id`` (False when it is not waiting)."""
    row = pending_runs().filter(pk=run_id).values_list("pk", "attempts").first()
    return row is not None and take_candidate((row[0], row[1]), worker_id)


def owned(run_id: int, worker_id: str) -> Q:
    """The filter matching the run only while ``worker_id`` runs it."""
    return Q(pk=run_id, status=RunStatus.IN_PROGRESS, worker_id=worker_id)


def heartbeat_all(run_ids: list[int], worker_id: str) -> int:
    """Refresh the heartbeats of the worker's runs in one statement; how many it still owns."""
    return PipelineRun.objects.filter(
        pk__in=run_ids, status=RunStatus.IN_PROGRESS, worker_id=worker_id
    ).update(heartbeat_at=Now())


def cancels_requested(run_ids: list[int]) -> set[int]:
    """Which of the runs were cancelled (the worker kills their processes)."""
    canceled = PipelineRun.objects.filter(pk__in=run_ids, status=RunStatus.CANCELED)
    return set(canceled.values_list("pk", flat=True))


def append_log(run_id: int, line: str) -> None:
    """Add one line of Pluto's own to the run's log (why it started again, or stopped)."""
    stamp = timezone.now().strftime("%H:%M:%S")
    PipelineRun.objects.filter(pk=run_id).update(
        log=Concat(F("log"), Value(f"[pluto] {stamp} {line}\n"), output_field=TextField())
    )


def reset_steps(run_id: int) -> None:
    """Every step of the run back to ``pending``, for a run that starts again from its first."""
    WorkflowPreprocess.objects.filter(workflow__run_id=run_id).update(
        status=StepStatus.PENDING, message="", started_at=None, finished_at=None
    )


def lost_message(attempts: int) -> str:
    """The error of a run whose worker was lost on its last attempt."""
    times = "once" if attempts == 1 else f"{attempts} times"
    return (
        f"The worker running this run was lost {times} (its process ended before the run "
        "did); it was not started again. Copy the workflow to run it again, or ask the "
        "server's operator."
    )


def release(run: PipelineRun) -> int:
    """Queue a dead worker's run again from its first step, or fail it after its last
    attempt; 1 when the run was still that worker's, else 0."""
    with transaction.atomic():
        if run.attempts < run.max_attempts:
            changed = PipelineRun.objects.filter(owned(run.pk, run.worker_id)).update(
                status=RunStatus.PENDING, worker_id="", heartbeat_at=None
            )
            if changed:
                reset_steps(run.pk)
                append_log(
                    run.pk,
                    f"The worker running attempt {run.attempts} of {run.max_attempts} was "
                    "lost; the run starts again from its first step.",
                )
            return changed
        return fail_lost(run)


def fail_lost(run: PipelineRun) -> int:
    """End a run whose worker was lost on its last attempt: ``failed``, saying so, with the
    step it was on failed and its workflow failed."""
    message = lost_message(run.attempts)
    changed = PipelineRun.objects.filter(owned(run.pk, run.worker_id)).update(
        status=RunStatus.FAILED, error=message, worker_id="", finished_at=Now()
    )
    if changed:
        WorkflowPreprocess.objects.filter(
            workflow__run_id=run.pk, status=StepStatus.IN_PROGRESS
        ).update(
            status=StepStatus.FAILED,
            message="The worker was lost while this step ran.",
            finished_at=Now(),
        )
        Workflow.objects.filter(run_id=run.pk, status=WorkflowStatus.IN_PROGRESS).update(
            status=WorkflowStatus.FAILED, updated_at=Now()
        )
        append_log(run.pk, message)
    return changed


def reap_stale() -> int:
    """Queue again (or fail) the running runs whose worker stopped sending heartbeats; how
    many. Stale is judged on the database's clock, the one every heartbeat was stamped with."""
    limit = Now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    stale = PipelineRun.objects.filter(
        queued=True, status=RunStatus.IN_PROGRESS, heartbeat_at__lt=limit
    )
    fields = ("pk", "attempts", "max_attempts", "worker_id")
    return sum(release(run) for run in stale.only(*fields))


def requeue(run_id: int, worker_id: str) -> None:
    """Give a run back to the queue when its worker shuts down; the attempt does not count."""
    with transaction.atomic():
        changed = PipelineRun.objects.filter(owned(run_id, worker_id)).update(
            status=RunStatus.PENDING,
            worker_id="",
            heartbeat_at=None,
            attempts=F("attempts") - 1,
        )
        if changed:
            reset_steps(run_id)
            append_log(run_id, "The worker shut down; the run will start again.")


def settle(run_id: int, worker_id: str, outcome: str, returncode: int | None) -> None:
    """Record how a run ended when its process could not record it itself."""
    if cancels_requested([run_id]):
        # Killed by the worker, or stopped by itself on finding the run canceled (its next
        # step could not start): either way nothing of it is running any more.
        append_log(run_id, "Canceled; the run's process and its tools have stopped.")
    elif outcome == "stopped":
        requeue(run_id, worker_id)
    elif PipelineRun.objects.filter(owned(run_id, worker_id)).exists():
        logger.error("Pipeline run %s: its process ended with status %s.", run_id, returncode)
        release(PipelineRun.objects.get(pk=run_id))


def execute(run_id: int, worker_id: str) -> None:
    """Run a claimed run to its end (in the worker's child process), and publish what it
    made when it was started with ``auto_accept``."""
    run = PipelineRun.objects.select_related("workflow", "experiment").get(pk=run_id)
    if run.worker_id != worker_id or run.status != RunStatus.IN_PROGRESS:
        return  # cancelled or taken over between the claim and this process starting
    if run.attempts > 1:
        append_log(run_id, f"Attempt {run.attempts} of {run.max_attempts}.")
    reference = Reference.objects.select_related("organism").get(name=run.parameters["reference"])
    try:
        then = auto_accept if run.parameters.get("auto_accept") else (lambda _run: None)
        fastq_run.execute(run.workflow, reference, worker_id, then)
    except Conflict:
        # The run was cancelled while a step ran: its steps and status are already final.
        if still_running(run_id, worker_id):
            raise


def auto_accept(run: PipelineRun) -> None:
    """Accept a completed run's workflow as the scientist who started it (in the transaction
    that completes the run); a refusal (they lost the right to, say) stays in the run's log
    and leaves the workflow to review."""
    starter = run.created_by
    role = experiment_role(starter, run.experiment) if starter is not None else None
    try:
        if starter is None:
            raise Conflict("Its starter's account was removed.")
        services.accept_workflow(starter, Workflow.objects.get(run=run), role or "")
    except PlutoError as error:
        append_log(run.pk, f"Not published at once: {error.message} Review and accept it.")


def still_running(run_id: int, worker_id: str) -> bool:
    """Whether the run is still in progress under this worker."""
    return PipelineRun.objects.filter(owned(run_id, worker_id)).exists()


def run_queue() -> JobQueue:
    """The pipeline runs' queue, as the worker serves it."""
    return JobQueue(
        name="pipeline_run",
        reap_stale=reap_stale,
        next_priority=next_priority,
        claim_next=claim_next,
        heartbeat_all=heartbeat_all,
        cancels_requested=cancels_requested,
        execute=execute,
        settle=settle,
    )
