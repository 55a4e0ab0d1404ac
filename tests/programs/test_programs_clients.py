"""Programs from the Python SDK, the ``pluto programs``/``pluto program`` commands and the R
client, each against a live server."""

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
from tests.programs.conftest import add_asset


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


def test_the_sdk_creates_a_program_and_gathers_evidence(
    sdk: Client, experiment: Experiment
) -> None:
    program = sdk.create_program(
        "KRAS G12C", template="target_validation", labels=["oncology"], goal="Go or no go."
    )
    assert program.current_version == 1 and program.labels == ("oncology",)
    asset = sdk.add_program_asset(
        program, "experiment", experiment.pluto_id, dimension="safety", note="Healthy tissue."
    )
    assert asset["dimension"]["key"] == "safety"
    sdk.add_program_next_step(program, "Knock out in H358.", dimension="functional_validation")
    sdk.create_analysis_space(program, "Lung", experiments=[experiment.pluto_id])
    version = sdk.create_framework_version(program, ["Safety", "Efficacy"], note="Simpler.")

    assert version["number"] == 2
    assert [d["key"] for d in sdk.program_framework(program)["dimensions"]] == [
        "safety",
        "efficacy",
    ]
    assert [g["key"] for g in sdk.program_coverage_gaps(program)] == ["efficacy"]
    assert sdk.program_framework_summary(program)["covered_count"] == 1
    assert len(sdk.program_assets(program)) == 1
    assert sdk.program_evidence_sources(program)[0]["pluto_id"] == experiment.pluto_id
    assert [s["name"] for s in sdk.program_analysis_spaces(program)] == ["Lung"]
    assert len(sdk.program_next_steps(program)) == 1
    assert [v["number"] for v in sdk.program_framework_versions(program)] == [2, 1]
    assert sdk.program_stats() == {"total": 1, "active": 1}
    assert "target_validation" in [t["key"] for t in sdk.framework_templates()]
    assert "biomarker" in [t["key"] for t in sdk.program_types()]
    assert [label["name"] for label in sdk.program_labels()] == ["oncology"]
    assert sdk.update_program(program, status="archived").status == "archived"


def test_the_sdk_pages_through_every_program(sdk: Client) -> None:
    for number in range(103):
        sdk.create_program(f"Program {number}", program_type="other")

    programs = sdk.programs()

    assert len(programs) == 103
    assert programs[0].name == "Program 102" and programs[-1].name == "Program 0"
    assert [p.name for p in sdk.programs(search="Program 10")] == [
        "Program 102",
        "Program 101",
        "Program 100",
        "Program 10",
    ]


def test_the_sdk_raises_on_a_bad_asset_naming_the_field(sdk: Client) -> None:
    program = sdk.create_program("KRAS", template="target_validation")
    with pytest.raises(PlutoError) as raised:
        sdk.add_program_asset(program, "paper", "PLX000001")
    assert raised.value.details["field"] == "kind"


def test_the_commands_list_programs_and_show_the_framework(
    as_ada: dict[str, str], ada: Caller, program: dict[str, Any], experiment: Experiment
) -> None:
    add_asset(ada, program, kind="experiment", object_id=experiment.pluto_id, dimension="safety")
    runner = CliRunner()

    listed = runner.invoke(cli, ["programs"], env=as_ada)
    shown = runner.invoke(cli, ["program", program["uuid"]], env=as_ada)
    as_json = runner.invoke(cli, ["program", program["uuid"], "--json"], env=as_ada)

    assert listed.exit_code == 0, listed.output
    assert program["uuid"] in listed.output and "KRAS G12C target validation" in listed.output
    assert shown.exit_code == 0, shown.output
    assert "Safety (safety): 1 evidence" in shown.output
    assert f"experiment: {experiment.name} ({experiment.pluto_id})" in shown.output
    assert "Coverage gaps: Genetic evidence, Expression in disease" in shown.output
    assert json.loads(as_json.output)["summary"]["gap_count"] == 4


def test_the_command_says_when_a_program_is_not_found(as_ada: dict[str, str]) -> None:
    missing = "3f2b6c9e-5d1a-4f7e-9c1b-2a6d8e4f0b17"
    result = CliRunner().invoke(cli, ["program", missing], env=as_ada)

    assert result.exit_code == 1
    assert f"Program {missing} was not found" in result.output


R_SCRIPT = r"""
source(url("%URL%/sdk/pluto.R"))
program <- pluto_create_program("KRAS G12C", template = "target_validation", labels = "oncology")
asset <- pluto_add_program_asset(program$uuid, "experiment", "%EXPERIMENT%", dimension = "safety")
step <- pluto_create_program_next_step(program$uuid, "Knock out in H358.")
version <- pluto_create_program_framework_version(program$uuid, c("Safety", "Efficacy"))
page <- pluto_list_programs(limit = 10)
summary <- pluto_get_program_framework_summary(program$uuid)
cat(jsonlite::toJSON(list(
  count = page$count, first = page$results[[1]]$name,
  got = pluto_get_program(program$uuid)$name,
  assets = length(pluto_list_program_assets(program$uuid)),
  spaces = length(pluto_list_program_analysis_spaces(program$uuid)),
  dimensions = sapply(pluto_get_program_framework(program$uuid)$dimensions, function(d) d$key),
  covered = summary$covered_count,
  versions = sapply(pluto_list_program_framework_versions(program$uuid), function(v) v$number),
  gaps = sapply(pluto_list_program_coverage_gaps(program$uuid), function(g) g$key),
  steps = length(pluto_list_program_next_steps(program$uuid)),
  sources = pluto_list_program_evidence_sources(program$uuid)[[1]]$pluto_id,
  types = length(pluto_list_program_types()) > 0,
  templates = length(pluto_list_framework_templates()) > 0,
  labels = pluto_list_program_labels()[[1]]$name,
  stats = pluto_get_program_stats()
), auto_unbox = TRUE))
"""


def test_the_r_client_reaches_every_program_endpoint(
    live_server: Any, ada: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    script = tmp_path / "programs.R"
    script.write_text(
        R_SCRIPT.replace("%URL%", live_server.url).replace("%EXPERIMENT%", experiment.pluto_id)
    )
    env = {**os.environ, "PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    env.pop("PLUTO_ORGANIZATION", None)

    done = subprocess.run(
        [rscript(), str(script)], env=env, capture_output=True, text=True, timeout=180
    )

    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["count"] == 1 and seen["first"] == seen["got"] == "KRAS G12C"
    assert seen["assets"] == 1 and seen["spaces"] == 0
    assert seen["dimensions"] == ["safety", "efficacy"] and seen["covered"] == 1
    assert seen["versions"] == [2, 1] and seen["gaps"] == "efficacy"  # one gap, unboxed
    assert seen["steps"] == 1 and seen["sources"] == experiment.pluto_id
    assert seen["types"] is True and seen["templates"] is True
    assert seen["labels"] == "oncology"
    assert seen["stats"] == {"total": 1, "active": 1}
