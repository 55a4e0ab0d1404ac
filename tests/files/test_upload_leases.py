"""The write lease of a resumable upload: held by a live process while it copies a chunk,
never blocking the next writer once that process is gone or has stopped renewing it."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from pluto.server.files.models import UploadSession
from pluto.server.lab.models import Experiment
from pluto.server.lifeline import process_name
from tests.conftest import Caller
from tests.files.conftest import probe, put_chunk, start_upload

CONTENT = b"ACGT" * 1000
ELSEWHERE = "another-machine:4242:987654"


@pytest.fixture
def holder() -> Iterator[subprocess.Popen[bytes]]:
    """A real process on this machine, to hold a lease; killed at the end."""
    process = subprocess.Popen(["sleep", "300"])
    yield process
    process.kill()
    process.wait()


def hold_lease(writer: str, seconds: float = 20) -> None:
    """Record a lease held by ``writer`` for ``seconds`` more, as a writing request does."""
    UploadSession.objects.update(
        writer=writer, writing_until=timezone.now() + timedelta(seconds=seconds)
    )


def test_a_lease_of_a_killed_process_does_not_block_the_next_chunk(
    ada: Caller, experiment: Experiment, holder: subprocess.Popen[bytes]
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    hold_lease(process_name(holder.pid))
    while_alive = put_chunk(url, CONTENT, 0, 999)

    holder.kill()
    holder.wait()
    after_kill = put_chunk(url, CONTENT, 0, 999)

    assert while_alive.status_code == 409
    assert after_kill.status_code == 308, after_kill.content
    assert after_kill["Range"] == "bytes=0-999"
    assert UploadSession.objects.get().writer == ""


def test_a_lease_of_another_machine_blocks_until_it_is_no_longer_renewed(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    hold_lease(ELSEWHERE, seconds=20)
    blocked = put_chunk(url, CONTENT, 0, 999)

    hold_lease(ELSEWHERE, seconds=-1)
    after_expiry = put_chunk(url, CONTENT, 0, 999)

    assert blocked.status_code == 409
    assert after_expiry.status_code == 308
    assert socket.gethostname() not in ELSEWHERE


def test_a_probe_never_waits_on_a_lease(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 999)
    hold_lease(ELSEWHERE)

    asked = probe(url, total=str(len(CONTENT)))

    assert asked.status_code == 308
    assert asked["Range"] == "bytes=0-999"
    assert UploadSession.objects.get().writer == ELSEWHERE  # the writer keeps its lease


def test_the_lease_is_given_back_after_every_chunk(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    put_chunk(url, CONTENT, 0, 999)
    session = UploadSession.objects.get()

    assert session.writer == "" and session.writing_until is None
