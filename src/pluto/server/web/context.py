"""Template context every page gets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from pluto import __version__


def server_url(request: HttpRequest) -> str:
    """The URL scripts should use: ``PLUTO_PUBLIC_URL``, or the one this request came to."""
    return settings.PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")


def site(request: HttpRequest) -> dict[str, Any]:
    """Sign-up availability, the server's URL and version."""
    return {
        "allow_signup": settings.ALLOW_SIGNUP,
        "server_url": server_url(request),
        "pluto_version": __version__,
    }
