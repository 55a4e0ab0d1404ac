"""JSON endpoints of the files app: upload sessions, files grouped by kind, download, edit."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from pluto.server.files import schemas, services, sessions
from pluto.server.http import body_doc, json_body
from pluto.server.lab.services import find_experiment
from pluto.server.openapi import documented_errors
from pluto.server.pagination import list_page_doc, page_of, page_request
from pluto.server.signed_urls import signed_download_url

router = Router(tags=["files"])

EXPERIMENT = "/experiments/{experiment_id}"


@router.post(
    f"{EXPERIMENT}/upload-sessions/",
    response={201: schemas.UploadSessionOut},
    openapi_extra=body_doc(schemas.UploadSessionCreate),
    summary="Start a resumable upload",
)
def create_upload_session(request: HttpRequest, experiment_id: str) -> Status[dict[str, Any]]:
    experiment, role = find_experiment(request.auth, experiment_id)
    session = services.open_upload_session(request.auth, experiment, role, json_body(request))
    return Status(201, schemas.session_json(session, sessions.session_url(request, session), 0))


@router.post(
    f"{EXPERIMENT}/upload-sessions/{{session_id}}/complete/",
    response=schemas.FileOut,
    summary="Complete an upload whose bytes have all arrived",
)
def complete_upload_session(
    request: HttpRequest, experiment_id: str, session_id: str
) -> dict[str, Any]:
    experiment, role = find_experiment(request.auth, experiment_id)
    session = services.find_session(experiment, role, session_id)
    return schemas.file_json(sessions.complete(session))


def list_params(request: HttpRequest) -> dict[str, Any]:
    """Filters and paging from the query string or, as one client sends them, a JSON body."""
    return {**json_body(request), **request.GET.dict()}


@router.get(
    f"{EXPERIMENT}/files/",
    response=dict[str, schemas.FilePage],
    summary="List an experiment's files, grouped by kind",
    openapi_extra={"parameters": [*list_page_doc()["parameters"], schemas.DATA_TYPE_PARAMETER]},
)
def list_files(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    params = list_params(request)
    page = page_request(params)
    groups = services.files_by_group(experiment, params.get("data_type"))
    return {name: schemas.page_json(*page_of(files, page)) for name, files in groups.items()}


@router.get(f"{EXPERIMENT}/files/{{file_id}}/", response=schemas.FileOut, summary="Get a file")
def get_file(request: HttpRequest, experiment_id: str, file_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return schemas.file_json(services.find_file(experiment, file_id))


@router.get(
    f"{EXPERIMENT}/files/{{file_id}}/download/",
    response=schemas.DownloadOut,
    summary="A signed URL to download a file",
)
def download_file(request: HttpRequest, experiment_id: str, file_id: str) -> dict[str, str]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    file = services.find_file(experiment, file_id)
    filename = request.GET.get("filename") or file.display_name
    return {"url": signed_download_url(request, file.storage_key, filename, file.content_type)}


@router.patch(
    f"{EXPERIMENT}/files/{{file_id}}/",
    response=schemas.FileOut,
    openapi_extra=body_doc(schemas.FilePatch),
    summary="Rename a file",
)
def rename_file(request: HttpRequest, experiment_id: str, file_id: str) -> dict[str, Any]:
    experiment, role = find_experiment(request.auth, experiment_id)
    file = services.find_file(experiment, file_id)
    return schemas.file_json(services.rename_file(role, file, json_body(request)))


@router.delete(
    f"{EXPERIMENT}/files/{{file_id}}/",
    response={204: None},
    summary="Delete a file",
    openapi_extra=documented_errors(409),
)
def delete_file(request: HttpRequest, experiment_id: str, file_id: str) -> HttpResponse:
    experiment, role = find_experiment(request.auth, experiment_id)
    services.delete_file(role, services.find_file(experiment, file_id), request.auth)
    return HttpResponse(status=204)
