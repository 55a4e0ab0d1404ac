"""Resumable uploads under S3: every chunk is an object in the store, assembled at the end."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.test import Client

from pluto.server.config import StorageConfig
from pluto.server.files.cleanup import remove_stray_staging_files
from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from tests.conftest import Caller
from tests.files.conftest import probe, put_bytes, put_chunk, start_upload
from tests.s3_server import S3Server
from tests.storage.conftest import bucket_keys

CONTENT = os.urandom(300_000)


def local_staging_files() -> list[Path]:
    return list((Path(settings.DATA_DIR) / "uploads").glob("*"))


def test_chunks_wait_in_the_store_and_complete_with_the_right_sha256(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    before = set(local_staging_files())
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    first = put_chunk(url, CONTENT, 0, 99_999)
    second = put_chunk(url, CONTENT, 100_000, 199_999)
    waiting = bucket_keys(s3_server, s3_settings, "uploads/")
    last = put_chunk(url, CONTENT, 200_000, len(CONTENT) - 1)

    assert (first.status_code, second.status_code, last.status_code) == (308, 308, 200)
    assert sorted(waiting.values()) == [100_000, 100_000]
    assert set(local_staging_files()) == before
    stored = ExperimentFile.objects.get(uuid=last.json()["uuid"])
    assert stored.sha256 == hashlib.sha256(CONTENT).hexdigest()
    assert bucket_keys(s3_server, s3_settings) == {stored.storage_key: len(CONTENT)}
    with get_storage().open(stored.storage_key) as handle:
        assert handle.read() == CONTENT


def test_a_chunk_may_arrive_at_another_node(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    """Each node has its own processes and data directory; only the store is shared."""
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 149_999)
    get_storage.cache_clear()  # another process: nothing carried over in memory
    other_node = Client()

    asked = probe(url, client=other_node)
    rest = put_bytes(
        url, CONTENT[150_000:], f"bytes 150000-{len(CONTENT) - 1}/{len(CONTENT)}", other_node
    )

    assert asked["Range"] == "bytes=0-149999"
    assert rest.status_code == 200
    stored = ExperimentFile.objects.get(uuid=rest.json()["uuid"])
    assert stored.sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_a_short_chunk_leaves_nothing_in_the_store(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    short = put_bytes(url, CONTENT[:500], f"bytes 0-999/{len(CONTENT)}")
    asked = probe(url)

    assert short.status_code == 400
    assert "Content-Range announces 1000" in short.json()["message"]
    assert "Range" not in asked
    assert bucket_keys(s3_server, s3_settings) == {}


def test_a_chunk_that_skips_bytes_is_refused_with_where_to_resume(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 999)

    skipped = put_chunk(url, CONTENT, 2000, 2999)

    assert skipped.status_code == 400
    assert skipped.json()["details"]["resume_from"] == 1000


def test_completing_before_every_byte_arrived_names_the_missing_bytes(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    data = start_upload(ada, experiment, CONTENT).data
    put_chunk(data["session_url"], CONTENT, 0, 999)

    early = ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/upload-sessions/{data['uuid']}/complete/",
    )

    assert early.status_code == 400
    assert early.data["details"]["missing_bytes"] == len(CONTENT) - 1000


def test_an_empty_file_completes_as_an_empty_object(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, b"").data["session_url"]

    done = probe(url, total="0")

    assert done.status_code == 200
    stored = ExperimentFile.objects.get(uuid=done.json()["uuid"])
    assert get_storage().size(stored.storage_key) == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()


def test_chunks_no_session_owns_are_removed_from_the_store(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 999)
    get_storage().put("uploads/0b5e2c1e-0000-4000-8000-000000000000.part/0", b"left over")

    removed = remove_stray_staging_files()

    assert removed == ["Removed stray staging file 0b5e2c1e-0000-4000-8000-000000000000.part."]
    assert list(bucket_keys(s3_server, s3_settings, "uploads/").values()) == [1000]


def test_a_chunk_larger_than_one_s3_part_is_stored_whole(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    big = os.urandom(9 * 1024 * 1024 + 17)  # above the 8 MiB multipart threshold
    url = start_upload(ada, experiment, big).data["session_url"]

    done = put_chunk(url, big, 0, len(big) - 1)

    assert done.status_code == 200
    stored = ExperimentFile.objects.get(uuid=done.json()["uuid"])
    assert stored.sha256 == hashlib.sha256(big).hexdigest()
    assert bucket_keys(s3_server, s3_settings) == {stored.storage_key: len(big)}


def test_a_large_chunk_cut_short_leaves_nothing_in_the_store(
    s3_server: S3Server, s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    big = os.urandom(9 * 1024 * 1024)
    url = start_upload(ada, experiment, big + b"tail").data["session_url"]

    short = put_bytes(url, big, f"bytes 0-{len(big) + 3}/{len(big) + 4}")

    assert short.status_code == 400
    assert bucket_keys(s3_server, s3_settings) == {}
