"""JSON endpoints for analyses, plots, displays, external plots and gene set collections."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from pluto.server.analyses import (
    catalogue,
    collections,
    images,
    plots,
    resource,
    schemas,
    services,
)
from pluto.server.analyses.schemas import analysis_json, display_json, plot_json
from pluto.server.analyses.summary_pages import SUMMARY_DEFAULT_LIMIT
from pluto.server.analyses.tables import plot_data_response, plot_download_url
from pluto.server.http import body_doc, json_body
from pluto.server.lab.services import find_experiment
from pluto.server.openapi import BODY_BUILDERS, built_body, documented_errors, page_parameters
from pluto.server.pagination import (
    TABLE_MAX_LIMIT,
    list_page_doc,
    page_of,
    page_request,
)
from pluto.server.tables.api import FORMAT_PARAMETER, TABLE_PAGE_DOC

router = Router(tags=["analyses and plots"])
IMAGE_DOC = {
    "responses": {
        200: {
            "description": "The figure as an image.",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in images.CONTENT_TYPES.values()
            },
        }
    }
}
EXP = "/experiments/{experiment_id}"
ANALYSIS = f"{EXP}/analyses/{{analysis_id}}"
SUMMARY_DOC = {
    "parameters": [
        *page_parameters(SUMMARY_DEFAULT_LIMIT, TABLE_MAX_LIMIT),
        {
            "in": "query",
            "name": "search",
            "required": False,
            "description": "Only rows whose ids (gene, sample, gene set, peak) contain this.",
            "schema": {"type": "string"},
        },
        {
            "in": "query",
            "name": "sort_by",
            "required": False,
            "description": "A results column in snake_case; '-' in front for descending, "
            "'abs_' for the absolute value, e.g. -abs_log2_fold_change.",
            "schema": {"type": "string"},
        },
    ]
}


BODY_BUILDERS["analysis_create"] = catalogue.create_request_doc


@router.get("/analysis-types/", response=schemas.AnalysisTypePage)
def list_analysis_types(request: HttpRequest) -> dict[str, Any]:
    items = catalogue.analysis_types()
    return {"count": len(items), "items": items}


@router.post(
    f"{EXP}/analyses/",
    response={202: schemas.AnalysisOut},
    openapi_extra=built_body("analysis_create"),
)
def create_analysis(request: HttpRequest, experiment_id: str) -> Status[dict[str, Any]]:
    experiment, role = find_experiment(request.auth, experiment_id)
    analysis = services.create_analysis(request.auth, experiment, role, json_body(request))
    return Status(202, analysis_json(services.find_analysis(experiment, str(analysis.uuid))))


@router.get(f"{EXP}/analyses/", response=schemas.AnalysisPage, openapi_extra=list_page_doc())
def list_analyses(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    count, rows = page_of(services.analyses_of(experiment), page_request(request.GET))
    return {"count": count, "items": [analysis_json(a) for a in rows]}


@router.get(f"{EXP}/analyses/{{analysis_id}}/", response=schemas.AnalysisOut)
def get_analysis(request: HttpRequest, experiment_id: str, analysis_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return analysis_json(services.find_analysis(experiment, analysis_id))


@router.get(f"{ANALYSIS}/summary/", response=schemas.SummaryPage, openapi_extra=SUMMARY_DOC)
def get_analysis_summary(request: HttpRequest, experiment_id: str, analysis_id: str) -> Any:
    experiment, _ = find_experiment(request.auth, experiment_id)
    analysis = services.find_analysis(experiment, analysis_id)
    return resource.results_summary(analysis, request.GET)


@router.get(f"{ANALYSIS}/stats/", response=dict[str, Any])
def get_analysis_stats(request: HttpRequest, experiment_id: str, analysis_id: str) -> Any:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return resource.headline_stats(services.find_analysis(experiment, analysis_id))


@router.get(
    f"{ANALYSIS}/spreadsheet-analysis-signed-url/",
    response=schemas.SignedUrl,
    openapi_extra={"parameters": [FORMAT_PARAMETER], **documented_errors(406)},
)
def get_spreadsheet_url(request: HttpRequest, experiment_id: str, analysis_id: str) -> Any:
    experiment, _ = find_experiment(request.auth, experiment_id)
    analysis = services.find_analysis(experiment, analysis_id)
    return {"url": resource.spreadsheet_url(request, analysis)}


@router.get(f"{ANALYSIS}/image-analysis-signed-url/", response=schemas.SignedUrl)
def get_image_url(request: HttpRequest, experiment_id: str, analysis_id: str) -> Any:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return {"url": resource.image_url(request, services.find_analysis(experiment, analysis_id))}


@router.post(
    f"{EXP}/analyses/{{analysis_id}}/cancel/",
    response=schemas.AnalysisOut,
    openapi_extra=documented_errors(409),
)
def cancel_analysis(request: HttpRequest, experiment_id: str, analysis_id: str) -> dict[str, Any]:
    experiment, role = find_experiment(request.auth, experiment_id)
    analysis = services.cancel(services.find_analysis(experiment, analysis_id), role, request.auth)
    return analysis_json(services.find_analysis(experiment, str(analysis.uuid)))


@router.post(
    f"{EXP}/analyses/{{analysis_id}}/rerun/",
    response={202: schemas.AnalysisOut},
    openapi_extra=body_doc(schemas.AnalysisRerun),
)
def rerun_analysis(
    request: HttpRequest, experiment_id: str, analysis_id: str
) -> Status[dict[str, Any]]:
    experiment, role = find_experiment(request.auth, experiment_id)
    original = services.find_analysis(experiment, analysis_id)
    analysis = services.rerun(request.auth, original, role, json_body(request))
    return Status(202, analysis_json(services.find_analysis(experiment, str(analysis.uuid))))


@router.get(f"{EXP}/plots/", response=schemas.PlotPage, openapi_extra=list_page_doc())
def list_plots(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    count, rows = page_of(plots.plots_of(experiment), page_request(request.GET))
    return {"count": count, "items": [plot_json(p, plots.main_display(p)) for p in rows]}


@router.get(f"{EXP}/plots/{{plot_id}}/", response=schemas.PlotOut)
def get_plot(request: HttpRequest, experiment_id: str, plot_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    plot = plots.find_plot(experiment, plot_id)
    return plot_json(plot, plots.main_display(plot))


@router.get(f"{EXP}/plots/{{plot_id}}/data/", openapi_extra=TABLE_PAGE_DOC)
def get_plot_data(request: HttpRequest, experiment_id: str, plot_id: str) -> HttpResponse:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return plot_data_response(request, plots.find_plot(experiment, plot_id))


@router.get(
    f"{EXP}/plots/{{plot_id}}/download/",
    response=schemas.DownloadUrl,
    openapi_extra={"parameters": [FORMAT_PARAMETER], **documented_errors(406)},
)
def download_plot_data(request: HttpRequest, experiment_id: str, plot_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return {"url": plot_download_url(request, plots.find_plot(experiment, plot_id))}


@router.get(f"{EXP}/plots/{{plot_id}}/displays/", response=schemas.DisplayPage)
def list_displays(request: HttpRequest, experiment_id: str, plot_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    displays = list(plots.find_plot(experiment, plot_id).displays.all())
    return {"count": len(displays), "items": [display_json(d) for d in displays]}


@router.put(
    f"{EXP}/plots/{{plot_id}}/displays/{{display_id}}/",
    response=schemas.DisplayOut,
    openapi_extra=body_doc(schemas.DisplayUpdate),
)
def update_display(
    request: HttpRequest, experiment_id: str, plot_id: str, display_id: str
) -> dict[str, Any]:
    experiment, role = find_experiment(request.auth, experiment_id)
    display = plots.find_display(plots.find_plot(experiment, plot_id), display_id)
    return display_json(plots.update_display(display, role, json_body(request), request.auth))


@router.get(f"{EXP}/plots/{{plot_id}}/figure/", response=schemas.Figure)
def get_figure(request: HttpRequest, experiment_id: str, plot_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return plots.figure_of(plots.find_plot(experiment, plot_id))


@router.get(f"{EXP}/plots/{{plot_id}}/image.{{image_format}}/", openapi_extra=IMAGE_DOC)
def get_image(
    request: HttpRequest, experiment_id: str, plot_id: str, image_format: str
) -> HttpResponse:
    experiment, _ = find_experiment(request.auth, experiment_id)
    fmt = plots.image_format(image_format)
    figure = plots.figure_of(plots.find_plot(experiment, plot_id))
    response = HttpResponse(images.render(figure, fmt), content_type=images.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="plot-{plot_id}.{fmt}"'
    return response


@router.post(
    f"{EXP}/external/plots/",
    response={201: schemas.PlotOut},
    openapi_extra=body_doc(schemas.ExternalPlotIn),
)
def create_external_plot(request: HttpRequest, experiment_id: str) -> Status[dict[str, Any]]:
    experiment, role = find_experiment(request.auth, experiment_id)
    plot = plots.save_external_plot(request.auth, experiment, role, json_body(request), None)
    plot = plots.find_plot(experiment, str(plot.uuid))
    return Status(201, plot_json(plot, plots.main_display(plot)))


@router.put(
    f"{EXP}/external/plots/{{plot_id}}/",
    response=schemas.PlotOut,
    openapi_extra=body_doc(schemas.ExternalPlotIn),
)
def update_external_plot(request: HttpRequest, experiment_id: str, plot_id: str) -> dict[str, Any]:
    experiment, role = find_experiment(request.auth, experiment_id)
    existing = plots.find_external_plot(experiment, plot_id)
    plots.save_external_plot(request.auth, experiment, role, json_body(request), existing)
    plot = plots.find_plot(experiment, plot_id)
    return plot_json(plot, plots.main_display(plot))


@router.get("/gene-set-collections/", response=schemas.CollectionPage)
def list_collections(request: HttpRequest) -> dict[str, Any]:
    items = [collections.collection_json(c) for c in collections.all_collections()]
    return {"count": len(items), "items": items}


@router.post(
    "/gene-set-collections/",
    response={201: schemas.CollectionOut},
    openapi_extra=collections.UPLOAD_DOC,
)
def upload_collection(request: HttpRequest) -> Status[dict[str, Any]]:
    collection = collections.create_from_request(request.auth, request)
    return Status(201, collections.collection_json(collection))
