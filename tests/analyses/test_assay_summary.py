"""The assay summary over HTTP: created, run by the worker's code, read back as plot data,
figures and Methods; its refusals name the parameter."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from plutobio import PlutoClient

from pluto.cli.main import cli
from pluto.server.analyses.compute.versions import package_version
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    CountData,
    csv_bytes,
    exp_path,
    get,
    post_analysis,
    put_csv,
    start_and_run,
)
from tests.conftest import Caller, make_experiment, make_project
from tests.web.conftest import html, signed_in

COLUMNS = ["Sample_ID", "Library_Size", "Detected_Features", "Top_Share", "Q25", "Median", "Q75"]
REQUEST = {"analysis_type": "assay_summary", "name": "QC"}


def counts_frame(data: CountData) -> pd.DataFrame:
    """The uploaded counts, genes x samples."""
    return pd.read_csv(io.BytesIO(data.counts_csv)).set_index("gene_symbol")


def plot_base(experiment: Experiment, analysis: dict[str, Any]) -> str:
    """``…/plots/<plot>/`` of an analysis."""
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/")


@pytest.fixture
def summary(ada: Caller, experiment: Experiment) -> dict[str, Any]:
    """A completed assay summary of the generated experiment."""
    analysis = start_and_run(ada, experiment, REQUEST)
    assert analysis["status"] == "complete", analysis["message"]
    return analysis


def test_results_have_one_row_per_sample_with_its_library_size(
    ada: Caller, experiment: Experiment, data: CountData, summary: dict[str, Any]
) -> None:
    plot = ada.call("GET", plot_base(experiment, summary)).data
    page = get(ada, plot_base(experiment, summary) + "data/").data
    counts = counts_frame(data)

    assert plot["display"]["display_type"] == "box_plot"
    assert page["headers"] == COLUMNS and page["count"] == 8
    rows = page["items"]
    assert all(value is not None for row in rows for value in row.values())
    assert [row["Sample_ID"] for row in rows] == list(counts.columns)
    assert [row["Library_Size"] for row in rows] == counts.sum().tolist()
    assert [row["Detected_Features"] for row in rows] == (counts > 0).sum().tolist()
    assert all(0 < row["Top_Share"] < 1 for row in rows)
    assert all(0 < row["Q25"] <= row["Median"] <= row["Q75"] for row in rows)


def test_medians_are_of_log2_cpm_over_detected_genes(
    ada: Caller, experiment: Experiment, data: CountData, summary: dict[str, Any]
) -> None:
    page = get(ada, plot_base(experiment, summary) + "data/").data
    counts = counts_frame(data)

    for row in page["items"]:
        column = counts[row["Sample_ID"]]
        detected = column[column > 0]
        expected = np.median(np.log2(detected / column.sum() * 1e6 + 1))
        assert row["Median"] == pytest.approx(expected, rel=1e-12)


def test_methods_summary_and_parameters_say_what_ran(summary: dict[str, Any]) -> None:
    assert summary["parameters"] == {"normalization": "auto", "detected_only": True}
    assert f"numpy {package_version('numpy')}" in summary["methods"]
    assert "8 samples and 300 features (raw_counts)" in summary["methods"]
    assert summary["summary"]["samples"] == 8
    assert summary["summary"]["normalization"] == "cpm"
    assert sorted(summary["summary"]["display"]["whiskers"]) == sorted(
        f"S{i:02d}" for i in range(1, 9)
    )


def test_qc_is_a_name_for_the_assay_summary(ada: Caller, experiment: Experiment) -> None:
    created = post_analysis(ada, experiment, {"analysis_type": "qc"})

    assert created.status_code == 202, created.data
    assert created.data["analysis_type"] == "assay_summary"


def test_box_plot_figure_is_coloured_by_the_column_the_display_names(
    ada: Caller, experiment: Experiment, summary: dict[str, Any]
) -> None:
    base = plot_base(experiment, summary)
    plain = ada.call("GET", base + "figure/").data
    display = ada.call("GET", base).data["display"]

    edited = ada.call(
        "PUT", base + f"displays/{display['uuid']}/", {"options": {"color_by": "condition"}}
    )
    coloured = ada.call("GET", base + "figure/").data
    png = get(ada, base + "image.png")

    assert [trace["type"] for trace in plain["data"]] == ["box"]
    assert len(plain["data"][0]["q1"]) == 8
    assert plain["layout"]["yaxis"]["title"]["text"] == "log2(CPM + 1)"
    assert edited.status_code == 200, edited.data
    assert {trace["name"]: len(trace["x"]) for trace in coloured["data"]} == {
        "control": 4,
        "treated": 4,
    }
    assert png.status == 200 and png.body.startswith(b"\x89PNG")


def test_box_plot_options_it_does_not_know_are_refused(
    ada: Caller, experiment: Experiment, summary: dict[str, Any]
) -> None:
    base = plot_base(experiment, summary)
    display = ada.call("GET", base).data["display"]

    refused = ada.call("PUT", base + f"displays/{display['uuid']}/", {"options": {"top_n": 5}})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "options.top_n"


@pytest.mark.parametrize(
    ("parameters", "field", "words"),
    [
        ({"normalization": "tmm"}, "parameters.normalization", "must be one of"),
        ({"detected_only": "yes"}, "parameters.detected_only", "boolean"),
        ({"top_genes": 10}, "parameters.top_genes", "not a parameter"),
    ],
)
def test_bad_parameters_are_refused_naming_them(
    ada: Caller, experiment: Experiment, parameters: dict[str, Any], field: str, words: str
) -> None:
    refused = post_analysis(ada, experiment, {**REQUEST, "parameters": parameters})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == field
    assert words in refused.data["message"]


def tpm_experiment(ada: Caller, data: CountData) -> Experiment:
    """An experiment whose assay is the generated counts scaled to TPM-like values."""
    experiment = make_experiment(ada.user, make_project(ada.user), assay_data_units="tpm")
    counts = counts_frame(data)
    tpm = (counts / counts.sum() * 1e6).round(6).reset_index()
    put_csv(ada, experiment, "sample", data.samples_csv)
    put_csv(ada, experiment, "assay", csv_bytes(tpm))
    return experiment


def test_cpm_normalisation_of_tpm_is_refused_and_auto_shows_log2_tpm(
    ada: Caller, data: CountData
) -> None:
    experiment = tpm_experiment(ada, data)

    refused = post_analysis(ada, experiment, {**REQUEST, "parameters": {"normalization": "cpm"}})
    analysis = start_and_run(ada, experiment, REQUEST)
    figure = ada.call("GET", plot_base(experiment, analysis) + "figure/").data

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.normalization"
    assert "'tpm'" in refused.data["message"]
    assert analysis["status"] == "complete", analysis["message"]
    assert figure["layout"]["yaxis"]["title"]["text"] == "log2(TPM + 1)"


def test_an_experiment_without_samples_is_refused(ada: Caller, data: CountData) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    put_csv(ada, experiment, "assay", data.counts_csv)

    refused = post_analysis(ada, experiment, REQUEST)

    assert refused.status_code == 400
    assert "sample data" in refused.data["message"]


def test_values_on_a_log_scale_fail_with_a_message_to_act_on(ada: Caller, data: CountData) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), assay_data_units="intensity")
    logged = np.log2(counts_frame(data) + 0.5).reset_index()
    put_csv(ada, experiment, "sample", data.samples_csv)
    put_csv(ada, experiment, "assay", csv_bytes(logged))

    analysis = start_and_run(ada, experiment, REQUEST)

    assert analysis["status"] == "failed"
    assert "negative values" in analysis["message"]
    assert "before the log transform" in analysis["message"]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_plutobio_reads_the_assay_summary(
    live_server: Any,
    ada: Caller,
    experiment: Experiment,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    analysis = start_and_run(ada, experiment, REQUEST)
    monkeypatch.setenv("PLUTO_API_URL", live_server.url)

    client = PlutoClient(token=ada.key)
    table = client.get_plot_data(experiment.pluto_id, analysis["plot"]["uuid"], str(tmp_path))

    assert list(table.columns) == COLUMNS
    assert len(table) == 8 and not table.isna().any().any()
    assert table["Detected_Features"].dtype.kind == "i"


def test_the_plot_page_shows_the_box_plot_and_its_results(
    ada: Caller, experiment: Experiment, summary: dict[str, Any]
) -> None:
    page = html(
        signed_in(ada.user).get(
            f"/experiments/{experiment.pluto_id}/plots/{summary['plot']['uuid']}/"
        )
    )

    assert f'data-figure-url="{plot_base(experiment, summary)}figure/"' in page
    assert "Rows 1\u20138 of 8" in page and "Library_Size" in page


def test_the_api_lists_the_assay_summary_with_its_parameters(ada: Caller) -> None:
    listed = ada.call("GET", "/lab/analysis-types/").data["items"]

    (ours,) = [item for item in listed if item["analysis_type"] == "assay_summary"]
    assert ours["columns"] == COLUMNS
    assert ours["display_types"] == ["box_plot", "bar_plot"]
    assert "qc" in ours["aliases"]
    properties = ours["parameters"]["properties"]
    assert properties["normalization"]["enum"] == ["auto", "cpm", "none"]
    assert properties["detected_only"] == {**properties["detected_only"], "default": True}


def test_the_web_form_runs_an_assay_summary_over_all_features(
    ada: Caller, experiment: Experiment
) -> None:
    browser = signed_in(ada.user)
    url = f"/experiments/{experiment.pluto_id}/?tab=analysis"
    form = html(browser.get(url + "&type=assay_summary"))

    # The box left unticked: distributions over all features.
    sent = browser.post(
        url, {"action": "run_analysis", "analysis_type": "assay_summary", "normalization": "none"}
    )

    assert '<option value="auto" selected>auto</option>' in form
    assert 'name="detected_only" value="true" checked' in form
    assert sent.status_code == 302, html(sent)
    analysis = ada.call("GET", exp_path(experiment, "analyses/")).data["items"][0]
    assert analysis["parameters"] == {"normalization": "none", "detected_only": False}


def test_the_plot_page_offers_the_colour_column(
    ada: Caller, experiment: Experiment, summary: dict[str, Any]
) -> None:
    page = html(
        signed_in(ada.user).get(
            f"/experiments/{experiment.pluto_id}/plots/{summary['plot']['uuid']}/"
        )
    )

    assert 'name="color_by"' in page
    assert '<option value="condition" >condition</option>' in page


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_cli_starts_an_assay_summary_by_its_short_name(
    live_server: Any, ada: Caller, experiment: Experiment
) -> None:
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}
    command = ["analyze", experiment.pluto_id, "qc", "-p", "detected_only=false", "--json"]

    helped = CliRunner().invoke(cli, ["analyze", "--help"], env=env)
    started = CliRunner().invoke(cli, command, env=env)

    assert "assay_summary, qc, assay-summary: Per-sample quality control" in helped.output
    assert "detected_only (boolean, default True)" in helped.output
    assert started.exit_code == 0, started.output
    created = json.loads(started.output)
    assert created["analysis_type"] == "assay_summary"
    assert created["parameters"] == {"normalization": "auto", "detected_only": False}


def test_the_library_size_bars_are_the_plots_second_display(
    ada: Caller, experiment: Experiment, summary: dict[str, Any]
) -> None:
    base = plot_base(experiment, summary)
    displays = ada.call("GET", base + "displays/").data["items"]
    boxes = next(d for d in displays if d["display_type"] == "box_plot")
    shown_first = ada.call("GET", base).data["display"]["display_type"]

    archived = ada.call("PUT", base + f"displays/{boxes['uuid']}/", {"is_archived": True})
    shown_then = ada.call("GET", base).data["display"]["display_type"]
    bars = ada.call("GET", base + "figure/").data

    assert sorted(d["display_type"] for d in displays) == ["bar_plot", "box_plot"]
    assert shown_first == "box_plot"
    assert archived.status_code == 200
    assert shown_then == "bar_plot"
    assert {trace["type"] for trace in bars["data"]} == {"bar"}
