"""Creating, listing, cancelling and re-running analyses over the API, and who may do it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pluto.server.analyses.models import Analysis
from tests.analyses.conftest import (
    DE_PARAMETERS,
    DE_REQUEST,
    CountData,
    exp_path,
    post_analysis,
    put_csv,
    run_analysis,
    upload_counts,
)
from tests.conftest import Caller, make_experiment, make_project

ANALYSIS_KEYS = {
    "uuid",
    "analysis_type",
    "name",
    "parameters",
    "status",
    "progress",
    "message",
    "methods",
    "plot",
    "created_at",
    "started_at",
    "finished_at",
}


def test_creating_an_analysis_answers_202_with_defaults_filled_in(
    ada: Caller, experiment: Any
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST)

    assert created.status_code == 202, created.data
    analysis = created.data
    assert set(analysis) >= ANALYSIS_KEYS
    assert analysis["analysis_type"] == "differential_expression"
    assert analysis["name"] == "Treated vs control"
    assert analysis["status"] == "pending"
    assert analysis["progress"] == 0
    assert analysis["methods"] == ""
    assert analysis["started_at"] is None and analysis["finished_at"] is None
    assert analysis["created_at"][:10].count("-") == 2
    assert analysis["parameters"] == {
        "group_column": "condition",
        "experimental_values": ["treated"],
        "control_values": ["control"],
        "covariates": [],
        "min_count": 3,
        "min_sample_fraction": 0.2,
        "alpha": 0.05,
    }
    assert analysis["plot"]["uuid"]


def test_the_new_analysis_plot_is_listed_at_once_as_pending(ada: Caller, experiment: Any) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data

    plots = ada.call("GET", exp_path(experiment, "plots/")).data
    analyses = ada.call("GET", exp_path(experiment, "analyses/")).data

    assert plots["count"] == 1
    plot = plots["items"][0]
    assert plot["uuid"] == created["plot"]["uuid"]
    assert plot["status"] == "pending"
    assert plot["analysis_type"] == "differential_expression"
    assert plot["analysis"]["uuid"] == created["uuid"]
    assert plot["analysis"]["pipeline_status"] == "pending"
    assert plot["display"]["display_type"] == "volcano_plot_v2"
    assert analyses["count"] == 1 and analyses["items"][0]["uuid"] == created["uuid"]


def test_the_experiment_counts_its_plots(ada: Caller, experiment: Any) -> None:
    before = ada.call("GET", exp_path(experiment, "")).data["plot_count"]
    post_analysis(ada, experiment, DE_REQUEST)
    post_analysis(ada, experiment, {"analysis_type": "principal_components", "parameters": {}})

    after = ada.call("GET", exp_path(experiment, "")).data["plot_count"]
    listed = ada.call("GET", "/lab/experiments/").data["items"][0]["plot_count"]

    assert (before, after, listed) == (0, 2, 2)


def test_default_name_comes_from_the_analysis_type(ada: Caller, experiment: Any) -> None:
    created = post_analysis(
        ada, experiment, {"analysis_type": "principal_components", "parameters": {}}
    )

    assert created.status_code == 202, created.data
    assert created.data["name"] == "Principal components"
    assert created.data["parameters"] == {"group_column": None, "top_genes": 500}


def de_with(**changes: Any) -> dict[str, Any]:
    """The default DE request with some parameters changed."""
    return {**DE_REQUEST, "parameters": {**DE_PARAMETERS, **changes}}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"analysis_type": "astrology", "parameters": {}}, "analysis_type"),
        ({"parameters": {}}, "analysis_type"),
        (de_with(group_column="genotype"), "parameters.group_column"),
        (de_with(experimental_values=["knockout"]), "parameters.experimental_values"),
        (de_with(control_values=["mock"]), "parameters.control_values"),
        (de_with(covariates=["flowcell"]), "parameters.covariates"),
        (de_with(min_count=-1), "parameters.min_count"),
        (de_with(alpha=1.5), "parameters.alpha"),
        (de_with(surprise=1), "parameters.surprise"),
        ({**DE_REQUEST, "parameters": ["condition"]}, "parameters"),
        (
            {"analysis_type": "umap", "parameters": {"n_neighbors": 1}},
            "parameters.n_neighbors",
        ),
        (
            {"analysis_type": "principal_components", "parameters": {"group_column": "tissue"}},
            "parameters.group_column",
        ),
    ],
)
def test_bad_parameters_are_refused_at_creation_naming_the_field(
    ada: Caller, experiment: Any, body: dict[str, Any], field: str
) -> None:
    refused = post_analysis(ada, experiment, body)

    assert refused.status_code == 400, refused.data
    assert refused.data["code"] == "invalid"
    assert refused.data["details"]["field"] == field
    assert refused.data["message"]
    assert not Analysis.objects.exists()


def test_a_group_of_one_sample_is_refused(ada: Caller, data: CountData) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    upload_counts(ada, experiment, data)
    samples = data.samples_csv.decode().splitlines()
    relabelled = [samples[0]] + [
        line.replace("treated", "spare", 1) if line.startswith(("S05", "S06", "S07")) else line
        for line in samples[1:]
    ]
    put_csv(ada, experiment, "sample", ("\n".join(relabelled) + "\n").encode())

    refused = post_analysis(ada, experiment, DE_REQUEST)

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.experimental_values"
    assert "1 sample" in refused.data["message"] and "at least 2" in refused.data["message"]


def test_differential_expression_refuses_non_count_units(ada: Caller, data: CountData) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user), assay_data_units="tpm")
    upload_counts(ada, experiment, data)

    refused = post_analysis(ada, experiment, DE_REQUEST)

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.units"
    assert "tpm" in refused.data["message"]


def test_an_analysis_needs_the_sample_table(ada: Caller, data: CountData) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    put_csv(ada, experiment, "assay", data.counts_csv)

    refused = post_analysis(ada, experiment, DE_REQUEST)

    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"
    assert "sample data" in refused.data["message"]
    assert refused.data["details"]["field"]


def test_an_analysis_needs_the_assay_table(ada: Caller, data: CountData) -> None:
    experiment = make_experiment(ada.user, make_project(ada.user))
    put_csv(ada, experiment, "sample", data.samples_csv)

    refused = post_analysis(ada, experiment, DE_REQUEST)

    assert refused.status_code == 400
    assert "assay data" in refused.data["message"]


def test_unknown_top_level_fields_are_refused(ada: Caller, experiment: Any) -> None:
    refused = post_analysis(ada, experiment, {**DE_REQUEST, "priority": "high"})

    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"


def test_a_viewer_may_read_but_not_run_or_cancel(
    ada: Caller, bob: Caller, experiment: Any, add_member: Callable[[Caller, str], Caller]
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data
    viewer = add_member(bob, "viewer")

    refused = post_analysis(viewer, experiment, DE_REQUEST)
    cancel = viewer.call("POST", exp_path(experiment, f"analyses/{created['uuid']}/cancel/"))
    listed = viewer.call("GET", exp_path(experiment, "analyses/"))
    plot = viewer.call("GET", exp_path(experiment, f"plots/{created['plot']['uuid']}/"))

    assert refused.status_code == 403 and refused.data["code"] == "permission_denied"
    assert cancel.status_code == 403
    assert listed.status_code == 200 and listed.data["count"] == 1
    assert plot.status_code == 200
    assert Analysis.objects.count() == 1


def test_an_editor_may_run_analyses(
    bob: Caller, experiment: Any, add_member: Callable[[Caller, str], Caller]
) -> None:
    editor = add_member(bob, "editor")

    assert post_analysis(editor, experiment, DE_REQUEST).status_code == 202


def test_a_stranger_sees_nothing(ada: Caller, bob: Caller, experiment: Any) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data
    paths = [
        "analyses/",
        f"analyses/{created['uuid']}/",
        "plots/",
        f"plots/{created['plot']['uuid']}/",
        f"plots/{created['plot']['uuid']}/data/",
        f"plots/{created['plot']['uuid']}/download/",
        f"plots/{created['plot']['uuid']}/displays/",
    ]

    answers = [bob.call("GET", exp_path(experiment, path)) for path in paths]
    refused = post_analysis(bob, experiment, DE_REQUEST)

    assert [a.status_code for a in answers] == [404] * len(paths)
    assert refused.status_code == 404 and refused.data["code"] == "not_found"


def test_unknown_analysis_and_malformed_ids_are_refused(ada: Caller, experiment: Any) -> None:
    missing = ada.call(
        "GET", exp_path(experiment, "analyses/0b5f4c1e-6f0c-4b55-9d39-2a8a3c1f0e11/")
    )
    malformed = ada.call("GET", exp_path(experiment, "analyses/not-a-uuid/"))

    assert missing.status_code == 404 and missing.data["code"] == "not_found"
    assert malformed.status_code in (400, 404) and malformed.data["code"]


def test_cancelling_a_pending_analysis_cancels_it_and_its_plot(
    ada: Caller, experiment: Any
) -> None:
    created = post_analysis(ada, experiment, DE_REQUEST).data

    cancelled = ada.call("POST", exp_path(experiment, f"analyses/{created['uuid']}/cancel/"))
    plot = ada.call("GET", exp_path(experiment, f"plots/{created['plot']['uuid']}/")).data
    again = ada.call("POST", exp_path(experiment, f"analyses/{created['uuid']}/cancel/"))

    assert cancelled.status_code == 200
    assert cancelled.data["status"] == "cancelled"
    assert plot["status"] == "cancelled"
    assert again.status_code == 409 and again.data["code"] == "conflict"


def test_a_cancelled_analysis_is_never_run(ada: Caller, experiment: Any) -> None:
    from pluto.server.analyses import queue

    created = post_analysis(ada, experiment, DE_REQUEST).data
    ada.call("POST", exp_path(experiment, f"analyses/{created['uuid']}/cancel/"))

    assert queue.claim_next("test-worker") is None


def test_cancelling_a_finished_analysis_is_409_conflict(ada: Caller, experiment: Any) -> None:
    created = post_analysis(
        ada, experiment, {"analysis_type": "principal_components", "parameters": {}}
    ).data
    run_analysis(created["uuid"])

    refused = ada.call("POST", exp_path(experiment, f"analyses/{created['uuid']}/cancel/"))

    assert refused.status_code == 409
    assert refused.data["code"] == "conflict"
    assert "complete" in refused.data["message"]


def test_rerun_makes_a_new_analysis_with_merged_parameters(ada: Caller, experiment: Any) -> None:
    first = post_analysis(ada, experiment, DE_REQUEST).data
    path = exp_path(experiment, f"analyses/{first['uuid']}/rerun/")

    rerun = ada.call("POST", path, {"parameters": {"min_count": 10, "alpha": 0.1}})

    assert rerun.status_code == 202, rerun.data
    second = rerun.data
    assert second["uuid"] != first["uuid"]
    assert second["rerun_of"] == first["uuid"]
    assert second["plot"]["uuid"] != first["plot"]["uuid"]
    assert second["status"] == "pending"
    assert second["name"] == first["name"]
    assert second["parameters"] == {**first["parameters"], "min_count": 10, "alpha": 0.1}
    assert ada.call("GET", exp_path(experiment, "analyses/")).data["count"] == 2
    assert ada.call("GET", exp_path(experiment, "plots/")).data["count"] == 2


def test_rerun_validates_the_changed_parameters(ada: Caller, experiment: Any) -> None:
    first = post_analysis(ada, experiment, DE_REQUEST).data
    path = exp_path(experiment, f"analyses/{first['uuid']}/rerun/")

    refused = ada.call("POST", path, {"parameters": {"group_column": "genotype"}})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.group_column"
    assert Analysis.objects.count() == 1


def test_a_short_name_creates_the_analysis_of_its_type(ada: Caller, experiment: Any) -> None:
    created = post_analysis(ada, experiment, {"analysis_type": "PCA", "parameters": {}})

    assert created.status_code == 202, created.data
    assert created.data["analysis_type"] == "principal_components"


def test_every_wrong_parameter_is_named_at_once(ada: Caller, experiment: Any) -> None:
    body = {"min_count": "x", "alpha": 2, "colour": "red"}
    refused = post_analysis(
        ada, experiment, {"analysis_type": "differential_expression", "parameters": body}
    )

    assert refused.status_code == 400
    fields = [problem["field"] for problem in refused.data["details"]["problems"]]
    assert fields == [
        "parameters.group_column",
        "parameters.experimental_values",
        "parameters.control_values",
        "parameters.min_count",
        "parameters.alpha",
        "parameters.colour",
    ]
    assert refused.data["details"]["field"] == "parameters.group_column"
    assert "'colour' is not a parameter of this analysis" in refused.data["message"]
