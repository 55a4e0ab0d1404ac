"""The S3 backend against a real S3-compatible server: writes, reads, ranges, deletes."""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from pluto.server.config import StorageConfig
from pluto.server.errors import NotFound, PlutoError
from pluto.server.s3_storage import S3Storage
from tests.s3_server import S3Server, free_ports
from tests.storage.conftest import bucket_keys

CONTENT = bytes(range(256)) * 64  # 16 KiB


def test_a_put_object_reads_back_whole_with_its_size_and_sha256(s3_store: S3Storage) -> None:
    stored = s3_store.put("datasets/a.bin", CONTENT)

    with s3_store.open("datasets/a.bin") as handle:
        read = handle.read()

    assert read == CONTENT
    assert stored.size == len(CONTENT) == s3_store.size("datasets/a.bin")
    assert stored.sha256 == hashlib.sha256(CONTENT).hexdigest()


def test_objects_live_under_the_configured_prefix_of_the_bucket(
    s3_server: S3Server, s3_config: StorageConfig, s3_store: S3Storage
) -> None:
    s3_store.put("files/e1/f1", b"hello")

    assert bucket_keys(s3_server, s3_config) == {"files/e1/f1": 5}


def test_a_file_larger_than_one_part_goes_up_in_parts_and_keeps_its_digest(
    s3_store: S3Storage, tmp_path: Path
) -> None:
    data = os.urandom(20 * 1024 * 1024 + 123)  # more than two 8 MiB parts
    source = tmp_path / "big.bin"
    source.write_bytes(data)

    stored = s3_store.put("datasets/big.bin", source)

    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert s3_store.size("datasets/big.bin") == len(data)
    assert b"".join(s3_store.open_range("datasets/big.bin", 0, len(data) - 1)) == data


def test_a_stream_is_read_to_its_end(s3_store: S3Storage) -> None:
    stored = s3_store.put("exports/s.csv", io.BytesIO(CONTENT))

    assert stored.size == len(CONTENT)


def test_a_byte_range_reads_only_those_bytes(s3_store: S3Storage) -> None:
    s3_store.put("k", CONTENT)

    assert b"".join(s3_store.open_range("k", 100, 299)) == CONTENT[100:300]
    assert b"".join(s3_store.open_range("k", len(CONTENT) - 1, len(CONTENT) - 1)) == CONTENT[-1:]


def test_an_opened_object_seeks_and_reads_anywhere(s3_store: S3Storage) -> None:
    s3_store.put("k", CONTENT)

    with s3_store.open("k") as handle:
        handle.seek(-10, io.SEEK_END)
        tail = handle.read()
        handle.seek(1000)
        middle = handle.read(24)
        position = handle.tell()

    assert tail == CONTENT[-10:]
    assert middle == CONTENT[1000:1024]
    assert position == 1024


def test_parquet_reads_one_row_group_through_ranged_reads(s3_store: S3Storage) -> None:
    table = pa.table({"id": [f"g{i}" for i in range(30_000)], "x": list(range(30_000))})
    sink = io.BytesIO()
    pq.write_table(table, sink, row_group_size=10_000)
    s3_store.put("datasets/t.parquet", sink.getvalue())

    with s3_store.open("datasets/t.parquet") as handle:
        parquet = pq.ParquetFile(handle)
        second = parquet.read_row_group(1)

    assert parquet.metadata.num_rows == 30_000
    assert second.column("x").to_pylist() == list(range(10_000, 20_000))


def test_exists_and_delete(s3_store: S3Storage) -> None:
    s3_store.put("k", b"x")
    before = s3_store.exists("k")

    s3_store.delete("k")
    s3_store.delete("k")  # already gone: no error

    assert before is True
    assert s3_store.exists("k") is False


def test_a_missing_object_is_not_found_when_read_or_sized(s3_store: S3Storage) -> None:
    with pytest.raises(NotFound, match="missing"):
        s3_store.open("nothing/here")
    with pytest.raises(NotFound, match="missing"):
        s3_store.size("nothing/here")
    with pytest.raises(NotFound, match="missing"):
        list(s3_store.open_range("nothing/here", 0, 9))


def test_a_listing_names_every_object_under_a_folder_with_its_size(s3_store: S3Storage) -> None:
    s3_store.put("uploads/a.part/00", b"12345")
    s3_store.put("uploads/a.part/05", b"678")
    s3_store.put("uploads/b.part/00", b"1")
    s3_store.put("uploadsx/c", b"1")

    assert s3_store.listing("uploads/a.part") == {"uploads/a.part/00": 5, "uploads/a.part/05": 3}
    assert set(s3_store.listing("uploads")) == {
        "uploads/a.part/00",
        "uploads/a.part/05",
        "uploads/b.part/00",
    }
    assert len(s3_store.listing("")) == 4


def test_keys_that_could_escape_the_prefix_are_refused(s3_store: S3Storage) -> None:
    for key in ("../other/k", "/abs", "a//b", ""):
        with pytest.raises(ValueError, match="Invalid storage key"):
            s3_store.put(key, b"x")


def test_download_urls_may_name_the_address_users_reach_the_store_at(
    s3_server: S3Server, s3_config: StorageConfig
) -> None:
    public = s3_server.endpoint.replace("127.0.0.1", "localhost")
    options = (*s3_config.options, ("presign_endpoint_url", public))
    store = S3Storage(replace(s3_config, options=options))
    store.put("files/e/f", CONTENT)

    url = store.download_url("files/e/f", "f.bin", "application/octet-stream", 60)

    assert url is not None and url.startswith(public + "/")
    assert requests.get(url, timeout=30).content == CONTENT


def test_an_unreachable_store_is_a_named_503_not_a_crash(s3_config: StorageConfig) -> None:
    closed = free_ports(1)[0]
    options = tuple(
        (name, f"http://127.0.0.1:{closed}" if name == "endpoint_url" else value)
        for name, value in s3_config.options
    )
    store = S3Storage(replace(s3_config, options=options))

    with pytest.raises(PlutoError) as caught:
        store.exists("k")

    assert caught.value.status == 503
    assert "object store did not answer" in caught.value.message
