"""``pluto demo --pipelines``: the FASTQ experiments, their references and reads, a bulk
RNA-seq run taken to an accepted workflow whose published counts follow the simulated truth,
and a ChIP-seq run whose published consensus peaks find the planted binding sites; a plain
``pluto demo`` after it adds nothing."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
import requests
from scipy.stats import spearmanr

from pluto.server.files.services import GROUPS
from pluto.server.pipelines.demo import EXPERIMENT_NAME, REFERENCE, SAMPLES, TRUTH_FILE
from pluto.server.pipelines.peak_simulator import Site, false_peaks, recovered_sites
from pluto.server.pipelines.peaks_demo import EXPERIMENT_NAME as PEAKS_EXPERIMENT
from pluto.server.pipelines.peaks_demo import REFERENCE as GENOME
from tests.analyses.processes import PLUTO, Pluto
from tests.analyses.test_demo_command import demo_home  # noqa: F401  (the fixture)

pytestmark = pytest.mark.live


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


def test_the_pipeline_demo_runs_to_counts_that_follow_the_truth(
    demo_home: Pluto,  # noqa: F811
) -> None:
    pluto = demo_home
    printed = run_demo(pluto, "--pipelines")
    pluto.key = pluto.run("token", "create", "--user", "demo@pluto.local", "--name", "t").strip()
    pluto.url = pluto.serve()
    plx = fastq_experiment(pluto)

    [run] = pluto.call("GET", f"experiments/{plx}/pipeline-runs/").json()["items"]
    workflow = pluto.call("GET", f"experiments/{plx}/workflows/{run['workflow']}/").json()
    assay = pluto.call("GET", f"experiments/{plx}/assay-data/?limit=1").json()
    truth = {row["gene_id"]: row for row in csv_of(pluto, plx, "attachment", TRUTH_FILE)}
    tpm = {row["gene_id"]: row for row in csv_of(pluto, plx, "tpm_gene")}
    references = pluto.call("GET", "references/").json()["items"]
    run_demo(pluto)
    runs_again = pluto.call("GET", f"experiments/{plx}/pipeline-runs/").json()["items"]

    assert EXPERIMENT_NAME in printed
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
    assert len(runs_again) == 1


def test_the_pipeline_demo_runs_chipseq_to_peaks_that_find_the_planted_sites(
    demo_home: Pluto,  # noqa: F811
) -> None:
    pluto = demo_home
    printed = run_demo(pluto)
    pluto.key = pluto.run("token", "create", "--user", "demo@pluto.local", "--name", "t").strip()
    pluto.url = pluto.serve()
    plx = fastq_experiment(pluto, PEAKS_EXPERIMENT)

    [run] = pluto.call("GET", f"experiments/{plx}/pipeline-runs/").json()["items"]
    peaks = bed(file_bytes(pluto, plx, "consensus_bed"))
    sites = [Site(*row) for row in bed(file_bytes(pluto, plx, "attachment"))]
    tracks = pluto.call("GET", f"experiments/{plx}/files/?data_type=bigwig").json()

    assert PEAKS_EXPERIMENT in printed
    assert (run["pipeline"], run["status"]) == ("chipseq", "completed"), run["error"]
    assert len(sites) == 40
    assert recovered_sites(peaks, sites) >= 0.9
    assert len(false_peaks(peaks, sites)) <= 0.1 * len(peaks)
    assert tracks["bigwig"]["count"] == len(SAMPLES)
