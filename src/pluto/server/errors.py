"""The one error hierarchy of the server and the JSON body every error response carries.

``{"code": ..., "message": ..., "details": {...}}``: ``code`` is stable snake_case,
``message`` a sentence a person can act on.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpResponse

STATUS_CODES: dict[int, tuple[str, str]] = {
    400: ("invalid", "The request is not valid."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to do this."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    406: ("not_acceptable", "The requested format is not available."),
    409: ("conflict", "The request conflicts with the current state."),
    410: ("gone", "This link has expired."),
    413: ("payload_too_large", "The upload is too large."),
    414: ("uri_too_long", "The address is too long."),
    415: ("unsupported_media_type", "This content type is not supported."),
    429: ("throttled", "Too many requests; try again later."),
    431: ("headers_too_large", "The request's headers are too large."),
    500: ("server_error", "Something went wrong on the server; the error has been logged."),
}


class PlutoError(Exception):
    """An expected failure, rendered as the JSON error body with its HTTP status."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}


class InvalidInput(PlutoError):
    """Bad parameters or a bad upload; ``details`` says which field, row or column."""

    status, code = 400, "invalid"


class InvalidObjectId(PlutoError):
    """A path id that is neither a public id of the right kind nor a UUID."""

    status, code = 400, "invalid_object_id"


class NotAuthenticated(PlutoError):
    """No credentials came with the request."""

    status, code = 401, "not_authenticated"


class AuthenticationFailed(PlutoError):
    """Credentials came but are unknown, deleted or expired."""

    status, code = 401, "authentication_failed"


class PermissionDenied(PlutoError):
    """The caller can see the object but may not do this to it."""

    status, code = 403, "permission_denied"


class NotFound(PlutoError):
    """The object does not exist, or the caller may not know it exists."""

    status, code = 404, "not_found"


class Conflict(PlutoError):
    """The request clashes with what is stored (a duplicate member, the last owner)."""

    status, code = 409, "conflict"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> bytes:
    """The JSON error body as bytes."""
    return orjson.dumps({"code": code, "message": message, "details": details or {}})


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> HttpResponse:
    """An HTTP response carrying the JSON error body."""
    response = HttpResponse(
        error_body(code, message, details), status=status, content_type="application/json"
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Token realm="pluto"'
    return response


def render_pluto_error(error: PlutoError) -> HttpResponse:
    """The response for a :class:`PlutoError`."""
    return error_response(error.status, error.code, error.message, error.details)


def response_for_status(status: int, message: str | None = None) -> HttpResponse:
    """The generic JSON error response for an HTTP status."""
    code, default_message = STATUS_CODES.get(status, ("error", "The request failed."))
    return error_response(status, code, message or default_message)
