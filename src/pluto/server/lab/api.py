"""JSON endpoints for projects, experiments and their members (API.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from pluto.server.http import body_doc, json_body
from pluto.server.lab import members, schemas, services
from pluto.server.openapi import documented_errors
from pluto.server.pagination import list_page_doc, page_of, page_request

router = Router(tags=["projects and experiments"])


class ListParams(Schema):
    is_archived: bool | None = None


def project_page(request: HttpRequest, params: ListParams) -> dict[str, Any]:
    """A page of the caller's projects."""
    page = page_request(request.GET)
    count, rows = page_of(services.projects_for(request.auth, params.is_archived), page)
    return {"count": count, "items": [schemas.project_json(p, p.experiments_total) for p in rows]}


@router.get(
    "/projects/",
    response=schemas.ProjectPage,
    summary="List projects",
    openapi_extra=list_page_doc(),
)
def list_projects(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    return project_page(request, params)


@router.post(
    "/projects/", response={201: schemas.ProjectOut}, openapi_extra=body_doc(schemas.ProjectCreate)
)
def create_project(request: HttpRequest) -> Status[dict[str, Any]]:
    project = services.create_project(request.auth, json_body(request))
    return Status(201, schemas.project_json(project, 0))


@router.get("/projects/{project_id}/", response=schemas.ProjectOut, summary="Get a project")
def get_project(request: HttpRequest, project_id: str) -> dict[str, Any]:
    project, _ = services.find_project(request.auth, project_id)
    return schemas.project_json(project, services.experiment_count(project))


@router.patch(
    "/projects/{project_id}/",
    response=schemas.ProjectOut,
    openapi_extra=body_doc(schemas.ProjectPatch),
)
def patch_project(request: HttpRequest, project_id: str) -> dict[str, Any]:
    project, role = services.find_project(request.auth, project_id)
    services.update_project(request.auth, project, role, json_body(request))
    return schemas.project_json(project, services.experiment_count(project))


@router.get(
    "/projects/{project_id}/experiments/",
    response=schemas.ExperimentPage,
    openapi_extra=list_page_doc(),
)
def list_project_experiments(
    request: HttpRequest, project_id: str, params: Query[ListParams]
) -> dict[str, Any]:
    project, _ = services.find_project(request.auth, project_id)
    return experiment_page(request, params, project)


def experiment_page(
    request: HttpRequest, params: ListParams, project: Any = None
) -> dict[str, Any]:
    """A page of the caller's experiments, optionally in one project."""
    page = page_request(request.GET)
    queryset = services.experiments_for(request.auth, project, params.is_archived)
    count, rows = page_of(queryset, page)
    return {"count": count, "items": [schemas.experiment_json(e, e.plot_total) for e in rows]}


@router.get(
    "/experiments/",
    response=schemas.ExperimentPage,
    summary="List experiments",
    openapi_extra=list_page_doc(),
)
def list_experiments(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    return experiment_page(request, params)


@router.post(
    "/experiments/",
    response={201: schemas.ExperimentOut},
    # 404: the project named in the body is not one the caller can see.
    openapi_extra=body_doc(schemas.ExperimentCreate) | documented_errors(404),
)
def create_experiment(request: HttpRequest) -> Status[dict[str, Any]]:
    experiment = services.create_experiment(request.auth, json_body(request))
    return Status(201, schemas.experiment_json(experiment))


@router.get("/experiments/{experiment_id}/", response=schemas.ExperimentOut)
def get_experiment(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    experiment, _ = services.find_experiment(request.auth, experiment_id)
    return schemas.experiment_json(experiment, getattr(experiment, "plot_total", 0))


@router.patch(
    "/experiments/{experiment_id}/",
    response=schemas.ExperimentOut,
    openapi_extra=body_doc(schemas.ExperimentPatch),
)
def patch_experiment(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    experiment, role = services.find_experiment(request.auth, experiment_id)
    services.update_experiment(request.auth, experiment, role, json_body(request))
    updated = services.experiments_with_relations().get(pk=experiment.pk)
    return schemas.experiment_json(updated, updated.plot_total)


def member_target(request: HttpRequest, kind: str, object_id: str) -> tuple[Any, str]:
    """The project or experiment whose members are addressed, with the caller's role."""
    if kind == "projects":
        return services.find_project(request.auth, object_id)
    return services.find_experiment(request.auth, object_id)


def register_member_routes(kind: str) -> None:
    """The four member endpoints under ``lab/<kind>/<id>/members/``."""
    base = f"/{kind}/{{object_id}}/members/"

    @router.get(
        base,
        response=schemas.MemberPage,
        operation_id=f"list_{kind}_members",
        openapi_extra=list_page_doc(),
    )
    def list_members(request: HttpRequest, object_id: str) -> dict[str, Any]:
        target, _ = member_target(request, kind, object_id)
        count, rows = page_of(members.memberships(target), page_request(request.GET))
        return {"count": count, "items": [schemas.member_json(m) for m in rows]}

    @router.post(
        base,
        response={201: schemas.MemberOut},
        openapi_extra=body_doc(schemas.MemberCreate),
        operation_id=f"add_{kind}_member",
    )
    def add_member(request: HttpRequest, object_id: str) -> Status[dict[str, Any]]:
        target, role = member_target(request, kind, object_id)
        return Status(
            201,
            schemas.added_json(members.add_member(role, target, json_body(request), request.auth)),
        )

    @router.get(
        f"/{kind}/{{object_id}}/invitations/",
        response=schemas.InvitationPage,
        operation_id=f"list_{kind}_invitations",
    )
    def list_invitations(
        request: HttpRequest, object_id: str, params: Query[ListParams]
    ) -> dict[str, Any]:
        """Emails added as members that have no account yet (change or withdraw them under
        ``members/<uuid>/``)."""
        target, _ = member_target(request, kind, object_id)
        count, rows = page_of(members.invitations(target), page_request(params.model_dump()))
        return {"count": count, "items": [schemas.invitation_json(i) for i in rows]}

    @router.patch(
        base + "{user_id}/",
        response=schemas.MemberOut,
        openapi_extra=body_doc(schemas.RolePatch),
        operation_id=f"change_{kind}_member",
    )
    def change_member(request: HttpRequest, object_id: str, user_id: str) -> dict[str, Any]:
        target, role = member_target(request, kind, object_id)
        return schemas.member_json(
            members.change_role(role, target, user_id, json_body(request), request.auth)
        )

    @router.delete(base + "{user_id}/", response={204: None}, operation_id=f"remove_{kind}_member")
    def remove_member(request: HttpRequest, object_id: str, user_id: str) -> HttpResponse:
        target, role = member_target(request, kind, object_id)
        members.remove_member(request.auth, role, target, user_id)
        return HttpResponse(status=204)


register_member_routes("projects")
register_member_routes("experiments")
