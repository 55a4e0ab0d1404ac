"""The job queue: analyses rows claimed, kept alive, finished and reaped by workers.

Every state change is a conditional UPDATE (``WHERE status = … AND worker_id = …``), so two
workers can never both own a job and a late write from a dead or cancelled run changes nothing.
A claim picks its row under ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers that
claim at once each take a different row instead of queueing behind one; SQLite serialises
writers itself (transactions begin IMMEDIATE). Heartbeats and timeouts are read on the
database's clock, so workers on hosts whose clocks disagree still agree on which job is stale.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Now
from django.utils import timezone

from pluto.server.analyses.models import Analysis, AnalysisStatus, Plot
from pluto.server.history.services import record_analysis_end

LOG_LIMIT = 20_000
Candidate = tuple[int, int, int]


def claim_next(worker_id: str) -> Analysis | None:
    """Take the next pending analysis for ``worker_id``, or None when there is none.

    Next means: the highest priority; among equals, the job of the owner with the fewest jobs
    running (so one person's hundred jobs do not hold back another's one); then the oldest.
    """
    for _ in range(5):
        with transaction.atomic():
            candidate = next_candidate()
            if candidate is None:
                return None
            taken = take_candidate(candidate, worker_id)
        if taken:
            return Analysis.objects.get(pk=candidate[0])
    return None


def next_priority() -> int | None:
    """The highest priority among pending analyses, None when none waits."""
    pending = Analysis.objects.filter(status=AnalysisStatus.PENDING).order_by("-priority")
    return pending.values_list("priority", flat=True).first()


def next_candidate() -> Candidate | None:
    """The pending job to take next (pk, attempts, max_attempts), locked where the database
    can lock a row and skip the rows other workers hold."""
    pending = Analysis.objects.filter(status=AnalysisStatus.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    ordered = pending.annotate(owner_running=owner_running()).order_by(
        "-priority", "owner_running", "created_at", "id"
    )
    row = ordered.values_list("pk", "attempts", "max_attempts").first()
    return None if row is None else (row[0], row[1], row[2])


def owner_running() -> Coalesce:
    """How many jobs the row's owner has running now (0 for a job with no owner)."""
    running: QuerySet[Analysis] = (
        Analysis.objects.filter(status=AnalysisStatus.RUNNING, created_by=OuterRef("created_by"))
        .order_by()
        .values("created_by")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(running, output_field=IntegerField()), 0)


def take_candidate(candidate: Candidate, worker_id: str) -> bool:
    """Switch the pending job to running under ``worker_id``; False if it changed meanwhile."""
    analysis_id, attempts, max_attempts = candidate
    taken = Analysis.objects.filter(
        pk=analysis_id, status=AnalysisStatus.PENDING, attempts=attempts
    ).update(
        status=AnalysisStatus.RUNNING,
        worker_id=worker_id,
        heartbeat_at=Now(),
        started_at=Now(),
        attempts=attempts + 1,
        progress=0.0,
        message=attempt_prefix(attempts + 1, max_attempts) + "Started.",
    )
    if taken:
        Plot.objects.filter(analysis_id=analysis_id).update(status=AnalysisStatus.RUNNING)
    return bool(taken)


@transaction.atomic
def take(analysis_id: int, worker_id: str) -> bool:
    """Switch one given pending analysis to running under ``worker_id``; False if another
    worker has it (or it is not pending)."""
    pending = Analysis.objects.filter(pk=analysis_id, status=AnalysisStatus.PENDING)
    if connection.features.has_select_for_update:
        pending = pending.select_for_update()
    row = pending.values_list("pk", "attempts", "max_attempts").first()
    return row is not None and take_candidate((row[0], row[1], row[2]), worker_id)


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
    return heartbeat_all([analysis_id], worker_id) == 1


def heartbeat_all(analysis_ids: list[int], worker_id: str) -> int:
    """Refresh the heartbeats of the worker's jobs in one statement; how many it still owns."""
    return Analysis.objects.filter(
        pk__in=analysis_ids, status=AnalysisStatus.RUNNING, worker_id=worker_id
    ).update(heartbeat_at=Now())


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
        heartbeat_at=Now(),
    )


def finish(analysis_id: int, worker_id: str, status: str, message: str, **fields: object) -> bool:
    """End the run as complete or failed, if the worker still owns it."""
    with transaction.atomic():
        done = Analysis.objects.filter(**owned(analysis_id, worker_id)).update(
            status=status, message=message, finished_at=Now(), **fields
        )
        if done:
            Plot.objects.filter(analysis_id=analysis_id).update(status=status)
            record_analysis_end(analysis_id, status, message)
    return bool(done)


def cancel_requested(analysis_id: int) -> bool:
    """Whether someone asked to cancel the analysis."""
    return analysis_id in cancels_requested([analysis_id])


def cancels_requested(analysis_ids: list[int]) -> set[int]:
    """Which of the analyses someone asked to cancel (one query for all of a worker's jobs)."""
    asked = Analysis.objects.filter(pk__in=analysis_ids, cancel_requested=True)
    return set(asked.values_list("pk", flat=True))


def reap_stale() -> int:
    """Retry or fail running analyses whose worker stopped sending heartbeats; how many.

    Stale is judged on the database's clock, the one every heartbeat was stamped with."""
    limit = Now() - timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)
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
            finished_at=None if status == AnalysisStatus.PENDING else Now(),
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
