"""Managing an organization over the API: members and roles, teams and their members."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Caller


@pytest.fixture
def lab(ada: Caller) -> dict[str, Any]:
    """An organization Ada made and administers."""
    created = ada.call("POST", "/user/organizations/", {"name": "Tumour biology lab"})
    assert created.status_code == 201
    return dict(created.data)


def members_path(organization: dict[str, Any]) -> str:
    return f"/user/organizations/{organization['uuid']}/members/"


def teams_path(organization: dict[str, Any]) -> str:
    return f"/user/organizations/{organization['uuid']}/teams/"


def add(admin: Caller, organization: dict[str, Any], who: Caller, role: str) -> Any:
    body = {"email": who.user.email, "role": role}
    return admin.call("POST", members_path(organization), body)


def test_creating_an_organization_makes_the_creator_its_admin(
    ada: Caller, lab: dict[str, Any]
) -> None:
    assert lab["name"] == "Tumour biology lab"
    assert lab["role"] == "admin"
    assert lab["is_personal"] is False
    listed = [o["name"] for o in ada.call("GET", "/user/organizations/").data]
    assert listed == ["Ada Tester (personal)", "Tumour biology lab"]


def test_an_organization_needs_a_name(ada: Caller) -> None:
    response = ada.call("POST", "/user/organizations/", {"name": "  "})
    assert response.status_code == 400
    assert response.data["details"]["field"] == "name"


def test_an_admin_adds_a_member_by_email_and_lists_them(
    ada: Caller, bob: Caller, lab: dict[str, Any]
) -> None:
    added = add(ada, lab, bob, "member")
    assert added.status_code == 201
    assert added.data["user"]["email"] == "bob@example.org"
    assert added.data["role"] == "member"
    listed = bob.call("GET", members_path(lab)).data
    assert listed["count"] == 2
    assert [(m["user"]["email"], m["role"]) for m in listed["items"]] == [
        ("ada@example.org", "admin"),
        ("bob@example.org", "member"),
    ]
    bobs = {o["name"]: o["role"] for o in bob.call("GET", "/user/organizations/").data}
    assert bobs["Tumour biology lab"] == "member"


def test_adding_names_the_field_that_is_wrong(
    ada: Caller, bob: Caller, lab: dict[str, Any]
) -> None:
    not_an_email = ada.call("POST", members_path(lab), {"email": "nobody", "role": "member"})
    assert not_an_email.status_code == 400
    assert not_an_email.data["details"]["field"] == "email"
    bad_role = add(ada, lab, bob, "owner")
    assert bad_role.status_code == 400
    assert bad_role.data["details"]["field"] == "role"
    add(ada, lab, bob, "member")
    twice = add(ada, lab, bob, "guest")
    assert twice.status_code == 409
    assert twice.data["details"]["field"] == "email"


def test_only_admins_manage_members(
    ada: Caller, bob: Caller, make_caller: Callable[..., Caller], lab: dict[str, Any]
) -> None:
    carol = make_caller("carol")
    add(ada, lab, bob, "member")
    refused = add(bob, lab, carol, "member")
    assert refused.status_code == 403
    assert refused.data["code"] == "permission_denied"
    add(ada, lab, carol, "guest")
    change = bob.call("PATCH", f"{members_path(lab)}{carol.user.uuid}/", {"role": "admin"})
    assert change.status_code == 403
    remove = bob.call("DELETE", f"{members_path(lab)}{carol.user.uuid}/")
    assert remove.status_code == 403


def test_someone_outside_the_organization_is_refused(bob: Caller, lab: dict[str, Any]) -> None:
    for path in (members_path(lab), teams_path(lab)):
        assert bob.call("GET", path).status_code == 403
    assert bob.call("POST", teams_path(lab), {"name": "Imaging"}).status_code == 403


def test_an_admin_changes_a_role_and_removes_a_member(
    ada: Caller, bob: Caller, lab: dict[str, Any]
) -> None:
    add(ada, lab, bob, "guest")
    path = f"{members_path(lab)}{bob.user.uuid}/"
    changed = ada.call("PATCH", path, {"role": "admin"})
    assert changed.status_code == 200
    assert changed.data["role"] == "admin"
    assert ada.call("DELETE", path).status_code == 204
    assert [m["user"]["email"] for m in ada.call("GET", members_path(lab)).data["items"]] == [
        "ada@example.org"
    ]
    assert bob.call("GET", members_path(lab)).status_code == 403


def test_the_last_admin_can_be_neither_demoted_nor_removed(
    ada: Caller, lab: dict[str, Any]
) -> None:
    path = f"{members_path(lab)}{ada.user.uuid}/"
    demoted = ada.call("PATCH", path, {"role": "member"})
    assert demoted.status_code == 400
    assert demoted.data["details"]["field"] == "role"
    assert ada.call("DELETE", path).status_code == 400


def test_a_member_may_leave(ada: Caller, bob: Caller, lab: dict[str, Any]) -> None:
    add(ada, lab, bob, "member")
    assert bob.call("DELETE", f"{members_path(lab)}{bob.user.uuid}/").status_code == 204
    assert bob.call("GET", members_path(lab)).status_code == 403


def test_a_personal_organization_takes_no_members(ada: Caller, bob: Caller) -> None:
    [personal] = ada.call("GET", "/user/organizations/").data
    response = add(ada, personal, bob, "member")
    assert response.status_code == 400
    assert "personal" in response.data["message"]


def test_an_admin_creates_teams_and_seats_members(
    ada: Caller, bob: Caller, lab: dict[str, Any]
) -> None:
    add(ada, lab, bob, "member")
    created = ada.call("POST", teams_path(lab), {"name": "Imaging"})
    assert created.status_code == 201
    team = created.data
    assert team["name"] == "Imaging"
    assert team["member_count"] == 0
    seats = f"{teams_path(lab)}{team['uuid']}/members/"
    seated = ada.call("POST", seats, {"email": "bob@example.org"})
    assert seated.status_code == 201
    assert seated.data["user"]["email"] == "bob@example.org"
    listed = bob.call("GET", teams_path(lab)).data
    assert [(t["name"], t["member_count"]) for t in listed["items"]] == [("Imaging", 1)]
    assert [s["user"]["email"] for s in bob.call("GET", seats).data["items"]] == ["bob@example.org"]
    assert ada.call("DELETE", f"{seats}{bob.user.uuid}/").status_code == 204
    assert bob.call("GET", seats).data["count"] == 0


def test_team_names_are_unique_in_an_organization(ada: Caller, lab: dict[str, Any]) -> None:
    ada.call("POST", teams_path(lab), {"name": "Imaging"})
    again = ada.call("POST", teams_path(lab), {"name": "Imaging"})
    assert again.status_code == 409
    assert again.data["details"]["field"] == "name"


def test_only_members_who_are_not_guests_join_teams(
    ada: Caller, bob: Caller, make_caller: Callable[..., Caller], lab: dict[str, Any]
) -> None:
    carol = make_caller("carol")
    add(ada, lab, bob, "guest")
    team = ada.call("POST", teams_path(lab), {"name": "Imaging"}).data
    seats = f"{teams_path(lab)}{team['uuid']}/members/"
    guest = ada.call("POST", seats, {"email": "bob@example.org"})
    assert guest.status_code == 400
    assert "guest" in guest.data["message"]
    outsider = ada.call("POST", seats, {"email": carol.user.email})
    assert outsider.status_code == 400
    assert outsider.data["details"]["field"] == "email"


def test_only_admins_manage_teams(ada: Caller, bob: Caller, lab: dict[str, Any]) -> None:
    add(ada, lab, bob, "member")
    assert bob.call("POST", teams_path(lab), {"name": "Imaging"}).status_code == 403
    team = ada.call("POST", teams_path(lab), {"name": "Imaging"}).data
    seats = f"{teams_path(lab)}{team['uuid']}/members/"
    assert bob.call("POST", seats, {"email": "bob@example.org"}).status_code == 403
    assert bob.call("DELETE", f"{teams_path(lab)}{team['uuid']}/").status_code == 403
    assert ada.call("DELETE", f"{teams_path(lab)}{team['uuid']}/").status_code == 204


def test_demoting_to_guest_takes_away_team_seats(
    ada: Caller, bob: Caller, lab: dict[str, Any]
) -> None:
    add(ada, lab, bob, "member")
    team = ada.call("POST", teams_path(lab), {"name": "Imaging"}).data
    seats = f"{teams_path(lab)}{team['uuid']}/members/"
    ada.call("POST", seats, {"email": "bob@example.org"})
    ada.call("PATCH", f"{members_path(lab)}{bob.user.uuid}/", {"role": "guest"})
    assert ada.call("GET", seats).data["count"] == 0


def test_an_unknown_team_is_not_found(ada: Caller, lab: dict[str, Any]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert ada.call("GET", f"{teams_path(lab)}{missing}/").status_code == 404
    assert ada.call("GET", f"{teams_path(lab)}not-a-uuid/").status_code == 400
