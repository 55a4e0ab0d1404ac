"""Correcting a biomarker set: renaming it, restoring it from the archive, removing a biomarker."""

from __future__ import annotations

from tests.conftest import Caller
from tests.sets.test_biomarker_sets_api import SETS, create


def add(caller: Caller, set_uuid: str, name: str) -> str:
    response = caller.call("POST", f"{SETS}{set_uuid}/biomarkers/", {"name": name})
    assert response.status_code == 201
    return str(response.data["uuid"])


def names(caller: Caller, set_uuid: str) -> list[str]:
    items = caller.call("GET", f"{SETS}{set_uuid}/biomarkers/").data["items"]
    return [item["name"] for item in items]


def test_a_set_is_renamed_and_described(ada: Caller) -> None:
    created = create(ada)

    changed = ada.call(
        "PATCH", f"{SETS}{created['uuid']}/", {"name": "Hypoxia up", "description": "From RNA-seq"}
    )

    assert changed.status_code == 200
    assert (changed.data["name"], changed.data["description"]) == ("Hypoxia up", "From RNA-seq")
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data["name"] == "Hypoxia up"


def test_a_bad_change_names_its_field_and_changes_nothing(ada: Caller) -> None:
    created = create(ada)
    path = f"{SETS}{created['uuid']}/"

    blank = ada.call("PATCH", path, {"name": "  "})
    unknown = ada.call("PATCH", path, {"target_type": "protein"})
    not_bool = ada.call("PATCH", path, {"is_archived": "yes"})

    assert (blank.status_code, blank.data["details"]["field"]) == (400, "name")
    assert unknown.status_code == 400 and "target_type" in unknown.data["message"]
    assert (not_bool.status_code, not_bool.data["details"]["field"]) == (400, "is_archived")
    assert ada.call("GET", path).data == created


def test_an_archived_set_is_restored_before_it_changes(ada: Caller) -> None:
    created = create(ada)
    path = f"{SETS}{created['uuid']}/"
    ada.call("POST", f"{path}archive/", [])

    renamed = ada.call("PATCH", path, {"name": "Renamed"})
    restored = ada.call("PATCH", path, {"is_archived": False, "name": "Renamed"})

    assert renamed.status_code == 409 and "restore it" in renamed.data["message"]
    assert restored.status_code == 200
    assert (restored.data["is_archived"], restored.data["name"]) == (False, "Renamed")
    assert [s["name"] for s in ada.call("GET", SETS).data["items"]] == ["Renamed"]


def test_a_biomarker_added_by_mistake_is_removed(ada: Caller) -> None:
    created = create(ada)
    add(ada, created["uuid"], "VEGFA")
    mistake = add(ada, created["uuid"], "GAPDH")

    removed = ada.call("DELETE", f"{SETS}{created['uuid']}/biomarkers/{mistake}/")
    again = ada.call("DELETE", f"{SETS}{created['uuid']}/biomarkers/{mistake}/")

    assert removed.status_code == 204
    assert again.status_code == 404
    assert names(ada, created["uuid"]) == ["VEGFA"]
    assert ada.call("GET", f"{SETS}{created['uuid']}/").data["biomarker_count"] == 1


def test_an_archived_sets_biomarkers_stay(ada: Caller) -> None:
    created = create(ada)
    kept = add(ada, created["uuid"], "VEGFA")
    ada.call("POST", f"{SETS}{created['uuid']}/archive/", [])

    refused = ada.call("DELETE", f"{SETS}{created['uuid']}/biomarkers/{kept}/")

    assert refused.status_code == 409
    assert names(ada, created["uuid"]) == ["VEGFA"]


def test_someone_outside_the_organization_cannot_change_the_set(ada: Caller, bob: Caller) -> None:
    created = create(ada)
    kept = add(ada, created["uuid"], "VEGFA")

    renamed = bob.call("PATCH", f"{SETS}{created['uuid']}/", {"name": "Mine"})
    removed = bob.call("DELETE", f"{SETS}{created['uuid']}/biomarkers/{kept}/")

    assert renamed.status_code == 404 and removed.status_code == 404
    assert names(ada, created["uuid"]) == ["VEGFA"]
