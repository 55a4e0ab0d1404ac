"""Where table uploads and exports keep their temporary files, under names a cleanup knows.

Everything is written inside ``<PLUTO_DATA_DIR>/tmp`` (a small system ``/tmp`` would fill
up), in one folder per piece of work, named ``table-upload-<pid>-<random>`` for an upload
(the received body, then the staged and final Parquet files and the id checks' files)
and ``table-export-<pid>-<random>`` for an export being written; ``<pid>`` is the process
doing the work. The folder is removed when the work ends, whether it succeeded or failed;
only a process that was killed leaves one behind. Files in a folder in use are written as
the work goes on, so the newest modification time of anything inside a folder says when
it was last used.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

UPLOAD_PREFIX = "table-upload-"
EXPORT_PREFIX = "table-export-"


def work_directory() -> Path:
    """Where temporary files are written (inside the data directory, not a small /tmp)."""
    path = Path(settings.DATA_DIR) / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A new folder ``<prefix><pid>-<random>`` in the work directory, removed afterwards."""
    name = f"{prefix}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=name, dir=work_directory()) as folder:
        yield Path(folder)
