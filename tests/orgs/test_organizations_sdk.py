"""The SDK's organization, member, team and team-share methods against a live server."""

from __future__ import annotations

from typing import Any

import pytest

import pluto
from pluto.client.client import Client
from tests.conftest import Caller

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sdk(live_server: Any, ada: Caller) -> Any:
    with Client(live_server.url, ada.key, timeout=20, retries=2) as client:
        yield client


def test_an_admin_builds_an_organization_with_members_and_teams(sdk: Client, bob: Caller) -> None:
    lab = sdk.create_organization("Tumour biology lab")
    assert (lab.name, lab.role, lab.is_personal) == ("Tumour biology lab", "admin", False)
    assert [o.name for o in sdk.list_organizations()] == ["Ada Tester (personal)", lab.name]

    added = sdk.add_organization_member(lab, "bob@example.org", role="guest")
    assert (added.user.email, added.role) == ("bob@example.org", "guest")
    changed = sdk.change_organization_member(lab, added, "member")
    assert changed.role == "member"
    assert [(m.user.email, m.role) for m in sdk.organization_members(lab.uuid)] == [
        ("ada@example.org", "admin"),
        ("bob@example.org", "member"),
    ]

    team = sdk.create_team(lab, "Imaging")
    sdk.add_team_member(lab, team, "bob@example.org")
    assert [(t.name, t.member_count) for t in sdk.list_teams(lab)] == [("Imaging", 1)]
    assert [m.user.email for m in sdk.team_members(lab, team)] == ["bob@example.org"]
    sdk.remove_team_member(lab, team, bob.user.uuid)
    assert sdk.team_members(lab, team) == []
    sdk.remove_organization_member(lab, bob.user.uuid)
    assert len(sdk.organization_members(lab)) == 1


def test_a_project_shared_with_a_team_reaches_its_members(
    live_server: Any, sdk: Client, ada: Caller, bob: Caller
) -> None:
    lab = sdk.create_organization("Tumour biology lab")
    sdk.add_organization_member(lab, "bob@example.org")
    team = sdk.create_team(lab, "Imaging")
    sdk.add_team_member(lab, team, "bob@example.org")
    with Client(live_server.url, ada.key, organization=lab.uuid) as in_lab:
        project = in_lab.create_project("Lab atlas")
    assert sdk.share_project_with_team(project, team, "editor") == "editor"
    with Client(live_server.url, bob.key) as bobs:
        assert [p.name for p in bobs.list_projects()] == ["Lab atlas"]


def test_a_member_who_is_not_an_admin_is_refused(
    live_server: Any, sdk: Client, bob: Caller
) -> None:
    lab = sdk.create_organization("Tumour biology lab")
    sdk.add_organization_member(lab, "bob@example.org")
    with Client(live_server.url, bob.key) as bobs, pytest.raises(pluto.PermissionDenied):
        bobs.create_team(lab, "Imaging")


def test_an_admin_invites_an_email_without_an_account_and_withdraws_it(sdk: Client) -> None:
    lab = sdk.create_organization("Tumour biology lab")

    invited = sdk.add_organization_member(lab, "grace@lab.org", role="guest")
    pending = sdk.organization_invitations(lab)
    sdk.withdraw_organization_invitation(lab, invited.user.uuid)

    assert (invited.user.email, invited.user.first_name, invited.role) == (
        "grace@lab.org",
        "",
        "guest",
    )
    assert [(p["uuid"], p["email"]) for p in pending] == [(invited.user.uuid, "grace@lab.org")]
    assert sdk.organization_invitations(lab) == []
