"""The bulk RNA-seq pipeline against its own tools run by hand, on the same simulated reads.

The pipeline's wall time runs from the ``POST pipeline-runs/`` to the run's end as the API
reports it (fetching the FASTQ and the salmon index from the store, fastp and salmon for each
sample, summing transcripts to genes, storing the tables). By hand is fastp then salmon for
each sample with the same arguments on the same files, against an index built beforehand,
then MultiQC over their outputs, as a scientist would run them in a shell. Reads per second
per core divide the read pairs by the pipeline's wall time and the threads each tool is given.
"""

from __future__ import annotations

import io
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import requests

from bench.analysis_kinds import DEMO_PROJECT
from bench.harness import Context, Row, Target, benchmark
from bench.rows import info_row, slower_row
from bench.server import RunningServer, pluto, server_environment
from bench.tables import checked
from pluto.server.pipelines.qc_report import multiqc_binary
from pluto.server.pipelines.simulator import SimulatedExperiment, simulate_experiment

SAMPLES = ("S1", "S2", "S3")
FRAGMENTS = {True: 10_000, False: 300_000}
MIN_LENGTH = 30  # the pipeline's default min_read_length
THREADS = 2  # the server's default PLUTO_PIPELINE_THREADS
FINISHED = ("completed", "failed", "canceled")
RUN_TIMEOUT = 1800.0


def experiment_with_samples(server: RunningServer, kind: str = "rnaseq") -> str:
    """An experiment of type ``kind`` in the demo project whose sample table names S1, S2
    and S3."""
    session = server.session()
    body = {"project": DEMO_PROJECT, "name": f"Pipeline benchmark ({kind})", "type": kind}
    body |= {"organism": "human", "assay_data_units": "raw_counts"}
    plx: str = checked(session.post(server.api("lab/experiments/"), json=body)).json()["pluto_id"]
    rows = (f"{sample},{group}\n" for sample, group in zip(SAMPLES, "aab", strict=True))
    table = "sample_id,condition\n" + "".join(rows)
    url = server.api(f"lab/experiments/{plx}/sample-data/")
    checked(session.put(url, data=io.BytesIO(table.encode()), headers={"Content-Type": "text/csv"}))
    return plx


def add_reference(server: RunningServer, simulated: SimulatedExperiment) -> None:
    """The simulated transcriptome as the reference ``bench-tiny`` (salmon-indexed)."""
    args = ["reference", "add", "--name", "bench-tiny", "--organism", "human"]
    args += ["--transcripts", str(simulated.transcripts_fasta), "--gtf", str(simulated.gtf)]
    pluto(args, server_environment(server.data_dir))


def upload_fastq(server: RunningServer, plx: str, path: Path) -> str:
    """Upload one FASTQ file with the SDK; its uuid."""
    from pluto.client.client import Client

    client = Client(server.url, token=server.token)
    uuid: str = client.upload_file(plx, path, data_type="fastq").uuid
    return uuid


def run_body(server: RunningServer, plx: str, simulated: SimulatedExperiment) -> dict[str, Any]:
    """A ``bulk_rnaseq`` body over every sample's uploaded reads."""
    samples = [
        {
            "sample_id": sample,
            "fastq_1": upload_fastq(server, plx, truth.fastq_1),
            "fastq_2": upload_fastq(server, plx, truth.fastq_2),
        }
        for sample, truth in simulated.samples.items()
    ]
    return {"pipeline": "bulk_rnaseq", "reference": "bench-tiny", "samples": samples}


def wait_for_run(session: requests.Session, url: str, run: dict[str, Any]) -> dict[str, Any]:
    """Poll the run until it ends; the run as it ended."""
    deadline = time.monotonic() + RUN_TIMEOUT
    while run["status"] not in FINISHED:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the run did not end within {RUN_TIMEOUT:.0f} s: {run}")
        time.sleep(0.1)
        run = checked(session.get(f"{url}{run['uuid']}/")).json()
    return run


def pipeline_seconds(server: RunningServer, plx: str, body: dict[str, Any]) -> float:
    """The wall time of one run, from its POST to its end."""
    session = server.session()
    url = server.api(f"lab/experiments/{plx}/pipeline-runs/")
    started = time.monotonic()
    run = wait_for_run(session, url, checked(session.post(url, json=body)).json())
    seconds = time.monotonic() - started
    if run["status"] != "completed":
        raise RuntimeError(f"the benchmark run ended {run['status']}: {run['error']}")
    return seconds


def tool(args: list[str | Path], cwd: Path) -> None:
    """Run a tool to completion, as from a shell; its output is discarded."""
    subprocess.run(args, cwd=cwd, capture_output=True, check=True)


def by_hand_seconds(simulated: SimulatedExperiment, folder: Path) -> float:
    """fastp then salmon for each sample, with the pipeline's arguments, then MultiQC over
    their outputs, timed together."""
    folder.mkdir(parents=True)
    index = folder / "index"
    tool(["salmon", "index", "-t", simulated.transcripts_fasta, "-i", index], folder)
    started = time.monotonic()
    for sample, truth in simulated.samples.items():
        work = folder / sample
        work.mkdir()
        trimmed = (work / "trimmed_1.fastq.gz", work / "trimmed_2.fastq.gz")
        fastp: list[str | Path] = ["fastp", "-w", str(THREADS), "-l", str(MIN_LENGTH)]
        fastp += ["-i", truth.fastq_1, "-o", trimmed[0], "-I", truth.fastq_2, "-O", trimmed[1]]
        tool([*fastp, "-j", work / "fastp.json", "-h", work / "fastp.html"], work)
        salmon: list[str | Path] = ["salmon", "quant", "-i", index, "-l", "A", "-p", str(THREADS)]
        tool([*salmon, "-1", trimmed[0], "-2", trimmed[1], "-o", work / "salmon"], work)
    report: list[str | Path] = [multiqc_binary(), "--no-version-check", "--no-ai", "--force"]
    tool([*report, "--outdir", folder / "multiqc", folder], folder)
    return time.monotonic() - started


def run_and_by_hand(
    server: RunningServer,
    plx: str,
    body: dict[str, Any],
    by_hand: Callable[[Path], float],
    folder: Path,
) -> tuple[float, float]:
    """The run's wall time, and the better of the tools by hand before and after it, so that
    neither side pays a cold cache."""
    first = by_hand(folder / "before")
    run = pipeline_seconds(server, plx, body)
    return run, min(first, by_hand(folder / "after"))


def speed_rows(figure: str, times: tuple[float, float], hand: str, fragments: int) -> list[Row]:
    """The run against the tools by hand, and read pairs per second per core of each."""
    run_seconds, hand_seconds = times
    pairs = fragments * len(SAMPLES)
    return [
        slower_row(figure, run_seconds, hand, hand_seconds, Target(1.2, "x")),
        info_row(
            f"read pairs per second per core, {figure.split()[0]} pipeline",
            f"{pairs / run_seconds / THREADS:,.0f}",
            f"by hand: {pairs / hand_seconds / THREADS:,.0f}",
        ),
    ]


@benchmark("pipeline_speed", "Bulk RNA-seq pipeline against fastp, salmon and MultiQC by hand")
def pipeline_speed(context: Context) -> list[Row]:
    """The run's wall time against the tools by hand, and reads per second per core."""
    fragments = FRAGMENTS[context.quick]
    simulated = simulate_experiment(context.workdir / "reads", SAMPLES, fragments)
    add_reference(context.server, simulated)
    plx = experiment_with_samples(context.server)
    body = run_body(context.server, plx, simulated)
    by_hand = partial(by_hand_seconds, simulated)
    run, hand = run_and_by_hand(context.server, plx, body, by_hand, context.workdir / "by-hand")
    figure = f"bulk_rnaseq run, {len(SAMPLES)} samples x {fragments:,} read pairs"
    return speed_rows(figure, (run, hand), "fastp + salmon + MultiQC by hand", fragments)
