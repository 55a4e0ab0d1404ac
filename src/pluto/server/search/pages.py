"""The search page: the experiments and projects a signed-in user may see that match."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pluto.server.errors import PlutoError
from pluto.server.pagination import PageRequest
from pluto.server.search import services

PAGE_RESULTS = 50


def results_of(request: HttpRequest, query: str, kind: str) -> dict[str, Any]:
    """``{count, items}`` of one kind, or an error message for the page."""
    params = {"query": query, "type": kind, "access": request.GET.get("access") or None}
    try:
        return services.search(request.user, params, PageRequest(PAGE_RESULTS, 0))
    except PlutoError as error:
        return {"count": 0, "items": [], "error": error.message}


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    """Search results for ``?q=``: experiments first, then projects."""
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"query": query, "shown": PAGE_RESULTS}
    if query:
        context["experiments"] = results_of(request, query, services.EXPERIMENTS)
        context["projects"] = results_of(request, query, services.PROJECTS)
    return render(request, "search/search.html", context)
