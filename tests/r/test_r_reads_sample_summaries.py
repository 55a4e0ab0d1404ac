"""Pluto's R client reads the results of an assay summary and a t-SNE that a real worker
process ran on the demo experiment, and R's own sums and medians of the assay data agree."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.live_demo import DEMO_EXPERIMENT, LiveDemo, live_demo, pluto, rscript
from tests.r.test_r_client import render

pytestmark = pytest.mark.live

R_SCRIPT = r"""
source(url("%URL%/sdk/pluto.R"))
library(jsonlite)
describe <- function(frame) {
  list(rows = nrow(frame), names = I(names(frame)),
       classes = lapply(frame, function(column) class(column)[1]), missing = sum(is.na(frame)))
}
qc <- pluto_read("%EXPERIMENT%", "results", plot_id = "%QC_PLOT%")
tsne <- pluto_read("%EXPERIMENT%", "results", plot_id = "%TSNE_PLOT%")
assay <- pluto_read("%EXPERIMENT%", "assay")
counts <- as.matrix(assay[, qc$Sample_ID])
library_size <- colSums(counts)
median_log_cpm <- vapply(qc$Sample_ID, function(s) {
  v <- counts[, s]
  median(log2(v[v > 0] / sum(v) * 1e6 + 1))
}, numeric(1))
seen <- list(
  qc = describe(qc),
  tsne = describe(tsne),
  library_size_difference = max(abs(qc$Library_Size - library_size) / library_size),
  same_detected = identical(as.integer(qc$Detected_Features), as.integer(colSums(counts > 0))),
  median_difference = max(abs(qc$Median - median_log_cpm) / median_log_cpm),
  groups = as.list(table(tsne$group_name))
)
writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE, null = "null"), "%WORK%/seen.json")
"""


@dataclass
class Seen:
    """What the R script saw."""

    values: dict[str, Any]


def queue(demo: LiveDemo, body: dict[str, Any]) -> str:
    """Create an analysis of the demo experiment over HTTP; its plot's id."""
    answer = requests.post(
        f"{demo.url}/lab/experiments/{DEMO_EXPERIMENT}/analyses/",
        json=body,
        headers={"Authorization": f"Token {demo.token}"},
        timeout=30,
    )
    assert answer.status_code == 202, answer.text
    return str(answer.json()["plot"]["uuid"])


def status_of(demo: LiveDemo, plot: str) -> str:
    """A plot's status, as the API shows it."""
    answer = requests.get(
        f"{demo.url}/lab/experiments/{DEMO_EXPERIMENT}/plots/{plot}/",
        headers={"Authorization": f"Token {demo.token}"},
        timeout=30,
    )
    return str(answer.json()["status"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDemo]:
    """The demo server (without a worker of its own), shared by the module's tests."""
    rscript()
    with live_demo(tmp_path_factory.mktemp("r-kinds-demo")) as server:
        yield server


@pytest.fixture(scope="module")
def seen(demo: LiveDemo, tmp_path_factory: pytest.TempPathFactory) -> Seen:
    """Queue both analyses, run them with ``pluto worker --once``, then read them in R."""
    qc_plot = queue(demo, {"analysis_type": "assay_summary"})
    tsne_plot = queue(demo, {"analysis_type": "tsne", "parameters": {"group_column": "condition"}})
    pluto(["worker", "--once"], demo.server_env)
    assert [status_of(demo, p) for p in (qc_plot, tsne_plot)] == ["complete", "complete"]
    work = tmp_path_factory.mktemp("r-kinds-work")
    script = work / "check.R"
    script.write_text(
        render(
            R_SCRIPT,
            url=demo.url,
            experiment=DEMO_EXPERIMENT,
            qc_plot=qc_plot,
            tsne_plot=tsne_plot,
            work=work,
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [rscript(), "--vanilla", str(script)],
        env=demo.client_env(work),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        pytest.fail(f"Rscript failed:\n{done.stdout}\n{done.stderr}", pytrace=False)
    return Seen(json.loads(Path(work / "seen.json").read_text(encoding="utf-8")))


def test_r_reads_the_assay_summary_with_its_columns_and_types(seen: Seen) -> None:
    qc = seen.values["qc"]

    assert qc["rows"] == 12 and qc["missing"] == 0
    assert qc["names"] == [
        "Sample_ID",
        "Library_Size",
        "Detected_Features",
        "Top_Share",
        "Q25",
        "Median",
        "Q75",
    ]
    assert qc["classes"]["Sample_ID"] == "character"
    assert qc["classes"]["Detected_Features"] == "integer"
    assert qc["classes"]["Median"] == "numeric"


def test_the_assay_summary_agrees_with_r_on_the_assay_data_it_reads(seen: Seen) -> None:
    assert seen.values["library_size_difference"] == 0
    assert seen.values["same_detected"] is True
    assert seen.values["median_difference"] < 1e-12


def test_r_reads_the_t_sne_coordinates_with_their_groups(seen: Seen) -> None:
    tsne = seen.values["tsne"]

    assert tsne["rows"] == 12 and tsne["missing"] == 0
    assert tsne["names"] == ["Sample_ID", "TSNE1", "TSNE2", "group_id", "group_name"]
    assert tsne["classes"]["TSNE1"] == "numeric"
    assert seen.values["groups"] == {"control": 6, "treated": 6}
