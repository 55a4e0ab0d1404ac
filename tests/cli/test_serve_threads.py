"""``pluto serve``'s web processes as gunicorn's threaded workers, driven over HTTP: each
process answers at most ``--threads`` requests at once, there is one process per core (at
most four) unless ``--processes`` says otherwise, a stopped server finishes the request in
flight, a chunked request body reaches the API whole, and a large table page is streamed."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.analyses.processes import (
    PLUTO,
    Pluto,
    Processes,
    answers,
    children_of,
    free_port,
    prepared,
    wait_for,
)
from tests.cli.test_serve_supervision import big_counts

pytestmark = pytest.mark.live

# How long a request held by the threads of a process must stay unanswered to count as
# waiting for a thread (a free thread answers /health/ in milliseconds).
WAITING_SECONDS = 1.5


@pytest.fixture(scope="module")
def pluto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pluto]:
    """A migrated data directory with ada and her token; each test starts its own server."""
    processes = Processes()
    try:
        yield prepared(tmp_path_factory.mktemp("serve-threads"), processes)
    finally:
        processes.stop_all()


@pytest.fixture
def serve(pluto: Pluto) -> Iterator[Processes]:
    """The test's own processes, stopped when it ends."""
    own, pluto.processes = pluto.processes, Processes()
    try:
        yield pluto.processes
    finally:
        pluto.processes.stop_all()
        pluto.processes = own


def start(pluto: Pluto, *options: str) -> tuple[str, subprocess.Popen[bytes]]:
    """``pluto serve --no-worker`` with ``options`` on a free port, once it answers."""
    port = free_port()
    args = [str(PLUTO), "serve", "--no-migrate", "--no-worker", "--port", str(port), *options]
    process = pluto.processes.start(args, pluto.env, pluto.home)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: answers(url, process), timeout=60, interval=0.2)
    pluto.url = url
    return url, process


class HeldRequest:
    """A POST of a new project whose body arrives only when :meth:`finish` is called, so
    the thread reading it stays busy until then."""

    BODY = b'{"name": "Held project"}'

    def __init__(self, url: str, key: str) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        head = (
            f"POST /lab/projects/ HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: Token {key}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(self.BODY)}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + self.BODY[:1])

    def finish(self) -> int:
        """Send the rest of the body; the status of the answer."""
        self.sock.sendall(self.BODY[1:])
        answer = b""
        while b"\r\n" not in answer and (chunk := self.sock.recv(65536)):
            answer += chunk
        self.sock.close()
        return int(answer.split()[1])


def health_in_background(url: str) -> dict[str, int]:
    """Ask ``/health/`` from a thread; the dict gets its status once answered."""
    result: dict[str, int] = {}

    def ask() -> None:
        result["status"] = requests.get(f"{url}/health/", timeout=30).status_code

    threading.Thread(target=ask, daemon=True).start()
    return result


def hold(pluto: Pluto, url: str, count: int) -> list[HeldRequest]:
    """``count`` requests, each holding a thread of the server (given time to reach one)."""
    held = [HeldRequest(url, pluto.key) for _ in range(count)]
    time.sleep(2.0)  # token check and all, on a busy machine
    return held


def test_serve_threads_option_bounds_concurrent_requests(pluto: Pluto, serve: Processes) -> None:
    url, _ = start(pluto, "--processes", "1", "--threads", "2")
    held = hold(pluto, url, 2)

    health = health_in_background(url)
    time.sleep(WAITING_SECONDS)
    waited = "status" not in health
    first = held[0].finish()
    answered = wait_for(lambda: health.get("status"), timeout=10, interval=0.05)
    second = held[1].finish()

    assert waited, "a third request was answered while both threads were busy"
    assert answered == 200
    assert (first, second) == (201, 201)


def test_serve_with_a_thread_more_answers_beside_the_held_requests(
    pluto: Pluto, serve: Processes
) -> None:
    url, _ = start(pluto, "--processes", "1", "--threads", "3")
    held = hold(pluto, url, 2)

    answered = requests.get(f"{url}/health/", timeout=WAITING_SECONDS)

    assert answered.status_code == 200
    assert [request.finish() for request in held] == [201, 201]


def web_processes(server: subprocess.Popen[bytes]) -> list[int]:
    """The server's web processes."""
    found = []
    for pid in children_of(server.pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"pluto.cli.web_process" in cmdline.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def test_serve_runs_one_web_process_per_core_at_most_four_by_default(
    pluto: Pluto, serve: Processes
) -> None:
    expected = max(1, min(4, os.cpu_count() or 1))
    _, server = start(pluto)

    running = wait_for(lambda: len(web_processes(server)) >= expected, timeout=30)
    time.sleep(0.5)  # none beyond the expected ones come later

    assert running
    assert len(web_processes(server)) == expected


@pytest.mark.parametrize("option", ["--processes", "--workers"])
def test_serve_processes_option_sets_the_number_of_web_processes(
    pluto: Pluto, serve: Processes, option: str
) -> None:
    _, server = start(pluto, option, "3")

    assert wait_for(lambda: len(web_processes(server)) == 3, timeout=30)


def socket_inodes(pid: int) -> set[str]:
    """The inodes of the sockets process ``pid`` has open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    return inodes


def established_on(port: int, pid: int) -> set[str]:
    """The inodes of the connections established to ``port`` (as /proc lists them)."""
    found = set()
    for line in Path(f"/proc/{pid}/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            found.add(fields[9])
    return found


def connections_per_process(url: str, server: subprocess.Popen[bytes]) -> list[int]:
    """How many of the connections to ``url`` each web process of ``server`` holds."""
    port = int(url.rsplit(":", 1)[1])
    pids = web_processes(server)
    return sorted(len(socket_inodes(pid) & established_on(port, pid)) for pid in pids)


def serving_processes(pluto: Pluto) -> int:
    """How many web processes of the newest server say they are serving."""
    log = max(pluto.home.glob("pluto-serve-*.log"), key=lambda path: path.stat().st_mtime)
    return log.read_text(errors="replace").count("serving with")


# Enough that a split left to chance is rarely within two of even.
CONNECTIONS = 60


def test_connections_opened_one_after_another_are_shared_out_evenly(
    pluto: Pluto, serve: Processes
) -> None:
    # Left to the kernel, a process can keep winning new connections (50 clients were once
    # split 13 and 37, and the 37 waited three times as long for each answer).
    url, server = start(pluto, "--processes", "2")
    assert wait_for(lambda: serving_processes(pluto) == 2, timeout=60)
    host, port = url.removeprefix("http://").split(":")
    kept = []
    for _ in range(CONNECTIONS):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/health/")
        assert connection.getresponse().read() is not None
        kept.append(connection)

    spread = connections_per_process(url, server)

    assert sum(spread) == CONNECTIONS
    assert spread[1] - spread[0] <= 2, spread
    for connection in kept:
        connection.close()


def test_a_stopped_server_finishes_the_request_in_flight(pluto: Pluto, serve: Processes) -> None:
    url, server = start(pluto, "--processes", "1")
    (held,) = hold(pluto, url, 1)

    server.send_signal(signal.SIGTERM)
    time.sleep(1.0)
    status = held.finish()
    exit_status = server.wait(timeout=30)

    assert status == 201
    assert exit_status == 0
    assert not web_processes(server)


def test_a_chunked_request_body_reaches_the_api_whole(pluto: Pluto, serve: Processes) -> None:
    url, _ = start(pluto, "--processes", "1")
    parts = (part for part in (b'{"name": ', b'"Chunked ', b'project"}'))

    created = requests.post(
        f"{url}/lab/projects/",
        data=parts,
        headers={"Authorization": f"Token {pluto.key}", "Content-Type": "application/json"},
        timeout=30,
    )

    assert created.request.headers.get("Transfer-Encoding") == "chunked"
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "Chunked project"


def test_kept_alive_requests_are_answered_without_waiting_for_delayed_acks(
    pluto: Pluto, serve: Processes
) -> None:
    """A response goes out as head and body; unless the server sends small segments at once,
    each kept-alive request waits about 40 ms for the client's delayed ACK."""
    url, _ = start(pluto, "--processes", "1")
    with requests.Session() as session:
        times = []
        for _ in range(20):
            began = time.perf_counter()
            assert session.get(f"{url}/health/", timeout=10).status_code == 200
            times.append(time.perf_counter() - began)

    assert min(times[1:]) < 0.030, times


def test_a_large_table_page_is_streamed_in_chunks(pluto: Pluto, serve: Processes) -> None:
    start(pluto, "--processes", "1")
    rows = 90_000  # 90,000 x 13 cells: past the size from which a page is streamed
    project = pluto.call("POST", "projects/", json={"name": "Streaming"}).json()
    body = {"project": project["pluto_id"], "name": "Big", "type": "rnaseq", "organism": "human"}
    experiment = pluto.call("POST", "experiments/", json={**body, "assay_data_units": "raw_counts"})
    plx = experiment.json()["pluto_id"]
    stored = pluto.call("PUT", f"experiments/{plx}/assay-data/", data=big_counts(rows, 12))
    assert stored.status_code == 200, stored.text

    with pluto.call(
        "GET", f"experiments/{plx}/assay-data/?format=csv&limit={rows}", stream=True
    ) as page:
        lines = sum(chunk.count(b"\n") for chunk in page.iter_content(65536))

    assert page.status_code == 200
    assert page.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in page.headers
    assert lines == rows + 1
