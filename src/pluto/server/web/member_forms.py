"""The Members section of the project page and of the experiment's Settings tab.

The same forms manage both: list members with their roles, add one by email, change a role,
remove a member or leave; and share with a team of the organization, change a team's role or
stop sharing with it. Each form calls one service, which checks the role again.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from pluto.server.lab import members
from pluto.server.lab.models import Experiment, Project, Role
from pluto.server.orgs import sharing
from pluto.server.web.access import Access
from pluto.server.web.forms import Done, form_fields

Target = Project | Experiment
ACTIONS = (
    "add_member",
    "change_role",
    "remove_member",
    "share_team",
    "change_team_role",
    "unshare_team",
)


def noun(target: Target) -> str:
    """``project`` or ``experiment``, for the page's sentences."""
    return "project" if isinstance(target, Project) else "experiment"


def members_context(target: Target) -> dict[str, Any]:
    """What the Members section shows: the memberships and the roles to choose from."""
    return {
        "members": list(members.memberships(target)),
        "invitations": list(members.invitations(target)),
        "roles": Role.choices,
        "member_noun": noun(target),
        "member_share_level": target.share_level,
        **team_context(target),
    }


def team_context(target: Target) -> dict[str, Any]:
    """The teams it is shared with, and the organization's other teams to share it with."""
    shares = list(sharing.team_shares(target))
    shared = {share.team_id for share in shares}
    organization = sharing.organization_of(target)
    return {
        "team_shares": shares,
        "other_teams": [team for team in organization.teams.all() if team.pk not in shared],
        "team_organization": organization,
    }


def add_member(request: HttpRequest, target: Target, access: Access) -> Done:
    """Give someone a role by email; the message is the same whether they have an account."""
    data = form_fields(request.POST, ("email", "role"))
    added = members.add_member(access.role, target, data, request.user)
    return Done(
        f"{added.email} was added as a {added.role} of this {noun(target)} "
        "(without an account yet, they join when one is made with that email)."
    )


def change_role(request: HttpRequest, target: Target, access: Access) -> Done:
    """Change a member's role (owners)."""
    role = {"role": request.POST.get("role")}
    membership = members.change_role(
        access.role, target, request.POST.get("user", ""), role, request.user
    )
    return Done(f"{membership.user.email} is now a {membership.role}.")


def remove_member(request: HttpRequest, target: Target, access: Access) -> Done:
    """Remove a member (owners), or leave oneself (back to the projects list)."""
    user_id = request.POST.get("user", "")
    invitation = members.find_invitation(target, user_id)
    if invitation is not None:
        members.remove_member(request.user, access.role, target, user_id)
        return Done(f"The invitation of {invitation.email} was withdrawn.")
    membership = members.find_membership(target, user_id)
    members.remove_member(request.user, access.role, target, user_id)
    if membership.user_id == request.user.pk:
        return Done(f"You left the {noun(target)}.", reverse("project_list"))
    return Done(f"{membership.user.email} was removed from this {noun(target)}.")


def share_team(request: HttpRequest, target: Target, access: Access) -> Done:
    """Give a team of the organization a role (as adding a member)."""
    data = form_fields(request.POST, ("team", "role"))
    share = sharing.share(request.user, access.role, target, data)
    return Done(f"Team {share.team.name} is now a {share.role} of this {noun(target)}.")


def change_team_role(request: HttpRequest, target: Target, access: Access) -> Done:
    """Change a team's role (owners)."""
    role = {"role": request.POST.get("role")}
    team_id = request.POST.get("team", "")
    share = sharing.change_role(request.user, access.role, target, team_id, role)
    return Done(f"Team {share.team.name} is now a {share.role}.")


def unshare_team(request: HttpRequest, target: Target, access: Access) -> Done:
    """Stop sharing with a team (owners)."""
    share = sharing.find_share(target, request.POST.get("team", ""))
    sharing.unshare(request.user, access.role, target, str(share.team.uuid))
    return Done(f"This {noun(target)} is no longer shared with team {share.team.name}.")
