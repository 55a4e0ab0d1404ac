"""Accepting publishes everything or nothing: a failure leaves the previous version current."""

from __future__ import annotations

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.pipelines.models import Workflow
from pluto.server.storage import get_storage
from pluto.server.tables.models import Dataset
from tests.conftest import Caller
from tests.pipelines.conftest import (
    OTHER_ASSAY_CSV,
    SAMPLE_CSV,
    assay_versions,
    completed_workflow,
    workflow_path,
)
from tests.tables.conftest import put_table


def test_a_missing_cpm_file_publishes_nothing(ada: Caller, experiment: Experiment) -> None:
    first = completed_workflow(ada, experiment)
    ada.call("POST", workflow_path(experiment, first, "accept/"))
    second = completed_workflow(ada, experiment, OTHER_ASSAY_CSV)
    candidate = Workflow.objects.get(uuid=second).candidate
    # The version's row is written before the CPM file is found missing.
    get_storage().delete(candidate["cpm"]["storage_key"])
    files_before = ExperimentFile.objects.filter(experiment=experiment).count()

    answer = ada.call("POST", workflow_path(experiment, second, "accept/"))

    assert answer.status_code == 409, answer.data
    assert "CPM file is no longer stored" in answer.data["message"]
    assert "nothing was published" in answer.data["message"]
    versions = assay_versions(ada, experiment)
    assert [(v["version"], v["current"]) for v in versions] == [(1, True)]
    assert not Dataset.objects.filter(uuid=candidate["assay"]["dataset_uuid"]).exists()
    assert ExperimentFile.objects.filter(experiment=experiment).count() == files_before
    workflow = ada.call("GET", workflow_path(experiment, second)).data
    assert workflow["status"] == "completed" and workflow["accepted_at"] is None


def test_a_sample_table_changed_since_the_run_blocks_the_accept(
    ada: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)
    changed = SAMPLE_CSV.replace(b"S3,treated", b"S4,treated")
    assert put_table(ada, experiment, "sample", changed).status == 200

    answer = ada.call("POST", workflow_path(experiment, workflow, "accept/"))

    assert answer.status_code == 400
    assert "S4" in answer.data["message"]
    assert assay_versions(ada, experiment) == []
    assert ada.call("GET", workflow_path(experiment, workflow)).data["status"] == "completed"


def test_a_failed_run_leaves_no_stored_objects(ada: Caller, experiment: Experiment) -> None:
    before = set(stored_keys())

    answer = ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/pipeline-runs/",
        {"pipeline": "assay_import", "parameters": {"csv": "gene_symbol,S1,S2,S3\nA,1,x,3\n"}},
    )

    assert answer.data["status"] == "failed"
    assert "x" in answer.data["error"]
    new = set(stored_keys()) - before
    assert all(key.startswith("pipelines/") for key in new), new


def stored_keys() -> list[str]:
    """Every key in the object store."""
    return list(get_storage().keys())
