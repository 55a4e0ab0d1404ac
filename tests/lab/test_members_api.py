"""Members of projects and experiments over HTTP: list, add by email, change role, remove."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from pluto.server.accounts.models import User
from pluto.server.lab.models import Experiment, ExperimentMember, Project, ProjectMember
from tests.conftest import Caller, make_experiment, make_project

KINDS = ["projects", "experiments"]


@dataclass
class Team:
    """Ada owns a project and its experiment; the other callers have no role yet."""

    ada: Caller
    bob: Caller
    cy: Caller
    project: Project
    experiment: Experiment

    def target(self, kind: str) -> Project | Experiment:
        return self.project if kind == "projects" else self.experiment

    def base(self, kind: str) -> str:
        return f"/lab/{kind}/{self.target(kind).pluto_id}/members/"

    def grant(self, kind: str, user: User, role: str) -> None:
        if kind == "projects":
            ProjectMember.objects.create(project=self.project, user=user, role=role)
        else:
            ExperimentMember.objects.create(experiment=self.experiment, user=user, role=role)

    def roles(self, kind: str) -> dict[str, str]:
        rows = self.target(kind).memberships.values_list("user__email", "role")
        return dict(rows)


@pytest.fixture
def team(make_caller: Callable[..., Caller]) -> Team:
    ada, bob, cy = make_caller("ada"), make_caller("bob"), make_caller("cy")
    project = make_project(ada.user)
    return Team(ada, bob, cy, project, make_experiment(ada.user, project))


def member(user: User, role: str) -> dict[str, Any]:
    return {
        "user": {
            "uuid": str(user.uuid),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
        },
        "role": role,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_list_members_shape_and_order(team: Team, kind: str) -> None:
    team.grant(kind, team.bob.user, "editor")
    team.grant(kind, team.cy.user, "viewer")
    response = team.ada.call("GET", team.base(kind))
    assert response.status_code == 200
    assert response.data == {
        "count": 3,
        "items": [
            member(team.ada.user, "owner"),
            member(team.bob.user, "editor"),
            member(team.cy.user, "viewer"),
        ],
    }
    # Ordered by when they joined, then id.
    memberships = team.target(kind).memberships
    memberships.filter(user=team.cy.user).update(created_at=timezone.now() - timedelta(days=1))
    emails = [i["user"]["email"] for i in team.ada.call("GET", team.base(kind)).data["items"]]
    assert emails == ["cy@example.org", "ada@example.org", "bob@example.org"]


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
@pytest.mark.parametrize("kind", KINDS)
def test_add_member_by_email(team: Team, kind: str, role: str) -> None:
    response = team.ada.call("POST", team.base(kind), {"email": " Bob@Example.ORG ", "role": role})
    assert response.status_code == 201, response.content
    assert response.data == added("bob@example.org", str(team.bob.user.uuid), role)
    assert team.roles(kind)["bob@example.org"] == role
    # The new member sees the object at once.
    path = f"/lab/{kind}/{team.target(kind).pluto_id}/"
    assert team.bob.call("GET", path).status_code == 200


def added(email: str, handle: str, role: str) -> dict[str, Any]:
    """The answer to adding by email: the member shape with only what the request said."""
    return {
        "user": {"uuid": handle, "first_name": "", "last_name": "", "email": email},
        "role": role,
    }


@pytest.mark.parametrize("kind", KINDS)
def test_adding_an_email_answers_alike_whether_or_not_it_has_an_account(
    team: Team, kind: str
) -> None:
    known = team.ada.call("POST", team.base(kind), {"email": "bob@example.org", "role": "viewer"})
    unknown = team.ada.call(
        "POST", team.base(kind), {"email": "Nobody@Example.org", "role": "viewer"}
    )

    assert known.status_code == unknown.status_code == 201
    assert set(known.headers) == set(unknown.headers)
    unknown_handle = unknown.data["user"]["uuid"]
    assert unknown.data == added("nobody@example.org", unknown_handle, "viewer")
    assert known.data == added("bob@example.org", known.data["user"]["uuid"], "viewer")
    assert not User.objects.filter(uuid=unknown_handle).exists()


@pytest.mark.parametrize("kind", KINDS)
def test_an_email_without_an_account_is_a_pending_invitation(team: Team, kind: str) -> None:
    team.ada.call("POST", team.base(kind), {"email": "grace@example.org", "role": "editor"})
    invitations = team.ada.call("GET", team.base(kind).replace("members", "invitations"))

    assert invitations.status_code == 200
    assert invitations.data["count"] == 1
    assert {k: invitations.data["items"][0][k] for k in ("email", "role")} == {
        "email": "grace@example.org",
        "role": "editor",
    }
    assert "grace@example.org" not in team.roles(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_account_takes_up_its_invitations(
    team: Team, kind: str, make_caller: Callable[..., Caller]
) -> None:
    team.ada.call("POST", team.base(kind), {"email": "Grace@example.org", "role": "editor"})

    grace = make_caller("grace")

    assert team.roles(kind)["grace@example.org"] == "editor"
    path = f"/lab/{kind}/{team.target(kind).pluto_id}/"
    assert grace.call("GET", path).status_code == 200
    invitations = team.ada.call("GET", team.base(kind).replace("members", "invitations"))
    assert invitations.data["count"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_an_owner_changes_or_withdraws_an_invitation_by_its_handle(
    team: Team, kind: str, make_caller: Callable[..., Caller]
) -> None:
    answer = team.ada.call(
        "POST", team.base(kind), {"email": "grace@example.org", "role": "viewer"}
    )
    path = team.base(kind) + answer.data["user"]["uuid"] + "/"

    changed = team.ada.call("PATCH", path, {"role": "editor"})
    as_viewer = team.bob.call("DELETE", path)
    withdrawn = team.ada.call("DELETE", path)
    make_caller("grace")

    assert changed.status_code == 200 and changed.data["role"] == "editor"
    assert as_viewer.status_code == 404
    assert withdrawn.status_code == 204
    assert "grace@example.org" not in team.roles(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_inviting_the_same_email_twice_is_400(team: Team, kind: str) -> None:
    team.ada.call("POST", team.base(kind), {"email": "grace@example.org", "role": "viewer"})
    again = team.ada.call("POST", team.base(kind), {"email": "GRACE@example.org", "role": "owner"})

    assert again.status_code == 400 and again.data["details"]["field"] == "email"


@pytest.mark.parametrize("email", ["not an email", "", None, 7])
@pytest.mark.parametrize("kind", KINDS)
def test_add_member_with_a_bad_email_is_400_naming_email(team: Team, kind: str, email: Any) -> None:
    response = team.ada.call("POST", team.base(kind), {"email": email, "role": "viewer"})
    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["details"]["field"] == "email"
    assert team.roles(kind) == {"ada@example.org": "owner"}


@pytest.mark.parametrize("kind", KINDS)
def test_add_member_without_email_is_400_naming_email(team: Team, kind: str) -> None:
    response = team.ada.call("POST", team.base(kind), {"role": "viewer"})
    assert response.status_code == 400
    assert response.data["details"]["field"] == "email"


@pytest.mark.parametrize("kind", KINDS)
def test_an_inactive_account_answers_like_any_other(team: Team, kind: str) -> None:
    User.objects.filter(pk=team.bob.user.pk).update(is_active=False)
    response = team.ada.call(
        "POST", team.base(kind), {"email": "bob@example.org", "role": "viewer"}
    )
    assert response.status_code == 201
    # It cannot sign in, so the role reaches nothing until an administrator re-activates it.
    assert team.bob.call("GET", f"/lab/{kind}/{team.target(kind).pluto_id}/").status_code == 401


@pytest.mark.parametrize("role", ["admin", "Owner", "", None])
@pytest.mark.parametrize("kind", KINDS)
def test_an_invalid_role_is_400_listing_the_roles(team: Team, kind: str, role: Any) -> None:
    response = team.ada.call("POST", team.base(kind), {"email": "bob@example.org", "role": role})
    assert response.status_code == 400
    assert response.data["details"]["field"] == "role"
    assert set(response.data["details"]["allowed"]) == {"owner", "editor", "viewer"}
    for name in ("owner", "editor", "viewer"):
        assert name in response.data["message"]


@pytest.mark.parametrize("kind", KINDS)
def test_adding_an_existing_member_again_is_400(team: Team, kind: str) -> None:
    team.grant(kind, team.bob.user, "viewer")
    response = team.ada.call(
        "POST", team.base(kind), {"email": "bob@example.org", "role": "editor"}
    )
    assert response.status_code == 400
    assert response.data["details"]["field"] == "email"
    assert team.roles(kind)["bob@example.org"] == "viewer"


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_fields_when_adding_are_400_naming_them(team: Team, kind: str) -> None:
    body = {"email": "bob@example.org", "role": "viewer", "expires": "tomorrow"}
    response = team.ada.call("POST", team.base(kind), body)
    assert response.status_code == 400
    assert response.data["details"]["fields"] == ["expires"]
    assert "expires" in response.data["message"]
    assert "bob@example.org" not in team.roles(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_change_a_members_role(team: Team, kind: str) -> None:
    team.grant(kind, team.bob.user, "viewer")
    path = team.base(kind) + f"{team.bob.user.uuid}/"
    response = team.ada.call("PATCH", path, {"role": "editor"})
    assert response.status_code == 200
    assert response.data == member(team.bob.user, "editor")
    assert team.roles(kind)["bob@example.org"] == "editor"


@pytest.mark.parametrize("kind", KINDS)
def test_change_role_rejects_bad_roles_and_unknown_fields(team: Team, kind: str) -> None:
    team.grant(kind, team.bob.user, "viewer")
    path = team.base(kind) + f"{team.bob.user.uuid}/"
    bad_role = team.ada.call("PATCH", path, {"role": "boss"})
    assert bad_role.status_code == 400 and bad_role.data["details"]["field"] == "role"
    no_role = team.ada.call("PATCH", path, {})
    assert no_role.status_code == 400 and no_role.data["details"]["field"] == "role"
    unknown = team.ada.call("PATCH", path, {"role": "editor", "email": "x@example.org"})
    assert unknown.status_code == 400 and unknown.data["details"]["fields"] == ["email"]
    assert team.roles(kind)["bob@example.org"] == "viewer"


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_user_who_is_not_a_member_is_404(team: Team, kind: str, method: str) -> None:
    for user_id in (team.bob.user.uuid, uuid.uuid4()):
        response = team.ada.call(method, team.base(kind) + f"{user_id}/", {"role": "viewer"})
        assert response.status_code == 404
        assert response.data["code"] == "not_found"


@pytest.mark.parametrize("kind", KINDS)
def test_remove_a_member(team: Team, kind: str) -> None:
    team.grant(kind, team.bob.user, "editor")
    path = f"/lab/{kind}/{team.target(kind).pluto_id}/"
    assert team.bob.call("GET", path).status_code == 200
    response = team.ada.call("DELETE", team.base(kind) + f"{team.bob.user.uuid}")
    assert response.status_code == 204
    assert response.content == b""
    assert "bob@example.org" not in team.roles(kind)
    # Access ends with the very next request.
    assert team.bob.call("GET", path).status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_anyone_may_leave(team: Team, kind: str) -> None:
    team.grant(kind, team.bob.user, "viewer")
    response = team.bob.call("DELETE", team.base(kind) + f"{team.bob.user.uuid}/")
    assert response.status_code == 204
    assert "bob@example.org" not in team.roles(kind)


@pytest.mark.parametrize("kind", KINDS)
def test_the_last_owner_cannot_be_removed_or_demoted(team: Team, kind: str) -> None:
    path = team.base(kind) + f"{team.ada.user.uuid}/"
    for method, body in (("DELETE", None), ("PATCH", {"role": "editor"})):
        response = team.ada.call(method, path, body)
        assert response.status_code == 400, (method, response.content)
        assert response.data["code"] == "invalid"
        assert "owner" in response.data["message"]
    assert team.roles(kind) == {"ada@example.org": "owner"}
    # Making an owner an owner again is harmless.
    assert team.ada.call("PATCH", path, {"role": "owner"}).status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_an_owner_can_step_down_once_another_owner_exists(team: Team, kind: str) -> None:
    team.ada.call("POST", team.base(kind), {"email": "bob@example.org", "role": "owner"})
    path = team.base(kind) + f"{team.ada.user.uuid}/"
    assert team.ada.call("PATCH", path, {"role": "viewer"}).status_code == 200
    # Now Bob is the last owner. On the project Ada, a viewer, may no longer manage members;
    # on the experiment her project ownership still carries down.
    bob_path = team.base(kind) + f"{team.bob.user.uuid}/"
    as_ada = team.ada.call("PATCH", bob_path, {"role": "viewer"}).status_code
    assert as_ada == (403 if kind == "projects" else 400)
    assert team.bob.call("PATCH", bob_path, {"role": "viewer"}).status_code == 400
    assert team.bob.call("DELETE", bob_path).status_code == 400
    assert team.bob.call("DELETE", path).status_code == 204
    assert team.roles(kind) == {"bob@example.org": "owner"}


@pytest.mark.parametrize("kind", KINDS)
def test_editors_of_a_shareable_object_may_add_viewers_and_editors_but_not_owners(
    team: Team, kind: str
) -> None:
    target = team.target(kind)
    type(target).objects.filter(pk=target.pk).update(share_level="shareable")
    team.grant(kind, team.bob.user, "editor")
    base = team.base(kind)
    as_owner = team.bob.call("POST", base, {"email": "cy@example.org", "role": "owner"})
    assert as_owner.status_code == 403 and as_owner.data["code"] == "permission_denied"
    as_editor = team.bob.call("POST", base, {"email": "cy@example.org", "role": "editor"})
    assert as_editor.status_code == 201
    # Editors still cannot change roles or remove others.
    cy_path = base + f"{team.cy.user.uuid}/"
    assert team.bob.call("PATCH", cy_path, {"role": "viewer"}).status_code == 403
    assert team.bob.call("DELETE", cy_path).status_code == 403
    assert team.roles(kind)["cy@example.org"] == "editor"


@pytest.mark.parametrize("role", ["editor", "viewer"])
@pytest.mark.parametrize("kind", KINDS)
def test_on_a_private_object_only_owners_manage_members(team: Team, kind: str, role: str) -> None:
    team.grant(kind, team.bob.user, role)
    response = team.bob.call("POST", team.base(kind), {"email": "cy@example.org", "role": "viewer"})
    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"
    assert "cy@example.org" not in team.roles(kind)


def test_project_members_are_not_listed_as_experiment_members(team: Team) -> None:
    team.grant("projects", team.bob.user, "editor")
    data = team.ada.call("GET", team.base("experiments")).data
    assert [i["user"]["email"] for i in data["items"]] == ["ada@example.org"]
    # ...but a project owner manages the experiment's members through the role it carries down.
    team.grant("projects", team.cy.user, "owner")
    response = team.cy.call(
        "POST", team.base("experiments"), {"email": "bob@example.org", "role": "viewer"}
    )
    assert response.status_code == 201
