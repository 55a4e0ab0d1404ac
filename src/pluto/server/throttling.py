"""API rate limits per key and per client address, counted in a table all processes share.

The limits (``PLUTO_API_RATE_PER_KEY``, ``PLUTO_API_RATE_PER_ADDRESS``) are generous: a script
reading a large table in parallel pages stays far below them; they stop a runaway loop or a
flood. A refused request is ``429 throttled`` with ``Retry-After``, which the SDK honours.
Each key's window opens with its first request and lasts the rate's seconds; both limits
are counted by one database statement per request (:mod:`pluto.server.ratelimits`), so every
``pluto serve`` process and machine sees the same counts.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja.errors import Throttled
from ninja.throttling import BaseThrottle

from pluto.server.accounts import keys
from pluto.server.accounts.auth import key_from_header
from pluto.server.accounts.services import token_secret
from pluto.server.client_address import client_address
from pluto.server.config import Rate
from pluto.server.errors import error_response
from pluto.server.ratelimits.counting import count_request


def caller_key(request: HttpRequest) -> str:
    """What the per-key limit counts: the API key (hashed), or the signed-in user."""
    key = key_from_header(request)
    if key is not None:
        return f"pluto-rate:key:{keys.hash_key(key, token_secret())}"
    return f"pluto-rate:user:{request.auth.pk}"


def limits_of(request: HttpRequest) -> list[tuple[str, Rate]]:
    """The request's counted keys with their rates (a rate of None counts nothing); the
    per-key limit first, so concurrent requests lock their rows in the same order."""
    limits = [
        (settings.API_RATE_PER_KEY, caller_key),
        (settings.API_RATE_PER_ADDRESS, lambda r: f"pluto-rate:address:{client_address(r)}"),
    ]
    return [(name(request), rate) for rate, name in limits if rate is not None]


class ApiRateThrottle(BaseThrottle):
    """Both limits at once; the rates are read from the settings on every request (so a
    changed setting needs no new API object). One instance serves every thread, so what
    ``wait`` reports is kept per thread."""

    def __init__(self) -> None:
        self.last = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        """Count the request; False when any limit is exceeded (``wait`` says how long)."""
        limits = limits_of(request)
        now = time.time()
        counts = count_request([(key, rate.seconds) for key, rate in limits], now)
        over = [
            count.seconds_left(now)
            for count, (_, rate) in zip(counts, limits, strict=True)
            if count.hits > rate.requests
        ]
        self.last.retry_after = max(over, default=0.0)
        return not over

    def wait(self) -> float:
        """Seconds until the exceeded window closes."""
        return float(getattr(self.last, "retry_after", 0.0))


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
    return [ApiRateThrottle()]
