"""Memberships of projects and experiments: list, add by email, change role, remove.

Owners manage members. On a ``shareable`` object editors may also add viewers and editors.
The last owner can be neither removed nor demoted, so nothing is left without an owner.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.accounts.services import normalise_email
from pluto.server.errors import InvalidInput, NotFound, PermissionDenied
from pluto.server.lab import ids
from pluto.server.lab.models import (
    Experiment,
    ExperimentMember,
    Project,
    ProjectMember,
    Role,
    ShareLevel,
)
from pluto.server.lab.permissions import EDITOR, OWNER, at_least
from pluto.server.lab.services import reject_unknown_fields

Target = Project | Experiment
Membership = ProjectMember | ExperimentMember


def memberships(target: Target) -> QuerySet[Any]:
    """The target's memberships, oldest first, with their users."""
    return target.memberships.select_related("user").order_by("created_at", "id")


def new_membership(target: Target, user: User, role: str) -> Membership:
    """An unsaved membership row of the right kind for ``target``."""
    if isinstance(target, Project):
        return ProjectMember(project=target, user=user, role=role)
    return ExperimentMember(experiment=target, user=user, role=role)


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


def user_by_email(raw: Any) -> User:
    """The user with this email, or an error naming the field."""
    if not isinstance(raw, str):
        raise InvalidInput("'email' is required.", details={"field": "email"})
    user = User.objects.filter(email=normalise_email(raw), is_active=True).first()
    if user is None:
        raise InvalidInput(
            f"No user with the email {raw.strip()} has an account on this server; "
            "ask an administrator to create one.",
            details={"field": "email"},
        )
    return user


@transaction.atomic
def add_member(actor_role: str, target: Target, data: dict[str, Any]) -> Membership:
    """Give the user with ``data['email']`` the role ``data['role']``."""
    reject_unknown_fields(data, {"email", "role"})
    role = clean_role(data.get("role"))
    check_may_grant(actor_role, target, role)
    user = user_by_email(data.get("email"))
    if target.memberships.filter(user=user).exists():
        raise InvalidInput(
            f"{user.email} is already a member; change their role instead.",
            details={"field": "email"},
        )
    membership = new_membership(target, user, role)
    membership.save()
    return membership


def find_membership(target: Target, raw_user_id: str) -> Membership:
    """The membership of the user with this UUID, or 404."""
    user_uuid = ids.parse_uuid(raw_user_id, "user")
    membership = target.memberships.select_related("user").filter(user__uuid=user_uuid).first()
    if membership is None:
        raise NotFound(f"User {raw_user_id} is not a member here.")
    return membership


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
def change_role(actor_role: str, target: Target, raw_user_id: str, data: Any) -> Membership:
    """Change a member's role (owners only, keeping at least one owner)."""
    if isinstance(data, dict):
        reject_unknown_fields(data, {"role"})
    role = clean_role(data.get("role") if isinstance(data, dict) else None)
    if not at_least(actor_role, OWNER):
        raise PermissionDenied("Only owners can change roles.")
    membership = find_membership(target, raw_user_id)
    if role != OWNER:
        ensure_owner_remains(target, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(actor: User, actor_role: str, target: Target, raw_user_id: str) -> None:
    """Remove a member: owners remove anyone, and anyone may leave (but not the last owner)."""
    membership = find_membership(target, raw_user_id)
    if membership.user_id != actor.pk and not at_least(actor_role, OWNER):
        raise PermissionDenied("Only owners can remove other members.")
    ensure_owner_remains(target, membership)
    membership.delete()
