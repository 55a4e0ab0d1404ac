"""FASTQ uploads, bulk RNA-seq runs and cancelling them from the command line and the Python
SDK, against a live server and a real worker with the real tools."""

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
from pluto.server.pipelines.models import Reference
from pluto.server.pipelines.simulator import SimulatedExperiment
from tests.analyses.processes import wait_for
from tests.conftest import Caller
from tests.live_demo import rscript
from tests.pipelines.rnaseq.conftest import samples_body
from tests.pipelines.rnaseq.test_run_cancel import tools_named


@pytest.fixture
def as_ada(live_server: Any, ada: Caller, tmp_path: Path) -> dict[str, str]:
    """The environment of ada's scripts: the server and her token, nothing saved."""
    return {
        "PLUTO_API_URL": live_server.url,
        "PLUTO_API_TOKEN": ada.key,
        "PLUTO_CONFIG_DIR": str(tmp_path / "config"),
        "PLUTO_ORGANIZATION": "",
    }


@pytest.fixture
def sdk(live_server: Any, ada: Caller) -> Iterator[Client]:
    """A client of the live server, acting as ada."""
    with Client(live_server.url, ada.key, timeout=120, retries=0) as client:
        yield client


def upload_sample(
    env: dict[str, str], experiment: Experiment, sample: str, r1: Path, r2: Path
) -> dict[str, str]:
    """``pluto upload-fastq … --json``; the sample's entry."""
    args = ["upload-fastq", experiment.pluto_id, "--sample", sample, str(r1), str(r2), "--json"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    entry: dict[str, str] = json.loads(result.stdout)
    return entry


def test_fastq_uploaded_by_command_run_through_the_pipeline_command(
    as_ada: dict[str, str],
    experiment: Experiment,
    reference: Reference,
    simulated: SimulatedExperiment,
    tmp_path: Path,
    worker: subprocess.Popen[bytes],
) -> None:
    entries = [
        upload_sample(as_ada, experiment, sample, truth.fastq_1, truth.fastq_2)
        for sample, truth in simulated.samples.items()
    ]
    samples = tmp_path / "samples.json"
    samples.write_text(json.dumps(entries))

    args = ["run-rnaseq", experiment.pluto_id, "--reference", "tiny", "--samples", str(samples)]
    args.append("--wait")
    result = CliRunner().invoke(cli, args, env=as_ada)

    assert result.exit_code == 0, result.output
    assert [e["sample_id"] for e in entries] == ["S1", "S2", "S3"]
    assert all(set(e) == {"sample_id", "fastq_1", "fastq_2"} for e in entries)
    assert " completed  workflow " in result.stdout
    assert "  S1: 30000 fragments in, " in result.stdout
    assert f"Accept it with: pluto accept-workflow {experiment.pluto_id} " in result.stdout


def test_the_sdk_lists_references_and_a_refused_run_names_its_problems(
    sdk: Client, experiment: Experiment, reference: Reference
) -> None:
    listed = sdk.references()
    with pytest.raises(PlutoError) as refused:
        sdk.run_rnaseq(experiment.pluto_id, "tiny", [{"sample_id": "S9", "fastq_1": "x"}])

    assert [(r["name"], r["status"]) for r in listed] == [("tiny", "ready")]
    assert "'samples[0].sample_id' 'S9' is not a sample of the sample table" in str(refused.value)


def test_the_sdk_starts_a_run_that_answers_pending_and_cancels_it_while_fastp_runs(
    sdk: Client,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    worker: subprocess.Popen[bytes],
) -> None:
    run = sdk.run_rnaseq(experiment.pluto_id, "tiny", samples_body(fastq))
    wait_for(lambda: tools_named(worker, "fastp"), timeout=180, interval=0.02)

    canceled = sdk.cancel_pipeline_run(experiment.pluto_id, run)
    with pytest.raises(PlutoError) as again:
        sdk.cancel_pipeline_run(experiment.pluto_id, run.uuid)

    assert run.status == "pending"
    assert canceled.status == "canceled"
    assert sdk.wait_for_pipeline_run(experiment.pluto_id, run, poll=0.2).status == "canceled"
    assert again.value.status == 409
    assert "only a pending or in-progress run can be canceled" in str(again.value)


def test_the_cancel_command_cancels_a_queued_run(
    as_ada: dict[str, str],
    sdk: Client,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
) -> None:
    run = sdk.run_rnaseq(experiment.pluto_id, "tiny", samples_body(fastq))

    result = CliRunner().invoke(cli, ["cancel-run", experiment.pluto_id, run.uuid], env=as_ada)
    refused = CliRunner().invoke(cli, ["cancel-run", experiment.pluto_id, run.uuid], env=as_ada)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{run.uuid}  canceled  workflow {run.workflow}")
    assert refused.exit_code != 0
    assert "is canceled; only a pending or in-progress run can be canceled" in refused.output


R_CANCEL = r"""
source(url("%URL%/sdk/pluto.R"))
canceled <- pluto_cancel_pipeline_run("%EXPERIMENT%", "%RUN%")
again <- tryCatch(
  pluto_cancel_pipeline_run("%EXPERIMENT%", "%RUN%"),
  error = function(e) conditionMessage(e)
)
cat(jsonlite::toJSON(list(
  canceled = canceled$status, again = again,
  got = pluto_get_pipeline_run("%EXPERIMENT%", "%RUN%")$status
), auto_unbox = TRUE))
"""


def test_the_r_client_cancels_a_run_and_is_refused_a_second_time(
    live_server: Any,
    ada: Caller,
    sdk: Client,
    experiment: Experiment,
    reference: Reference,
    fastq: dict[str, tuple[str, str]],
    tmp_path: Path,
) -> None:
    run = sdk.run_rnaseq(experiment.pluto_id, "tiny", samples_body(fastq))
    script = tmp_path / "cancel.R"
    script.write_text(
        R_CANCEL.replace("%URL%", live_server.url)
        .replace("%EXPERIMENT%", experiment.pluto_id)
        .replace("%RUN%", run.uuid)
    )
    env = {**os.environ, "PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    env.pop("PLUTO_ORGANIZATION", None)

    done = subprocess.run(
        [rscript(), str(script)], env=env, capture_output=True, text=True, timeout=180
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert (seen["canceled"], seen["got"]) == ("canceled", "canceled")
    assert "only a pending or in-progress run can be canceled" in seen["again"]
