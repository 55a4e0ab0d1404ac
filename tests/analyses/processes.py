"""Pluto's commands as real processes on a data directory of their own: ``pluto serve``,
``pluto worker`` and one-off commands, each started in a session of its own and killed at
the end of the test."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

PLUTO = Path(sys.executable).parent / "pluto"
LOG_NUMBERS = itertools.count(1)
JOB_ENV = {"PLUTO_JOB_HEARTBEAT_SECONDS": "1", "PLUTO_JOB_TIMEOUT_SECONDS": "3"}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(check: Callable[[], Any], timeout: float, interval: float = 0.1) -> Any:
    """Poll ``check`` until it returns something true; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"gave up after {timeout} s waiting for {check}")


@dataclass
class Processes:
    """Every process a test starts, each in a session of its own, all killed at the end."""

    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    strays: list[int] = field(default_factory=list)

    def start(self, args: list[str], env: dict[str, str], home: Path) -> subprocess.Popen[bytes]:
        """Start ``args`` in a new session, its output to a log file in ``home``."""
        log = (home / f"{Path(args[0]).name}-{args[1]}-{next(LOG_NUMBERS)}.log").open("wb")
        process = subprocess.Popen(
            args, env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the process's group and the sessions of its children; reap it."""
        for child in children_of(process.pid):
            signal_group(child, signal.SIGKILL)
        signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def kill_group_only(self, process: subprocess.Popen[bytes]) -> list[int]:
        """SIGKILL the process's own group, as a crash or ``kill -9`` would; its children
        (each in a session of its own) are left alone but killed at the end. Their pids."""
        children = children_of(process.pid)
        self.strays.extend(children)
        signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        return children

    def stop_all(self) -> None:
        """Ask politely, then kill whatever is left."""
        for process in self.started:
            if process.poll() is None:
                signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        for process in self.started:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.started:
            self.kill(process)
        for pid in self.strays:
            signal_group(pid, signal.SIGKILL)


def signal_group(pid: int, sig: signal.Signals) -> None:
    """Send ``sig`` to the process group ``pid`` leads, if it still exists."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


@dataclass
class Pluto:
    """A data directory with a user and token, and the processes started on it."""

    home: Path
    env: dict[str, str]
    key: str
    processes: Processes
    url: str = ""

    def run(self, *args: str, stdin: str = "") -> str:
        """Run a ``pluto`` command to completion; its standard output."""
        done = subprocess.run(
            [str(PLUTO), *args],
            input=stdin,
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def serve(self, with_worker: bool = False, **env: str) -> str:
        """Start ``pluto serve`` (``--no-worker`` unless ``with_worker``) on a free port; its
        base URL once it answers."""
        return self.start_server(with_worker, **env)[0]

    def start_server(
        self, with_worker: bool = False, **env: str
    ) -> tuple[str, subprocess.Popen[bytes]]:
        """Start ``pluto serve`` on a free port; its base URL and process once it answers."""
        port = free_port()
        args = [str(PLUTO), "serve", "--no-migrate", "--workers", "1", "--port", str(port)]
        if not with_worker:
            args.append("--no-worker")
        process = self.processes.start(args, {**self.env, **JOB_ENV, **env}, self.home)
        url = f"http://127.0.0.1:{port}"
        wait_for(lambda: answers(url, process), timeout=30)
        return url, process

    def worker(self, *options: str, **env: str) -> subprocess.Popen[bytes]:
        """Start ``pluto worker`` with ``options`` (heartbeat 1 s, timeout 3 s) in a session
        of its own."""
        args = [str(PLUTO), "worker", "--poll", "0.2", *options]
        return self.processes.start(args, {**self.env, **JOB_ENV, **env}, self.home)

    def logs(self) -> str:
        """The output of every process started on this data directory, for failure reports."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.home.glob("*.log"))
        )

    def call(self, method: str, path: str, url: str = "", **kwargs: Any) -> requests.Response:
        """An API request with the token."""
        headers = {"Authorization": f"Token {self.key}", **kwargs.pop("headers", {})}
        return requests.request(
            method, f"{url or self.url}/lab/{path}", headers=headers, timeout=30, **kwargs
        )


EMAIL = "ada@example.org"
PASSWORD = "correct horse battery staple 42"


def prepared(home: Path, processes: Processes) -> Pluto:
    """A migrated data directory in ``home`` with ada and her token."""
    setup = Pluto(home, environment(home), "", processes)
    setup.run("migrate")
    names = ["--first-name", "Ada", "--last-name", "Lovelace"]
    setup.run("user", "create", "--email", EMAIL, *names, "--password-stdin", stdin=PASSWORD + "\n")
    setup.key = setup.run("token", "create", "--user", EMAIL, "--name", "tests").strip()
    return setup


def answers(url: str, process: subprocess.Popen[bytes]) -> bool:
    """Whether the server answers yet (and has not died)."""
    assert process.poll() is None, "the server process ended"
    try:
        requests.get(f"{url}/lab/me/", timeout=5)
    except (requests.ConnectionError, requests.Timeout):
        return False
    return True


def environment(home: Path) -> dict[str, str]:
    """A clean environment on ``home``; SQLite there even when the suite uses PostgreSQL,
    so the processes and nothing else share the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUTO_", "DJANGO_"))}
    env["PLUTO_DATA_DIR"] = str(home / "data")
    if "PLUTO_DATABASE_URL" in os.environ:
        env["PLUTO_DATABASE_URL"] = f"sqlite:///{home / 'db.sqlite3'}"
    return env
