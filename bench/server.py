"""A real ``pluto serve`` in a temporary data directory, with the demo and an API token.

The server runs one web process; the pid that process logs as serving is the process whose
memory the benchmarks read.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

PLUTO = Path(sys.executable).parent / "pluto"
DEMO_EMAIL = "demo@pluto.local"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0
SERVING_PID = re.compile(r"Web process \[(\d+)\] serving")


@dataclass(frozen=True)
class RunningServer:
    """A started server: where it answers, the demo user's token, and its serving pid."""

    url: str
    token: str
    pid: int
    data_dir: Path

    def api(self, path: str) -> str:
        """The absolute URL of an API path such as ``lab/experiments/``."""
        return f"{self.url}/{path.lstrip('/')}"

    def session(self) -> requests.Session:
        """A session that sends the demo user's token with every request."""
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        return session


# Requests are still counted (that write is part of a request's cost), but never refused:
# the servers of one run share the counts (they live in the database), so a load run's
# thousands of requests would otherwise throttle the benchmarks after it.
UNREACHED_RATE = "100000000/minute"
RATE_LIMITS_UNREACHED = {
    "PLUTO_API_RATE_PER_KEY": UNREACHED_RATE,
    "PLUTO_API_RATE_PER_ADDRESS": UNREACHED_RATE,
}


def server_environment(data_dir: Path) -> dict[str, str]:
    """Our environment without Pluto settings, plus the data directory (and database, if
    set), with rate limits no benchmark reaches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env |= RATE_LIMITS_UNREACHED
    env["PLUTO_DATA_DIR"] = str(data_dir)
    if os.environ.get("PLUTO_DATABASE_URL"):
        env["PLUTO_DATABASE_URL"] = os.environ["PLUTO_DATABASE_URL"]
    return env


def pluto(args: list[str], env: dict[str, str]) -> str:
    """Run a ``pluto`` command to completion; its standard output."""
    done = subprocess.run(
        [str(PLUTO), *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pluto {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, create the demo, and make a token for the demo user; the token's key.

    The FASTQ demos are left out: the pipeline benchmarks add references and reads of
    their own, and running the demo's pipelines would only delay every benchmark."""
    pluto(["migrate"], env)
    pluto(["demo", "--no-pipelines"], env)
    created = pluto(["token", "create", "--user", DEMO_EMAIL, "--name", "bench"], env)
    return created.strip().splitlines()[0]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, token: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until the server answers an authenticated request (or fail with its log)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pluto serve exited early:\n{log.read_text()}")
        try:
            answer = requests.get(f"{url}/lab/me/", headers={"Authorization": f"Token {token}"})
            if answer.status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still starting
            pass
        time.sleep(0.2)
    waited = f"{START_TIMEOUT:.0f} s"
    raise RuntimeError(f"pluto serve did not answer within {waited}:\n{log.read_text()}")


def serving_pid(log: Path, started: int) -> int:
    """The pid the web process logs as serving; the started process when it logs none."""
    found = SERVING_PID.search(log.read_text())
    return int(found.group(1)) if found else started


def child_pids(pid: int) -> list[int]:
    """The processes a process started (per ``/proc/<pid>/task/*/children``)."""
    children: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children += [int(child) for child in listing.read_text().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return children


def descendant_pids(pid: int) -> list[int]:
    """Every process below ``pid``: the server starts an analysis worker beside itself."""
    children = child_pids(pid)
    return children + [grandchild for child in children for grandchild in descendant_pids(child)]


def still_pluto(pid: int) -> bool:
    """Whether ``pid`` is still a Pluto process (and not a new process that reused the id)."""
    try:
        return b"pluto" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server (kill it when it does not stop in time), then anything it left."""
    leftovers = descendant_pids(process.pid)
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    end_leftovers(leftovers)


def end_leftovers(pids: list[int]) -> None:
    """Terminate processes the server should have stopped itself; kill them if they linger."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        alive = [pid for pid in pids if still_pluto(pid)]
        for pid in alive:
            os.kill(pid, sig)
        deadline = time.monotonic() + STOP_TIMEOUT / 4
        while alive and time.monotonic() < deadline:
            alive = [pid for pid in alive if still_pluto(pid)]
            time.sleep(0.1)


@contextmanager
def running_server() -> Iterator[RunningServer]:
    """A prepared ``pluto serve --workers 1`` on a free port, stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="pluto-bench-") as folder:
        data_dir = Path(folder) / "var"
        env = server_environment(data_dir)
        token = prepare(env)
        port, log = free_port(), Path(folder) / "serve.log"
        args = ["serve", "--workers", "1", "--no-migrate", "--port", str(port)]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(PLUTO), *args], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_serving(url, token, process, log)
            yield RunningServer(url, token, serving_pid(log, process.pid), data_dir)
        finally:
            stop(process)
