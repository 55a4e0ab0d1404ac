"""The JSON API of biomarker and biomodel sets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from pluto.server.http import body_doc, json_body
from pluto.server.openapi import page_parameters
from pluto.server.pagination import OBJECT_LIST_MAX_LIMIT, page_of, page_request
from pluto.server.sets import biomarkers, csv_upload, schemas

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
