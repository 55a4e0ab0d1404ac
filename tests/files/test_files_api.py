"""Experiment files over HTTP: grouped lists, filters, signed downloads, rename, delete."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings

from pluto.server.files.models import ExperimentFile, FileKind
from pluto.server.files.services import GROUPS
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from tests.conftest import Caller, api_call, make_experiment, make_project
from tests.downloads import fetch_url
from tests.files.conftest import files_path, path_of, upload

PROTOCOL = b"%PDF-1.4 protocol of the knockdown\n" * 50
GROUP_NAMES = [
    "attachments",
    "external",
    "bam",
    "seurat",
    "qc_report",
    "bigwig",
    "consensus_bed",
    "assay_data_cpm",
    "tpm_gene",
    "tpm_transcript",
    "fastq",
    "qc_table",
]
ITEM_FIELDS = {"uuid", "filename", "display_name", "data_type", "file_size", "created_at"}


def add_viewer(owner: Caller, viewer: Caller, experiment: Experiment) -> None:
    response = owner.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": viewer.user.email, "role": "viewer"},
    )
    assert response.status_code == 201


def download_url(caller: Caller, experiment: Experiment, file_id: str, query: str = "") -> str:
    response = caller.call("GET", files_path(experiment, f"{file_id}/download/{query}"))
    assert response.status_code == 200, response.data
    url: str = response.data["url"]
    return url


# --- listing ----------------------------------------------------------------------------------


def test_every_kind_is_listed_even_when_empty(ada: Caller, experiment: Experiment) -> None:
    response = ada.call("GET", files_path(experiment))

    assert response.status_code == 200
    assert list(response.data) == GROUP_NAMES
    assert all(page == {"count": 0, "items": []} for page in response.data.values())


def test_every_file_kind_has_a_group() -> None:
    assert set(GROUPS) == set(FileKind.values)


def test_files_are_listed_under_their_kind(ada: Caller, experiment: Experiment) -> None:
    attachment = upload(ada, experiment, PROTOCOL)
    report = upload(ada, experiment, b"<html>QC</html>", filename="qc.html", data_type="qc_report")

    data = ada.call("GET", files_path(experiment)).data

    assert data["attachments"]["count"] == 1
    item = data["attachments"]["items"][0]
    assert set(item) >= ITEM_FIELDS
    assert item["uuid"] == attachment["uuid"]
    assert item["filename"] == item["display_name"] == "protocol.pdf"
    assert item["data_type"] == "attachment"
    assert item["file_size"] == len(PROTOCOL)
    assert item["created_at"][:10].count("-") == 2
    assert item["content_type"] == "application/pdf"
    assert data["qc_report"]["items"][0]["uuid"] == report["uuid"]
    assert data["external"] == {"count": 0, "items": []}


def test_data_type_in_the_query_narrows_to_one_group(ada: Caller, experiment: Experiment) -> None:
    upload(ada, experiment, PROTOCOL)
    bam = upload(ada, experiment, b"BAM\x01", filename="S1.bam", data_type="bam")

    attachments = ada.call("GET", files_path(experiment, "?data_type=attachment")).data
    bams = ada.call("GET", files_path(experiment, "?data_type=bam")).data

    assert list(attachments) == ["attachments"]
    assert attachments["attachments"]["count"] == 1
    assert list(bams) == ["bam"]
    assert bams["bam"]["items"][0]["uuid"] == bam["uuid"]


def test_data_type_in_a_json_body_on_a_get_narrows_to_one_group(
    ada: Caller, experiment: Experiment
) -> None:
    upload(ada, experiment, PROTOCOL)
    upload(ada, experiment, b"<html></html>", filename="plot.html", data_type="external")

    response = ada.client.generic(
        "GET",
        files_path(experiment),
        json.dumps({"data_type": "attachment"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {ada.key}",
    )

    assert response.status_code == 200
    assert list(response.json()) == ["attachments"]
    assert response.json()["attachments"]["count"] == 1


def test_an_unknown_data_type_is_refused_naming_the_kinds(
    ada: Caller, experiment: Experiment
) -> None:
    response = ada.call("GET", files_path(experiment, "?data_type=spreadsheet"))

    assert response.status_code == 400
    assert response.data["details"]["field"] == "data_type"
    assert "qc_report" in response.data["message"]


def test_each_group_pages_with_limit_and_offset(ada: Caller, experiment: Experiment) -> None:
    uploaded = [upload(ada, experiment, PROTOCOL, filename=f"p{i}.pdf")["uuid"] for i in range(3)]

    page = ada.call("GET", files_path(experiment, "?limit=2&offset=1")).data["attachments"]
    too_big = ada.call("GET", files_path(experiment, "?limit=10001"))

    assert page["count"] == 3
    assert [item["uuid"] for item in page["items"]] == uploaded[1:]
    assert too_big.data["code"] == "limit_too_large"


def test_a_file_of_another_experiment_is_not_found(ada: Caller, experiment: Experiment) -> None:
    other = make_experiment(ada.user, make_project(ada.user, "Other"), "Other experiment")
    file = upload(ada, other, PROTOCOL)

    response = ada.call("GET", files_path(experiment, f"{file['uuid']}/download/"))

    assert response.status_code == 404
    assert ada.call("GET", files_path(experiment)).data["attachments"]["count"] == 0


def test_a_malformed_file_id_is_invalid_object_id(ada: Caller, experiment: Experiment) -> None:
    response = ada.call("GET", files_path(experiment, "protocol.pdf/download/"))

    assert response.status_code == 400
    assert response.data["code"] == "invalid_object_id"


# --- downloading ------------------------------------------------------------------------------


def test_the_signed_url_downloads_the_exact_bytes_without_a_token(
    ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, PROTOCOL)

    url = download_url(ada, experiment, file["uuid"])
    response = fetch_url(url)

    assert url.startswith("http://")
    assert response.status == 200
    assert response.body == PROTOCOL
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="protocol.pdf"'


@pytest.mark.local_storage
@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("steal.js", b"fetch('/lab/me/').then(r => r.text()).then(alert)"),
        ("module.mjs", b"export default 1"),
        ("report.html", b"<html><script>alert(document.cookie)</script></html>"),
        ("page.xhtml", b"<html xmlns='http://www.w3.org/1999/xhtml'/>"),
        ("figure.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
        ("data.xml", b"<?xml version='1.0'?><a/>"),
    ],
)
def test_a_file_a_browser_could_run_downloads_as_inert_bytes(
    ada: Caller, experiment: Experiment, filename: str, content: bytes
) -> None:
    file = upload(ada, experiment, content, filename=filename)

    response = Client().get(path_of(download_url(ada, experiment, file["uuid"])))

    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.local_storage
def test_every_signed_file_answer_is_a_sandboxed_attachment(
    ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, PROTOCOL)

    response = Client().get(path_of(download_url(ada, experiment, file["uuid"])))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_download_name_comes_from_the_filename_parameter_made_safe(
    ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, PROTOCOL)

    url = download_url(ada, experiment, file["uuid"], '?filename=../"knockdown".pdf')
    response = fetch_url(url)

    assert response.headers["content-disposition"] == 'attachment; filename="_knockdown_.pdf"'


def test_a_range_request_answers_206_with_that_slice(ada: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, PROTOCOL)
    url = download_url(ada, experiment, file["uuid"])

    response = fetch_url(url, HTTP_RANGE="bytes=100-199")

    assert response.status == 206
    assert response.body == PROTOCOL[100:200]
    assert response.headers["content-range"] == f"bytes 100-199/{len(PROTOCOL)}"


@pytest.mark.local_storage
def test_a_tampered_download_url_is_refused_with_403(ada: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, PROTOCOL)
    path = path_of(download_url(ada, experiment, file["uuid"]))
    index = len(path) // 2
    tampered = path[:index] + ("x" if path[index] != "x" else "y") + path[index + 1 :]

    response = api_call(Client(), "GET", tampered)

    assert response.status_code == 403
    assert response.data["code"] == "permission_denied"


@pytest.mark.local_storage
@override_settings(SIGNED_URL_TTL=1)
def test_an_expired_download_url_is_refused_with_410(ada: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, PROTOCOL)
    path = path_of(download_url(ada, experiment, file["uuid"]))

    time.sleep(2.1)
    response = api_call(Client(), "GET", path)

    assert response.status_code == 410
    assert response.data["code"] == "gone"


def test_viewers_may_list_and_download(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, PROTOCOL)
    add_viewer(ada, bob, experiment)

    listed = bob.call("GET", files_path(experiment))
    url = download_url(bob, experiment, file["uuid"])

    assert listed.data["attachments"]["count"] == 1
    assert fetch_url(url).body == PROTOCOL


# --- renaming and deleting --------------------------------------------------------------------


def test_an_editor_renames_a_file_and_the_download_uses_the_new_name(
    ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, PROTOCOL)

    renamed = ada.call(
        "PATCH", files_path(experiment, f"{file['uuid']}/"), {"display_name": "SOP v2.pdf"}
    )
    url = download_url(ada, experiment, file["uuid"])

    assert renamed.status_code == 200
    assert renamed.data["display_name"] == "SOP v2.pdf"
    assert renamed.data["filename"] == "protocol.pdf"
    assert fetch_url(url).headers["content-disposition"] == 'attachment; filename="SOP v2.pdf"'


@pytest.mark.parametrize("body", [{"display_name": ""}, {"display_name": 3}, {"filename": "x"}])
def test_a_bad_rename_is_refused(ada: Caller, experiment: Experiment, body: dict[str, Any]) -> None:
    file = upload(ada, experiment, PROTOCOL)

    response = ada.call("PATCH", files_path(experiment, f"{file['uuid']}/"), body)

    assert response.status_code == 400
    assert ExperimentFile.objects.get(uuid=file["uuid"]).display_name == "protocol.pdf"


def test_deleting_a_file_removes_it_and_then_its_bytes(
    ada: Caller, experiment: Experiment, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    file = upload(ada, experiment, PROTOCOL)
    key = ExperimentFile.objects.get(uuid=file["uuid"]).storage_key

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = ada.call("DELETE", files_path(experiment, f"{file['uuid']}/"))

    assert response.status_code == 204
    assert len(callbacks) == 1
    assert not get_storage().exists(key)
    assert ada.call("GET", files_path(experiment)).data["attachments"]["count"] == 0
    assert ada.call("DELETE", files_path(experiment, f"{file['uuid']}/")).status_code == 404


def test_viewers_cannot_rename_or_delete(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, PROTOCOL)
    add_viewer(ada, bob, experiment)
    path = files_path(experiment, f"{file['uuid']}/")

    renamed = bob.call("PATCH", path, {"display_name": "mine.pdf"})
    deleted = bob.call("DELETE", path)

    assert renamed.status_code == deleted.status_code == 403
    assert renamed.data["code"] == "permission_denied"
    assert ExperimentFile.objects.get(uuid=file["uuid"]).display_name == "protocol.pdf"


def test_strangers_see_nothing(ada: Caller, bob: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, PROTOCOL)
    path = files_path(experiment, f"{file['uuid']}/")

    responses = [
        bob.call("GET", files_path(experiment)),
        bob.call("GET", path + "download/"),
        bob.call("PATCH", path, {"display_name": "x.pdf"}),
        bob.call("DELETE", path),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert ExperimentFile.objects.filter(uuid=file["uuid"]).exists()
