"""Helpers of program tests: a program made over the API and evidence to add to it."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.analyses.models import Analysis
from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """ada's RNA-seq experiment."""
    return make_experiment(ada.user, make_project(ada.user), "Tumour vs normal RNA-seq")


@pytest.fixture
def analysis(experiment: Experiment, ada: Caller) -> Analysis:
    """A differential expression analysis of ada's experiment."""
    return Analysis.objects.create(
        experiment=experiment,
        analysis_type="differential_expression",
        name="Tumour vs normal",
        created_by=ada.user,
    )


@pytest.fixture
def attachment(experiment: Experiment, ada: Caller) -> ExperimentFile:
    """A file kept with ada's experiment."""
    return ExperimentFile.objects.create(
        experiment=experiment,
        filename="protocol.pdf",
        display_name="Protocol",
        data_type="attachment",
        created_by=ada.user,
    )


def create_program(caller: Caller, **fields: Any) -> dict[str, Any]:
    """A program made over the API (from the target validation template by default)."""
    body = {"name": "KRAS G12C target validation", "template": "target_validation", **fields}
    answer = caller.call("POST", "/programs/", body)
    assert answer.status_code == 201, answer.data
    created: dict[str, Any] = answer.data
    return created


@pytest.fixture
def program(ada: Caller) -> dict[str, Any]:
    """ada's program, with the five dimensions of the target validation template."""
    return create_program(ada, goal="Decide whether to start a KRAS G12C inhibitor screen.")


def add_asset(caller: Caller, program: dict[str, Any], **body: Any) -> Any:
    """``POST programs/<p>/assets/``: the response."""
    return caller.call("POST", f"/programs/{program['uuid']}/assets/", body)
