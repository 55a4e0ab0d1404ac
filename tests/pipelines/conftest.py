"""Helpers for pipelines tests: an experiment with a sample table, runs and workflows over
HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import put_table

SAMPLE_CSV = b"sample_id,condition\nS1,treated\nS2,control\nS3,treated\n"
ASSAY_CSV = "gene_symbol,S1,S2,S3\nACTB,10,20,30\nGAPDH,5,0,15\nTP53,1,2,3\n"
OTHER_ASSAY_CSV = "gene_symbol,S1,S2,S3\nACTB,1,2,3\nMYC,4,5,6\n"


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """ada's raw-count RNA-seq experiment with a sample table of S1, S2 and S3."""
    experiment = make_experiment(ada.user, make_project(ada.user))
    assert put_table(ada, experiment, "sample", SAMPLE_CSV).status == 200
    return experiment


def base(experiment: Experiment) -> str:
    """``/lab/experiments/<exp>``."""
    return f"/lab/experiments/{experiment.pluto_id}"


def start_run(
    caller: Caller, experiment: Experiment, parameters: Any = None, pipeline: str = "assay_import"
) -> Any:
    """POST a run; the response."""
    body = {"pipeline": pipeline, "parameters": parameters or {"csv": ASSAY_CSV}}
    return caller.call("POST", f"{base(experiment)}/pipeline-runs/", body)


def completed_workflow(caller: Caller, experiment: Experiment, csv: str = ASSAY_CSV) -> str:
    """The uuid of the completed workflow of a new run on ``csv``."""
    answer = start_run(caller, experiment, {"csv": csv})
    assert answer.status_code == 201, answer.data
    assert answer.data["status"] == "completed", answer.data
    workflow: str = answer.data["workflow"]
    return workflow


def workflow_path(experiment: Experiment, workflow: str, action: str = "") -> str:
    """``…/workflows/<wf>/<action>``."""
    return f"{base(experiment)}/workflows/{workflow}/{action}"


def assay_versions(caller: Caller, experiment: Experiment) -> list[dict[str, Any]]:
    """The assay table's versions."""
    answer = caller.call("GET", f"{base(experiment)}/assay-data/versions/")
    assert answer.status_code == 200, answer.data
    items: list[dict[str, Any]] = answer.data["items"]
    return items
