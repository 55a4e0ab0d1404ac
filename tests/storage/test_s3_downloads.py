"""Downloads under S3: the API hands out presigned URLs of the store, fetched over real HTTP."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import requests
from django.test import override_settings

from pluto.server.config import StorageConfig
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.files.conftest import files_path, upload
from tests.s3_server import S3Server

PROTOCOL = b"%PDF-1.4 protocol of the knockdown\n" * 50


def download_url(caller: Caller, experiment: Experiment, file_id: str, query: str = "") -> str:
    response = caller.call("GET", files_path(experiment, f"{file_id}/download/{query}"))
    assert response.status_code == 200, response.data
    url: str = response.data["url"]
    return url


@pytest.fixture
def protocol_url(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> tuple[str, dict[str, object]]:
    file = upload(ada, experiment, PROTOCOL)
    return download_url(ada, experiment, file["uuid"]), file


def test_a_file_downloads_from_the_store_itself_without_a_token(
    s3_server: S3Server, protocol_url: tuple[str, dict[str, object]]
) -> None:
    url, _ = protocol_url

    answer = requests.get(url, timeout=30)

    assert url.startswith(s3_server.endpoint + "/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=3600" in url
    assert answer.status_code == 200
    assert answer.content == PROTOCOL
    assert answer.headers["Content-Type"] == "application/pdf"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="protocol.pdf"'


def test_a_presigned_url_serves_byte_ranges(protocol_url: tuple[str, dict[str, object]]) -> None:
    url, _ = protocol_url

    middle = requests.get(url, headers={"Range": "bytes=5-14"}, timeout=30)
    tail = requests.get(url, headers={"Range": "bytes=-6"}, timeout=30)

    assert middle.status_code == 206
    assert middle.content == PROTOCOL[5:15]
    assert middle.headers["Content-Range"] == f"bytes 5-14/{len(PROTOCOL)}"
    assert tail.content == PROTOCOL[-6:]


def test_an_altered_presigned_url_is_refused(
    protocol_url: tuple[str, dict[str, object]], s3_settings: StorageConfig
) -> None:
    url, _ = protocol_url
    parts = urlsplit(url)
    elsewhere = url.replace(parts.path, parts.path.rsplit("/", 1)[0] + "/other")

    assert requests.get(elsewhere, timeout=30).status_code == 403
    assert requests.get(url[:-4] + "0000", timeout=30).status_code == 403


def test_the_filename_asked_for_names_the_download(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, PROTOCOL)

    url = download_url(ada, experiment, file["uuid"], "?filename=knockdown.pdf")
    answer = requests.get(url, timeout=30)

    assert answer.headers["Content-Disposition"] == 'attachment; filename="knockdown.pdf"'


def test_a_file_a_browser_could_run_downloads_as_inert_bytes(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    script = b"fetch('/lab/me/').then(r => r.text()).then(alert)"
    file = upload(ada, experiment, script, filename="steal.js")

    answer = requests.get(download_url(ada, experiment, file["uuid"]), timeout=30)

    assert answer.content == script
    assert answer.headers["Content-Type"] == "application/octet-stream"


def test_a_presigned_url_expires_after_the_signed_url_ttl(
    s3_settings: StorageConfig, ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, PROTOCOL)
    with override_settings(SIGNED_URL_TTL=1):
        url = download_url(ada, experiment, file["uuid"])
    time.sleep(2.5)

    assert requests.get(url, timeout=30).status_code == 403
