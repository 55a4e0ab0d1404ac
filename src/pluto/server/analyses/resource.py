"""The Pluto API's analyses as a resource: results pages, headline numbers, and signed links
to the results as a spreadsheet and to the figure as an image (API.md, "Analyses as a
resource")."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from django.http import HttpRequest

from pluto.server.analyses import images, plots
from pluto.server.analyses.models import Analysis, AnalysisStatus, Plot
from pluto.server.analyses.registry import kind_of
from pluto.server.analyses.summary_pages import summary_page, summary_query
from pluto.server.analyses.tables import plot_download_url
from pluto.server.errors import NotFound
from pluto.server.signed_urls import signed_download_url
from pluto.server.storage import get_storage

IMAGE_FORMAT = "png"


def plot_of(analysis: Analysis) -> Plot:
    """The analysis's plot, with what its results and figure need."""
    return plots.find_plot(analysis.experiment, str(analysis.plot.uuid))


def finished_plot(analysis: Analysis) -> Plot:
    """The plot of a complete analysis, or 404 saying the analysis has no results yet."""
    if analysis.status != AnalysisStatus.COMPLETE:
        raise NotFound(
            f"Analysis {analysis.uuid} has no results yet (status {analysis.status}); "
            "wait until it is complete."
        )
    return plot_of(analysis)


def results_summary(analysis: Analysis, params: Any) -> dict[str, Any]:
    """A page of the analysis's results: searched, sorted and paged as ``params`` ask."""
    query = summary_query(params)
    dataset = plot_of(analysis).results if analysis.status == AnalysisStatus.COMPLETE else None
    return summary_page(dataset, kind_of(analysis.analysis_type).searched_columns, query)


def headline_stats(analysis: Analysis) -> dict[str, Any]:
    """The numbers the analysis's kind puts first; empty until the analysis is complete."""
    if analysis.status != AnalysisStatus.COMPLETE:
        return {}
    summary = {k: v for k, v in (analysis.summary or {}).items() if k != "display"}
    return kind_of(analysis.analysis_type).stats(summary, analysis.parameters)


def spreadsheet_url(request: HttpRequest, analysis: Analysis) -> str:
    """A signed link to the whole results table (CSV unless ``format=`` asks otherwise)."""
    url = plot_download_url(request, finished_plot(analysis))
    if url is None:
        raise NotFound(f"Analysis {analysis.uuid} has no results table.")
    return url


def image_key(plot: Plot, figure: dict[str, Any]) -> str:
    """Where the image of this figure is kept: one object per results table and drawing (a
    changed title or option draws a new one)."""
    drawn = orjson.dumps(figure, option=orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY)
    digest = hashlib.sha256(drawn).hexdigest()[:32]
    results = plot.results.uuid if plot.results is not None else plot.uuid
    return f"exports/{results}/figure-{digest}.{IMAGE_FORMAT}"


def image_url(request: HttpRequest, analysis: Analysis) -> str:
    """A signed link to the analysis's figure as a PNG, drawn once per figure."""
    plot = finished_plot(analysis)
    figure = plots.figure_of(plot)
    key = image_key(plot, figure)
    storage = get_storage()
    if not storage.exists(key):
        storage.put(key, images.render(figure, IMAGE_FORMAT))
    filename = f"{plot.name or analysis.analysis_type}.{IMAGE_FORMAT}"
    return signed_download_url(request, key, filename, images.CONTENT_TYPES[IMAGE_FORMAT])
