"""``pluto worker``: claims queued jobs (analyses, and pipeline runs: :mod:`.jobs`) and runs
each in its own child process, the job of the highest priority first.

A child process per job means a crash, a memory blow-up or a cancellation ends that job only:
the worker kills the child on cancel, and a job whose child dies is retried like one whose
worker died. While a child runs, the worker keeps the job's heartbeat fresh. The worker loads
the scientific libraries once when it starts and forks each job's process from itself, so a
job does not pay for starting Python and importing them.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import logging
import os
import signal
import socket
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections

from pluto.server.analyses import queue
from pluto.server.analyses.child import JobProcess, fork_job
from pluto.server.analyses.jobs import JobQueue, all_queues
from pluto.server.analyses.models import Analysis, AnalysisStatus
from pluto.server.lifeline import ask_kernel_for_signal, end_with_parent

logger = logging.getLogger("pluto.worker")
STOP_CHECK_SECONDS = 0.2
WATCH_SECONDS = 1.0


def new_worker_id() -> str:
    """A name unique to this worker process: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# A job as the worker names it: its queue's name and its id there.
JobKey = tuple[str, int]


@dataclass
class Running:
    """A job this worker runs: its queue, its id, its process, and when it last sent a
    heartbeat."""

    queue: JobQueue
    job_id: int
    child: JobProcess
    last_beat: float = field(default_factory=time.monotonic)

    @property
    def key(self) -> JobKey:
        """The job's key among the worker's jobs."""
        return (self.queue.name, self.job_id)


class Worker:
    """One worker loop running up to ``concurrency`` jobs at once; ``stop`` makes it requeue
    its current jobs and return."""

    def __init__(
        self, poll_seconds: float = 1.0, parent_pid: int | None = None, concurrency: int = 1
    ) -> None:
        self.worker_id = new_worker_id()
        self.poll_seconds = poll_seconds
        self.parent_pid = parent_pid
        self.concurrency = concurrency
        self.queues = all_queues()
        self.running: dict[JobKey, Running] = {}
        # A plain flag, not a threading.Event: the signal handler runs on the main thread,
        # and Event.set() would deadlock on the lock Event.wait() holds there.
        self.stop_requested = False

    def orphaned(self) -> bool:
        """Whether the process that started this worker is gone."""
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def stop(self, *_: object) -> None:
        """Ask the loop to end (safe to call from a signal handler: it takes no lock)."""
        self.stop_requested = True

    def should_stop(self) -> bool:
        """Whether a stop was asked for, or the process that started this worker is gone."""
        return self.stop_requested or self.orphaned()

    def pause(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early when asked to stop or a job's process ends."""
        deadline = time.monotonic() + seconds
        while not self.should_stop() and time.monotonic() < deadline:
            if any(job.child.poll() is not None for job in self.running.values()):
                return
            time.sleep(min(STOP_CHECK_SECONDS, max(0.0, deadline - time.monotonic())))

    def run(self, once: bool = False) -> None:
        """Claim and run jobs until stopped (or, with ``once``, until the queue is empty)."""
        # Tests, benchmarks and the cluster wait for "waiting for analyses" in the log.
        logger.info(
            "Worker %s waiting for analyses and pipeline runs (%s at a time).",
            self.worker_id,
            self.concurrency,
        )
        try:
            while not self.should_stop():
                close_old_connections()
                self.fill()
                if not self.running and once:
                    return
                self.pause(WATCH_SECONDS if self.running else self.poll_seconds)
                self.tend()
        finally:
            self.stop_all()

    def fill(self) -> None:
        """Claim jobs until every slot is busy or the queues are empty."""
        if len(self.running) < self.concurrency:
            for jobs in self.queues:
                jobs.reap_stale()
        while len(self.running) < self.concurrency and not self.should_stop():
            claimed = self.claim()
            if claimed is None:
                return
            self.start(*claimed)

    def claim(self) -> tuple[JobQueue, int] | None:
        """The next job to run, from the queue whose waiting job has the highest priority
        (so an interactive analysis goes before a pipeline run queued earlier)."""
        priorities = [(jobs.next_priority(), jobs) for jobs in self.queues]
        waiting = [(priority, jobs) for priority, jobs in priorities if priority is not None]
        # sorted() keeps the queues' order among equal priorities: analyses first.
        for _, jobs in sorted(waiting, key=lambda item: -item[0]):
            job_id = jobs.claim_next(self.worker_id)
            if job_id is not None:
                return jobs, job_id
        return None

    def start(self, jobs: JobQueue, job_id: int) -> None:
        """Fork the process that runs one claimed job."""
        logger.info("Running %s job %s.", jobs.name, job_id)
        child = fork_job(job_id, self.worker_id, jobs.execute)
        job = Running(jobs, job_id, child)
        self.running[job.key] = job

    def tend(self) -> None:
        """Settle the jobs whose process ended or was cancelled; keep the others' heartbeats
        fresh (one statement per queue)."""
        if not self.running:
            return
        cancelled = self.cancelled()
        for job in list(self.running.values()):
            if job.child.poll() is not None:
                self.settle(job, "exited")
            elif job.key in cancelled:
                kill(job.child)
                self.settle(job, "cancelled")
        self.beat()

    def by_queue(self, jobs: list[Running]) -> dict[str, tuple[JobQueue, list[int]]]:
        """The jobs grouped by queue: each queue and its job ids."""
        grouped: dict[str, tuple[JobQueue, list[int]]] = {}
        for job in jobs:
            grouped.setdefault(job.queue.name, (job.queue, []))[1].append(job.job_id)
        return grouped

    def cancelled(self) -> set[JobKey]:
        """The running jobs someone cancelled (one query per queue)."""
        found: set[JobKey] = set()
        for name, (jobs, ids) in self.by_queue(list(self.running.values())).items():
            found |= {(name, job_id) for job_id in jobs.cancels_requested(ids)}
        return found

    def beat(self) -> None:
        """Send the heartbeats that are due."""
        due = [
            job
            for job in self.running.values()
            if time.monotonic() - job.last_beat >= settings.JOB_HEARTBEAT_SECONDS
        ]
        for jobs, ids in self.by_queue(due).values():
            jobs.heartbeat_all(ids, self.worker_id)
        for job in due:
            job.last_beat = time.monotonic()

    def settle(self, job: Running, outcome: str) -> None:
        """Record how the job ended and free its slot."""
        del self.running[job.key]
        job.queue.settle(job.job_id, self.worker_id, outcome, job.child.returncode)

    def stop_all(self) -> None:
        """On the way out: end every job's process and give the jobs back to the queue."""
        for job in list(self.running.values()):
            kill(job.child)
            self.settle(job, "stopped")


def use_shared_compiled_code_cache() -> None:
    """Keep numba's compiled functions (UMAP's) in the data directory, so each job's process
    loads them instead of compiling them again."""
    cache = Path(settings.DATA_DIR) / "cache" / "numba"
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache))


def preload() -> None:
    """Import what the jobs need, once, before any job's process is forked: the kinds and
    the libraries each declares."""
    use_shared_compiled_code_cache()
    started = time.monotonic()
    importlib.import_module("pluto.server.analyses.execution")
    for module in kind_libraries():
        try:
            importlib.import_module(module)
        except ImportError:  # the job that needs it will say so; the others still run
            logger.exception("Could not load %s for the analyses that use it.", module)
    logger.info("Loaded the analysis libraries in %.1f s.", time.monotonic() - started)


def keep_loaded_objects_out_of_collections() -> None:
    """Move every object loaded so far out of the garbage collector's sight.

    The modules, classes and functions loaded before the first job live as long as the
    worker. Frozen, they are not scanned again: not by each forked job's process (whose
    collections would otherwise write to, and so copy, pages it shares with the worker), nor
    by the full collection at exit, which otherwise took the worker 2 s or more to stop.
    """
    gc.freeze()


def kind_libraries() -> list[str]:
    """Every module a registered kind declares it computes with, each once."""
    from pluto.server.analyses.registry import all_kinds

    modules = (module for kind in all_kinds().values() for module in kind.libraries)
    return list(dict.fromkeys(modules))


def kill(child: JobProcess) -> None:
    """End the child and anything it started (its group, or itself if it has none yet)."""
    for send in (os.killpg, os.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            send(child.pid, signal.SIGKILL)
    child.wait()


def settle(analysis_id: int, worker_id: str, outcome: str, returncode: int | None) -> None:
    """Record how a run ended when the child could not record it itself."""
    if outcome == "cancelled":
        queue.finish(analysis_id, worker_id, AnalysisStatus.CANCELLED, "Cancelled.")
    elif outcome == "stopped":
        queue.requeue(analysis_id, worker_id)
    elif Analysis.objects.filter(**queue.owned(analysis_id, worker_id)).exists():
        logger.error("Analysis %s: its process ended with status %s.", analysis_id, returncode)
        analysis = Analysis.objects.get(pk=analysis_id)
        queue.release(analysis)


def run_worker(
    once: bool = False,
    poll_seconds: float = 1.0,
    parent_pid: int | None = None,
    concurrency: int = 1,
) -> None:
    """Run a worker in this process until SIGTERM or SIGINT (or its parent is gone), with
    up to ``concurrency`` jobs (analyses and pipeline runs) at once."""
    if parent_pid is not None:
        # Loading the libraries takes seconds; a worker whose server is killed meanwhile
        # must not live on until it is done (SIGTERM's default action ends it at once).
        ask_kernel_for_signal(signal.SIGTERM)
        if os.getppid() != parent_pid:  # gone before the request above took effect
            return
    preload()
    keep_loaded_objects_out_of_collections()
    worker = Worker(poll_seconds=poll_seconds, parent_pid=parent_pid, concurrency=concurrency)
    signal.signal(signal.SIGTERM, worker.stop)
    signal.signal(signal.SIGINT, worker.stop)
    if parent_pid is not None:
        end_with_parent(parent_pid, on_orphaned=worker.stop, sig=signal.SIGTERM)
    worker.run(once=once)
    logger.info("Worker %s stopped.", worker.worker_id)
