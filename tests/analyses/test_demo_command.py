"""``pluto demo`` runs the help page's differential expression and a PCA on PLX140206."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from pluto.server.analyses.demo import DEMO_ANALYSES
from pluto.server.lab.demo_cohorts import COHORTS
from tests.analyses.processes import PLUTO, Pluto, Processes, environment

pytestmark = pytest.mark.live

DEMO_PLOT = "386b3bbf-fc86-4071-88c2-6340634cdc62"
DEMO = "experiments/PLX140206"


@pytest.fixture
def demo_home(tmp_path: Path) -> Iterator[Pluto]:
    """A fresh data directory, its processes stopped at the end."""
    processes = Processes()
    try:
        yield Pluto(tmp_path, environment(tmp_path), "", processes)
    finally:
        processes.stop_all()


def run_demo(pluto: Pluto) -> subprocess.CompletedProcess[str]:
    """``pluto demo`` to completion."""
    return subprocess.run(
        [str(PLUTO), "demo", "--no-pipelines"],
        env=pluto.env,
        cwd=pluto.home,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_demo_has_its_analyses_and_a_second_run_adds_nothing(demo_home: Pluto) -> None:
    pluto = demo_home
    first = run_demo(pluto)
    assert first.returncode == 0, first.stderr
    pluto.key = pluto.run("token", "create", "--user", "demo@pluto.local", "--name", "t").strip()
    pluto.url = pluto.serve()

    plots = pluto.call("GET", f"{DEMO}/plots/").json()
    analyses = pluto.call("GET", f"{DEMO}/analyses/").json()
    de_plot = pluto.call("GET", f"{DEMO}/plots/{DEMO_PLOT}/").json()
    page = pluto.call("GET", f"{DEMO}/plots/{DEMO_PLOT}/data/?limit=3").json()
    url = pluto.call("GET", f"{DEMO}/plots/{DEMO_PLOT}/download/").json()["url"]
    csv_lines = requests.get(url, timeout=30).text.splitlines()
    again = run_demo(pluto)
    plots_again = pluto.call("GET", f"{DEMO}/plots/").json()
    analyses_again = pluto.call("GET", f"{DEMO}/analyses/").json()

    assert de_plot["status"] == "complete"
    assert de_plot["analysis_type"] == "differential_expression"
    assert de_plot["display"]["display_type"] == "volcano_plot_v2"
    assert page["count"] == 16954
    assert page["headers"][0] == "Gene_Symbol" and len(page["items"][0]) == 3
    assert len(csv_lines) == 16954 + 1
    types = {plot["analysis_type"]: plot for plot in plots["items"]}
    assert set(types) == {str(request["analysis_type"]) for _, request in DEMO_ANALYSES}
    assert {a["status"] for a in analyses["items"]} == {"complete"}, analyses
    for cohort in COHORTS:
        shown = pluto.call("GET", f"experiments/{cohort.pluto_id}/plots/").json()["items"]
        wanted = [request["analysis_type"] for request in cohort.analyses]
        assert [(p["analysis_type"], p["status"]) for p in shown] == [
            (kind, "complete") for kind in wanted
        ]
    assert again.returncode == 0, again.stderr
    assert [p["uuid"] for p in plots_again["items"]] == [p["uuid"] for p in plots["items"]]
    assert analyses_again["count"] == analyses["count"] == len(DEMO_ANALYSES)
