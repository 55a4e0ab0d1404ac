"""Plots, analyses and results tables through the SDK against a live Pluto server."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import pluto
from pluto.client.client import Client, experiment_path
from pluto.server.lab.models import Experiment
from tests.client.test_live_tables import assay_frame, sample_frame

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

RESULTS = pd.DataFrame(
    {
        "Gene_Symbol": ["SEPT2", "MARCH1", "1-Dec"],
        "Log2_Fold_Change": [1.5, -2.25, 0.125],
        "P_Value": [0.001, 0.02, 0.5],
    }
)


@pytest.fixture
def ready(sdk: Client, experiment: Experiment) -> Experiment:
    """The experiment with sample and assay data, so analyses can start."""
    sdk.upload_sample_data(experiment.pluto_id, sample_frame())
    sdk.upload_assay_data(experiment.pluto_id, assay_frame())
    return experiment


def test_an_external_plot_s_results_are_read_as_results(
    sdk: Client, experiment: Experiment, tmp_path: Path
) -> None:
    results_csv = tmp_path / "results.csv"
    RESULTS.to_csv(results_csv, index=False)
    results_file = sdk.upload_file(experiment, results_csv, data_type="external", progress=False)
    body = {"name": "Custom volcano", "results_file_id": results_file.uuid, "origin": "python"}
    created = sdk.send("POST", experiment_path(experiment, "external/plots/"), body)

    plots = sdk.list_plots(experiment.pluto_id)
    frame = sdk.read(experiment.pluto_id, "results", created["uuid"], quiet=True)

    assert [p.uuid for p in plots] == [created["uuid"]]
    assert plots[0].analysis_type == "external"
    pd.testing.assert_frame_equal(frame, RESULTS)


def test_an_analysis_is_started_listed_with_its_plot_and_cancelled(
    sdk: Client, ready: Experiment
) -> None:
    started = sdk.create_analysis(ready.pluto_id, "pca", {"top_genes": 10}, name="First look")

    listed = sdk.list_analyses(ready.pluto_id)
    plot = sdk.get_plot(ready.pluto_id, started.plot_id)
    cancelled = sdk.cancel_analysis(started)

    assert isinstance(started, pluto.Analysis)
    assert (started.analysis_type, started.name) == ("principal_components", "First look")
    assert started.status in ("pending", "running") and started.parameters["top_genes"] == 10
    assert [a.uuid for a in listed] == [started.uuid]
    assert plot.analysis_id == started.uuid and plot.analysis_type == "principal_components"
    assert [p.uuid for p in sdk.list_plots(ready.pluto_id)] == [plot.uuid]
    assert cancelled.status == "cancelled"
    with pytest.raises(pluto.AnalysisFailed) as caught:
        sdk.wait(started, timeout=10, progress=False)
    assert caught.value.code == "analysis_cancelled"


def test_bad_analysis_parameters_are_refused_naming_the_parameter(
    sdk: Client, ready: Experiment
) -> None:
    with pytest.raises(pluto.InvalidRequest) as caught:
        sdk.create_analysis(ready.pluto_id, "differential-expression", {"group_column": "nope"})

    assert caught.value.status == 400
    assert "parameters" in str(caught.value.details.get("field", ""))
