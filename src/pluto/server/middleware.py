"""Request and response rules of the API paths: optional trailing slashes, JSON error bodies."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

import orjson
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, UnreadablePostError

from pluto.server.errors import PlutoError, render_pluto_error, response_for_status
from pluto.server.http import field_with_nul, nul_character_error
from pluto.server.limits import MAX_URL_BYTES

logger = logging.getLogger("pluto.api")
# The API lives under lab/; the newer Pluto families user/ and programs/ sit beside it.
API_PREFIXES = ("/lab/", "/sdk/", "/user/", "/programs/")

Handler = Callable[[HttpRequest], HttpResponse]


def is_api_path(path: str) -> bool:
    """Whether a path belongs to the JSON API (errors there are always JSON)."""
    return path == "/lab" or path.startswith(API_PREFIXES)


def url_length(request: HttpRequest) -> int:
    """The length of the request's path and query string as they came on the wire."""
    return len(request.get_full_path().encode("utf-8"))


class UrlLengthMiddleware:
    """Refuse an address longer than :data:`MAX_URL_BYTES` with ``414 uri_too_long``."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = url_length(request)
        if length <= MAX_URL_BYTES:
            return self.get_response(request)
        return render_pluto_error(
            PlutoError(
                f"The address is {length} bytes long; this server accepts at most "
                f"{MAX_URL_BYTES}. Ask for fewer columns, samples or genes at a time.",
                code="uri_too_long",
                status=414,
                details={"limit": MAX_URL_BYTES, "length": length},
            )
        )


class ApiPathMiddleware:
    """Serve every API path with and without its trailing slash, with no redirect.

    A redirect would make clients drop POST bodies, so the slash is added internally.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request.path_info + "/") and not request.path_info.endswith("/"):
            request.path_info += "/"
            request.path += "/"
        return self.get_response(request)


# A JSON text can only hold NUL as the escape \u0000, preceded by an even number of
# backslashes (an odd number would make it a literal backslash followed by "u0000").
ESCAPED_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def nul_field_of_json_body(request: HttpRequest) -> str | None:
    """The field of an API request's JSON body holding a NUL character, if there is one."""
    if request.method not in BODY_METHODS or "json" not in request.content_type:
        return None
    try:
        body = request.body
        if not ESCAPED_NUL.search(body):
            return None
        return field_with_nul(orjson.loads(body), "")
    except (orjson.JSONDecodeError, RequestDataTooBig, UnreadablePostError):
        return None  # the endpoint's own body reading answers these


def nul_query_parameter(request: HttpRequest) -> str | None:
    """The query parameter of a request whose name or value holds a NUL character, if any."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name
    return None


class NulCharacterMiddleware:
    """Refuse a NUL character in an API request's query or JSON body, naming the field.

    PostgreSQL cannot store NUL in text; checking here covers every endpoint, whether it
    reads its body itself or through its declared schema.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = None
        if is_api_path(request.path):
            field = nul_query_parameter(request) or nul_field_of_json_body(request)
        if field is None:
            return self.get_response(request)
        return render_pluto_error(nul_character_error(field))


class JsonErrorMiddleware:
    """Give every error response under the API the JSON error body (404, 405, CSRF, 500...)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_path(request.path) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        replacement = response_for_status(response.status_code)
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Expected errors raised outside the API's own handlers become their JSON body."""
        if isinstance(exception, PlutoError):
            return render_pluto_error(exception)
        return None
