"""Annotation sets over HTTP: upload a table of cells and clusters, read, rename, recolour."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pluto.server.annotations.palette import PALETTE
from pluto.server.history.models import HistoryEvent
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project

CELLS = b"cell_id,cluster\nAAAC-1,0\nAAAG-1,1\nAACT-1,0\nAAGT-1,2\n"


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    project = make_project(ada.user, "Immune atlas")
    return make_experiment(ada.user, project, "PBMC 10x", type="scrnaseq")


def sets_path(experiment: Experiment, suffix: str = "") -> str:
    return f"/lab/experiments/{experiment.pluto_id}/annotation-sets/{suffix}"


def upload(caller: Caller, experiment: Experiment, data: bytes = CELLS, query: str = "") -> Any:
    """POST a CSV as the raw body."""
    response = caller.client.post(
        sets_path(experiment) + (f"?{query}" if query else ""),
        data=data,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {caller.key}",
    )
    response.data = response.json() if response.content else None
    return response


def test_an_experiment_without_sets_lists_an_empty_bare_array(
    ada: Caller, experiment: Experiment
) -> None:
    response = ada.call("GET", sets_path(experiment))

    assert response.status_code == 200
    assert response.data == []


def test_an_uploaded_table_becomes_a_set_with_numbered_coloured_clusters(
    ada: Caller, experiment: Experiment
) -> None:
    response = upload(ada, experiment, query="display_name=Leiden&resolution=0.8")

    assert response.status_code == 201, response.data
    created = response.data
    assert (created["display_name"], created["resolution"], created["cell_count"]) == (
        "Leiden",
        0.8,
        4,
    )
    clusters = created["clusters"]
    assert [c["number"] for c in clusters] == [0, 1, 2]
    assert [c["display_name"] for c in clusters] == ["Cluster 0", "Cluster 1", "Cluster 2"]
    assert [c["color"] for c in clusters] == list(PALETTE[:3])
    assert [c["cell_count"] for c in clusters] == [2, 1, 1]
    assert all(len(c["uuid"]) == 36 for c in clusters)


def test_the_list_and_detail_have_the_contract_shape(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data

    listed = ada.call("GET", sets_path(experiment))
    detail = ada.call("GET", sets_path(experiment, f"{created['uuid']}/"))

    assert listed.status_code == 200 and detail.status_code == 200
    assert isinstance(listed.data, list) and listed.data[0] == detail.data == created
    for key in ("uuid", "display_name", "resolution", "clusters", "created_at"):
        assert key in detail.data
    assert detail.data["display_name"] == "Clusters at resolution 1"
    assert isinstance(detail.data["resolution"], float)


def test_the_list_answers_without_its_trailing_slash(ada: Caller, experiment: Experiment) -> None:
    upload(ada, experiment)

    response = ada.call("GET", f"/lab/experiments/{experiment.pluto_id}/annotation-sets")

    assert response.status_code == 200 and len(response.data) == 1


def test_the_cells_assignments_are_listed_in_upload_order(
    ada: Caller, experiment: Experiment
) -> None:
    created = upload(ada, experiment).data

    response = ada.call("GET", sets_path(experiment, f"{created['uuid']}/annotations/"))

    assert response.status_code == 200
    assert response.data["count"] == 4
    assert response.data["items"] == [
        {"cell_id": "AAAC-1", "cluster_number": 0},
        {"cell_id": "AAAG-1", "cluster_number": 1},
        {"cell_id": "AACT-1", "cluster_number": 0},
        {"cell_id": "AAGT-1", "cluster_number": 2},
    ]


def test_assignments_come_a_page_at_a_time_when_asked(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data

    response = ada.call(
        "GET", sets_path(experiment, f"{created['uuid']}/annotations/?offset=1&limit=2")
    )

    assert response.data["count"] == 4
    assert [item["cell_id"] for item in response.data["items"]] == ["AAAG-1", "AACT-1"]


def test_a_multipart_upload_takes_its_fields_from_the_form(
    ada: Caller, experiment: Experiment
) -> None:
    response = ada.client.post(
        sets_path(experiment),
        data={
            "file": SimpleUploadedFile("clusters.csv", CELLS, content_type="text/csv"),
            "display_name": "Louvain",
            "resolution": "1.2",
        },
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    assert response.status_code == 201, response.json()
    assert (response.json()["display_name"], response.json()["resolution"]) == ("Louvain", 1.2)


def test_cluster_names_in_the_table_become_display_names(
    ada: Caller, experiment: Experiment
) -> None:
    table = b"Cell_ID,Cluster,Cluster_Name\nA,1,T cells\nB,2,B cells\nC,1,T cells\n"

    response = upload(ada, experiment, table)

    assert response.status_code == 201, response.data
    assert [c["display_name"] for c in response.data["clusters"]] == ["T cells", "B cells"]


@pytest.mark.parametrize(
    "table, row, column, words",
    [
        (b"cell_id,cluster\nA,0\nB,two\n", 3, "cluster", "whole number"),
        (b"cell_id,cluster\nA,0\n,1\n", 3, "cell_id", "empty"),
        (b"cell_id,cluster\nA,0\nB,-1\n", 3, "cluster", "whole number"),
        (b"cell_id,cluster\nA,0\nB,1\nA,1\n", 4, "cell_id", "already assigned in row 2"),
        (b"cell_id,cluster,cluster_name\nA,0,T\nB,0,B\n", 3, "cluster_name", "already named"),
    ],
)
def test_a_bad_cell_is_refused_naming_its_row_and_column(
    ada: Caller, experiment: Experiment, table: bytes, row: int, column: str, words: str
) -> None:
    response = upload(ada, experiment, table)

    assert response.status_code == 400
    assert response.data["details"] == {"row": row, "column": column}
    assert f"Row {row}, column '{column}'" in response.data["message"]
    assert words in response.data["message"]
    assert ada.call("GET", sets_path(experiment)).data == []


def test_a_table_without_a_cluster_column_is_refused_naming_it(
    ada: Caller, experiment: Experiment
) -> None:
    response = upload(ada, experiment, b"cell_id,group\nA,0\n")

    assert response.status_code == 400
    assert response.data["details"] == {"column": "cluster", "row": 1}
    assert "cell_id, group" in response.data["message"]


def test_a_table_with_only_a_header_is_refused(ada: Caller, experiment: Experiment) -> None:
    response = upload(ada, experiment, b"cell_id,cluster\n")

    assert response.status_code == 400
    assert "no cells" in response.data["message"]


@pytest.mark.parametrize("value", ["fast", "0", "-1", "nan"])
def test_a_bad_resolution_is_refused_naming_it(
    ada: Caller, experiment: Experiment, value: str
) -> None:
    response = upload(ada, experiment, query=f"resolution={value}")

    assert response.status_code == 400
    assert response.data["details"] == {"field": "resolution"}


def test_a_cluster_gets_a_new_name_and_colour(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data
    cluster = created["clusters"][1]
    path = sets_path(experiment, f"{created['uuid']}/clusters/{cluster['uuid']}/")

    response = ada.call("PATCH", path, {"display_name": "NK cells", "color": "#AA00ff"})

    assert response.status_code == 200, response.data
    assert (response.data["display_name"], response.data["color"]) == ("NK cells", "#aa00ff")
    detail = ada.call("GET", sets_path(experiment, f"{created['uuid']}/")).data
    assert detail["clusters"][1]["display_name"] == "NK cells"
    assert HistoryEvent.objects.filter(
        experiment=experiment, action="annotation_cluster_changed"
    ).exists()


def test_a_cluster_can_be_addressed_by_its_number(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data

    response = ada.call(
        "PATCH", sets_path(experiment, f"{created['uuid']}/clusters/2/"), {"color": "#000000"}
    )

    assert response.status_code == 200 and response.data["number"] == 2


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "#gggggg", 255])
def test_a_colour_not_written_rrggbb_is_refused(
    ada: Caller, experiment: Experiment, colour: Any
) -> None:
    created = upload(ada, experiment).data
    path = sets_path(experiment, f"{created['uuid']}/clusters/0/")

    response = ada.call("PATCH", path, {"color": colour})

    assert response.status_code == 400
    assert response.data["details"] == {"field": "color"}
    assert "#rrggbb" in response.data["message"]


def test_an_unknown_cluster_field_is_refused_naming_it(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data

    response = ada.call(
        "PATCH", sets_path(experiment, f"{created['uuid']}/clusters/0/"), {"number": 7}
    )

    assert response.status_code == 400 and response.data["details"]["field"] == "number"


def test_a_set_can_be_renamed_and_deleted(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data
    path = sets_path(experiment, f"{created['uuid']}/")

    renamed = ada.call("PATCH", path, {"display_name": "Final clusters"})
    deleted = ada.call("DELETE", path)

    assert renamed.status_code == 200 and renamed.data["display_name"] == "Final clusters"
    assert deleted.status_code == 204
    assert ada.call("GET", path).status_code == 404


def test_someone_who_cannot_see_the_experiment_gets_404(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    created = upload(ada, experiment).data

    assert bob.call("GET", sets_path(experiment)).status_code == 404
    assert bob.call("GET", sets_path(experiment, f"{created['uuid']}/")).status_code == 404
    assert upload(bob, experiment).status_code == 404


def test_a_viewer_reads_sets_but_may_not_add_or_change_them(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    created = upload(ada, experiment).data
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )
    cluster_path = sets_path(experiment, f"{created['uuid']}/clusters/0/")

    assert bob.call("GET", sets_path(experiment)).data == [created]
    assert upload(bob, experiment).status_code == 403
    assert bob.call("PATCH", cluster_path, {"color": "#000000"}).status_code == 403


def test_a_malformed_set_id_is_400_and_an_unknown_one_404(
    ada: Caller, experiment: Experiment
) -> None:
    malformed = ada.call("GET", sets_path(experiment, "not-a-uuid/"))
    unknown = ada.call("GET", sets_path(experiment, "6f1c1d3e-4a1b-4c1d-9e1f-0a1b2c3d4e5f/"))

    assert malformed.status_code == 400 and malformed.data["code"] == "invalid_object_id"
    assert unknown.status_code == 404


def test_a_set_of_another_experiment_is_not_found_here(ada: Caller, experiment: Experiment) -> None:
    created = upload(ada, experiment).data
    other = make_experiment(ada.user, experiment.project, "Second run")

    response = ada.call("GET", sets_path(other, f"{created['uuid']}/"))

    assert response.status_code == 404
