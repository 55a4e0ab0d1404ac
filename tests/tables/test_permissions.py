"""Who may read and change an experiment's tables."""

from __future__ import annotations

import pytest
from django.test import Client

from pluto.server.lab.models import Experiment
from tests.conftest import Caller, api_call
from tests.tables.conftest import SAMPLE_CSV, answer_of, get_table, put_table, table_path


@pytest.fixture
def viewer(ada: Caller, bob: Caller, experiment: Experiment) -> Caller:
    """bob, a viewer of ada's experiment (which has a sample table)."""
    path = f"/lab/experiments/{experiment.pluto_id}/members/"
    added = ada.call("POST", path, {"email": bob.user.email, "role": "viewer"})
    assert added.status_code == 201, added.data
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    return bob


def test_a_viewer_reads_pages_versions_and_downloads(
    viewer: Caller, experiment: Experiment
) -> None:
    assert get_table(viewer, experiment, "sample").data["count"] == 3
    assert get_table(viewer, experiment, "sample", suffix="versions/").data["count"] == 1
    assert get_table(viewer, experiment, "sample", suffix="download/").data["url"]


def test_a_viewer_may_not_upload_or_restore(viewer: Caller, experiment: Experiment) -> None:
    upload = put_table(viewer, experiment, "sample", SAMPLE_CSV)
    restore = answer_of(
        viewer.client.post(
            table_path(experiment, "sample", "versions/1/restore/"),
            HTTP_AUTHORIZATION=f"Token {viewer.key}",
        )
    )

    assert (upload.status, upload.data["code"]) == (403, "permission_denied")
    assert (restore.status, restore.data["code"]) == (403, "permission_denied")
    assert get_table(viewer, experiment, "sample", suffix="versions/").data["count"] == 1


def test_an_editor_may_upload(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    path = f"/lab/experiments/{experiment.pluto_id}/members/"
    ada.call("POST", path, {"email": bob.user.email, "role": "editor"})

    assert put_table(bob, experiment, "sample", SAMPLE_CSV).status == 200


def test_a_stranger_gets_not_found(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)

    for answer in (
        get_table(bob, experiment, "sample"),
        get_table(bob, experiment, "sample", suffix="download/"),
        get_table(bob, experiment, "sample", suffix="versions/"),
        put_table(bob, experiment, "sample", SAMPLE_CSV),
    ):
        assert (answer.status, answer.data["code"]) == (404, "not_found")


def test_no_token_is_not_authenticated(experiment: Experiment) -> None:
    response = api_call(Client(), "GET", table_path(experiment, "sample"))

    assert response.status_code == 401
    assert response.data["code"] == "not_authenticated"


def test_malformed_experiment_id(ada: Caller) -> None:
    response = ada.call("GET", "/lab/experiments/PLX12/sample-data/")

    assert (response.status_code, response.data["code"]) == (400, "invalid_object_id")


def test_paths_work_without_trailing_slash(ada: Caller, experiment: Experiment) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)

    response = ada.call("GET", f"/lab/experiments/{experiment.pluto_id}/sample-data")
    versions = ada.call("GET", f"/lab/experiments/{experiment.uuid}/sample-data/versions")

    assert response.status_code == 200
    assert response.data["count"] == 3
    assert versions.data["count"] == 1
