"""The published ``plutobio`` client against a live server: attachments and its upload flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
from plutobio import PlutoClient

from pluto.server.files.models import ExperimentFile
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project
from tests.files.conftest import upload

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

PROTOCOL = b"%PDF-1.4\nknockdown protocol, version 3\n" * 100


@pytest.fixture
def plutobio_client(live_server: Any, ada: Caller, monkeypatch: pytest.MonkeyPatch) -> PlutoClient:
    """A ``PlutoClient`` pointed at the live server with ``PLUTO_API_URL``, as users do."""
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    return PlutoClient(token=ada.key)


@pytest.fixture
def live_experiment(ada: Caller) -> Experiment:
    return make_experiment(ada.user, make_project(ada.user))


def test_plutobio_lists_attachments(
    plutobio_client: PlutoClient, ada: Caller, live_experiment: Experiment
) -> None:
    file = upload(ada, live_experiment, PROTOCOL)
    upload(ada, live_experiment, b"<html></html>", filename="plot.html", data_type="external")

    attachments = plutobio_client.list_attachments(live_experiment.pluto_id)

    assert [a.uuid for a in attachments] == [file["uuid"]]
    assert attachments[0].display_name == "protocol.pdf"
    assert attachments[0].file_size == len(PROTOCOL)


def test_plutobio_downloads_an_attachment(
    plutobio_client: PlutoClient, ada: Caller, live_experiment: Experiment, tmp_path: Path
) -> None:
    file = upload(ada, live_experiment, PROTOCOL)

    plutobio_client.download_attachments(live_experiment.pluto_id, file["uuid"], str(tmp_path))

    assert (tmp_path / "protocol.pdf").read_bytes() == PROTOCOL


def test_plutobio_uploads_a_file_as_create_or_update_plot_does(
    plutobio_client: PlutoClient, ada: Caller, live_experiment: Experiment, tmp_path: Path
) -> None:
    display = tmp_path / "volcano.html"
    display.write_bytes(b"<html><body>" + b"<div>point</div>" * 5000 + b"</body></html>")

    result = plutobio_client._download_upload.upload_file(
        experiment_id=live_experiment.pluto_id,
        file_path=str(display),
        data={
            "analysis_type": "external",
            "origin": "python",
            "filename": display.name,
            "data_type": "external",
            "file_type": display.suffix,
            "file_size": display.stat().st_size,
        },
    )

    file_id = result["experiment_file"]["uuid"]
    stored = ExperimentFile.objects.get(uuid=file_id)
    assert stored.is_complete
    assert result["uuid"] == file_id
    listed = plutobio_client.get(
        f"lab/experiments/{live_experiment.pluto_id}/files", params={"data_type": "external"}
    )
    assert [item["uuid"] for item in listed["external"]["items"]] == [file_id]
    url = plutobio_client._download_upload.get_signed_url(live_experiment.pluto_id, file_id)["url"]
    assert requests.get(url, timeout=10).content == display.read_bytes()
