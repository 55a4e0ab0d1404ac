"""The SDK's methods for organizations, their members and teams, and sharing with teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pluto.client.base import ClientBase
from pluto.client.http import path_part
from pluto.client.models import User, integer, nested, parse_time, text


@dataclass(frozen=True)
class Organization:
    """An organization the caller is in, with their ``role`` (admin, member or guest)."""

    uuid: str
    name: str
    role: str
    is_default: bool = False
    is_personal: bool = False
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Organization:
        """An organization of ``user/organizations/``."""
        return cls(
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            role=text(data, "role"),
            is_default=bool(data.get("is_default")),
            is_personal=bool(data.get("is_personal")),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


@dataclass(frozen=True)
class Member:
    """A member of an organization with their role, or of a team (``role`` empty)."""

    user: User
    role: str = ""
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Member:
        """A member of an organization's or a team's member list."""
        return cls(
            user=User.from_json(nested(data, "user")),
            role=text(data, "role"),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


@dataclass(frozen=True)
class Team:
    """A team of an organization's members."""

    uuid: str
    name: str
    member_count: int = 0
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Team:
        """A team of an organization's team list."""
        return cls(
            uuid=text(data, "uuid"),
            name=text(data, "name"),
            member_count=integer(data, "member_count"),
            created_at=parse_time(data.get("created_at")),
            raw=data,
        )


def ref(value: Any) -> str:
    """The uuid of an organization, team or user: text, a UUID, or an SDK object."""
    if isinstance(value, Member):
        return path_part(value.user.uuid)
    if hasattr(value, "uuid"):
        return path_part(value.uuid)
    return path_part(str(value).strip())


def organization_path(organization: Any, *parts: Any) -> str:
    """``/user/organizations/<org>/<parts>/`` (from the server's root)."""
    tail = "".join(f"{part}/" for part in parts)
    return f"/user/organizations/{ref(organization)}/{tail}"


class OrganizationMethods(ClientBase):
    """:class:`pluto.Client` methods for organizations and teams."""

    def list_organizations(self) -> list[Organization]:
        """The organizations you are in, with your role in each."""
        return [Organization.from_json(item) for item in self.get("/user/organizations/")]

    def create_organization(self, name: str) -> Organization:
        """A new organization, with you as its admin."""
        return Organization.from_json(self.send("POST", "/user/organizations/", {"name": name}))

    def organization_members(self, organization: Any) -> list[Member]:
        """The members of an organization (a uuid or an :class:`Organization`)."""
        return [
            Member.from_json(m) for m in self.list_items(organization_path(organization, "members"))
        ]

    def add_organization_member(
        self, organization: Any, email: str, role: str = "member"
    ) -> Member:
        """Give ``email`` a role (admin, member, guest); admins only. An email without an
        account is invited: it joins with the role when that account is made."""
        body = {"email": email, "role": role}
        return Member.from_json(self.send("POST", organization_path(organization, "members"), body))

    def organization_invitations(self, organization: Any) -> list[dict[str, Any]]:
        """Invitations waiting for an account: ``{uuid, email, role, created_at}``; admins."""
        return list(self.list_items(organization_path(organization, "invitations")))

    def withdraw_organization_invitation(self, organization: Any, invitation: str) -> None:
        """Withdraw an invitation by its uuid; admins only."""
        self.send("DELETE", organization_path(organization, "invitations", invitation))

    def change_organization_member(self, organization: Any, user: Any, role: str) -> Member:
        """Change a member's role (a user uuid, :class:`Member` or user); admins only."""
        path = organization_path(organization, "members", ref(user))
        return Member.from_json(self.send("PATCH", path, {"role": role}))

    def remove_organization_member(self, organization: Any, user: Any) -> None:
        """Remove a member (admins), or leave by naming yourself."""
        self.send("DELETE", organization_path(organization, "members", ref(user)))

    def list_teams(self, organization: Any) -> list[Team]:
        """The teams of an organization."""
        return [
            Team.from_json(t) for t in self.list_items(organization_path(organization, "teams"))
        ]

    def create_team(self, organization: Any, name: str) -> Team:
        """A new, empty team in the organization; admins only."""
        path = organization_path(organization, "teams")
        return Team.from_json(self.send("POST", path, {"name": name}))

    def team_members(self, organization: Any, team: Any) -> list[Member]:
        """The members of a team."""
        path = organization_path(organization, "teams", ref(team), "members")
        return [Member.from_json(m) for m in self.list_items(path)]

    def add_team_member(self, organization: Any, team: Any, email: str) -> Member:
        """Seat a member (not a guest) of the organization in the team; admins only."""
        path = organization_path(organization, "teams", ref(team), "members")
        return Member.from_json(self.send("POST", path, {"email": email}))

    def remove_team_member(self, organization: Any, team: Any, user: Any) -> None:
        """Take a user out of a team; admins only."""
        path = organization_path(organization, "teams", ref(team), "members", ref(user))
        self.send("DELETE", path)

    def share_project_with_team(self, project: Any, team: Any, role: str = "viewer") -> str:
        """Share a project with a team of its organization; its members get ``role``."""
        return self.share_with_team("projects", project, team, role)

    def share_experiment_with_team(self, experiment: Any, team: Any, role: str = "viewer") -> str:
        """Share one experiment with a team of its project's organization."""
        return self.share_with_team("experiments", experiment, team, role)

    def share_with_team(self, kind: str, target: Any, team: Any, role: str) -> str:
        """POST ``<kind>/<id>/teams/``; the role the team now has."""
        target_id = target if isinstance(target, str) else target.pluto_id
        path = f"{kind}/{path_part(target_id)}/teams/"
        answer = self.send("POST", path, {"team": ref(team), "role": role})
        return text(answer, "role")
