"""How long an address and a request's headers may be, and Pluto's answers past the limits.

Pluto refuses a URL longer than :data:`MAX_URL_BYTES` itself, with ``414 uri_too_long`` and
the JSON error body (:class:`pluto.server.middleware.UrlLengthMiddleware`). In front of
Django, each web process's HTTP parser (:mod:`pluto.server.gthread`) reads request lines of
up to :data:`MAX_REQUEST_LINE_BYTES`, four times that, so every address Pluto accepts reaches
it; what the parser itself refuses (a longer request line, a header over
:data:`MAX_HEADER_BYTES` or more than :data:`MAX_HEADERS` of them) gets the same JSON body,
as ``414 uri_too_long`` or ``431 headers_too_large``, written here as whole HTTP responses.
"""

from __future__ import annotations

from http import HTTPStatus

from pluto.server.errors import error_body

MAX_URL_BYTES = 16 * 1024
# The request line is the method, the address and the protocol: room for all three, and
# for longer addresses, which Pluto then refuses in JSON rather than the parser in its words.
MAX_REQUEST_LINE_BYTES = 64 * 1024
# One header line (a cookie, a long Authorization) and the number of headers. Twice
# gunicorn's default size, so that browsers' larger cookies pass.
MAX_HEADER_BYTES = 16 * 1024
MAX_HEADERS = 100


def raw_response(status: HTTPStatus, body: bytes) -> bytes:
    """A complete HTTP/1.1 response carrying the JSON ``body``; the connection then closes
    (what follows an unreadable request head cannot be found)."""
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def url_refusal() -> bytes:
    """``414 uri_too_long`` for a request line longer than the parser reads."""
    message = (
        f"The address is longer than this server accepts: at most {MAX_URL_BYTES} bytes. "
        "Ask for fewer columns, samples or genes at a time."
    )
    body = error_body("uri_too_long", message, {"limit": MAX_URL_BYTES})
    return raw_response(HTTPStatus.REQUEST_URI_TOO_LONG, body)


def header_refusal() -> bytes:
    """``431 headers_too_large`` for a header, or a number of them, over the limits."""
    message = (
        f"The request's headers are larger than this server accepts: at most {MAX_HEADERS} "
        f"headers of at most {MAX_HEADER_BYTES} bytes each. Send fewer or smaller cookies "
        "and headers."
    )
    details = {"limit": MAX_HEADER_BYTES, "headers": MAX_HEADERS}
    body = error_body("headers_too_large", message, details)
    return raw_response(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, body)
