"""The upload URL: clients PUT bytes here with no auth header (the signed URL is the secret)."""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from pluto.server.errors import PlutoError, error_response, render_pluto_error
from pluto.server.files import sessions
from pluto.server.files.models import UploadSession
from pluto.server.files.schemas import file_json


def content_length(request: HttpRequest) -> int:
    """The declared body length (zero when absent or unreadable)."""
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


@csrf_exempt
def upload_chunk(request: HttpRequest, token: str) -> HttpResponse:
    """Store a chunk or answer a probe: 308 with ``Range`` until complete, then 200 and the file.

    The body is read as a stream in 1 MiB blocks, never as ``request.body``, so neither
    memory nor ``DATA_UPLOAD_MAX_MEMORY_SIZE`` limits the size of a chunk.
    """
    if request.method != "PUT":
        response = error_response(405, "method_not_allowed", "Send the file's bytes with PUT.")
        response["Allow"] = "PUT"
        return response
    try:
        session = sessions.session_for_token(token)
        content_range = sessions.parse_content_range(
            request.headers.get("Content-Range"), content_length(request)
        )
        progress = sessions.receive(session, content_range, request)
    except PlutoError as error:
        return render_pluto_error(error)
    return progress_response(session, progress)


def progress_response(session: UploadSession, progress: sessions.UploadProgress) -> HttpResponse:
    """200 with the file once complete; otherwise 308 with ``Range`` when bytes have arrived."""
    if progress.file is not None:
        return HttpResponse(orjson.dumps(file_json(progress.file)), content_type="application/json")
    body = {"uuid": str(session.uuid), "received_bytes": progress.received}
    response = HttpResponse(orjson.dumps(body), status=308, content_type="application/json")
    if progress.received:
        response["Range"] = f"bytes=0-{progress.received - 1}"
    return response
