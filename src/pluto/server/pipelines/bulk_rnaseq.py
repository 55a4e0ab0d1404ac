"""The ``bulk_rnaseq`` pipeline's steps: fastp then salmon for each sample, MultiQC's report
over their outputs, then gene-level counts and TPM, then the counts go through the assay
import's validate, normalise and store.

Each tool runs as a child process (:mod:`.tools`) whose output goes to the run's log. What
the run makes (the counts as a candidate assay version, TPM by gene and by transcript, the
QC table, the QC report) is stored but published only when the workflow is accepted.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pluto.server.pipelines import assay_import
from pluto.server.pipelines.assay_import import Candidate
from pluto.server.pipelines.fastq_steps import (
    RunCandidate,
    csv_bytes,
    folder_name,
    fragments,
    import_counts,
    qc_report,
    sample_steps,
    store_file,
    store_qc_table,
    trim_step,
)
from pluto.server.pipelines.models import Reference, StepStatus, Workflow
from pluto.server.pipelines.references import fetch_index
from pluto.server.pipelines.registry import BULK_RNASEQ
from pluto.server.pipelines.runlog import RunLog
from pluto.server.pipelines.states import move_step
from pluto.server.pipelines.tools import run_tool, threads, tool_version

COUNTS_FILENAME = "counts.csv"
QC_FIELDS = ("sample_id", "reads_in", "reads_kept", "percent_kept", "mapping_rate")
TOOLS = ("fastp", "salmon")


@dataclass
class Quantified:
    """One sample's salmon results: per transcript TPM and estimated reads, and its QC."""

    tpm: dict[str, float]
    reads: dict[str, float]
    qc: dict[str, Any]


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
    reads_in, kept = fragments(sample, report)
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
    fastp_step, salmon_step = sample_steps(workflow, number, len(BULK_RNASEQ.per_sample_steps))
    min_length = int(workflow.run.parameters["min_read_length"])
    report = trim_step(fastp_step, sample, folder, min_length, log)
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


def summarise(
    workflow: Workflow,
    results: dict[str, Quantified],
    gene_of: dict[str, str],
    candidate: RunCandidate,
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
        store_qc_table(run, candidate, QC_FIELDS, [result.qc for result in results.values()])
        move_step(current, StepStatus.COMPLETED, f"{len(genes)} genes by {len(samples)} samples.")
    path = folder / COUNTS_FILENAME
    path.write_bytes(counts)
    return path


def process(workflow: Workflow, reference: Reference, folder: Path, log: RunLog) -> RunCandidate:
    """Every step; on failure the objects written so far are removed."""
    candidate = RunCandidate(Candidate())
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
        import_counts(
            workflow, candidate, summarise(workflow, results, gene_of, candidate, folder), folder
        )
    except BaseException:
        candidate.discard()
        raise
    return candidate


def methods(reference: Reference, parameters: dict[str, Any]) -> str:
    """The methods paragraph, with each tool's version."""
    min_length = int(parameters["min_read_length"])
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
