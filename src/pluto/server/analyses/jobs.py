"""The queues a worker takes jobs from: analyses, and pipeline runs.

Each kind of job keeps its rows in its own table (an analysis row, a pipeline run row) with
the same job fields (status, priority, attempts, worker, heartbeat), and hands the worker
the same operations, so one worker loop claims, watches, cancels and reaps them all and
always takes the job of the highest priority first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class JobQueue:
    """What a worker needs of one kind of job; job ids are the rows' primary keys."""

    name: str
    # Retry or fail the running jobs whose worker stopped sending heartbeats.
    reap_stale: Callable[[], int]
    # The priority of the job that would be claimed next, None when none waits.
    next_priority: Callable[[], int | None]
    # Take the next pending job for the worker; its id, or None.
    claim_next: Callable[[str], int | None]
    # Refresh the heartbeats of the worker's jobs; how many it still owns.
    heartbeat_all: Callable[[list[int], str], int]
    # Which of these jobs someone cancelled (the worker kills their processes).
    cancels_requested: Callable[[list[int]], set[int]]
    # What the job's own process runs: ``execute(job_id, worker_id)``.
    execute: Callable[[int, str], None]
    # Record how a job ended when its process could not: ``exited``, ``cancelled`` or
    # ``stopped`` (the worker shut down), with the process's exit status.
    settle: Callable[[int, str, str, int | None], None]


def analysis_queue() -> JobQueue:
    """The analyses' queue (:mod:`.queue`)."""
    from pluto.server.analyses import queue, worker
    from pluto.server.analyses.execution import execute

    def claim(worker_id: str) -> int | None:
        analysis = queue.claim_next(worker_id)
        return None if analysis is None else analysis.pk

    return JobQueue(
        name="analysis",
        reap_stale=queue.reap_stale,
        next_priority=queue.next_priority,
        claim_next=claim,
        heartbeat_all=queue.heartbeat_all,
        cancels_requested=queue.cancels_requested,
        execute=execute,
        settle=worker.settle,
    )


def all_queues() -> list[JobQueue]:
    """Every queue a worker serves: analyses first, then pipeline runs."""
    from pluto.server.pipelines.jobs import run_queue

    return [analysis_queue(), run_queue()]
