"""``python -m bench --quick``: every benchmark runs against a real server and prints its figures.

Only that it runs and reports is checked here; timings depend on the machine and are never
asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from bench.suite import all_benchmarks

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]
FIGURES = [
    "JSON page over HTTP",
    "(a) pyarrow + orjson in-process",
    "(b) pandas + pydantic per row + json",
    "1-row JSON page over HTTP",
    "JSON pages, parsed",
    "one Arrow response, read",
    "Parquet download: URL, GET, read",
    "local pyarrow.parquet.read_table",
    "upload, one streamed PUT",
    "server peak memory during upload (VmHWM)",
    "Arrow page, read",
    "server VmRSS after page 20",
    "VmRSS spread over 20 pages",
    "server peak memory during the Parquet download",
    "pluto.read (Arrow pages)",
    "pluto.read forced to JSON pages",
    "plutobio PlutoClient.get_assay_data",
    "requests loop over JSON pages (help page)",
    "local pandas.read_parquet",
    "peak memory (VmHWM), pluto.read (Arrow pages)",
    "GET lab/me/ (fixed cost)",
    "experiment page, Samples tab",
    "plot page of the demo volcano plot",
    "Pluto in-process",
    "R DESeq() + results(), same genes",
    "Rscript, whole process",
    "Pluto job: POST, worker, poll until complete",
    "JSON page, idle",
    "running (n=",
    "pages timed with both",
    "GET health/, 50 conn.",
    "GET lab/me/: throughput at 50 conn.",
    "p99 at 50 conn.",
    "p50 at 1 conn. (fixed cost)",
    "errors, timeouts and non-2xx answers",
    "--threads 1, GET lab/me/: throughput at 50 conn.",
    "GET lab/me/ via nginx, one node, 50 conn.",
    "GET lab/experiments/: two nodes at 50 conn.",
    "bulk_rnaseq run, 3 samples x",
    "read pairs per second per core, bulk_rnaseq pipeline",
    "chipseq run, 3 samples x",
    "read pairs per second per core, chipseq pipeline",
]


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess[str]:
    """One smoke run of the whole suite at small sizes, on a database and store of its own
    (as ``make bench`` runs it), whichever database the suite itself runs on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    return subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,  # a smoke run of every benchmark; generous for a shared, loaded machine
        check=False,
    )


def test_the_quick_run_exits_cleanly(quick_run: subprocess.CompletedProcess[str]) -> None:
    assert quick_run.returncode == 0, quick_run.stdout + quick_run.stderr
    assert "error:" not in quick_run.stdout


def test_every_benchmark_prints_its_table(quick_run: subprocess.CompletedProcess[str]) -> None:
    for benchmark in all_benchmarks().values():
        assert f"{benchmark.name}: {benchmark.title}" in quick_run.stdout


def test_every_figure_is_printed_with_its_comparison(
    quick_run: subprocess.CompletedProcess[str],
) -> None:
    missing = [figure for figure in FIGURES if figure not in quick_run.stdout]
    assert not missing, quick_run.stdout
    assert "targets:" in quick_run.stdout
