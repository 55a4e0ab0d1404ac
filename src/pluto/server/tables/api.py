"""JSON endpoints of the tables app: sample data and assay data, in and out (API.md).

Every path exists twice, once under ``sample-data/`` and once under ``assay-data/``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from pluto.server.lab import services as lab
from pluto.server.lab.permissions import EDITOR
from pluto.server.openapi import documented_errors, page_parameters
from pluto.server.pagination import TABLE_DEFAULT_LIMIT, TABLE_MAX_LIMIT
from pluto.server.tables import responses, services
from pluto.server.tables.encoding import FORMATS
from pluto.server.tables.receiving import received_upload

router = Router(tags=["tables"])

SLUGS = {"sample": "sample-data", "assay": "assay-data"}
UPLOAD_TYPES = [
    "text/csv",
    "text/tab-separated-values",
    "application/gzip",
    "application/vnd.apache.parquet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
]


class UploadOut(Schema):
    version: int
    count: int
    headers: list[str]


class VersionOut(Schema):
    version: int
    count: int
    created_at: str
    created_by: dict[str, Any] | None
    current: bool
    filename: str
    format: str


class VersionPage(Schema):
    count: int
    items: list[VersionOut]


class DownloadOut(Schema):
    url: str | None
    count: int
    filename: str | None
    format: str


def query_parameter(name: str, description: str) -> dict[str, Any]:
    """An optional text query parameter, for the OpenAPI schema."""
    return {"in": "query", "name": name, "required": False, "schema": {"type": "string"}} | {
        "description": description
    }


FORMAT_PARAMETER = {
    "in": "query",
    "name": "format",
    "required": False,
    "description": "json (default), csv, tsv, arrow or parquet; or send an Accept header.",
    "schema": {"type": "string", "enum": list(FORMATS)},
}
TABLE_PARAMETERS = [
    *page_parameters(TABLE_DEFAULT_LIMIT, TABLE_MAX_LIMIT),
    FORMAT_PARAMETER,
    query_parameter("columns", "Comma-separated columns; the id column always comes first."),
    query_parameter("samples", "Comma-separated samples (assay columns, or sample table rows)."),
    query_parameter("genes", "Comma-separated feature ids (assay rows)."),
]
TABLE_PAGE = {
    "type": "object",
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "headers": {"type": "array", "items": {"type": "string"}},
        "items": {
            "type": "array",
            "description": "Rows as objects keyed by header; for volcano plots, whole columns.",
            "items": {"type": ["object", "array"]},
        },
    },
    "required": ["count", "headers", "items"],
}
BINARY = {"schema": {"type": "string", "format": "binary"}}
TABLE_PAGE_DOC = {
    "parameters": TABLE_PARAMETERS,
    "responses": {
        200: {
            "description": "A page of the table, in the format asked for.",
            "content": {
                "application/json": {"schema": TABLE_PAGE},
                **{FORMATS[name].media_type: BINARY for name in ("csv", "tsv", "arrow", "parquet")},
            },
        },
        304: {"description": "Unchanged since the ETag in If-None-Match."},
        **documented_errors(406)["responses"],
    },
}
UPLOAD_DOC = {
    "parameters": [
        query_parameter("filename", "The file's name, to help recognise its format."),
        query_parameter("sheet", "The sheet of an .xlsx workbook (default: the first)."),
    ],
    "requestBody": {
        "required": True,
        "content": {
            **{media: {"schema": {"type": "string", "format": "binary"}} for media in UPLOAD_TYPES},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/json": {
                "schema": {"type": "object", "properties": {"file_id": {"type": "string"}}}
            },
        },
    },
}


def table_base(kind: str) -> str:
    """``/experiments/{experiment_id}/sample-data/`` (or ``assay-data``)."""
    return f"/experiments/{{experiment_id}}/{SLUGS[kind]}/"


def register_read_routes(kind: str) -> None:
    """Reading one kind of table: a page, a download link, the versions."""
    base = table_base(kind)

    @router.get(
        base,
        operation_id=f"get_{kind}_data",
        summary=f"A page of the {kind} table",
        openapi_extra=TABLE_PAGE_DOC,
    )
    def read_table(request: HttpRequest, experiment_id: str) -> HttpResponse:
        experiment, _ = lab.find_experiment(request.auth, experiment_id)
        return responses.table_response(request, experiment, kind)

    @router.get(
        base + "download/",
        response=DownloadOut,
        operation_id=f"download_{kind}_data",
        summary=f"A signed URL to the whole {kind} table as a file",
        openapi_extra={
            "parameters": [*TABLE_PARAMETERS[2:], query_parameter("filename", "")],
            **documented_errors(406),
        },
    )
    def download_table(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
        experiment, _ = lab.find_experiment(request.auth, experiment_id)
        return responses.download_answer(request, experiment, kind)

    @router.get(
        base + "versions/",
        response=VersionPage,
        operation_id=f"list_{kind}_data_versions",
        summary=f"Every stored version of the {kind} table",
    )
    def list_versions(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
        experiment, _ = lab.find_experiment(request.auth, experiment_id)
        versions = services.dataset_versions(experiment, kind)
        items = [responses.version_json(dataset, current) for dataset, current in versions]
        return {"count": len(items), "items": items}


def register_write_routes(kind: str) -> None:
    """Changing one kind of table: upload a new version, restore an old one."""
    base = table_base(kind)

    @router.put(
        base,
        response=UploadOut,
        operation_id=f"upload_{kind}_data",
        summary=f"Upload a new version of the {kind} table",
        openapi_extra=UPLOAD_DOC,
    )
    def upload_table(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
        experiment, role = lab.find_experiment(request.auth, experiment_id)
        lab.require(role, EDITOR, f"upload {kind} data")
        with received_upload(request, experiment) as upload:
            dataset = services.store_table(
                request.auth,
                experiment,
                kind,
                upload.path,
                upload.filename,
                content_type=upload.content_type,
                sheet=request.GET.get("sheet") or None,
            )
        return responses.upload_answer(dataset)

    @router.post(
        base + "versions/{version}/restore/",
        response=UploadOut,
        operation_id=f"restore_{kind}_data_version",
        summary=f"Make an earlier version of the {kind} table current again",
    )
    def restore_version(request: HttpRequest, experiment_id: str, version: int) -> dict[str, Any]:
        experiment, role = lab.find_experiment(request.auth, experiment_id)
        lab.require(role, EDITOR, f"restore {kind} data")
        dataset = services.restore_version(request.auth, experiment, kind, version)
        return responses.upload_answer(dataset)


for table_kind in SLUGS:
    register_read_routes(table_kind)
    register_write_routes(table_kind)
