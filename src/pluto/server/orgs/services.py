"""Rules for organizations: every user's personal one, the default one, members and roles."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, InvalidInput
from pluto.server.orgs.models import Organization, OrganizationMember, OrgRole

MAX_NAME = 200


def personal_name(user: User) -> str:
    """What a user's personal organization is called."""
    return f"{user.get_full_name()} (personal)"


def personal_organization(user: User) -> Organization:
    """The user's personal organization, made (with them as its admin) if it is missing."""
    existing = Organization.objects.filter(personal_of=user).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=personal_name(user), personal_of=user)
            is_default = not OrganizationMember.objects.filter(user=user, is_default=True).exists()
            OrganizationMember.objects.create(
                organization=organization, user=user, role=OrgRole.ADMIN, is_default=is_default
            )
            return organization
    except IntegrityError:
        # Two requests of a new user raced; the other one made it.
        return Organization.objects.get(personal_of=user)


def give_new_user_a_personal_organization(
    sender: Any, instance: User, created: bool, **kwargs: Any
) -> None:
    """Signal receiver: a new account starts with its personal organization."""
    if created and not kwargs.get("raw"):
        personal_organization(instance)


def memberships_of(user: User) -> QuerySet[OrganizationMember]:
    """The user's organization memberships, oldest first, with their organizations."""
    return OrganizationMember.objects.filter(user=user).select_related("organization")


def default_organization(user: User) -> Organization:
    """Where the user's new projects go when a request names no organization."""
    membership = memberships_of(user).filter(is_default=True).first()
    if membership is not None:
        return membership.organization
    return personal_organization(user)


def role_in(user: User, organization: Organization) -> str | None:
    """The user's role in the organization, or None when they are not in it."""
    return (
        OrganizationMember.objects.filter(organization=organization, user=user)
        .values_list("role", flat=True)
        .first()
    )


def clean_role(value: Any) -> str:
    """An organization role: admin, member or guest."""
    if value not in OrgRole.values:
        raise InvalidInput(
            f"'role' must be one of {', '.join(OrgRole.values)}.", details={"field": "role"}
        )
    return str(value)


def clean_organization_name(value: Any) -> str:
    """A non-empty organization name of at most 200 characters."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_NAME:
        raise InvalidInput(
            f"'name' must be a non-empty text of at most {MAX_NAME} characters.",
            details={"field": "name"},
        )
    return value.strip()


@transaction.atomic
def create_organization(creator: User, name: Any) -> Organization:
    """A new organization with ``creator`` as its first admin."""
    organization = Organization.objects.create(name=clean_organization_name(name))
    OrganizationMember.objects.create(organization=organization, user=creator, role=OrgRole.ADMIN)
    return organization


def add_member(organization: Organization, user: User, role: Any) -> OrganizationMember:
    """Give ``user`` a role in the organization; 409 when they already have one."""
    role = clean_role(role)
    try:
        with transaction.atomic():
            return OrganizationMember.objects.create(
                organization=organization, user=user, role=role
            )
    except IntegrityError:
        raise Conflict(
            f"{user.email} is already in {organization.name}.", details={"field": "email"}
        ) from None


@transaction.atomic
def set_default(user: User, organization: Organization) -> None:
    """Make ``organization`` (which the user is in) their default one."""
    memberships_of(user).filter(is_default=True).update(is_default=False)
    memberships_of(user).filter(organization=organization).update(is_default=True)
