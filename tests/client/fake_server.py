"""A small real HTTP server on 127.0.0.1 for SDK tests that a full Pluto server cannot stage.

It answers like a server that speaks only the Pluto contract (JSON pages, no Arrow), and can
be told to fail: 429 with ``Retry-After``, 503, a dropped connection, a slow answer. Every
request is recorded, so tests can check what the SDK actually sent.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pyarrow as pa


@dataclass(frozen=True)
class Received:
    """A request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        """A request header, whatever its case."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Reply:
    """What to answer: a status, a body (bytes, or data sent as JSON) and headers.

    ``drop`` closes the connection without answering; ``delay`` waits first; ``cut_after``
    sends only that many bytes of the body, then closes the connection.
    """

    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0
    cut_after: int | None = None

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        """The body as bytes, with a JSON content type when it was data."""
        if isinstance(self.body, bytes):
            return self.body, self.headers
        return json.dumps(self.body).encode(), {"Content-Type": "application/json", **self.headers}


Handler = Callable[[Received], Reply]


class FakePluto:
    """Routes ``(method, path)`` to handlers and records every request."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.received: list[Received] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """The server's base URL."""
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method path`` (path without the query) with ``handler``."""
        self.routes[(method, path)] = handler

    def script(self, method: str, path: str, *replies: Reply) -> None:
        """Answer with ``replies`` in turn; the last one repeats."""
        queue = list(replies)
        lock = threading.Lock()

        def next_reply(_: Received) -> Reply:
            with lock:
                return queue.pop(0) if len(queue) > 1 else queue[0]

        self.route(method, path, next_reply)

    def requests_to(self, path: str) -> list[Received]:
        """The recorded requests to ``path``."""
        return [request for request in self.received if request.path == path]

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class RequestHandler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def answer(self) -> None:
                # The client may give up waiting, as some tests make it do.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    fake.respond(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = answer

        return RequestHandler

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        """Record the request, find its handler, send its reply."""
        received = self.record(handler)
        route = self.routes.get((received.method, received.path))
        reply = route(received) if route else Reply(404, not_found(received.path))
        time.sleep(reply.delay)
        if reply.drop:
            handler.close_connection = True
            return
        body, headers = reply.encoded()
        handler.send_response(reply.status)
        for name, value in {"Content-Length": str(len(body)), **headers}.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body if reply.cut_after is None else body[: reply.cut_after])
        handler.close_connection = reply.cut_after is not None

    def record(self, handler: BaseHTTPRequestHandler) -> Received:
        """The request, read in full and kept."""
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        received = Received(
            method=handler.command,
            path=parts.path,
            query={k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=handler.rfile.read(length) if length else b"",
        )
        self.received.append(received)
        return received

    def __enter__(self) -> FakePluto:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def not_found(path: str) -> dict[str, Any]:
    """The Pluto error body of a 404."""
    return {"code": "not_found", "message": f"Nothing at {path}.", "details": {}}


def window(request: Received, default: int = 10_000) -> tuple[int, int]:
    """The ``offset`` and ``limit`` a table request asks for."""
    return int(request.query.get("offset", 0)), int(request.query.get("limit", default))


def json_table(headers: list[str], rows: list[dict[str, Any]]) -> Handler:
    """Pages of a table as a Pluto-only server sends them: JSON, whatever ``Accept`` says."""

    def handle(request: Received) -> Reply:
        offset, limit = window(request)
        items = rows[offset : offset + limit]
        return Reply(200, {"count": len(rows), "headers": headers, "items": items})

    return handle


def column_major_table(headers: list[str], columns: list[list[Any]]) -> Handler:
    """Pages of volcano plot data: ``items[i]`` is the column ``headers[i]``."""

    def handle(request: Received) -> Reply:
        offset, limit = window(request)
        items = [column[offset : offset + limit] for column in columns]
        return Reply(200, {"count": len(columns[0]), "headers": headers, "items": items})

    return handle


def arrow_bytes(table: pa.Table) -> bytes:
    """A table in the Arrow IPC stream format."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def arrow_table(frame: pd.DataFrame, etag: str = '"v1"') -> Handler:
    """Pages in Arrow with ``X-Total-Count`` and an ``ETag``, answering 304 when it matches."""
    table = pa.Table.from_pandas(frame, preserve_index=False)

    def handle(request: Received) -> Reply:
        if request.header("If-None-Match") == etag:
            return Reply(304, b"", {"ETag": etag})
        if "arrow" not in (request.header("Accept") or ""):
            return json_table(list(frame.columns), frame.to_dict("records"))(request)
        offset, limit = window(request)
        headers = {
            "Content-Type": "application/vnd.apache.arrow.stream",
            "X-Total-Count": str(table.num_rows),
            "ETag": etag,
        }
        return Reply(200, arrow_bytes(table.slice(offset, limit)), headers)

    return handle


class UploadTarget:
    """The session URL of a resumable upload, stored in memory like the real one on disk."""

    def __init__(
        self,
        total: int,
        *,
        drop_after_storing: set[int] | None = None,
        refuse: set[int] | None = None,
    ) -> None:
        self.total = total
        self.stored = bytearray()
        self.chunks = 0
        self.drop_after_storing = drop_after_storing or set()
        self.refuse = refuse or set()

    def __call__(self, request: Received) -> Reply:
        content_range = request.header("Content-Range") or ""
        if content_range.startswith("bytes */"):
            return self.progress()
        self.chunks += 1
        if self.chunks in self.refuse:
            return Reply(503, {"code": "server_error", "message": "Busy.", "details": {}})
        first = int(content_range.split()[1].split("-")[0])
        if first != len(self.stored):
            details = {"resume_from": len(self.stored)}
            return Reply(400, {"code": "invalid", "message": "Wrong start.", "details": details})
        self.stored.extend(request.body)
        if self.chunks in self.drop_after_storing:
            return Reply(drop=True)
        return self.progress()

    def progress(self) -> Reply:
        """308 with ``Range`` while incomplete, 200 with the file once complete."""
        if len(self.stored) == self.total:
            return Reply(200, {"uuid": "f1", "filename": "data.bin", "file_size": self.total})
        headers = {"Range": f"bytes=0-{len(self.stored) - 1}"} if self.stored else {}
        return Reply(308, {"received_bytes": len(self.stored)}, headers)


def ranged_file(content: bytes, cut_first_at: int) -> Handler:
    """A download URL whose first answer breaks off after ``cut_first_at`` bytes."""
    answers = 0

    def handle(request: Received) -> Reply:
        nonlocal answers
        answers += 1
        disposition = {"Content-Disposition": 'attachment; filename="../protocol.pdf"'}
        byte_range = request.header("Range")
        if byte_range is None:
            cut = cut_first_at if answers == 1 else None
            return Reply(200, content, disposition, cut_after=cut)
        first = int(byte_range.removeprefix("bytes=").split("-")[0])
        headers = {
            **disposition,
            "Content-Range": f"bytes {first}-{len(content) - 1}/{len(content)}",
        }
        return Reply(206, content[first:], headers)

    return handle
