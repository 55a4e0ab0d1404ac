"""Analyses that fail while running: the scientist sees a message they can act on, the
operator finds the traceback on the row, and the API never shows it."""

from __future__ import annotations

import io

import pandas as pd

from pluto.server.analyses import inputs
from pluto.server.analyses.execution import UNEXPECTED
from pluto.server.analyses.models import Analysis
from pluto.server.lab.models import Experiment
from pluto.server.storage import get_storage
from tests.analyses.conftest import (
    DE_REQUEST,
    CountData,
    csv_bytes,
    exp_path,
    get,
    post_analysis,
    put_csv,
    run_analysis,
)
from tests.conftest import Caller, make_experiment, make_project


def zero_counts(data: CountData) -> bytes:
    """The generated count table with every count set to zero."""
    counts = pd.read_csv(io.BytesIO(data.counts_csv))
    counts.iloc[:, 1:] = 0
    return csv_bytes(counts)


def test_an_analysis_the_data_cannot_support_fails_with_the_reason(
    ada: Caller, data: CountData
) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    put_csv(ada, experiment, "sample", data.samples_csv)
    put_csv(ada, experiment, "assay", zero_counts(data))
    created = post_analysis(ada, experiment, DE_REQUEST)
    assert created.status_code == 202, created.data

    row = run_analysis(created.data["uuid"])
    analysis = ada.call("GET", exp_path(experiment, f"analyses/{created.data['uuid']}/")).data
    plot = ada.call("GET", exp_path(experiment, f"plots/{created.data['plot']['uuid']}/")).data
    download = ada.call("GET", exp_path(experiment, f"plots/{plot['uuid']}/download/")).data

    assert analysis["status"] == "failed"
    assert "No gene has at least 3 reads" in analysis["message"]
    assert "min_count" in analysis["message"]
    assert analysis["finished_at"] is not None
    assert plot["status"] == "failed"
    assert plot["analysis"]["pipeline_status"] == "unprocessable"
    assert download == {"url": None}
    assert row.traceback == ""


def test_an_unexpected_error_shows_a_plain_message_and_keeps_the_traceback(
    ada: Caller, experiment: Experiment
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST)
    assert created.status_code == 202
    assay = inputs.current_dataset(experiment, "assay")
    assert assay is not None
    get_storage().delete(assay.storage_key)

    row = run_analysis(created.data["uuid"])
    answer = ada.call("GET", exp_path(experiment, f"analyses/{created.data['uuid']}/"))
    listed = ada.call("GET", exp_path(experiment, "analyses/"))
    plot = get(ada, exp_path(experiment, f"plots/{created.data['plot']['uuid']}/"))

    assert row.status == "failed"
    assert "Traceback (most recent call last)" in row.traceback
    # The local folder's and S3's own words for an object that is gone.
    assert any(words in row.traceback for words in ("No such file", "is missing"))
    assert answer.data["status"] == "failed"
    assert answer.data["message"] == UNEXPECTED
    assert answer.data["pipeline_status"] == plot.data["analysis"]["pipeline_status"] == "failed"
    for body in (answer.content, listed.content, plot.body):
        assert b"Traceback" not in body
        assert b"traceback" not in body
        assert assay.storage_key.encode() not in body


def test_failed_analyses_can_be_run_again(ada: Caller, experiment: Experiment) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data
    assay = inputs.current_dataset(experiment, "assay")
    assert assay is not None
    with get_storage().open(assay.storage_key) as handle:
        stored = handle.read()
    get_storage().delete(assay.storage_key)
    assert run_analysis(created["uuid"]).status == "failed"
    get_storage().put(assay.storage_key, stored)

    rerun = ada.call("POST", exp_path(experiment, f"analyses/{created['uuid']}/rerun/"), {})
    second = run_analysis(rerun.data["uuid"])

    assert rerun.status_code == 202
    assert second.status == "complete", second.message
    assert Analysis.objects.get(uuid=created["uuid"]).status == "failed"
