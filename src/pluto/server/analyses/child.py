"""The process that runs one job (an analysis, or a pipeline run): forked from its worker,
which has already loaded Django and the scientific libraries, so a job starts computing at
once.

The process runs in a session of its own (so a cancel can kill it and whatever it started),
at a lower CPU priority, and dies with its worker.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable

from django.db import connections

from pluto.server.storage import get_storage

logger = logging.getLogger("pluto.worker")
# Exit status of a child that stopped because its worker is gone.
ORPHANED = 3
JOB_NICENESS = 10
POLL_SECONDS = 0.05
# What a job's process runs: the job's primary key and the worker's id.
Execute = Callable[[int, str], None]


def die_with_worker(worker: int) -> None:
    """End this process as soon as the worker (process id ``worker``) that started it dies.

    In a session of its own, a killed worker would not take it along. Left running, it would
    compute for a job the queue is about to hand to another worker.
    """
    from pluto.server.lifeline import end_with_parent

    end_with_parent(worker, on_orphaned=lambda: os._exit(ORPHANED), sig=signal.SIGKILL)


def yield_to_web_requests() -> None:
    """Run at a lower CPU priority, so pages stay quick while analyses compute on the same
    machine."""
    with contextlib.suppress(OSError):
        os.nice(JOB_NICENESS)


def run_in_child(job_id: int, worker_id: str, worker_pid: int, execute: Execute) -> int:
    """The forked process's work: run the job; its exit status (failures are recorded on
    the job itself)."""
    os.setsid()
    for sig in (signal.SIGTERM, signal.SIGINT):  # not the worker's handlers: stop at once
        signal.signal(sig, signal.SIG_DFL)
    die_with_worker(worker_pid)
    yield_to_web_requests()
    # An S3 client's pooled connections are the worker's: the child makes its own store.
    get_storage.cache_clear()
    try:
        execute(job_id, worker_id)
    except BaseException:
        logger.exception("The process of job %s failed.", job_id)
        return 1
    finally:
        connections.close_all()
    return 0


class JobProcess:
    """A forked job process, watched like :class:`subprocess.Popen`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit status once the process has ended, else None."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait up to ``timeout`` seconds (for ever when None); the exit status, or None."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() >= deadline:
                return None
            time.sleep(POLL_SECONDS)
        return self.returncode


def fork_job(job_id: int, worker_id: str, execute: Execute) -> JobProcess:
    """Start the process that runs one job (``execute(job_id, worker_id)``), forked from
    this worker."""
    worker_pid = os.getpid()
    # Database connections must not be shared with the child: it opens its own.
    connections.close_all()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            status = run_in_child(job_id, worker_id, worker_pid, execute)
        finally:
            os._exit(status)
    return JobProcess(pid)
