"""The SDK against a live Pluto server: objects, errors, files and uploads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import requests

import pluto
from pluto.client.client import Client
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_me_is_the_token_s_owner(sdk: Client, ada: Caller) -> None:
    me = sdk.me()

    assert isinstance(me, pluto.User)
    assert (me.email, me.uuid) == (ada.user.email, str(ada.user.uuid))


def test_projects_are_created_listed_and_fetched_as_objects(sdk: Client) -> None:
    created = sdk.create_project("Organoid screen", description="Week 3")

    listed = sdk.list_projects()
    by_id = sdk.get_project(created.pluto_id)
    by_uuid = sdk.get_project(created.uuid)

    assert isinstance(created, pluto.Project) and created.pluto_id.startswith("PLXP")
    assert [p.pluto_id for p in listed] == [created.pluto_id]
    assert by_id == by_uuid == created
    assert by_id.owner is not None and by_id.owner.first_name == "Ada"
    assert by_id.raw["name"] == "Organoid screen" and "raw" not in repr(by_id)


def test_experiments_are_created_listed_by_project_and_fetched(sdk: Client, ada: Caller) -> None:
    project = sdk.create_project("Atlas")
    other = make_project(ada.user, "Other")
    make_experiment(ada.user, other, "Elsewhere")

    created = sdk.create_experiment(project, "Knockdown RNA-seq", organism="mouse")
    in_project = sdk.list_experiments(project.pluto_id)
    fetched = sdk.get_experiment(created.pluto_id)

    assert [e.pluto_id for e in in_project] == [created.pluto_id]
    assert len(sdk.list_experiments()) == 2
    assert (fetched.project_id, fetched.type, fetched.organism) == (
        project.pluto_id,
        "rnaseq",
        "mouse",
    )
    assert fetched.assay_data_units == "raw_counts" and fetched.created_at is not None


def test_a_hidden_experiment_is_not_found(sdk: Client, bob: Caller) -> None:
    hidden = make_experiment(bob.user, make_project(bob.user))

    with pytest.raises(pluto.NotFound) as caught:
        sdk.get_experiment(hidden.pluto_id)

    assert caught.value.status == 404 and caught.value.code == "not_found"
    assert str(caught.value).startswith("404 not_found: ")


def test_a_malformed_id_is_an_invalid_request(sdk: Client) -> None:
    with pytest.raises(pluto.InvalidRequest) as caught:
        sdk.get_experiment("not-an-id")

    assert caught.value.code == "invalid_object_id"


def test_an_unknown_token_is_an_authentication_error(live_server: Any, ada: Caller) -> None:
    with (
        Client(live_server.url, "PLTO" + "x" * 36) as client,
        pytest.raises(pluto.AuthenticationError) as caught,
    ):
        client.me()

    assert caught.value.status == 401 and caught.value.code == "authentication_failed"


def test_read_finds_the_token_in_a_dotenv_file(
    live_server: Any, ada: Caller, experiment: Experiment, clean_environment: Path
) -> None:
    (clean_environment / ".env").write_text(
        f"PLUTO_API_URL={live_server.url}\nPLUTO_API_TOKEN={ada.key}\n"
    )

    with Client() as client:
        assert client.get_experiment(experiment.pluto_id).name == "Knockdown RNA-seq"


def test_a_file_is_attached_listed_and_downloaded(
    sdk: Client, experiment: Experiment, tmp_path: Path
) -> None:
    content = os.urandom(250_000)
    local = tmp_path / "protocol.pdf"
    local.write_bytes(content)

    attached = sdk.upload_file(experiment, local, chunk_size=100_000, progress=False)
    listed = sdk.list_files(experiment.pluto_id)
    saved = sdk.download_file(experiment.pluto_id, attached.uuid, tmp_path / "out", progress=False)

    assert isinstance(attached, pluto.FileInfo)
    assert (attached.filename, attached.file_size, attached.data_type) == (
        "protocol.pdf",
        250_000,
        "attachment",
    )
    assert [f.uuid for f in listed] == [attached.uuid]
    assert sdk.list_files(experiment.pluto_id, data_type="attachment") == listed
    assert saved.read_bytes() == content


def test_an_upload_started_elsewhere_resumes_from_the_server_s_stored_bytes(
    sdk: Client, experiment: Experiment, tmp_path: Path
) -> None:
    content = os.urandom(120_000)
    local = tmp_path / "reads.fastq"
    local.write_bytes(content)
    session = sdk.start_upload(experiment.pluto_id, local)
    first = requests.put(
        session.session_url,
        data=content[:50_000],
        headers={"Content-Range": f"bytes 0-49999/{len(content)}"},
        timeout=10,
    )
    assert first.status_code == 308

    attached = sdk.resume_upload(session, local, chunk_size=30_000, progress=False)

    saved = sdk.download_file(experiment.pluto_id, attached, tmp_path, progress=False)
    assert saved.read_bytes() == content
    assert attached.file_size == len(content)
