"""The peak pipelines' steps (``chipseq``, ``atacseq``, ``cutandrun``): for each sample fastp,
bowtie2 with duplicate marking by samtools, MACS2's peaks and deepTools' coverage track;
then a consensus peak set merged by bedtools from the samples' peaks, each sample's reads
counted in it, MultiQC's report, and the peak counts through the assay import's validate,
normalise and store.

Each tool runs as a child process (:mod:`.tools`) whose output goes to the run's log. What
the run makes (the peak counts as a candidate assay version, BAM files, bigWig tracks, the
consensus BED, the QC table, the QC report) is stored but published only on accept.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pluto.server.errors import InvalidInput
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
from pluto.server.pipelines.models import (
    PipelineRun,
    Reference,
    StepStatus,
    Workflow,
    WorkflowPreprocess,
)
from pluto.server.pipelines.references import fetch_genome_index
from pluto.server.pipelines.registry import CHIPSEQ
from pluto.server.pipelines.runlog import RunLog
from pluto.server.pipelines.states import move_step
from pluto.server.pipelines.tools import run_pipe, run_tool, threads, tool_version

COUNTS_FILENAME = "peak_counts.csv"
TOOLS = ("fastp", "bowtie2", "samtools", "macs2", "bamCoverage", "bedtools")
QC_FIELDS = (
    "sample_id",
    "reads_in",
    "reads_kept",
    "percent_kept",
    "mapping_rate",
    "duplication",
    "peaks",
    "frip",
)
PER_SAMPLE = len(CHIPSEQ.per_sample_steps)  # fastp, bowtie2, macs2, bigwig
FLAGSTAT = re.compile(r"^(\d+) \+ \d+ (primary(?: mapped| duplicates)?)\b")


@dataclass
class Aligned:
    """One sample's alignment: its BAM (duplicates marked, indexed) and its QC so far."""

    sample_id: str
    folder: Path
    bam: Path
    qc: dict[str, Any]
    usable_reads: int  # mapped, not duplicates: what FRiP divides by
    peaks: Path | None = None


def paired(sample: dict[str, Any]) -> bool:
    """Whether the sample's reads are paired-end."""
    return bool(sample.get("fastq_2"))


def bowtie2_args(sample: dict[str, Any], index: Path) -> list[str | Path]:
    """bowtie2 on a sample's trimmed reads, in the reads' order (as fixmate needs)."""
    args: list[str | Path] = ["bowtie2", "-p", str(threads()), "-x", index, "--reorder"]
    if paired(sample):
        return [*args, "-1", "trimmed_1.fastq.gz", "-2", "trimmed_2.fastq.gz"]
    return [*args, "-U", "trimmed_1.fastq.gz"]


def kept_lines(log: RunLog, label: str, lines: list[str]) -> Callable[[str], None]:
    """A step's log that also keeps its lines in ``lines`` (MultiQC reads tool logs)."""
    to_run_log = log.for_step(label)

    def line(text: str) -> None:
        lines.append(text)
        to_run_log(text)

    return line


def align(sample: dict[str, Any], folder: Path, index: Path, log: RunLog) -> Path:
    """bowtie2 | samtools fixmate | samtools sort, then samtools markdup and index; the
    marked BAM."""
    name, where = sample["sample_id"], f"on sample {sample['sample_id']}"
    stem = folder_name(name)
    sort: list[str | Path] = ["samtools", "sort", "-@", str(threads()), "-o", "sorted.bam", "-"]
    said: list[str] = []
    fixmate: list[str | Path] = ["samtools", "fixmate", "-m", "-u", "-", "-"]
    commands: list[list[str | Path]] = [bowtie2_args(sample, index), fixmate, sort]
    run_pipe(commands, where, kept_lines(log, f"bowtie2 {name}", said), folder)
    (folder / f"{stem}.bowtie2.log").write_text("".join(f"{line}\n" for line in said))
    bam = folder / f"{stem}.bam"
    markdup = ["samtools", "markdup", "-@", str(threads()), "-f", f"{stem}.markdup.txt"]
    step_log = log.for_step(f"samtools {name}")
    run_tool([*markdup, "sorted.bam", bam], where, step_log, folder)
    (folder / "sorted.bam").unlink()
    run_tool(["samtools", "index", bam], where, step_log, folder)
    flagstat = folder / f"{stem}.flagstat"
    run_tool(["samtools", "flagstat", bam], where, step_log, folder, output=flagstat)
    return bam


def read_flagstat(path: Path) -> dict[str, int]:
    """``primary``, ``primary mapped`` and ``primary duplicates`` from samtools flagstat."""
    found = {}
    for line in path.read_text().splitlines():
        match = FLAGSTAT.match(line)
        if match:
            found[match.group(2)] = int(match.group(1))
    return found


def alignment_qc(
    sample: dict[str, Any], report: dict[str, Any], flagstat: Path
) -> tuple[dict[str, Any], int]:
    """The QC table's row so far (fragments in and kept, mapping rate, duplication), and
    the aligned reads that are not duplicates."""
    reads_in, kept = fragments(sample, report)
    counts = read_flagstat(flagstat)
    primary, mapped = counts.get("primary", 0), counts.get("primary mapped", 0)
    duplicates = counts.get("primary duplicates", 0)
    row = {
        "sample_id": sample["sample_id"],
        "reads_in": reads_in,
        "reads_kept": kept,
        "percent_kept": round(100.0 * kept / reads_in, 2) if reads_in else 0.0,
        "mapping_rate": round(100.0 * mapped / primary, 2) if primary else 0.0,
        "duplication": round(100.0 * duplicates / mapped, 2) if mapped else 0.0,
    }
    return row, mapped - duplicates


def align_step(
    current: WorkflowPreprocess,
    sample: dict[str, Any],
    report: dict[str, Any],
    paths: tuple[Path, Path],
    log: RunLog,
) -> Aligned:
    """The bowtie2 step of one sample (``paths``: the genome index, the sample's folder)."""
    index, folder = paths
    with assay_import.step_of(current):
        bam = align(sample, folder, index, log)
        qc, usable = alignment_qc(sample, report, folder / f"{bam.stem}.flagstat")
        if usable == 0:
            raise InvalidInput(
                f"None of sample {sample['sample_id']}'s reads aligned to the reference "
                "(are they reads of this organism, and is it the right reference?).",
                details={"tool": "bowtie2", "sample_id": sample["sample_id"]},
            )
        message = f"{qc['mapping_rate']}% of the reads aligned; {qc['duplication']}% duplicates."
        move_step(current, StepStatus.COMPLETED, message)
    return Aligned(sample["sample_id"], folder, bam, qc, usable)


def macs2_args(
    pipeline: str, sample: dict[str, Any], params: dict[str, Any], genome_size: int
) -> list[str | Path]:
    """MACS2's callpeak for a sample: fragments from the pairs (BAMPE), else single reads
    extended to ``fragment_length`` (and for ATAC-seq centred on the cut site)."""
    name = folder_name(sample["sample_id"])
    args: list[str | Path] = ["macs2", "callpeak", "-t", f"{name}.bam", "-n", name]
    args += ["-g", str(genome_size), "-q", str(params["qvalue"]), "--outdir", "macs2"]
    if paired(sample):
        return [*args, "-f", "BAMPE"]
    length = int(params["fragment_length"])
    args += ["-f", "BAM", "--nomodel", "--extsize", str(length)]
    return [*args, "--shift", str(-length // 2)] if pipeline == "atacseq" else args


def call_peaks(
    current: WorkflowPreprocess,
    aligned: Aligned,
    sample: dict[str, Any],
    run: PipelineRun,
    size: int,
    log: RunLog,
) -> None:
    """The MACS2 step of one sample (``size``: the genome's): its narrowPeak file."""
    name = aligned.sample_id
    with assay_import.step_of(current):
        args = macs2_args(run.pipeline, sample, run.parameters, size)
        run_tool(args, f"on sample {name}", log.for_step(f"macs2 {name}"), aligned.folder)
        aligned.peaks = aligned.folder / "macs2" / f"{folder_name(name)}_peaks.narrowPeak"
        aligned.qc["peaks"] = len(read_bed(aligned.peaks))
        move_step(current, StepStatus.COMPLETED, f"{aligned.qc['peaks']} peaks.")


def bamcoverage_args(
    aligned: Aligned, sample: dict[str, Any], params: dict[str, Any]
) -> list[str | Path]:
    """deepTools' bamCoverage: counts per million in 10 bp bins, duplicates left out, reads
    extended to their fragments."""
    track = f"{folder_name(aligned.sample_id)}.bw"
    args: list[str | Path] = ["bamCoverage", "-b", aligned.bam, "-o", track, "-p", str(threads())]
    args += ["--binSize", "10", "--normalizeUsing", "CPM", "--ignoreDuplicates", "--extendReads"]
    return args if paired(sample) else [*args, str(params["fragment_length"])]


def coverage_track(
    current: WorkflowPreprocess,
    aligned: Aligned,
    sample: dict[str, Any],
    params: dict[str, Any],
    log: RunLog,
) -> Path:
    """The bigWig step of one sample; the track."""
    name = aligned.sample_id
    with assay_import.step_of(current):
        args = bamcoverage_args(aligned, sample, params)
        run_tool(args, f"on sample {name}", log.for_step(f"bamCoverage {name}"), aligned.folder)
        track = aligned.folder / str(args[4])
        move_step(current, StepStatus.COMPLETED, f"Coverage of {name} in 10 bp bins.")
    return track


def store_sample_files(
    workflow: Workflow, candidate: RunCandidate, aligned: Aligned, track: Path
) -> None:
    """A sample's BAM file and bigWig track, stored with the run's files."""
    run = workflow.run
    stem = f"{run.experiment.pluto_id}_{folder_name(aligned.sample_id)}"
    store_file(run, candidate, "bam", f"{stem}.bam", aligned.bam)
    store_file(run, candidate, "bigwig", f"{stem}.bw", track)


def process_sample(
    workflow: Workflow, number: int, reference: Reference, paths: tuple[Path, Path], log: RunLog
) -> tuple[Aligned, Path]:
    """fastp, bowtie2, MACS2 and bamCoverage on the run's sample ``number``, each its own
    step (``paths``: the genome index and the sample's folder); its alignment and track."""
    run = workflow.run
    sample = run.parameters["samples"][number]
    trim, bowtie, macs, coverage = sample_steps(workflow, number, PER_SAMPLE)
    report = trim_step(trim, sample, paths[1], int(run.parameters["min_read_length"]), log)
    aligned = align_step(bowtie, sample, report, paths, log)
    call_peaks(macs, aligned, sample, run, reference.genome_size, log)
    return aligned, coverage_track(coverage, aligned, sample, run.parameters, log)


def read_bed(path: Path) -> list[list[str]]:
    """The rows of a BED-like file (tab-separated)."""
    with path.open() as handle:
        return [row for row in csv.reader(handle, delimiter="\t") if row and row[0][0] != "#"]


def write_bed(path: Path, rows: list[list[Any]]) -> Path:
    """A tab-separated file of ``rows``."""
    path.write_text("".join("\t".join(str(v) for v in row) + "\n" for row in rows))
    return path


def pooled_peaks(samples: list[Aligned], folder: Path) -> Path:
    """Every sample's peaks as ``chrom, start, end, sample`` rows, sorted for bedtools."""
    rows = [
        [row[0], int(row[1]), int(row[2]), aligned.sample_id]
        for aligned in samples
        if aligned.peaks is not None
        for row in read_bed(aligned.peaks)
    ]
    return write_bed(folder / "pooled_peaks.bed", sorted(rows, key=lambda r: (r[0], r[1], r[2])))


def consensus(workflow: Workflow, samples: list[Aligned], folder: Path, log: RunLog) -> Path:
    """The consensus step: the samples' peaks merged where they overlap, kept when called in
    at least ``min_samples`` samples; rows ``chrom, start, end, peak_id, samples``."""
    least = int(workflow.run.parameters["min_samples"])
    with assay_import.step(workflow, "consensus") as current:
        merged = folder / "merged.bed"
        pooled = pooled_peaks(samples, folder)
        args: list[str | Path] = ["bedtools", "merge", "-i", pooled, "-c", "4"]
        run_tool(
            [*args, "-o", "count_distinct"],
            "merging the peaks",
            log.for_step("bedtools merge"),
            folder,
            output=merged,
        )
        rows = [
            [chrom, start, end, f"{chrom}:{start}-{end}", called]
            for chrom, start, end, called in read_bed(merged)
            if int(called) >= least
        ]
        if not rows:
            raise InvalidInput(
                f"No peak was called in at least {least} of the {len(samples)} samples, so "
                "there is no consensus peak to count in (lower min_samples or qvalue?).",
                details={"field": "parameters.min_samples"},
            )
        move_step(current, StepStatus.COMPLETED, f"{len(rows)} consensus peaks.")
    return write_bed(folder / "consensus_peaks.bed", rows)


def count_in_peaks(
    workflow: Workflow, samples: list[Aligned], bed: Path, folder: Path, log: RunLog
) -> list[list[str]]:
    """Each sample's reads (duplicates left out) in each consensus peak: rows ``peak_id,
    <count per sample>``."""
    counted = folder / "multicov.bed"
    args: list[str | Path] = ["bedtools", "multicov", "-bams", *(s.bam for s in samples)]
    step_log = log.for_step("bedtools multicov")
    run_tool([*args, "-bed", bed], "counting the reads in peaks", step_log, folder, counted)
    return [[row[3], *row[5:]] for row in read_bed(counted)]


def add_frip(samples: list[Aligned], rows: list[list[str]]) -> None:
    """Each sample's fraction of usable reads in consensus peaks, and its peak count."""
    for column, aligned in enumerate(samples, start=1):
        inside = sum(int(row[column]) for row in rows)
        usable = aligned.usable_reads
        aligned.qc["frip"] = round(inside / usable, 4) if usable else 0.0


def summarise(
    workflow: Workflow, samples: list[Aligned], candidate: RunCandidate, folder: Path, log: RunLog
) -> Path:
    """The consensus BED and QC table stored, and the peak counts table written for the
    import steps; its path."""
    run = workflow.run
    bed = consensus(workflow, samples, folder, log)
    store_file(
        run, candidate, "consensus_bed", f"{run.experiment.pluto_id}_consensus_peaks.bed", bed
    )
    with assay_import.step(workflow, "counts") as current:
        rows = count_in_peaks(workflow, samples, bed, folder, log)
        add_frip(samples, rows)
        store_qc_table(run, candidate, QC_FIELDS, [s.qc for s in samples])
        move_step(current, StepStatus.COMPLETED, f"{len(rows)} peaks by {len(samples)} samples.")
    path = folder / COUNTS_FILENAME
    header = ["peak_id", *(s.sample_id for s in samples)]
    path.write_bytes(csv_bytes(header, [list(row) for row in rows]))
    return path


def process(workflow: Workflow, reference: Reference, folder: Path, log: RunLog) -> RunCandidate:
    """Every step; on failure the objects written so far are removed."""
    candidate = RunCandidate(Candidate())
    try:
        index = fetch_genome_index(reference, folder / "reference")
        # The samples' outputs apart from the reference, so MultiQC reads only them.
        outputs, samples = folder / "samples", []
        for number in range(len(workflow.run.parameters["samples"])):
            work = outputs / f"sample-{number}"
            work.mkdir(parents=True)
            aligned, track = process_sample(workflow, number, reference, (index, work), log)
            store_sample_files(workflow, candidate, aligned, track)
            samples.append(aligned)
        counts = summarise(workflow, samples, candidate, folder, log)
        qc_report(workflow, candidate, outputs, log)
        import_counts(workflow, candidate, counts, folder)
    except BaseException:
        candidate.discard()
        raise
    return candidate


def methods(reference: Reference, parameters: dict[str, Any]) -> str:
    """The methods paragraph, with each tool's version."""
    version = {tool: tool_version(tool) for tool in TOOLS}
    return (
        f"Reads were trimmed and checked with {version['fastp']} (reads shorter than "
        f"{parameters['min_read_length']} bases after trimming dropped) and aligned with "
        f"{version['bowtie2']} to the {reference.organism.display_name} genome reference "
        f"{reference.name} ({reference.sequences} sequences, {reference.genome_size} bases). "
        f"Duplicates were marked with {version['samtools']} (fixmate, sort, markdup). Peaks "
        f"were called per sample with {version['macs2']} (q-value {parameters['qvalue']}; "
        "fragments from read pairs, or single reads extended to "
        f"{parameters['fragment_length']} bases) and merged into consensus peaks with "
        f"{version['bedtools']} (kept when called in at least {parameters['min_samples']} "
        "samples); each sample's reads in them were counted with bedtools multicov, "
        "duplicates left out. Coverage tracks are counts per million in 10 bp bins from "
        f"deepTools {version['bamCoverage']}, duplicates left out."
    )
