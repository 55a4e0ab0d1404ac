"""Pluto installations of a test's own: a data directory and, on the PostgreSQL pass, an
empty database of their own on the suite's server (``scripts/with-postgres``)."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.live_demo import BIN, REPO, free_port, server_environment, stop, wait_until_up

SUITE_DATABASE = os.environ.get("PLUTO_DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE.startswith(("postgres://", "postgresql://"))


@dataclass
class Installation:
    """Where one installation keeps its data, and the environment its commands run in."""

    data_dir: Path
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``pluto ARGS`` against this installation."""
        return subprocess.run(
            [str(BIN / "pluto"), *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
        )


def admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    """A connection to the suite's PostgreSQL server, outside any transaction."""
    return psycopg.connect(
        SUITE_DATABASE.replace("postgres://", "postgresql://", 1), autocommit=True
    )


@contextmanager
def empty_database() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped when the block ends."""
    name = f"pluto_backup_{uuid.uuid4().hex[:12]}"
    with admin_connection() as db:
        db.execute(f"CREATE DATABASE {name}")
    try:
        yield SUITE_DATABASE.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin_connection() as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@contextmanager
def new_installation(folder: Path) -> Iterator[Installation]:
    """An empty installation in ``folder``: SQLite in its data directory, or its own
    PostgreSQL database on the PostgreSQL pass."""
    data_dir = folder / "data"
    env = server_environment(data_dir)
    if not ON_POSTGRES:
        yield Installation(data_dir, env)
        return
    with empty_database() as url:
        yield Installation(data_dir, {**env, "PLUTO_DATABASE_URL": url})


@contextmanager
def serving(installation: Installation, log: Path) -> Iterator[str]:
    """``pluto serve`` on the installation until the block ends; its URL."""
    port = free_port()
    args = ["serve", "--no-worker", "--no-migrate", "--workers", "1", "--port", str(port)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "pluto"), *args],
            env=installation.env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, log)
        yield url
    finally:
        stop(process)
