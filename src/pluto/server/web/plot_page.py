"""A plot's page: the interactive figure, display options, results table and Methods.

The figure itself is drawn in the browser from the API's ``figure/`` answer (plotly.js is
served by the server); display options are saved through the same display service, by the
page's script (PUT) or, without scripts, by this page's form (POST).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from pluto.server.analyses import plots as plot_rules
from pluto.server.analyses import services as analyses
from pluto.server.analyses.models import FINISHED, Analysis, AnalysisStatus, Display, Plot
from pluto.server.analyses.registry import display_of
from pluto.server.errors import InvalidInput, InvalidObjectId, NotFound, PlutoError
from pluto.server.lab.models import Experiment
from pluto.server.signed_urls import signed_download_url
from pluto.server.tables.encoding import FORMATS
from pluto.server.tables.exports import materialised_export
from pluto.server.tables.reading import Selection
from pluto.server.web import analysis_forms, display_options
from pluto.server.web.access import Access, experiment_or_404
from pluto.server.web.analysis_forms import FormField, sample_choices
from pluto.server.web.context import server_url
from pluto.server.web.forms import Done, errors_of
from pluto.server.web.frames import frame_url
from pluto.server.web.snippets import results_snippets
from pluto.server.web.table_view import small_table_page, table_params
from pluto.server.web.vendor import plotly_url

DOWNLOAD_FORMATS = ("csv", "parquet")
Action = Callable[[HttpRequest, Access, Plot], Done]


def plot_or_404(experiment: Experiment, plot_id: str) -> Plot:
    """The experiment's plot, or 404."""
    try:
        return plot_rules.find_plot(experiment, plot_id)
    except (NotFound, InvalidObjectId) as exc:
        raise Http404(exc.message) from exc


def api_base(experiment: Experiment, plot: Plot) -> str:
    """The plot's path in the JSON API."""
    return f"/lab/experiments/{experiment.pluto_id}/plots/{plot.uuid}"


def figure_context(
    experiment: Experiment, plot: Plot, display: Display | None, errors: dict[str, str]
) -> dict[str, Any]:
    """What the page needs to draw the figure and its options form, or to frame an external
    plot's file."""
    if plot.analysis_type == "external":
        shown = plot.display_file
        return {"frame_url": frame_url(shown) if shown else None}
    if display is None:
        return {}
    built_in = display_of(display.display_type)
    options = {**(built_in.defaults if built_in else {}), **display.options}
    choices = sample_choices(experiment)
    fields = display_options.bound_options(display, options, errors, choices)
    return {"options": options, "option_fields": fields}


def results_context(request: HttpRequest, plot: Plot) -> dict[str, Any]:
    """A page of the results table (sorted and searched as asked)."""
    if plot.results is None:
        return {"table": None}
    params = table_params(request)
    return {"table": small_table_page(plot.results, params), "params": params}


def may_rerun(access: Access, analysis: Analysis | None) -> bool:
    """Whether the page offers the Re-run form: to editors, once a built-in analysis finished."""
    return (
        access.can_edit
        and analysis is not None
        and analysis.status in FINISHED
        and analysis_forms.chosen_kind(analysis.analysis_type) is not None
    )


def rerun_values(
    request: HttpRequest, analysis: Analysis, fields: list[FormField], sent_back: bool
) -> dict[str, Any]:
    """What the Re-run form shows: what was sent (after an error), else the run's parameters."""
    if sent_back:
        return analysis_forms.posted_values(request.POST, fields)
    shown = {**analysis_forms.form_values(analysis.parameters), "name": analysis.name}
    if "group_column" in request.GET:
        shown["group_column"] = request.GET["group_column"]
    return shown


def rerun_context(
    request: HttpRequest, experiment: Experiment, analysis: Analysis, errors: dict[str, str] | None
) -> dict[str, Any]:
    """The Re-run form: the analysis's own New analysis form, filled with its parameters."""
    chosen = analysis_forms.chosen_kind(analysis.analysis_type)
    assert chosen is not None  # may_rerun() offers the form for built-in kinds only
    choices = sample_choices(experiment)
    fields = analysis_forms.form_fields(chosen, experiment, choices)
    shown = rerun_values(request, analysis, fields, sent_back=errors is not None)
    context: dict[str, Any] = {
        "rerun": True,
        "rerun_errors": errors or {},
        "chosen": chosen,
        "choices": choices,
        **analysis_forms.form_context(fields, shown, errors or {}, choices),
    }
    if choices is not None:
        context["values_json"] = choices.values
    return context


def page(
    request: HttpRequest,
    experiment: Experiment,
    access: Access,
    plot: Plot,
    errors: dict[str, str] | None = None,
    status: int = 200,
    rerun_errors: dict[str, str] | None = None,
) -> HttpResponse:
    """The plot page, with the errors of the display form or of the Re-run form."""
    display = plot_rules.main_display(plot)
    analysis = plot.analysis
    context = {
        "experiment": experiment,
        "access": access,
        "plot": plot,
        "display": display,
        "analysis": analysis,
        "methods": (analysis.methods if analysis else plot.methods) or "",
        "kind_label": analysis_forms.kind_label(plot.analysis_type),
        "api_base": api_base(experiment, plot),
        "plotly_url": plotly_url(),
        "snippets": results_snippets(server_url(request), experiment.pluto_id, str(plot.uuid)),
        "errors": errors or {},
        "may_cancel": access.can_edit and analysis is not None and analysis.status not in FINISHED,
        **figure_context(experiment, plot, display, errors or {}),
        **results_context(request, plot),
    }
    if analysis is not None and may_rerun(access, analysis):
        context.update(rerun_context(request, experiment, analysis, rerun_errors))
    elif rerun_errors:
        context["errors"] = rerun_errors
    return render(request, "web/plots/page.html", context, status=status)


def plot_url(plot: Plot) -> str:
    """The page of a plot."""
    return reverse("plot_page", args=[plot.experiment.pluto_id, plot.uuid])


def analysis_of(plot: Plot) -> Analysis:
    """The analysis behind a plot (external plots have none)."""
    if plot.analysis is None:
        raise NotFound("This plot was uploaded; it has no analysis to cancel or run again.")
    return plot.analysis


def save_display(request: HttpRequest, access: Access, plot: Plot) -> Done:
    """Save the display options from the form, without running the analysis again."""
    display = plot_rules.main_display(plot)
    if display is None:
        raise NotFound("This plot has no display to change.")
    changes = display_options.from_form(request.POST, display)
    plot_rules.update_display(display, access.role, changes, request.user)
    return Done("The display options were saved.", plot_url(plot))


def cancel_analysis(request: HttpRequest, access: Access, plot: Plot) -> Done:
    """Cancel a pending analysis, or ask the worker running it to stop."""
    analysis = analyses.cancel(analysis_of(plot), access.role, request.user)
    if analysis.status == AnalysisStatus.CANCELLED:
        return Done("The analysis was cancelled.", plot_url(plot))
    return Done("Cancelling: the analysis stops at its next step.", plot_url(plot))


def rerun_analysis(request: HttpRequest, access: Access, plot: Plot) -> Done:
    """Queue the analysis again with the form's parameters, and open the new plot."""
    analysis = analysis_of(plot)
    body = analysis_forms.rerun_request(request.POST, analysis)
    new = analyses.rerun(request.user, analysis, access.role, body)
    return Done(
        f"“{new.name}” was queued with the changed parameters; this page updates when it finishes.",
        plot_url(new.plot),
    )


ACTIONS: dict[str, Action] = {
    "display": save_display,
    "cancel": cancel_analysis,
    "rerun": rerun_analysis,
}


@login_required
@require_http_methods(["GET", "POST"])
def plot_page(request: HttpRequest, experiment_id: str, plot_id: str) -> HttpResponse:
    """Show the plot (GET), or apply one form (POST): display options, cancel or re-run."""
    experiment, access = experiment_or_404(request, experiment_id)
    plot = plot_or_404(experiment, plot_id)
    if request.method == "GET":
        return page(request, experiment, access, plot)
    name = request.POST.get("action", "display")
    try:
        if name not in ACTIONS:
            raise InvalidInput("Unknown action.", details={"field": "action"})
        done = ACTIONS[name](request, access, plot)
    except PlutoError as error:
        errors = errors_of(error)
        if name == "rerun":
            return page(request, experiment, access, plot, status=error.status, rerun_errors=errors)
        return page(request, experiment, access, plot, errors, status=error.status)
    messages.success(request, done.message)
    return redirect(done.location or plot_url(plot))


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
