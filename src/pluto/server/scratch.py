"""The data directory's temporary folder, and the removal of what crashed requests left there.

Uploads are spooled, parsed and converted in this folder (a small system ``/tmp`` would fill
up), in one folder per piece of work named ``<prefix><pid>-<random>`` after the process doing
it; the folder is removed when the work ends, however it fails. Only a process that dies
mid-request (killed, out of memory) leaves files behind. ``pluto cleanup`` removes a folder
whose process is gone at once, and any entry nothing has written to for
``PLUTO_TEMP_FILE_MAX_AGE`` seconds (older than any live request could be).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from pluto.server.lifeline import start_time

UPLOAD_PREFIX = "table-upload-"
EXPORT_PREFIX = "table-export-"
OWNER = re.compile(r"^[a-z-]+-(\d+)-")


def work_directory() -> Path:
    """The temporary folder inside the data directory."""
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A new folder ``<prefix><pid>-<random>`` in the work directory, removed afterwards."""
    name = f"{prefix}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=name, dir=work_directory()) as folder:
        yield Path(folder)


def owner_is_gone(entry: Path) -> bool:
    """Whether the entry was made by a process of this machine that no longer runs."""
    found = OWNER.match(entry.name)
    return found is not None and start_time(int(found.group(1))) is None


def last_written(entry: Path) -> float:
    """When anything in ``entry`` (a file, or a folder and everything in it) last changed."""
    newest = entry.lstat().st_mtime
    if entry.is_dir() and not entry.is_symlink():
        for inner in entry.rglob("*"):
            newest = max(newest, inner.lstat().st_mtime)
    return newest


def remove_leftovers(now: float | None = None) -> list[str]:
    """Delete temporary files and folders untouched for longer than a live request could be;
    one line per entry removed."""
    cutoff = (now or time.time()) - settings.TEMP_FILE_MAX_AGE
    removed = []
    for entry in sorted(work_directory().iterdir()):
        try:
            if not owner_is_gone(entry) and last_written(entry) >= cutoff:
                continue
            size = disk_usage(entry)
            remove(entry)
        except FileNotFoundError:  # its own request removed it meanwhile
            continue
        removed.append(f"Removed temporary {entry.name} ({size} bytes) left by a stopped process.")
    return removed


def disk_usage(entry: Path) -> int:
    """The bytes an entry holds."""
    if entry.is_dir() and not entry.is_symlink():
        return sum(inner.lstat().st_size for inner in entry.rglob("*"))
    return entry.lstat().st_size


def remove(entry: Path) -> None:
    """Delete a file or a whole folder."""
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry)
    else:
        entry.unlink()
