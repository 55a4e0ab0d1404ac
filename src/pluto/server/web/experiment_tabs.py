"""What each tab of the experiment page shows. Each reads only what its tab needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pluto.server.analyses import plots as plot_rules
from pluto.server.annotations.pages import clusters_tab, shows_clusters
from pluto.server.errors import PlutoError
from pluto.server.files.services import visible_files
from pluto.server.history.pages import activity_context
from pluto.server.lab.models import AssayUnits, Experiment, ExperimentType, Organism, ShareLevel
from pluto.server.pipelines.pages import workflows_context
from pluto.server.tables import services as tables
from pluto.server.tables.models import ASSAY, SAMPLE, Dataset
from pluto.server.web import analysis_forms, member_forms
from pluto.server.web.access import Access
from pluto.server.web.assay_summary import assay_summary
from pluto.server.web.table_view import assay_page, small_table_page, table_params

TABS = (
    ("samples", "Samples"),
    ("assay", "Assay data"),
    ("plots", "Plots"),
    ("files", "Files"),
    ("activity", "Activity"),
    ("workflows", "Workflows"),
    ("clusters", "Clusters"),
    ("analysis", "New analysis"),
    ("settings", "Settings"),
)
TAB_NAMES = {name for name, _ in TABS}


def chosen_tab(request: HttpRequest) -> str:
    """The tab in the query string, Samples by default."""
    tab = request.GET.get("tab", "samples")
    return tab if tab in TAB_NAMES else "samples"


def tab_shown(tab: str, experiment: Experiment, access: Access) -> bool:
    """Settings are for editors; Clusters for single-cell experiments (or ones with sets)."""
    if tab == "settings":
        return access.can_edit
    return tab != "clusters" or shows_clusters(experiment)


def versions_of(experiment: Experiment, kind: str) -> tuple[Dataset | None, list[dict[str, Any]]]:
    """The current version and every version, newest first."""
    versions = tables.dataset_versions(experiment, kind)
    current = next((dataset for dataset, is_current in versions if is_current), None)
    return current, [{"dataset": d, "current": c} for d, c in reversed(versions)]


def upload_error(error: PlutoError | None) -> dict[str, Any]:
    """An upload's error and its problems by row and column, for the page."""
    return {"error": error, "problems": error.details.get("problems", []) if error else []}


def samples_tab(
    request: HttpRequest, experiment: Experiment, error: PlutoError | None
) -> dict[str, Any]:
    """The sample table (page, sort, filter), its versions and the upload form."""
    current, versions = versions_of(experiment, SAMPLE)
    params = table_params(request)
    return {
        "kind": SAMPLE,
        "dataset": current,
        "versions": versions,
        "params": params,
        "table": small_table_page(current, params) if current else None,
        **upload_error(error),
    }


def assay_tab(
    request: HttpRequest, experiment: Experiment, error: PlutoError | None
) -> dict[str, Any]:
    """The assay matrix (page, gene search), its summary, versions and upload form."""
    current, versions = versions_of(experiment, ASSAY)
    params = table_params(request)
    return {
        "kind": ASSAY,
        "dataset": current,
        "versions": versions,
        "params": params,
        "table": assay_page(current, params) if current else None,
        "summary": assay_summary(current) if current else None,
        **upload_error(error),
    }


def plots_tab(experiment: Experiment) -> dict[str, Any]:
    """The plots, newest first, each with its display."""
    plots = list(plot_rules.plots_of(experiment))
    cards = [
        {
            "plot": p,
            "display": plot_rules.main_display(p),
            "label": analysis_forms.kind_label(p.analysis_type),
        }
        for p in reversed(plots)
    ]
    running = any(p.status in ("pending", "running") for p in plots)
    return {"cards": cards, "running": running}


def files_tab(experiment: Experiment) -> dict[str, Any]:
    """The experiment's files."""
    return {"files": list(visible_files(experiment))}


def analysis_tab(
    request: HttpRequest, experiment: Experiment, errors: dict[str, str]
) -> dict[str, Any]:
    """The analysis kinds, the chosen one's form (with the errors of the last try) and the
    choices it offers."""
    chosen = analysis_forms.chosen_kind(
        request.POST.get("analysis_type") or request.GET.get("type", "")
    )
    choices = analysis_forms.sample_choices(experiment)
    context: dict[str, Any] = {
        "types": analysis_forms.form_kinds(),
        "chosen": chosen,
        "choices": choices,
        "has_assay": tables.current_dataset(experiment, ASSAY) is not None,
    }
    if chosen is not None:
        fields = analysis_forms.form_fields(chosen, experiment, choices)
        shown = chosen_values(request, fields)
        context.update(analysis_forms.form_context(fields, shown, errors, choices))
    if choices is not None:
        context["values_json"] = choices.values
    return context


def chosen_values(request: HttpRequest, fields: list[analysis_forms.FormField]) -> dict[str, Any]:
    """What the form shows: what was sent back after an error, or a column asked for."""
    if request.method == "POST":
        return analysis_forms.posted_values(request.POST, fields)
    return {key: request.GET[key] for key in ("group_column",) if key in request.GET}


def settings_tab(experiment: Experiment) -> dict[str, Any]:
    """The choices of the settings form, and the experiment's own members."""
    return {
        **member_forms.members_context(experiment),
        "experiment_types": list(ExperimentType.objects.all()),
        "organisms": list(Organism.objects.all()),
        "units": list(AssayUnits.objects.all()),
        "share_levels": ShareLevel.choices,
    }


def tab_context(
    request: HttpRequest,
    experiment: Experiment,
    access: Access,
    tab: str,
    error: PlutoError | None = None,
    form_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The context of one tab (``error``: a failed upload; ``form_errors``: a failed form's
    errors by field)."""
    if tab == "samples":
        return samples_tab(request, experiment, error)
    if tab == "assay":
        return assay_tab(request, experiment, error)
    if tab == "plots":
        return plots_tab(experiment)
    if tab == "files":
        return files_tab(experiment)
    if tab == "analysis":
        return analysis_tab(request, experiment, form_errors or {})
    if tab == "activity":
        return activity_context(experiment, request.GET.get("cursor"))
    if tab == "workflows":
        return workflows_context(experiment)
    if tab == "clusters":
        return clusters_tab(experiment, access)
    return settings_tab(experiment)
