"""What a bulk RNA-seq run refuses, all named in one 400, and how a failing tool ends it."""

from __future__ import annotations

import gzip

import pytest

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment, Organism
from pluto.server.pipelines.models import PipelineRun, Reference, ReferenceStatus
from pluto.server.storage import get_storage
from tests.conftest import Caller, make_experiment, make_project
from tests.files.conftest import upload
from tests.pipelines.conftest import assay_versions, base
from tests.pipelines.rnaseq.conftest import samples_body, start_rnaseq, wait_for_run


def error_fields(answer: object) -> list[str]:
    """The fields a 400 names, in order."""
    data = answer.data  # type: ignore[attr-defined]
    assert answer.status_code == 400, data  # type: ignore[attr-defined]
    return [error["field"] for error in data["details"]["errors"]]


def test_every_problem_of_a_run_is_named_in_one_400(
    ada: Caller, experiment: Experiment, reference: Reference, fastq: dict[str, tuple[str, str]]
) -> None:
    protocol = upload(ada, experiment, b"%PDF-1.4\n", filename="protocol.pdf")
    body = {
        "reference": "tiny",
        "samples": [
            {"sample_id": "S1", "fastq_1": fastq["S1"][0], "fastq_2": fastq["S1"][1]},
            {"sample_id": "S9", "fastq_1": fastq["S2"][0], "fastq_2": fastq["S2"][1]},
            {"sample_id": "S2", "fastq_1": protocol["uuid"]},
        ],
        "parameters": {"min_read_length": 0, "adapter": "AGATCGG"},
        "colour": "blue",
    }

    answer = start_rnaseq(ada, experiment, body)

    assert error_fields(answer) == [
        "colour",
        "samples[1].sample_id",
        "samples[2].fastq_1",
        "samples",
        "samples[2].fastq_2",
        "parameters.adapter",
        "parameters.min_read_length",
    ]
    message = answer.data["message"]
    assert "'S9' is not a sample of the sample table" in message
    assert "protocol.pdf is a attachment file, not fastq" in message
    assert "leaves out S3" in message
    assert not PipelineRun.objects.filter(experiment=experiment).exists()


def test_missing_files_and_an_unknown_reference_are_named(
    ada: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> None:
    body = {
        "reference": "GRCh38",
        "samples": [
            {"sample_id": "S1"},
            {"sample_id": "S2", "fastq_1": "a0c1d2e3-0000-4000-8000-000000000000"},
            {"sample_id": "S3", "fastq_1": fastq["S3"][0], "fastq_2": fastq["S3"][0]},
        ],
    }

    answer = start_rnaseq(ada, experiment, body)

    assert error_fields(answer) == [
        "reference",
        "samples[0].fastq_1",
        "samples[1].fastq_1",
        "samples[0].fastq_2",
        "samples[1].fastq_2",
        "samples[2].fastq_2",
    ]
    assert "is missing: the other samples are paired-end" in answer.data["message"]
    assert "'GRCh38' is not a reference of this server" in answer.data["message"]
    assert "is used twice" in answer.data["message"]


def test_a_reference_still_being_indexed_cannot_be_chosen(
    ada: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> None:
    Reference.objects.create(
        name="GRCh38-tx", organism=experiment.organism, status=ReferenceStatus.INDEXING
    )

    answer = start_rnaseq(
        ada, experiment, {"reference": "GRCh38-tx", "samples": samples_body(fastq)}
    )

    assert error_fields(answer) == ["reference"]
    assert answer.data["details"]["field"] == "reference"
    assert "still being indexed" in answer.data["message"]


def test_a_reference_of_another_organism_is_refused(
    ada: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> None:
    mouse = Organism.objects.get(shortname="mouse")
    Reference.objects.create(name="GRCm39-tx", organism=mouse, status=ReferenceStatus.READY)

    answer = start_rnaseq(
        ada, experiment, {"reference": "GRCm39-tx", "samples": samples_body(fastq)}
    )

    assert error_fields(answer) == ["reference"]
    assert "is a mouse reference; this experiment's samples are human" in answer.data["message"]


def test_an_experiment_without_a_sample_table_says_so(ada: Caller, reference: Reference) -> None:
    bare = make_experiment(ada.user, make_project(ada.user, "Bare"), "No samples yet")

    answer = start_rnaseq(
        ada, bare, {"reference": "tiny", "samples": [{"sample_id": "S1", "fastq_1": "x"}]}
    )

    assert error_fields(answer)[0] == "samples"
    assert "no sample table yet" in answer.data["message"]


def test_a_viewer_cannot_start_a_run(
    ada: Caller, bob: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> None:
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )

    answer = start_rnaseq(bob, experiment, {"reference": "tiny", "samples": samples_body(fastq)})

    assert answer.status_code == 403


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_tool_failing_on_a_sample_fails_the_run_saying_which_and_why(
    ada: Caller, experiment: Experiment, reference: Reference, fastq: dict[str, tuple[str, str]]
) -> None:
    broken = gzip.compress(b"this is not a FASTQ record\n" * 20)
    bad = upload(ada, experiment, broken, filename="S2_R1.fastq.gz", data_type="fastq")
    samples = samples_body(fastq)
    samples[1]["fastq_1"] = bad["uuid"]
    files_before = set(ExperimentFile.objects.values_list("storage_key", flat=True))

    answer = start_rnaseq(ada, experiment, {"reference": "tiny", "samples": samples})

    assert answer.status_code == 201
    run = wait_for_run(ada, experiment, answer.data["uuid"])
    assert run["status"] == "failed"
    assert run["error"].startswith("The step “Trim and check the reads (fastp): S2” failed")
    assert "fastp kept none of the" in run["error"]
    steps = ada.call("GET", f"{base(experiment)}/workflows/{run['workflow']}/preprocesses/")
    assert [s["status"] for s in steps.data][:4] == ["completed", "completed", "failed", "pending"]
    assert assay_versions(ada, experiment) == []
    kept = set(get_storage().listing(f"files/{experiment.uuid}/"))
    assert kept == files_before  # the uploads stay; nothing the run wrote is left behind
