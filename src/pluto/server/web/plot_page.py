"""A plot's page: the interactive figure, display options, results table and Methods.

The figure itself is drawn in the browser from the API's ``figure/`` answer (plotly.js is
served by the server); display options are saved through the same display service, by the
page's script (PUT) or, without scripts, by this page's form (POST).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from pluto.server.analyses import figures
from pluto.server.analyses import plots as plot_rules
from pluto.server.analyses.models import Display, Plot
from pluto.server.errors import InvalidObjectId, NotFound, PlutoError
from pluto.server.lab.models import Experiment
from pluto.server.signed_urls import signed_download_url
from pluto.server.tables.encoding import FORMATS
from pluto.server.tables.exports import materialised_export
from pluto.server.tables.reading import Selection
from pluto.server.web import display_options
from pluto.server.web.access import Access, experiment_or_404
from pluto.server.web.analysis_forms import sample_choices
from pluto.server.web.context import server_url
from pluto.server.web.experiment_tabs import ANALYSIS_LABELS
from pluto.server.web.forms import errors_of
from pluto.server.web.frames import frame_url
from pluto.server.web.snippets import results_snippets
from pluto.server.web.table_view import small_table_page, table_params
from pluto.server.web.vendor import plotly_url

DOWNLOAD_FORMATS = ("csv", "parquet")
DEFAULTS = {
    "volcano_plot_v2": figures.VOLCANO_DEFAULTS,
    "sample_scatter_plot": figures.SCATTER_DEFAULTS,
    "score_bar_plot": figures.BAR_DEFAULTS,
}


def plot_or_404(experiment: Experiment, plot_id: str) -> Plot:
    """The experiment's plot, or 404."""
    try:
        return plot_rules.find_plot(experiment, plot_id)
    except (NotFound, InvalidObjectId) as exc:
        raise Http404(exc.message) from exc


def api_base(experiment: Experiment, plot: Plot) -> str:
    """The plot's path in the JSON API."""
    return f"/lab/experiments/{experiment.pluto_id}/plots/{plot.uuid}"


def figure_context(experiment: Experiment, plot: Plot, display: Display | None) -> dict[str, Any]:
    """What the page needs to draw the figure, or to frame an external plot's file."""
    if plot.analysis_type == "external":
        shown = plot.display_file
        return {"frame_url": frame_url(shown) if shown else None}
    if display is None:
        return {}
    options = {**DEFAULTS.get(display.display_type, {}), **display.options}
    return {
        "options": options,
        "color_columns": color_columns(experiment, display),
        "label_genes": ", ".join(options.get("label_genes") or []),
    }


def color_columns(experiment: Experiment, display: Display) -> list[str]:
    """The sample-table columns a scatter plot may be coloured by."""
    if display.display_type != "sample_scatter_plot":
        return []
    choices = sample_choices(experiment)
    return choices.columns if choices else []


def results_context(request: HttpRequest, plot: Plot) -> dict[str, Any]:
    """A page of the results table (sorted and searched as asked)."""
    if plot.results is None:
        return {"table": None}
    params = table_params(request)
    return {"table": small_table_page(plot.results, params), "params": params}


def page(
    request: HttpRequest,
    experiment: Experiment,
    access: Access,
    plot: Plot,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The plot page."""
    display = plot_rules.main_display(plot)
    analysis = plot.analysis
    context = {
        "experiment": experiment,
        "access": access,
        "plot": plot,
        "display": display,
        "analysis": analysis,
        "methods": (analysis.methods if analysis else plot.methods) or "",
        "kind_label": ANALYSIS_LABELS.get(plot.analysis_type, plot.analysis_type),
        "api_base": api_base(experiment, plot),
        "plotly_url": plotly_url(),
        "snippets": results_snippets(server_url(request), experiment.pluto_id, str(plot.uuid)),
        "errors": errors or {},
        **figure_context(experiment, plot, display),
        **results_context(request, plot),
    }
    return render(request, "web/plots/page.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plot_page(request: HttpRequest, experiment_id: str, plot_id: str) -> HttpResponse:
    """Show the plot (GET) or save its display options from the form (POST)."""
    experiment, access = experiment_or_404(request, experiment_id)
    plot = plot_or_404(experiment, plot_id)
    if request.method == "GET":
        return page(request, experiment, access, plot)
    display = plot_rules.main_display(plot)
    try:
        if display is None:
            raise NotFound("This plot has no display to change.")
        changes = display_options.from_form(request.POST, display)
        plot_rules.update_display(display, access.role, changes)
    except PlutoError as error:
        return page(request, experiment, access, plot, errors_of(error), status=error.status)
    messages.success(request, "The display options were saved.")
    return redirect(reverse("plot_page", args=[experiment.pluto_id, plot.uuid]))


@login_required
@require_GET
def plot_results_download(
    request: HttpRequest, experiment_id: str, plot_id: str, fmt: str
) -> HttpResponse:
    """Redirect to a signed download of the whole results table as CSV or Parquet."""
    experiment, _ = experiment_or_404(request, experiment_id)
    plot = plot_or_404(experiment, plot_id)
    if fmt not in DOWNLOAD_FORMATS or plot.results is None:
        raise Http404("This plot has no results table in that format.")
    table_format = FORMATS[fmt]
    key = materialised_export(plot.results, table_format, Selection(list(plot.results.columns)))
    filename = f"{experiment.pluto_id}_{plot.uuid}_results.{table_format.extension}"
    return redirect(signed_download_url(request, key, filename, table_format.media_type))
