"""Rules for plots: look-up, displays, figures, and external plots made from uploaded files."""

from __future__ import annotations

from typing import Any

import pandas as pd
from django.db import transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.analyses import inputs
from pluto.server.analyses.displays import clean_options
from pluto.server.analyses.kind import FigureContext
from pluto.server.analyses.models import AnalysisStatus, Display, Plot
from pluto.server.analyses.registry import display_of
from pluto.server.errors import InvalidInput, NotFound
from pluto.server.history.services import record
from pluto.server.lab import ids
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import clean_bool, clean_name, require

DISPLAY_FIELDS = {"plot_title", "options", "display_type", "is_archived"}
EXTERNAL_FIELDS = {
    "name",
    "methods",
    "origin",
    "display_file_id",
    "results_file_id",
    "script_file_id",
    "analysis_type",
    "display_type",
    "status",
    "analysis_id",
}


def plots_of(experiment: Experiment) -> QuerySet[Plot]:
    """The experiment's plots, oldest first, with what their JSON needs."""
    return (
        Plot.objects.filter(experiment=experiment, is_archived=False)
        .select_related("analysis", "results")
        .prefetch_related("displays")
        .order_by("created_at", "id")
    )


def find_plot(experiment: Experiment, raw_id: str) -> Plot:
    """One plot of the experiment by UUID, or 404."""
    plot_uuid = ids.parse_uuid(raw_id, "plot")
    plot = plots_of(experiment).filter(uuid=plot_uuid).first()
    if plot is None:
        raise NotFound(f"Plot {raw_id} was not found in experiment {experiment.pluto_id}.")
    return plot


def main_display(plot: Plot) -> Display | None:
    """The plot's current display (the newest one not archived)."""
    displays = [d for d in plot.displays.all() if not d.is_archived]
    return displays[-1] if displays else None


def find_display(plot: Plot, raw_id: str) -> Display:
    """One display of the plot, or 404."""
    display_uuid = ids.parse_uuid(raw_id, "display")
    display = plot.displays.filter(uuid=display_uuid).first()
    if display is None:
        raise NotFound(f"Display {raw_id} was not found on plot {plot.uuid}.")
    return display


@transaction.atomic
def update_display(
    display: Display, role: str, data: dict[str, Any], actor: User | None = None
) -> Display:
    """Change a display's title and options without re-running the analysis."""
    require(role, EDITOR, "change how plots look")
    unknown = sorted(set(data) - DISPLAY_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}.",
            details={"field": unknown[0], "fields": unknown},
        )
    if "display_type" in data and data["display_type"] != display.display_type:
        raise InvalidInput(
            f"'display_type' of this display is {display.display_type!r}; it cannot change.",
            details={"field": "display_type"},
        )
    if "plot_title" in data:
        display.plot_title = clean_name(data["plot_title"], "plot_title")
    if "options" in data:
        display.options = clean_options(display.display_type, data["options"])
    if "is_archived" in data:
        display.is_archived = clean_bool(data["is_archived"], "is_archived")
    display.save()
    plot = display.plot
    record(
        plot.experiment_id,
        actor,
        "display_edited",
        f"Changed how the plot “{plot.name}” looks ({', '.join(sorted(data)) or 'no change'}).",
        plot=str(plot.uuid),
        display=str(display.uuid),
        fields=sorted(data),
    )
    return display


def results_frame(plot: Plot) -> pd.DataFrame:
    """The plot's results table as a DataFrame."""
    if plot.results is None:
        raise NotFound("This plot has no results yet.")
    return inputs.dataset_frame(plot.results)


def figure_of(plot: Plot) -> dict[str, Any]:
    """The plotly figure of a complete built-in analysis's plot."""
    display = main_display(plot)
    if plot.status != AnalysisStatus.COMPLETE or display is None or plot.results is None:
        raise NotFound(f"Plot {plot.uuid} has no figure yet (status {plot.status}).")
    computed = (plot.analysis.summary or {}).get("display", {}) if plot.analysis else {}
    built_in = display_of(display.display_type)
    if built_in is None:
        raise NotFound(f"Plot {plot.uuid} has no built-in figure; see its display file.")
    samples = sample_frame_or_none(plot.experiment)
    figure = built_in.figure(
        results_frame(plot),
        display.plot_title or plot.name,
        display.options,
        FigureContext(computed=computed, samples=samples),
    )
    return figure


def sample_frame_or_none(experiment: Experiment) -> pd.DataFrame | None:
    """The sample table, or None when there is none."""
    try:
        return inputs.sample_frame(experiment)
    except InvalidInput:
        return None


def external_file(experiment: Experiment, data: dict[str, Any], field: str) -> Any:
    """An uploaded, completed file of this experiment named by ``data[field]``."""
    from pluto.server.files.models import ExperimentFile

    raw = data.get(field)
    if raw in (None, ""):
        return None
    file_uuid = ids.parse_uuid(str(raw), "file")
    found = ExperimentFile.objects.completed().filter(experiment=experiment, uuid=file_uuid).first()
    if found is None:
        raise InvalidInput(
            f"No uploaded file {raw} in experiment {experiment.pluto_id}.", details={"field": field}
        )
    return found


@transaction.atomic
def save_external_plot(
    user: User, experiment: Experiment, role: str, data: dict[str, Any], plot: Plot | None
) -> Plot:
    """Create or update an external plot from uploaded display, results and script files."""
    require(role, EDITOR, "add plots")
    unknown = sorted(set(data) - EXTERNAL_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field(s): {', '.join(unknown)}.", details={"fields": unknown})
    plot = plot or Plot(
        experiment=experiment,
        analysis_type="external",
        created_by=user,
        share_level=experiment.share_level,
        status=AnalysisStatus.COMPLETE,
    )
    if "name" in data or not plot.name:
        plot.name = clean_name(data.get("name") or "External plot")
    plot.methods = str(data.get("methods") or plot.methods)
    plot.origin = str(data.get("origin") or plot.origin or "api")[:50]
    for field in ("display_file", "results_file", "script_file"):
        if f"{field}_id" in data:
            setattr(plot, field, external_file(experiment, data, f"{field}_id"))
    plot.save()
    attach_external_results(user, plot)
    ensure_external_display(plot)
    return plot


def ensure_external_display(plot: Plot) -> None:
    """External plots have one display: HTML pages as ``html``, anything else ``external``."""
    kind = (
        "html"
        if plot.display_file and plot.display_file.filename.lower().endswith((".html", ".htm"))
        else "external"
    )
    display = main_display(plot) if plot.pk else None
    if display is None:
        Display.objects.create(plot=plot, display_type=kind, plot_title=plot.name)
    else:
        Display.objects.filter(pk=display.pk).update(display_type=kind, plot_title=plot.name)


def attach_external_results(user: User, plot: Plot) -> None:
    """Make the uploaded results file the plot's data table (validated like any table)."""
    if plot.results_file is None:
        plot.results = None
    else:
        from pluto.server.analyses.external import import_results_file

        plot.results = import_results_file(user, plot)
    plot.save(update_fields=["results"])


def image_format(raw: str) -> str:
    """``png`` or ``svg``."""
    if raw not in ("png", "svg"):
        raise NotFound(f"Images are available as .png and .svg, not .{raw}.")
    return raw


def find_external_plot(experiment: Experiment, raw_id: str) -> Plot:
    """An external plot of the experiment (built-in analyses' plots are not editable here)."""
    plot = find_plot(experiment, raw_id)
    if plot.analysis_type != "external":
        raise InvalidInput("Only external plots can be updated here; re-run the analysis instead.")
    return plot
