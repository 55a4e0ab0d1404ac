"""The organization a request is scoped to, from its ``Organization`` header.

The API's authentication resolves it once per request and attaches it to the caller, so
that every permission query (``lab.permissions``) applies it without each service passing
it on: with the header, a request sees only that organization's projects and experiments;
without it, it sees what the caller may see anywhere, and creates in their default
organization.
"""

from __future__ import annotations

import uuid

from pluto.server.accounts.models import User
from pluto.server.errors import InvalidInput, PermissionDenied
from pluto.server.orgs import services
from pluto.server.orgs.models import Organization

HEADER = "Organization"
SCOPE_ATTRIBUTE = "pluto_organization_scope"


def parse_header(value: str) -> uuid.UUID:
    """The organization uuid of an ``Organization`` header; 400 when it is not one."""
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise InvalidInput(
            "The Organization header must be an organization's uuid "
            "(see GET /user/organizations/).",
            details={"field": HEADER},
        ) from None


def organization_of_header(user: User, value: str) -> Organization:
    """The organization the header names, which the user must be in (403 otherwise)."""
    wanted = parse_header(value)
    organization = Organization.objects.filter(uuid=wanted).first()
    if organization is None or services.role_in(user, organization) is None:
        raise PermissionDenied(
            f"You are not a member of organization {wanted}; GET /user/organizations/ lists yours.",
            details={"field": HEADER},
        )
    return organization


def scope_user(user: User, header: str | None) -> User:
    """The caller, scoped to the organization of the header (unscoped without one)."""
    organization = organization_of_header(user, header) if header else None
    setattr(user, SCOPE_ATTRIBUTE, organization)
    return user


def scope_of(user: User) -> Organization | None:
    """The organization the caller's request is scoped to, or None for no header."""
    organization = getattr(user, SCOPE_ATTRIBUTE, None)
    return organization if isinstance(organization, Organization) else None


def working_organization(user: User) -> Organization:
    """Where what the request creates belongs: the header's organization or the default."""
    return scope_of(user) or services.default_organization(user)


def creating_organization(user: User) -> Organization:
    """The working organization, where the user may create projects (not as a guest)."""
    organization = working_organization(user)
    if services.role_in(user, organization) == "guest":
        raise PermissionDenied(
            f"Guests of {organization.name} see what is shared with them but create no "
            "projects there; an admin can make you a member.",
            details={"field": HEADER},
        )
    return organization
