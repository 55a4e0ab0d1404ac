"""Resumable uploads against a session URL that drops connections and fails chunks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import pluto
from pluto.client.client import Client
from tests.client.fake_server import FakePluto, Received, Reply, UploadTarget

SESSIONS = "/lab/experiments/PLX140206/upload-sessions/"
SESSION_URL_PATH = "/uploads/s1/"
CHUNK = 1000


def prepare(
    fake: FakePluto, tmp_path: Path, size: int, **failures: Any
) -> tuple[Path, UploadTarget]:
    """A local file of ``size`` random bytes and a fake session ready to receive it."""
    path = tmp_path / "reads.bin"
    path.write_bytes(os.urandom(size))
    target = UploadTarget(size, **failures)

    def open_session(request: Received) -> Reply:
        body = {"uuid": "s1", "session_url": fake.url + SESSION_URL_PATH, "file_size": size}
        return Reply(201, body)

    fake.route("POST", SESSIONS, open_session)
    fake.route("PUT", SESSION_URL_PATH, target)
    return path, target


def chunk_puts(fake: FakePluto) -> list[Received]:
    """The PUTs that carried bytes (not probes)."""
    return [r for r in fake.requests_to(SESSION_URL_PATH) if r.body]


def test_a_file_goes_up_in_chunks_without_the_token(
    fake: FakePluto, fake_client: Client, tmp_path: Path
) -> None:
    path, target = prepare(fake, tmp_path, 3500)

    uploaded = fake_client.upload_file("PLX140206", path, chunk_size=CHUNK, progress=False)

    assert uploaded.uuid == "f1"
    assert bytes(target.stored) == path.read_bytes()
    assert [r.header("Content-Range") for r in chunk_puts(fake)] == [
        "bytes 0-999/3500",
        "bytes 1000-1999/3500",
        "bytes 2000-2999/3500",
        "bytes 3000-3499/3500",
    ]
    assert all(r.header("Authorization") is None for r in fake.requests_to(SESSION_URL_PATH))
    session_request = fake.requests_to(SESSIONS)[0]
    assert session_request.header("Authorization") is not None
    assert b'"file_size": 3500' in session_request.body


def test_after_a_dropped_connection_the_upload_resumes_from_the_stored_range(
    fake: FakePluto, fake_client: Client, tmp_path: Path
) -> None:
    path, target = prepare(fake, tmp_path, 3500, drop_after_storing={2})

    fake_client.upload_file("PLX140206", path, chunk_size=CHUNK, progress=False)

    assert bytes(target.stored) == path.read_bytes()
    # The second chunk arrived before the connection dropped: it is not sent again.
    assert sum(len(r.body) for r in chunk_puts(fake)) == 3500


def test_a_chunk_refused_with_503_is_sent_again(
    fake: FakePluto, fake_client: Client, tmp_path: Path
) -> None:
    path, target = prepare(fake, tmp_path, 2500, refuse={2})

    fake_client.upload_file("PLX140206", path, chunk_size=CHUNK, progress=False)

    assert bytes(target.stored) == path.read_bytes()
    assert [r.header("Content-Range") for r in chunk_puts(fake)][1:3] == [
        "bytes 1000-1999/2500",
        "bytes 1000-1999/2500",
    ]


def test_an_interrupted_session_resumes_where_the_server_stopped(
    fake: FakePluto, fake_client: Client, tmp_path: Path
) -> None:
    path, target = prepare(fake, tmp_path, 2500)
    session = fake_client.start_upload("PLX140206", path)
    target.stored.extend(path.read_bytes()[:1500])

    fake_client.resume_upload(session, path, chunk_size=CHUNK, progress=False)

    assert bytes(target.stored) == path.read_bytes()
    assert [r.header("Content-Range") for r in chunk_puts(fake)] == ["bytes 1500-2499/2500"]
    assert "session_url" not in repr(session)


def test_a_refused_upload_is_not_retried(
    fake: FakePluto, fake_client: Client, tmp_path: Path
) -> None:
    path, _ = prepare(fake, tmp_path, 100)
    refusal = {"code": "permission_denied", "message": "This upload link is not valid."}
    fake.script("PUT", SESSION_URL_PATH, Reply(308), Reply(403, refusal))

    with pytest.raises(pluto.PermissionDenied, match="not valid"):
        fake_client.upload_file("PLX140206", path, progress=False)

    assert len(chunk_puts(fake)) == 1
