"""The WSGI application that ``pluto serve`` runs (see :mod:`pluto.server.gthread`).

Django reads no more of a request body than its ``Content-Length`` says, and nothing when
there is none, as in a chunked upload. A server that ends the body itself (it says so with
``wsgi.input_terminated``, as gunicorn does) gives the whole body, so such a request's body
is read from that server's stream to its end, as Pluto's ASGI application does too.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import django
from django.core.handlers.wsgi import LimitedStream, WSGIHandler, WSGIRequest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pluto.server.settings")


class PlutoWSGIRequest(WSGIRequest):
    """Django's WSGI request, reading a chunked body through to its end."""

    def __init__(self, environ: dict[str, Any]) -> None:
        super().__init__(environ)
        if environ.get("wsgi.input_terminated") and "CONTENT_LENGTH" not in environ:
            # Still a LimitedStream: Django closes the stream it reads, which the server's
            # own input object may not support.
            self._stream = LimitedStream(environ["wsgi.input"], sys.maxsize)


class PlutoWSGIHandler(WSGIHandler):
    """Django's WSGI handler making :class:`PlutoWSGIRequest` requests."""

    request_class = PlutoWSGIRequest


django.setup(set_prefix=False)
application = PlutoWSGIHandler()
