"""Plots' results tables over HTTP: pages in every format, and signed CSV downloads.

Kept for the R client: JSON pages of ``volcano_plot_v2`` plots are column-major, each item
being one whole column of the page.
"""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa
from django.http import HttpRequest, HttpResponse

from pluto.server.analyses.models import Plot
from pluto.server.analyses.plots import main_display
from pluto.server.analyses.registry import display_of
from pluto.server.signed_urls import signed_download_url
from pluto.server.tables.exports import materialised_export
from pluto.server.tables.reading import open_slice
from pluto.server.tables.responses import (
    TableQuery,
    etag_for,
    not_modified,
    page_response,
    selection_for,
    table_query,
)

RESULTS_KIND = "results"


def column_values(column: pa.ChunkedArray) -> Any:
    """One column as something orjson writes fast: a numpy array, or a list of strings."""
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return column.to_numpy()
    return column.to_pylist()


def column_major_page(plot: Plot, query: TableQuery) -> HttpResponse:
    """``{"count", "headers", "items"}`` where ``items[i]`` is the column ``headers[i]``."""
    dataset = plot.results
    rows = open_slice(dataset, selection_for(dataset, query), query.page.offset, query.page.limit)
    table = pa.concat_tables(list(rows.tables())) if len(rows.rows) else None
    headers = list(rows.schema.names)
    items = [column_values(table.column(name)) if table else [] for name in headers]
    body = {"count": rows.total, "headers": headers, "items": items}
    return HttpResponse(
        orjson.dumps(body, option=orjson.OPT_SERIALIZE_NUMPY), content_type="application/json"
    )


def empty_page() -> HttpResponse:
    """The answer for a plot without results (still pending, failed, or an image only)."""
    return HttpResponse(
        orjson.dumps({"count": 0, "headers": [], "items": []}), content_type="application/json"
    )


def is_column_major_display(display_type: str) -> bool:
    """Whether the display's JSON data pages go column by column."""
    display = display_of(display_type)
    return display is not None and display.column_major


def is_column_major(plot: Plot, query: TableQuery) -> bool:
    """JSON pages of volcano plots are column-major."""
    display = main_display(plot)
    return (
        query.fmt.name == "json"
        and display is not None
        and is_column_major_display(display.display_type)
    )


def plot_data_response(request: HttpRequest, plot: Plot) -> HttpResponse:
    """A page of the plot's results table, in the format asked for (304 when unchanged)."""
    query = table_query(request, RESULTS_KIND)
    if plot.results is None:
        return empty_page()
    etag = etag_for(plot.results, query)
    if not_modified(request, etag):
        response = HttpResponse(status=304)
    elif is_column_major(plot, query):
        response = column_major_page(plot, query)
    else:
        response = page_response(plot.results, query)
    response["ETag"] = etag
    response["Vary"] = "Accept"
    return response


def plot_download_url(request: HttpRequest, plot: Plot) -> str | None:
    """A signed URL to the whole results table (CSV unless ``format=`` says otherwise)."""
    if plot.results is None:
        return None
    query = table_query(request, RESULTS_KIND, default_format="csv", whole=True)
    key = materialised_export(plot.results, query.fmt, selection_for(plot.results, query))
    given = str(request.GET.get("filename", "")).replace("\\", "/").rsplit("/", 1)[-1]
    filename = given or f"{plot.uuid}_plot_data.{query.fmt.extension}"
    return signed_download_url(request, key, filename, query.fmt.media_type)
