"""The peak pipelines over HTTP, with real fastp, bowtie2, samtools, MACS2, deepTools,
bedtools and MultiQC on simulated reads run by the worker loop: the consensus peaks
against the planted binding sites, the QC, the files, accepting, auto-accept, single-end
reads, and a failed step."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.peak_simulator import SimulatedPeaks, false_peaks, recovered_sites
from pluto.server.pipelines.peaks import QC_FIELDS
from pluto.server.pipelines.simulator import SimulatedExperiment
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.files.conftest import files_path
from tests.pipelines.conftest import assay_versions, base, workflow_path
from tests.pipelines.peaks.conftest import (
    GENOME,
    SAMPLES,
    finished_run,
    peak_experiment,
    upload_reads,
)
from tests.pipelines.rnaseq.conftest import upload_fastq
from tests.tables.conftest import get_table

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]
BIGWIG_MAGIC = bytes.fromhex("26fc8f88")  # 0x888FFC26, little-endian


def download(caller: Caller, experiment: Experiment, file_id: str) -> bytes:
    """A file of the experiment, fetched through its signed download URL."""
    answer = caller.call("GET", files_path(experiment, f"{file_id}/download/"))
    assert answer.status_code == 200, answer.data
    fetched = fetch_url(answer.data["url"])
    assert fetched.status == 200
    return fetched.body


def published(caller: Caller, experiment: Experiment, data_type: str) -> list[dict[str, Any]]:
    """The experiment's files of ``data_type``, as the files list shows them."""
    answer = caller.call("GET", files_path(experiment, f"?data_type={data_type}"))
    assert answer.status_code == 200, answer.data
    items: list[dict[str, Any]] = answer.data[data_type]["items"]
    return items


def bed_rows(data: bytes) -> list[tuple[str, int, int]]:
    """``(chrom, start, end)`` of each line of BED bytes."""
    rows = [line.split("\t") for line in data.decode().splitlines() if line.strip()]
    return [(row[0], int(row[1]), int(row[2])) for row in rows]


def test_each_peak_type_lists_its_pipeline_with_steps_and_defaults(ada: Caller) -> None:
    for kind, shortname in (
        ("chipseq", "chipseq"),
        ("atacseq", "atacseq"),
        ("cutandrun", "cutandrun"),
        ("cutandtag", "cutandrun"),
    ):
        experiment = peak_experiment(ada, kind)
        answer = ada.call("GET", f"{base(experiment)}/pipelines/")

        pipelines = {item["shortname"]: item for item in answer.data["items"]}
        assert set(pipelines) == {"assay_import", shortname}, kind
        steps = [step["name"] for step in pipelines[shortname]["steps"]]
        assert steps[:6] == ["fastp", "bowtie2", "macs2", "bigwig", "consensus", "counts"]
        defaults = pipelines[shortname]["parameters"]["properties"]
        assert (defaults["qvalue"]["default"], defaults["min_samples"]["default"]) == (0.05, 1)


def test_a_chipseq_run_finds_the_planted_sites_and_publishes_its_files_on_accept(
    ada: Caller, chipseq: Experiment, genome: Reference, simulated_peaks: SimulatedPeaks
) -> None:
    body = {"reference": GENOME, "samples": upload_reads(ada, chipseq, simulated_peaks)}
    run = finished_run(ada, chipseq, "chipseq", body)
    assert run["status"] == "completed", run["error"]
    outputs = run["outputs"]
    qc = {row["sample_id"]: row for row in outputs["qc"]}
    assert list(qc) == list(SAMPLES)
    assert all(set(row) == set(QC_FIELDS) for row in qc.values())
    for sample, truth in simulated_peaks.samples.items():
        assert qc[sample]["reads_in"] == truth.fragments
        assert qc[sample]["mapping_rate"] > 95 and qc[sample]["duplication"] > 0
        assert qc[sample]["peaks"] > 0 and 0.1 < qc[sample]["frip"] < 1
    made = sorted(f["data_type"] for f in outputs["files"])
    assert made == sorted(
        ["assay_data_cpm", "consensus_bed", "qc_table", "qc_report"] + ["bam", "bigwig"] * 3
    )
    assert outputs["tools"]["macs2"] in outputs["methods"]
    assert not ExperimentFile.objects.filter(experiment=chipseq, data_type="bigwig").exists()

    accepted = ada.call("POST", workflow_path(chipseq, run["workflow"], "accept/"))

    assert accepted.status_code == 200, accepted.data
    (bed_file,) = published(ada, chipseq, "consensus_bed")
    peaks = bed_rows(download(ada, chipseq, bed_file["uuid"]))
    assert recovered_sites(peaks, simulated_peaks.sites) >= 0.9
    assert len(false_peaks(peaks, simulated_peaks.sites)) <= 0.1 * len(peaks)
    tracks = published(ada, chipseq, "bigwig")
    assert len(tracks) == 3
    assert download(ada, chipseq, tracks[0]["uuid"])[:4] == BIGWIG_MAGIC
    assert download(ada, chipseq, published(ada, chipseq, "bam")[0]["uuid"])[:2] == b"\x1f\x8b"
    (version,) = assay_versions(ada, chipseq)
    assert (version["version"], version["count"]) == (1, len(peaks))


def test_the_peak_counts_are_each_samples_reads_in_each_consensus_peak(
    ada: Caller, chipseq: Experiment, genome: Reference, simulated_peaks: SimulatedPeaks
) -> None:
    body = {
        "reference": GENOME,
        "samples": upload_reads(ada, chipseq, simulated_peaks),
        "auto_accept": True,
        "parameters": {"min_samples": 2},
    }

    run = finished_run(ada, chipseq, "chipseq", body)

    assert run["status"] == "completed", run["error"]
    table = get_table(ada, chipseq, "assay", "format=csv")
    rows = list(csv.DictReader(io.StringIO(table.body.decode())))
    assert list(rows[0]) == ["peak_id", *SAMPLES]
    strongest = max(simulated_peaks.sites, key=lambda site: site.strength)
    inside = [
        row
        for row in rows
        if overlaps(row["peak_id"], strongest.chrom, strongest.start, strongest.end)
    ]
    assert len(inside) == 1
    first, last = (int(v) for v in inside[0]["peak_id"].rsplit(":", 1)[1].split("-"))
    for sample, truth in simulated_peaks.samples.items():
        # Two reads per fragment: the site's own fragments and the background's that reach
        # into the peak (a fragment's length, 180 on average, beyond either edge).
        background = truth.fragments - truth.duplicates - sum(truth.fragments_in_sites.values())
        reaching = background / simulated_peaks.genome_size * (last - first + 180)
        expected = 2 * (truth.fragments_in_sites[strongest.name] + reaching)
        assert abs(int(inside[0][sample]) - expected) < 0.2 * expected, sample


def overlaps(peak_id: str, chrom: str, start: int, end: int) -> bool:
    """Whether ``chrom:start-end`` overlaps the peak ``peak_id`` names."""
    where, span = peak_id.rsplit(":", 1)
    first, last = (int(value) for value in span.split("-"))
    return where == chrom and first < end and start < last


def test_a_single_end_atacseq_run_with_auto_accept_publishes_at_once(
    ada: Caller, genome: Reference, single_end_peaks: SimulatedPeaks
) -> None:
    atac = peak_experiment(ada, "atacseq")
    samples = upload_reads(ada, atac, single_end_peaks)
    assert all("fastq_2" not in sample for sample in samples)
    body = {"reference": GENOME, "samples": samples, "auto_accept": True}

    run = finished_run(ada, atac, "atacseq", body)

    assert run["status"] == "completed", run["error"]
    assert run["outputs"]["assay_data"]["version"] == 1
    (bed_file,) = published(ada, atac, "consensus_bed")
    peaks = bed_rows(download(ada, atac, bed_file["uuid"]))
    assert recovered_sites(peaks, single_end_peaks.sites) >= 0.9
    workflow = ada.call("GET", workflow_path(atac, run["workflow"]))
    assert workflow.data["status"] == "accepted"


def test_reads_of_another_genome_fail_the_alignment_step_naming_the_sample(
    ada: Caller, chipseq: Experiment, genome: Reference, simulated: SimulatedExperiment
) -> None:
    samples = [
        {
            "sample_id": sample,
            "fastq_1": upload_fastq(ada, chipseq, truth.fastq_1),
            "fastq_2": upload_fastq(ada, chipseq, truth.fastq_2),
        }
        for sample, truth in simulated.samples.items()
    ]

    run = finished_run(ada, chipseq, "chipseq", {"reference": GENOME, "samples": samples})

    assert run["status"] == "failed"
    assert "Align (bowtie2) and mark duplicates (samtools): S1" in run["error"]
    assert "None of sample S1's reads aligned to the reference" in run["error"]
    steps = ada.call("GET", workflow_path(chipseq, run["workflow"], "preprocesses/"))
    assert [s["status"] for s in steps.data][:3] == ["completed", "failed", "pending"]
    assert assay_versions(ada, chipseq) == []
    assert not ExperimentFile.objects.filter(experiment=chipseq, data_type="bam").exists()


def test_the_run_log_has_each_peak_tools_output_by_sample(
    ada: Caller, chipseq: Experiment, genome: Reference, simulated_peaks: SimulatedPeaks
) -> None:
    body = {"reference": GENOME, "samples": upload_reads(ada, chipseq, simulated_peaks)}
    run = finished_run(ada, chipseq, "chipseq", body)

    log = ada.client.get(
        f"{base(chipseq)}/pipeline-runs/{run['uuid']}/log/",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    text = log.content.decode()
    for label in ("fastp S2", "bowtie2 S2", "macs2 S2", "bamCoverage S2", "multiqc"):
        assert f"[{label}]" in text, label
    assert "overall alignment rate" in text
