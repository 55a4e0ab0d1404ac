"""``user/organizations/``: the caller's organizations (outside ``lab/``, as Pluto has it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from pluto.server.orgs import schemas, services

router = Router(tags=["organizations"])


@router.get(
    "/organizations/",
    response=list[schemas.OrganizationOut],
    summary="The caller's organizations (a bare array)",
)
def list_organizations(request: HttpRequest) -> list[dict[str, Any]]:
    services.default_organization(request.auth)
    return [schemas.membership_json(m) for m in services.memberships_of(request.auth)]
