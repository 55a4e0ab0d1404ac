"""The JSON shapes of analyses, plots and displays (API.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from pluto import __version__
from pluto.server.analyses.displays import BarOptions, ScatterOptions, VolcanoOptions
from pluto.server.analyses.models import Analysis, Display, Plot
from pluto.server.analyses.pipeline_status import analysis_pipeline_status, pipeline_status_of
from pluto.server.lab.schemas import Name, iso
from pluto.server.openapi import UUID


def maybe_iso(moment: Any) -> str | None:
    """ISO 8601, or None for a moment not reached yet."""
    return iso(moment) if moment is not None else None


def current_display(plot: Plot | None) -> Display | None:
    """The plot's current display (the newest not archived), or None."""
    if plot is None:
        return None
    displays = [d for d in plot.displays.all() if not d.is_archived]
    return displays[-1] if displays else None


def resource_fields(analysis: Analysis, plot: Plot | None) -> dict[str, Any]:
    """What the Pluto API's analyses carry beside ours: the pipeline status, and the share
    level, archiving and display of the analysis's plot."""
    display = current_display(plot)
    return {
        "pipeline_status": analysis_pipeline_status(analysis),
        "share_level": plot.share_level if plot is not None else "private",
        "is_archived": plot.is_archived if plot is not None else False,
        "display_type": display.display_type if display is not None else None,
        "display": (
            {"uuid": str(display.uuid), "display_type": display.display_type}
            if display is not None
            else None
        ),
    }


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The analysis shape of API.md's write API, with the fields of "Analyses as a resource"."""
    plot = getattr(analysis, "plot", None)
    return {
        "uuid": str(analysis.uuid),
        "analysis_type": analysis.analysis_type,
        "name": analysis.name,
        "parameters": analysis.parameters,
        "status": analysis.status,
        **resource_fields(analysis, plot),
        "progress": round(analysis.progress, 4),
        "message": analysis.message,
        "log": analysis.log,
        "methods": analysis.methods,
        "summary": analysis.summary,
        "attempts": analysis.attempts,
        "plot": {"uuid": str(plot.uuid)} if plot is not None else None,
        "rerun_of": str(analysis.rerun_of.uuid) if analysis.rerun_of_id else None,
        "created_at": iso(analysis.created_at),
        "started_at": maybe_iso(analysis.started_at),
        "finished_at": maybe_iso(analysis.finished_at),
    }


def display_json(display: Display) -> dict[str, Any]:
    """A display: its type, title and options."""
    return {
        "uuid": str(display.uuid),
        "display_type": display.display_type,
        "plot_title": display.plot_title,
        "is_archived": display.is_archived,
        "options": display.options,
        "created_at": iso(display.created_at),
        "updated_at": iso(display.updated_at),
    }


def plot_analysis_json(plot: Plot) -> dict[str, Any] | None:
    """The ``analysis`` part of a plot: a built-in analysis, or the external plot itself."""
    analysis = plot.analysis
    if analysis is None and plot.analysis_type != "external":
        return None
    if analysis is None:
        return {
            "uuid": str(plot.uuid),
            "name": plot.name,
            "pipeline_status": pipeline_status_of(plot.status),
            "pipeline_version": plot.origin or "external",
            "methods": plot.methods,
        }
    return {
        "uuid": str(analysis.uuid),
        "name": analysis.name,
        "pipeline_status": analysis_pipeline_status(analysis),
        "pipeline_version": f"pluto {__version__}",
        "methods": analysis.methods,
    }


def plot_json(plot: Plot, display: Display | None) -> dict[str, Any]:
    """The plot shape of API.md."""
    return {
        "uuid": str(plot.uuid),
        "name": plot.name,
        "analysis_type": plot.analysis_type,
        "share_level": plot.share_level,
        "status": plot.status,
        "analysis": plot_analysis_json(plot),
        "display": display_json(display) if display is not None else None,
        "has_data": plot.results_id is not None,
        "created_at": iso(plot.created_at),
        "updated_at": iso(plot.updated_at),
    }


# Request bodies, as the services validate them. Which parameters an analysis takes, and
# which options a display takes, depend on its kind; docs/analyses.md lists them.
# Empty, or some text that is not only blanks (and no NUL, which PostgreSQL cannot store).
OPTIONAL_NAME_PATTERN = r"^$|^[^\x00]*[^\s\x00][^\x00]*$"
OptionalName = Annotated[str, Field(max_length=200, pattern=OPTIONAL_NAME_PATTERN)]
FileId = Annotated[str, Field(pattern=f"^$|^{UUID}$")]


class AnalysisRerun(Schema):
    model_config = ConfigDict(extra="forbid")

    name: OptionalName | None = None
    parameters: dict[str, Any] | None = None


class DisplayUpdate(Schema):
    model_config = ConfigDict(extra="forbid")

    plot_title: Name | SkipJsonSchema[None] = None
    options: VolcanoOptions | ScatterOptions | BarOptions | SkipJsonSchema[None] = None
    is_archived: bool | SkipJsonSchema[None] = None
    display_type: str | SkipJsonSchema[None] = None


class ExternalPlotIn(Schema):
    """The fields plutobio sends; ``analysis_type``, ``display_type``, ``status`` and
    ``analysis_id`` are accepted and ignored."""

    model_config = ConfigDict(extra="forbid")

    name: OptionalName | None = None
    methods: Any = None
    origin: Any = None
    display_file_id: FileId | None = None
    results_file_id: FileId | None = None
    script_file_id: FileId | None = None
    analysis_type: Any = None
    display_type: Any = None
    status: Any = None
    analysis_id: Any = None


# Response shapes, for the OpenAPI schema (and checked by ninja on the way out).
Moment = str
Status_ = Literal["pending", "running", "complete", "failed", "cancelled"]


class UuidRef(Schema):
    uuid: str


PipelineStatus = Literal[
    "pending", "in_progress", "completed", "failed", "unprocessable", "canceled"
]


class DisplayRef(Schema):
    uuid: str
    display_type: str


class AnalysisOut(Schema):
    uuid: str
    analysis_type: str
    name: str
    parameters: dict[str, Any]
    status: Status_
    pipeline_status: PipelineStatus
    share_level: str
    is_archived: bool
    display_type: str | None
    display: DisplayRef | None
    progress: float
    message: str
    log: str
    methods: str
    summary: dict[str, Any]
    attempts: int
    plot: UuidRef | None
    rerun_of: str | None
    created_at: Moment
    started_at: Moment | None
    finished_at: Moment | None


class AnalysisPage(Schema):
    count: int
    items: list[AnalysisOut]


class DisplayOut(Schema):
    uuid: str
    display_type: str
    plot_title: str
    is_archived: bool
    options: dict[str, Any]
    created_at: Moment
    updated_at: Moment


class DisplayPage(Schema):
    count: int
    items: list[DisplayOut]


class PlotAnalysis(Schema):
    uuid: str
    name: str
    pipeline_status: PipelineStatus
    pipeline_version: str
    methods: str


class PlotOut(Schema):
    uuid: str
    name: str
    analysis_type: str
    share_level: str
    status: str
    analysis: PlotAnalysis | None
    display: DisplayOut | None
    has_data: bool
    created_at: Moment
    updated_at: Moment


class PlotPage(Schema):
    count: int
    items: list[PlotOut]


class DownloadUrl(Schema):
    url: str | None


class SignedUrl(Schema):
    url: str


class SummaryPage(Schema):
    """A page of an analysis's results: rows as objects keyed by header."""

    headers: list[str]
    count: int
    items: list[dict[str, Any]]


class Figure(Schema):
    """A Plotly figure: its traces and its layout."""

    data: list[dict[str, Any]]
    layout: dict[str, Any]


class CollectionOut(Schema):
    uuid: str
    shortname: str
    name: str
    description: str
    source: str
    set_count: int
    gene_count: int
    created_at: Moment


class CollectionPage(Schema):
    count: int
    items: list[CollectionOut]


class AnalysisTypeOut(Schema):
    """One analysis kind: what it is called, its parameters (a JSON schema) and its results."""

    analysis_type: str
    title: str
    summary: str
    aliases: list[str]
    parameters: dict[str, Any]
    columns: list[str]
    sample_columns: bool
    display_types: list[str]


class AnalysisTypePage(Schema):
    count: int
    items: list[AnalysisTypeOut]
