"""URL routes: the JSON API (``lab/``, ``user/``, ``programs/``), the web pages, the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from pluto.server.api import api
from pluto.server.health import health
from pluto.server.web import errors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("", include("pluto.server.accounts.urls")),
    path("", include("pluto.server.web.urls")),
    path("", include("pluto.server.tables.urls")),
    path("", include("pluto.server.files.urls")),
    *[
        path("", include(f"pluto.server.{family}.urls"))
        for family in ("history", "pipelines", "annotations", "sets", "search", "programs", "orgs")
    ],
    # Last: the API's own root page ("") must not shadow the home page.
    path("", api.urls),
]

handler400 = errors.bad_request
handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
