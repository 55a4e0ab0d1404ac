"""Biomarker sets over the API: create, list, search, add, CSV upload, download, archive."""

from __future__ import annotations

import uuid
from typing import Any

from pluto.server.orgs import services as orgs
from tests.conftest import Caller
from tests.downloads import fetch_url

SETS = "/lab/biomarker-sets/"


def create(caller: Caller, name: str = "Hypoxia genes", **fields: Any) -> dict[str, Any]:
    body = {"name": name, "target_type": "gene", "organism_shortname": "human", **fields}
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


def test_a_created_set_is_answered_with_201_and_its_uuid(ada: Caller) -> None:
    created = create(ada, description="Genes up in hypoxia", set_type="signature")
    assert uuid.UUID(created["uuid"])
    assert created["target_type"] == "gene"
    assert created["organism_shortname"] == "human"
    assert created["description"] == "Genes up in hypoxia"
    assert created["biomarker_count"] == 0
    assert created["is_archived"] is False
    detail = ada.call("GET", f"{SETS}{created['uuid']}/").data
    assert detail == created


def test_an_unknown_target_type_is_400_naming_the_field(ada: Caller) -> None:
    response = ada.call("POST", SETS, {"name": "X", "target_type": "lipid"})
    assert response.status_code == 400
    assert response.data["details"]["field"] == "target_type"
    assert "gene, protein, metabolite, other" in response.data["message"]
    missing = ada.call("POST", SETS, {"target_type": "gene"})
    assert missing.status_code == 400
    assert missing.data["details"]["field"] == "name"


def test_the_list_pages_with_a_default_limit_and_searches(ada: Caller) -> None:
    for name in ("Hypoxia genes", "Interferon response", "Hypoxia proteins"):
        create(ada, name)
    listed = ada.call("GET", SETS).data
    assert listed["count"] == 3
    assert [s["name"] for s in listed["items"]] == [
        "Hypoxia genes",
        "Interferon response",
        "Hypoxia proteins",
    ]
    page = ada.call("GET", f"{SETS}?offset=1&limit=1").data
    assert page["count"] == 3
    assert [s["name"] for s in page["items"]] == ["Interferon response"]
    found = ada.call("GET", f"{SETS}?search=hypoxia").data
    assert [s["name"] for s in found["items"]] == ["Hypoxia genes", "Hypoxia proteins"]
    assert ada.call("GET", f"{SETS}?limit=-1").status_code == 400


def test_sets_are_seen_by_their_organization_only(ada: Caller, bob: Caller) -> None:
    created = create(ada)
    assert bob.call("GET", SETS).data == {"count": 0, "items": []}
    assert bob.call("GET", f"{SETS}{created['uuid']}/").status_code == 404
    lab = orgs.create_organization(ada.user, "Tumour biology lab")
    in_lab = ada.call(
        "POST", SETS, {"name": "Lab set", "target_type": "protein"}, HTTP_ORGANIZATION=str(lab.uuid)
    ).data
    assert in_lab["organization"] == str(lab.uuid)
    scoped = ada.call("GET", SETS, HTTP_ORGANIZATION=str(lab.uuid)).data
    assert [s["name"] for s in scoped["items"]] == ["Lab set"]
    orgs.add_member(lab, bob.user, "guest")
    assert [s["name"] for s in bob.call("GET", SETS).data["items"]] == ["Lab set"]
    refused = bob.call("POST", f"{SETS}{in_lab['uuid']}/biomarkers/", {"name": "TP53"})
    assert refused.status_code == 403


def test_biomarkers_are_added_listed_and_searched(ada: Caller) -> None:
    created = create(ada)
    path = f"{SETS}{created['uuid']}/biomarkers/"
    for name in ("HIF1A", "VEGFA", "EPAS1"):
        added = ada.call("POST", path, {"name": name, "target_shortname": name.lower()})
        assert added.status_code == 201
        assert added.data["name"] == name
    duplicate = ada.call("POST", path, {"name": "VEGFA"})
    assert duplicate.status_code == 409
    assert ada.call("POST", path, {"target_shortname": "x"}).data["details"]["field"] == "name"
    listed = ada.call("GET", path).data
    assert listed["count"] == 3
    assert [b["name"] for b in listed["items"]] == ["HIF1A", "VEGFA", "EPAS1"]
    assert [b["name"] for b in ada.call("GET", f"{path}?search=vegf").data["items"]] == ["VEGFA"]
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data["biomarker_count"] == 3


def test_a_csv_upload_adds_new_names_and_skips_known_ones(ada: Caller) -> None:
    created = create(ada)
    ada.call("POST", f"{SETS}{created['uuid']}/biomarkers/", {"name": "HIF1A"})
    response = upload(ada, created["uuid"], "name,description\nHIF1A,known\nVEGFA,new\n\nEPAS1,\n")
    assert response.status_code == 200, response.content
    assert response.json() == {"added": 2, "skipped": 1, "count": 3}
    names = [
        b["name"] for b in ada.call("GET", f"{SETS}{created['uuid']}/biomarkers/").data["items"]
    ]
    assert names == ["HIF1A", "VEGFA", "EPAS1"]


def test_a_csv_upload_with_a_bad_row_names_it_and_adds_nothing(ada: Caller) -> None:
    created = create(ada)
    response = upload(ada, created["uuid"], "name,description\nHIF1A,x\n,no name\n")
    assert response.status_code == 400
    assert response.json()["details"] == {"row": 3, "column": "name"}
    assert "Row 3" in response.json()["message"]
    no_column = upload(ada, created["uuid"], "gene\nHIF1A\n")
    assert no_column.status_code == 400
    assert no_column.json()["details"]["column"] == "name"
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data["biomarker_count"] == 0


def test_the_download_is_a_signed_csv_link(ada: Caller) -> None:
    created = create(ada)
    upload(ada, created["uuid"], "name,target_shortname\nHIF1A,hif1a\nVEGFA,\n")
    response = ada.call("GET", f"{SETS}{created['uuid']}/download/")
    assert response.status_code == 200
    url = response.data["url"]
    csv = fetch_url(url)
    assert csv.status == 200
    assert csv.body.decode() == "name,target_shortname,description\nHIF1A,hif1a,\nVEGFA,,\n"


def test_archiving_takes_an_empty_array_body_and_hides_the_set(ada: Caller) -> None:
    created = create(ada)
    archived = ada.call("POST", f"{SETS}{created['uuid']}/archive/", [])
    assert archived.status_code == 200
    assert archived.data["is_archived"] is True
    assert ada.call("GET", SETS).data["count"] == 0
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data["is_archived"] is True
    adding = ada.call("POST", f"{SETS}{created['uuid']}/biomarkers/", {"name": "TP53"})
    assert adding.status_code == 409


def test_paths_work_without_the_trailing_slash_and_ids_are_checked(ada: Caller) -> None:
    created = create(ada)
    assert ada.call("GET", f"{SETS}{created['uuid']}").status_code == 200
    assert ada.call("GET", f"{SETS}{created['uuid']}/biomarkers").status_code == 200
    assert ada.call("GET", f"{SETS}not-a-uuid/").status_code == 400
    assert ada.call("GET", f"{SETS}{uuid.uuid4()}/").status_code == 404


def test_a_search_with_a_nul_character_is_400_naming_it(ada: Caller) -> None:
    created = create(ada)
    for path in (SETS, f"{SETS}{created['uuid']}/biomarkers/"):
        response = ada.call("GET", f"{path}?search=a%00b")
        assert response.status_code == 400
        assert response.data["details"] == {"field": "search"}
