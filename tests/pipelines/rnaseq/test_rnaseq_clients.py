"""FASTQ uploads and bulk RNA-seq runs from the command line and the Python SDK, against a
live server with the real tools."""

from __future__ import annotations

import json
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
from tests.conftest import Caller


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
) -> None:
    entries = [
        upload_sample(as_ada, experiment, sample, truth.fastq_1, truth.fastq_2)
        for sample, truth in simulated.samples.items()
    ]
    samples = tmp_path / "samples.json"
    samples.write_text(json.dumps(entries))

    args = ["run-rnaseq", experiment.pluto_id, "--reference", "tiny", "--samples", str(samples)]
    result = CliRunner().invoke(cli, args, env=as_ada)

    assert result.exit_code == 0, result.output
    assert [e["sample_id"] for e in entries] == ["S1", "S2", "S3"]
    assert all(set(e) == {"sample_id", "fastq_1", "fastq_2"} for e in entries)
    assert " completed  workflow " in result.stdout
    assert "  S1: 30000 read pairs in, " in result.stdout
    assert f"Accept it with: pluto accept-workflow {experiment.pluto_id} " in result.stdout


def test_the_sdk_lists_references_and_a_refused_run_names_its_problems(
    sdk: Client, experiment: Experiment, reference: Reference
) -> None:
    listed = sdk.references()
    with pytest.raises(PlutoError) as refused:
        sdk.run_rnaseq(experiment.pluto_id, "tiny", [{"sample_id": "S9", "fastq_1": "x"}])

    assert [(r["name"], r["status"]) for r in listed] == [("tiny", "ready")]
    assert "'samples[0].sample_id' 'S9' is not a sample of the sample table" in str(refused.value)
