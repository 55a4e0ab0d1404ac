"""The ChIP-seq pipeline against its own tools run by hand, on the same simulated reads.

The pipeline's wall time runs from the ``POST pipeline-runs/`` to the run's end as the API
reports it (fetching the FASTQ and the bowtie2 index from the store; for each sample fastp,
bowtie2 into samtools fixmate and sort, markdup, index and flagstat, MACS2 and
bamCoverage; the consensus, the counts, MultiQC; storing every file). By hand is the same
tools with the same arguments on the same files, against an index built beforehand, as a
scientist would run them in a shell. Reads per second per core divide the read pairs by the
wall time and the threads each tool is given.
"""

from __future__ import annotations

import subprocess
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.harness import Context, Row, benchmark
from bench.pipeline_speed import (
    MIN_LENGTH,
    SAMPLES,
    THREADS,
    experiment_with_samples,
    run_and_by_hand,
    speed_rows,
    tool,
    upload_fastq,
)
from bench.server import RunningServer, pluto, server_environment
from pluto.server.pipelines.peak_simulator import SimulatedPeaks, simulate_peaks_experiment
from pluto.server.pipelines.qc_report import multiqc_binary

FRAGMENTS = {True: 10_000, False: 300_000}
QVALUE = 0.05  # the pipeline's default


def add_genome(server: RunningServer, simulated: SimulatedPeaks) -> None:
    """The simulated genome as the reference ``bench-genome`` (bowtie2-indexed)."""
    args = ["reference", "add", "--name", "bench-genome", "--organism", "human"]
    pluto([*args, "--genome", str(simulated.genome_fasta)], server_environment(server.data_dir))


def run_body(server: RunningServer, plx: str, simulated: SimulatedPeaks) -> dict[str, Any]:
    """A ``chipseq`` body over every sample's uploaded reads."""
    samples = []
    for sample, truth in simulated.samples.items():
        assert truth.fastq_2 is not None
        first, second = (upload_fastq(server, plx, path) for path in (truth.fastq_1, truth.fastq_2))
        samples.append({"sample_id": sample, "fastq_1": first, "fastq_2": second})
    return {"pipeline": "chipseq", "reference": "bench-genome", "samples": samples}


def align_by_hand(fastq: tuple[Path, Path], index: Path, work: Path) -> None:
    """fastp, then bowtie2 piped into samtools fixmate and sort, as a shell pipeline."""
    trimmed = ("trimmed_1.fastq.gz", "trimmed_2.fastq.gz")
    fastp: list[str | Path] = ["fastp", "-w", str(THREADS), "-l", str(MIN_LENGTH)]
    fastp += ["-i", fastq[0], "-o", trimmed[0], "-I", fastq[1], "-O", trimmed[1]]
    tool([*fastp, "-j", "fastp.json", "-h", "fastp.html"], work)
    pipe = (
        f"bowtie2 -p {THREADS} -x {index} --reorder -1 {trimmed[0]} -2 {trimmed[1]} "
        f"2> bowtie2.log | samtools fixmate -m -u - - | samtools sort -@ {THREADS} "
        "-o sorted.bam - 2> sort.log"
    )
    subprocess.run(["bash", "-o", "pipefail", "-c", pipe], cwd=work, check=True)


def peaks_by_hand(genome_size: int, work: Path) -> None:
    """Duplicates marked, peaks called and the coverage track made for one sample."""
    tool(
        ["samtools", "markdup", "-@", str(THREADS), "-f", "markdup.txt", "sorted.bam", "s.bam"],
        work,
    )
    tool(["samtools", "index", "s.bam"], work)
    with (work / "s.flagstat").open("wb") as out:
        subprocess.run(["samtools", "flagstat", "s.bam"], cwd=work, stdout=out, check=True)
    macs: list[str | Path] = ["macs2", "callpeak", "-t", "s.bam", "-n", "s", "-f", "BAMPE"]
    tool([*macs, "-g", str(genome_size), "-q", str(QVALUE), "--outdir", "macs2"], work)
    coverage: list[str | Path] = ["bamCoverage", "-b", "s.bam", "-o", "s.bw", "-p", str(THREADS)]
    coverage += ["--binSize", "10", "--normalizeUsing", "CPM", "--ignoreDuplicates"]
    tool([*coverage, "--extendReads"], work)


def consensus_by_hand(folder: Path) -> None:
    """The samples' peaks merged, every sample's reads counted in them, then MultiQC."""
    pooled = " ".join(str(folder / sample / "macs2" / "s_peaks.narrowPeak") for sample in SAMPLES)
    merge = f"cat {pooled} | sort -k1,1 -k2,2n | bedtools merge -i - > consensus.bed"
    subprocess.run(["bash", "-o", "pipefail", "-c", merge], cwd=folder, check=True)
    bams = [folder / sample / "s.bam" for sample in SAMPLES]
    with (folder / "counts.bed").open("wb") as out:
        args: list[str | Path] = ["bedtools", "multicov", "-bams", *bams, "-bed", "consensus.bed"]
        subprocess.run(args, cwd=folder, stdout=out, check=True)
    report: list[str | Path] = [multiqc_binary(), "--no-version-check", "--no-ai", "--force"]
    tool([*report, "--outdir", folder / "multiqc", folder], folder)


def by_hand_seconds(simulated: SimulatedPeaks, folder: Path) -> float:
    """Every tool of the pipeline with its arguments, timed together."""
    folder.mkdir(parents=True)
    tool(["bowtie2-build", "-q", simulated.genome_fasta, folder / "genome"], folder)
    started = time.monotonic()
    for sample, truth in simulated.samples.items():
        work = folder / sample
        work.mkdir()
        assert truth.fastq_2 is not None
        align_by_hand((truth.fastq_1, truth.fastq_2), folder / "genome", work)
        peaks_by_hand(simulated.genome_size, work)
    consensus_by_hand(folder)
    return time.monotonic() - started


@benchmark("peaks_speed", "ChIP-seq pipeline against bowtie2, samtools, MACS2... by hand")
def peaks_speed(context: Context) -> list[Row]:
    """The run's wall time against the tools by hand, and reads per second per core."""
    fragments = FRAGMENTS[context.quick]
    simulated = simulate_peaks_experiment(context.workdir / "peaks", SAMPLES, fragments)
    add_genome(context.server, simulated)
    plx = experiment_with_samples(context.server, "chipseq")
    body = run_body(context.server, plx, simulated)
    by_hand = partial(by_hand_seconds, simulated)
    run, hand = run_and_by_hand(context.server, plx, body, by_hand, context.workdir / "peaks-hand")
    figure = f"chipseq run, {len(SAMPLES)} samples x {fragments:,} read pairs"
    return speed_rows(figure, (run, hand), "the same tools by hand", fragments)
