"""Helpers for the peak pipelines' tests: simulated reads with planted binding sites, a
genome reference, experiments of the peak types, FASTQ uploads and runs started over HTTP
and run by the real worker loop (the worker fixture of the RNA-seq tests)."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.peak_simulator import SimulatedPeaks, simulate_peaks_experiment
from pluto.server.pipelines.references import add_reference
from tests.conftest import Caller, make_experiment, make_project
from tests.pipelines.conftest import SAMPLE_CSV, base
from tests.pipelines.rnaseq.conftest import (
    fastq,
    reference,
    simulated,
    upload_fastq,
    wait_for_run,
    worker,
)
from tests.tables.conftest import put_table

__all__ = ["fastq", "reference", "simulated", "worker"]
SAMPLES = ("S1", "S2", "S3")
FRAGMENTS = 30_000
GENOME = "tiny-genome"


@pytest.fixture(scope="session")
def simulated_peaks(tmp_path_factory: pytest.TempPathFactory) -> SimulatedPeaks:
    """A tiny genome with planted binding sites and 30,000 read pairs for each of S1, S2
    and S3 (fixed seed)."""
    return simulate_peaks_experiment(tmp_path_factory.mktemp("peaks"), SAMPLES, FRAGMENTS)


@pytest.fixture(scope="session")
def single_end_peaks(tmp_path_factory: pytest.TempPathFactory) -> SimulatedPeaks:
    """The same genome and sites, with single-end reads."""
    folder = tmp_path_factory.mktemp("single-end")
    return simulate_peaks_experiment(folder, SAMPLES, FRAGMENTS, paired=False)


@pytest.fixture
def genome(db: None, simulated_peaks: SimulatedPeaks) -> Reference:
    """The simulated genome added as the human genome reference ``tiny-genome`` (a bowtie2
    index)."""
    return add_reference(GENOME, "human", genome=simulated_peaks.genome_fasta)


def peak_experiment(caller: Caller, kind: str) -> Experiment:
    """A raw-count experiment of type ``kind`` with a sample table of S1, S2 and S3."""
    experiment = make_experiment(
        caller.user, make_project(caller.user), name=f"{kind} peaks", type=kind
    )
    assert put_table(caller, experiment, "sample", SAMPLE_CSV).status == 200
    return experiment


@pytest.fixture
def chipseq(ada: Caller) -> Experiment:
    """ada's ChIP-seq experiment with a sample table of S1, S2 and S3."""
    return peak_experiment(ada, "chipseq")


def upload_reads(
    caller: Caller, experiment: Experiment, simulated: SimulatedPeaks
) -> list[dict[str, str]]:
    """Every sample's FASTQ file(s) uploaded; the ``samples`` of a run body."""
    samples = []
    for sample, truth in simulated.samples.items():
        entry = {"sample_id": sample, "fastq_1": upload_fastq(caller, experiment, truth.fastq_1)}
        if truth.fastq_2 is not None:
            entry["fastq_2"] = upload_fastq(caller, experiment, truth.fastq_2)
        samples.append(entry)
    return samples


def start_peaks(caller: Caller, experiment: Experiment, pipeline: str, body: dict[str, Any]) -> Any:
    """POST a peak pipeline's run; the response."""
    return caller.call("POST", f"{base(experiment)}/pipeline-runs/", {"pipeline": pipeline, **body})


def finished_run(
    caller: Caller, experiment: Experiment, pipeline: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST a run (answered at once, ``pending``) and wait until the worker has run it."""
    answer = start_peaks(caller, experiment, pipeline, body)
    assert answer.status_code == 201, answer.data
    assert answer.data["status"] == "pending", answer.data
    return wait_for_run(caller, experiment, answer.data["uuid"])
