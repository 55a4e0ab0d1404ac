"""A real S3-compatible server (SeaweedFS) for the storage tests, and Pluto pointed at it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pluto.server.config import StorageConfig, parse_storage_url
from pluto.server.lab.models import Experiment
from pluto.server.s3_storage import S3Storage
from pluto.server.storage import get_storage
from tests.conftest import Caller, make_experiment, make_project
from tests.s3_server import S3Server

BUCKET = "pluto-tests"


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """SeaweedFS on free loopback ports with one bucket, for the whole session."""
    server = S3Server(Path(tmp_path_factory.mktemp("seaweedfs"))).start()
    try:
        server.create_bucket(BUCKET)
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_config(s3_server: S3Server) -> StorageConfig:
    """A storage configuration on a key prefix of its own, so tests never see each other."""
    url = s3_server.storage_url(BUCKET, f"run-{uuid.uuid4().hex[:12]}")
    return parse_storage_url(url, Path("/nonexistent"))


@pytest.fixture
def s3_store(s3_config: StorageConfig) -> S3Storage:
    """The S3 backend on that prefix."""
    return S3Storage(s3_config)


@pytest.fixture
def s3_settings(settings: Any, s3_config: StorageConfig) -> Iterator[StorageConfig]:
    """Pluto's settings pointing the object store at the S3 server, as PLUTO_STORAGE_URL
    would; the backend made before (and the one made here) are dropped around the test."""
    settings.STORAGE = s3_config
    get_storage.cache_clear()
    yield s3_config
    get_storage.cache_clear()


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """An experiment owned by ada."""
    return make_experiment(ada.user, make_project(ada.user))


def bucket_keys(server: S3Server, config: StorageConfig, under: str = "") -> dict[str, int]:
    """The keys (below the configuration's prefix) in the bucket, read with boto3 directly."""
    start = f"{config.prefix}/{under}"
    pages = server.client().get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=start)
    return {
        item["Key"][len(config.prefix) + 1 :]: item["Size"]
        for page in pages
        for item in page.get("Contents", [])
    }
