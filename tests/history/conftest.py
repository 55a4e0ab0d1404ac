"""Helpers for history tests: an experiment and reading its history over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """ada's RNA-seq experiment of raw counts."""
    return make_experiment(ada.user, make_project(ada.user))


def history_path(experiment: Experiment, cursor: str | None = None) -> str:
    """``/lab/experiments/<exp>/history/`` (at a cursor)."""
    path = f"/lab/experiments/{experiment.pluto_id}/history/"
    return f"{path}?cursor={cursor}" if cursor else path


def history(caller: Caller, experiment: Experiment, cursor: str | None = None) -> dict[str, Any]:
    """One page of the experiment's history as ``caller`` reads it."""
    answer = caller.call("GET", history_path(experiment, cursor))
    assert answer.status_code == 200, answer.data
    page: dict[str, Any] = answer.data
    return page


def actions(caller: Caller, experiment: Experiment) -> list[str]:
    """The actions of the newest page, newest first."""
    return [item["action"] for item in history(caller, experiment)["items"]]
