"""The history from the Python SDK, the ``pluto history`` command and the R client, each
against a live server."""

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
from pluto.server.history.services import record
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.live_demo import rscript


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


def edits(experiment: Experiment, actor: Caller, count: int) -> None:
    """``count`` recorded edits, numbered from 0."""
    for number in range(count):
        record(experiment, actor.user, "experiment_edited", f"Edit {number}.", number=number)


def test_the_sdk_iterates_every_page_newest_first(
    sdk: Client, ada: Caller, experiment: Experiment
) -> None:
    edits(experiment, ada, 205)

    events = list(sdk.experiment_history(experiment.pluto_id))

    assert len(events) == 206
    assert [e.details.get("number") for e in events[:2]] == [204, 203]
    assert events[-1].action == "experiment_created"
    assert events[-1].actor_email == ada.user.email
    assert events[0].created_at is not None and events[0].created_at.tzinfo is not None


def test_the_sdk_stops_at_the_limit(sdk: Client, ada: Caller, experiment: Experiment) -> None:
    edits(experiment, ada, 150)

    events = list(sdk.experiment_history(experiment.pluto_id, limit=120))

    assert [e.details["number"] for e in events] == list(range(149, 29, -1))


def test_the_command_lists_who_did_what(as_ada: dict[str, str], experiment: Experiment) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["history", experiment.pluto_id], env=as_ada)
    text = runner.invoke(cli, ["history", experiment.pluto_id], env=as_ada)
    as_json = runner.invoke(cli, ["history", experiment.pluto_id, "--json"], env=as_ada)

    assert text.exit_code == 0, text.output
    assert "ada@example.org" in text.output and experiment.name in text.output
    assert [item["action"] for item in json.loads(as_json.output)] == ["experiment_created"]


def test_the_command_says_when_the_experiment_is_not_found(as_ada: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["history", "PLX999999"], env=as_ada)

    assert result.exit_code == 1
    assert "PLX999999 was not found" in result.output


R_SCRIPT = r"""
source(url("%URL%/sdk/pluto.R"))
history <- pluto_get_experiment_history("%EXPERIMENT%")
first <- pluto_get_experiment_history("%EXPERIMENT%", limit = 3)
cat(jsonlite::toJSON(list(
  rows = nrow(history), names = names(history), newest = history$description[1],
  oldest = history$action[nrow(history)], limited = nrow(first), email = history$actor_email[1]
), auto_unbox = TRUE))
"""


def test_the_r_client_reads_every_page_as_a_data_frame(
    live_server: Any, ada: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    edits(experiment, ada, 120)
    script = tmp_path / "history.R"
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
    assert seen["rows"] == 121 and seen["limited"] == 3
    assert seen["names"] == ["created_at", "action", "description", "actor_email", "uuid"]
    assert seen["newest"] == "Edit 119." and seen["oldest"] == "experiment_created"
    assert seen["email"] == ada.user.email
