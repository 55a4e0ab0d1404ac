"""How long an address may be, and the HTTP server settings that let Pluto answer it.

Pluto refuses a URL longer than :data:`MAX_URL_BYTES` itself, with ``414 uri_too_long`` and
the JSON error body. The HTTP parsers in front of Django refuse still longer ones on their
own with a plain-text 400 (httptools at 65,535 bytes of URL; h11 when the whole request head
passes its buffer), so ``pluto serve`` gives uvicorn :func:`uvicorn_options`, which keeps
their limits above Pluto's with room for the headers. Only an address of more than about
64 KiB, four times Pluto's limit, still meets the parsers' plain-text refusal.
"""

from __future__ import annotations

from typing import Any

MAX_URL_BYTES = 16 * 1024
# The request line plus every header must fit h11's buffer (uvicorn's default is 16 KiB,
# less than a URL at Pluto's limit with ordinary headers).
H11_MAX_HEAD_BYTES = 64 * 1024


def uvicorn_options() -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` that ``pluto serve`` passes."""
    return {"h11_max_incomplete_event_size": H11_MAX_HEAD_BYTES}
