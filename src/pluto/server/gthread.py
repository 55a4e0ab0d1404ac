"""One web process of ``pluto serve``: gunicorn's threaded worker over the WSGI application.

Each web process runs gunicorn's ``gthread`` worker directly, without gunicorn's arbiter:
``pluto serve``'s own supervisor already starts, restarts and stops the processes, and hands
each the listening socket it bound once. A worker accepts connections on its main thread and
runs requests on a pool of ``threads`` threads, so a process never holds more than that many
database connections, whatever the number of clients.

Two things differ from gunicorn's defaults, to keep Pluto's answers what they are under any
server:

- gunicorn caps a request line at 8,190 bytes and answers longer ones, and headers over its
  limits, with a page of HTML. Pluto accepts addresses of up to
  :data:`~pluto.server.limits.MAX_URL_BYTES` and refuses longer ones itself; the parser here
  reads request lines up to :data:`~pluto.server.limits.MAX_REQUEST_LINE_BYTES`, and the
  worker answers what its parser refuses with the JSON error body (``414 uri_too_long``,
  ``431 headers_too_large``).
- The access log goes through the filter that redacts signed links and API keys.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn import util
from gunicorn.config import Config
from gunicorn.glogging import Logger
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.http.message import Request
from gunicorn.http.parser import RequestParser
from gunicorn.workers.gthread import TConn, ThreadWorker

from pluto.server.connection_board import ConnectionBoard
from pluto.server.limits import (
    MAX_HEADER_BYTES,
    MAX_HEADERS,
    MAX_REQUEST_LINE_BYTES,
    header_refusal,
    url_refusal,
)
from pluto.server.log_redaction import RedactSecrets

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Seconds an idle kept-alive connection stays open: 5, as ``pluto serve`` kept them before
# (gunicorn's own default of 2 would close connections that clients and proxies reuse).
KEEPALIVE_SECONDS = 5
LISTEN_BACKLOG = 2048
# A process holding more connections than another leaves a new connection to it for this
# long, then looks again; once it has left one for YIELD_LIMIT_SECONDS it takes it itself
# (the other may be busy with a long request, or stuck).
YIELD_SECONDS = 0.002
YIELD_LIMIT_SECONDS = 0.05


class PlutoRequest(Request):
    """gunicorn's request, reading request lines up to Pluto's own limit.

    gunicorn clamps its ``limit_request_line`` setting to 8,190 bytes, below Pluto's
    16 KiB addresses; the request line is the only line read through :meth:`read_line`.
    """

    def read_line(self, unreader: Any, buf: bytearray, limit: int = 0) -> tuple[bytes, bytearray]:
        """The request line, refused past :data:`MAX_REQUEST_LINE_BYTES` whatever ``limit``."""
        line, rest = super().read_line(unreader, buf, MAX_REQUEST_LINE_BYTES)
        return line, rest


class PlutoRequestParser(RequestParser):
    """gunicorn's HTTP/1.1 parser, making :class:`PlutoRequest` requests."""

    mesg_class = PlutoRequest


class PlutoThreadWorker(ThreadWorker):
    """gunicorn's gthread worker with Pluto's request-line limit and JSON refusals, which
    leaves new connections to a web process holding fewer (:mod:`.connection_board`)."""

    board: ConnectionBoard | None = None
    resume_accepting_at = 0.0
    yielding_since: float | None = None
    accepted_in_this_wait = False

    def accept(self, listener: socket.socket) -> None:
        """Accept a new connection, unless another web process holds fewer."""
        self.accepted_in_this_wait = True
        if self.leaves_connection_to_another():
            self.pause_accepting()
            return
        self.yielding_since = None
        super().accept(listener)
        if self.board is not None:
            self.board.publish(self.nr_conns)

    def leaves_connection_to_another(self) -> bool:
        """Whether another process holds fewer connections, and has not been left this
        pending connection for long already."""
        if self.board is None or self.nr_conns <= self.board.fewest_elsewhere():
            return False
        now = time.monotonic()
        if self.yielding_since is None:
            self.yielding_since = now
        return now - self.yielding_since < YIELD_LIMIT_SECONDS

    def pause_accepting(self) -> None:
        """Stop watching the socket for :data:`YIELD_SECONDS`."""
        self.set_accept_enabled(False)
        self.resume_accepting_at = time.monotonic() + YIELD_SECONDS

    def set_accept_enabled(self, enabled: bool) -> None:
        """gunicorn's switch, which keeps a pause of :meth:`pause_accepting` to its end."""
        if enabled and time.monotonic() < self.resume_accepting_at:
            return
        super().set_accept_enabled(enabled)

    def publish_connections(self) -> None:
        """Put this process's count on the board; a stopping process leaves it."""
        if self.board is None:
            return
        if self.alive:
            self.board.publish(self.nr_conns)
        else:
            self.board.leave()

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        """Publish this process's connections, then wait (no longer than a pause lasts)."""
        self.publish_connections()
        watching = self._accepting
        self.accepted_in_this_wait = False
        paused_for = self.resume_accepting_at - time.monotonic()
        if paused_for > 0:
            timeout = min(timeout, paused_for)
        super().wait_for_and_dispatch_events(timeout)
        if watching and not self.accepted_in_this_wait:
            self.yielding_since = None  # nobody was waiting to connect

    def handle(self, conn: TConn) -> Any:
        """Serve a connection (in a pool thread), parsed by :class:`PlutoRequestParser`."""
        if conn.parser is None:
            # TConn.init keeps a parser that is already there (TLS and HTTP/2 are not used).
            conn.parser = PlutoRequestParser(self.cfg, conn.sock, conn.client)
        return super().handle(conn)

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        """Refuse an oversized request line or header with the JSON error body; gunicorn's
        own answer for anything else."""
        refusal = refusal_for(exc)
        if refusal is None:
            super().handle_error(req, client, addr, exc)
            return
        peer = addr[0] if isinstance(addr, tuple) else ""
        self.log.warning("Refused a request from %s: %s", peer, exc)
        try:
            util.write_nonblock(client, refusal)
        except OSError:
            self.log.debug("Could not send the refusal; the client has gone.")


def refusal_for(exc: BaseException) -> bytes | None:
    """The whole HTTP response refusing what gunicorn's parser raised, if Pluto words it."""
    if isinstance(exc, LimitRequestLine):
        return url_refusal()
    if isinstance(exc, LimitRequestHeaders):
        return header_refusal()
    return None


class LoadedApp:
    """What a gunicorn worker asks its ``app`` for: the WSGI callable, loaded already."""

    def __init__(self, application: WSGIApp) -> None:
        self.application = application

    def wsgi(self) -> WSGIApp:
        """The WSGI application the worker serves."""
        return self.application


def worker_config(threads: int, trusted_proxies: list[str], graceful_seconds: int) -> Config:
    """gunicorn's settings for one web process."""
    cfg = Config()
    settings: dict[str, Any] = {
        "threads": threads,
        "keepalive": KEEPALIVE_SECONDS,
        "graceful_timeout": graceful_seconds,
        "backlog": LISTEN_BACKLOG,
        # The request line's limit is PlutoRequest's; the Python parser is the one that
        # honours it (gunicorn's optional C parser would apply gunicorn's own cap).
        "http_parser": "python",
        "limit_request_fields": MAX_HEADERS,
        "limit_request_field_size": MAX_HEADER_BYTES,
        # X-Forwarded-Proto is believed only from these (none by default).
        "forwarded_allow_ips": ",".join(trusted_proxies),
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
    }
    for name, value in settings.items():
        cfg.set(name, value)
    return cfg


def redacting_logger(cfg: Config) -> Logger:
    """gunicorn's logger, with secrets redacted from its error and access lines."""
    log = Logger(cfg)
    for logger in (log.error_log, log.access_log):
        logger.addFilter(RedactSecrets())
    return log


def serve(
    sock: socket.socket,
    application: WSGIApp,
    cfg: Config,
    parent: int,
    board: ConnectionBoard | None = None,
) -> None:
    """Serve ``application`` on the bound socket ``sock`` until SIGTERM (finishing open
    requests for up to ``graceful_timeout`` seconds) or until ``parent`` is gone, sharing
    the connections with the other web processes on ``board``."""
    # Accepted connections inherit this: without it a response written in two parts (head,
    # then body) waits for the client's delayed ACK, about 40 ms on every kept-alive request.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # The parent binds without listening, so a client is refused rather than left waiting
    # until a web process is ready; the first to get here starts the listening.
    sock.listen(cfg.backlog)
    log = redacting_logger(cfg)
    logging.getLogger("pluto.serve").info(
        "Web process [%s] serving with %s threads.", os.getpid(), cfg.threads
    )
    worker = PlutoThreadWorker(0, parent, [sock], LoadedApp(application), cfg.timeout, cfg, log)
    worker.board = board
    try:
        worker.init_process()
    finally:
        if board is not None:
            board.leave()
