"""Addresses longer than Pluto accepts are ``414 uri_too_long`` with the JSON error body, both
through Django and through uvicorn run with the options ``pluto serve`` gives it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from django.test import Client

from pluto.server.asgi import application
from pluto.server.limits import MAX_URL_BYTES, uvicorn_options
from tests.analyses.processes import free_port
from tests.conftest import Caller
from tests.test_api_contract import assert_error

NOWHERE = "/lab/nothing-here/?q="
# Sent in pieces, as a network delivers a long request head: the server reads it in several
# parts, which is when h11 applies its buffer limit.
PIECE_BYTES = 4096


def address_of_length(length: int, base: str = NOWHERE) -> str:
    return base + "a" * (length - len(base))


def test_an_address_over_the_limit_is_414_naming_the_limit(ada: Caller) -> None:
    client = Client(raise_request_exception=False)
    headers = {"HTTP_AUTHORIZATION": f"Token {ada.key}"}
    at_limit = client.get(address_of_length(MAX_URL_BYTES, "/lab/projects/?q="), **headers)
    over = client.get(address_of_length(MAX_URL_BYTES + 1, "/lab/projects/?q="), **headers)
    over.data = json.loads(over.content)

    assert at_limit.status_code == 200
    error = assert_error(over, 414, "uri_too_long")
    assert error["details"] == {"limit": MAX_URL_BYTES, "length": MAX_URL_BYTES + 1}
    assert str(MAX_URL_BYTES) in error["message"]


def test_web_pages_have_the_same_limit(db: None) -> None:
    response = Client().get(address_of_length(MAX_URL_BYTES + 1, "/projects/?q="))

    assert response.status_code == 414
    assert json.loads(response.content)["code"] == "uri_too_long"


@pytest.fixture(params=["httptools", "h11"])
def uvicorn_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Pluto's ASGI application under uvicorn in a thread, with ``pluto serve``'s options."""
    port = free_port()
    config = uvicorn.Config(
        application,
        port=port,
        http=request.param,
        lifespan="off",
        log_level="warning",
        **uvicorn_options(),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def raw_get(address: str, target: str) -> tuple[int, dict[str, str], Any]:
    """A GET with ordinary headers over a plain socket: status, headers, parsed JSON body."""
    host, port = address.split(":")
    head = (
        f"GET {target} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: pluto-tests/1.0\r\n"
        "Accept: application/json\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(head), PIECE_BYTES):
            sock.sendall(head[start : start + PIECE_BYTES].encode())
            time.sleep(0.001)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    raw_head, _, body = data.partition(b"\r\n\r\n")
    lines = raw_head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    headers = {name.lower(): value for name, value in headers.items()}
    if headers.get("transfer-encoding") == "chunked":
        body = dechunked(body)
    return int(lines[0].split()[1]), headers, json.loads(body)


def dechunked(body: bytes) -> bytes:
    """The content of a chunked body."""
    content = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line, 16)
        content, body = content + rest[:size], rest[size + 2 :]
        if size == 0:
            break
    return content


@pytest.mark.live
@pytest.mark.parametrize("extra", [1, 20_000, 40_000])
def test_uvicorn_hands_over_long_addresses_so_pluto_answers_in_json(
    uvicorn_url: str, extra: int
) -> None:
    """Beyond Pluto's limit, by a little and by a lot, the answer is still Pluto's JSON."""
    status, headers, body = raw_get(uvicorn_url, address_of_length(MAX_URL_BYTES + extra))

    assert status == 414
    assert headers["content-type"].startswith("application/json")
    assert body["code"] == "uri_too_long"
    assert body["details"]["limit"] == MAX_URL_BYTES


@pytest.mark.live
def test_uvicorn_passes_an_address_at_the_limit(uvicorn_url: str) -> None:
    status, _, body = raw_get(uvicorn_url, address_of_length(MAX_URL_BYTES))

    assert status == 404
    assert body["code"] == "not_found"
