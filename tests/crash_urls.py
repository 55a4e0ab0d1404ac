"""A URL configuration for tests only: the real routes plus one API path whose view crashes.

It deliberately defines no ``handler500``: Django's default error page is HTML, so a JSON
body can only come from the JSON error middleware.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from pluto.server.urls import urlpatterns as real_urlpatterns

CRASH_PATH = "/lab/test-only-crash/"
SECRET_DETAIL = "secret-detail-that-must-not-leak"


def crash(request: HttpRequest) -> HttpResponse:
    """A plain Django view outside the NinjaAPI that fails unexpectedly."""
    raise RuntimeError(f"unexpected failure: {SECRET_DETAIL}")


urlpatterns = [path(CRASH_PATH.lstrip("/"), crash), *real_urlpatterns]
