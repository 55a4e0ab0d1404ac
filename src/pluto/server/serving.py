"""How ``pluto serve`` runs one web process, from Django's settings: gunicorn's threaded
worker over the WSGI application, believing only the proxies in ``PLUTO_TRUSTED_PROXIES``."""

from __future__ import annotations

import gc
import socket

from django.conf import settings

from pluto.server import gthread
from pluto.server.connection_board import ConnectionBoard

# How long open requests may take to finish once the process is asked to stop.
GRACEFUL_SECONDS = 10


def trusted_proxies() -> list[str]:
    """The proxies whose ``X-Forwarded-Proto`` is believed; gunicorn's own default would
    trust 127.0.0.1. (``X-Forwarded-For`` is read by :mod:`pluto.server.client_address`
    against the same list.)"""
    return [str(network) for network in settings.TRUSTED_PROXIES]


def serve_web_process(
    sock: socket.socket, threads: int, parent: int, board: ConnectionBoard | None = None
) -> None:
    """Serve Pluto on the bound socket ``sock`` with ``threads`` request threads until
    SIGTERM or until the process ``parent`` is gone, sharing connections with the other
    web processes on ``board``."""
    from pluto.server.wsgi import application

    # What is loaded by now lives as long as the process: frozen, the full collection at exit
    # no longer walks it, which took a stopping web process a second or more.
    gc.freeze()
    cfg = gthread.worker_config(threads, trusted_proxies(), GRACEFUL_SECONDS)
    gthread.serve(sock, application, cfg, parent, board)
