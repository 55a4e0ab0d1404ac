"""Workflows from the Python SDK, the ``pluto workflows``/``accept-workflow`` commands and the
R client, each against a live server."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pluto.cli.main import cli
from pluto.client.client import Client
from pluto.client.errors import PlutoError
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.live_demo import rscript
from tests.pipelines.conftest import ASSAY_CSV, completed_workflow


@pytest.fixture
def sdk(live_server: Any, ada: Caller) -> Iterator[Client]:
    """A client of the live server, acting as ada."""
    with Client(live_server.url, ada.key, timeout=20, retries=2) as client:
        yield client


@pytest.fixture
def as_ada(live_server: Any, ada: Caller, tmp_path: Path) -> dict[str, str]:
    """The environment of ada's scripts: the server and her token, nothing saved."""
    return {
        "PLUTO_API_URL": live_server.url,
        "PLUTO_API_TOKEN": ada.key,
        "PLUTO_CONFIG_DIR": str(tmp_path / "config"),
        "PLUTO_ORGANIZATION": "",
    }


def test_the_sdk_imports_reviews_and_accepts_an_assay_table(
    sdk: Client, experiment: Experiment, tmp_path: Path
) -> None:
    table = tmp_path / "counts.csv"
    table.write_text(ASSAY_CSV)

    assert [p["shortname"] for p in sdk.pipelines(experiment.pluto_id)] == [
        "assay_import",
        "bulk_rnaseq",
    ]
    workflow = sdk.import_assay(experiment.pluto_id, table, name="March counts")
    steps = sdk.workflow_steps(experiment.pluto_id, workflow)
    accepted = sdk.accept_workflow(experiment.pluto_id, workflow)

    assert workflow.status == "completed" and workflow.name == "March counts"
    assert [s["status"] for s in steps] == ["completed"] * 3
    assert accepted.status == "accepted" and accepted.outputs["assay_data"]["version"] == 1
    assert [w.uuid for w in sdk.workflows(experiment.pluto_id)] == [workflow.uuid]
    assert sdk.pipeline_runs(experiment.pluto_id)[0].workflow == workflow.uuid
    with pytest.raises(PlutoError) as refused:
        sdk.accept_workflow(experiment.pluto_id, workflow)
    assert "is accepted" in str(refused.value)


def test_the_sdk_copies_and_archives(sdk: Client, ada: Caller, experiment: Experiment) -> None:
    original = completed_workflow(ada, experiment)

    copy = sdk.copy_workflow(experiment.pluto_id, original, name="Second look")
    sdk.archive_workflow(experiment.pluto_id, original)

    assert copy.copied_from == original and copy.name == "Second look"
    assert [w.uuid for w in sdk.workflows(experiment.pluto_id)] == [copy.uuid]
    assert [w.uuid for w in sdk.workflows(experiment.pluto_id, archived=True)] == [original]


def test_the_commands_list_and_accept_workflows(
    as_ada: dict[str, str], ada: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)
    runner = CliRunner()

    listed = runner.invoke(cli, ["workflows", experiment.pluto_id], env=as_ada)
    accepted = runner.invoke(cli, ["accept-workflow", experiment.pluto_id, workflow], env=as_ada)
    again = runner.invoke(cli, ["accept-workflow", experiment.pluto_id, workflow], env=as_ada)
    as_json = runner.invoke(cli, ["workflows", experiment.pluto_id, "--json"], env=as_ada)

    assert listed.exit_code == 0, listed.output
    assert workflow in listed.output and "completed" in listed.output
    assert accepted.exit_code == 0, accepted.output
    assert "Accepted" in accepted.output and "version 1" in accepted.output
    assert again.exit_code == 1 and "is accepted" in again.output
    assert [w["status"] for w in json.loads(as_json.output)] == ["accepted"]


def test_the_import_command_says_how_to_accept(
    as_ada: dict[str, str], experiment: Experiment, tmp_path: Path
) -> None:
    table = tmp_path / "counts.csv"
    table.write_text(ASSAY_CSV)

    result = CliRunner().invoke(cli, ["import-assay", experiment.pluto_id, str(table)], env=as_ada)

    assert result.exit_code == 0, result.output
    assert f"pluto accept-workflow {experiment.pluto_id} " in result.output


R_SCRIPT = r"""
source(url("%URL%/sdk/pluto.R"))
experiment <- "%EXPERIMENT%"
pipelines <- pluto_list_pipelines(experiment)
run <- pluto_start_pipeline_run(experiment, "assay_import", list(csv = "%CSV%"))
waited <- pluto_wait_for_workflow(experiment, run$workflow, poll_interval = 1)
steps <- pluto_list_workflow_preprocesses(experiment, run$workflow)
copy <- pluto_copy_workflow(experiment, run$workflow)
accepted <- pluto_accept_workflow(experiment, run$workflow)
archived <- pluto_archive_workflow(experiment, copy$uuid)
workflows <- pluto_list_workflows(experiment)
runs <- pluto_list_pipeline_runs(experiment)
cat(jsonlite::toJSON(list(
  pipeline = pipelines[[1]]$shortname, waited = waited$status,
  steps = sapply(steps, function(s) s$name), accepted = accepted$status,
  version = accepted$outputs$assay_data$version, archived = archived$is_archived,
  workflows = length(workflows), runs = length(runs),
  got = pluto_get_workflow(experiment, run$workflow)$status
), auto_unbox = TRUE))
"""


def test_the_r_client_runs_waits_copies_accepts_and_archives(
    live_server: Any, ada: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    script = tmp_path / "workflows.R"
    csv = ASSAY_CSV.replace("\n", "\\n")
    script.write_text(
        R_SCRIPT.replace("%URL%", live_server.url)
        .replace("%EXPERIMENT%", experiment.pluto_id)
        .replace("%CSV%", csv)
    )
    env = {**os.environ, "PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    env.pop("PLUTO_ORGANIZATION", None)

    done = subprocess.run(
        [rscript(), str(script)], env=env, capture_output=True, text=True, timeout=180
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {
        "pipeline": "assay_import",
        "waited": "completed",
        "steps": ["validate", "normalise", "store"],
        "accepted": "accepted",
        "version": 1,
        "archived": True,
        "workflows": 1,
        "runs": 2,
        "got": "accepted",
    }
