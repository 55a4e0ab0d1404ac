"""JSON shapes of organizations, their members and their teams."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema

from pluto.server.lab.schemas import Body, Name, UserOut, iso, user_json
from pluto.server.orgs.models import OrganizationInvitation, OrganizationMember, Team, TeamMember

OrgRoleName = Literal["admin", "member", "guest"]


class OrganizationOut(Schema):
    uuid: str
    name: str
    role: str
    is_default: bool
    is_personal: bool
    created_at: str


class OrganizationCreate(Body):
    name: Name


class OrganizationMemberOut(Schema):
    user: UserOut
    role: str
    created_at: str


class OrganizationMemberPage(Schema):
    count: int
    items: list[OrganizationMemberOut]


class OrganizationMemberCreate(Body):
    email: str
    role: OrgRoleName


class OrganizationRolePatch(Body):
    role: OrgRoleName


class TeamOut(Schema):
    uuid: str
    name: str
    member_count: int
    created_at: str


class TeamPage(Schema):
    count: int
    items: list[TeamOut]


class TeamCreate(Body):
    name: Name


class TeamMemberOut(Schema):
    user: UserOut
    created_at: str


class TeamMemberPage(Schema):
    count: int
    items: list[TeamMemberOut]


class TeamMemberCreate(Body):
    email: str


def membership_json(membership: OrganizationMember) -> dict[str, Any]:
    """An organization as its member sees it: with their role and whether it is the default."""
    organization = membership.organization
    return {
        "uuid": str(organization.uuid),
        "name": organization.name,
        "role": membership.role,
        "is_default": membership.is_default,
        "is_personal": organization.is_personal,
        "created_at": iso(organization.created_at),
    }


def member_json(membership: OrganizationMember | OrganizationInvitation) -> dict[str, Any]:
    """A member of an organization: ``{user, role, created_at}``; an invitation as its email,
    with no name yet and the invitation's uuid."""
    if isinstance(membership, OrganizationInvitation):
        return invited_json(membership)
    return {
        "user": user_json(membership.user),
        "role": membership.role,
        "created_at": iso(membership.created_at),
    }


def invited_json(invitation: OrganizationInvitation) -> dict[str, Any]:
    """The member shape of someone invited who has no account yet."""
    user = {
        "uuid": str(invitation.uuid),
        "first_name": "",
        "last_name": "",
        "email": invitation.email,
    }
    return {"user": user, "role": invitation.role, "created_at": iso(invitation.created_at)}


def team_json(team: Team) -> dict[str, Any]:
    """A team: ``{uuid, name, member_count, created_at}``."""
    return {
        "uuid": str(team.uuid),
        "name": team.name,
        "member_count": team.memberships.count(),
        "created_at": iso(team.created_at),
    }


def team_member_json(seat: TeamMember) -> dict[str, Any]:
    """A member of a team: ``{user, created_at}``."""
    return {"user": user_json(seat.user), "created_at": iso(seat.created_at)}
