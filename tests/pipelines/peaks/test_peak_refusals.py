"""What a peak pipeline run refuses, all named in one 400: a reference without a genome,
parameters out of range, a pipeline of another experiment type; and a bulk RNA-seq run
refusing a genome-only reference."""

from __future__ import annotations

import pytest

from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import PipelineRun, Reference
from pluto.server.pipelines.peak_simulator import SimulatedPeaks
from tests.conftest import Caller
from tests.pipelines.peaks.conftest import GENOME, start_peaks, upload_reads
from tests.pipelines.rnaseq.conftest import start_rnaseq
from tests.pipelines.rnaseq.test_rnaseq_refusals import error_fields

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def reads(
    ada: Caller, chipseq: Experiment, simulated_peaks: SimulatedPeaks
) -> list[dict[str, str]]:
    """The chipseq experiment's uploaded reads, as a run's ``samples``."""
    return upload_reads(ada, chipseq, simulated_peaks)


def test_a_transcriptome_reference_and_bad_parameters_are_named_in_one_400(
    ada: Caller, chipseq: Experiment, reference: Reference, reads: list[dict[str, str]]
) -> None:
    body = {
        "reference": "tiny",
        "samples": reads,
        "parameters": {"qvalue": 1.5, "min_samples": 4, "fragment_length": "long"},
        "auto_accept": "yes",
    }

    answer = start_peaks(ada, chipseq, "chipseq", body)

    assert error_fields(answer) == [
        "reference",
        "parameters.qvalue",
        "parameters.fragment_length",
        "parameters.min_samples",
        "auto_accept",
    ]
    message = answer.data["message"]
    assert "'tiny' holds" in message and "genome" in message
    assert "'parameters.min_samples' is 4, but the run has only 3 samples" in message
    assert "'parameters.qvalue' must be a number above 0 and below 1" in message
    assert not PipelineRun.objects.filter(experiment=chipseq).exists()


def test_a_genome_reference_is_refused_for_bulk_rnaseq(
    ada: Caller, experiment: Experiment, genome: Reference, fastq: dict[str, tuple[str, str]]
) -> None:
    samples = [
        {"sample_id": sample, "fastq_1": first, "fastq_2": second}
        for sample, (first, second) in fastq.items()
    ]

    answer = start_rnaseq(ada, experiment, {"reference": GENOME, "samples": samples})

    assert error_fields(answer) == ["reference"]
    assert "transcriptome" in answer.data["message"]


def test_a_peak_pipeline_of_another_type_is_refused(
    ada: Caller, chipseq: Experiment, genome: Reference, reads: list[dict[str, str]]
) -> None:
    answer = start_peaks(ada, chipseq, "atacseq", {"reference": GENOME, "samples": reads})

    assert answer.status_code == 400
    assert answer.data["details"]["field"] == "pipeline"
    assert "chipseq experiments can run: assay_import, chipseq" in answer.data["message"]
