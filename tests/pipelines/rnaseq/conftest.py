"""Helpers for the bulk RNA-seq pipeline's tests: simulated reads, a reference, FASTQ uploads
and runs over HTTP."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

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


def download_csv(caller: Caller, experiment: Experiment, file_id: str) -> list[dict[str, str]]:
    """A file of the experiment read through its signed download URL, as CSV rows."""
    answer = caller.call("GET", files_path(experiment, f"{file_id}/download/"))
    assert answer.status_code == 200, answer.data
    fetched = fetch_url(answer.data["url"])
    assert fetched.status == 200
    text = fetched.body.decode()
    return list(csv.DictReader(io.StringIO(text)))
