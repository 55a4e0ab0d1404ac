"""What every FASTQ pipeline shares: the candidate it builds, its per-sample steps, fetching
a sample's FASTQ files, fastp, the stored extra files and MultiQC's report.

A FASTQ pipeline (``bulk_rnaseq``, the peak pipelines) runs its per-sample steps for each
sample in turn, then its steps over all samples. What it makes is stored, not published,
until the workflow is accepted; on failure every object written is removed.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pluto.server.files.models import ExperimentFile
from pluto.server.pipelines import assay_import
from pluto.server.pipelines.assay_import import Candidate
from pluto.server.pipelines.models import PipelineRun, StepStatus, Workflow, WorkflowPreprocess
from pluto.server.pipelines.qc_report import build_report
from pluto.server.pipelines.runlog import RunLog
from pluto.server.pipelines.states import move_step
from pluto.server.pipelines.tools import ToolFailed, run_tool, threads
from pluto.server.storage import get_storage

UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class RunCandidate:
    """The assay candidate and the extra files (TPM, tracks, QC…) stored for the run."""

    assay: Candidate
    files: list[dict[str, Any]] = field(default_factory=list)
    qc: list[dict[str, Any]] = field(default_factory=list)

    def discard(self) -> None:
        """Remove every object written for this run."""
        for item in self.files:
            get_storage().delete(item["storage_key"])
        self.assay.discard()


def sample_steps(workflow: Workflow, index: int, per_sample: int) -> list[WorkflowPreprocess]:
    """The ``per_sample`` steps of the run's sample number ``index`` (from 0), in order."""
    first = per_sample * index + 1
    steps = workflow.preprocesses.filter(order__in=range(first, first + per_sample))
    return list(steps.order_by("order"))


def fetch_fastq(file_id: str, folder: Path, mate: int) -> Path:
    """A FASTQ file of the run in the scratch folder, named as fastp needs (it tells gzip by
    the name): a link to the stored file when the store is local, else a copy."""
    file = ExperimentFile.objects.get(uuid=file_id)
    storage = get_storage()
    with storage.open(file.storage_key) as source:
        gzipped = source.read(2) == b"\x1f\x8b"
    target = folder / f"in_{mate}.fastq{'.gz' if gzipped else ''}"
    local = storage.local_path(file.storage_key)
    if local is not None:
        target.symlink_to(local)
        return target
    with storage.open(file.storage_key) as source, target.open("wb") as out:
        shutil.copyfileobj(source, out)
    return target


def run_fastp(sample: dict[str, Any], folder: Path, min_length: int, log: RunLog) -> dict[str, Any]:
    """Trim and check a sample's reads into ``trimmed_1/2.fastq.gz``; fastp's JSON report."""
    name = sample["sample_id"]
    args: list[str | Path] = ["fastp", "-w", str(threads()), "-l", str(min_length)]
    args += ["-i", fetch_fastq(sample["fastq_1"], folder, 1)]
    args += ["-o", folder / "trimmed_1.fastq.gz"]
    if sample.get("fastq_2"):
        args += ["-I", fetch_fastq(sample["fastq_2"], folder, 2)]
        args += ["-O", folder / "trimmed_2.fastq.gz"]
    args += ["-j", folder / "fastp.json", "-h", folder / "fastp.html"]
    # The report's title is the name MultiQC gives the sample (else every one is "in_1").
    args += ["-R", name]
    run_tool(args, f"on sample {name}", log.for_step(f"fastp {name}"), folder)
    report: dict[str, Any] = json.loads((folder / "fastp.json").read_text())
    return report


def check_reads_kept(report: dict[str, Any], sample_id: str) -> int:
    """How many reads fastp kept; ``ToolFailed`` when none (the next tool would only refuse)."""
    summary = report["summary"]
    kept = int(summary["after_filtering"]["total_reads"])
    if kept == 0:
        read = int(summary["before_filtering"]["total_reads"])
        raise ToolFailed(
            f"fastp kept none of the {read} reads of sample {sample_id}: its FASTQ files hold "
            "no usable reads (are they FASTQ, and the files of this sample?).",
            details={"tool": "fastp", "sample_id": sample_id},
        )
    return kept


def trim_step(
    current: WorkflowPreprocess, sample: dict[str, Any], folder: Path, min_length: int, log: RunLog
) -> dict[str, Any]:
    """The fastp step of one sample; fastp's report."""
    with assay_import.step_of(current):
        report = run_fastp(sample, folder, min_length, log)
        kept = check_reads_kept(report, sample["sample_id"])
        move_step(current, StepStatus.COMPLETED, f"{kept} reads kept.")
    return report


def fragments(sample: dict[str, Any], report: dict[str, Any]) -> tuple[int, int]:
    """Fragments fastp read and kept (read pairs when paired)."""
    mates = 2 if sample.get("fastq_2") else 1
    summary = report["summary"]
    reads_in = int(summary["before_filtering"]["total_reads"]) // mates
    return reads_in, int(summary["after_filtering"]["total_reads"]) // mates


def folder_name(sample_id: str) -> str:
    """A file name made from a sample id (MultiQC names a sample after its folder)."""
    return UNSAFE_IN_NAME.sub("_", sample_id).strip("._") or "sample"


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """A CSV file's bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def store_file(
    run: PipelineRun, candidate: RunCandidate, data_type: str, filename: str, data: bytes | Path
) -> None:
    """Store one of the run's extra files (published on accept)."""
    file_uuid = uuid.uuid4()
    key = f"files/{run.experiment.uuid}/{file_uuid}"
    stored = get_storage().put(key, data)
    candidate.files.append(
        {
            "file_uuid": str(file_uuid),
            "data_type": data_type,
            "filename": filename,
            "storage_key": stored.key,
            "sha256": stored.sha256,
            "size": stored.size,
        }
    )


def store_qc_table(
    run: PipelineRun, candidate: RunCandidate, fields: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    """The per-sample QC table, kept on the candidate and stored as a ``qc_table`` file."""
    candidate.qc = rows
    table = csv_bytes(list(fields), [[row[f] for f in fields] for row in rows])
    store_file(run, candidate, "qc_table", f"{run.experiment.pluto_id}_qc.csv", table)


def qc_report(workflow: Workflow, candidate: RunCandidate, samples: Path, log: RunLog) -> None:
    """MultiQC's HTML report over every tool's output under ``samples``, stored with the
    run's files (published as a ``qc_report`` file on accept)."""
    run = workflow.run
    plx = run.experiment.pluto_id
    with assay_import.step(workflow, "qc_report") as current:
        report = build_report(samples, f"{plx}: {workflow.name}", log.for_step("multiqc"))
        store_file(run, candidate, "qc_report", f"{plx}_qc_report.html", report.read_bytes())
        move_step(
            current,
            StepStatus.COMPLETED,
            f"The report covers {len(run.parameters['samples'])} samples.",
        )


def import_counts(workflow: Workflow, candidate: RunCandidate, counts: Path, folder: Path) -> None:
    """The counts table through the assay import's validate, normalise and store steps."""
    candidate.assay.parsed = assay_import.validate(workflow, counts, counts.name, folder)
    assay_import.normalise(workflow, candidate.assay, folder)
    assay_import.store(workflow, candidate.assay)
