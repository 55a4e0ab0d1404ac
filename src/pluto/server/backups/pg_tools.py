"""PostgreSQL databases dumped with ``pg_dump`` (custom format) and loaded with ``pg_restore``.

``pg_dump`` reads one transaction snapshot, so the dump is consistent while the server writes.
The password travels in ``PGPASSWORD``, never on a command line other users can read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from pluto.server.errors import InvalidInput


def connection_arguments(database: dict[str, Any]) -> list[str]:
    """``pg_dump``/``pg_restore`` options naming the database of Django's settings."""
    options = [("--host", database.get("HOST")), ("--port", database.get("PORT"))]
    options += [("--username", database.get("USER")), ("--dbname", database["NAME"])]
    return [f"{flag}={value}" for flag, value in options if value]


def run_tool(name: str, arguments: list[str], database: dict[str, Any]) -> None:
    """Run a PostgreSQL client program; its error output becomes a clear error."""
    program = shutil.which(name)
    if program is None:
        raise InvalidInput(
            f"{name} is not installed; a PostgreSQL backup needs PostgreSQL's client programs "
            "(apt-get install postgresql-client), of the server's version or newer."
        )
    env = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    done = subprocess.run(
        [program, *arguments, *connection_arguments(database)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise InvalidInput(f"{name} failed (exit {done.returncode}): {done.stderr.strip()}")


def dump_postgres(database: dict[str, Any], target: Path) -> None:
    """Dump the database into ``target`` in ``pg_dump``'s custom format."""
    run_tool("pg_dump", ["--format=custom", f"--file={target}"], database)


def restore_postgres(database: dict[str, Any], source: Path) -> None:
    """Load a custom-format dump into the (empty) database, all of it or nothing."""
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    run_tool("pg_restore", [*options, str(source)], database)
