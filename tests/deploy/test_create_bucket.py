"""deploy/create-bucket.py, compose's ``bucket`` one-shot, against a real SeaweedFS: it makes
the bucket Pluto needs, and finds it there on the next ``docker compose up``."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.deploy.deployment import DEPLOY
from tests.s3_server import ACCESS_KEY, SECRET_KEY, S3Server

pytestmark = pytest.mark.live


def create_bucket_script() -> ModuleType:
    """deploy/create-bucket.py as a module (its name is no module name)."""
    spec = importlib.util.spec_from_file_location("create_bucket", DEPLOY / "create-bucket.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Server]:
    """A SeaweedFS S3 server with no bucket, and its credentials in the AWS variables."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    server = S3Server(tmp_path / "s3").start()
    try:
        yield server
    finally:
        server.stop()


def test_the_bucket_one_shot_creates_the_bucket_then_finds_it_on_the_next_run(
    s3: S3Server, capsys: pytest.CaptureFixture[str]
) -> None:
    script = create_bucket_script()

    assert script.main([s3.endpoint, "pluto"]) == 0
    assert script.main([s3.endpoint, "pluto"]) == 0

    out = capsys.readouterr().out
    assert "Bucket pluto created" in out and "Bucket pluto exists" in out
    listing = s3.client().list_objects_v2(Bucket="pluto")
    assert listing.get("KeyCount", 0) == 0


def test_the_bucket_one_shot_asks_for_its_two_arguments(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert create_bucket_script().main([]) == 2
    assert "usage" in capsys.readouterr().err
