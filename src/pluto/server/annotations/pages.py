"""The Clusters tab of a single-cell experiment: its annotation sets, with names and colours
editors can change, and a form to add a set from a table. Its forms post here and come back
to the tab, saying what happened (or what to fix, naming the row and column)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from pluto.server.annotations import services
from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.lab.models import Experiment
from pluto.server.sets.csv_upload import MAX_CSV_BYTES, too_large
from pluto.server.web.access import Access, experiment_or_404

TAB = "clusters"
SINGLE_CELL = "scrnaseq"


def shows_clusters(experiment: Experiment) -> bool:
    """Whether the experiment page has a Clusters tab: single-cell, or holding sets."""
    return experiment.type.shortname == SINGLE_CELL or experiment.annotation_sets.exists()


def clusters_tab(experiment: Experiment, access: Access) -> dict[str, Any]:
    """The experiment's annotation sets, each with its clusters by number."""
    sets = [services.set_json(found) for found in services.sets_of(experiment)]
    return {"annotation_sets": sets, "max_csv_mb": MAX_CSV_BYTES // 1024**2}


def tab_url(experiment: Experiment) -> str:
    """The Clusters tab of the experiment page."""
    return f"{reverse('experiment_page', args=[experiment.pluto_id])}?tab={TAB}"


def uploaded_table(request: HttpRequest) -> tuple[bytes, str]:
    """The chosen file's bytes and name."""
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput("Choose a CSV file to upload.", details={"field": "file"})
    data = bytes(upload.read(MAX_CSV_BYTES + 1))
    if len(data) > MAX_CSV_BYTES:
        raise too_large()
    return data, str(upload.name or "")


def after(
    request: HttpRequest, experiment: Experiment, error: PlutoError | None, done: str
) -> HttpResponse:
    """Back to the tab with the outcome as a message."""
    if error is None:
        messages.success(request, done)
    else:
        messages.error(request, error.message)
    return redirect(tab_url(experiment))


@login_required
@require_POST
def upload_set(request: HttpRequest, experiment_id: str) -> HttpResponse:
    """Add a set from the form's CSV, display name and resolution."""
    experiment, access = experiment_or_404(request, experiment_id)
    fields = {key: request.POST.get(key) for key in ("display_name", "resolution")}
    try:
        data, filename = uploaded_table(request)
        created = services.create_from_table(
            request.user, experiment, access.role, data, fields, filename
        )
    except PlutoError as error:
        return after(request, experiment, error, "")
    return after(
        request,
        experiment,
        None,
        f"“{created.display_name}” was added: {created.cell_count} cells in "
        f"{created.clusters.count()} clusters.",
    )


@login_required
@require_POST
def change_cluster(
    request: HttpRequest, experiment_id: str, set_id: str, cluster_id: str
) -> HttpResponse:
    """Save a cluster's new name and colour."""
    experiment, access = experiment_or_404(request, experiment_id)
    body = {key: request.POST[key] for key in ("display_name", "color") if key in request.POST}
    try:
        cluster = services.find_cluster(services.find_set(experiment, set_id), cluster_id)
        services.update_cluster(request.user, access.role, cluster, body)
    except PlutoError as error:
        return after(request, experiment, error, "")
    return after(
        request, experiment, None, f"Cluster {cluster.number} is now “{cluster.display_name}”."
    )


@login_required
@require_POST
def delete_set(request: HttpRequest, experiment_id: str, set_id: str) -> HttpResponse:
    """Delete a set."""
    experiment, access = experiment_or_404(request, experiment_id)
    try:
        found = services.find_set(experiment, set_id)
        services.delete_set(request.user, access.role, found)
    except PlutoError as error:
        return after(request, experiment, error, "")
    return after(request, experiment, None, f"“{found.display_name}” was deleted.")
