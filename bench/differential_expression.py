"""Issue 4, benchmark 1: differential expression on the demo data against R DESeq2.

Pluto's analysis runs in-process (``compute.differential_expression.run``: the feature
filter, the PyDESeq2 fit, the results table and the methods text) on the demo experiment,
treated vs control. R DESeq2 runs ``scripts/deseq2_reference.R`` as
``scripts/validate_deseq2.py`` runs it: on the counts left by Pluto's feature filter, so
both fit the same genes. R is timed as a whole ``Rscript`` process (start-up, loading
DESeq2, reading the CSV files, fitting, writing) and by the time ``DESeq()`` and
``results()`` took, which the script prints. The same analysis is also timed through the
job path: POSTed to the running server, run by its worker, polled until complete.
"""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd

from bench.harness import Context, Row, Target, benchmark
from bench.jobs import DE_PARAMETERS, differential_expression, job_phases, run_job
from bench.rows import info_row, ms, slower_row
from bench.timing import interleaved_medians, seconds_of
from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.parameters import validated

REFERENCE_SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "deseq2_reference.R"
FIT_SECONDS = re.compile(r"fit_seconds=([0-9.]+)")
UNITS = "raw_counts"
QUICK_GENES = 2_000
ROUNDS = 3
NO_SLOWER = Target(1, "x")
HALF = Target(0.5, "x")
R_FIT = "R DESeq() + results(), same genes"
R_WHOLE = "Rscript, whole process"
JOB = "Pluto job: POST, worker, poll until complete"
JOB_NAME = "Benchmark"


@dataclass(frozen=True)
class DemoInput:
    """The demo experiment's sample table and counts, and the comparison to run."""

    samples: pd.DataFrame
    counts: pd.DataFrame
    params: de.DifferentialExpressionParameters

    def label(self) -> str:
        """``16,954 genes kept of 32,544 x 12 samples``."""
        kept = len(de.prepare(self.params, self.samples, self.counts, UNITS).counts)
        return f"{kept:,} genes kept of {len(self.counts):,} x {len(self.samples)} samples"


def demo_input(genes: int | None = None) -> DemoInput:
    """The demo tables as data frames (only the first ``genes`` genes, when given)."""
    from pluto.server.lab.demo_data import generate_demo_tables

    tables = generate_demo_tables()
    samples = tables.samples.to_pandas().set_index("sample_id")
    counts = tables.counts.to_pandas().set_index("gene_symbol")
    return DemoInput(
        samples, counts.iloc[:genes], validated(de.DifferentialExpressionParameters, DE_PARAMETERS)
    )


def in_process(data: DemoInput) -> int:
    """Run Pluto's analysis in this process; the number of results rows."""
    return len(de.run(data.params, data.samples, data.counts, UNITS).table)


@dataclass
class RReference:
    """R DESeq2 on files written once; each run records its fit time and results rows."""

    command: list[str]
    results: Path
    fit_seconds: list[float] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)

    def run(self) -> None:
        """Run the reference script as a whole ``Rscript`` process."""
        finished = subprocess.run(self.command, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise RuntimeError(f"R DESeq2 failed:\n{finished.stderr[-2000:]}")
        reported = FIT_SECONDS.search(finished.stdout)
        if reported:
            self.fit_seconds.append(float(reported.group(1)))
        with self.results.open() as lines:
            self.rows.append(sum(1 for _ in lines) - 1)


def r_reference(data: DemoInput, folder: Path) -> RReference:
    """The reference script's inputs, written as ``scripts/validate_deseq2.py`` writes them."""
    prepared = de.prepare(data.params, data.samples, data.counts, UNITS)
    counts, samples, results = (folder / n for n in ("counts.csv", "samples.csv", "results.csv"))
    prepared.counts.rename_axis("gene").to_csv(counts)
    prepared.metadata.to_csv(samples)
    alpha = str(data.params.alpha)
    command = ["Rscript", str(REFERENCE_SCRIPT), str(counts), str(samples), str(results), alpha]
    return RReference(command, results)


@benchmark("differential_expression", "differential expression against R DESeq2 (issue 4, #1)")
def differential_expression_benchmark(context: Context) -> list[Row]:
    """Time Pluto's analysis in-process and as a job, against R DESeq2 on the same genes."""
    import pydeseq2.dds  # noqa: F401  (imported before timing, as a worker has it)

    if context.quick:
        return quick_rows()
    data = demo_input()
    pluto_rows = in_process(data)  # the warm-up, and the number of genes R must report
    job = partial(run_job, context.server, differential_expression(JOB_NAME))
    figure = f"Pluto in-process, {data.label()} (median of {ROUNDS})"
    if shutil.which("Rscript") is None:
        pluto, job_seconds = interleaved_medians([partial(in_process, data), job], ROUNDS, 0)
        return [
            info_row(figure, ms(pluto), f"{R_FIT}: Rscript not found"),
            slower_row(JOB, job_seconds, "Pluto in-process", pluto),
            phases_row(context),
        ]
    reference = r_reference(data, context.workdir)
    calls: list[Callable[[], object]] = [partial(in_process, data), reference.run, job]
    pluto, r_whole, job_seconds = interleaved_medians(calls, ROUNDS, warmup=0)
    if set(reference.rows) != {pluto_rows}:
        raise RuntimeError(f"R DESeq2 reported {reference.rows} genes, Pluto {pluto_rows}.")
    return [
        r_fit_row(figure, pluto, reference.fit_seconds),
        slower_row(figure, pluto, R_WHOLE, r_whole),
        job_against_r_row(job_seconds, reference.fit_seconds),
        slower_row(JOB, job_seconds, R_WHOLE, r_whole, NO_SLOWER),
        slower_row(JOB, job_seconds, "Pluto in-process", pluto),
        phases_row(context),
    ]


def job_against_r_row(job_seconds: float, r_fits: list[float]) -> Row:
    """The whole job path against R's own fit and test: at most half of it."""
    if not r_fits:
        return info_row(JOB, ms(job_seconds), f"{R_FIT}: not reported by the script")
    return slower_row(JOB, job_seconds, R_FIT, statistics.median(r_fits), HALF)


def phases_row(context: Context) -> Row:
    """Where the job's time goes, from the analysis's own times: queued, then running."""
    phases = job_phases(context.server, JOB_NAME)
    queued = statistics.median(queued for queued, _ in phases)
    running = statistics.median(running for _, running in phases)
    return info_row(
        f"job phases (median of {len(phases)}): queued / running",
        f"{ms(queued)} / {ms(running)}",
        "running: the job's own process starts, loads the tables, fits, writes",
    )


def r_fit_row(figure: str, pluto: float, r_fits: list[float]) -> Row:
    """Pluto in-process against the part of R's run that fits and tests (when reported)."""
    if not r_fits:
        return info_row(figure, ms(pluto), f"{R_FIT}: not reported by the script")
    return slower_row(figure, pluto, R_FIT, statistics.median(r_fits), NO_SLOWER)


def quick_rows() -> list[Row]:
    """With ``--quick``: Pluto in-process on the first genes of the demo; R and the job skipped."""
    data = demo_input(QUICK_GENES)
    in_process(data)
    seconds = statistics.median(seconds_of(partial(in_process, data)) for _ in range(ROUNDS))
    figure = f"Pluto in-process, {data.label()} (median of {ROUNDS})"
    skipped = "skipped (--quick)"
    return [
        info_row(figure, ms(seconds), f"{R_FIT}: {skipped}"),
        info_row(JOB, skipped, f"{R_WHOLE}: {skipped}"),
    ]
