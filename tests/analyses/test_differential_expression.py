"""A differential expression analysis run end to end: its plot, results table, displays,
figure and images over the API."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pluto.server.analyses.models import Analysis
from tests.analyses.conftest import (
    DE_COLUMNS,
    DE_REQUEST,
    CountData,
    exp_path,
    get,
    post_analysis,
)
from tests.conftest import Caller
from tests.downloads import fetch_url

PLOT_KEYS = {"uuid", "analysis_type", "share_level", "status", "analysis", "display", "created_at"}


def plot_path(experiment: Any, analysis: dict[str, Any], rest: str = "") -> str:
    """``…/plots/<the analysis's plot>/<rest>``."""
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/{rest}")


def fetch_signed(url: str) -> tuple[int, bytes]:
    """GET a signed URL with no credentials at all."""
    fetched = fetch_url(url)
    return fetched.status, fetched.body


def test_a_completed_analysis_reports_progress_times_and_methods(
    completed_de: dict[str, Any], data: CountData
) -> None:
    analysis = completed_de

    assert analysis["status"] == "complete"
    assert analysis["progress"] == 1
    assert analysis["message"]
    assert analysis["started_at"] and analysis["finished_at"]
    assert analysis["finished_at"] >= analysis["started_at"] >= analysis["created_at"]
    assert "DESeq2" in analysis["methods"]
    assert "4 samples with condition = treated" in analysis["methods"]
    assert f"of {len(data.genes)} genes were kept" in analysis["methods"]
    assert analysis["summary"]["genes_in_matrix"] == len(data.genes)
    assert analysis["summary"]["genes_tested"] == len(data.genes) - 20
    assert "traceback" not in analysis


def test_the_plot_of_a_completed_analysis_has_the_api_shape(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    plot = ada.call("GET", plot_path(experiment, completed_de)).data

    assert set(plot) >= PLOT_KEYS
    assert plot["uuid"] == completed_de["plot"]["uuid"]
    assert plot["analysis_type"] == "differential_expression"
    assert plot["status"] == "complete"
    assert plot["share_level"] == "private"
    assert plot["analysis"]["uuid"] == completed_de["uuid"]
    assert plot["analysis"]["name"] == "Treated vs control"
    assert plot["analysis"]["pipeline_status"] == "completed"
    assert plot["analysis"]["pipeline_version"]
    assert plot["analysis"]["methods"] == completed_de["methods"]
    assert plot["display"]["display_type"] == "volcano_plot_v2"
    assert plot["display"]["plot_title"] == "Treated vs control"
    assert plot["display"]["is_archived"] is False
    assert plot["display"]["uuid"]


def test_volcano_data_is_column_major_with_the_results_columns(
    ada: Caller, experiment: Any, completed_de: dict[str, Any], data: CountData
) -> None:
    page = get(ada, plot_path(experiment, completed_de, "data/")).data

    assert page["headers"] == DE_COLUMNS
    assert len(page["items"]) == len(DE_COLUMNS)
    columns = dict(zip(page["headers"], page["items"], strict=True))
    count = page["count"]
    assert count == len(data.genes) - 20
    assert all(len(column) == count for column in columns.values())
    assert all(value is not None for column in columns.values() for value in column)
    assert all(isinstance(v, float) and math.isfinite(v) for v in columns["P_Value"])
    assert all(0 <= v <= 1 for v in columns["Adj_P_Value"])
    assert set(columns["Gene_Symbol"]) <= set(data.genes)


def test_changed_genes_are_called_with_the_right_direction(
    ada: Caller, experiment: Any, completed_de: dict[str, Any], data: CountData
) -> None:
    page = get(ada, plot_path(experiment, completed_de, "data/")).data
    table = pd.DataFrame(dict(zip(page["headers"], page["items"], strict=True)))
    significant = table[table["Adj_P_Value"] < 0.05].set_index("Gene_Symbol")

    up_found = [g for g in data.up if g in significant.index]
    down_found = [g for g in data.down if g in significant.index]
    assert len(up_found) >= len(data.up) * 0.8 and len(down_found) >= len(data.down) * 0.8
    assert (significant.loc[up_found, "Log2_Fold_Change"] > 0).all()
    assert (significant.loc[down_found, "Log2_Fold_Change"] < 0).all()


def test_data_pages_by_limit_and_offset(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    whole = get(ada, plot_path(experiment, completed_de, "data/")).data
    page = get(ada, plot_path(experiment, completed_de, "data/?limit=5&offset=10")).data
    past_end = get(ada, plot_path(experiment, completed_de, f"data/?offset={whole['count']}")).data
    too_large = get(ada, plot_path(experiment, completed_de, "data/?limit=100001"))

    assert page["count"] == whole["count"]
    assert page["headers"] == DE_COLUMNS
    assert [len(column) for column in page["items"]] == [5] * len(DE_COLUMNS)
    assert page["items"][0] == whole["items"][0][10:15]
    assert past_end["count"] == whole["count"] and past_end["items"] == [[]] * len(DE_COLUMNS)
    assert too_large.status == 400 and too_large.data["code"] == "limit_too_large"


@pytest.mark.parametrize("offset", [2**63, 10**20])
def test_data_offsets_beyond_64_bit_rows_are_an_empty_page(
    ada: Caller, experiment: Any, completed_de: dict[str, Any], offset: int
) -> None:
    whole = get(ada, plot_path(experiment, completed_de, "data/")).data
    past_end = get(ada, plot_path(experiment, completed_de, f"data/?offset={offset}"))

    assert past_end.status == 200, past_end.data
    assert past_end.data["count"] == whole["count"]
    assert past_end.data["items"] == [[]] * len(DE_COLUMNS)


def test_data_in_csv_arrow_and_parquet(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    whole = get(ada, plot_path(experiment, completed_de, "data/")).data
    csv = get(ada, plot_path(experiment, completed_de, "data/?format=csv"))
    arrow = get(ada, plot_path(experiment, completed_de, "data/?format=arrow"))
    parquet = get(ada, plot_path(experiment, completed_de, "data/?format=parquet"))

    from_csv = pd.read_csv(io.BytesIO(csv.body))
    from_arrow = pa.ipc.open_stream(arrow.body).read_all()
    from_parquet = pq.read_table(io.BytesIO(parquet.body))

    assert csv.headers["content-type"].startswith("text/csv")
    assert list(from_csv.columns) == DE_COLUMNS and len(from_csv) == whole["count"]
    assert from_arrow.column_names == DE_COLUMNS and from_arrow.num_rows == whole["count"]
    assert from_parquet.column_names == DE_COLUMNS
    assert from_parquet.column("Gene_Symbol").to_pylist() == whole["items"][0]
    assert csv.headers["x-total-count"] == str(whole["count"])


def test_download_gives_a_signed_csv_url_with_the_results_columns(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    count = get(ada, plot_path(experiment, completed_de, "data/")).data["count"]

    answer = ada.call("GET", plot_path(experiment, completed_de, "download/"))
    status, body = fetch_signed(answer.data["url"])
    table = pd.read_csv(io.BytesIO(body))

    assert answer.status_code == 200
    assert answer.data["url"].startswith(("http://", "https://"))
    assert status == 200
    assert list(table.columns) == DE_COLUMNS
    assert len(table) == count
    assert not table.isna().any().any()


def test_download_is_null_for_a_plot_without_data(ada: Caller, experiment: Any) -> None:
    pending = post_analysis(ada, experiment, DE_REQUEST).data

    answer = ada.call("GET", plot_path(experiment, pending, "download/"))
    page = get(ada, plot_path(experiment, pending, "data/"))

    assert answer.status_code == 200 and answer.data == {"url": None}
    assert page.status == 200 and page.data["count"] == 0


def test_displays_are_listed(ada: Caller, experiment: Any, completed_de: dict[str, Any]) -> None:
    displays = ada.call("GET", plot_path(experiment, completed_de, "displays/")).data

    assert displays["count"] == 1
    assert displays["items"][0]["display_type"] == "volcano_plot_v2"
    assert displays["items"][0]["plot_title"] == "Treated vs control"


def test_editing_a_display_changes_the_figure_without_rerunning(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    display = ada.call("GET", plot_path(experiment, completed_de, "displays/")).data["items"][0]
    before = ada.call("GET", plot_path(experiment, completed_de, "figure/")).data
    options = {"fold_change_threshold": 0.5, "p_value_threshold": 0.01, "label_genes": ["GENE1"]}

    edited = ada.call(
        "PUT",
        plot_path(experiment, completed_de, f"displays/{display['uuid']}/"),
        {"plot_title": "Drug response", "options": options},
    )
    after = ada.call("GET", plot_path(experiment, completed_de, "figure/")).data
    plot = ada.call("GET", plot_path(experiment, completed_de)).data

    assert edited.status_code == 200, edited.data
    assert edited.data["plot_title"] == "Drug response"
    assert edited.data["options"] == options
    assert plot["display"]["plot_title"] == "Drug response"
    assert after["layout"]["title"]["text"] == "Drug response"
    assert before["layout"]["title"]["text"] == "Treated vs control"
    assert [note["text"] for note in after["layout"]["annotations"]] == ["GENE1"]
    assert {shape["x0"] for shape in after["layout"]["shapes"]} == {-0.5, 0.5}
    assert Analysis.objects.count() == 1
    assert Analysis.objects.get().finished_at.isoformat()[:19] == completed_de["finished_at"][:19]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"options": {"fold_change_threshold": -1}}, "options.fold_change_threshold"),
        ({"options": {"p_value_threshold": "small"}}, "options.p_value_threshold"),
        ({"options": {"label_genes": "GENE1"}}, "options.label_genes"),
        ({"options": ["title"]}, "options"),
        ({"options": {"fold_change": 1}}, "options.fold_change"),
        ({"options": {"color_by": "batch"}}, "options.color_by"),
        ({"options": {"p_value_threshold": 2}}, "options.p_value_threshold"),
        ({"options": {"p_value_threshold": "0.01"}}, "options.p_value_threshold"),
        ({"options": {"label_top": -1}}, "options.label_top"),
        ({"options": {"label_top": 2.5}}, "options.label_top"),
        ({"options": {"use_adjusted_p_value": "no"}}, "options.use_adjusted_p_value"),
        ({"options": {"label_genes": ["GENE1", ""]}}, "options.label_genes"),
        ({"options": {"label_genes": ["G"] * 1001}}, "options.label_genes"),
        ({"options": {"x_label": "x" * 201}}, "options.x_label"),
        ({"is_archived": "no"}, "is_archived"),
        ({"display_type": "score_bar_plot"}, "display_type"),
        ({"plot_title": "Fine", "colour": "red"}, "colour"),
    ],
)
def test_bad_display_options_are_refused_naming_the_option(
    ada: Caller, experiment: Any, completed_de: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    display = ada.call("GET", plot_path(experiment, completed_de, "displays/")).data["items"][0]

    refused = ada.call(
        "PUT", plot_path(experiment, completed_de, f"displays/{display['uuid']}/"), body
    )

    after = ada.call("GET", plot_path(experiment, completed_de, "displays/")).data["items"][0]
    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"
    assert refused.data["details"]["field"] == field
    assert after == display


def test_the_volcano_figure_is_plotly_json(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    count = get(ada, plot_path(experiment, completed_de, "data/")).data["count"]

    figure = ada.call("GET", plot_path(experiment, completed_de, "figure/"))

    assert figure.status_code == 200
    assert set(figure.data) >= {"data", "layout"}
    assert sum(len(trace["x"]) for trace in figure.data["data"]) == count
    assert figure.data["layout"]["xaxis"]["title"]["text"]
    assert len(figure.data["layout"]["annotations"]) == 10
    json.dumps(figure.data, allow_nan=False)


def test_the_figure_of_a_pending_plot_is_not_found(ada: Caller, experiment: Any) -> None:
    pending = post_analysis(ada, experiment, DE_REQUEST).data

    assert ada.call("GET", plot_path(experiment, pending, "figure/")).status_code == 404


def test_png_and_svg_images_are_real_images(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    png = get(ada, plot_path(experiment, completed_de, "image.png/"))
    svg = get(ada, plot_path(experiment, completed_de, "image.svg/"))
    other = get(ada, plot_path(experiment, completed_de, "image.gif/"))

    assert png.status == 200 and png.headers["content-type"] == "image/png"
    assert png.body.startswith(b"\x89PNG\r\n\x1a\n")
    assert svg.status == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in svg.body[:2000]
    assert other.status == 404


def test_unchanged_data_pages_answer_304(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    first = get(ada, plot_path(experiment, completed_de, "data/?limit=10"))

    again = get(
        ada,
        plot_path(experiment, completed_de, "data/?limit=10"),
        HTTP_IF_NONE_MATCH=first.headers["etag"],
    )
    other_page = get(
        ada,
        plot_path(experiment, completed_de, "data/?limit=11"),
        HTTP_IF_NONE_MATCH=first.headers["etag"],
    )

    assert again.status == 304
    assert other_page.status == 200


def test_download_names_the_file_as_asked(
    ada: Caller, experiment: Any, completed_de: dict[str, Any]
) -> None:
    answer = ada.call("GET", plot_path(experiment, completed_de, "download/?filename=volcano.csv"))
    fetched = fetch_url(answer.data["url"])

    assert fetched.status == 200
    assert 'filename="volcano.csv"' in fetched.headers["content-disposition"]
