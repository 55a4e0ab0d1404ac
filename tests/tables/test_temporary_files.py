"""An upload's temporary files live in one known, recognisable place, and go with the request.

Each upload (and export) works in a folder ``<data dir>/tmp/table-upload-<pid>-<random>``
(``table-export-...``), so a sweep can recognise what a killed process left; on every
answer, success or error, the folder is gone.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from pluto.server.lab.models import Experiment
from pluto.server.scratch import EXPORT_PREFIX, UPLOAD_PREFIX, scratch_folder
from pluto.server.tables.receiving import received_upload
from tests.conftest import Caller
from tests.tables.conftest import SAMPLE_CSV, Answer, answer_of, get_table, put_table, table_path


def temporary_entries() -> set[str]:
    """What the data directory's temporary folder holds now."""
    folder = Path(settings.DATA_DIR) / "tmp"
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def multipart_put(caller: Caller, experiment: Experiment, data: bytes) -> Answer:
    """PUT a file as the multipart field ``file``."""
    upload = SimpleUploadedFile("samples.csv", data, content_type="text/csv")
    response = caller.client.put(
        table_path(experiment, "sample"),
        data=encode_multipart(BOUNDARY, {"file": upload}),
        content_type=MULTIPART_CONTENT,
        HTTP_AUTHORIZATION=f"Token {caller.key}",
    )
    return answer_of(response)


def form_post(caller: Caller, experiment: Experiment, data: bytes) -> Answer:
    """POST a file through the data page's upload form."""
    client = Client()
    client.force_login(caller.user)
    file = SimpleUploadedFile("samples.csv", data, content_type="text/csv")
    path = f"/experiments/{experiment.pluto_id}/data/"
    return answer_of(client.post(path, {"kind": "sample", "file": file}))


UPLOADS: dict[str, Callable[[Caller, Experiment], Answer]] = {
    "raw body": lambda c, e: put_table(c, e, "sample", SAMPLE_CSV),
    "invalid body": lambda c, e: put_table(c, e, "sample", b"sample_id\nS1\nS1\n"),
    "gzip body": lambda c, e: put_table(c, e, "sample", gzip.compress(SAMPLE_CSV)),
    "multipart": lambda c, e: multipart_put(c, e, SAMPLE_CSV),
    "invalid multipart": lambda c, e: multipart_put(c, e, b"sample_id,x\nS1\n"),
    "form": lambda c, e: form_post(c, e, SAMPLE_CSV),
    "invalid form": lambda c, e: form_post(c, e, b"name\nS1\n"),
}


@pytest.mark.parametrize("way", list(UPLOADS))
def test_an_upload_leaves_nothing_in_the_temporary_folder(
    ada: Caller, experiment: Experiment, way: str
) -> None:
    before = temporary_entries()

    answer = UPLOADS[way](ada, experiment)

    assert answer.status in {200, 302, 400}
    assert temporary_entries() == before


@override_settings(MAX_UPLOAD_BYTES=100)
def test_a_form_upload_past_the_limit_is_refused_and_leaves_nothing(
    ada: Caller, experiment: Experiment
) -> None:
    before = temporary_entries()

    answer = form_post(ada, experiment, b"sample_id\n" + b"S1\n" * 1000)

    assert answer.status == 413
    assert temporary_entries() == before


@override_settings(MAX_UNPACKED_BYTES=10)
def test_an_upload_refused_while_unpacking_leaves_nothing(
    ada: Caller, experiment: Experiment
) -> None:
    before = temporary_entries()

    answer = put_table(ada, experiment, "sample", gzip.compress(SAMPLE_CSV))

    assert answer.status == 413
    assert temporary_entries() == before


def test_an_export_leaves_nothing_in_the_temporary_folder(
    ada: Caller, experiment: Experiment
) -> None:
    put_table(ada, experiment, "sample", SAMPLE_CSV)
    before = temporary_entries()

    answer = get_table(ada, experiment, "sample", "format=tsv", "download/")

    assert answer.status == 200
    assert temporary_entries() == before


@pytest.mark.parametrize("prefix", [UPLOAD_PREFIX, EXPORT_PREFIX])
def test_work_folders_are_named_by_kind_and_process_in_the_data_directory(prefix: str) -> None:
    with scratch_folder(prefix) as folder:
        assert folder.parent == Path(settings.DATA_DIR) / "tmp"
        assert folder.name.startswith(f"{prefix}{os.getpid()}-")
        assert folder.is_dir()

    assert not folder.exists()


@pytest.mark.parametrize("multipart", [False, True])
def test_a_received_body_is_written_into_an_upload_folder(
    ada: Caller, experiment: Experiment, multipart: bool
) -> None:
    path = table_path(experiment, "sample")
    if multipart:
        body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("s.csv", SAMPLE_CSV)})
        request = RequestFactory().put(path, data=body, content_type=MULTIPART_CONTENT)
    else:
        request = RequestFactory().put(path, data=SAMPLE_CSV, content_type="text/csv")

    with received_upload(request, experiment) as upload:
        folder = upload.path.parent
        assert upload.path.read_bytes() == SAMPLE_CSV
        assert upload.path.name == "upload"
        assert folder.parent == Path(settings.DATA_DIR) / "tmp"
        assert folder.name.startswith(UPLOAD_PREFIX)

    assert not folder.exists()
