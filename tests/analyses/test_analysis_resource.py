"""Analyses as a resource (API.md): pipeline statuses, the analysis fields of the newer Pluto
API, results summaries searched and sorted, headline numbers and signed links."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from pluto.server.analyses.models import Analysis
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    DE_REQUEST,
    exp_path,
    post_analysis,
    run_analysis,
    start_and_run,
)
from tests.analyses.test_differential_expression import fetch_signed
from tests.conftest import Caller

PCA_REQUEST = {"analysis_type": "principal_components", "parameters": {"group_column": "condition"}}


def analysis_path(experiment: Experiment, analysis: dict[str, Any], rest: str = "") -> str:
    """``…/analyses/<analysis>/<rest>``."""
    return exp_path(experiment, f"analyses/{analysis['uuid']}/{rest}")


def results_frame(ada: Caller, experiment: Experiment, analysis: dict[str, Any]) -> pd.DataFrame:
    """The whole results table, read from the plot's data in CSV."""
    answer = ada.call(
        "GET", exp_path(experiment, f"plots/{analysis['plot']['uuid']}/data/?format=csv")
    )
    return pd.read_csv(io.BytesIO(answer.content))


def test_an_analysis_carries_the_newer_api_fields(ada: Caller, experiment: Experiment) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data

    listed = ada.call("GET", exp_path(experiment, "analyses/")).data["items"][0]

    for analysis in (created, listed):
        assert analysis["pipeline_status"] == "pending"
        assert analysis["status"] == "pending"
        assert analysis["share_level"] == "private"
        assert analysis["is_archived"] is False
        assert analysis["display_type"] == "volcano_plot_v2"
        assert analysis["display"]["display_type"] == "volcano_plot_v2"


def test_pipeline_status_follows_the_run_in_the_pluto_words(
    ada: Caller, experiment: Experiment
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data
    Analysis.objects.filter(uuid=created["uuid"]).update(status="running")
    running = ada.call("GET", analysis_path(experiment, created)).data
    Analysis.objects.filter(uuid=created["uuid"]).update(status="pending")
    run_analysis(created["uuid"])
    done = ada.call("GET", analysis_path(experiment, created)).data
    plot = ada.call("GET", exp_path(experiment, f"plots/{created['plot']['uuid']}/")).data

    assert running["pipeline_status"] == "in_progress" and running["status"] == "running"
    assert done["pipeline_status"] == "completed" and done["status"] == "complete"
    assert plot["analysis"]["pipeline_status"] == "completed"


def test_a_cancelled_analysis_is_canceled_in_pipeline_status(
    ada: Caller, experiment: Experiment
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data

    cancelled = ada.call("POST", analysis_path(experiment, created, "cancel/")).data
    plot = ada.call("GET", exp_path(experiment, f"plots/{created['plot']['uuid']}/")).data

    assert cancelled["status"] == "cancelled"
    assert cancelled["pipeline_status"] == "canceled"
    assert plot["analysis"]["pipeline_status"] == "canceled"


def test_an_archived_plot_shows_its_analysis_archived(ada: Caller, experiment: Experiment) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data
    Analysis.objects.get(uuid=created["uuid"]).plot.__class__.objects.filter(
        uuid=created["plot"]["uuid"]
    ).update(is_archived=True, share_level="shareable")

    analysis = ada.call("GET", analysis_path(experiment, created)).data

    assert analysis["is_archived"] is True and analysis["share_level"] == "shareable"


def test_the_summary_pages_the_results_100_rows_at_a_time(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    stored = results_frame(ada, experiment, completed_de)

    page = ada.call("GET", analysis_path(experiment, completed_de, "summary/")).data
    second = ada.call(
        "GET", analysis_path(experiment, completed_de, "summary/?offset=100&limit=5")
    ).data

    assert page["headers"] == list(stored.columns)
    assert page["count"] == len(stored) and len(page["items"]) == 100
    assert page["items"][0]["Gene_Symbol"] == stored["Gene_Symbol"][0]
    assert [r["Gene_Symbol"] for r in second["items"]] == list(stored["Gene_Symbol"][100:105])


def test_the_summary_sorts_by_absolute_fold_change_descending(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    stored = results_frame(ada, experiment, completed_de)
    expected = stored.assign(a=stored["Log2_Fold_Change"].abs()).sort_values(
        "a", ascending=False, kind="stable"
    )

    page = ada.call(
        "GET",
        analysis_path(experiment, completed_de, "summary/?sort_by=-abs_log2_fold_change&limit=20"),
    ).data
    ascending = ada.call(
        "GET", analysis_path(experiment, completed_de, "summary/?sort_by=p_value&limit=5")
    ).data

    assert [r["Gene_Symbol"] for r in page["items"]] == list(expected["Gene_Symbol"][:20])
    assert page["count"] == len(stored)
    p_values = [r["P_Value"] for r in ascending["items"]]
    assert p_values == pytest.approx(sorted(stored["P_Value"])[:5], rel=1e-12)


def test_the_summary_search_matches_the_gene_ids(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    stored = results_frame(ada, experiment, completed_de)
    wanted = stored[stored["Gene_Symbol"].str.lower().str.contains("gene12")]

    page = ada.call("GET", analysis_path(experiment, completed_de, "summary/?search=GENE12")).data

    assert page["count"] == len(wanted) > 1
    assert [r["Gene_Symbol"] for r in page["items"]] == list(wanted["Gene_Symbol"])


def test_an_unknown_sort_column_is_refused_naming_sort_by(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    unknown = ada.call("GET", analysis_path(experiment, completed_de, "summary/?sort_by=-pvalue"))
    not_numbers = ada.call(
        "GET", analysis_path(experiment, completed_de, "summary/?sort_by=abs_gene_symbol")
    )

    for answer in (unknown, not_numbers):
        assert answer.status_code == 400
        assert answer.data["code"] == "invalid"
        assert answer.data["details"]["field"] == "sort_by"
        assert "p_value" in answer.data["details"]["allowed"]
    assert "number column" in not_numbers.data["message"]


def test_a_pending_analysis_has_an_empty_summary_and_no_stats(
    ada: Caller, experiment: Experiment
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data

    summary = ada.call("GET", analysis_path(experiment, created, "summary/")).data
    stats = ada.call("GET", analysis_path(experiment, created, "stats/"))
    link = ada.call("GET", analysis_path(experiment, created, "spreadsheet-analysis-signed-url/"))

    assert summary == {"headers": [], "count": 0, "items": []}
    assert stats.status_code == 200 and stats.data == {}
    assert link.status_code == 404 and "no results yet" in link.data["message"]


def test_differential_expression_stats_count_genes_up_and_down_at_its_alpha(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    stored = results_frame(ada, experiment, completed_de)
    significant = stored[stored["Adj_P_Value"] < 0.05]

    stats = ada.call("GET", analysis_path(experiment, completed_de, "stats/")).data

    assert stats["genes_tested"] == len(stored)
    assert stats["genes_up"] == int((significant["Log2_Fold_Change"] > 0).sum())
    assert stats["genes_down"] == int((significant["Log2_Fold_Change"] < 0).sum())
    assert stats["genes_significant"] == len(significant)
    assert stats["alpha"] == 0.05
    assert stats["samples_experimental"] == stats["samples_control"] == 4
    assert "warnings" not in stats and "display" not in stats


def test_pca_stats_give_the_variance_explained(ada: Caller, experiment: Experiment) -> None:
    pca = start_and_run(ada, experiment, PCA_REQUEST)

    stats = ada.call("GET", analysis_path(experiment, pca, "stats/")).data

    assert len(stats["variance_explained"]) == 5
    assert 0 < stats["variance_explained"][0] <= 1
    assert stats["samples"] == 8


def test_the_spreadsheet_link_downloads_the_results_as_csv(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    stored = results_frame(ada, experiment, completed_de)

    link = ada.call(
        "GET", analysis_path(experiment, completed_de, "spreadsheet-analysis-signed-url/")
    ).data
    status, body = fetch_signed(link["url"])

    assert status == 200
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(body)), stored, rtol=1e-12)


def test_the_image_link_downloads_the_figure_as_png(
    ada: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    first = ada.call(
        "GET", analysis_path(experiment, completed_de, "image-analysis-signed-url/")
    ).data
    again = ada.call(
        "GET", analysis_path(experiment, completed_de, "image-analysis-signed-url/")
    ).data
    status, body = fetch_signed(first["url"])

    assert status == 200 and body.startswith(b"\x89PNG\r\n\x1a\n")
    assert fetch_signed(again["url"])[1] == body


def test_another_users_analysis_is_not_found(
    ada: Caller, bob: Caller, experiment: Experiment, completed_de: dict[str, Any]
) -> None:
    for rest in ("summary/", "stats/", "image-analysis-signed-url/"):
        answer = bob.call("GET", analysis_path(experiment, completed_de, rest))
        assert answer.status_code == 404, rest
