"""The JSON API: one NinjaAPI under ``lab/`` and beside it, token or session auth, one error."""

from __future__ import annotations

import logging
from typing import Any

import orjson
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.renderers import BaseRenderer

from pluto import __version__
from pluto.server.accounts.api import router as accounts_router
from pluto.server.accounts.auth import api_user
from pluto.server.accounts.models import User
from pluto.server.analyses.api import router as analyses_router
from pluto.server.annotations.api import router as annotations_router
from pluto.server.api_docs import API_DESCRIPTION, SessionSwagger
from pluto.server.errors import PlutoError, error_response, render_pluto_error
from pluto.server.files.api import router as files_router
from pluto.server.history.api import router as history_router
from pluto.server.lab.api import router as lab_router
from pluto.server.openapi import PlutoApi
from pluto.server.orgs.api import router as orgs_router
from pluto.server.orgs.lab_api import router as team_shares_router
from pluto.server.orgs.scope import HEADER, scope_user
from pluto.server.pipelines.api import router as pipelines_router
from pluto.server.programs.api import router as programs_router
from pluto.server.request_errors import REQUEST_ERRORS, as_pluto_error
from pluto.server.search.api import router as search_router
from pluto.server.sets.api import router as sets_router
from pluto.server.tables.api import router as tables_router
from pluto.server.throttling import api_throttles, throttled

logger = logging.getLogger("pluto.api")


class OrjsonRenderer(BaseRenderer):
    media_type = "application/json"

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> bytes:
        return orjson.dumps(data)


def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Ninja's request validation, in the one error shape, naming the fields."""
    fields = [".".join(str(p) for p in e.get("loc", [])[1:]) for e in exc.errors]
    first = exc.errors[0] if exc.errors else {}
    message = (
        f"{fields[0] or 'body'}: {first.get('msg', 'invalid value')}."
        if fields
        else ("The request is not valid.")
    )
    details: dict[str, Any] = {"fields": fields}
    if fields:
        details["field"] = fields[0]
    return error_response(400, "invalid", message, details)


def request_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A body or query string Django refused to read (too large, malformed multipart...)."""
    return render_pluto_error(as_pluto_error(exc))


def unexpected_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A crash: logged with its traceback for the operator, a plain message for the caller."""
    logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(
        500, "server_error", "Something went wrong on the server; the error has been logged."
    )


# The Pluto API lives under lab/; a few newer families (user/, programs/) sit beside it.
LAB = "/lab/"


def api_caller(request: HttpRequest) -> User:
    """The authenticated caller, scoped to the organization of an ``Organization`` header."""
    return scope_user(api_user(request), request.headers.get(HEADER))


def build_api() -> PlutoApi:
    """The API object with its routers and error handlers."""
    api = PlutoApi(
        title="Pluto API",
        version=__version__,
        description=API_DESCRIPTION,
        auth=api_caller,
        throttle=api_throttles(),
        renderer=OrjsonRenderer(),
        openapi_url="/lab/openapi.json/",
        docs_url="/lab/docs/",
        docs=SessionSwagger(),
        urls_namespace="api",
    )
    handlers: list[tuple[type[Exception], Any]] = [
        (PlutoError, lambda request, exc: render_pluto_error(exc)),
        (ValidationError, validation_error),
        (
            AuthenticationError,
            lambda request, exc: error_response(
                401, "not_authenticated", "Authentication required."
            ),
        ),
        (Throttled, throttled),
        (HttpError, lambda request, exc: error_response(exc.status_code, "invalid", str(exc))),
        (Http404, lambda request, exc: error_response(404, "not_found", "Not found.")),
        *[(error, request_error) for error in REQUEST_ERRORS],
        (Exception, unexpected_error),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)
    api.add_router(LAB, accounts_router)
    api.add_router(LAB, lab_router)
    api.add_router(LAB, tables_router)
    api.add_router(LAB, files_router)
    for family_router in (
        analyses_router,
        history_router,
        pipelines_router,
        annotations_router,
        sets_router,
        search_router,
        team_shares_router,
    ):
        api.add_router(LAB, family_router)
    api.add_router("/user/", orgs_router)
    api.add_router("/programs/", programs_router)
    return api


api = build_api()
