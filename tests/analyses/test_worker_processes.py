"""``pluto serve`` and ``pluto worker`` as real processes sharing one data directory:
queued jobs wait for a worker, killed workers' jobs are retried or failed, cancelling kills
the job's process, and the web server keeps answering while analyses run."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.analyses.conftest import DE_REQUEST, CountData, count_data
from tests.analyses.processes import (
    JOB_ENV,
    PLUTO,
    Pluto,
    Processes,
    alive,
    children_of,
    prepared,
    wait_for,
)

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def pluto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pluto]:
    """A migrated data directory with ada and her token, and ``pluto serve`` running on it."""
    processes = Processes()
    try:
        setup = prepared(tmp_path_factory.mktemp("pluto-home"), processes)
        setup.url = setup.serve()
        yield setup
    finally:
        processes.stop_all()


@pytest.fixture
def processes(pluto: Pluto) -> Iterator[Processes]:
    """The test's own processes (workers, servers), stopped when it ends."""
    own = Processes()
    module_processes, pluto.processes = pluto.processes, own
    try:
        yield own
    finally:
        own.stop_all()
        pluto.processes = module_processes


def new_experiment(pluto: Pluto, data: CountData) -> str:
    """A project and experiment made over HTTP, with both tables uploaded; its id."""
    project = pluto.call("POST", "projects/", json={"name": "Worker tests"}).json()
    experiment = pluto.call(
        "POST",
        "experiments/",
        json={
            "project": project["pluto_id"],
            "name": "Drug response",
            "type": "rnaseq",
            "organism": "human",
            "assay_data_units": "raw_counts",
        },
    ).json()
    for kind, body in (("sample", data.samples_csv), ("assay", data.counts_csv)):
        put = pluto.call(
            "PUT",
            f"experiments/{experiment['pluto_id']}/{kind}-data/",
            data=body,
            headers={"Content-Type": "text/csv"},
        )
        assert put.status_code == 200, put.text
    return str(experiment["pluto_id"])


@pytest.fixture(scope="module")
def small(pluto: Pluto) -> str:
    """An experiment of 8 samples by 300 genes."""
    return new_experiment(pluto, count_data())


@pytest.fixture(scope="module")
def large(pluto: Pluto) -> str:
    """An experiment of 12 samples by 20,000 genes: a job there runs for a few seconds."""
    return new_experiment(pluto, count_data(genes=20_000, per_group=6, changed=400))


def queue_de(pluto: Pluto, experiment: str, url: str = "") -> dict[str, Any]:
    """POST a differential expression analysis; the analysis object."""
    created = pluto.call("POST", f"experiments/{experiment}/analyses/", url=url, json=DE_REQUEST)
    assert created.status_code == 202, created.text
    analysis: dict[str, Any] = created.json()
    return analysis


def status_of(pluto: Pluto, experiment: str, analysis: dict[str, Any]) -> dict[str, Any]:
    """The analysis as the API shows it now."""
    current: dict[str, Any] = pluto.call(
        "GET", f"experiments/{experiment}/analyses/{analysis['uuid']}/"
    ).json()
    return current


def wait_status(
    pluto: Pluto, experiment: str, analysis: dict[str, Any], wanted: set[str], timeout: float
) -> dict[str, Any]:
    """Poll until the analysis reaches one of ``wanted``; the analysis then."""

    def reached() -> dict[str, Any] | None:
        current = status_of(pluto, experiment, analysis)
        return current if current["status"] in wanted else None

    result: dict[str, Any] = wait_for(reached, timeout, interval=0.05)
    return result


def test_a_queued_analysis_waits_for_a_worker_then_completes(
    pluto: Pluto, processes: Processes, small: str
) -> None:
    analysis = queue_de(pluto, small)
    time.sleep(1.5)
    waiting = status_of(pluto, small, analysis)

    ready_worker(pluto)
    done = wait_status(pluto, small, analysis, {"complete", "failed"}, timeout=30)
    plot = pluto.call("GET", f"experiments/{small}/plots/{analysis['plot']['uuid']}/").json()

    assert analysis["status"] == "pending"
    assert waiting["status"] == "pending"
    assert done["status"] == "complete", done["message"]
    assert done["attempts"] == 1
    assert plot["status"] == "complete"


def test_a_killed_workers_job_is_retried_by_the_next_worker(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    analysis = queue_de(pluto, large)
    first = pluto.worker()
    wait_status(pluto, large, analysis, {"running"}, timeout=30)
    wait_for(lambda: children_of(first.pid), timeout=10, interval=0.02)

    (child,) = processes.kill_group_only(first)
    time.sleep(1)
    after_kill = status_of(pluto, large, analysis)
    wait_for(lambda: not alive(child), timeout=5)
    pluto.worker()
    done = wait_status(pluto, large, analysis, {"complete", "failed"}, timeout=40)

    assert after_kill["status"] == "running" and after_kill["attempts"] == 1
    assert done["status"] == "complete", done["message"]
    assert done["attempts"] == 2, (done, pluto.logs())


def test_a_killed_job_on_its_last_attempt_fails_with_a_message(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    url = pluto.serve(PLUTO_JOB_MAX_ATTEMPTS="1")
    analysis = queue_de(pluto, large, url=url)
    first = pluto.worker(PLUTO_JOB_MAX_ATTEMPTS="1")
    wait_status(pluto, large, analysis, {"running"}, timeout=30)
    wait_for(lambda: children_of(first.pid), timeout=10, interval=0.02)

    processes.kill_group_only(first)
    pluto.worker(PLUTO_JOB_MAX_ATTEMPTS="1")
    done = wait_status(pluto, large, analysis, {"complete", "failed", "pending"}, timeout=20)
    plot = pluto.call("GET", f"experiments/{large}/plots/{analysis['plot']['uuid']}/").json()

    assert done["status"] == "failed"
    assert done["attempts"] == 1
    assert "stopped unexpectedly" in done["message"]
    assert done["finished_at"] is not None
    assert plot["status"] == "failed"


def test_cancelling_a_running_analysis_kills_its_process(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    analysis = queue_de(pluto, large)
    worker = pluto.worker()
    wait_status(pluto, large, analysis, {"running"}, timeout=30)
    child = wait_for(lambda: children_of(worker.pid), timeout=10, interval=0.02)[0]
    niceness = wait_for(lambda: niceness_of(child) or None, timeout=10, interval=0.02)

    asked = pluto.call("POST", f"experiments/{large}/analyses/{analysis['uuid']}/cancel/")
    done = wait_status(pluto, large, analysis, {"cancelled", "complete", "failed"}, timeout=10)

    assert niceness == 10  # jobs yield the CPU to web requests
    assert asked.status_code == 200
    assert done["status"] == "cancelled"
    assert not alive(child)
    assert worker.poll() is None


def test_the_server_answers_promptly_while_two_analyses_run(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    analyses = [queue_de(pluto, large), queue_de(pluto, large)]
    pluto.worker()
    pluto.worker()
    for analysis in analyses:
        wait_status(pluto, large, analysis, {"running"}, timeout=30)

    timings = []
    for path in ("me/", f"experiments/{large}/sample-data/", f"experiments/{large}/plots/"):
        started = time.monotonic()
        answer = pluto.call("GET", path)
        timings.append(time.monotonic() - started)
        assert answer.status_code == 200
    still_running = [status_of(pluto, large, a)["status"] for a in analyses]
    done = [wait_status(pluto, large, a, {"complete", "failed"}, timeout=40) for a in analyses]

    assert max(timings) < 3.0, timings
    assert "running" in still_running
    assert [d["status"] for d in done] == ["complete", "complete"], [d["message"] for d in done]


def test_serve_runs_a_worker_beside_it_and_stops_it_when_it_stops(
    pluto: Pluto, processes: Processes, small: str
) -> None:
    url, server = pluto.start_server(with_worker=True)
    worker = wait_for(lambda: worker_of(server.pid), timeout=10)

    analysis = queue_de(pluto, small, url=url)
    done = wait_status(pluto, small, analysis, {"complete", "failed"}, timeout=30)
    os.kill(server.pid, signal.SIGTERM)
    server.wait(timeout=20)

    assert done["status"] == "complete", done["message"]
    wait_for(lambda: not alive(worker), timeout=10)


def test_a_worker_with_concurrency_two_runs_two_analyses_at_once(
    pluto: Pluto, processes: Processes, large: str
) -> None:
    analyses = [queue_de(pluto, large), queue_de(pluto, large)]
    worker = ready_worker(pluto, "--concurrency", "2")

    def both_running() -> int:
        """The worker's job processes once both analyses run (0 before): a job is marked
        running when claimed, a moment before its process is forked."""
        if not all(status_of(pluto, large, a)["status"] == "running" for a in analyses):
            return 0
        job_processes = len(children_of(worker.pid))
        return job_processes if job_processes == 2 else 0

    job_processes = wait_for(both_running, timeout=30, interval=0.05)
    done = [wait_status(pluto, large, a, {"complete", "failed"}, timeout=120) for a in analyses]

    assert job_processes == 2
    assert [d["status"] for d in done] == ["complete", "complete"], pluto.logs()


def test_serve_without_a_worker_leaves_analyses_queued(
    pluto: Pluto, processes: Processes, small: str
) -> None:
    url, server = pluto.start_server(with_worker=False)
    analysis = queue_de(pluto, small, url=url)
    time.sleep(3)
    waiting = pluto.call("GET", f"experiments/{small}/analyses/{analysis['uuid']}/", url=url)

    assert waiting.json()["status"] == "pending"
    assert waiting.json()["message"] == "Waiting for a worker."
    assert worker_of(server.pid) is None


def test_an_idle_worker_told_to_stop_exits_at_once(pluto: Pluto, processes: Processes) -> None:
    args = [str(PLUTO), "worker", "--poll", "30"]  # long idle waits: the signal lands in one
    before = set(pluto.home.glob("*.log"))
    worker = processes.start(args, {**pluto.env, **JOB_ENV}, pluto.home)
    (log,) = set(pluto.home.glob("*.log")) - before
    wait_for(lambda: "waiting for analyses" in log.read_text(), timeout=30, interval=0.1)
    time.sleep(1.0)

    worker.send_signal(signal.SIGTERM)
    returncode = worker.wait(timeout=10)

    assert returncode == 0, pluto.logs()


def ready_worker(pluto: Pluto, *options: str) -> subprocess.Popen[bytes]:
    """Start ``pluto worker`` and wait until it has loaded its libraries and looks at the
    queue (slow on a busy machine, the first time the compiled-code cache is filled)."""
    before = set(pluto.home.glob("*.log"))
    worker = pluto.worker(*options)
    (log,) = set(pluto.home.glob("*.log")) - before
    wait_for(lambda: "waiting for analyses" in log.read_text(), timeout=180, interval=0.1)
    return worker


def worker_of(pid: int) -> int | None:
    """The ``pluto worker`` process a server started, if it is running yet."""
    for child in children_of(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in command:
            return child
    return None


def niceness_of(pid: int) -> int:
    """A process's nice value, from ``/proc/<pid>/stat`` (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[16])
