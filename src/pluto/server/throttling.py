"""API rate limits per key and per client address, counted in the cache all processes share.

The limits (``PLUTO_API_RATE_PER_KEY``, ``PLUTO_API_RATE_PER_ADDRESS``) are generous: a script
reading a large table in parallel pages stays far below them; they stop a runaway loop or a
flood. A refused request is ``429 throttled`` with ``Retry-After``, which the SDK honours.
The counts live in Django's cache, a database table by default, so every ``pluto serve``
process and machine sees the same ones.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from pluto.server.accounts import keys
from pluto.server.accounts.auth import key_from_header
from pluto.server.accounts.services import token_secret
from pluto.server.client_address import client_address
from pluto.server.errors import error_response


class SettingRateThrottle(SimpleRateThrottle):
    """ninja's sliding-window throttle, its rate read from a setting on every request (so a
    changed setting needs no new API object); a rate of None lets everything through."""

    setting = ""

    def __init__(self) -> None:
        self.num_requests: int | None = None
        self.duration: int | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        rate = getattr(settings, self.setting)
        if rate is None:
            return True
        self.num_requests, self.duration = rate.requests, rate.seconds
        return super().allow_request(request)


class PerKeyThrottle(SettingRateThrottle):
    """Counts the requests of one API key (or one signed-in browser user)."""

    setting = "API_RATE_PER_KEY"

    def get_cache_key(self, request: HttpRequest) -> str:
        key = key_from_header(request)
        if key is not None:
            return f"pluto-rate:key:{keys.hash_key(key, token_secret())}"
        return f"pluto-rate:user:{request.auth.pk}"


class PerAddressThrottle(SettingRateThrottle):
    """Counts the requests from one client address, whatever keys they carry."""

    setting = "API_RATE_PER_ADDRESS"

    def get_cache_key(self, request: HttpRequest) -> str:
        return f"pluto-rate:address:{client_address(request)}"


def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    """``429 throttled``: when to try again, in the body as in the ``Retry-After`` header."""
    seconds = max(1, math.ceil(exc.wait or 1))
    return error_response(
        429,
        "throttled",
        f"Too many requests; try again in {seconds} second{'s' if seconds != 1 else ''}.",
        {"retry_after": seconds},
    )


def api_throttles() -> list[BaseThrottle]:
    """The throttles every API operation runs after authentication."""
    return [PerKeyThrottle(), PerAddressThrottle()]
