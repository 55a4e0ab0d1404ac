"""``PLUTO_STORAGE_URL``: the local folder by default, file:/// folders, s3:// buckets."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluto.server.config import ConfigError, StorageConfig, load_config
from pluto.server.s3_storage import S3Storage
from pluto.server.storage import LocalStorage, storage_for


def storage(tmp_path: Path, url: str | None = None) -> StorageConfig:
    environ = {"PLUTO_DATA_DIR": str(tmp_path / "data")}
    if url is not None:
        environ["PLUTO_STORAGE_URL"] = url
    return load_config(environ=environ, cwd=tmp_path).storage


def refusal(tmp_path: Path, url: str) -> str:
    with pytest.raises(ConfigError) as caught:
        storage(tmp_path, url)
    return str(caught.value)


def test_without_a_url_objects_live_in_the_data_directory(tmp_path: Path) -> None:
    configured = storage(tmp_path)

    assert configured.root == tmp_path / "data" / "objects"
    assert isinstance(storage_for(configured), LocalStorage)


def test_a_file_url_names_the_folder(tmp_path: Path) -> None:
    configured = storage(tmp_path, f"file://{tmp_path}/store")

    assert configured.root == tmp_path / "store"
    assert not configured.is_s3


def test_an_s3_url_names_bucket_prefix_endpoint_and_region(tmp_path: Path) -> None:
    url = "s3://lab-data/pluto/objects?endpoint_url=http://127.0.0.1:8333&region=eu-west-1"

    configured = storage(tmp_path, url)
    backend = storage_for(configured)

    assert (configured.bucket, configured.prefix) == ("lab-data", "pluto/objects")
    assert configured.option("endpoint_url") == "http://127.0.0.1:8333"
    assert isinstance(backend, S3Storage)
    assert backend.client.meta.region_name == "eu-west-1"
    assert backend.client.meta.endpoint_url == "http://127.0.0.1:8333"


def test_an_s3_url_without_parameters_leaves_them_to_the_aws_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")

    backend = storage_for(storage(tmp_path, "s3://lab-data"))

    assert isinstance(backend, S3Storage)
    assert backend.prefix == ""
    assert backend.client.meta.region_name == "ap-south-1"


def test_unknown_schemes_and_parameters_are_refused_by_name(tmp_path: Path) -> None:
    assert "PLUTO_STORAGE_URL must start with s3:// or file:///" in refusal(tmp_path, "gs://b")
    assert "unknown parameters endpoint" in refusal(tmp_path, "s3://b?endpoint=http://x")
    assert "needs a folder" in refusal(tmp_path, "file://")
    assert "names its bucket" in refusal(tmp_path, "s3:///prefix")
    assert "endpoint_url must be an http" in refusal(tmp_path, "s3://b?endpoint_url=ftp://x")
    assert "addressing_style must be" in refusal(tmp_path, "s3://b?addressing_style=odd")
