"""Django's refusals of a request's body or query string, as Pluto errors.

Django raises these while reading ``request.body``, ``request.POST``, ``request.FILES`` or
``request.GET``, wherever that happens (a view, the CSRF check, ninja's parameter parsing).
Each becomes the one JSON error body with a 4xx status saying what to change, never a 500.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError

from pluto.server.errors import InvalidInput, PlutoError

REQUEST_ERRORS: tuple[type[Exception], ...] = (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    MultiPartParserError,
    UnreadablePostError,
    BadRequest,
)


def body_too_large() -> PlutoError:
    """``413 payload_too_large`` for a JSON or form body over ``PLUTO_MAX_JSON_BYTES``."""
    limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return PlutoError(
        f"The request body is larger than this server accepts for JSON and form bodies: the "
        f"limit is {limit} bytes (PLUTO_MAX_JSON_BYTES). Send files as uploads instead.",
        code="payload_too_large",
        status=413,
        details={"field": "body", "limit": limit},
    )


def too_many_fields() -> PlutoError:
    """``400 invalid`` for a query string or form with more fields than Django reads."""
    limit = int(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    return InvalidInput(
        f"The request has more than {limit} parameters or form fields; send fewer.",
        details={"field": "query", "limit": limit},
    )


def as_pluto_error(exc: Exception) -> PlutoError:
    """The Pluto error for one of :data:`REQUEST_ERRORS`."""
    if isinstance(exc, RequestDataTooBig):
        return body_too_large()
    if isinstance(exc, TooManyFieldsSent):
        return too_many_fields()
    if isinstance(exc, TooManyFilesSent):
        limit = int(settings.DATA_UPLOAD_MAX_NUMBER_FILES)
        return InvalidInput(
            f"The request has more than {limit} files; send fewer.",
            details={"field": "body", "limit": limit},
        )
    if isinstance(exc, MultiPartParserError):
        return InvalidInput(
            f"The multipart body could not be read ({exc}); send it with its boundary "
            "and complete, or send the file as the raw body.",
            details={"field": "body"},
        )
    if isinstance(exc, UnreadablePostError):
        return InvalidInput(
            "The request body did not arrive completely; send it again.",
            details={"field": "body"},
        )
    return InvalidInput(f"The request could not be read: {exc}", details={"field": "body"})
