"""Inviting colleagues into an organization before they have a Pluto account."""

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


def path(organization: dict[str, Any], rest: str) -> str:
    return f"/user/organizations/{organization['uuid']}/{rest}"


def invite(admin: Caller, organization: dict[str, Any], email: str, role: str = "member") -> Any:
    return admin.call("POST", path(organization, "members/"), {"email": email, "role": role})


def test_an_email_without_an_account_is_invited_and_listed(
    ada: Caller, lab: dict[str, Any]
) -> None:
    answer = invite(ada, lab, "Grace@Lab.org", "guest")

    assert answer.status_code == 201
    assert answer.data["user"]["email"] == "grace@lab.org"
    assert (answer.data["user"]["first_name"], answer.data["role"]) == ("", "guest")
    pending = ada.call("GET", path(lab, "invitations/")).data
    assert pending["count"] == 1
    assert pending["items"][0]["uuid"] == answer.data["user"]["uuid"]
    assert (pending["items"][0]["email"], pending["items"][0]["role"]) == ("grace@lab.org", "guest")
    members = ada.call("GET", path(lab, "members/")).data
    assert [m["user"]["email"] for m in members["items"]] == ["ada@example.org"]


def test_the_account_made_later_joins_with_the_invited_role(
    ada: Caller, lab: dict[str, Any], make_caller: Callable[..., Caller]
) -> None:
    invite(ada, lab, "grace@example.org", "member")

    grace = make_caller("grace")

    roles = {o["name"]: o["role"] for o in grace.call("GET", "/user/organizations/").data}
    assert roles == {"Grace Tester (personal)": "admin", "Tumour biology lab": "member"}
    defaults = [
        o["name"] for o in grace.call("GET", "/user/organizations/").data if o["is_default"]
    ]
    assert defaults == ["Grace Tester (personal)"]
    assert ada.call("GET", path(lab, "invitations/")).data["count"] == 0


def test_a_withdrawn_invitation_is_not_taken_up(
    ada: Caller, lab: dict[str, Any], make_caller: Callable[..., Caller]
) -> None:
    handle = invite(ada, lab, "grace@example.org").data["user"]["uuid"]

    withdrawn = ada.call("DELETE", path(lab, f"invitations/{handle}/"))
    again = ada.call("DELETE", path(lab, f"invitations/{handle}/"))
    grace = make_caller("grace")

    assert withdrawn.status_code == 204
    assert again.status_code == 404
    names = [o["name"] for o in grace.call("GET", "/user/organizations/").data]
    assert names == ["Grace Tester (personal)"]


def test_inviting_the_same_email_twice_is_a_conflict_naming_the_email(
    ada: Caller, lab: dict[str, Any]
) -> None:
    invite(ada, lab, "grace@example.org")

    twice = invite(ada, lab, "GRACE@example.org", "guest")

    assert twice.status_code == 409
    assert twice.data["details"]["field"] == "email"
    assert "already invited" in twice.data["message"]


def test_only_admins_see_and_withdraw_invitations(
    ada: Caller, bob: Caller, lab: dict[str, Any]
) -> None:
    invite(ada, lab, bob.user.email, "member")
    handle = invite(ada, lab, "grace@example.org").data["user"]["uuid"]

    listed = bob.call("GET", path(lab, "invitations/"))
    withdrawn = bob.call("DELETE", path(lab, f"invitations/{handle}/"))
    invited_by_member = invite(bob, lab, "carol@example.org")

    assert listed.status_code == 403 and withdrawn.status_code == 403
    assert invited_by_member.status_code == 403
    assert ada.call("GET", path(lab, "invitations/")).data["count"] == 1


def test_outsiders_cannot_read_an_organizations_invitations(
    ada: Caller, lab: dict[str, Any], make_caller: Callable[..., Caller]
) -> None:
    invite(ada, lab, "grace@example.org")

    outsider = make_caller("mallory")

    assert outsider.call("GET", path(lab, "invitations/")).status_code == 403
