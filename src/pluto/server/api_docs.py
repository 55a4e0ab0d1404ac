"""The API's browsable docs at ``lab/docs/``: Swagger UI that a signed-in user can try out.

Swagger UI and its scripts come from django-ninja's static files, served by this server,
never from a CDN. Requests made with "Try it out" go from the page to the API with the
browser's session cookie; ninja adds the page's CSRF token to them only when an auth class
asks for it, and Pluto's auth is a function (token or session), so the token is always
added here: without it a signed-in user's POST, PATCH or DELETE would be refused.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

# Shown as the API's description, which Swagger UI renders as Markdown: the header goes in
# a code span, or "<key>" would be taken for an HTML tag and vanish.
API_DESCRIPTION = (
    "The Pluto-compatible HTTP API. Send `Authorization: Token <key>` with an API token from "
    "your Account page (`Bearer <key>` works too). Signed in on this server, the docs page "
    'tries requests out with your session; or click "Authorize" and paste `Token <key>`.'
)
SECURITY_SCHEMES: dict[str, Any] = {
    "token": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Token <key>` (or `Bearer <key>`), with a key from your Account page.",
    },
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "sessionid",
        "description": "The web session of a signed-in user; writes also need the CSRF token.",
    },
}


def describe_security(schema: dict[str, Any]) -> None:
    """Declare the two ways in: every operation takes a token or a signed-in session."""
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(SECURITY_SCHEMES)
    schema["security"] = [{"token": []}, {"session": []}]


class SessionSwagger(Swagger):
    """Swagger UI whose requests carry the page's CSRF token along with the session cookie."""

    def __init__(self) -> None:
        super().__init__(settings={"persistAuthorization": True})

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        """The docs page, with ``add_csrf`` on whatever the API's auth says."""
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "swagger_settings": json.dumps(settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render(request, self.template, context)
