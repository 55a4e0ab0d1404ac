"""Resumable uploads over HTTP: sessions, probes, chunks, completion, resume, limits."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from pluto.server.files.models import ExperimentFile, UploadSession
from pluto.server.files.staging import staging_path
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from tests.conftest import Caller
from tests.files.conftest import (
    files_path,
    path_of,
    probe,
    put_bytes,
    put_chunk,
    start_upload,
    upload,
)

CONTENT = bytes(range(256)) * 40  # 10,240 bytes


def complete_path(experiment: Experiment, session_id: str) -> str:
    return f"/lab/experiments/{experiment.pluto_id}/upload-sessions/{session_id}/complete/"


# --- creating a session -----------------------------------------------------------------------


def test_creating_a_session_answers_its_url_and_the_file_to_be(
    ada: Caller, experiment: Experiment
) -> None:
    response = start_upload(ada, experiment, CONTENT, origin="python", analysis_type="external")

    assert response.status_code == 201
    data = response.data
    assert data["session_url"].startswith("http://testserver/uploads/")
    assert data["file"] == data["experiment_file"]
    assert data["file"]["filename"] == "protocol.pdf"
    assert data["file"]["file_size"] == len(CONTENT)
    assert data["file"]["status"] == "uploading"
    assert data["file"]["analysis_type"] == "external"
    assert data["uuid"] != data["file"]["uuid"]


def test_a_file_size_written_as_a_whole_json_float_is_its_size(
    ada: Caller, experiment: Experiment
) -> None:
    """JSON has one number type; 10240.0 is the whole number the schema's integer allows."""
    accepted = start_upload(ada, experiment, CONTENT, file_size=float(len(CONTENT)))
    refused = start_upload(ada, experiment, CONTENT, file_size=len(CONTENT) + 0.5)

    assert accepted.status_code == 201, accepted.data
    assert accepted.data["file_size"] == len(CONTENT)
    assert refused.status_code == 400 and refused.data["details"]["field"] == "file_size"


def test_the_session_url_needs_no_token_but_is_not_the_session_id(
    ada: Caller, experiment: Experiment
) -> None:
    data = start_upload(ada, experiment, CONTENT).data

    guessed = data["session_url"].replace(data["session_url"].split("/")[-2], data["uuid"])

    assert probe(data["session_url"]).status_code == 308
    assert probe(guessed).status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("filename", ""),
        ("filename", None),
        ("data_type", "spreadsheet"),
        ("file_size", -1),
        ("file_size", "lots"),
        ("file_size", True),
        ("file_type", 7),
        ("origin", ["python"]),
    ],
)
def test_a_bad_field_is_refused_naming_it(
    ada: Caller, experiment: Experiment, field: str, value: object
) -> None:
    response = start_upload(ada, experiment, CONTENT, **{field: value})

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert field in response.data["message"]
    assert response.data["details"]["field"] == field
    assert not UploadSession.objects.exists()


@override_settings(MAX_UPLOAD_BYTES=1000)
def test_a_declared_size_over_the_limit_is_payload_too_large(
    ada: Caller, experiment: Experiment
) -> None:
    response = start_upload(ada, experiment, CONTENT)

    assert response.status_code == 413
    assert response.data["code"] == "payload_too_large"
    assert "1000" in response.data["message"]


def test_viewers_cannot_upload_and_strangers_cannot_see(
    ada: Caller, bob: Caller, make_caller: Callable[..., Caller], experiment: Experiment
) -> None:
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )
    carol = make_caller("carol")

    assert start_upload(bob, experiment, CONTENT).status_code == 403
    assert start_upload(carol, experiment, CONTENT).status_code == 404


# --- the byte protocol ------------------------------------------------------------------------


def test_a_probe_before_any_bytes_answers_308_without_range(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    response = probe(url)

    assert response.status_code == 308
    assert not response.has_header("Range")
    assert not response.has_header("Location")


def test_chunks_in_several_requests_answer_308_with_range_then_200(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    first = put_chunk(url, CONTENT, 0, 4095)
    second = put_chunk(url, CONTENT, 4096, 8191)
    last = put_chunk(url, CONTENT, 8192, len(CONTENT) - 1)

    assert (first.status_code, first["Range"]) == (308, "bytes=0-4095")
    assert (second.status_code, second["Range"]) == (308, "bytes=0-8191")
    assert last.status_code == 200
    file = last.json()
    assert file["status"] == "complete"
    assert file["file_size"] == len(CONTENT)
    assert file["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    stored = ExperimentFile.objects.get(uuid=file["uuid"])
    with get_storage().open(stored.storage_key) as handle:
        assert handle.read() == CONTENT


def test_a_probe_after_part_of_the_file_names_the_bytes_stored(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 2999)

    by_star = probe(url)
    by_total = probe(url, str(len(CONTENT)))

    assert (by_star.status_code, by_star["Range"]) == (308, "bytes=0-2999")
    assert (by_total.status_code, by_total["Range"]) == (308, "bytes=0-2999")


def test_a_chunk_that_does_not_continue_the_stored_bytes_is_refused(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 999)

    gap = put_chunk(url, CONTENT, 2000, 2999)
    overlap = put_chunk(url, CONTENT, 500, 1499)

    for response in (gap, overlap):
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"
        assert "resume from byte 1000" in response.json()["message"]
        assert response.json()["details"]["resume_from"] == 1000
    assert probe(url)["Range"] == "bytes=0-999"


def test_bytes_beyond_the_declared_size_are_refused(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    longer = CONTENT + b"extra"

    beyond = put_bytes(url, longer, f"bytes 0-{len(longer) - 1}/{len(CONTENT)}")
    other_total = put_bytes(url, longer, f"bytes 0-{len(longer) - 1}/{len(longer)}")

    assert beyond.status_code == 400
    assert "beyond" in beyond.json()["message"]
    assert other_total.status_code == 400
    assert str(len(CONTENT)) in other_total.json()["message"]
    assert not probe(url).has_header("Range")


def test_a_body_shorter_than_its_content_range_leaves_no_trace(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 999)

    short = put_bytes(url, CONTENT[1000:1500], f"bytes 1000-1999/{len(CONTENT)}")

    assert short.status_code == 400
    assert "500" in short.json()["message"]
    assert probe(url)["Range"] == "bytes=0-999"


def test_a_malformed_content_range_is_refused(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    response = put_bytes(url, CONTENT[:10], "bytes=0-9")

    assert response.status_code == 400
    assert response.json()["details"]["field"] == "Content-Range"


def test_a_chunk_larger_than_djangos_in_memory_body_limit_is_streamed(
    ada: Caller, experiment: Experiment
) -> None:
    big = bytes(range(256)) * (12 * 1024 + 7)  # just over 3 MiB
    url = start_upload(ada, experiment, big, filename="reads.fastq").data["session_url"]

    response = put_chunk(url, big, 0, len(big) - 1)

    assert response.status_code == 200
    assert response.json()["sha256"] == hashlib.sha256(big).hexdigest()


def test_a_body_without_content_range_is_the_whole_file(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    response = put_bytes(url, CONTENT, None)

    assert response.status_code == 200
    assert response.json()["file_size"] == len(CONTENT)


def test_an_empty_file_completes_when_the_client_says_so(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, b"", filename="empty.txt").data["session_url"]

    asked = probe(url)
    finished = put_bytes(url, b"", "bytes 0--1/0")

    assert asked.status_code == 308
    assert finished.status_code == 200
    assert finished.json()["file_size"] == 0


def test_a_finished_session_answers_200_to_a_repeated_last_chunk(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    done = put_chunk(url, CONTENT, 0, len(CONTENT) - 1)

    again = put_chunk(url, CONTENT, 0, len(CONTENT) - 1)

    assert again.status_code == 200
    assert again.json()["uuid"] == done.json()["uuid"]
    assert ExperimentFile.objects.count() == 1


def test_a_chunk_while_another_request_writes_is_asked_to_retry(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    # Another server process holds the write lease of this session.
    UploadSession.objects.update(writing_until=timezone.now() + timedelta(minutes=5))

    response = put_chunk(url, CONTENT, 0, 999)

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    UploadSession.objects.update(writing_until=None)
    assert not probe(url).has_header("Range")


def test_only_put_is_accepted_at_the_session_url(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]

    response = Client().post(path_of(url), data=CONTENT, content_type="application/octet-stream")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "PUT"


# --- expiry and unknown sessions --------------------------------------------------------------


def test_an_expired_session_answers_410(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 999)
    UploadSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = put_chunk(url, CONTENT, 1000, 1999)

    assert response.status_code == 410
    assert response.json()["code"] == "gone"
    assert "expired" in response.json()["message"]


def test_a_tampered_session_url_is_refused(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = probe(url.replace(token, flipped))

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_a_deleted_session_answers_404(ada: Caller, experiment: Experiment) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    UploadSession.objects.all().delete()

    response = probe(url)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- completing -------------------------------------------------------------------------------


def test_completing_before_all_bytes_arrived_says_how_many_are_missing(
    ada: Caller, experiment: Experiment
) -> None:
    data = start_upload(ada, experiment, CONTENT).data
    put_chunk(data["session_url"], CONTENT, 0, 239)

    response = ada.call("POST", complete_path(experiment, data["uuid"]))

    assert response.status_code == 400
    assert f"{len(CONTENT) - 240} of the {len(CONTENT)}" in response.data["message"]
    assert response.data["details"]["missing_bytes"] == len(CONTENT) - 240


def test_completing_after_the_last_chunk_answers_the_file_every_time(
    ada: Caller, experiment: Experiment
) -> None:
    data = start_upload(ada, experiment, CONTENT).data
    put_chunk(data["session_url"], CONTENT, 0, len(CONTENT) - 1)

    first = ada.call("POST", complete_path(experiment, data["uuid"]), {"filename": "x"})
    second = ada.call("POST", complete_path(experiment, data["uuid"]))

    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert first.data["uuid"] == data["file"]["uuid"]
    assert first.data["status"] == "complete"


def test_completing_needs_an_editor_and_a_session_of_this_experiment(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    data = start_upload(ada, experiment, CONTENT).data
    ada.call(
        "POST",
        f"/lab/experiments/{experiment.pluto_id}/members/",
        {"email": bob.user.email, "role": "viewer"},
    )

    as_viewer = bob.call("POST", complete_path(experiment, data["uuid"]))
    unknown = ada.call("POST", complete_path(experiment, data["file"]["uuid"]))
    malformed = ada.call("POST", complete_path(experiment, "not-a-uuid"))

    assert as_viewer.status_code == 403
    assert unknown.status_code == 404
    assert malformed.data["code"] == "invalid_object_id"


def test_a_half_finished_upload_is_never_visible(ada: Caller, experiment: Experiment) -> None:
    data = start_upload(ada, experiment, CONTENT).data
    put_chunk(data["session_url"], CONTENT, 0, 4999)

    listed = ada.call("GET", files_path(experiment))
    fetched = ada.call("GET", files_path(experiment, f"{data['file']['uuid']}/"))
    download = ada.call("GET", files_path(experiment, f"{data['file']['uuid']}/download/"))

    assert listed.data["attachments"] == {"count": 0, "items": []}
    assert fetched.status_code == download.status_code == 404


# --- resuming ---------------------------------------------------------------------------------


def test_an_upload_resumes_after_a_restart_from_the_bytes_on_disk(
    ada: Caller, experiment: Experiment
) -> None:
    url = start_upload(ada, experiment, CONTENT).data["session_url"]
    put_chunk(url, CONTENT, 0, 6143)
    # A restart: no process state survives, and the stored counter may lag behind the disk.
    get_storage.cache_clear()
    UploadSession.objects.update(received_bytes=0)
    restarted = Client()

    asked = probe(url, client=restarted)
    rest = put_bytes(
        url, CONTENT[6144:], f"bytes 6144-{len(CONTENT) - 1}/{len(CONTENT)}", restarted
    )

    assert asked["Range"] == "bytes=0-6143"
    assert rest.status_code == 200
    stored = ExperimentFile.objects.get(uuid=rest.json()["uuid"])
    with get_storage().open(stored.storage_key) as handle:
        assert handle.read() == CONTENT


@pytest.mark.local_storage
def test_a_probe_finishes_an_upload_whose_last_chunk_was_stored_but_not_completed(
    ada: Caller, experiment: Experiment
) -> None:
    data = start_upload(ada, experiment, CONTENT).data
    put_chunk(data["session_url"], CONTENT, 0, 4999)
    session = UploadSession.objects.get()
    # The server stopped after writing the last bytes but before moving them into the store.
    with staging_path(session).open("ab") as handle:
        handle.write(CONTENT[5000:])

    response = probe(data["session_url"])

    assert response.status_code == 200
    assert response.json()["sha256"] == hashlib.sha256(CONTENT).hexdigest()


def test_uploaded_bytes_survive_as_a_file_object(ada: Caller, experiment: Experiment) -> None:
    file = upload(ada, experiment, CONTENT, filename="figures/scan.png", file_type=".png")

    assert file["filename"] == "figures/scan.png"
    assert file["display_name"] == "scan.png"
    assert file["content_type"] == "image/png"
    assert file["created_by"]["email"] == ada.user.email
