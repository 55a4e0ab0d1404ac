"""Addresses and headers larger than Pluto accepts get the JSON error body: ``414
uri_too_long`` through Django, and ``414`` or ``431 headers_too_large`` from a real ``pluto
serve`` whatever part of the chain refuses them."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from pluto.server.limits import MAX_HEADER_BYTES, MAX_HEADERS, MAX_URL_BYTES
from tests.analyses.processes import Processes, prepared
from tests.conftest import Caller
from tests.test_api_contract import assert_error

NOWHERE = "/lab/nothing-here/?q="
# Sent in pieces, as a network delivers a long request head: the server reads it in several
# parts, which is when a parser applies its limits.
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


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``pluto serve`` (gunicorn's threaded worker, as shipped); ``host:port``."""
    processes = Processes()
    try:
        pluto = prepared(tmp_path_factory.mktemp("limits"), processes)
        yield pluto.serve().removeprefix("http://")
    finally:
        processes.stop_all()


def raw_get(address: str, target: str, extra: str = "") -> tuple[int, dict[str, str], Any]:
    """A GET with ordinary headers (and ``extra`` header lines) over a plain socket: status,
    headers, parsed JSON body."""
    host, port = address.split(":")
    head = (
        f"GET {target} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: pluto-tests/1.0\r\n"
        f"Accept: application/json\r\nAccept-Encoding: gzip\r\n{extra}"
        "Connection: close\r\n\r\n"
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
@pytest.mark.parametrize("extra", [1, 20_000, 40_000, 60_000])
def test_the_server_hands_over_long_addresses_so_pluto_answers_in_json(
    served: str, extra: int
) -> None:
    """Beyond Pluto's limit, by a little and by a lot (past what the HTTP parser reads, at
    64 KiB), the answer is still Pluto's JSON."""
    status, headers, body = raw_get(served, address_of_length(MAX_URL_BYTES + extra))

    assert status == 414
    assert headers["content-type"].startswith("application/json")
    assert body["code"] == "uri_too_long"
    assert body["details"]["limit"] == MAX_URL_BYTES


@pytest.mark.live
def test_the_server_passes_an_address_at_the_limit(served: str) -> None:
    status, _, body = raw_get(served, address_of_length(MAX_URL_BYTES))

    assert status == 404
    assert body["code"] == "not_found"


def header_line(name: str, length: int) -> str:
    """A header line of ``length`` bytes, its CRLF included."""
    start = f"{name}: "
    return start + "v" * (length - len(start) - 2) + "\r\n"


@pytest.mark.live
def test_a_header_at_the_limit_passes(served: str) -> None:
    status, _, body = raw_get(served, NOWHERE, header_line("X-Long", MAX_HEADER_BYTES))

    assert status == 404
    assert body["code"] == "not_found"


@pytest.mark.live
def test_an_oversized_header_is_431_in_json(served: str) -> None:
    status, headers, body = raw_get(served, NOWHERE, header_line("Cookie", MAX_HEADER_BYTES + 1))

    assert status == 431
    assert headers["content-type"].startswith("application/json")
    assert body["code"] == "headers_too_large"
    assert body["details"] == {"limit": MAX_HEADER_BYTES, "headers": MAX_HEADERS}


@pytest.mark.live
def test_too_many_headers_are_431_in_json(served: str) -> None:
    many = "".join(f"X-Header-{n}: {n}\r\n" for n in range(MAX_HEADERS))
    status, _, body = raw_get(served, NOWHERE, many)

    assert status == 431
    assert body["code"] == "headers_too_large"
