"""The published ``plutobio`` client reads a survival analysis's curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plutobio import PlutoClient

from pluto.server.analyses.compute.survival import COLUMNS
from pluto.server.analyses.kinds.survival_demo import generate_survival_cohort
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import csv_bytes, exp_path, get, put_csv, start_and_run
from tests.conftest import Caller, make_experiment, make_project

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_plutobio_reads_the_kaplan_meier_table(
    live_server: Any, ada: Caller, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cohort = generate_survival_cohort()
    experiment: Experiment = make_experiment(ada.user, make_project(ada.user), name="Cohort")
    put_csv(ada, experiment, "sample", csv_bytes(cohort.samples.reset_index()))
    parameters = {"time_column": "os_months", "event_column": "os_event", "group_column": "stage"}
    analysis = start_and_run(
        ada, experiment, {"analysis_type": "survival", "parameters": parameters}
    )
    plot_id = analysis["plot"]["uuid"]
    served = get(ada, exp_path(experiment, f"plots/{plot_id}/data/?limit=1000")).data
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)

    client = PlutoClient(token=ada.key)
    plot = client.get_plot(experiment.pluto_id, plot_id)
    table = client.get_plot_data(experiment.pluto_id, plot_id, folder_path=str(tmp_path))

    assert analysis["status"] == "complete", analysis["message"]
    assert plot.analysis_type == "survival"
    assert plot.display["display_type"] == "kaplan_meier_curve"
    assert list(table.columns) == list(COLUMNS)
    expected = pd.DataFrame(served["items"], columns=served["headers"])
    pd.testing.assert_frame_equal(table, expected, check_dtype=False)
