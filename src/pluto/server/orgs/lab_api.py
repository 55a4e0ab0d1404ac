"""``lab/projects/<id>/teams/`` and ``lab/experiments/<id>/teams/``: sharing with teams."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from pluto.server.http import body_doc, json_body
from pluto.server.lab import services
from pluto.server.lab.schemas import Body, RoleName, iso
from pluto.server.openapi import UUID
from pluto.server.orgs import sharing
from pluto.server.pagination import list_page_doc, page_of, page_request

router = Router(tags=["organizations"])


class TeamShareTeamOut(Schema):
    uuid: str
    name: str
    organization: str


class TeamShareOut(Schema):
    team: TeamShareTeamOut
    role: str
    created_at: str


class TeamSharePage(Schema):
    count: int
    items: list[TeamShareOut]


class TeamShareCreate(Body):
    team: str = Field(pattern=f"^{UUID}$")
    role: RoleName


class TeamShareRolePatch(Body):
    role: RoleName


def share_json(share: sharing.TeamShare) -> dict[str, Any]:
    """``{team: {uuid, name, organization}, role, created_at}``."""
    team = share.team
    return {
        "team": {
            "uuid": str(team.uuid),
            "name": team.name,
            "organization": str(team.organization.uuid),
        },
        "role": share.role,
        "created_at": iso(share.created_at),
    }


def share_target(request: HttpRequest, kind: str, object_id: str) -> tuple[Any, str]:
    """The project or experiment whose team shares are addressed, with the caller's role."""
    if kind == "projects":
        return services.find_project(request.auth, object_id)
    return services.find_experiment(request.auth, object_id)


def register_team_share_routes(kind: str) -> None:
    """The four team-share endpoints under ``lab/<kind>/<id>/teams/``."""
    base = f"/{kind}/{{object_id}}/teams/"

    @router.get(
        base,
        response=TeamSharePage,
        operation_id=f"list_{kind}_team_shares",
        summary="The teams this is shared with",
        openapi_extra=list_page_doc(),
    )
    def list_shares(request: HttpRequest, object_id: str) -> dict[str, Any]:
        target, _ = share_target(request, kind, object_id)
        rows = sharing.team_shares(target).select_related("team__organization")
        count, page = page_of(rows, page_request(request.GET))
        return {"count": count, "items": [share_json(s) for s in page]}

    @router.post(
        base,
        response={201: TeamShareOut},
        operation_id=f"share_{kind}_with_team",
        summary="Share with a team of the organization, with a role",
        openapi_extra=body_doc(TeamShareCreate),
    )
    def add_share(request: HttpRequest, object_id: str) -> Status[dict[str, Any]]:
        target, role = share_target(request, kind, object_id)
        return Status(
            201, share_json(sharing.share(request.auth, role, target, json_body(request)))
        )

    @router.patch(
        base + "{team_id}/",
        response=TeamShareOut,
        operation_id=f"change_{kind}_team_share",
        summary="Change a team's role",
        openapi_extra=body_doc(TeamShareRolePatch),
    )
    def change_share(request: HttpRequest, object_id: str, team_id: str) -> dict[str, Any]:
        target, role = share_target(request, kind, object_id)
        changed = sharing.change_role(request.auth, role, target, team_id, json_body(request))
        return share_json(changed)

    @router.delete(
        base + "{team_id}/",
        response={204: None},
        operation_id=f"unshare_{kind}_with_team",
        summary="Stop sharing with a team",
    )
    def remove_share(request: HttpRequest, object_id: str, team_id: str) -> HttpResponse:
        target, role = share_target(request, kind, object_id)
        sharing.unshare(request.auth, role, target, team_id)
        return HttpResponse(status=204)


register_team_share_routes("projects")
register_team_share_routes("experiments")
