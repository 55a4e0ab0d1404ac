"""Analyses as a resource from Pluto's clients against a live server: the R client waits for
analyses until their terminal pipeline status, and the SDK and the CLI read results pages,
headline numbers and the signed links."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import pluto
from pluto.cli.main import cli
from pluto.client.client import Client
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    DE_REQUEST,
    CountData,
    exp_path,
    post_analysis,
    put_csv,
    run_analysis,
    start_and_run,
)
from tests.analyses.test_failures import zero_counts
from tests.conftest import Caller, make_experiment, make_project
from tests.downloads import fetch_url
from tests.live_demo import rscript

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

R_SCRIPT = r"""
source(url(paste0(Sys.getenv("PLUTO_API_URL"), "/sdk/pluto.R")))
experiment <- Sys.getenv("EXPERIMENT")
waited <- function(uuid, experiment_id = experiment) {
  pluto_wait_for_analysis(experiment_id, uuid, poll_interval = 0.1, timeout = 30)$pipeline_status
}
error_of <- function(expr) tryCatch({ expr; "no error" }, error = conditionMessage)
seen <- list(
  completed = waited(Sys.getenv("COMPLETED")),
  unprocessable = waited(Sys.getenv("UNPROCESSABLE"), Sys.getenv("ZERO_EXPERIMENT")),
  canceled = waited(Sys.getenv("CANCELED")),
  timed_out = error_of(pluto_wait_for_analysis(experiment, Sys.getenv("STUCK"),
                                               poll_interval = 0.1, timeout = 0.5))
)
file.create(Sys.getenv("WAITING"))
seen$late <- pluto_wait_for_analysis(experiment, Sys.getenv("LATE"), poll_interval = 0.1,
                                     timeout = 60, progress = TRUE)$pipeline_status
stats <- pluto_get_analysis_stats(experiment, Sys.getenv("COMPLETED"))
seen$genes_tested <- stats$genes_tested
page <- pluto_get_analysis_summary(experiment, Sys.getenv("COMPLETED"), limit = 3,
                                   sort_by = "-abs_log2_fold_change")
seen$summary <- list(count = page$count, rows = length(page$items))
seen$link <- pluto_get_analysis_signed_url(experiment, Sys.getenv("COMPLETED"), "image")
writeLines(jsonlite::toJSON(seen, auto_unbox = TRUE), Sys.getenv("SEEN"))
"""


def r_environment(live_server: Any, ada: Caller, work: Path, ids: dict[str, str]) -> dict[str, str]:
    """What the R script reads: the server, the token and the analyses to wait for."""
    return {
        **os.environ,
        "PLUTO_API_URL": live_server.url,
        "PLUTO_API_TOKEN": ada.key,
        "SEEN": str(work / "seen.json"),
        "WAITING": str(work / "waiting"),
        "HOME": str(work),
        **ids,
    }


def unprocessable_analysis(ada: Caller, data: CountData) -> tuple[Experiment, str]:
    """A differential expression run on an experiment of zero counts: its data cannot be
    analysed with these parameters."""
    zero = make_experiment(ada.user, make_project(ada.user, "Empty"), "All zeros")
    put_csv(ada, zero, "sample", data.samples_csv)
    put_csv(ada, zero, "assay", zero_counts(data))
    return zero, str(start_and_run(ada, zero, DE_REQUEST)["uuid"])


def wait_for(path: Path, process: subprocess.Popen[str]) -> None:
    """Until the R script has made ``path`` (or has stopped)."""
    deadline = time.monotonic() + 60
    while not path.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_r_client_waits_until_each_terminal_pipeline_status(
    live_server: Any,
    ada: Caller,
    experiment: Experiment,
    data: CountData,
    completed_de: dict[str, Any],
    tmp_path: Path,
) -> None:
    zero, unprocessable = unprocessable_analysis(ada, data)
    cancelled = post_analysis(ada, experiment, DE_REQUEST).data["uuid"]
    ada.call("POST", exp_path(experiment, f"analyses/{cancelled}/cancel/"))
    # No worker runs here: "stuck" stays pending, and "late" runs once R waits for it.
    stuck = post_analysis(ada, experiment, DE_REQUEST).data["uuid"]
    late = post_analysis(ada, experiment, DE_REQUEST).data["uuid"]
    ids = {
        "EXPERIMENT": experiment.pluto_id,
        "ZERO_EXPERIMENT": zero.pluto_id,
        "COMPLETED": completed_de["uuid"],
        "UNPROCESSABLE": unprocessable,
        "CANCELED": cancelled,
        "STUCK": stuck,
        "LATE": late,
    }
    script = tmp_path / "wait.R"
    script.write_text(R_SCRIPT, encoding="utf-8")
    process = subprocess.Popen(
        [rscript(), "--vanilla", str(script)],
        env=r_environment(live_server, ada, tmp_path, ids),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(tmp_path / "waiting", process)
    time.sleep(0.5)
    run_analysis(late)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    seen = json.loads((tmp_path / "seen.json").read_text(encoding="utf-8"))

    assert seen["completed"] == "completed"
    assert seen["unprocessable"] == "unprocessable"
    assert seen["canceled"] == "canceled"
    assert "had not finished after 0.5 seconds" in seen["timed_out"]
    assert "pending" in seen["timed_out"]
    assert seen["late"] == "completed"
    assert f"Analysis {late}: pending" in stderr and f"Analysis {late}: completed" in stderr
    assert seen["genes_tested"] == completed_de["summary"]["genes_tested"]
    assert seen["summary"] == {"count": completed_de["summary"]["genes_tested"], "rows": 3}
    assert fetch_url(seen["link"]).status == 200


def test_the_sdk_reads_pages_numbers_and_files_of_an_analysis(
    live_server: Any,
    ada: Caller,
    completed_de: dict[str, Any],
    experiment: Experiment,
    tmp_path: Path,
) -> None:
    client = Client(live_server.url, ada.key)
    analysis = client.get_analysis(experiment.pluto_id, completed_de["uuid"])

    page = client.analysis_summary(analysis, limit=5, sort_by="-abs_log2_fold_change")
    searched = client.analysis_summary(analysis, search="GENE1", limit=1000)
    stats = client.analysis_stats(analysis)
    csv = client.download_analysis(analysis, tmp_path / "results.csv", progress=False)
    png = client.download_analysis(analysis, tmp_path / "figure.png", kind="image", progress=False)

    assert analysis.pipeline_status == "completed"
    changes = [abs(row["Log2_Fold_Change"]) for row in page.rows]
    assert changes == sorted(changes, reverse=True) and len(page.rows) == 5
    assert page.count == stats["genes_tested"]
    assert all("gene1" in row["Gene_Symbol"].lower() for row in searched.rows)
    assert searched.count == len(searched.rows) > 0
    assert csv.read_text().splitlines()[0].startswith("Gene_Symbol,")
    assert png.read_bytes().startswith(b"\x89PNG")


def test_the_cli_shows_results_stats_and_saves_the_figure(
    live_server: Any,
    ada: Caller,
    completed_de: dict[str, Any],
    experiment: Experiment,
    tmp_path: Path,
) -> None:
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    args = (experiment.pluto_id, completed_de["uuid"])

    results = CliRunner().invoke(
        cli, ["results", *args, "--sort-by=p_value", "--limit", "3"], env=env
    )
    stats = CliRunner().invoke(cli, ["stats", *args], env=env)
    saved = CliRunner().invoke(
        cli, ["save-analysis", *args, "--image", "-o", str(tmp_path / "v.png")], env=env
    )
    refused = CliRunner().invoke(cli, ["results", *args, "--sort-by=nope"], env=env)

    assert results.exit_code == 0, results.output
    lines = results.stdout.splitlines()
    assert lines[0].split("\t")[0] == "Gene_Symbol" and len(lines) == 4
    assert stats.exit_code == 0 and "genes_up: " in stats.output
    assert saved.exit_code == 0 and (tmp_path / "v.png").read_bytes().startswith(b"\x89PNG")
    assert refused.exit_code == 1 and "sort_by" in refused.output


def test_the_sdk_tells_an_unprocessable_analysis_from_a_failed_one(
    live_server: Any, ada: Caller, data: CountData
) -> None:
    zero, uuid = unprocessable_analysis(ada, data)
    client = Client(live_server.url, ada.key)

    with pytest.raises(pluto.AnalysisUnprocessable) as caught:
        client.wait(client.get_analysis(zero.pluto_id, uuid), timeout=10, progress=False)

    assert isinstance(caught.value, pluto.AnalysisFailed)
    assert caught.value.code == "analysis_unprocessable"
    assert caught.value.analysis.pipeline_status == "unprocessable"
    assert "cannot be run on this data with these parameters" in str(caught.value)
