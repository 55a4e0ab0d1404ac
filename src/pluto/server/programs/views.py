"""Web pages of research programs: the list (with a form for a new one) and a program's
framework, with the evidence under each dimension and the dimensions still without any."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pluto.server.errors import PlutoError
from pluto.server.programs import catalogue, evidence, services
from pluto.server.programs.models import AssetKind, Program
from pluto.server.web.forms import errors_of, form_fields

PROGRAM_FIELDS = ("name", "program_type", "template", "goal", "description")
ASSET_FIELDS = ("kind", "object_id", "dimension", "note")


def program_form_data(request: HttpRequest) -> dict[str, Any]:
    """The new-program form as a service body (an empty choice is no choice)."""
    data = form_fields(request.POST, PROGRAM_FIELDS)
    for name in ("program_type", "template"):
        if not data.get(name):
            data.pop(name, None)
    labels = [part.strip() for part in request.POST.get("labels", "").split(",")]
    data["labels"] = [label for label in labels if label]
    return data


def list_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """The caller's programs and the new-program form with any errors."""
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {
        "programs": services.search_programs(request.user, query),
        "query": query,
        "program_types": catalogue.PROGRAM_TYPES,
        "templates": catalogue.TEMPLATES,
        "errors": errors or {},
        "values": request.POST if errors else {},
    }
    return render(request, "programs/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def program_list(request: HttpRequest) -> HttpResponse:
    """List programs (GET) or create one from the form (POST) and open it."""
    if request.method == "GET":
        return list_page(request)
    try:
        program = services.create_program(request.user, program_form_data(request))
    except PlutoError as error:
        return list_page(request, errors_of(error), status=error.status)
    messages.success(request, f"Program “{program.name}” was created.")
    return redirect("program_page", program_id=program.uuid)


def found_program(request: HttpRequest, program_id: str) -> Program:
    """The program of the page, or the 404 page."""
    try:
        return services.find_program(request.user, program_id)
    except PlutoError as error:
        raise Http404(error.message) from error


def detail_page(
    request: HttpRequest, program: Program, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """A program: its goal, its framework's dimensions with their evidence, gaps, next steps."""
    summary = evidence.summary_json(request.user, program)
    context: dict[str, Any] = {
        "program": program,
        "program_type_name": catalogue.program_type_name(program.program_type),
        "summary": summary,
        "gaps": evidence.coverage_gaps(request.user, program),
        "unassigned": [
            asset
            for asset in services.visible_assets(request.user, program)
            if asset.dimension is None or not asset.dimension.is_current
        ],
        "next_steps": program.next_steps.select_related("dimension"),
        "spaces": program.analysis_spaces.prefetch_related("experiments"),
        "asset_kinds": AssetKind.choices,
        "errors": errors or {},
        "values": request.POST if errors else {},
    }
    return render(request, "programs/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def program_page(request: HttpRequest, program_id: str) -> HttpResponse:
    """Show a program (GET) or add evidence to it from the form (POST)."""
    program = found_program(request, program_id)
    if request.method == "GET":
        return detail_page(request, program)
    try:
        data = {k: v for k, v in form_fields(request.POST, ASSET_FIELDS).items() if v}
        asset = services.add_asset(request.user, program, data)
    except PlutoError as error:
        return detail_page(request, program, errors_of(error), status=error.status)
    where = f" under {asset.dimension.name}" if asset.dimension else ""
    messages.success(request, f"Added the {asset.kind} as evidence{where}.")
    return redirect("program_page", program_id=program.uuid)
