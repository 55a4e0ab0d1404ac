"""The data directory's temporary folder, and the removal of what crashed requests left there.

Uploads are spooled, parsed and converted in this folder; a request removes its own files when
it ends, however it fails. Only a process that dies mid-request (killed, out of memory) leaves
files behind, and nothing alive writes to those any more: an entry nothing has written to for
``PLUTO_TEMP_FILE_MAX_AGE`` seconds is older than any live request could be.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.conf import settings


def scratch_dir() -> Path:
    """The temporary folder inside the data directory (not a small system /tmp)."""
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


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
    for entry in sorted(scratch_dir().iterdir()):
        try:
            if last_written(entry) >= cutoff:
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
