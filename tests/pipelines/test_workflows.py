"""Pipelines, runs and workflows over HTTP: the assay import from run to accepted version."""

from __future__ import annotations

from pluto.server.files.models import ExperimentFile
from pluto.server.files.services import attach_file
from pluto.server.history.models import HistoryEvent
from pluto.server.lab.models import Experiment
from pluto.server.tables.models import Dataset
from tests.conftest import Caller, make_experiment, make_project
from tests.pipelines.conftest import (
    ASSAY_CSV,
    OTHER_ASSAY_CSV,
    assay_versions,
    base,
    completed_workflow,
    start_run,
    workflow_path,
)


def test_an_rnaseq_experiment_lists_the_assay_import_pipeline(
    ada: Caller, experiment: Experiment
) -> None:
    answer = ada.call("GET", f"{base(experiment)}/pipelines/")

    assert answer.status_code == 200
    by_name = {item["shortname"]: item for item in answer.data["items"]}
    assert sorted(by_name) == ["assay_import", "bulk_rnaseq"]
    pipeline = by_name["assay_import"]
    assert pipeline["uuid"] == "6f1c0e52-4b7e-4d0a-9a57-2f3a8c1d5e01"
    assert {"uuid", "name", "version", "description", "parameters"} <= set(pipeline)
    assert "csv" in pipeline["parameters"]["properties"]


def test_a_single_cell_experiment_has_no_bulk_pipelines(ada: Caller) -> None:
    single_cell = make_experiment(ada.user, make_project(ada.user), type="scrnaseq")

    answer = ada.call("GET", f"{base(single_cell)}/pipelines/")

    assert answer.status_code == 200 and answer.data == {"count": 0, "items": []}


def test_a_run_completes_with_a_workflow_to_review_and_publishes_nothing(
    ada: Caller, experiment: Experiment
) -> None:
    answer = start_run(ada, experiment)

    assert answer.status_code == 201, answer.data
    run = answer.data
    assert run["status"] == "completed" and run["pipeline"] == "assay_import"
    assert run["parameters"] == {"filename": "assay.csv"}
    assert run["outputs"]["assay_data"]["features"] == 3
    assert run["outputs"]["assay_data"]["samples"] == 3
    assert run["outputs"]["assay_data"]["version"] is None
    assert run["finished_at"] is not None
    assert assay_versions(ada, experiment) == []
    assert not ExperimentFile.objects.filter(experiment=experiment).exists()

    workflow = ada.call("GET", workflow_path(experiment, run["workflow"]))
    assert workflow.status_code == 200
    assert workflow.data["status"] == "completed"
    assert workflow.data["run"] == run["uuid"]

    runs = ada.call("GET", f"{base(experiment)}/pipeline-runs/")
    assert [item["uuid"] for item in runs.data["items"]] == [run["uuid"]]


def test_the_workflow_steps_are_a_bare_array_in_order(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)

    answer = ada.call("GET", workflow_path(experiment, workflow, "preprocesses/"))

    assert answer.status_code == 200
    assert isinstance(answer.data, list)
    assert [(s["order"], s["name"], s["status"]) for s in answer.data] == [
        (1, "validate", "completed"),
        (2, "normalise", "completed"),
        (3, "store", "completed"),
    ]
    assert "3 features and 3 samples" in answer.data[0]["message"]


def test_accepting_publishes_the_version_and_its_cpm_file(
    ada: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)

    answer = ada.call("POST", workflow_path(experiment, workflow, "accept/"), [])

    assert answer.status_code == 200, answer.data
    assert answer.data["status"] == "accepted"
    assert answer.data["accepted_by"] == ada.user.email
    assert answer.data["outputs"]["assay_data"]["version"] == 1
    versions = assay_versions(ada, experiment)
    assert [(v["version"], v["current"]) for v in versions] == [(1, True)]
    table = ada.call("GET", f"{base(experiment)}/assay-data/")
    assert table.status_code == 200
    files = ada.call("GET", f"{base(experiment)}/files/?data_type=assay_data_cpm")
    cpm = files.data["assay_data_cpm"]["items"]
    assert [f["uuid"] for f in cpm] == [f["uuid"] for f in answer.data["outputs"]["files"]]
    event = HistoryEvent.objects.filter(experiment=experiment).order_by("-id").first()
    assert event is not None and event.action == "workflow_accepted"


def test_a_second_accept_is_refused_naming_the_state(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)
    ada.call("POST", workflow_path(experiment, workflow, "accept/"))

    again = ada.call("POST", workflow_path(experiment, workflow, "accept/"))

    assert again.status_code == 409
    assert again.data["code"] == "conflict"
    assert "is accepted" in again.data["message"] and "only a completed" in again.data["message"]
    assert again.data["details"]["status"] == "accepted"
    assert len(assay_versions(ada, experiment)) == 1


def test_a_table_whose_samples_do_not_match_makes_a_failed_run(
    ada: Caller, experiment: Experiment
) -> None:
    answer = start_run(ada, experiment, {"csv": "gene_symbol,S1,S9\nACTB,1,2\n"})

    assert answer.status_code == 201
    assert answer.data["status"] == "failed"
    assert "S9" in answer.data["error"]
    workflow = answer.data["workflow"]
    steps = ada.call("GET", workflow_path(experiment, workflow, "preprocesses/")).data
    assert [s["status"] for s in steps] == ["failed", "pending", "pending"]
    assert "S9" in steps[0]["message"]
    accept = ada.call("POST", workflow_path(experiment, workflow, "accept/"))
    assert accept.status_code == 409
    assert "is failed" in accept.data["message"]


def test_a_run_reads_an_attached_file(ada: Caller, experiment: Experiment) -> None:
    attached = attach_file(ada.user, experiment, "counts.csv", ASSAY_CSV.encode())

    answer = start_run(ada, experiment, {"file_id": str(attached.uuid), "name": "From file"})

    assert answer.status_code == 201, answer.data
    assert answer.data["status"] == "completed"
    workflow = ada.call("GET", workflow_path(experiment, answer.data["workflow"])).data
    assert workflow["name"] == "From file"
    assert workflow["outputs"]["assay_data"]["source_filename"] == "counts.csv"


def test_bad_bodies_are_refused_naming_the_field(ada: Caller, experiment: Experiment) -> None:
    cases = [
        ({"pipeline": "rna_magic", "parameters": {"csv": ASSAY_CSV}}, "pipeline"),
        ({"parameters": {"csv": ASSAY_CSV}}, "pipeline"),
        ({"pipeline": "assay_import", "parameters": {"csv": ASSAY_CSV, "x": 1}}, "parameters.x"),
        ({"pipeline": "assay_import", "parameters": {}}, "parameters.file_id"),
        (
            {"pipeline": "assay_import", "parameters": {"csv": ASSAY_CSV, "file_id": "f"}},
            "parameters.file_id",
        ),
        ({"pipeline": "assay_import", "parameters": {"file_id": "nope"}}, "parameters.file_id"),
        ({"pipeline": "assay_import", "parameters": {"csv": 3}}, "parameters.csv"),
        ({"pipeline": "assay_import", "parameters": "csv"}, "parameters"),
        ({"pipeline": "assay_import", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        answer = ada.call("POST", f"{base(experiment)}/pipeline-runs/", body)
        assert answer.status_code == 400, (body, answer.data)
        assert answer.data["details"]["field"] == field, (body, answer.data)
        assert field.split(".")[-1] in answer.data["message"]
    assert not ada.call("GET", f"{base(experiment)}/pipeline-runs/").data["items"]


def test_archiving_takes_a_workflow_off_the_list_once(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)

    archived = ada.call("POST", workflow_path(experiment, workflow, "archive/"))
    again = ada.call("POST", workflow_path(experiment, workflow, "archive/"))
    accept = ada.call("POST", workflow_path(experiment, workflow, "accept/"))

    assert archived.status_code == 200 and archived.data["is_archived"] is True
    assert again.status_code == 409 and "already archived" in again.data["message"]
    assert accept.status_code == 409 and "archived" in accept.data["message"]
    listed = ada.call("GET", f"{base(experiment)}/workflows/").data
    assert listed == {"count": 0, "items": []}
    shelved = ada.call("GET", f"{base(experiment)}/workflows/?is_archived=true").data
    assert [w["uuid"] for w in shelved["items"]] == [workflow]


def test_the_workflow_list_answers_without_its_trailing_slash(
    ada: Caller, experiment: Experiment
) -> None:
    workflow = completed_workflow(ada, experiment)

    answer = ada.call("GET", f"{base(experiment)}/workflows")
    steps = ada.call("GET", workflow_path(experiment, workflow, "preprocesses"))

    assert answer.status_code == 200
    assert [w["uuid"] for w in answer.data["items"]] == [workflow]
    assert steps.status_code == 200 and len(steps.data) == 3


def test_a_copy_runs_again_on_the_same_table(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)

    copy = ada.call("POST", workflow_path(experiment, workflow, "copy/"), [])
    named = ada.call("POST", workflow_path(experiment, workflow, "copy/"), {"name": "Again"})

    assert copy.status_code == 201, copy.data
    assert copy.data["copied_from"] == workflow and copy.data["status"] == "completed"
    assert copy.data["uuid"] != workflow
    assert copy.data["name"].startswith("Copy of ")
    assert named.status_code == 201 and named.data["name"] == "Again"
    listed = ada.call("GET", f"{base(experiment)}/workflows/").data
    assert listed["count"] == 3


def test_a_copy_with_a_new_table_is_accepted_as_the_next_version(
    ada: Caller, experiment: Experiment
) -> None:
    first = completed_workflow(ada, experiment)
    ada.call("POST", workflow_path(experiment, first, "accept/"))

    copy = ada.call(
        "POST", workflow_path(experiment, first, "copy/"), {"parameters": {"csv": OTHER_ASSAY_CSV}}
    )
    accepted = ada.call("POST", workflow_path(experiment, copy.data["uuid"], "accept/"))

    assert accepted.status_code == 200, accepted.data
    assert accepted.data["outputs"]["assay_data"]["features"] == 2
    versions = assay_versions(ada, experiment)
    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]


def test_a_copy_with_a_bad_body_is_refused(ada: Caller, experiment: Experiment) -> None:
    workflow = completed_workflow(ada, experiment)

    listed = ada.call("POST", workflow_path(experiment, workflow, "copy/"), [1])
    unknown = ada.call("POST", workflow_path(experiment, workflow, "copy/"), {"colour": "red"})

    assert listed.status_code == 400 and listed.data["details"]["field"] == "body"
    assert unknown.status_code == 400 and unknown.data["details"]["field"] == "colour"


def test_unknown_and_malformed_workflow_ids(ada: Caller, experiment: Experiment) -> None:
    missing = ada.call("GET", workflow_path(experiment, "6f1c0e52-4b7e-4d0a-9a57-2f3a8c1d5e99"))
    malformed = ada.call("GET", workflow_path(experiment, "nope"))

    assert missing.status_code == 404
    assert malformed.status_code == 400 and malformed.data["code"] == "invalid_object_id"


def test_no_dataset_rows_exist_for_a_run_until_it_is_accepted(
    ada: Caller, experiment: Experiment
) -> None:
    completed_workflow(ada, experiment)

    assert not Dataset.objects.filter(experiment=experiment, kind="assay").exists()
