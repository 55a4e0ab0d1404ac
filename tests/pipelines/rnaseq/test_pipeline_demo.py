"""``pluto demo``, which runs the pipelines by default: the FASTQ experiments, their references
and reads, a bulk RNA-seq run taken to an accepted workflow whose published counts follow the
simulated truth, and a ChIP-seq run whose published consensus peaks find the planted binding
sites; ``pluto demo --pipelines`` after it adds nothing.

One demo serves every test of the module: making it (two pipeline runs) is most of the
time, and the tests only read it. ``make setup`` (tests/cli/test_serve_setup.py) runs
``pluto demo --pipelines`` in a fresh data directory."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from scipy.stats import spearmanr

from pluto.server.files.services import GROUPS
from pluto.server.pipelines.demo import EXPERIMENT_NAME, REFERENCE, SAMPLES, TRUTH_FILE
from pluto.server.pipelines.peak_simulator import Site, false_peaks, recovered_sites
from pluto.server.pipelines.peaks_demo import EXPERIMENT_NAME as PEAKS_EXPERIMENT
from pluto.server.pipelines.peaks_demo import REFERENCE as GENOME
from tests.analyses.processes import PLUTO, Pluto, Processes, environment

pytestmark = pytest.mark.live


@dataclass
class MadeDemo:
    """A served data directory after ``pluto demo``: what it printed, and what a second
    ``pluto demo --pipelines`` left behind."""

    pluto: Pluto
    printed: str
    runs_after_again: dict[str, int]


def pipeline_run_counts(pluto: Pluto) -> dict[str, int]:
    """How many pipeline runs each FASTQ demo experiment has."""
    plxs = {name: fastq_experiment(pluto, name) for name in (EXPERIMENT_NAME, PEAKS_EXPERIMENT)}
    return {
        name: len(pluto.call("GET", f"experiments/{plx}/pipeline-runs/").json()["items"])
        for name, plx in plxs.items()
    }


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MadeDemo]:
    """A plain ``pluto demo`` in a fresh data directory, served, then run again with
    ``--pipelines``."""
    home: Path = tmp_path_factory.mktemp("pipeline-demo")
    processes = Processes()
    try:
        pluto = Pluto(home, environment(home), "", processes)
        printed = run_demo(pluto)
        pluto.key = pluto.run("token", "create", "--user", "demo@pluto.local", "--name", "t")
        pluto.key = pluto.key.strip()
        pluto.url = pluto.serve()
        run_demo(pluto, "--pipelines")
        yield MadeDemo(pluto, printed, pipeline_run_counts(pluto))
    finally:
        processes.stop_all()


def run_demo(pluto: Pluto, *flags: str) -> str:
    """``pluto demo`` to completion; what it printed."""
    done = subprocess.run(
        [str(PLUTO), "demo", *flags],
        env=pluto.env,
        cwd=pluto.home,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def fastq_experiment(pluto: Pluto, name: str = EXPERIMENT_NAME) -> str:
    """The PLX id of the demo's FASTQ experiment called ``name``."""
    items = pluto.call("GET", "experiments/?limit=50").json()["items"]
    return next(e["pluto_id"] for e in items if e["name"] == name)


def file_bytes(pluto: Pluto, plx: str, data_type: str) -> bytes:
    """The experiment's first file of a kind."""
    files = pluto.call("GET", f"experiments/{plx}/files/?data_type={data_type}").json()
    uuid = files[GROUPS[data_type]]["items"][0]["uuid"]
    url = pluto.call("GET", f"experiments/{plx}/files/{uuid}/download/").json()["url"]
    return requests.get(url, timeout=30).content


def bed(data: bytes) -> list[tuple[str, int, int]]:
    """``(chrom, start, end)`` of each line of BED bytes."""
    rows = [line.split("\t") for line in data.decode().splitlines() if line.strip()]
    return [(row[0], int(row[1]), int(row[2])) for row in rows]


def csv_of(pluto: Pluto, plx: str, data_type: str, name: str = "") -> list[dict[str, str]]:
    """The experiment's first file of a kind (whose name has ``name``), read as CSV."""
    files = pluto.call("GET", f"experiments/{plx}/files/?data_type={data_type}").json()
    listed = files[GROUPS[data_type]]["items"]
    uuid = next(f["uuid"] for f in listed if name in f["filename"])
    url = pluto.call("GET", f"experiments/{plx}/files/{uuid}/download/").json()["url"]
    return list(csv.DictReader(io.StringIO(requests.get(url, timeout=30).text)))


def test_the_pipeline_demo_runs_to_counts_that_follow_the_truth(made: MadeDemo) -> None:
    pluto = made.pluto
    plx = fastq_experiment(pluto)

    [run] = pluto.call("GET", f"experiments/{plx}/pipeline-runs/").json()["items"]
    workflow = pluto.call("GET", f"experiments/{plx}/workflows/{run['workflow']}/").json()
    assay = pluto.call("GET", f"experiments/{plx}/assay-data/?limit=1").json()
    truth = {row["gene_id"]: row for row in csv_of(pluto, plx, "attachment", TRUTH_FILE)}
    tpm = {row["gene_id"]: row for row in csv_of(pluto, plx, "tpm_gene")}
    references = pluto.call("GET", "references/").json()["items"]

    assert EXPERIMENT_NAME in made.printed
    assert run["status"] == "completed", run["error"]
    assert workflow["status"] == "accepted"
    assert assay["count"] == 150
    assert [r["name"] for r in references if r["status"] == "ready"] == [REFERENCE, GENOME]
    for sample in SAMPLES:
        ids = sorted(truth)
        rho = spearmanr(
            [float(truth[t][sample]) for t in ids], [float(tpm[t][sample]) for t in ids]
        )
        assert rho.statistic > 0.95, (sample, rho)


def test_the_pipeline_demo_runs_chipseq_to_peaks_that_find_the_planted_sites(
    made: MadeDemo,
) -> None:
    pluto = made.pluto
    plx = fastq_experiment(pluto, PEAKS_EXPERIMENT)

    [run] = pluto.call("GET", f"experiments/{plx}/pipeline-runs/").json()["items"]
    peaks = bed(file_bytes(pluto, plx, "consensus_bed"))
    sites = [Site(*row) for row in bed(file_bytes(pluto, plx, "attachment"))]
    tracks = pluto.call("GET", f"experiments/{plx}/files/?data_type=bigwig").json()

    assert PEAKS_EXPERIMENT in made.printed
    assert (run["pipeline"], run["status"]) == ("chipseq", "completed"), run["error"]
    assert len(sites) == 40
    assert recovered_sites(peaks, sites) >= 0.9
    assert len(false_peaks(peaks, sites)) <= 0.1 * len(peaks)
    assert tracks["bigwig"]["count"] == len(SAMPLES)


def test_the_demo_run_again_with_pipelines_adds_no_run(made: MadeDemo) -> None:
    assert made.runs_after_again == {EXPERIMENT_NAME: 1, PEAKS_EXPERIMENT: 1}
