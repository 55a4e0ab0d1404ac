"""The published ``plutobio`` client against a live server: plots, plot data and external
plots made with ``create_or_update_plot``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from plutobio import PlutoClient

from pluto.server.analyses.models import Plot
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    DE_COLUMNS,
    DE_REQUEST,
    CountData,
    post_analysis,
    run_analysis,
)
from tests.conftest import Caller

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plutobio_client(live_server: Any, ada: Caller, monkeypatch: pytest.MonkeyPatch) -> PlutoClient:
    """A ``PlutoClient`` pointed at the live server through ``PLUTO_API_URL``, as users do."""
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)
    return PlutoClient(token=ada.key)


@pytest.fixture
def de_plot(ada: Caller, experiment: Experiment) -> str:
    """The plot uuid of a completed differential expression analysis."""
    created = post_analysis(ada, experiment, DE_REQUEST)
    assert created.status_code == 202, created.data
    assert run_analysis(created.data["uuid"]).status == "complete"
    return str(created.data["plot"]["uuid"])


def test_plutobio_lists_and_gets_plots(
    plutobio_client: PlutoClient, experiment: Experiment, de_plot: str
) -> None:
    plots = plutobio_client.list_plots(experiment.pluto_id)
    plot = plutobio_client.get_plot(experiment.pluto_id, de_plot)

    assert [p.uuid for p in plots] == [de_plot]
    assert plot.uuid == de_plot
    assert plot.analysis_type == "differential_expression"
    assert plot.status == "complete"
    assert plot.display["display_type"] == "volcano_plot_v2"
    assert "DESeq2" in plot.analysis["methods"]


def test_plutobio_reads_plot_data_through_the_download_link(
    plutobio_client: PlutoClient,
    experiment: Experiment,
    de_plot: str,
    data: CountData,
    tmp_path: Path,
) -> None:
    table = plutobio_client.get_plot_data(experiment.pluto_id, de_plot, folder_path=str(tmp_path))

    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == DE_COLUMNS
    assert len(table) == len(data.genes) - 20
    assert not table.isna().any().any()
    assert (tmp_path / f"{de_plot}_plot_data.csv").exists()


def test_plutobio_creates_then_updates_an_external_plot(
    plutobio_client: PlutoClient, experiment: Experiment, tmp_path: Path
) -> None:
    display = tmp_path / "clusters.html"
    display.write_text("<html><body>Clusters</body></html>\n")
    results = tmp_path / "clusters.csv"
    results.write_text("cluster,cells\nA,120\nB,80\n")
    script = tmp_path / "clusters.py"
    script.write_text("print('clusters')\n")
    changed = tmp_path / "clusters-v2.csv"
    changed.write_text("cluster,cells,score\nA,121,0.5\nB,79,0.25\nC,3,1.0\n")

    created = plutobio_client.create_or_update_plot(
        experiment.pluto_id,
        name="Cluster sizes",
        methods_str_or_path="Leiden clustering at resolution 1.",
        display_file_path=str(display),
        results_file_path=str(results),
        script_file_path=str(script),
    )
    first = plutobio_client.get_plot_data(experiment.pluto_id, created.uuid, str(tmp_path))
    updated = plutobio_client.create_or_update_plot(
        experiment.pluto_id,
        plot_uuid=created.uuid,
        methods_str_or_path="Leiden clustering at resolution 0.8.",
        results_file_path=str(changed),
    )
    second = plutobio_client.get_plot_data(experiment.pluto_id, created.uuid, str(tmp_path))

    assert created.analysis_type == "external"
    assert created.name == "Cluster sizes"
    assert first.to_dict("list") == {"cluster": ["A", "B"], "cells": [120, 80]}
    assert updated["uuid"] == created.uuid
    assert updated["analysis"]["methods"] == "Leiden clustering at resolution 0.8."
    assert list(second.columns) == ["cluster", "cells", "score"] and len(second) == 3
    stored = Plot.objects.get(uuid=created.uuid)
    assert stored.display_file is not None and stored.display_file.filename == "clusters.html"
    assert stored.script_file is not None and stored.script_file.filename == "clusters.py"
    assert [p.uuid for p in plutobio_client.list_plots(experiment.pluto_id)] == [created.uuid]
