"""``user/organizations/``: the caller's organizations, their members and teams.

These live outside ``lab/``, as Pluto has it. Members list; admins manage.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from pluto.server.http import body_doc, json_body
from pluto.server.lab.schemas import InvitationPage, invitation_json
from pluto.server.orgs import invitations, management, schemas, services
from pluto.server.pagination import list_page_doc, page_of, page_request

router = Router(tags=["organizations"])

ORG = "/organizations/{org_id}/"
TEAM = ORG + "teams/{team_id}/"


@router.get(
    "/organizations/",
    response=list[schemas.OrganizationOut],
    summary="The caller's organizations (a bare array)",
)
def list_organizations(request: HttpRequest) -> list[dict[str, Any]]:
    services.default_organization(request.auth)
    return [schemas.membership_json(m) for m in services.memberships_of(request.auth)]


@router.post(
    "/organizations/",
    response={201: schemas.OrganizationOut},
    summary="Create an organization (the caller becomes its admin)",
    openapi_extra=body_doc(schemas.OrganizationCreate),
)
def create_organization(request: HttpRequest) -> Status[dict[str, Any]]:
    return Status(201, schemas.membership_json(management.create(request.auth, json_body(request))))


@router.get(ORG, response=schemas.OrganizationOut, summary="One of the caller's organizations")
def get_organization(request: HttpRequest, org_id: str) -> dict[str, Any]:
    organization, _ = management.find_organization(request.auth, org_id)
    return schemas.membership_json(organization.memberships.get(user=request.auth))


@router.get(
    ORG + "members/",
    response=schemas.OrganizationMemberPage,
    summary="The organization's members and their roles",
    openapi_extra=list_page_doc(),
)
def list_members(request: HttpRequest, org_id: str) -> dict[str, Any]:
    organization, _ = management.find_organization(request.auth, org_id)
    page = page_request(request.GET)
    count, rows = page_of(management.organization_members(organization), page)
    return {"count": count, "items": [schemas.member_json(m) for m in rows]}


@router.post(
    ORG + "members/",
    response={201: schemas.OrganizationMemberOut},
    summary="Add the account with an email as a member with a role (admins)",
    openapi_extra=body_doc(schemas.OrganizationMemberCreate),
)
def add_member(request: HttpRequest, org_id: str) -> Status[dict[str, Any]]:
    organization, role = management.find_organization(request.auth, org_id)
    added = management.add_member(role, organization, json_body(request))
    return Status(201, schemas.member_json(added))


@router.patch(
    ORG + "members/{user_id}/",
    response=schemas.OrganizationMemberOut,
    summary="Change a member's role (admins)",
    openapi_extra=body_doc(schemas.OrganizationRolePatch),
)
def change_member(request: HttpRequest, org_id: str, user_id: str) -> dict[str, Any]:
    organization, role = management.find_organization(request.auth, org_id)
    changed = management.change_role(role, organization, user_id, json_body(request))
    return schemas.member_json(changed)


@router.delete(
    ORG + "members/{user_id}/",
    response={204: None},
    summary="Remove a member (admins), or leave",
)
def remove_member(request: HttpRequest, org_id: str, user_id: str) -> HttpResponse:
    organization, role = management.find_organization(request.auth, org_id)
    management.remove_member(request.auth, role, organization, user_id)
    return HttpResponse(status=204)


@router.get(
    ORG + "invitations/",
    response=InvitationPage,
    summary="Invitations waiting for an account with their email (admins)",
    openapi_extra=list_page_doc(),
)
def list_invitations(request: HttpRequest, org_id: str) -> dict[str, Any]:
    organization, role = management.find_organization(request.auth, org_id)
    management.require_admin(role, organization)
    count, rows = page_of(invitations.pending(organization), page_request(request.GET))
    return {"count": count, "items": [invitation_json(row) for row in rows]}


@router.delete(
    ORG + "invitations/{invitation_id}/",
    response={204: None},
    summary="Withdraw an invitation (admins)",
)
def cancel_invitation(request: HttpRequest, org_id: str, invitation_id: str) -> HttpResponse:
    organization, role = management.find_organization(request.auth, org_id)
    management.cancel_invitation(role, organization, invitation_id)
    return HttpResponse(status=204)


@router.get(ORG + "teams/", response=schemas.TeamPage, summary="The organization's teams")
def list_teams(request: HttpRequest, org_id: str) -> dict[str, Any]:
    organization, _ = management.find_organization(request.auth, org_id)
    count, rows = page_of(management.teams_of(organization), page_request(request.GET))
    return {"count": count, "items": [schemas.team_json(t) for t in rows]}


@router.post(
    ORG + "teams/",
    response={201: schemas.TeamOut},
    summary="Create a team (admins)",
    openapi_extra=body_doc(schemas.TeamCreate),
)
def create_team(request: HttpRequest, org_id: str) -> Status[dict[str, Any]]:
    organization, role = management.find_organization(request.auth, org_id)
    team = management.create_team(role, organization, json_body(request))
    return Status(201, schemas.team_json(team))


@router.get(TEAM, response=schemas.TeamOut, summary="A team")
def get_team(request: HttpRequest, org_id: str, team_id: str) -> dict[str, Any]:
    organization, _ = management.find_organization(request.auth, org_id)
    return schemas.team_json(management.find_team(organization, team_id))


@router.delete(TEAM, response={204: None}, summary="Delete a team (admins)")
def delete_team(request: HttpRequest, org_id: str, team_id: str) -> HttpResponse:
    organization, role = management.find_organization(request.auth, org_id)
    management.delete_team(role, management.find_team(organization, team_id))
    return HttpResponse(status=204)


@router.get(TEAM + "members/", response=schemas.TeamMemberPage, summary="A team's members")
def list_team_members(request: HttpRequest, org_id: str, team_id: str) -> dict[str, Any]:
    organization, _ = management.find_organization(request.auth, org_id)
    team = management.find_team(organization, team_id)
    count, rows = page_of(management.team_members(team), page_request(request.GET))
    return {"count": count, "items": [schemas.team_member_json(s) for s in rows]}


@router.post(
    TEAM + "members/",
    response={201: schemas.TeamMemberOut},
    summary="Add a member of the organization to the team (admins)",
    openapi_extra=body_doc(schemas.TeamMemberCreate),
)
def add_team_member(request: HttpRequest, org_id: str, team_id: str) -> Status[dict[str, Any]]:
    organization, role = management.find_organization(request.auth, org_id)
    team = management.find_team(organization, team_id)
    seat = management.add_team_member(role, team, json_body(request))
    return Status(201, schemas.team_member_json(seat))


@router.delete(
    TEAM + "members/{user_id}/",
    response={204: None},
    summary="Take a user out of the team (admins)",
)
def remove_team_member(
    request: HttpRequest, org_id: str, team_id: str, user_id: str
) -> HttpResponse:
    organization, role = management.find_organization(request.auth, org_id)
    management.remove_team_member(role, management.find_team(organization, team_id), user_id)
    return HttpResponse(status=204)
