"""Error pages: the JSON error body for API paths and scripts, an HTML page for browsers."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pluto.server.errors import PlutoError, render_pluto_error, response_for_status
from pluto.server.middleware import is_api_path
from pluto.server.request_errors import REQUEST_ERRORS, as_pluto_error

logger = logging.getLogger("pluto.web")


def wants_json(request: HttpRequest) -> bool:
    """API paths always, and any client that does not ask for HTML."""
    return is_api_path(request.path) or "text/html" not in request.META.get("HTTP_ACCEPT", "")


def error_page(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    """The JSON body or an HTML page for ``status``."""
    if wants_json(request):
        return response_for_status(status)
    context = {"status": status, "title": title, "text": text}
    return render(request, "web/error.html", context, status=status)


def pluto_error_page(request: HttpRequest, error: PlutoError) -> HttpResponse:
    """The error's own JSON body, or an HTML page with its message."""
    if wants_json(request):
        return render_pluto_error(error)
    title = "Too large" if error.status == 413 else "Bad request"
    context = {"status": error.status, "title": title, "text": error.message}
    return render(request, "web/error.html", context, status=error.status)


def request_error_page(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The answer to a body or query string Django refused to read."""
    return pluto_error_page(request, as_pluto_error(exception))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, REQUEST_ERRORS):
        return request_error_page(request, exception)
    return error_page(request, 400, "Bad request", "The request could not be understood.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, "Not allowed", "You do not have permission to see this.")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404, "Not found", "There is nothing at this address.")


def server_error(request: HttpRequest) -> HttpResponse:
    return error_page(
        request, 500, "Something went wrong", "The error has been logged; try again shortly."
    )
