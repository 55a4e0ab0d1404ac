"""Web pages of biomarker sets (list, create, add, upload a CSV, download, archive) and of
biomodel sets (list, create, detail, upload a CSV). Services do the checking; the pages show
their messages beside the field, row or column they name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.sets import biomarkers, biomodels, csv_upload
from pluto.server.sets.models import BiomarkerSet, BiomodelSet
from pluto.server.web.forms import errors_of, form_fields

SET_FIELDS = ("name", "target_type", "organism_shortname", "description")
PAGE_ROWS = 500


def uploaded_csv(request: HttpRequest) -> bytes:
    """The CSV chosen in the page's file field."""
    upload = request.FILES.get("file")
    if upload is None:
        raise InvalidInput("Choose a CSV file to upload.", details={"field": "file"})
    data = bytes(upload.read(csv_upload.MAX_CSV_BYTES + 1))
    if len(data) > csv_upload.MAX_CSV_BYTES:
        raise csv_upload.too_large()
    return data


def biomarker_list_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """The list of sets with search, and the new-set form."""
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "sets": biomarkers.sets_of(request.user, {"search": query}),
        "query": query,
        "target_types": biomarkers.TARGET_TYPES,
        "errors": errors or {},
        "values": request.POST if errors else {},
    }
    return render(request, "sets/biomarker_sets.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def biomarker_set_list(request: HttpRequest) -> HttpResponse:
    """List biomarker sets (GET) or create one (POST) and open it."""
    if request.method == "GET":
        return biomarker_list_page(request)
    try:
        created = biomarkers.create_set(request.user, form_fields(request.POST, SET_FIELDS))
    except PlutoError as error:
        return biomarker_list_page(request, errors_of(error), status=error.status)
    messages.success(request, f"Biomarker set “{created.name}” was created.")
    return redirect("biomarker_set_page", set_id=str(created.uuid))


def biomarker_set_page_of(
    request: HttpRequest, found: BiomarkerSet, errors: dict[str, str], status: int = 200
) -> HttpResponse:
    """A set, its biomarkers (searchable) and the forms that change it."""
    query = request.GET.get("q", "").strip()
    rows = biomarkers.biomarkers_of(found, {"search": query})
    context = {
        "set": found,
        "biomarkers": rows[:PAGE_ROWS],
        "shown_limit": PAGE_ROWS,
        "total": rows.count(),
        "query": query,
        "gene_set_name": f"biomarker_set:{found.uuid}",
        "errors": errors,
    }
    return render(request, "sets/biomarker_set.html", context, status=status)


def change_biomarker_set(request: HttpRequest, found: BiomarkerSet) -> str:
    """Do what the posted form asks; the message to show."""
    action = request.POST.get("action")
    if action == "add":
        added = biomarkers.add_biomarker(request.user, found, form_fields(request.POST, ("name",)))
        return f"{added.name} was added."
    if action == "upload":
        result = biomarkers.upload_csv(request.user, found, uploaded_csv(request))
        return (
            f"Added {result['added']} biomarkers, skipped {result['skipped']} already in the set."
        )
    if action in SET_CHANGES:
        return SET_CHANGES[action](request, found)
    raise InvalidInput("Unknown action.", details={"field": "form"})


def archive_set(request: HttpRequest, found: BiomarkerSet) -> str:
    """Archive the set."""
    biomarkers.archive(request.user, found)
    return f"“{found.name}” was archived."


def restore_set(request: HttpRequest, found: BiomarkerSet) -> str:
    """Bring an archived set back."""
    biomarkers.update_set(request.user, found, {"is_archived": False})
    return f"“{found.name}” was restored."


def edit_set(request: HttpRequest, found: BiomarkerSet) -> str:
    """Rename or describe the set."""
    changed = biomarkers.update_set(
        request.user, found, form_fields(request.POST, ("name", "description"))
    )
    return f"“{changed.name}” was saved."


def remove_from_set(request: HttpRequest, found: BiomarkerSet) -> str:
    """Take one biomarker out."""
    biomarkers.remove_biomarker(request.user, found, request.POST.get("biomarker", ""))
    return "The biomarker was removed."


SET_CHANGES: dict[str, Callable[[HttpRequest, BiomarkerSet], str]] = {
    "archive": archive_set,
    "restore": restore_set,
    "edit": edit_set,
    "remove": remove_from_set,
}


@login_required
@require_http_methods(["GET", "POST"])
def biomarker_set_page(request: HttpRequest, set_id: str) -> HttpResponse:
    """One biomarker set (GET) or a change to it (POST: add, upload or archive)."""
    found = biomarkers.find_set(request.user, set_id)
    if request.method == "GET":
        return biomarker_set_page_of(request, found, {})
    try:
        done = change_biomarker_set(request, found)
    except PlutoError as error:
        errors = errors_of(error)
        if request.POST.get("action") == "upload":
            errors = {"file": error.message}
        if request.POST.get("action") == "edit":
            errors = {f"edit_{field}": message for field, message in errors.items()}
        found = biomarkers.find_set(request.user, set_id)
        return biomarker_set_page_of(request, found, errors, status=error.status)
    messages.success(request, done)
    if request.POST.get("action") == "archive":
        return redirect("biomarker_set_list")
    return redirect("biomarker_set_page", set_id=set_id)


@login_required
def biomarker_set_download(request: HttpRequest, set_id: str) -> HttpResponse:
    """Send the browser to the set's signed CSV link."""
    found = biomarkers.find_set(request.user, set_id)
    return redirect(biomarkers.download_url(request, found))


def biomodel_list_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """The list of biomodel sets and the new-set form."""
    context: dict[str, Any] = {
        "sets": biomodels.sets_of(request.user),
        "column_types": biomodels.COLUMN_TYPES,
        "errors": errors or {},
        "values": request.POST if errors else {},
    }
    return render(request, "sets/biomodel_sets.html", context, status=status)


def columns_from_form(text: str) -> list[dict[str, str]]:
    """Columns typed as ``name:type`` separated by commas or new lines (``text`` by default)."""
    parts = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
    columns = []
    for part in parts:
        name, _, kind = part.partition(":")
        columns.append({"name": name.strip(), "type": kind.strip() or "text"})
    return columns


@login_required
@require_http_methods(["GET", "POST"])
def biomodel_set_list(request: HttpRequest) -> HttpResponse:
    """List biomodel sets (GET) or create one (POST) and open it."""
    if request.method == "GET":
        return biomodel_list_page(request)
    body = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "schema_definition": {"columns": columns_from_form(request.POST.get("columns", ""))},
    }
    try:
        created = biomodels.create_set(request.user, body)
    except PlutoError as error:
        errors = errors_of(error)
        if any(key.startswith("schema_definition") for key in errors):
            errors["columns"] = error.message
        return biomodel_list_page(request, errors, status=error.status)
    messages.success(request, f"Biomodel set “{created.name}” was created.")
    return redirect("biomodel_set_page", set_id=str(created.uuid))


def biomodel_set_page_of(
    request: HttpRequest, found: BiomodelSet, errors: dict[str, str], status: int = 200
) -> HttpResponse:
    """A biomodel set: its columns, its rows (searchable) and the upload form."""
    query = request.GET.get("q", "").strip()
    rows = biomodels.rows_of(found, {"search": query})
    headers = biomodels.headers_of(found)
    shown = [[row.values.get(h) for h in headers] for row in rows[:PAGE_ROWS]]
    context = {
        "set": found,
        "columns": biomodels.columns_of(found),
        "headers": headers,
        "rows": shown,
        "total": rows.count(),
        "shown_limit": PAGE_ROWS,
        "query": query,
        "errors": errors,
    }
    return render(request, "sets/biomodel_set.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def biomodel_set_page(request: HttpRequest, set_id: str) -> HttpResponse:
    """One biomodel set (GET), a CSV upload or archiving it (POST)."""
    found = biomodels.find_set(request.user, set_id)
    if request.method == "GET":
        return biomodel_set_page_of(request, found, {})
    try:
        if request.POST.get("action") == "archive":
            biomodels.archive(request.user, found)
            messages.success(request, f"“{found.name}” was archived.")
            return redirect("biomodel_set_list")
        result = biomodels.upload_csv(request.user, found, uploaded_csv(request))
    except PlutoError as error:
        return biomodel_set_page_of(request, found, {"file": error.message}, status=error.status)
    messages.success(request, f"Added {result['added']} rows.")
    return redirect("biomodel_set_page", set_id=set_id)
