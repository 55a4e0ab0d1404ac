"""Sharing projects and experiments with a team gives its members (not its guests) the role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pluto.server.orgs import services as orgs
from pluto.server.orgs.models import Organization, Team, TeamMember
from tests.conftest import Caller


@pytest.fixture
def lab(ada: Caller) -> Organization:
    return orgs.create_organization(ada.user, "Tumour biology lab")


@pytest.fixture
def imaging(lab: Organization) -> Team:
    return Team.objects.create(organization=lab, name="Imaging")


def seat(team: Team, caller: Caller, role: str = "member") -> None:
    """Make the caller a member of the team's organization with ``role``, and of the team."""
    orgs.add_member(team.organization, caller.user, role)
    TeamMember.objects.create(team=team, user=caller.user)


def in_lab(lab: Organization) -> dict[str, str]:
    return {"HTTP_ORGANIZATION": str(lab.uuid)}


def create_project(ada: Caller, lab: Organization, name: str = "Lab atlas") -> dict[str, Any]:
    return dict(ada.call("POST", "/lab/projects/", {"name": name}, **in_lab(lab)).data)


def create_experiment(ada: Caller, lab: Organization, project: dict[str, Any]) -> dict[str, Any]:
    body = {
        "project": project["pluto_id"],
        "name": "Bulk RNA-seq",
        "type": "rnaseq",
        "organism": "human",
        "assay_data_units": "raw_counts",
    }
    return dict(ada.call("POST", "/lab/experiments/", body, **in_lab(lab)).data)


def share(ada: Caller, kind: str, object_id: str, team: Team, role: str) -> Any:
    body = {"team": str(team.uuid), "role": role}
    return ada.call("POST", f"/lab/{kind}/{object_id}/teams/", body)


def test_a_team_member_sees_and_edits_a_project_shared_with_the_team(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    path = f"/lab/projects/{project['pluto_id']}/"
    assert bob.call("GET", path).status_code == 404
    shared = share(ada, "projects", project["pluto_id"], imaging, "editor")
    assert shared.status_code == 201
    assert shared.data["team"]["name"] == "Imaging"
    assert shared.data["role"] == "editor"
    assert [p["name"] for p in bob.call("GET", "/lab/projects/").data["items"]] == ["Lab atlas"]
    renamed = bob.call("PATCH", path, {"name": "Imaging atlas"})
    assert renamed.status_code == 200


def test_a_project_team_share_carries_down_to_its_experiments(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    experiment = create_experiment(ada, lab, project)
    share(ada, "projects", project["pluto_id"], imaging, "viewer")
    seen = bob.call("GET", f"/lab/experiments/{experiment['pluto_id']}/")
    assert seen.status_code == 200
    listed = bob.call("GET", "/lab/experiments/").data["items"]
    assert [e["pluto_id"] for e in listed] == [experiment["pluto_id"]]
    edit = bob.call("PATCH", f"/lab/experiments/{experiment['pluto_id']}/", {"name": "Mine"})
    assert edit.status_code == 403


def test_an_experiment_can_be_shared_with_a_team_on_its_own(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    experiment = create_experiment(ada, lab, project)
    assert share(ada, "experiments", experiment["pluto_id"], imaging, "editor").status_code == 201
    assert bob.call("GET", f"/lab/experiments/{experiment['pluto_id']}/").status_code == 200
    assert bob.call("GET", f"/lab/projects/{project['pluto_id']}/").status_code == 404


def test_a_guest_in_a_team_sees_only_what_is_shared_with_them_directly(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob, role="guest")
    shared_with_team = create_project(ada, lab, "Team atlas")
    shared_with_bob = create_project(ada, lab, "Bob's atlas")
    share(ada, "projects", shared_with_team["pluto_id"], imaging, "viewer")
    direct = {"email": "bob@example.org", "role": "viewer"}
    ada.call("POST", f"/lab/projects/{shared_with_bob['pluto_id']}/members/", direct)
    names = [p["name"] for p in bob.call("GET", "/lab/projects/").data["items"]]
    assert names == ["Bob's atlas"]
    hidden = bob.call("GET", f"/lab/projects/{shared_with_team['pluto_id']}/")
    assert hidden.status_code == 404


def test_the_team_shares_are_listed_changed_and_removed(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    base = f"/lab/projects/{project['pluto_id']}/teams/"
    share(ada, "projects", project["pluto_id"], imaging, "viewer")
    listed = ada.call("GET", base).data
    assert listed["count"] == 1
    assert listed["items"][0]["team"]["organization"] == str(lab.uuid)
    changed = ada.call("PATCH", f"{base}{imaging.uuid}/", {"role": "editor"})
    assert changed.status_code == 200
    assert changed.data["role"] == "editor"
    assert ada.call("DELETE", f"{base}{imaging.uuid}/").status_code == 204
    assert bob.call("GET", f"/lab/projects/{project['pluto_id']}/").status_code == 404


def test_sharing_names_the_field_that_is_wrong(
    ada: Caller, lab: Organization, imaging: Team
) -> None:
    project = create_project(ada, lab)
    other = Team.objects.create(organization=orgs.create_organization(ada.user, "Other"), name="X")
    foreign = share(ada, "projects", project["pluto_id"], other, "viewer")
    assert foreign.status_code == 400
    assert foreign.data["details"]["field"] == "team"
    bad_role = share(ada, "projects", project["pluto_id"], imaging, "admin")
    assert bad_role.status_code == 400
    assert bad_role.data["details"]["field"] == "role"
    share(ada, "projects", project["pluto_id"], imaging, "viewer")
    twice = share(ada, "projects", project["pluto_id"], imaging, "editor")
    assert twice.status_code == 409


def test_only_owners_share_with_teams(
    ada: Caller, bob: Caller, make_caller: Callable[..., Caller], lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    share(ada, "projects", project["pluto_id"], imaging, "editor")
    refused = share(bob, "projects", project["pluto_id"], imaging, "owner")
    assert refused.status_code == 403
    base = f"/lab/projects/{project['pluto_id']}/teams/{imaging.uuid}/"
    assert bob.call("PATCH", base, {"role": "owner"}).status_code == 403
    assert bob.call("DELETE", base).status_code == 403
    carol = make_caller("carol")
    assert carol.call("GET", f"/lab/projects/{project['pluto_id']}/teams/").status_code == 404


def test_leaving_the_team_takes_the_role_away(
    ada: Caller, bob: Caller, lab: Organization, imaging: Team
) -> None:
    seat(imaging, bob)
    project = create_project(ada, lab)
    share(ada, "projects", project["pluto_id"], imaging, "viewer")
    members = f"/user/organizations/{lab.uuid}/teams/{imaging.uuid}/members/{bob.user.uuid}/"
    assert ada.call("DELETE", members).status_code == 204
    assert bob.call("GET", f"/lab/projects/{project['pluto_id']}/").status_code == 404


def test_a_guest_creates_no_projects_in_the_organization(
    ada: Caller, bob: Caller, lab: Organization
) -> None:
    orgs.add_member(lab, bob.user, "guest")
    refused = bob.call("POST", "/lab/projects/", {"name": "Mine"}, **in_lab(lab))
    assert refused.status_code == 403
    assert "Guests" in refused.data["message"]
    assert bob.call("POST", "/lab/projects/", {"name": "Mine"}).status_code == 201
