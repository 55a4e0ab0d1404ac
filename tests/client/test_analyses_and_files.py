"""Waiting for analyses and downloading files, against a small real HTTP server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

import pluto
from pluto.client.client import Client
from pluto.client.models import Analysis
from tests.client.fake_server import FakePluto, Reply, json_table, ranged_file

EXPERIMENT = "/lab/experiments/PLX140206"
ANALYSIS_ID = "a0000000-0000-4000-8000-000000000001"
PLOT_ID = "b0000000-0000-4000-8000-000000000002"
FILE_ID = "c0000000-0000-4000-8000-000000000003"


def analysis_json(status: str, progress: float = 0.0, **fields: Any) -> dict[str, Any]:
    """An analysis as the API shows it."""
    return {
        "uuid": ANALYSIS_ID,
        "analysis_type": "principal_components",
        "name": "PCA",
        "parameters": {"top_genes": 500},
        "status": status,
        "progress": progress,
        "message": "",
        "plot": {"uuid": PLOT_ID},
        "created_at": "2026-11-30T12:00:00Z",
        "started_at": None,
        "finished_at": None,
        "future_field": "kept",
        **fields,
    }


def test_an_analysis_is_created_with_its_type_and_parameters_and_keywords(
    fake: FakePluto, fake_client: Client
) -> None:
    fake.script("POST", f"{EXPERIMENT}/analyses/", Reply(202, analysis_json("pending")))

    analysis = fake_client.create_analysis(
        "PLX140206", "pca", {"top_genes": 500}, group_column="condition"
    )

    assert isinstance(analysis, Analysis)
    assert (analysis.status, analysis.plot_id, analysis.experiment_id) == (
        "pending",
        PLOT_ID,
        "PLX140206",
    )
    assert analysis.raw["future_field"] == "kept" and "future_field" not in repr(analysis)
    sent = fake.requests_to(f"{EXPERIMENT}/analyses/")[0].body
    assert b'"analysis_type": "pca"' in sent and b'"top_genes": 500' in sent
    assert b'"group_column": "condition"' in sent


def test_waiting_polls_until_the_analysis_completes(fake: FakePluto, fake_client: Client) -> None:
    path = f"{EXPERIMENT}/analyses/{ANALYSIS_ID}/"
    fake.script(
        "GET",
        path,
        Reply(200, analysis_json("running", 0.4)),
        Reply(200, analysis_json("complete", 1.0)),
    )
    started = Analysis.from_json(analysis_json("pending"), "PLX140206")

    finished = fake_client.wait(started, timeout=10, progress=False)

    assert finished.succeeded and finished.progress == 1.0
    assert len(fake.requests_to(path)) == 2


def test_a_failed_analysis_raises_with_the_server_s_message(
    fake: FakePluto, fake_client: Client
) -> None:
    message = "Column 'condition' is not in the sample data."
    failed = analysis_json("failed", 0.1, message=message)
    fake.script("GET", f"{EXPERIMENT}/analyses/{ANALYSIS_ID}/", Reply(200, failed))

    with pytest.raises(pluto.AnalysisFailed, match="Column 'condition'") as caught:
        fake_client.wait(Analysis.from_json(analysis_json("running"), "PLX140206"), progress=False)

    assert caught.value.analysis.status == "failed"


def test_waiting_gives_up_after_the_timeout(fake: FakePluto, fake_client: Client) -> None:
    fake.script(
        "GET", f"{EXPERIMENT}/analyses/{ANALYSIS_ID}/", Reply(200, analysis_json("running"))
    )

    with pytest.raises(pluto.WaitTimedOut, match="still running"):
        fake_client.wait(
            Analysis.from_json(analysis_json("running"), "PLX140206"), timeout=0.3, progress=False
        )


def test_the_results_of_an_analysis_are_its_plot_s_data(
    fake: FakePluto, fake_client: Client
) -> None:
    rows = [{"Sample_ID": "S1", "PC1": 1.5, "PC2": -0.5}]
    fake.route(
        "GET", f"{EXPERIMENT}/plots/{PLOT_ID}/data/", json_table(["Sample_ID", "PC1", "PC2"], rows)
    )

    results = fake_client.analysis_results(
        Analysis.from_json(analysis_json("complete"), "PLX140206"), quiet=True
    )

    assert results.to_dict("records") == rows


def test_a_download_continues_with_range_after_the_connection_breaks(
    fake: FakePluto, fake_client: Client, tmp_path: Path
) -> None:
    content = os.urandom(300_000)
    link = {"url": f"{fake.url}/signed/abc"}
    fake.script("GET", f"{EXPERIMENT}/files/{FILE_ID}/download/", Reply(200, link))
    fake.route("GET", "/signed/abc", ranged_file(content, cut_first_at=100_000))

    saved = fake_client.download_file("PLX140206", FILE_ID, tmp_path, progress=False)

    assert saved == tmp_path / "protocol.pdf"
    assert saved.read_bytes() == content
    ranges = [r.header("Range") for r in fake.requests_to("/signed/abc")]
    assert ranges[0] is None and ranges[1] is not None and ranges[1] != "bytes=0-"
    assert all(r.header("Authorization") is None for r in fake.requests_to("/signed/abc"))
    assert not list(tmp_path.glob("*.part"))
