"""JSON shapes of organizations."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from pluto.server.lab.schemas import iso
from pluto.server.orgs.models import OrganizationMember


class OrganizationOut(Schema):
    uuid: str
    name: str
    role: str
    is_default: bool
    is_personal: bool
    created_at: str


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
