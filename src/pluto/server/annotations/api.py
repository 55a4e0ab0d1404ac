"""The JSON API of annotation sets: an experiment's cell clusters (API.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from pluto.server.annotations import schemas, services
from pluto.server.http import body_doc, json_body
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import find_experiment, require
from pluto.server.openapi import page_parameters
from pluto.server.pagination import TABLE_MAX_LIMIT, page_of, page_request
from pluto.server.sets.csv_upload import csv_bytes

router = Router(tags=["annotations"])
SETS = "/experiments/{experiment_id}/annotation-sets/"
ONE_SET = SETS + "{set_id}/"
MAX_CELLS_PAGE = TABLE_MAX_LIMIT
UPLOAD_DOC: dict[str, Any] = {
    "description": "A CSV with a 'cell_id' and a 'cluster' column (and optionally "
    "'cluster_name'), as the raw body or the multipart field 'file'. 'display_name' and "
    "'resolution' come as form fields or query parameters.",
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "display_name": {"type": "string"},
                        "resolution": {"type": "number"},
                    },
                    "required": ["file"],
                }
            },
        },
    },
}


def upload_fields(request: HttpRequest) -> tuple[dict[str, Any], str]:
    """The set's fields (form fields, else query parameters) and the uploaded file's name."""
    upload = request.FILES.get("file")
    fields = request.POST if upload is not None else request.GET
    params = {key: fields.get(key) for key in ("display_name", "resolution")}
    filename = upload.name if upload is not None else request.GET.get("filename", "")
    return params, str(filename or "")


@router.get(
    SETS, response=list[schemas.AnnotationSetOut], summary="An experiment's annotation sets"
)
def list_annotation_sets(request: HttpRequest, experiment_id: str) -> list[dict[str, Any]]:
    """Every annotation set of the experiment, oldest first, as a bare array."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    return [services.set_json(found) for found in services.sets_of(experiment)]


@router.post(SETS, response={201: schemas.AnnotationSetOut}, openapi_extra=UPLOAD_DOC)
def create_annotation_set(request: HttpRequest, experiment_id: str) -> Status[dict[str, Any]]:
    """Add a set from a table of cells and their cluster numbers (editors)."""
    experiment, role = find_experiment(request.auth, experiment_id)
    params, filename = upload_fields(request)
    require(role, EDITOR, "add annotation sets")
    created = services.create_from_table(
        request.auth, experiment, role, csv_bytes(request), params, filename
    )
    return Status(201, services.set_json(created))


@router.get(ONE_SET, response=schemas.AnnotationSetOut)
def get_annotation_set(request: HttpRequest, experiment_id: str, set_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return services.set_json(services.find_set(experiment, set_id))


@router.patch(
    ONE_SET, response=schemas.AnnotationSetOut, openapi_extra=body_doc(schemas.AnnotationSetUpdate)
)
def update_annotation_set(request: HttpRequest, experiment_id: str, set_id: str) -> dict[str, Any]:
    """Rename the set (editors)."""
    experiment, role = find_experiment(request.auth, experiment_id)
    found = services.find_set(experiment, set_id)
    services.update_set(request.auth, role, found, json_body(request))
    return services.set_json(services.find_set(experiment, set_id))


@router.delete(ONE_SET, response={204: None})
def delete_annotation_set(request: HttpRequest, experiment_id: str, set_id: str) -> HttpResponse:
    """Delete the set with its clusters and cells (editors)."""
    experiment, role = find_experiment(request.auth, experiment_id)
    services.delete_set(request.auth, role, services.find_set(experiment, set_id))
    return HttpResponse(status=204)


@router.get(
    ONE_SET + "annotations/",
    response=schemas.AnnotationPage,
    openapi_extra={"parameters": page_parameters(MAX_CELLS_PAGE, MAX_CELLS_PAGE)},
)
def list_annotations(request: HttpRequest, experiment_id: str, set_id: str) -> dict[str, Any]:
    """Each cell's cluster number, in upload order, 100,000 a page (page with ``offset``)."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    found = services.find_set(experiment, set_id)
    page = page_request(request.GET, default_limit=MAX_CELLS_PAGE, max_limit=MAX_CELLS_PAGE)
    count, rows = page_of(services.cells_of(found).values("cell_id", "cluster_number"), page)
    return {"count": count, "items": rows}


@router.patch(
    ONE_SET + "clusters/{cluster_id}/",
    response=schemas.AnnotationClusterOut,
    openapi_extra=body_doc(schemas.AnnotationClusterUpdate),
)
def update_cluster(
    request: HttpRequest, experiment_id: str, set_id: str, cluster_id: str
) -> dict[str, Any]:
    """Change a cluster's display name and/or colour (editors); address it by UUID or number."""
    experiment, role = find_experiment(request.auth, experiment_id)
    cluster = services.find_cluster(services.find_set(experiment, set_id), cluster_id)
    changed = services.update_cluster(request.auth, role, cluster, json_body(request))
    return services.cluster_json(changed)
