"""Turns at writing the rate counts to a SQLite database, taken in the kernel.

Every API request writes its rate count (:mod:`.counting`). SQLite lets one writer in at a
time, and a writer that finds the database locked sleeps and tries again, for 1, 2, 5, 10
and up to 100 ms: under load a request can lose the race several times over while others
get in, and waits tens of milliseconds for a write of a tenth of one. Waiting on a lock file
instead (``flock``, one open file per thread, so threads of a process exclude each other
too) wakes the next writer as soon as the last one is done. PostgreSQL locks rows and needs
none of this.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db import connection

LOCK_SUFFIX = ".rate-writes.lock"
_open_files = threading.local()


def lock_path() -> Path | None:
    """The lock file beside the SQLite database, or None (PostgreSQL, or a database in
    memory, which only one process can reach)."""
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name + LOCK_SUFFIX)


def lock_file(path: Path) -> IO[bytes]:
    """This thread's open lock file at ``path``."""
    files: dict[Path, IO[bytes]] = _open_files.__dict__.setdefault("files", {})
    if path not in files:
        files[path] = path.open("ab")
    return files[path]


@contextmanager
def write_turn() -> Iterator[None]:
    """Hold the turn to write to the database's rate counts while the block runs."""
    path = lock_path()
    if path is None:
        yield
        return
    held = lock_file(path)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
