"""``pluto serve`` as the supervisor of its processes, tried with real ``kill -9``: a killed
server leaves nothing behind and starts again on the same port; a killed web process or
worker is replaced; a killed worker's or job process's analysis is retried; stale jobs are
reaped with no worker running at all; a web process killed mid-upload loses nothing stored
before, and ``pluto cleanup`` removes what it left."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import requests

from tests.analyses.conftest import count_data
from tests.analyses.processes import (
    PLUTO,
    Pluto,
    Processes,
    alive,
    children_of,
    free_port,
    prepared,
    wait_for,
)
from tests.analyses.test_worker_processes import new_experiment, queue_de, status_of, wait_status

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def pluto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pluto]:
    """A migrated data directory with ada and her token; each test starts its own server."""
    processes = Processes()
    try:
        yield prepared(tmp_path_factory.mktemp("pluto-home"), processes)
    finally:
        processes.stop_all()


@pytest.fixture
def processes(pluto: Pluto) -> Iterator[Processes]:
    """The test's own processes, stopped when it ends."""
    own, pluto.processes = pluto.processes, Processes()
    try:
        yield pluto.processes
    finally:
        pluto.processes.stop_all()
        pluto.processes = own


@pytest.fixture(scope="module")
def large(pluto: Pluto) -> str:
    """An experiment of 12 samples by 20,000 genes: a job there runs for a few seconds."""
    pluto.url = pluto.serve()
    return new_experiment(pluto, count_data(genes=20_000, per_group=6, changed=400))


def command_of(pid: int) -> str:
    """A process's command line, spaces between the arguments ('' once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: children, their children, and so on."""
    found, todo = [], [pid]
    while todo:
        for child in children_of(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def role_of(server: subprocess.Popen[bytes], word: str) -> list[int]:
    """The server's children whose command line names ``word`` (``web_process``, ``worker``)."""
    return [pid for pid in children_of(server.pid) if word in command_of(pid)]


def refuses(url: str) -> bool:
    """Whether nothing answers at ``url`` any more."""
    try:
        requests.get(f"{url}/lab/me/", timeout=2)
    except (requests.ConnectionError, requests.Timeout):
        return True
    return False


def serve_on(pluto: Pluto, port: int, *extra: str) -> subprocess.Popen[bytes]:
    """``pluto serve`` with two web processes and a worker on ``port``, once it answers."""
    args = [str(PLUTO), "serve", "--no-migrate", "--workers", "2", "--port", str(port), *extra]
    env = {**pluto.env, "PLUTO_JOB_HEARTBEAT_SECONDS": "1", "PLUTO_JOB_TIMEOUT_SECONDS": "3"}
    server = pluto.processes.start(args, env, pluto.home)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: not refuses(url), timeout=60, interval=0.2)
    return server


def test_a_killed_server_leaves_no_process_and_starts_again_on_its_port(
    pluto: Pluto, processes: Processes
) -> None:
    port = free_port()
    server = serve_on(pluto, port)
    started = wait_for(lambda: len(descendants(server.pid)) >= 3 and descendants(server.pid), 30)
    commands = " ".join(command_of(pid) for pid in started)

    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    wait_for(lambda: not any(alive(pid) for pid in started), timeout=60)
    closed = refuses(f"http://127.0.0.1:{port}")
    again = serve_on(pluto, port)
    answer = requests.get(f"http://127.0.0.1:{port}/lab/me/", timeout=10)

    assert commands.count("pluto.cli.web_process") == 2 and " worker " in commands
    assert closed
    assert again.poll() is None
    assert answer.status_code == 401


def test_a_killed_web_process_is_replaced_and_the_server_keeps_answering(
    pluto: Pluto, processes: Processes
) -> None:
    port = free_port()
    server = serve_on(pluto, port, "--no-worker")
    web = wait_for(lambda: len(role_of(server, "web_process")) == 2 and role_of(server, "web"), 30)

    os.kill(web[0], signal.SIGKILL)
    replaced = wait_for(
        lambda: web[0] not in (now := role_of(server, "web_process")) and len(now) == 2 and now,
        timeout=15,
    )
    answers = [requests.get(f"http://127.0.0.1:{port}/lab/me/", timeout=10) for _ in range(6)]

    assert web[1] in replaced
    assert [a.status_code for a in answers] == [401] * 6


def test_a_killed_worker_is_replaced_and_its_analysis_retried(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    port = free_port()
    server = serve_on(pluto, port)
    url = f"http://127.0.0.1:{port}"
    analysis = queue_de(pluto, large, url=url)
    wait_status(pluto, large, analysis, {"running"}, timeout=60)
    (worker,) = role_of(server, "worker")
    job = wait_for(lambda: children_of(worker), timeout=20, interval=0.02)[0]

    killed_at = time.monotonic()
    os.kill(worker, signal.SIGKILL)
    retried = wait_for(lambda: running_again(pluto, large, analysis), timeout=40, interval=0.05)
    retried_after = time.monotonic() - killed_at
    done = wait_status(pluto, large, analysis, {"complete", "failed"}, timeout=90)

    assert not alive(job)  # the job's process ended with its worker
    assert worker not in role_of(server, "worker")
    # The job timeout (3 s) passes, then the new worker claims the job once it has started
    # and loaded the analysis libraries: 4 s on a quiet machine, past 8 s on a busy one. A
    # job left to a worker that never came back would not run again at all.
    assert retried_after < 3 + 30
    assert retried["message"].startswith("Attempt 2 of 3"), retried
    assert done["status"] == "complete", done["message"]
    assert done["attempts"] == 2


def running_again(pluto: Pluto, experiment: str, analysis: dict[str, Any]) -> dict[str, Any]:
    """The analysis once a second attempt runs (an empty dict before)."""
    current = status_of(pluto, experiment, analysis)
    return current if current["status"] == "running" and current["attempts"] == 2 else {}


def test_a_killed_job_process_is_retried_by_its_worker(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    port = free_port()
    server = serve_on(pluto, port)
    analysis = queue_de(pluto, large, url=f"http://127.0.0.1:{port}")
    wait_status(pluto, large, analysis, {"running"}, timeout=60)
    (worker,) = role_of(server, "worker")
    job = wait_for(lambda: children_of(worker), timeout=20, interval=0.02)[0]

    os.kill(job, signal.SIGKILL)
    done = wait_status(pluto, large, analysis, {"complete", "failed"}, timeout=90)

    assert done["status"] == "complete", done["message"]
    assert done["attempts"] == 2
    assert role_of(server, "worker") == [worker]


def test_the_server_reaps_a_silent_job_with_no_worker_running(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    serve_on(pluto, free_port(), "--no-worker")
    analysis = queue_de(pluto, large)
    silence_elsewhere(pluto, analysis["uuid"])

    reaped = wait_status(pluto, large, analysis, {"pending"}, timeout=3 + 5)

    assert "retrying (attempt 2 of 3)" in reaped["message"]
    cancel = pluto.call("POST", f"experiments/{large}/analyses/{analysis['uuid']}/cancel/")
    assert cancel.status_code == 200


def silence_elsewhere(pluto: Pluto, uuid: str) -> None:
    """Mark the analysis as run by a worker on another machine that fell silent long ago."""
    database = sqlite_file(pluto)
    with sqlite3.connect(database) as db:
        changed = db.execute(
            "UPDATE analyses_analysis SET status='running', attempts=1, "
            "worker_id='another-machine:1:0', heartbeat_at='2020-01-01 00:00:00' "
            "WHERE uuid=?",
            (uuid.replace("-", ""),),
        ).rowcount
    assert changed == 1


def sqlite_file(pluto: Pluto) -> Path:
    """The SQLite file the processes on this data directory share."""
    url = pluto.env.get("PLUTO_DATABASE_URL", "")
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return Path(pluto.env["PLUTO_DATA_DIR"]) / "pluto.sqlite3"


def big_counts(genes: int, samples: int) -> bytes:
    """A raw counts CSV of ``genes`` rows: big enough to take the server a few seconds."""
    rng = np.random.default_rng(7)
    values = rng.integers(0, 5000, size=(genes, samples))
    header = "gene_symbol," + ",".join(f"S{n}" for n in range(samples))
    rows = (f"G{i}," + ",".join(map(str, row)) for i, row in enumerate(values))
    return ("\n".join([header, *rows]) + "\n").encode()


def experiment_with_a_table(pluto: Pluto) -> str:
    """An experiment with a small assay table stored; its id."""
    project = pluto.call("POST", "projects/", json={"name": "Crash tests"}).json()
    body = {"project": project["pluto_id"], "name": "Big", "type": "rnaseq", "organism": "human"}
    experiment = pluto.call("POST", "experiments/", json={**body, "assay_data_units": "raw_counts"})
    plx = str(experiment.json()["pluto_id"])
    small = pluto.call("PUT", f"experiments/{plx}/assay-data/", data=big_counts(10, 4))
    assert small.status_code == 200, small.text
    return plx


def test_a_server_killed_while_it_processes_a_table_loses_nothing_and_cleanup_clears_up(
    pluto: Pluto, processes: Processes
) -> None:
    pluto.url, server = pluto.start_server()
    plx = experiment_with_a_table(pluto)
    (web,) = children_of(server.pid)
    tmp = Path(pluto.env["PLUTO_DATA_DIR"]) / "tmp"
    upload = threading.Thread(target=put_quietly, args=(pluto, plx, big_counts(400_000, 12)))

    upload.start()
    wait_for(lambda: list(tmp.iterdir()), timeout=60, interval=0.005)
    os.kill(web, signal.SIGKILL)
    upload.join(timeout=60)
    left = sorted(p.name for p in tmp.iterdir())
    wait_for(lambda: [p for p in children_of(server.pid) if p != web], timeout=30)
    wait_for(lambda: stored_rows(pluto, plx) is not None, timeout=30)
    kept = stored_rows(pluto, plx)
    time.sleep(1.1)
    cleanup = run_cleanup(pluto)

    assert left, "the killed request left nothing to clean up"
    assert kept == 10  # the table stored before is untouched
    assert all(f"Removed temporary {name}" in cleanup for name in left), cleanup
    assert list(tmp.iterdir()) == []


def put_quietly(pluto: Pluto, plx: str, body: bytes) -> None:
    """PUT an assay table, ignoring that the connection breaks when the server is killed."""
    with contextlib.suppress(requests.ConnectionError):
        pluto.call("PUT", f"experiments/{plx}/assay-data/", data=body)


def stored_rows(pluto: Pluto, plx: str) -> int | None:
    """How many rows the experiment's assay table has (None while the server restarts)."""
    try:
        answer = pluto.call("GET", f"experiments/{plx}/assay-data/?limit=1")
    except requests.ConnectionError:
        return None
    return int(answer.json()["count"]) if answer.status_code == 200 else None


def run_cleanup(pluto: Pluto) -> str:
    """``pluto cleanup`` treating anything untouched for a second as left over."""
    saved = dict(pluto.env)
    pluto.env["PLUTO_TEMP_FILE_MAX_AGE"] = "1"
    try:
        return pluto.run("cleanup")
    finally:
        pluto.env = saved
