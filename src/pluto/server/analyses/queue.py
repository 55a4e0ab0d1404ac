"""The job queue: analyses rows claimed, kept alive, finished and reaped by workers.

Every state change is a conditional UPDATE (``WHERE status = … AND worker_id = …``), so two
workers can never both own a job and a late write from a dead or cancelled run changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pluto.server.analyses.models import Analysis, AnalysisStatus, Plot
from pluto.server.history.services import record_analysis_end

LOG_LIMIT = 20_000


def claim_next(worker_id: str) -> Analysis | None:
    """Take the oldest pending analysis for ``worker_id``, or None when there is none."""
    for _ in range(5):
        candidate = (
            Analysis.objects.filter(status=AnalysisStatus.PENDING)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)
            .first()
        )
        if candidate is None:
            return None
        if take(candidate, worker_id):
            return Analysis.objects.get(pk=candidate)
    return None


@transaction.atomic
def take(analysis_id: int, worker_id: str) -> bool:
    """Switch one pending analysis to running under ``worker_id``; False if another won."""
    now = timezone.now()
    pending = Analysis.objects.filter(pk=analysis_id, status=AnalysisStatus.PENDING)
    row = pending.values_list("attempts", "max_attempts").first()
    if row is None:
        return False
    taken = pending.filter(attempts=row[0]).update(
        status=AnalysisStatus.RUNNING,
        worker_id=worker_id,
        heartbeat_at=now,
        started_at=now,
        attempts=row[0] + 1,
        progress=0.0,
        message=attempt_prefix(row[0] + 1, row[1]) + "Started.",
    )
    if taken:
        Plot.objects.filter(analysis_id=analysis_id).update(status=AnalysisStatus.RUNNING)
    return bool(taken)


def attempt_prefix(attempt: int, max_attempts: int) -> str:
    """``Attempt 2 of 3 (the previous worker stopped): `` on a retried run, else nothing."""
    if attempt <= 1:
        return ""
    return f"Attempt {attempt} of {max_attempts} (the previous worker stopped): "


def owned(analysis_id: int, worker_id: str) -> dict[str, object]:
    """The filter matching the analysis only while ``worker_id`` runs it."""
    return {"pk": analysis_id, "status": AnalysisStatus.RUNNING, "worker_id": worker_id}


def heartbeat(analysis_id: int, worker_id: str) -> bool:
    """Refresh the heartbeat; False when the job is no longer this worker's."""
    return bool(
        Analysis.objects.filter(**owned(analysis_id, worker_id)).update(heartbeat_at=timezone.now())
    )


def report_progress(analysis_id: int, worker_id: str, fraction: float, message: str) -> None:
    """Record progress and append the message to the analysis's short log."""
    stamp = timezone.now().strftime("%H:%M:%S")
    row = Analysis.objects.filter(pk=analysis_id).values_list("log", "attempts", "max_attempts")
    current, attempt, max_attempts = row.first() or ("", 1, 1)
    log = (current + f"{stamp} {message}\n")[-LOG_LIMIT:]
    Analysis.objects.filter(**owned(analysis_id, worker_id)).update(
        progress=max(0.0, min(1.0, fraction)),
        message=attempt_prefix(attempt, max_attempts) + message,
        log=log,
        heartbeat_at=timezone.now(),
    )


def finish(analysis_id: int, worker_id: str, status: str, message: str, **fields: object) -> bool:
    """End the run as complete or failed, if the worker still owns it."""
    with transaction.atomic():
        done = Analysis.objects.filter(**owned(analysis_id, worker_id)).update(
            status=status, message=message, finished_at=timezone.now(), **fields
        )
        if done:
            Plot.objects.filter(analysis_id=analysis_id).update(status=status)
            record_analysis_end(analysis_id, status, message)
    return bool(done)


def cancel_requested(analysis_id: int) -> bool:
    """Whether someone asked to cancel the analysis."""
    return bool(
        Analysis.objects.filter(pk=analysis_id).values_list("cancel_requested", flat=True).first()
    )


def reap_stale() -> int:
    """Retry or fail running analyses whose worker stopped sending heartbeats; how many."""
    limit = timezone.now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
    stale = Analysis.objects.filter(status=AnalysisStatus.RUNNING, heartbeat_at__lt=limit)
    fields = ("pk", "attempts", "max_attempts", "worker_id", "cancel_requested")
    return sum(release(analysis) for analysis in stale.only(*fields))


def release_jobs_of_process(host: str, pid: int) -> int:
    """Retry or fail, at once, the running analyses of a worker process known to be dead."""
    running = Analysis.objects.filter(
        status=AnalysisStatus.RUNNING, worker_id__startswith=f"{host}:{pid}:"
    )
    fields = ("pk", "attempts", "max_attempts", "worker_id", "cancel_requested")
    return sum(release(analysis) for analysis in running.only(*fields))


def release(analysis: Analysis) -> int:
    """Requeue a dead worker's job, or fail it after its last attempt (or cancel it)."""
    gone = {"pk": analysis.pk, "status": AnalysisStatus.RUNNING, "worker_id": analysis.worker_id}
    if analysis.cancel_requested:
        status, message = AnalysisStatus.CANCELLED, "Cancelled."
    elif analysis.attempts < analysis.max_attempts:
        status = AnalysisStatus.PENDING
        message = f"The worker stopped; retrying (attempt {analysis.attempts + 1} of "
        message += f"{analysis.max_attempts})."
    else:
        status = AnalysisStatus.FAILED
        message = (
            f"The analysis stopped unexpectedly {analysis.attempts} times (its worker process "
            "ended); it was not retried again. Try running it again, or ask the operator."
        )
    with transaction.atomic():
        changed = Analysis.objects.filter(**gone).update(
            status=status,
            message=message,
            worker_id="",
            finished_at=None if status == AnalysisStatus.PENDING else timezone.now(),
        )
        if changed:
            Plot.objects.filter(analysis_id=analysis.pk).update(status=status)
        if changed and status != AnalysisStatus.PENDING:
            record_analysis_end(analysis.pk, status, message)
    return changed


def requeue(analysis_id: int, worker_id: str) -> None:
    """Give a job back to the queue when its worker shuts down; the attempt does not count."""
    with transaction.atomic():
        changed = Analysis.objects.filter(**owned(analysis_id, worker_id)).update(
            status=AnalysisStatus.PENDING,
            worker_id="",
            attempts=F("attempts") - 1,
            message="The worker shut down; the analysis will start again.",
        )
        if changed:
            Plot.objects.filter(analysis_id=analysis_id).update(status=AnalysisStatus.PENDING)
