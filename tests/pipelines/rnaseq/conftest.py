"""Helpers for the bulk RNA-seq pipeline's tests: simulated reads, a reference, FASTQ uploads,
runs started over HTTP and run by the real worker loop."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.references import add_reference
from pluto.server.pipelines.simulator import SimulatedExperiment, simulate_experiment
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.files.conftest import files_path, upload
from tests.pipelines.conftest import base

SAMPLES = ("S1", "S2", "S3")
FRAGMENTS = 30_000


@pytest.fixture(scope="session")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> SimulatedExperiment:
    """A tiny transcriptome and 30,000 read pairs for each of S1, S2 and S3 (fixed seed)."""
    return simulate_experiment(tmp_path_factory.mktemp("simulated"), SAMPLES, FRAGMENTS)


@pytest.fixture
def reference(db: None, simulated: SimulatedExperiment) -> Reference:
    """The simulated transcriptome added as the human reference ``tiny`` (salmon-indexed)."""
    return add_reference("tiny", "human", simulated.transcripts_fasta, simulated.gtf)


def upload_fastq(caller: Caller, experiment: Experiment, path: Path) -> str:
    """Upload a FASTQ file through an upload session; its uuid."""
    content = path.read_bytes()
    file = upload(
        caller, experiment, content, filename=path.name, data_type="fastq", file_type=".fastq.gz"
    )
    uuid: str = file["uuid"]
    return uuid


@pytest.fixture
def fastq(
    ada: Caller, experiment: Experiment, simulated: SimulatedExperiment
) -> dict[str, tuple[str, str]]:
    """Each sample's uploaded R1 and R2 files."""
    return {
        sample: (
            upload_fastq(ada, experiment, truth.fastq_1),
            upload_fastq(ada, experiment, truth.fastq_2),
        )
        for sample, truth in simulated.samples.items()
    }


def samples_body(fastq: dict[str, tuple[str, str]]) -> list[dict[str, str]]:
    """The ``samples`` of a run body, paired-end."""
    return [
        {"sample_id": sample, "fastq_1": first, "fastq_2": second}
        for sample, (first, second) in fastq.items()
    ]


def start_rnaseq(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> Any:
    """POST a ``bulk_rnaseq`` run; the response."""
    return caller.call(
        "POST", f"{base(experiment)}/pipeline-runs/", {"pipeline": "bulk_rnaseq", **body}
    )


PLUTO = Path(sys.executable).parent / "pluto"
FINISHED = {"completed", "failed", "canceled"}
# Heartbeats each second and a run given up on after 3 s without one, so tests of lost
# workers are quick.
JOB_ENV = {"PLUTO_JOB_HEARTBEAT_SECONDS": "1", "PLUTO_JOB_TIMEOUT_SECONDS": "3"}


def database_url_of_tests() -> str:
    """``PLUTO_DATABASE_URL`` of the database the tests use (the test copy's name)."""
    db = connection.settings_dict
    if str(db["ENGINE"]).endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(str(db["USER"] or ""), safe="")
    password = quote(str(db["PASSWORD"] or ""), safe="")
    auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(log: Path, **env: str) -> subprocess.Popen[bytes]:
    """``pluto worker``, a real worker process on the tests' database and data directory
    (tests that use it commit their rows, so it sees them), in a session of its own."""
    full = {
        **os.environ,
        **JOB_ENV,
        "DJANGO_SETTINGS_MODULE": "pluto.server.settings",
        "PLUTO_DATA_DIR": str(settings.DATA_DIR),
        "PLUTO_DATABASE_URL": database_url_of_tests(),
        **env,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(PLUTO), "worker", "--poll", "0.2"],
            env=full,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop a worker (it gives its running jobs back) and reap it."""
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@pytest.fixture(scope="module")
def worker(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    """A ``pluto worker`` serving the module's tests (it loads its libraries meanwhile)."""
    process = start_worker(tmp_path_factory.mktemp("worker") / "worker.log")
    try:
        yield process
    finally:
        stop_worker(process)


def wait_for_run(
    caller: Caller, experiment: Experiment, run: str, timeout: float = 300
) -> dict[str, Any]:
    """The run once it has ended (``completed``, ``failed`` or ``canceled``)."""
    deadline = time.monotonic() + timeout
    while True:
        found = get_run(caller, experiment, run)
        if found["status"] in FINISHED:
            return found
        assert time.monotonic() < deadline, f"the run is still {found['status']}"
        time.sleep(0.25)


def get_run(caller: Caller, experiment: Experiment, run: str) -> dict[str, Any]:
    """``GET pipeline-runs/<run>/``; the run."""
    answer = caller.call("GET", f"{base(experiment)}/pipeline-runs/{run}/")
    assert answer.status_code == 200, answer.data
    found: dict[str, Any] = answer.data
    return found


def started_and_run(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> dict[str, Any]:
    """POST a ``bulk_rnaseq`` run (answered at once, ``pending``) and wait until the
    worker has run it; the run as ``GET`` then shows it."""
    answer = start_rnaseq(caller, experiment, body)
    assert answer.status_code == 201, answer.data
    assert answer.data["status"] == "pending", answer.data
    return wait_for_run(caller, experiment, answer.data["uuid"])


def download_csv(caller: Caller, experiment: Experiment, file_id: str) -> list[dict[str, str]]:
    """A file of the experiment read through its signed download URL, as CSV rows."""
    answer = caller.call("GET", files_path(experiment, f"{file_id}/download/"))
    assert answer.status_code == 200, answer.data
    fetched = fetch_url(answer.data["url"])
    assert fetched.status == 200
    text = fetched.body.decode()
    return list(csv.DictReader(io.StringIO(text)))
