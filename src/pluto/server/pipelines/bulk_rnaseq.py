"""The ``bulk_rnaseq`` pipeline's steps: fastp then salmon for each sample, MultiQC's report
over their outputs, then gene-level counts and TPM, then the counts go through the assay
import's validate, normalise and store.

Each tool runs as a child process (:mod:`.tools`) whose output goes to the run's log. What
the run makes (the counts as a candidate assay version, TPM by gene and by transcript, the
QC table, the QC report) is stored but published only when the workflow is accepted.
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
from pluto.server.pipelines.models import (
    PipelineRun,
    Reference,
    StepStatus,
    Workflow,
    WorkflowPreprocess,
)
from pluto.server.pipelines.qc_report import build_report
from pluto.server.pipelines.references import fetch_index
from pluto.server.pipelines.runlog import RunLog
from pluto.server.pipelines.states import move_step
from pluto.server.pipelines.tools import ToolFailed, run_tool, threads, tool_version
from pluto.server.storage import get_storage

COUNTS_FILENAME = "counts.csv"
QC_FIELDS = ("sample_id", "reads_in", "reads_kept", "percent_kept", "mapping_rate")
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Quantified:
    """One sample's salmon results: per transcript TPM and estimated reads, and its QC."""

    tpm: dict[str, float]
    reads: dict[str, float]
    qc: dict[str, Any]


@dataclass
class RnaseqCandidate:
    """The assay candidate and the extra files (TPM, QC) stored for the run."""

    assay: Candidate
    files: list[dict[str, Any]] = field(default_factory=list)
    qc: list[dict[str, Any]] = field(default_factory=list)

    def discard(self) -> None:
        """Remove every object written for this run."""
        for item in self.files:
            get_storage().delete(item["storage_key"])
        self.assay.discard()


def sample_steps(workflow: Workflow, index: int) -> tuple[WorkflowPreprocess, WorkflowPreprocess]:
    """The fastp and salmon steps of the run's sample number ``index`` (from 0)."""
    steps = workflow.preprocesses.filter(order__in=(2 * index + 1, 2 * index + 2))
    fastp, salmon = steps.order_by("order")
    return fastp, salmon


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
    """Trim and check a sample's reads; fastp's JSON report."""
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
    """How many reads fastp kept; ``ToolFailed`` when none (salmon would only refuse)."""
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


def folder_name(sample_id: str) -> str:
    """A file name for a sample's salmon folder (MultiQC names the sample after it)."""
    return UNSAFE_IN_NAME.sub("_", sample_id).strip("._") or "sample"


def run_salmon(sample: dict[str, Any], folder: Path, index: Path, log: RunLog) -> Path:
    """Quantify a sample's trimmed reads; salmon's output folder (named after the sample)."""
    name = sample["sample_id"]
    args: list[str | Path] = ["salmon", "quant", "-i", index, "-l", "A", "-p", str(threads())]
    if sample.get("fastq_2"):
        args += ["-1", folder / "trimmed_1.fastq.gz", "-2", folder / "trimmed_2.fastq.gz"]
    else:
        args += ["-r", folder / "trimmed_1.fastq.gz"]
    output = folder / folder_name(name)
    args += ["-o", output]
    run_tool(args, f"on sample {name}", log.for_step(f"salmon {name}"), folder)
    return output


def read_quant(output: Path) -> tuple[dict[str, float], dict[str, float], float]:
    """Per-transcript TPM and estimated reads from ``quant.sf``, and the mapping rate."""
    tpm, reads = {}, {}
    with (output / "quant.sf").open() as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            tpm[row["Name"]], reads[row["Name"]] = float(row["TPM"]), float(row["NumReads"])
    meta = json.loads((output / "aux_info" / "meta_info.json").read_text())
    return tpm, reads, float(meta["percent_mapped"])


def sample_qc(
    sample: dict[str, Any], report: dict[str, Any], mapping_rate: float
) -> dict[str, Any]:
    """One row of the QC table: fragments in and kept (read pairs when paired), mapping rate."""
    mates = 2 if sample.get("fastq_2") else 1
    reads_in = int(report["summary"]["before_filtering"]["total_reads"]) // mates
    kept = int(report["summary"]["after_filtering"]["total_reads"]) // mates
    return {
        "sample_id": sample["sample_id"],
        "reads_in": reads_in,
        "reads_kept": kept,
        "percent_kept": round(100.0 * kept / reads_in, 2) if reads_in else 0.0,
        "mapping_rate": round(mapping_rate, 2),
    }


def quantify_sample(
    workflow: Workflow, number: int, index: Path, folder: Path, log: RunLog
) -> Quantified:
    """fastp then salmon on the run's sample ``number``, each its own step."""
    sample = workflow.run.parameters["samples"][number]
    fastp_step, salmon_step = sample_steps(workflow, number)
    with assay_import.step_of(fastp_step) as current:
        report = run_fastp(sample, folder, int(workflow.run.parameters["min_read_length"]), log)
        kept = check_reads_kept(report, sample["sample_id"])
        move_step(current, StepStatus.COMPLETED, f"{kept} reads kept.")
    with assay_import.step_of(salmon_step) as current:
        tpm, reads, rate = read_quant(run_salmon(sample, folder, index, log))
        move_step(current, StepStatus.COMPLETED, f"{rate:.1f}% of the fragments mapped.")
    return Quantified(tpm, reads, sample_qc(sample, report, rate))


def gene_table(
    samples: dict[str, Quantified], gene_of: dict[str, str], values: str, whole: bool
) -> list[list[Any]]:
    """Rows ``gene_id, <one value per sample>``: transcripts' values summed per gene."""
    totals: dict[str, list[float]] = {}
    for column, result in enumerate(samples.values()):
        for transcript, value in getattr(result, values).items():
            row = totals.setdefault(gene_of[transcript], [0.0] * len(samples))
            row[column] += value
    return [
        [gene, *(round(v) if whole else round(v, 4) for v in row)]
        for gene, row in sorted(totals.items())
    ]


def transcript_table(samples: dict[str, Quantified]) -> list[list[Any]]:
    """Rows ``transcript_id, <TPM per sample>``."""
    first = next(iter(samples.values()))
    return [
        [transcript, *(round(result.tpm[transcript], 4) for result in samples.values())]
        for transcript in sorted(first.tpm)
    ]


def csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    """A CSV file's bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def store_file(
    run: PipelineRun, candidate: RnaseqCandidate, data_type: str, filename: str, data: bytes
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


def summarise(
    workflow: Workflow,
    results: dict[str, Quantified],
    gene_of: dict[str, str],
    candidate: RnaseqCandidate,
    folder: Path,
) -> Path:
    """The counts table (for the import steps), TPM files and QC table; the counts' path."""
    run, samples = workflow.run, list(results)
    plx = run.experiment.pluto_id
    with assay_import.step_of(workflow.preprocesses.get(name="counts")) as current:
        # The assay table's id column is always named gene_symbol; it holds the GTF's gene ids.
        rows = gene_table(results, gene_of, "reads", True)
        counts = csv_bytes(["gene_symbol", *samples], rows)
        genes = gene_table(results, gene_of, "tpm", False)
        store_file(
            run,
            candidate,
            "tpm_gene",
            f"{plx}_tpm_gene.csv",
            csv_bytes(["gene_id", *samples], genes),
        )
        tx = csv_bytes(["transcript_id", *samples], transcript_table(results))
        store_file(run, candidate, "tpm_transcript", f"{plx}_tpm_transcript.csv", tx)
        candidate.qc = [result.qc for result in results.values()]
        qc_rows = [[row[f] for f in QC_FIELDS] for row in candidate.qc]
        store_file(run, candidate, "qc_table", f"{plx}_qc.csv", csv_bytes(list(QC_FIELDS), qc_rows))
        move_step(current, StepStatus.COMPLETED, f"{len(genes)} genes by {len(samples)} samples.")
    path = folder / COUNTS_FILENAME
    path.write_bytes(counts)
    return path


def qc_report(workflow: Workflow, candidate: RnaseqCandidate, samples: Path, log: RunLog) -> None:
    """MultiQC's HTML report over every sample's fastp report and salmon folder, stored
    with the run's files (published as a ``qc_report`` file on accept)."""
    run = workflow.run
    plx = run.experiment.pluto_id
    with assay_import.step(workflow, "qc_report") as current:
        report = build_report(samples, f"{plx}: {workflow.name}", log.for_step("multiqc"))
        data = report.read_bytes()
        store_file(run, candidate, "qc_report", f"{plx}_qc_report.html", data)
        move_step(
            current,
            StepStatus.COMPLETED,
            f"The report covers {len(run.parameters['samples'])} samples.",
        )


def process(workflow: Workflow, reference: Reference, folder: Path, log: RunLog) -> RnaseqCandidate:
    """Every step; on failure the objects written so far are removed."""
    candidate = RnaseqCandidate(Candidate())
    try:
        index, gene_of = fetch_index(reference, folder / "reference")
        results = {}
        # The samples' outputs apart from the reference, so MultiQC reads only them.
        samples = folder / "samples"
        for number, sample in enumerate(workflow.run.parameters["samples"]):
            work = samples / f"sample-{number}"
            work.mkdir(parents=True)
            results[sample["sample_id"]] = quantify_sample(workflow, number, index, work, log)
        qc_report(workflow, candidate, samples, log)
        counts = summarise(workflow, results, gene_of, candidate, folder)
        parsed = assay_import.validate(workflow, counts, COUNTS_FILENAME, folder)
        candidate.assay.parsed = parsed
        assay_import.normalise(workflow, candidate.assay, folder)
        assay_import.store(workflow, candidate.assay)
    except BaseException:
        candidate.discard()
        raise
    return candidate


def methods(reference: Reference, min_length: int) -> str:
    """The methods paragraph, with each tool's version."""
    return (
        f"Reads were trimmed and checked with {tool_version('fastp')} (reads shorter than "
        f"{min_length} bases after trimming dropped). Transcripts were quantified with "
        f"{tool_version('salmon')} (selective alignment, library type detected automatically) "
        f"against the {reference.organism.display_name} reference {reference.name} "
        f"({reference.transcripts} transcripts of {reference.genes} genes, indexed with "
        f"{reference.indexer}). Gene-level counts are the sums of the estimated reads of each "
        "gene's transcripts, rounded to whole numbers; gene TPM is the sum of its transcripts' "
        "TPM."
    )
