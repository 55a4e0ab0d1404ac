"""The sandboxed frame that shows an external plot's uploaded HTML page or image, or a
pipeline run's QC report.

The file is served from a signed, expiring URL with ``Content-Security-Policy: sandbox
allow-scripts``, and the page's ``<iframe>`` is sandboxed the same way without
``allow-same-origin``: the file's scripts run in an opaque origin, so they can reach
neither the page, nor its cookies, nor the API.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from pluto.server.errors import PlutoError, render_pluto_error
from pluto.server.files.models import ExperimentFile
from pluto.server.signed_urls import sign, unsign
from pluto.server.storage import get_storage
from pluto.server.streaming import BlockStreamingResponse

SALT = "pluto.plot-frame.v1"
FRAME_POLICY = "sandbox allow-scripts; frame-ancestors 'self'"
SHOWN_TYPES = ("text/html", "image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp")


def frame_type(file: ExperimentFile) -> str:
    """How the frame serves the file: HTML and images as themselves, anything else as text."""
    return file.content_type if file.content_type in SHOWN_TYPES else "text/plain"


def frame_url(file: ExperimentFile) -> str:
    """A signed URL that shows the file inside the sandboxed frame."""
    return stored_frame_url(file.storage_key, frame_type(file))


def stored_frame_url(key: str, content_type: str) -> str:
    """A signed URL that shows the stored object ``key`` inside the sandboxed frame (also
    one no file row points at yet, such as a workflow's report before it is accepted)."""
    token = sign({"k": key, "t": content_type}, SALT)
    return reverse("plot_frame", args=[token])


def granted(token: str) -> dict[str, Any]:
    """What a frame token grants; 403 when altered, 410 when expired."""
    return unsign(token, SALT, "frame link", "reload the page")


@require_GET
@xframe_options_sameorigin
def plot_frame(request: HttpRequest, token: str) -> HttpResponse:
    """The uploaded display file, inline, under the sandbox policy."""
    try:
        payload = granted(token)
    except PlutoError as error:
        return render_pluto_error(error)
    storage = get_storage()
    size = storage.size(payload["k"])
    body = storage.open_range(payload["k"], 0, size - 1) if size else iter([b""])
    response = BlockStreamingResponse(body, content_type=payload["t"])
    response["Content-Security-Policy"] = FRAME_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=600"
    return response
