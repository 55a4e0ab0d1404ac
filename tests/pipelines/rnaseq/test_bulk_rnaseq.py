"""The bulk RNA-seq pipeline over HTTP, with real fastp, salmon and MultiQC on simulated
reads run by the worker loop: its results against the planted truth, its log, QC and QC
report, and accepting it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from scipy.stats import spearmanr

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.simulator import SimulatedExperiment
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.files.conftest import files_path
from tests.pipelines.conftest import assay_versions, base, workflow_path
from tests.pipelines.rnaseq.conftest import (
    FRAGMENTS,
    SAMPLES,
    download_csv,
    samples_body,
    start_rnaseq,
    started_and_run,
    wait_for_run,
)
from tests.tables.conftest import get_table

# The worker's job processes read what the test wrote: it must be committed.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("worker")]
WELL_EXPRESSED = 100  # fragments: genes with at least this many are held to 10%


def completed_run(
    ada: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> dict[str, object]:
    """A completed run on every sample's reads."""
    body = {"reference": "tiny", "samples": samples_body(fastq)}
    run: dict[str, object] = started_and_run(ada, experiment, body)
    assert run["status"] == "completed", run["error"]
    return run


def test_an_rnaseq_experiment_lists_bulk_rnaseq_with_its_steps_and_defaults(
    ada: Caller, experiment: Experiment
) -> None:
    answer = ada.call("GET", f"{base(experiment)}/pipelines/")

    pipelines = {item["shortname"]: item for item in answer.data["items"]}
    rnaseq = pipelines["bulk_rnaseq"]
    assert [step["name"] for step in rnaseq["steps"]][:4] == [
        "fastp",
        "salmon",
        "qc_report",
        "counts",
    ]
    assert rnaseq["parameters"]["properties"]["min_read_length"]["default"] == 30
    assert "rnaseq" in rnaseq["experiment_types"]


def test_the_references_list_shows_a_ready_reference(ada: Caller, reference: Reference) -> None:
    answer = ada.call("GET", "/lab/references/")

    assert answer.status_code == 200
    (item,) = answer.data["items"]
    assert (item["name"], item["organism"], item["status"]) == ("tiny", "human", "ready")
    assert item["genes"] == 150 and item["transcripts"] > 150
    assert item["indexer"].startswith("salmon 1.")


def test_a_run_quantifies_every_sample_and_publishes_nothing_until_accepted(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    run = completed_run(ada, experiment, fastq)

    outputs = run["outputs"]
    assert isinstance(outputs, dict)
    assert [row["sample_id"] for row in outputs["qc"]] == list(SAMPLES)
    assert all(row["reads_in"] == FRAGMENTS for row in outputs["qc"])
    assert all(row["reads_kept"] > 0.95 * FRAGMENTS for row in outputs["qc"])
    assert all(row["mapping_rate"] > 90 for row in outputs["qc"])
    assert outputs["tools"]["fastp"].startswith("fastp 0.")
    assert outputs["tools"]["salmon"] in outputs["methods"]
    assert {f["data_type"] for f in outputs["files"]} == {
        "assay_data_cpm",
        "tpm_gene",
        "tpm_transcript",
        "qc_table",
        "qc_report",
    }
    assert outputs["tools"]["multiqc"].startswith("multiqc 1.")
    steps = ada.call("GET", workflow_path(experiment, str(run["workflow"]), "preprocesses/"))
    assert [s["display_name"] for s in steps.data][:2] == [
        "Trim and check the reads (fastp): S1",
        "Quantify transcripts (salmon): S1",
    ]
    assert {s["status"] for s in steps.data} == {"completed"}
    assert assay_versions(ada, experiment) == []
    assert not ExperimentFile.objects.filter(experiment=experiment, data_type="tpm_gene").exists()


def test_the_run_log_has_each_tools_output_by_sample(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    run = completed_run(ada, experiment, fastq)

    log = ada.client.get(
        f"{base(experiment)}/pipeline-runs/{run['uuid']}/log/",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    assert log.status_code == 200
    assert log["Content-Type"].startswith("text/plain")
    text = log.content.decode()
    for sample in SAMPLES:
        assert f"[fastp {sample}]" in text and f"[salmon {sample}]" in text
    assert "Mapping rate" in text


def accepted_run(
    ada: Caller, experiment: Experiment, fastq: dict[str, tuple[str, str]]
) -> dict[str, object]:
    """A run accepted into the experiment; the accepted workflow."""
    run = completed_run(ada, experiment, fastq)
    accepted = ada.call("POST", workflow_path(experiment, str(run["workflow"]), "accept/"))
    assert accepted.status_code == 200, accepted.data
    result: dict[str, object] = accepted.data
    return result


def file_of_kind(ada: Caller, experiment: Experiment, kind: str) -> str:
    """The uuid of the experiment's only file of this kind."""
    listed = ada.call("GET", f"{base(experiment)}/files/?data_type={kind}")
    (item,) = listed.data[kind]["items"]
    uuid: str = item["uuid"]
    return uuid


def test_accepting_publishes_the_counts_as_a_version_with_tpm_and_qc_files(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    accepted = accepted_run(ada, experiment, fastq)

    assert accepted["status"] == "accepted"
    assert [(v["version"], v["current"]) for v in assay_versions(ada, experiment)] == [(1, True)]
    for kind in ("tpm_gene", "tpm_transcript", "qc_table", "assay_data_cpm"):
        file_of_kind(ada, experiment, kind)
    qc = download_csv(ada, experiment, file_of_kind(ada, experiment, "qc_table"))
    assert [row["sample_id"] for row in qc] == list(SAMPLES)
    assert list(qc[0]) == ["sample_id", "reads_in", "reads_kept", "percent_kept", "mapping_rate"]


def test_gene_tpm_and_counts_match_the_planted_truth(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    simulated: SimulatedExperiment,
) -> None:
    accepted_run(ada, experiment, fastq)

    tpm = download_csv(ada, experiment, file_of_kind(ada, experiment, "tpm_gene"))
    table = get_table(ada, experiment, "assay", "format=csv")
    counts = list(csv.DictReader(io.StringIO(table.body.decode())))
    for sample in SAMPLES:
        truth_tpm = simulated.gene_tpm(sample)
        found = {row["gene_id"]: float(row[sample]) for row in tpm}
        genes = sorted(truth_tpm)
        rho = spearmanr([found[g] for g in genes], [truth_tpm[g] for g in genes]).statistic
        assert rho > 0.95, (sample, rho)
        truth_counts = simulated.gene_fragments(sample)
        measured = {row["gene_symbol"]: int(row[sample]) for row in counts}
        well = [g for g, n in truth_counts.items() if n >= WELL_EXPRESSED]
        assert len(well) > 30
        off = [g for g in well if abs(measured[g] - truth_counts[g]) > 0.1 * truth_counts[g]]
        assert off == [], (sample, off)


def test_a_copy_runs_again_with_changed_parameters(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    run = completed_run(ada, experiment, fastq)
    body = {"name": "Stricter trimming", "parameters": {"min_read_length": 60}}

    copy = ada.call("POST", workflow_path(experiment, str(run["workflow"]), "copy/"), body)

    assert copy.status_code == 201, copy.data
    assert copy.data["status"] == "in_progress"
    assert copy.data["name"] == "Stricter trimming"
    assert copy.data["copied_from"] == run["workflow"]
    again = wait_for_run(ada, experiment, copy.data["run"])
    assert again["status"] == "completed", again["error"]
    assert again["parameters"]["min_read_length"] == 60
    assert again["parameters"]["samples"] == run["parameters"]["samples"]  # type: ignore[index]
    assert "shorter than 60 bases" in again["outputs"]["methods"]


def test_the_post_answers_at_once_with_the_run_pending_and_its_steps_waiting(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    body = {"reference": "tiny", "samples": samples_body(fastq)}
    answer = start_rnaseq(ada, experiment, body)

    assert answer.status_code == 201, answer.data
    assert (answer.data["status"], answer.data["started_at"]) == ("pending", None)
    workflow = ada.call("GET", workflow_path(experiment, answer.data["workflow"]))
    assert workflow.data["status"] == "in_progress"
    steps = ada.call("GET", workflow_path(experiment, answer.data["workflow"], "preprocesses/"))
    assert {s["status"] for s in steps.data} == {"pending"}
    assert [s["name"] for s in steps.data][6:] == [
        "qc_report",
        "counts",
        "validate",
        "normalise",
        "store",
    ]


def test_the_qc_report_is_published_on_accept_with_fastp_and_salmon_sections(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    accepted_run(ada, experiment, fastq)

    listed = ada.call("GET", f"{base(experiment)}/files/?data_type=qc_report")
    (item,) = listed.data["qc_report"]["items"]
    assert item["data_type"] == "qc_report"
    assert item["filename"] == f"{experiment.pluto_id}_qc_report.html"
    link = ada.call("GET", files_path(experiment, f"{item['uuid']}/download/"))
    html = fetch_url(link.data["url"]).body.decode()
    assert "fastp" in html and "Salmon" in html
    for sample in SAMPLES:
        assert sample in html
    assert not re.search(r"<script[^>]+src=[\"']?https?:", html, re.IGNORECASE)


def test_the_experiment_page_shows_the_qc_report_in_a_sandboxed_frame(
    ada: Caller,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    completed_run(ada, experiment, fastq)
    ada.client.force_login(ada.user)

    page = ada.client.get(f"/experiments/{experiment.pluto_id}/?tab=workflows")

    assert page.status_code == 200
    text = page.content.decode()
    (frame,) = re.findall(r"<iframe[^>]*>", text)
    assert 'sandbox="allow-scripts"' in frame and "allow-same-origin" not in frame
    src = re.search(r'src="([^"]+)"', frame)
    assert src is not None
    shown = ada.client.get(src.group(1).replace("&amp;", "&"))
    assert shown.status_code == 200
    assert shown["Content-Type"].startswith("text/html")
    assert shown["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert b"MultiQC" in b"".join(shown.streaming_content)
