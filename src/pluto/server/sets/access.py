"""Who sees and changes a set: members of its organization (guests only read)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, NotFound, PermissionDenied
from pluto.server.lab import ids
from pluto.server.orgs import services as orgs
from pluto.server.orgs.models import Organization, OrganizationMember, OrgRole
from pluto.server.orgs.scope import scope_of, working_organization
from pluto.server.sets.models import BiomarkerSet, BiomodelSet

SetModel = TypeVar("SetModel", bound=Model)
WRITING_ROLES = (OrgRole.ADMIN, OrgRole.MEMBER)


def visible(user: User, queryset: QuerySet[SetModel]) -> QuerySet[SetModel]:
    """The sets of the request's organization, or of every organization the user is in."""
    scoped = scope_of(user)
    if scoped is not None:
        return queryset.filter(organization=scoped)
    member_of = OrganizationMember.objects.filter(user=user).values("organization_id")
    return queryset.filter(organization_id__in=member_of)


def find(user: User, queryset: QuerySet[Any], raw_id: str, noun: str) -> Any:
    """The visible set with this UUID; ``404`` when missing or not visible."""
    wanted = ids.parse_uuid(raw_id, noun)
    found = visible(user, queryset).filter(uuid=wanted).first()
    if found is None:
        raise NotFound(f"No {noun} {wanted}.")
    return found


def organization_to_create_in(user: User, noun: str) -> Organization:
    """Where a new set goes; guests of that organization may not create one."""
    organization = working_organization(user)
    check_role(user, organization, noun)
    return organization


def check_role(user: User, organization: Organization, noun: str) -> None:
    """``403`` unless the user is an admin or member of the organization."""
    role = orgs.role_in(user, organization)
    if role not in WRITING_ROLES:
        raise PermissionDenied(
            f"Guests of an organization may read its {noun}s but not change them."
        )


def check_writable(user: User, found: BiomarkerSet | BiomodelSet, noun: str) -> None:
    """The user may change this set, and it is not archived (``409`` when it is)."""
    check_role(user, found.organization, noun)
    if found.is_archived:
        raise Conflict(f"This {noun} is archived; archived sets are not changed.")
