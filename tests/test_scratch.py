"""What a crashed request leaves in the data directory's temporary folder, and its removal by
``pluto cleanup`` once it is older than any live request could be."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from django.test import override_settings

from pluto.cli.files_commands import cleanup_command
from pluto.server.scratch import work_directory


def aged(path: Path, seconds: float) -> Path:
    """Set a file's (or folder's) modification time ``seconds`` into the past."""
    moment = time.time() - seconds
    os.utime(path, (moment, moment))
    return path


@pytest.mark.django_db
@override_settings(TEMP_FILE_MAX_AGE=3600)
def test_cleanup_removes_temporary_files_untouched_for_longer_than_the_limit() -> None:
    body = work_directory() / "tmp4f2a.upload.csv"
    body.write_bytes(b"gene_symbol,a\n" * 1000)
    aged(body, 7200)
    folder = work_directory() / "tmpx1y2"
    folder.mkdir()
    (folder / "table.parquet").write_bytes(b"PAR1")
    aged(folder / "table.parquet", 7200)
    aged(folder, 7200)
    busy = work_directory() / "tmpbusy"
    busy.mkdir()
    (busy / "part.parquet").write_bytes(b"PAR1")
    aged(busy, 7200)  # the folder is old, but a live request still writes inside it

    result = CliRunner().invoke(cleanup_command)

    assert result.exit_code == 0, result.output
    assert f"Removed temporary {body.name} (14000 bytes)" in result.output
    assert f"Removed temporary {folder.name} (4 bytes)" in result.output
    assert not body.exists() and not folder.exists()
    assert (busy / "part.parquet").exists()


@pytest.mark.django_db
def test_cleanup_removes_at_once_the_folders_of_a_process_that_is_gone() -> None:
    ended = subprocess.Popen(["true"])
    ended.wait()
    orphan = work_directory() / f"table-upload-{ended.pid}-k3j2"
    orphan.mkdir()
    (orphan / "upload").write_bytes(b"gene_symbol,a\n")
    ours = work_directory() / f"table-upload-{os.getpid()}-a9b8"
    ours.mkdir()

    result = CliRunner().invoke(cleanup_command)

    assert f"Removed temporary {orphan.name} (14 bytes)" in result.output
    assert not orphan.exists()
    assert ours.exists()
