"""Heatmap results read by the clients people use: the published ``plutobio`` package and
Pluto's R client, each against a live server."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plutobio import PlutoClient

from pluto.server.lab.models import Experiment
from tests.analyses.conftest import CountData, post_analysis, run_analysis
from tests.conftest import Caller
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

CLUSTERING_REQUEST = {"analysis_type": "clustering", "parameters": {"top_n": 25, "clusters": 3}}
CORRELATION_REQUEST = {"analysis_type": "sample_correlation"}
R_SCRIPT = r"""
source(url(paste0(Sys.getenv("PLUTO_API_URL"), "/sdk/pluto.R")))
library(jsonlite)
seen <- list()
for (plot in c("%CLUSTERING%", "%CORRELATION%")) {
  frame <- suppressMessages(pluto_read("%EXPERIMENT%", "results", plot_id = plot))
  seen[[plot]] <- list(
    rows = nrow(frame), names = I(names(frame)), missing = sum(is.na(frame)),
    classes = lapply(frame, function(column) class(column)[1])
  )
}
writeLines(toJSON(seen, auto_unbox = TRUE), "%OUT%")
"""


def sample_ids(data: CountData) -> list[str]:
    """The generated experiment's sample ids."""
    return [str(s) for s in pd.read_csv(io.BytesIO(data.samples_csv))["sample_id"]]


def plot_of(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> str:
    """The plot uuid of an analysis created with ``body`` and run to completion."""
    created = post_analysis(caller, experiment, body)
    assert created.status_code == 202, created.data
    assert run_analysis(created.data["uuid"]).status == "complete"
    return str(created.data["plot"]["uuid"])


@pytest.fixture
def plots(ada: Caller, experiment: Experiment) -> dict[str, str]:
    """Completed clustering and sample correlation plots of ``experiment``."""
    return {
        "clustering": plot_of(ada, experiment, CLUSTERING_REQUEST),
        "sample_correlation": plot_of(ada, experiment, CORRELATION_REQUEST),
    }


def test_plutobio_reads_both_heatmaps_results(
    live_server: Any,
    ada: Caller,
    experiment: Experiment,
    plots: dict[str, str],
    data: CountData,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    client = PlutoClient(token=ada.key)
    clustering = client.get_plot_data(experiment.pluto_id, plots["clustering"], str(tmp_path))
    correlation = client.get_plot_data(
        experiment.pluto_id, plots["sample_correlation"], str(tmp_path)
    )
    samples = sample_ids(data)

    assert clustering.columns[0] == "Gene_Symbol"
    assert list(clustering.columns[-2:]) == ["Row_Order", "Cluster"]
    assert sorted(clustering.columns[1:-2]) == sorted(samples)
    assert len(clustering) == 25 and not clustering.isna().any().any()
    assert correlation.columns[0] == "Sample_ID"
    assert list(correlation.columns[1:]) == correlation["Sample_ID"].tolist()
    assert len(correlation) == len(samples)


def test_the_r_client_reads_both_heatmaps_results(
    live_server: Any,
    ada: Caller,
    experiment: Experiment,
    plots: dict[str, str],
    data: CountData,
    tmp_path: Path,
) -> None:
    out = tmp_path / "seen.json"
    script = tmp_path / "read.R"
    script.write_text(
        R_SCRIPT.replace("%EXPERIMENT%", experiment.pluto_id)
        .replace("%CLUSTERING%", plots["clustering"])
        .replace("%CORRELATION%", plots["sample_correlation"])
        .replace("%OUT%", str(out))
    )
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key, "HOME": str(tmp_path)}
    done = subprocess.run(
        [rscript(), "--vanilla", str(script)],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(out.read_text())
    clustering, correlation = seen[plots["clustering"]], seen[plots["sample_correlation"]]

    assert clustering["rows"] == 25 and clustering["missing"] == 0
    assert clustering["names"][0] == "Gene_Symbol"
    assert clustering["names"][-2:] == ["Row_Order", "Cluster"]
    assert clustering["classes"]["Gene_Symbol"] == "character"
    assert {clustering["classes"][n] for n in clustering["names"][1:-2]} == {"numeric"}
    assert correlation["rows"] == 8 and correlation["names"][0] == "Sample_ID"
    assert sorted(correlation["names"][1:]) == sorted(sample_ids(data))
    assert correlation["classes"]["Sample_ID"] == "character"
