"""Memberships of projects and experiments: list, add by email, change role, remove.

Owners manage members. On a ``shareable`` object editors may also add viewers and editors.
The last owner can be neither removed nor demoted, so nothing is left without an owner.

Adding someone by email answers the same whether or not the email has an account, so the
form cannot be used to find out who has one: an email without an account becomes a pending
invitation, which turns into a membership when an account with that email is created (by
an administrator, or by the person signing up).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.accounts.services import normalise_email
from pluto.server.errors import InvalidInput, NotFound, PermissionDenied
from pluto.server.history.services import record_sharing
from pluto.server.lab import ids
from pluto.server.lab.models import (
    Experiment,
    ExperimentInvitation,
    ExperimentMember,
    Project,
    ProjectInvitation,
    ProjectMember,
    Role,
    ShareLevel,
)
from pluto.server.lab.permissions import EDITOR, OWNER, at_least
from pluto.server.lab.services import reject_unknown_fields

Target = Project | Experiment
Membership = ProjectMember | ExperimentMember
Invitation = ProjectInvitation | ExperimentInvitation


def memberships(target: Target) -> QuerySet[Any]:
    """The target's memberships, oldest first, with their users."""
    return target.memberships.select_related("user").order_by("created_at", "id")


def invitations(target: Target) -> QuerySet[Any]:
    """The target's pending invitations, oldest first."""
    return target.invitations.order_by("created_at", "id")


def new_membership(target: Target, user: User, role: str) -> Membership:
    """An unsaved membership row of the right kind for ``target``."""
    if isinstance(target, Project):
        return ProjectMember(project=target, user=user, role=role)
    return ExperimentMember(experiment=target, user=user, role=role)


def new_invitation(target: Target, email: str, role: str) -> Invitation:
    """An unsaved invitation row of the right kind for ``target``."""
    if isinstance(target, Project):
        return ProjectInvitation(project=target, email=email, role=role)
    return ExperimentInvitation(experiment=target, email=email, role=role)


@dataclass(frozen=True)
class Added:
    """What adding by email answers: only what the request said, and a handle (the member's
    or the invitation's uuid) for changing the role or removing it later."""

    uuid: uuid.UUID
    email: str
    role: str


def clean_role(value: Any) -> str:
    """``owner``, ``editor`` or ``viewer``."""
    if value not in Role.values:
        raise InvalidInput(
            f"'role' must be one of owner, editor, viewer (got {value!r}).",
            details={"field": "role", "allowed": list(Role.values)},
        )
    return str(value)


def check_may_grant(actor_role: str, target: Target, role: str) -> None:
    """Owners grant any role; editors of a shareable object grant viewer or editor."""
    if at_least(actor_role, OWNER):
        return
    sharing_editor = target.share_level == ShareLevel.SHAREABLE and at_least(actor_role, EDITOR)
    if sharing_editor and role != OWNER:
        return
    raise PermissionDenied("Only owners can manage members here.")


def clean_email(raw: Any) -> str:
    """The normalised email of the request, or an error naming the field."""
    if not isinstance(raw, str):
        raise InvalidInput("'email' is required.", details={"field": "email"})
    return normalise_email(raw)


def check_not_added(target: Target, email: str) -> None:
    """Refuse an email that is already a member or invited here (both are listed)."""
    member = target.memberships.filter(user__email__iexact=email).exists()
    if member or target.invitations.filter(email__iexact=email).exists():
        raise InvalidInput(
            f"{email} is already a member or invited; change the role instead.",
            details={"field": "email"},
        )


@transaction.atomic
def add_member(
    actor_role: str, target: Target, data: dict[str, Any], actor: User | None = None
) -> Added:
    """Give ``data['email']`` the role ``data['role']``: at once when the email has an
    account, when one is created otherwise. The answer is the same either way."""
    reject_unknown_fields(data, {"email", "role"})
    role = clean_role(data.get("role"))
    check_may_grant(actor_role, target, role)
    email = clean_email(data.get("email"))
    check_not_added(target, email)
    user = User.objects.filter(email__iexact=email).first()
    record_sharing(
        target, actor, "member_added", f"Gave {email} the {role} role.", email=email, role=role
    )
    if user is None:
        invitation = new_invitation(target, email, role)
        invitation.save()
        return Added(invitation.uuid, email, role)
    new_membership(target, user, role).save()
    return Added(user.uuid, email, role)


def accept_invitations(user: User) -> None:
    """Turn the invitations to ``user``'s email into memberships (a new account's first act)."""
    for kind in (ProjectInvitation, ExperimentInvitation):
        for invitation in kind.objects.filter(email__iexact=user.email):
            target = invitation_target(invitation)
            if not target.memberships.filter(user=user).exists():
                new_membership(target, user, invitation.role).save()
            invitation.delete()


def accept_invitations_of_new_user(
    sender: type[User], instance: User, created: bool, **kwargs: Any
) -> None:
    """``post_save`` of a user: a new account takes up the invitations to its email, however it
    was made (sign-up, ``pluto user create``, the admin)."""
    if created and not kwargs.get("raw"):
        accept_invitations(instance)


def invitation_target(invitation: Invitation) -> Target:
    """The project or experiment an invitation is for."""
    if isinstance(invitation, ProjectInvitation):
        return invitation.project
    return invitation.experiment


def find_membership(target: Target, raw_user_id: str) -> Membership:
    """The membership of the user with this UUID, or 404."""
    user_uuid = ids.parse_uuid(raw_user_id, "user")
    membership = target.memberships.select_related("user").filter(user__uuid=user_uuid).first()
    if membership is None:
        raise NotFound(f"User {raw_user_id} is not a member here.")
    return membership


def find_invitation(target: Target, raw_id: str) -> Invitation | None:
    """The pending invitation with this UUID, if there is one (ids are checked by the caller)."""
    try:
        return target.invitations.filter(uuid=uuid.UUID(str(raw_id))).first()
    except ValueError:
        return None


def ensure_owner_remains(target: Target, leaving: Membership) -> None:
    """Refuse to take away the last owner."""
    if leaving.role != OWNER:
        return
    others = target.memberships.filter(role=OWNER).exclude(pk=leaving.pk)
    if not others.exists():
        raise InvalidInput(
            "This is the last owner; make someone else an owner first.",
            details={"field": "role"},
        )


@transaction.atomic
def change_role(
    actor_role: str, target: Target, raw_user_id: str, data: Any, actor: User | None = None
) -> Membership | Invitation:
    """Change a member's or a pending invitation's role (owners only, keeping an owner)."""
    if isinstance(data, dict):
        reject_unknown_fields(data, {"role"})
    role = clean_role(data.get("role") if isinstance(data, dict) else None)
    if not at_least(actor_role, OWNER):
        raise PermissionDenied("Only owners can change roles.")
    invitation = find_invitation(target, raw_user_id)
    if invitation is not None:
        invitation.role = role
        invitation.save(update_fields=["role"])
        record_sharing(
            target,
            actor,
            "member_role_changed",
            f"Gave {invitation.email} the {role} role.",
            email=invitation.email,
            role=role,
        )
        return invitation
    membership = find_membership(target, raw_user_id)
    if role != OWNER:
        ensure_owner_remains(target, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    email = membership.user.email
    record_sharing(
        target,
        actor,
        "member_role_changed",
        f"Gave {email} the {role} role.",
        email=email,
        role=role,
    )
    return membership


@transaction.atomic
def remove_member(actor: User, actor_role: str, target: Target, raw_user_id: str) -> None:
    """Remove a member: owners remove anyone, and anyone may leave (but not the last owner).
    Owners also withdraw pending invitations this way."""
    invitation = find_invitation(target, raw_user_id)
    if invitation is not None and at_least(actor_role, OWNER):
        invitation.delete()
        record_sharing(
            target,
            actor,
            "member_removed",
            f"Withdrew the invitation of {invitation.email}.",
            email=invitation.email,
        )
        return
    membership = find_membership(target, raw_user_id)
    if membership.user_id != actor.pk and not at_least(actor_role, OWNER):
        raise PermissionDenied("Only owners can remove other members.")
    ensure_owner_remains(target, membership)
    membership.delete()
    email = membership.user.email
    record_sharing(
        target, actor, "member_removed", f"Removed {email} from the members.", email=email
    )
