"""Slow clients against few request threads: a chunk of a resumable upload that arrives a
byte at a time holds one of ``pluto serve``'s threads for as long as it takes, so as many
slow uploads as threads leave nobody else answered. deploy/nginx.conf reads each request
body whole before it passes the request on, so behind it the same slow uploads cost the web
process nothing until their bytes are all there."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.analyses.processes import PLUTO, Pluto, Processes, answers, free_port, prepared, wait_for
from tests.cluster.cluster import nginx_binary
from tests.deploy.deployment import NGINX_CONF

pytestmark = pytest.mark.live

THREADS = 2
# A free thread answers /health/ in milliseconds; one that has not answered in this long is
# waiting for a thread.
WAITING_SECONDS = 1.5
FILE_SIZE = 4000
CHUNK = 1000
TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass
class Served:
    """A ``pluto serve`` of one process of :data:`THREADS` threads, nginx in front of it,
    and an experiment to upload to."""

    pluto: Pluto
    direct: str
    nginx: str
    experiment: str


def nginx_config(folder: Path, port: int, upstream: int) -> str:
    """deploy/nginx.conf as written, on loopback ports, with its files in ``folder``."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    text = text.replace("server web:8000 ", f"server 127.0.0.1:{upstream} ")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    temp = "".join(f"    {name}_temp_path {folder}/{name};\n" for name in TEMP_PATHS)
    return text.replace("http {\n", "http {\n" + temp, 1)


def start_nginx(folder: Path, processes: Processes, upstream: int) -> str:
    """nginx with deploy/nginx.conf in front of the server on ``upstream``; its URL."""
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(nginx_config(folder, port, upstream), encoding="utf-8")
    args = [nginx_binary(), "-c", str(config), "-p", f"{folder}/", "-e", str(folder / "error.log")]
    nginx = processes.start([*args, "-g", f"daemon off; pid {folder}/nginx.pid;"], {}, folder)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: answers(url, nginx), timeout=30, interval=0.2)
    return url


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The server, nginx and an experiment, shared by the module's tests."""
    processes = Processes()
    try:
        pluto = prepared(tmp_path_factory.mktemp("slow-clients"), processes)
        port = free_port()
        args = ["serve", "--no-migrate", "--no-worker", "--port", str(port)]
        options = ["--processes", "1", "--threads", str(THREADS)]
        server = processes.start([str(PLUTO), *args, *options], pluto.env, pluto.home)
        pluto.url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(pluto.url, server), timeout=60, interval=0.2)
        nginx = start_nginx(tmp_path_factory.mktemp("nginx"), processes, port)
        yield Served(pluto, pluto.url, nginx, new_experiment(pluto))
    finally:
        processes.stop_all()


def new_experiment(pluto: Pluto) -> str:
    """An experiment of a new project; its id."""
    project = pluto.call("POST", "projects/", json={"name": "Slow uploads"}).json()
    body = {"project": project["pluto_id"], "name": "Scans", "type": "rnaseq"}
    fields = {"organism": "human", "assay_data_units": "raw_counts"}
    made = pluto.call("POST", "experiments/", json={**body, **fields})
    assert made.status_code == 201, made.text
    return str(made.json()["pluto_id"])


def session_path(served: Served) -> str:
    """The path (and signed query) of a new upload session's URL."""
    body = {
        "filename": "scan.pdf",
        "data_type": "attachment",
        "file_type": ".pdf",
        "file_size": FILE_SIZE,
    }
    made = served.pluto.call("POST", f"experiments/{served.experiment}/upload-sessions/", json=body)
    assert made.status_code == 201, made.text
    url = urlsplit(made.json()["session_url"])
    return f"{url.path}?{url.query}"


class SlowUpload:
    """The first chunk of an upload session, sent a byte at first and the rest only when
    :meth:`finish` is called, as a client on a poor link dribbles it."""

    def __init__(self, base: str, path: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        head = (
            f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Content-Range: bytes 0-{CHUNK - 1}/{FILE_SIZE}\r\n"
            f"Content-Length: {CHUNK}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + b"A")

    def finish(self) -> str:
        """Send the rest of the chunk; the status line and headers of the answer."""
        self.sock.sendall(b"A" * (CHUNK - 1))
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := self.sock.recv(65536)):
            answer += chunk
        self.sock.close()
        return answer.split(b"\r\n\r\n")[0].decode()


def stored_whole(head: str) -> bool:
    """Whether an answer's head says the whole chunk was stored (308, ``Range`` to its end)."""
    lines = head.lower().split("\r\n")
    return lines[0].split()[1] == "308" and f"range: bytes=0-{CHUNK - 1}" in lines


def slow_uploads(served: Served, base: str, count: int) -> list[SlowUpload]:
    """``count`` slow uploads to ``base``, given time to reach the server's threads."""
    uploads = [SlowUpload(base, session_path(served)) for _ in range(count)]
    time.sleep(1.0)
    return uploads


def health_answered_within(base: str, seconds: float) -> bool:
    """Whether ``base`` answers ``/health/`` within ``seconds``."""
    try:
        return requests.get(f"{base}/health/", timeout=seconds).status_code == 200
    except requests.Timeout:
        return False


def test_as_many_slow_uploads_as_threads_leave_other_requests_waiting(served: Served) -> None:
    uploads = slow_uploads(served, served.direct, THREADS)

    answered = health_answered_within(served.direct, WAITING_SECONDS)
    heads = [upload.finish() for upload in uploads]

    assert not answered, "a request was answered while slow uploads held every thread"
    assert all(stored_whole(head) for head in heads), heads
    assert health_answered_within(served.direct, 10)


def test_behind_nginx_slow_uploads_hold_no_thread(served: Served) -> None:
    uploads = slow_uploads(served, served.nginx, 3 * THREADS)

    health = health_answered_within(served.nginx, WAITING_SECONDS)
    me = served.pluto.call("GET", "me/", url=served.nginx)
    heads = [upload.finish() for upload in uploads]

    assert health, "nginx passed a slow upload on before its body had arrived"
    assert me.status_code == 200
    assert all(stored_whole(head) for head in heads), heads
