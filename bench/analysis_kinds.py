"""Every analysis kind's whole job path on the demo, and a small differential expression's
job path against R DESeq2 on the same data.

Each finished analysis of the demo project is run again (``POST …/rerun/`` with its own
parameters) and polled until complete, so the figure is what a scientist waits for: queue,
the worker's forked job process, loading the tables, computing, storing. Nothing here names a
kind: the demo's analyses say which kinds there are. The small differential expression is the
demo's first 4,498 genes in 6 samples (3 treated, 3 control), uploaded as an experiment of its
own; R runs ``DESeq()`` + ``results()`` on the genes Pluto's filter keeps, as
``scripts/validate_deseq2.py`` does.
"""

from __future__ import annotations

import io
import shutil
import statistics
import time
from dataclasses import dataclass
from typing import Any

from bench.harness import Context, Row, Target, benchmark
from bench.jobs import DE_PARAMETERS, wait_until_done
from bench.rows import info_row, ms, slower_row, time_row
from bench.server import RunningServer
from bench.tables import checked

DEMO_PROJECT = "PLXP00286"
FEW_SECONDS = Target(10_000, " ms")
NO_SLOWER = Target(1, "x")
SMALL_GENES, SMALL_SAMPLES = 4_498, 6
ROUNDS = 3


@dataclass(frozen=True)
class DemoAnalysis:
    """A finished analysis of the demo: its experiment, id and kind."""

    experiment: str
    uuid: str
    analysis_type: str


def demo_analyses(server: RunningServer) -> list[DemoAnalysis]:
    """One finished analysis of each kind in the demo project's experiments."""
    session = server.session()
    experiments = checked(session.get(server.api("lab/experiments/"), params={"limit": 1000}))
    found: dict[str, DemoAnalysis] = {}
    for experiment in experiments.json()["items"]:
        if experiment["project"]["pluto_id"] != DEMO_PROJECT:
            continue
        url = server.api(f"lab/experiments/{experiment['pluto_id']}/analyses/")
        for analysis in checked(session.get(url, params={"limit": 1000})).json()["items"]:
            if analysis["status"] == "complete" and analysis["name"] != "Benchmark":
                kind = analysis["analysis_type"]
                found.setdefault(kind, DemoAnalysis(experiment["pluto_id"], analysis["uuid"], kind))
    return sorted(found.values(), key=lambda a: a.analysis_type)


def rerun_seconds(server: RunningServer, analysis: DemoAnalysis) -> float:
    """How long the analysis takes when run again: POST, worker, poll until complete."""
    session = server.session()
    url = server.api(f"lab/experiments/{analysis.experiment}/analyses/{analysis.uuid}/rerun/")
    started = time.monotonic()
    again = checked(session.post(url, json={"name": "Benchmark rerun"})).json()
    wait_until_done(session, server, again["uuid"], analysis.experiment)
    return time.monotonic() - started


def kind_rows(server: RunningServer, rounds: int) -> list[Row]:
    """Each kind's job time on the demo (median of ``rounds`` runs)."""
    rows = []
    for analysis in demo_analyses(server):
        seconds = statistics.median(rerun_seconds(server, analysis) for _ in range(rounds))
        figure = f"{analysis.analysis_type}: job on the demo (median of {rounds})"
        rows.append(
            time_row(figure, seconds, "a few seconds", FEW_SECONDS.bound / 1000, FEW_SECONDS)
        )
    return rows


def small_experiment(server: RunningServer) -> tuple[str, Any, Any]:
    """An experiment of the demo's first genes in 6 samples; its id and its two tables."""
    from pluto.server.lab.demo_data import generate_demo_tables

    tables = generate_demo_tables()
    samples = tables.samples.to_pandas()
    chosen = list(samples[samples["condition"] == "treated"]["sample_id"][:3])
    chosen += list(samples[samples["condition"] == "control"]["sample_id"][:3])
    samples = samples[samples["sample_id"].isin(chosen)]
    counts = tables.counts.to_pandas()[["gene_symbol", *chosen]].iloc[:SMALL_GENES]
    session = server.session()
    body = {"project": DEMO_PROJECT, "name": "Benchmark small", "type": "rnaseq"}
    body |= {"organism": "human", "assay_data_units": "raw_counts"}
    plx = checked(session.post(server.api("lab/experiments/"), json=body)).json()["pluto_id"]
    for kind, frame in (("sample", samples), ("assay", counts)):
        upload = io.BytesIO(frame.to_csv(index=False).encode())
        url = server.api(f"lab/experiments/{plx}/{kind}-data/")
        checked(session.put(url, data=upload, headers={"Content-Type": "text/csv"}))
    return plx, samples, counts


def small_de_seconds(server: RunningServer, plx: str) -> float:
    """The job path of a differential expression of the small experiment."""
    session = server.session()
    body = {
        "analysis_type": "differential_expression",
        "name": "Benchmark",
        "parameters": DE_PARAMETERS,
    }
    url = server.api(f"lab/experiments/{plx}/analyses/")
    started = time.monotonic()
    created = checked(session.post(url, json=body)).json()
    wait_until_done(session, server, created["uuid"], plx)
    return time.monotonic() - started


def small_de_rows(context: Context) -> list[Row]:
    """The small DE's job path against R's DESeq() + results() on the same genes."""
    from bench.differential_expression import DemoInput, r_reference
    from pluto.server.analyses.compute import differential_expression as de
    from pluto.server.analyses.compute.parameters import validated

    plx, samples, counts = small_experiment(context.server)
    job = statistics.median(small_de_seconds(context.server, plx) for _ in range(ROUNDS))
    figure = (
        f"small DE job path ({SMALL_GENES:,} genes x {SMALL_SAMPLES} samples, median of {ROUNDS})"
    )
    if shutil.which("Rscript") is None:
        return [info_row(figure, ms(job), "R DESeq2: Rscript not found")]
    params = validated(de.DifferentialExpressionParameters, DE_PARAMETERS)
    data = DemoInput(samples.set_index("sample_id"), counts.set_index("gene_symbol"), params)
    reference = r_reference(data, context.workdir)
    for _ in range(ROUNDS):
        reference.run()
    fit = statistics.median(reference.fit_seconds)
    return [slower_row(figure, job, "R DESeq() + results(), same genes", fit, NO_SLOWER)]


@benchmark("analysis_kinds", "every analysis kind's job on the demo; a small DE against R")
def analysis_kinds_benchmark(context: Context) -> list[Row]:
    """Each kind's job time on the demo, and the small differential expression's against R."""
    if context.quick:
        return kind_rows(context.server, rounds=1)
    return [*small_de_rows(context), *kind_rows(context.server, ROUNDS)]
