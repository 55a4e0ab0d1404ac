"""The experiment data page: current tables, their versions, and upload forms for editors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from pluto.server.errors import InvalidInput, InvalidObjectId, NotFound, PlutoError
from pluto.server.lab import permissions
from pluto.server.lab import services as lab
from pluto.server.lab.models import Experiment
from pluto.server.signed_urls import signed_download_url
from pluto.server.tables import services
from pluto.server.tables.encoding import FORMATS
from pluto.server.tables.exports import materialised_export
from pluto.server.tables.models import ASSAY, SAMPLE
from pluto.server.tables.reading import Selection
from pluto.server.tables.receiving import UploadFieldHandler, too_large, upload_folder

TITLES = {SAMPLE: "Sample data", ASSAY: "Assay data"}


def visible_experiment(request: HttpRequest, experiment_id: str) -> tuple[Experiment, str]:
    """The experiment and the user's role; 404 when it is unknown or hidden."""
    try:
        return lab.find_experiment(request.user, experiment_id)
    except (NotFound, InvalidObjectId) as exc:
        raise Http404(str(exc)) from exc


# The CSRF check reads the form, so it runs in ``changed_data``, once the upload handler that
# writes the file into the upload's folder is in place.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def experiment_data(request: HttpRequest, experiment_id: str) -> HttpResponse:
    """Show the experiment's tables; editors upload new versions or restore old ones."""
    experiment, role = visible_experiment(request, experiment_id)
    if request.method == "GET":
        return data_page(request, experiment, role)
    with upload_folder() as folder:
        request.upload_handlers = [UploadFieldHandler(request, folder / "upload")]
        return changed_data(request, experiment, role)


@csrf_protect
def changed_data(request: HttpRequest, experiment: Experiment, role: str) -> HttpResponse:
    """Upload or restore as the posted form asks, then show the page again."""
    kind = str(request.POST.get("kind", ""))
    if kind not in TITLES:
        return data_page(request, experiment, role, status=400)
    try:
        done = change_table(request, experiment, kind)
    except PlutoError as error:
        return data_page(request, experiment, role, {kind: error}, status=error.status)
    messages.success(request, done)
    return redirect("experiment_data", experiment_id=experiment.pluto_id)


def change_table(request: HttpRequest, experiment: Experiment, kind: str) -> str:
    """Upload or restore, as the form asks; what happened, in words."""
    if request.POST.get("action") == "restore":
        version = parse_version(request.POST.get("version"))
        dataset = services.restore_version(request.user, experiment, kind, version)
        return f"{TITLES[kind]}: version {dataset.version} is current again."
    uploaded = request.FILES.get("file")
    if uploaded is None:
        raise InvalidInput("Choose a file to upload.", details={"field": "file"})
    if uploaded.size and uploaded.size > int(settings.MAX_UPLOAD_BYTES):
        raise too_large(uploaded.size)
    with file_on_disk(uploaded) as path:
        dataset = services.store_table(
            request.user,
            experiment,
            kind,
            path,
            uploaded.name or "",
            content_type=uploaded.content_type or "",
            sheet=str(request.POST.get("sheet", "")).strip() or None,
        )
    return f"{TITLES[kind]}: version {dataset.version} stored, {dataset.row_count} rows."


def parse_version(raw: Any) -> int:
    """A version number from the form."""
    try:
        return int(str(raw))
    except ValueError as exc:
        raise InvalidInput("Choose a version to restore.", details={"field": "version"}) from exc


@contextmanager
def file_on_disk(uploaded: UploadedFile) -> Iterator[Path]:
    """A path to the uploaded file (one Django kept in memory is written out first)."""
    if hasattr(uploaded, "temporary_file_path"):
        yield Path(uploaded.temporary_file_path())
        return
    with upload_folder() as folder:
        path = folder / "upload"
        with path.open("wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        yield path


def data_page(
    request: HttpRequest,
    experiment: Experiment,
    role: str,
    errors: dict[str, PlutoError] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, with any upload error shown next to its form."""
    errors = errors or {}
    tables = [table_context(experiment, kind, errors.get(kind)) for kind in TITLES]
    context = {
        "experiment": experiment,
        "can_edit": permissions.at_least(role, permissions.EDITOR),
        "tables": tables,
    }
    return render(request, "tables/experiment_data.html", context, status=status)


def table_context(experiment: Experiment, kind: str, error: PlutoError | None) -> dict[str, Any]:
    """What the page shows about one table."""
    versions = services.dataset_versions(experiment, kind)
    current = next((dataset for dataset, is_current in versions if is_current), None)
    return {
        "kind": kind,
        "title": TITLES[kind],
        "current": current,
        "versions": [{"dataset": d, "current": c} for d, c in reversed(versions)],
        "error": error,
        "problems": error.details.get("problems", []) if error else [],
    }


@login_required
@require_GET
def download_csv(request: HttpRequest, experiment_id: str, kind: str) -> HttpResponse:
    """Redirect to a signed download of the current table as CSV."""
    experiment, _ = visible_experiment(request, experiment_id)
    dataset = services.current_dataset(experiment, kind) if kind in TITLES else None
    if dataset is None:
        raise Http404("This experiment has no such table yet.")
    fmt = FORMATS["csv"]
    key = materialised_export(dataset, fmt, Selection(list(dataset.columns)))
    filename = f"{experiment.pluto_id}_{kind}_data.csv"
    return redirect(signed_download_url(request, key, filename, fmt.media_type))
