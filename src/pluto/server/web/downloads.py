"""The view behind signed download URLs: streams a stored object, with HTTP Range support.

Uploaded files come from users, and the answer comes from the server's own origin, which
the pages' ``script-src 'self'`` trusts. So every answer is an attachment under a
``sandbox`` policy with ``nosniff``, and a file of a type a browser would run (scripts,
HTML, SVG, XML) is sent as ``application/octet-stream``: an uploaded ``.js`` loaded by a
``<script>`` tag is refused, and an uploaded page opened directly runs nothing.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from pluto.server.errors import PlutoError, render_pluto_error
from pluto.server.signed_urls import served_type, verify_token
from pluto.server.storage import get_storage
from pluto.server.streaming import BlockStreamingResponse

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
FILE_POLICY = "sandbox; default-src 'none'"


def file_headers(response: HttpResponse, filename: str) -> None:
    """The headers every signed file answer carries, whatever its type."""
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Content-Security-Policy"] = FILE_POLICY
    response["X-Content-Type-Options"] = "nosniff"


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` inclusive for a single ``bytes=`` range, None for the whole object.

    An unsatisfiable range raises a 416 error.
    """
    match = RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        raise PlutoError(
            f"The range {header} is outside the file's {size} bytes.",
            code="range_not_satisfiable",
            status=416,
        )
    return start, end


@require_http_methods(["GET", "HEAD"])
def signed_download(request: HttpRequest, token: str) -> HttpResponse:
    """Stream the object a valid signed URL names; 403 altered, 410 expired, 206 ranges."""
    try:
        granted = verify_token(token)
        storage = get_storage()
        size = storage.size(granted.key)
        window = parse_range(request.META.get("HTTP_RANGE", ""), size)
    except PlutoError as error:
        response = render_pluto_error(error)
        if error.status == 416:
            response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = window or (0, size - 1)
    body = storage.open_range(granted.key, start, end) if size else iter([b""])
    response = BlockStreamingResponse(
        body, status=206 if window else 200, content_type=served_type(granted.content_type)
    )
    file_headers(response, granted.filename)
    response["Content-Length"] = str(end - start + 1 if size else 0)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if window:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
