"""``pluto cleanup`` and the server's hourly run: expired unfinished uploads go, nothing else."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.utils import timezone

from pluto.cli.files_commands import cleanup_command, start_periodic_cleanup
from pluto.server.files.models import ExperimentFile, UploadSession
from pluto.server.files.sessions import staged_bytes
from pluto.server.files.staging import staging_dir
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.files.conftest import put_chunk, start_upload, upload

CONTENT = b"ACGT" * 1000


def half_upload(caller: Caller, experiment: Experiment, filename: str) -> UploadSession:
    """A session with its first 1000 bytes stored."""
    data = start_upload(caller, experiment, CONTENT, filename=filename).data
    put_chunk(data["session_url"], CONTENT, 0, 999)
    return UploadSession.objects.get(uuid=data["uuid"])


def expire(session: UploadSession) -> None:
    UploadSession.objects.filter(pk=session.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )


def test_cleanup_removes_expired_sessions_and_their_staging_files(
    ada: Caller, experiment: Experiment
) -> None:
    stale = half_upload(ada, experiment, "stale.fastq")
    fresh = half_upload(ada, experiment, "fresh.fastq")
    finished = upload(ada, experiment, CONTENT, filename="done.fastq")
    expire(stale)
    UploadSession.objects.filter(file__uuid=finished["uuid"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    result = CliRunner().invoke(cleanup_command)

    assert result.exit_code == 0, result.output
    assert f"Removed expired upload {stale.uuid} of 'stale.fastq'" in result.output
    assert "1000 of 4000 bytes" in result.output
    assert not UploadSession.objects.filter(pk=stale.pk).exists()
    assert not ExperimentFile.objects.filter(pk=stale.file_id).exists()
    assert staged_bytes(stale) == 0
    assert staged_bytes(fresh) == 1000
    assert UploadSession.objects.filter(pk=fresh.pk).exists()
    assert ExperimentFile.objects.filter(uuid=finished["uuid"]).exists()


@pytest.mark.local_storage
def test_cleanup_removes_staging_files_no_session_owns(ada: Caller, experiment: Experiment) -> None:
    kept = half_upload(ada, experiment, "kept.fastq")
    stray = staging_dir() / "0b5e2c1e-0000-4000-8000-000000000000.part"
    stray.write_bytes(b"left behind")

    result = CliRunner().invoke(cleanup_command)

    assert f"Removed stray staging file {stray.name}." in result.output
    assert not stray.exists()
    assert staged_bytes(kept) == 1000


def test_cleanup_leaves_a_session_that_is_being_written(
    ada: Caller, experiment: Experiment
) -> None:
    busy = half_upload(ada, experiment, "busy.fastq")
    expire(busy)
    UploadSession.objects.filter(pk=busy.pk).update(
        writing_until=timezone.now() + timedelta(minutes=5)
    )

    result = CliRunner().invoke(cleanup_command)

    assert "busy.fastq" not in result.output
    assert staged_bytes(busy) == 1000


@pytest.mark.django_db(transaction=True)
def test_the_server_runs_cleanup_when_it_starts(ada: Caller, experiment: Experiment) -> None:
    stale = half_upload(ada, experiment, "stale.fastq")
    expire(stale)

    stop = start_periodic_cleanup()
    try:
        deadline = time.monotonic() + 30
        while UploadSession.objects.filter(pk=stale.pk).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        for thread in threading.enumerate():
            if thread.name == "pluto-cleanup":
                thread.join(timeout=10)

    assert not UploadSession.objects.filter(pk=stale.pk).exists()
    assert staged_bytes(stale) == 0
