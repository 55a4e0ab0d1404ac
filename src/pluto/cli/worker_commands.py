"""``pluto worker``: the process that runs queued analyses, and its start beside ``serve``."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys

import click

from pluto.cli.django_setup import setup_django

PR_SET_PDEATHSIG = 1


@click.command("worker")
@click.option("--once", is_flag=True, help="Run what is queued, then exit.")
@click.option(
    "--parent",
    type=int,
    default=None,
    hidden=True,
    help="Stop when the process with this id is gone (set by pluto serve).",
)
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.1, 60),
    help="Seconds between looks at an empty queue.",
)
def worker_command(once: bool, poll: float, parent: int | None) -> None:
    """Run queued analyses (each in its own child process) until stopped.

    \b
    Example:
      pluto worker
    """
    setup_django()
    from pluto.server.analyses.worker import run_worker

    run_worker(once=once, poll_seconds=poll, parent_pid=parent)


def end_with_parent() -> None:
    """In the child before exec: get SIGTERM when the parent dies (Linux), however it dies.

    The web server re-raises the signal that stopped it, so its exit handlers may never run.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_worker_process() -> subprocess.Popen[bytes]:
    """``pluto worker`` as a child of ``pluto serve``, stopped when the server stops."""
    command = [sys.executable, "-m", "pluto.cli.main", "worker", "--parent", str(os.getpid())]
    worker = subprocess.Popen(command, preexec_fn=end_with_parent)
    atexit.register(stop_worker_process, worker)
    return worker


def stop_worker_process(worker: subprocess.Popen[bytes]) -> None:
    """Ask the worker to stop (it requeues a running analysis), then make sure it has."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
