"""Inviting someone into an organization by email before they have an account.

An admin adds a colleague by email; when no account has that email yet, the role waits as
an invitation, listed on the Users & Teams page, and the account made later with that email
(by sign-up, ``pluto user create`` or the admin) joins with it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, NotFound
from pluto.server.lab import ids
from pluto.server.orgs.models import Organization, OrganizationInvitation, OrganizationMember


def pending(organization: Organization) -> QuerySet[OrganizationInvitation]:
    """The organization's invitations waiting for an account, oldest first."""
    return organization.invitations.order_by("created_at", "id")


def invite(organization: Organization, email: str, role: str) -> OrganizationInvitation:
    """Keep ``role`` for the account that ``email`` will have; 409 when already invited."""
    try:
        with transaction.atomic():
            return OrganizationInvitation.objects.create(
                organization=organization, email=email, role=role
            )
    except IntegrityError:
        raise Conflict(
            f"{email} is already invited to {organization.name}; cancel that invitation "
            "to invite them with another role.",
            details={"field": "email"},
        ) from None


def find(organization: Organization, raw_uuid: str) -> OrganizationInvitation:
    """The organization's invitation with this uuid, or 404."""
    wanted = ids.parse_uuid(raw_uuid, "invitation")
    invitation = pending(organization).filter(uuid=wanted).first()
    if invitation is None:
        raise NotFound(f"{organization.name} has no pending invitation {wanted}.")
    return invitation


def accept(user: User) -> None:
    """Turn the invitations to ``user``'s email into memberships."""
    for invitation in OrganizationInvitation.objects.filter(email__iexact=user.email):
        OrganizationMember.objects.get_or_create(
            organization=invitation.organization, user=user, defaults={"role": invitation.role}
        )
        invitation.delete()


def accept_invitations_of_new_user(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    """``post_save`` of a user: a new account joins the organizations it was invited to."""
    if created and not kwargs.get("raw"):
        accept(instance)
