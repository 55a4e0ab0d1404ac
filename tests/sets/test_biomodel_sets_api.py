"""Biomodel sets over the API: a declared schema, rows checked against it, pages, archive."""

from __future__ import annotations

import uuid
from typing import Any

from pluto.server.orgs import services as orgs
from tests.conftest import Caller

SETS = "/lab/biomodel-sets/"
COLUMNS = [
    {"name": "cell_line", "type": "text"},
    {"name": "doubling_hours", "type": "number"},
    {"name": "is_primary", "type": "boolean"},
    {"name": "acquired", "type": "date"},
]


def create(caller: Caller, name: str = "Cell lines") -> dict[str, Any]:
    body = {"name": name, "schema_definition": {"columns": COLUMNS}}
    response = caller.call("POST", SETS, body)
    assert response.status_code == 201, response.data
    data: dict[str, Any] = response.data
    return data


def upload(caller: Caller, set_uuid: str, text: str) -> Any:
    return caller.client.post(
        f"{SETS}{set_uuid}/upload-csv/",
        data=text,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {caller.key}",
    )


def test_the_list_is_a_bare_array_of_created_sets(ada: Caller) -> None:
    assert ada.call("GET", SETS).data == []
    created = create(ada)
    assert uuid.UUID(created["uuid"])
    assert created["schema_definition"] == {"columns": COLUMNS}
    assert created["biomodel_count"] == 0
    assert ada.call("GET", SETS).data == [created]
    assert ada.call("GET", "/lab/biomodel-sets").data == [created]
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data == created


def test_a_bad_schema_is_400_naming_the_column(ada: Caller) -> None:
    bad_type = [{"name": "age", "type": "integer"}]
    response = ada.call("POST", SETS, {"name": "P", "schema_definition": {"columns": bad_type}})
    assert response.status_code == 400
    assert response.data["details"] == {
        "field": "schema_definition.columns.0.type",
        "column": "age",
    }
    twice = [{"name": "age", "type": "number"}, {"name": "age", "type": "text"}]
    response = ada.call("POST", SETS, {"name": "P", "schema_definition": {"columns": twice}})
    assert response.data["details"]["field"] == "schema_definition.columns.1.name"
    none = ada.call("POST", SETS, {"name": "P", "schema_definition": {"columns": []}})
    assert none.status_code == 400
    assert none.data["details"]["field"] == "schema_definition.columns"


def test_rows_are_checked_against_the_schema(ada: Caller) -> None:
    created = create(ada)
    path = f"{SETS}{created['uuid']}/biomodels/"
    row = {
        "cell_line": "HeLa",
        "doubling_hours": 23.5,
        "is_primary": False,
        "acquired": "2024-03-01",
    }
    added = ada.call("POST", path, row)
    assert added.status_code == 201
    assert added.data == {"uuid": added.data["uuid"], **row}
    wrong = ada.call("POST", path, {"cell_line": "A549", "doubling_hours": "fast"})
    assert wrong.status_code == 400
    assert wrong.data["details"] == {"column": "doubling_hours"}
    assert "doubling_hours" in wrong.data["message"]
    bad_date = ada.call("POST", path, {"cell_line": "A549", "acquired": "March"})
    assert bad_date.data["details"] == {"column": "acquired"}
    unknown = ada.call("POST", path, {"cell_line": "A549", "tissue": "lung"})
    assert unknown.data["details"] == {"column": "tissue"}


def test_rows_page_with_headers_count_and_search(ada: Caller) -> None:
    created = create(ada)
    response = upload(
        ada,
        created["uuid"],
        "cell_line,doubling_hours,is_primary,acquired\n"
        "HeLa,23,no,2024-03-01\nA549,22.5,no,\nMCF7,,yes,2023-12-31\n",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"added": 3, "count": 3}
    page = ada.call("GET", f"{SETS}{created['uuid']}/biomodels/?offset=1&limit=1").data
    assert page["headers"] == ["cell_line", "doubling_hours", "is_primary", "acquired"]
    assert page["count"] == 3
    [a549] = page["items"]
    assert a549["cell_line"] == "A549"
    assert a549["doubling_hours"] == 22.5
    assert a549["is_primary"] is False
    assert a549["acquired"] is None
    found = ada.call("GET", f"{SETS}{created['uuid']}/biomodels/?search=mcf").data
    assert [r["cell_line"] for r in found["items"]] == ["MCF7"]
    assert found["items"][0]["doubling_hours"] is None
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data["biomodel_count"] == 3


def test_a_bad_csv_row_names_row_and_column_and_adds_nothing(ada: Caller) -> None:
    created = create(ada)
    response = upload(ada, created["uuid"], "cell_line,is_primary\nHeLa,no\nA549,maybe\n")
    assert response.status_code == 400
    assert response.json()["details"] == {"row": 3, "column": "is_primary"}
    assert "Row 3" in response.json()["message"]
    unknown = upload(ada, created["uuid"], "cell_line,tissue\nHeLa,cervix\n")
    assert unknown.json()["details"] == {"row": 2, "column": "tissue"}
    page = ada.call("GET", f"{SETS}{created['uuid']}/biomodels/").data
    assert page["count"] == 0


def test_columns_lists_the_schema(ada: Caller) -> None:
    created = create(ada)
    assert ada.call("GET", f"{SETS}{created['uuid']}/columns/").data == COLUMNS


def test_archiving_is_a_get_and_hides_the_set(ada: Caller, bob: Caller) -> None:
    created = create(ada)
    assert bob.call("GET", f"{SETS}{created['uuid']}/archive/").status_code == 404
    archived = ada.call("GET", f"{SETS}{created['uuid']}/archive")
    assert archived.status_code == 200
    assert archived.data["is_archived"] is True
    assert ada.call("GET", SETS).data == []
    row = ada.call("POST", f"{SETS}{created['uuid']}/biomodels/", {"cell_line": "HeLa"})
    assert row.status_code == 409


def test_a_guest_reads_an_organizations_tables_but_does_not_change_them(
    ada: Caller, bob: Caller
) -> None:
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    orgs.add_member(lab, bob.user, "guest")
    header = {"HTTP_ORGANIZATION": str(lab.uuid)}
    body = {"name": "Patients", "schema_definition": {"columns": [{"name": "id", "type": "text"}]}}
    created = ada.call("POST", SETS, body, **header).data
    assert [s["name"] for s in bob.call("GET", SETS).data] == ["Patients"]
    assert bob.call("POST", SETS, body, **header).status_code == 403
    row = bob.call("POST", f"{SETS}{created['uuid']}/biomodels/", {"id": "P1"})
    assert row.status_code == 403
    assert bob.call("GET", f"{SETS}{created['uuid']}/archive/").status_code == 403
    own = bob.call("GET", SETS, HTTP_ORGANIZATION=str(orgs.personal_organization(bob.user).uuid))
    assert own.data == []
