"""The published ``plutobio`` client reads sample and assay data from a live Pluto server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from plutobio import PlutoClient

from tests.conftest import Caller, make_experiment, make_project
from tests.tables.conftest import ASSAY_CSV, SAMPLE_CSV

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def client(live_server: Any, ada: Caller, monkeypatch: pytest.MonkeyPatch) -> PlutoClient:
    """A ``PlutoClient`` pointed at the live server through ``PLUTO_API_URL``."""
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    return PlutoClient(token=ada.key)


def upload(server: str, caller: Caller, experiment_id: str, kind: str, data: bytes) -> None:
    """PUT a CSV body over real HTTP, as curl or a script would."""
    response = requests.put(
        f"{server}/lab/experiments/{experiment_id}/{kind}-data",
        data=data,
        headers={"Authorization": f"Token {caller.key}", "Content-Type": "text/csv"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def test_plutobio_reads_sample_and_assay_data(
    client: PlutoClient, live_server: Any, ada: Caller, tmp_path: Path
) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    upload(live_server.url, ada, experiment.pluto_id, "sample", SAMPLE_CSV)
    upload(live_server.url, ada, experiment.pluto_id, "assay", ASSAY_CSV)

    samples = client.get_sample_data(experiment.pluto_id, folder_path=str(tmp_path))
    assay = client.get_assay_data(experiment.pluto_id, folder_path=str(tmp_path))

    expected_samples = pd.DataFrame(
        {
            "sample_id": ["S1", "S2", "S3"],
            "condition": ["treated", "control", "treated"],
            "replicate": [1, 2, 3],
        }
    )
    pd.testing.assert_frame_equal(samples, expected_samples)
    assert list(assay.columns) == ["gene_symbol", "S1", "S2", "S3"]
    assert list(assay["gene_symbol"]) == ["ACTB", "MARCH1", "SEPT2", "1-Dec"]
    assert list(assay["S1"]) == [10, 0, 7, 1]
    assert pd.isna(assay.loc[1, "S3"])
    assert (tmp_path / f"{experiment.pluto_id}_assay_data.csv").exists()
