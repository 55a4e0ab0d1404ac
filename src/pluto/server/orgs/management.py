"""Managing an organization: its members and their roles, its teams and their members.

Any member of an organization may list its members and teams; only its admins change them.
Someone outside the organization is refused with 403, as the ``Organization`` header is.
An organization always keeps an admin, and a personal organization has only its owner.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.accounts.services import normalise_email
from pluto.server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pluto.server.lab import ids
from pluto.server.lab.services import reject_unknown_fields
from pluto.server.orgs import invitations, services
from pluto.server.orgs.models import (
    Organization,
    OrganizationInvitation,
    OrganizationMember,
    OrgRole,
    Team,
    TeamMember,
)


def find_organization(user: User, raw_uuid: str) -> tuple[Organization, str]:
    """The organization with this uuid and the caller's role in it (403 when not in it)."""
    wanted = ids.parse_uuid(raw_uuid, "organization")
    organization = Organization.objects.filter(uuid=wanted).first()
    role = services.role_in(user, organization) if organization is not None else None
    if organization is None or role is None:
        raise PermissionDenied(
            f"You are not a member of organization {wanted}; GET /user/organizations/ lists yours."
        )
    return organization, role


def require_admin(role: str, organization: Organization) -> None:
    """Only the organization's admins manage its members and teams."""
    if role != OrgRole.ADMIN:
        raise PermissionDenied(f"Only admins of {organization.name} can manage its members.")


def require_shared(organization: Organization) -> None:
    """A personal organization has only its owner."""
    if organization.is_personal:
        raise InvalidInput(
            "A personal organization has only its owner; create an organization "
            "(POST /user/organizations/) to work with others.",
            details={"field": "organization"},
        )


def clean_email(value: Any) -> str:
    """The normalised email of the request, or an error naming the field."""
    if not isinstance(value, str) or "@" not in value:
        raise InvalidInput("'email' must be an email address.", details={"field": "email"})
    return normalise_email(value)


def body_dict(data: Any, allowed: set[str]) -> dict[str, Any]:
    """The request body as an object holding only the allowed fields."""
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", details={"field": "body"})
    reject_unknown_fields(data, allowed)
    return data


def organization_members(organization: Organization) -> QuerySet[OrganizationMember]:
    """The organization's memberships, oldest first, with their users."""
    return organization.memberships.select_related("user").order_by("created_at", "id")


def find_member(organization: Organization, raw_user_id: str) -> OrganizationMember:
    """The membership of the user with this uuid, or 404."""
    user_uuid = ids.parse_uuid(raw_user_id, "user")
    membership = organization_members(organization).filter(user__uuid=user_uuid).first()
    if membership is None:
        raise NotFound(f"User {raw_user_id} is not a member of {organization.name}.")
    return membership


def ensure_admin_remains(organization: Organization, leaving: OrganizationMember) -> None:
    """Refuse to take away the organization's last admin."""
    if leaving.role != OrgRole.ADMIN:
        return
    others = organization.memberships.filter(role=OrgRole.ADMIN).exclude(pk=leaving.pk)
    if not others.exists():
        raise InvalidInput(
            f"This is the last admin of {organization.name}; make someone else an admin first.",
            details={"field": "role"},
        )


def create(user: User, data: Any) -> OrganizationMember:
    """A new organization made by ``user``, who becomes its admin."""
    body = body_dict(data, {"name"})
    organization = services.create_organization(user, body.get("name"))
    return organization.memberships.select_related("organization").get(user=user)


def add_member(
    role: str, organization: Organization, data: Any
) -> OrganizationMember | OrganizationInvitation:
    """Give ``data['email']`` the role ``data['role']`` (admins only): at once when the email
    has an account, as an invitation the account made later takes up otherwise."""
    require_admin(role, organization)
    require_shared(organization)
    body = body_dict(data, {"email", "role"})
    new_role = services.clean_role(body.get("role"))
    email = clean_email(body.get("email"))
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return invitations.invite(organization, email, new_role)
    return services.add_member(organization, user, new_role)


def cancel_invitation(role: str, organization: Organization, raw_uuid: str) -> None:
    """Withdraw a pending invitation (admins only)."""
    require_admin(role, organization)
    invitations.find(organization, raw_uuid).delete()


@transaction.atomic
def change_role(
    role: str, organization: Organization, raw_user_id: str, data: Any
) -> OrganizationMember:
    """Change a member's role (admins only, always keeping an admin)."""
    require_admin(role, organization)
    body = body_dict(data, {"role"})
    new_role = services.clean_role(body.get("role"))
    membership = find_member(organization, raw_user_id)
    if new_role != OrgRole.ADMIN:
        ensure_admin_remains(organization, membership)
    membership.role = new_role
    membership.save(update_fields=["role"])
    if new_role == OrgRole.GUEST:
        TeamMember.objects.filter(team__organization=organization, user=membership.user).delete()
    return membership


@transaction.atomic
def remove_member(actor: User, role: str, organization: Organization, raw_user_id: str) -> None:
    """Remove a member and their team seats: admins remove anyone, anyone may leave."""
    membership = find_member(organization, raw_user_id)
    if membership.user_id != actor.pk:
        require_admin(role, organization)
    if organization.is_personal:
        raise InvalidInput(
            "Nobody can leave their own personal organization.", details={"field": "user"}
        )
    ensure_admin_remains(organization, membership)
    TeamMember.objects.filter(team__organization=organization, user=membership.user).delete()
    membership.delete()


def clean_team_name(value: Any) -> str:
    """A non-empty team name of at most 200 characters."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > services.MAX_NAME:
        raise InvalidInput(
            f"'name' must be a non-empty text of at most {services.MAX_NAME} characters.",
            details={"field": "name"},
        )
    return value.strip()


def teams_of(organization: Organization) -> QuerySet[Team]:
    """The organization's teams by name."""
    return organization.teams.order_by("name", "id")


def create_team(role: str, organization: Organization, data: Any) -> Team:
    """A new, empty team in the organization (admins only); names are unique in it."""
    require_admin(role, organization)
    require_shared(organization)
    name = clean_team_name(body_dict(data, {"name"}).get("name"))
    try:
        with transaction.atomic():
            return Team.objects.create(organization=organization, name=name)
    except IntegrityError:
        raise Conflict(
            f"{organization.name} already has a team called {name}.", details={"field": "name"}
        ) from None


def find_team(organization: Organization, raw_team_id: str) -> Team:
    """The organization's team with this uuid, or 404."""
    team_uuid = ids.parse_uuid(raw_team_id, "team")
    team = organization.teams.filter(uuid=team_uuid).first()
    if team is None:
        raise NotFound(f"{organization.name} has no team {raw_team_id}.")
    return team


def team_members(team: Team) -> QuerySet[TeamMember]:
    """The team's seats, oldest first, with their users."""
    return team.memberships.select_related("user").order_by("created_at", "id")


def add_team_member(role: str, team: Team, data: Any) -> TeamMember:
    """Seat a member (not a guest) of the team's organization in the team (admins only)."""
    organization = team.organization
    require_admin(role, organization)
    email = clean_email(body_dict(data, {"email"}).get("email"))
    membership = organization.memberships.filter(user__email__iexact=email).first()
    if membership is None:
        raise InvalidInput(
            f"{email} is not a member of {organization.name}; add them to it first.",
            details={"field": "email"},
        )
    if membership.role == OrgRole.GUEST:
        raise InvalidInput(
            f"{email} is a guest, and guests see only what is shared with them directly; "
            "make them a member first.",
            details={"field": "email"},
        )
    try:
        with transaction.atomic():
            return TeamMember.objects.create(team=team, user=membership.user)
    except IntegrityError:
        raise Conflict(f"{email} is already in {team.name}.", details={"field": "email"}) from None


def remove_team_member(role: str, team: Team, raw_user_id: str) -> None:
    """Take a user out of the team (admins only)."""
    require_admin(role, team.organization)
    user_uuid = ids.parse_uuid(raw_user_id, "user")
    deleted, _ = team.memberships.filter(user__uuid=user_uuid).delete()
    if not deleted:
        raise NotFound(f"User {raw_user_id} is not in {team.name}.")


def delete_team(role: str, team: Team) -> None:
    """Delete a team (admins only); what was shared with it is no longer shared."""
    require_admin(role, team.organization)
    team.delete()
