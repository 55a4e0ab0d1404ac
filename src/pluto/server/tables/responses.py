"""Table answers: query parameters, format negotiation, ETags, and the encoded pages.

Pages are read from only the row groups they cover and encoded straight from Arrow; small
pages go out in one response with a ``Content-Length``, large ones stream block by block.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from django.http import HttpRequest, HttpResponse

from pluto.server.errors import InvalidInput
from pluto.server.lab.models import Experiment
from pluto.server.lab.schemas import iso, user_json
from pluto.server.pagination import (
    TABLE_DEFAULT_LIMIT,
    TABLE_MAX_LIMIT,
    PageRequest,
    page_request,
)
from pluto.server.signed_urls import signed_download_url
from pluto.server.streaming import BlockStreamingResponse
from pluto.server.tables import services
from pluto.server.tables.encoding import Chunk, TableFormat, encoded, negotiate
from pluto.server.tables.exports import materialised_export
from pluto.server.tables.models import ASSAY, SAMPLE, Dataset
from pluto.server.tables.reading import Selection, chosen_columns, open_slice, split_names

STREAM_ABOVE_CELLS = 1_000_000


@dataclass(frozen=True)
class TableQuery:
    """What a reader asked for: format, window, columns, samples and genes."""

    fmt: TableFormat
    page: PageRequest
    columns: list[str]
    samples: list[str]
    genes: list[str]

    def described(self) -> str:
        """The normalised parameters, for ETags."""
        parts = [self.fmt.name, self.page.offset, self.page.limit]
        return repr((*parts, self.columns, self.samples, self.genes))


def names_param(request: HttpRequest, field: str) -> list[str]:
    """A comma-separated (or repeated) query parameter as names."""
    return split_names(",".join(request.GET.getlist(field)))


def table_query(
    request: HttpRequest, kind: str, default_format: str = "json", whole: bool = False
) -> TableQuery:
    """The parsed query parameters of a table request (``whole``: a download, no window).

    A download's ``Accept`` header is about the ``{"url"}`` answer, so only ``format=``
    chooses the file's format there.
    """
    if whole:
        page = PageRequest(limit=0, offset=0)
        fmt = negotiate(request.GET.get("format"), "", default_format)
    else:
        page = page_request(request.GET, TABLE_DEFAULT_LIMIT, TABLE_MAX_LIMIT)
        fmt = negotiate(request.GET.get("format"), request.META.get("HTTP_ACCEPT", ""))
    genes = names_param(request, "genes")
    if genes and kind == SAMPLE:
        raise InvalidInput(
            "'genes' chooses rows of assay data; for sample data use 'samples'.",
            details={"field": "genes"},
        )
    columns, samples = names_param(request, "columns"), names_param(request, "samples")
    return TableQuery(fmt, page, columns, samples, genes)


def selection_for(dataset: Dataset, query: TableQuery) -> Selection:
    """The columns and rows a query selects from a stored table."""
    if dataset.kind == ASSAY:
        columns = chosen_columns(dataset, query.columns, query.samples)
        return Selection(columns, query.genes or None)
    return Selection(chosen_columns(dataset, query.columns, []), query.samples or None)


def etag_for(dataset: Dataset | None, query: TableQuery) -> str:
    """A strong ETag: the dataset's identity and checksum plus the normalised parameters."""
    identity = f"{dataset.uuid}:{dataset.sha256}" if dataset else "no-data"
    digest = hashlib.sha256(f"{identity}|{query.described()}".encode()).hexdigest()
    return f'"{digest[:40]}"'


def not_modified(request: HttpRequest, etag: str) -> bool:
    """Whether the client's ``If-None-Match`` already names this ETag."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return etag in tags or "*" in tags


def table_response(request: HttpRequest, experiment: Experiment, kind: str) -> HttpResponse:
    """A page of the current table, in the format asked for (304 when unchanged)."""
    query = table_query(request, kind)
    dataset = services.current_dataset(experiment, kind)
    etag = etag_for(dataset, query)
    if not_modified(request, etag):
        response = HttpResponse(status=304)
    else:
        response = page_response(dataset, query)
    response["ETag"] = etag
    response["Vary"] = "Accept"
    response["Cache-Control"] = "private, no-cache"
    return response


def page_response(dataset: Dataset | None, query: TableQuery) -> HttpResponse:
    """The encoded page, with ``X-Total-Count`` for the formats that cannot carry it."""
    if dataset is None:
        total, schema, tables, cells = 0, pa.schema([]), iter(()), 0
    else:
        page = query.page
        rows = open_slice(dataset, selection_for(dataset, query), page.offset, page.limit)
        total, schema, tables = rows.total, rows.schema, rows.tables()
        cells = len(rows.rows) * len(rows.columns)
    chunks = encoded(query.fmt, total, schema, tables)
    response = bytes_response(chunks, query.fmt.media_type, cells > STREAM_ABOVE_CELLS)
    if query.fmt.name != "json":
        response["X-Total-Count"] = str(total)
    return response


def bytes_response(chunks: Iterator[Chunk], media_type: str, stream: bool) -> HttpResponse:
    """One response with a length for small bodies; a streamed one for large bodies."""
    if stream:
        return BlockStreamingResponse(chunks, content_type=media_type)
    return HttpResponse(b"".join(chunks), content_type=media_type)


def download_answer(request: HttpRequest, experiment: Experiment, kind: str) -> dict[str, Any]:
    """``{"url", "count", "filename", "format"}``: a signed URL to the whole selected table.

    ``url`` is null while the experiment has no such table.
    """
    query = table_query(request, kind, default_format="csv", whole=True)
    dataset = services.current_dataset(experiment, kind)
    if dataset is None:
        return {"url": None, "count": 0, "filename": None, "format": query.fmt.name}
    selection = selection_for(dataset, query)
    key = materialised_export(dataset, query.fmt, selection)
    filename = download_filename(request, experiment, kind, query.fmt)
    return {
        "url": signed_download_url(request, key, filename, query.fmt.media_type),
        "count": len(selection.ids) if selection.ids is not None else int(dataset.row_count),
        "filename": filename,
        "format": query.fmt.name,
    }


def download_filename(
    request: HttpRequest, experiment: Experiment, kind: str, fmt: TableFormat
) -> str:
    """The ``filename`` parameter (its last path part), or ``PLX…_sample_data.csv``."""
    given = str(request.GET.get("filename", "")).replace("\\", "/").rsplit("/", 1)[-1]
    return given or f"{experiment.pluto_id}_{kind}_data.{fmt.extension}"


def upload_answer(dataset: Dataset) -> dict[str, Any]:
    """``{"version", "count", "headers"}`` of a stored version."""
    return {
        "version": dataset.version,
        "count": int(dataset.row_count),
        "headers": list(dataset.columns),
    }


def version_json(dataset: Dataset, current: bool) -> dict[str, Any]:
    """One entry of the versions list."""
    return {
        "version": dataset.version,
        "count": int(dataset.row_count),
        "created_at": iso(dataset.created_at),
        "created_by": user_json(dataset.created_by) if dataset.created_by else None,
        "current": current,
        "filename": dataset.source_filename,
        "format": dataset.source_format,
    }
