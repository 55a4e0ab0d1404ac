"""The JSON API of biomarker and biomodel sets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from pluto.server.http import body_doc, json_body
from pluto.server.openapi import page_parameters
from pluto.server.pagination import OBJECT_LIST_MAX_LIMIT, page_of, page_request
from pluto.server.sets import biomarkers, biomodels, csv_upload, schemas

router = Router(tags=["sets"])
SET_DEFAULT_LIMIT = 100
BIOMARKER_SET = "/biomarker-sets/{set_id}"
SEARCH = {
    "in": "query",
    "name": "search",
    "required": False,
    "description": "Only what contains this text (names, descriptions).",
    "schema": {"type": "string"},
}
PAGE_DOC = {"parameters": [*page_parameters(SET_DEFAULT_LIMIT, OBJECT_LIST_MAX_LIMIT), SEARCH]}
CSV_DOC: dict[str, Any] = {
    "description": "A CSV file, as the raw body or the multipart field 'file' (at most 20 MB).",
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    },
}


def a_page(request: HttpRequest) -> Any:
    """The page a list request asks for (``limit`` default 100)."""
    return page_request(request.GET, default_limit=SET_DEFAULT_LIMIT)


@router.get("/biomarker-sets/", response=schemas.BiomarkerSetPage, openapi_extra=PAGE_DOC)
def list_biomarker_sets(request: HttpRequest) -> dict[str, Any]:
    count, rows = page_of(biomarkers.sets_of(request.auth, request.GET), a_page(request))
    return {"count": count, "items": [biomarkers.set_json(s) for s in rows]}


@router.post(
    "/biomarker-sets/",
    response={201: schemas.BiomarkerSetOut},
    openapi_extra=body_doc(schemas.BiomarkerSetCreate),
)
def create_biomarker_set(request: HttpRequest) -> Status[dict[str, Any]]:
    created = biomarkers.create_set(request.auth, json_body(request))
    return Status(201, biomarkers.set_json(created))


@router.get(f"{BIOMARKER_SET}/", response=schemas.BiomarkerSetOut)
def get_biomarker_set(request: HttpRequest, set_id: str) -> dict[str, Any]:
    return biomarkers.set_json(biomarkers.find_set(request.auth, set_id))


@router.patch(
    f"{BIOMARKER_SET}/",
    response=schemas.BiomarkerSetOut,
    openapi_extra=body_doc(schemas.BiomarkerSetPatch),
)
def update_biomarker_set(request: HttpRequest, set_id: str) -> dict[str, Any]:
    """Rename or describe the set, or archive or restore it with ``is_archived``."""
    found = biomarkers.find_set(request.auth, set_id)
    return biomarkers.set_json(biomarkers.update_set(request.auth, found, json_body(request)))


@router.post(f"{BIOMARKER_SET}/archive/", response=schemas.BiomarkerSetOut)
def archive_biomarker_set(request: HttpRequest, set_id: str) -> dict[str, Any]:
    """Archive the set; any body (the R client sends ``[]``) is ignored."""
    found = biomarkers.find_set(request.auth, set_id)
    return biomarkers.set_json(biomarkers.archive(request.auth, found))


@router.get(f"{BIOMARKER_SET}/biomarkers/", response=schemas.BiomarkerPage, openapi_extra=PAGE_DOC)
def list_biomarkers(request: HttpRequest, set_id: str) -> dict[str, Any]:
    found = biomarkers.find_set(request.auth, set_id)
    count, rows = page_of(biomarkers.biomarkers_of(found, request.GET), a_page(request))
    return {"count": count, "items": [biomarkers.biomarker_json(b) for b in rows]}


@router.post(
    f"{BIOMARKER_SET}/biomarkers/",
    response={201: schemas.BiomarkerOut},
    openapi_extra=body_doc(schemas.BiomarkerCreate),
)
def add_biomarker(request: HttpRequest, set_id: str) -> Status[dict[str, Any]]:
    found = biomarkers.find_set(request.auth, set_id)
    added = biomarkers.add_biomarker(request.auth, found, json_body(request))
    return Status(201, biomarkers.biomarker_json(added))


@router.delete(f"{BIOMARKER_SET}/biomarkers/{{biomarker_id}}/", response={204: None})
def remove_biomarker(request: HttpRequest, set_id: str, biomarker_id: str) -> HttpResponse:
    """Take one biomarker out of the set."""
    found = biomarkers.find_set(request.auth, set_id)
    biomarkers.remove_biomarker(request.auth, found, biomarker_id)
    return HttpResponse(status=204)


@router.post(
    f"{BIOMARKER_SET}/upload-csv/", response=schemas.BiomarkerCsvResult, openapi_extra=CSV_DOC
)
def upload_biomarker_csv(request: HttpRequest, set_id: str) -> dict[str, int]:
    found = biomarkers.find_set(request.auth, set_id)
    return biomarkers.upload_csv(request.auth, found, csv_upload.csv_bytes(request))


@router.get(f"{BIOMARKER_SET}/download/", response=schemas.SetsSignedUrl)
def download_biomarker_set(request: HttpRequest, set_id: str) -> dict[str, str]:
    found = biomarkers.find_set(request.auth, set_id)
    return {"url": biomarkers.download_url(request, found)}


BIOMODEL_SET = "/biomodel-sets/{set_id}"


@router.get("/biomodel-sets/", response=list[schemas.BiomodelSetOut])
def list_biomodel_sets(request: HttpRequest) -> list[dict[str, Any]]:
    """Every biomodel set of the caller's organizations, as a bare array."""
    return [biomodels.set_json(s) for s in biomodels.sets_of(request.auth)]


@router.post(
    "/biomodel-sets/",
    response={201: schemas.BiomodelSetOut},
    openapi_extra=body_doc(schemas.BiomodelSetCreate),
)
def create_biomodel_set(request: HttpRequest) -> Status[dict[str, Any]]:
    created = biomodels.create_set(request.auth, json_body(request))
    return Status(201, biomodels.set_json(created))


@router.get(f"{BIOMODEL_SET}/", response=schemas.BiomodelSetOut)
def get_biomodel_set(request: HttpRequest, set_id: str) -> dict[str, Any]:
    return biomodels.set_json(biomodels.find_set(request.auth, set_id))


@router.get(f"{BIOMODEL_SET}/archive/", response=schemas.BiomodelSetOut)
def archive_biomodel_set(request: HttpRequest, set_id: str) -> dict[str, Any]:
    """Archive the set: a GET, as the official R client sends it."""
    found = biomodels.find_set(request.auth, set_id)
    return biomodels.set_json(biomodels.archive(request.auth, found))


@router.get(f"{BIOMODEL_SET}/columns/", response=list[schemas.BiomodelColumn])
def list_biomodel_columns(request: HttpRequest, set_id: str) -> list[dict[str, str]]:
    return biomodels.columns_of(biomodels.find_set(request.auth, set_id))


@router.get(f"{BIOMODEL_SET}/biomodels/", response=schemas.BiomodelPage, openapi_extra=PAGE_DOC)
def list_biomodels(request: HttpRequest, set_id: str) -> dict[str, Any]:
    found = biomodels.find_set(request.auth, set_id)
    count, rows = page_of(biomodels.rows_of(found, request.GET), a_page(request))
    items = [biomodels.row_json(found, row) for row in rows]
    return {"headers": biomodels.headers_of(found), "count": count, "items": items}


@router.post(
    f"{BIOMODEL_SET}/biomodels/",
    response={201: dict[str, Any]},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
            "description": "The row as {column: value}, each value of its column's type.",
        }
    },
)
def add_biomodel(request: HttpRequest, set_id: str) -> Status[dict[str, Any]]:
    found = biomodels.find_set(request.auth, set_id)
    row = biomodels.add_row(request.auth, found, json_body(request))
    return Status(201, biomodels.row_json(found, row))


@router.post(
    f"{BIOMODEL_SET}/upload-csv/", response=schemas.BiomodelCsvResult, openapi_extra=CSV_DOC
)
def upload_biomodel_csv(request: HttpRequest, set_id: str) -> dict[str, int]:
    found = biomodels.find_set(request.auth, set_id)
    return biomodels.upload_csv(request.auth, found, csv_upload.csv_bytes(request))
