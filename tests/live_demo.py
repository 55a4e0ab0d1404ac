"""A real Pluto server with the demo data, for tests that run R, shell or Python scripts at it.

``live_demo(folder)`` runs ``pluto migrate`` and ``pluto demo`` in a fresh data directory,
creates an API token for the demo account and starts ``pluto serve`` on a free port, as a
newcomer would; the server is stopped when the ``with`` block ends.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEMO_EMAIL = "demo@pluto.local"
DEMO_EXPERIMENT = "PLX140206"
DEMO_PROJECT = "PLXP00286"
DEMO_PLOT = "386b3bbf-fc86-4071-88c2-6340634cdc62"
START_TIMEOUT = 60
R_MISSING = (
    "Rscript is not installed, and Pluto's R client cannot be tested without it. "
    "Install R with scripts/install-r as root (make test does), or with "
    "apt-get install r-base-core r-cran-httr r-cran-jsonlite r-cran-rjson."
)


@dataclass
class LiveDemo:
    """A running demo server: its URL, an API token of the demo account, its environment."""

    url: str
    token: str
    data_dir: Path
    server_env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def client_env(self, work: Path) -> dict[str, str]:
        """The environment of a user's script: the server's URL and token, nothing else of Pluto's.

        The server's own settings stay in, so administrator commands such as
        ``pluto token create`` reach the same database.
        """
        return {
            **self.server_env,
            "PLUTO_API_URL": self.url,
            "PLUTO_API_TOKEN": self.token,
            "PLUTO_CONFIG_DIR": str(work / "config"),
            "HOME": str(work),
        }


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(data_dir: Path) -> dict[str, str]:
    """This process's environment without its Pluto and Django settings, on a fresh data dir.

    The database is always a SQLite file in the data directory: during the PostgreSQL pass
    ``PLUTO_DATABASE_URL`` points at the suite's database, which these processes must not share.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env["PLUTO_DATA_DIR"] = str(data_dir)
    env["PLUTO_DATABASE_URL"] = f"sqlite:///{data_dir / 'db.sqlite3'}"
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def pluto(args: list[str], env: dict[str, str]) -> str:
    """Run a ``pluto`` command; its standard output (a failure fails the test with its output)."""
    done = subprocess.run(
        [str(BIN / "pluto"), *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=180
    )
    if done.returncode != 0:
        pytest.fail(f"pluto {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Return once the server answers; fail with its log if it dies or takes too long."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pluto serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{url}/sdk/pluto.R", timeout=2).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or still starting
            pass
        time.sleep(0.2)
    pytest.fail(f"pluto serve did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started (it leads its own process group)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def live_demo(folder: Path) -> Iterator[LiveDemo]:
    """Set up the demo in ``folder`` and serve it until the block ends."""
    data_dir = folder / "data"
    env = server_environment(data_dir)
    pluto(["migrate"], env)
    pluto(["demo", "--no-pipelines"], env)
    token = pluto(["token", "create", "--user", DEMO_EMAIL, "--name", "scripts"], env).strip()
    port = free_port()
    log = folder / "serve.log"
    args = ["serve", "--no-worker", "--no-migrate", "--workers", "1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "pluto"), *args],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield LiveDemo(url, token, data_dir, env, log, process)
    finally:
        stop(process)


def rscript() -> str:
    """The path of ``Rscript``; the test fails (never skips) when R is missing."""
    path = shutil.which("Rscript")
    if path is None:
        pytest.fail(R_MISSING, pytrace=False)
    return path
