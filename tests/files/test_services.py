"""The files services other apps call: a stored file for a table import, a small attachment."""

from __future__ import annotations

import hashlib

import pytest

from pluto.server.errors import InvalidObjectId, NotFound
from pluto.server.files.services import attach_file, stored_file_for_import
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from tests.conftest import Caller, make_experiment, make_project
from tests.files.conftest import files_path, put_chunk, start_upload, upload

SAMPLES = b"sample_id,condition\nS1,treated\nS2,control\n"


def test_an_uploaded_file_is_found_for_import_with_its_bytes(
    ada: Caller, experiment: Experiment
) -> None:
    file = upload(ada, experiment, SAMPLES, filename="samples.csv", data_type="external")

    filename, key = stored_file_for_import(experiment, file["uuid"])

    assert filename == "samples.csv"
    with get_storage().open(key) as handle:
        assert handle.read() == SAMPLES


def test_only_complete_files_of_the_experiment_can_be_imported(
    ada: Caller, experiment: Experiment
) -> None:
    other = make_experiment(ada.user, make_project(ada.user, "Other"), "Other")
    elsewhere = upload(ada, other, SAMPLES, filename="samples.csv")
    unfinished = start_upload(ada, experiment, SAMPLES, filename="samples.csv").data
    put_chunk(unfinished["session_url"], SAMPLES, 0, 9)

    with pytest.raises(NotFound):
        stored_file_for_import(experiment, elsewhere["uuid"])
    with pytest.raises(NotFound):
        stored_file_for_import(experiment, unfinished["file"]["uuid"])
    with pytest.raises(InvalidObjectId):
        stored_file_for_import(experiment, "samples.csv")


def test_an_attached_file_is_listed_and_stored(ada: Caller, experiment: Experiment) -> None:
    file = attach_file(ada.user, experiment, "README.txt", b"Demo data, seed 140206.\n")

    listed = ada.call("GET", files_path(experiment)).data["attachments"]["items"]

    assert [item["uuid"] for item in listed] == [str(file.uuid)]
    assert listed[0]["content_type"] == "text/plain"
    assert file.sha256 == hashlib.sha256(b"Demo data, seed 140206.\n").hexdigest()
    assert get_storage().size(file.storage_key) == file.file_size == 24
