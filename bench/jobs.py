"""Analyses through the real job path: POST one, poll it until it ends, and extra workers.

``pluto serve`` starts one worker beside itself, and one worker runs one analysis at a
time; :func:`extra_worker` starts a second ``pluto worker`` against the same data
directory, so that two analyses can run at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from bench.server import PLUTO, STOP_TIMEOUT, RunningServer, server_environment
from bench.tables import DEMO_EXPERIMENT, checked

BUSY = ("pending", "running")
POLL_SECONDS = 0.1
JOB_TIMEOUT = 600.0
WORKER_READY = "waiting for analyses"
DE_PARAMETERS: dict[str, Any] = {
    "group_column": "condition",
    "experimental_values": ["treated"],
    "control_values": ["control"],
}


def differential_expression(name: str) -> dict[str, Any]:
    """The body of a treated-vs-control differential expression on the demo experiment."""
    return {"analysis_type": "differential_expression", "name": name, "parameters": DE_PARAMETERS}


def principal_components(name: str) -> dict[str, Any]:
    """The body of a PCA of the demo experiment, coloured by condition."""
    parameters = {"group_column": "condition"}
    return {"analysis_type": "principal_components", "name": name, "parameters": parameters}


def analyses_url(server: RunningServer, experiment: str = DEMO_EXPERIMENT) -> str:
    """The URL of an experiment's ``analyses/`` endpoint."""
    return server.api(f"lab/experiments/{experiment}/analyses/")


def post_analysis(session: requests.Session, server: RunningServer, body: dict[str, Any]) -> str:
    """Queue an analysis of the demo experiment; its UUID."""
    return str(checked(session.post(analyses_url(server), json=body)).json()["uuid"])


def analysis_status(
    session: requests.Session, server: RunningServer, uuid: str, experiment: str = DEMO_EXPERIMENT
) -> str:
    """An analysis's status now; fails when the analysis failed or was cancelled."""
    analysis = checked(session.get(f"{analyses_url(server, experiment)}{uuid}/")).json()
    if analysis["status"] not in (*BUSY, "complete"):
        raise RuntimeError(f"Analysis {uuid} ended {analysis['status']}: {analysis['message']}")
    return str(analysis["status"])


def wait_until_done(
    session: requests.Session, server: RunningServer, uuid: str, experiment: str = DEMO_EXPERIMENT
) -> None:
    """Poll an analysis until it is complete (or fail when it fails or takes too long)."""
    deadline = time.monotonic() + JOB_TIMEOUT
    while analysis_status(session, server, uuid, experiment) in BUSY:
        if time.monotonic() > deadline:
            raise RuntimeError(f"Analysis {uuid} did not finish within {JOB_TIMEOUT:.0f} s.")
        time.sleep(POLL_SECONDS)


def seconds_between(start: str, end: str) -> float:
    """Seconds from one ISO 8601 time of an analysis to another."""
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def job_phases(server: RunningServer, name: str) -> list[tuple[float, float]]:
    """For each complete analysis called ``name``: seconds queued, then seconds running."""
    answer = checked(server.session().get(analyses_url(server), params={"limit": 1000})).json()
    done = [a for a in answer["items"] if a["name"] == name and a["status"] == "complete"]
    return [
        (
            seconds_between(a["created_at"], a["started_at"]),
            seconds_between(a["started_at"], a["finished_at"]),
        )
        for a in done
    ]


def run_job(server: RunningServer, body: dict[str, Any]) -> None:
    """POST an analysis and poll it until it is complete: the whole job path."""
    session = server.session()
    wait_until_done(session, server, post_analysis(session, server, body))


def wait_until_ready(process: subprocess.Popen[bytes], log: Path, timeout: float) -> None:
    """Wait until a started worker says it is waiting for analyses (or fail with its log)."""
    deadline = time.monotonic() + timeout
    while WORKER_READY not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"pluto worker did not start:\n{log.read_text(errors='replace')}")
        time.sleep(POLL_SECONDS)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started in its own group: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def extra_worker(server: RunningServer, folder: Path) -> Iterator[None]:
    """A second ``pluto worker`` on the server's data directory, stopped on exit."""
    log = folder / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PLUTO), "worker"],
            env=server_environment(server.data_dir),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_ready(process, log, timeout=60.0)
        yield
    finally:
        stop_group(process)
