"""``GET /health/``: the process is up and answering, for load balancers and monitors.

It touches no database and needs no authentication, so it is also the cheapest request
Django can answer through Pluto's middleware: the load benchmark's baseline.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def health(request: HttpRequest) -> HttpResponse:
    """``ok``, as plain text."""
    return HttpResponse(b"ok\n", content_type="text/plain")
