"""plotly.js, served by the server itself from the ``plotly`` Python package (no CDN).

The URL carries plotly's version, so browsers may cache the file for good; it is gzipped
once per process for clients that accept it.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources
from importlib.metadata import version

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

CACHE_FOREVER = "public, max-age=31536000, immutable"


@lru_cache(maxsize=1)
def plotly_version() -> str:
    """The version of the installed plotly package (part of the script's URL)."""
    return version("plotly")


def plotly_url() -> str:
    """Where pages load plotly.js from."""
    return reverse("plotly_js", kwargs={"release": plotly_version()})


@lru_cache(maxsize=1)
def plotly_source() -> bytes:
    """The minified plotly.js bundled with the plotly package."""
    return resources.files("plotly").joinpath("package_data/plotly.min.js").read_bytes()


@lru_cache(maxsize=1)
def plotly_gzipped() -> bytes:
    """The same script, gzip-compressed (about a third of the size)."""
    return gzip.compress(plotly_source(), compresslevel=6, mtime=0)


@require_GET
def plotly_js(request: HttpRequest, release: str) -> HttpResponse:
    """The script, compressed when the browser accepts gzip."""
    if release != plotly_version():
        raise Http404("No such plotly.js version here.")
    zipped = "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")
    body = plotly_gzipped() if zipped else plotly_source()
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    if zipped:
        response["Content-Encoding"] = "gzip"
    response["Cache-Control"] = CACHE_FOREVER
    response["Vary"] = "Accept-Encoding"
    return response
