"""External plots: a figure made elsewhere, with its display, results and script files
uploaded through upload sessions."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest

from pluto.server.lab.models import Experiment
from tests.analyses.conftest import count_data, exp_path, get, post_analysis, upload_counts
from tests.conftest import Caller, make_experiment, make_project
from tests.downloads import fetch_url
from tests.files.conftest import upload

HTML = b"<html><body><div id='plot'>Clusters</div></body></html>\n"
RESULTS = b"cluster,cells,mean_score\nA,120,0.5\nB,80,1.25\nC,5,-2\n"
NEW_RESULTS = b"cluster,cells\nA,121\nB,79\n"
SCRIPT = b"import pandas as pd\nprint('clusters')\n"


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    """An experiment of ada's without tables (external plots need none)."""
    return make_experiment(ada.user, make_project(ada.user))


def upload_external(caller: Caller, experiment: Experiment, name: str, content: bytes) -> str:
    """Upload a file of kind ``external``; its uuid."""
    suffix = "." + name.rsplit(".", 1)[-1]
    uploaded = upload(
        caller,
        experiment,
        content,
        filename=name,
        data_type="external",
        file_type=suffix,
        analysis_type="external",
        origin="python",
    )
    return str(uploaded["uuid"])


def plot_body(caller: Caller, experiment: Experiment, **changes: Any) -> dict[str, Any]:
    """The body plutobio sends to create an external plot, with its three files."""
    return {
        "name": "Cluster sizes",
        "methods": "Clusters were called with Leiden at resolution 1.",
        "display_file_id": upload_external(caller, experiment, "clusters.html", HTML),
        "results_file_id": upload_external(caller, experiment, "clusters.csv", RESULTS),
        "script_file_id": upload_external(caller, experiment, "clusters.py", SCRIPT),
        "analysis_type": "external",
        "display_type": "html",
        "status": "published",
        "origin": "python",
        **changes,
    }


def create_plot(caller: Caller, experiment: Experiment, body: dict[str, Any]) -> Any:
    """``POST …/external/plots/``."""
    return caller.call("POST", exp_path(experiment, "external/plots/"), body)


def test_creating_an_external_plot_answers_201_with_the_plot(
    ada: Caller, experiment: Experiment
) -> None:
    created = create_plot(ada, experiment, plot_body(ada, experiment))
    listed = ada.call("GET", exp_path(experiment, "plots/")).data

    assert created.status_code == 201, created.data
    plot = created.data
    assert plot["analysis_type"] == "external"
    assert plot["status"] == "complete"
    assert plot["name"] == "Cluster sizes"
    assert plot["display"]["display_type"] == "html"
    assert plot["display"]["plot_title"] == "Cluster sizes"
    assert plot["analysis"]["methods"] == "Clusters were called with Leiden at resolution 1."
    assert plot["analysis"]["uuid"]
    assert [item["uuid"] for item in listed["items"]] == [plot["uuid"]]


def test_the_results_file_becomes_the_plot_data(ada: Caller, experiment: Experiment) -> None:
    plot = create_plot(ada, experiment, plot_body(ada, experiment)).data
    base = exp_path(experiment, f"plots/{plot['uuid']}/")

    page = get(ada, base + "data/").data
    second = get(ada, base + "data/?limit=1&offset=1").data
    url = ada.call("GET", base + "download/").data["url"]
    downloaded = fetch_url(url)

    assert page["count"] == 3
    assert page["headers"] == ["cluster", "cells", "mean_score"]
    assert page["items"][0] == {"cluster": "A", "cells": 120, "mean_score": 0.5}
    assert second["items"] == [{"cluster": "B", "cells": 80, "mean_score": 1.25}]
    assert downloaded.status == 200
    assert pd.read_csv(io.BytesIO(downloaded.body)).equals(pd.read_csv(io.BytesIO(RESULTS)))


def test_updating_an_external_plot_replaces_its_results(
    ada: Caller, experiment: Experiment
) -> None:
    plot = create_plot(ada, experiment, plot_body(ada, experiment)).data
    new_results = upload_external(ada, experiment, "clusters-v2.csv", NEW_RESULTS)

    updated = ada.call(
        "PUT",
        exp_path(experiment, f"external/plots/{plot['uuid']}/"),
        {"results_file_id": new_results, "methods": "Leiden at resolution 0.8."},
    )
    page = get(ada, exp_path(experiment, f"plots/{plot['uuid']}/data/")).data

    assert updated.status_code == 200, updated.data
    assert updated.data["uuid"] == plot["uuid"]
    assert updated.data["name"] == "Cluster sizes"
    assert updated.data["analysis"]["methods"] == "Leiden at resolution 0.8."
    assert page["headers"] == ["cluster", "cells"]
    assert page["count"] == 2
    assert ada.call("GET", exp_path(experiment, "plots/")).data["count"] == 1


def test_an_external_plot_without_results_has_no_data(ada: Caller, experiment: Experiment) -> None:
    body = plot_body(ada, experiment)
    del body["results_file_id"]

    plot = create_plot(ada, experiment, body).data
    download = ada.call("GET", exp_path(experiment, f"plots/{plot['uuid']}/download/"))

    assert plot["status"] == "complete"
    assert download.data == {"url": None}


def test_a_file_of_another_experiment_is_refused(ada: Caller, experiment: Experiment) -> None:
    other = make_experiment(ada.user, make_project(ada.user, "Other project"))
    foreign = upload_external(ada, other, "clusters.csv", RESULTS)

    refused = create_plot(ada, experiment, {"name": "Borrowed", "results_file_id": foreign})

    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"
    assert refused.data["details"]["field"] == "results_file_id"
    assert ada.call("GET", exp_path(experiment, "plots/")).data["count"] == 0


def test_unknown_fields_are_refused(ada: Caller, experiment: Experiment) -> None:
    refused = create_plot(ada, experiment, {"name": "Clusters", "colour": "blue"})

    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"
    assert "colour" in refused.data["message"]


def test_an_unreadable_results_file_is_refused(ada: Caller, experiment: Experiment) -> None:
    empty = upload_external(ada, experiment, "clusters.csv", b"cluster,cells\n")

    refused = create_plot(ada, experiment, {"name": "Clusters", "results_file_id": empty})

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "results_file_id"
    assert ada.call("GET", exp_path(experiment, "plots/")).data["count"] == 0


def test_strangers_can_neither_add_nor_update_external_plots(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    plot = create_plot(ada, experiment, {"name": "Clusters"}).data

    update = bob.call(
        "PUT", exp_path(experiment, f"external/plots/{plot['uuid']}/"), {"name": "Mine"}
    )
    create = create_plot(bob, experiment, {"name": "Mine"})

    assert update.status_code == 404
    assert create.status_code == 404


def test_plots_of_built_in_analyses_cannot_be_updated_as_external(
    ada: Caller, experiment: Experiment
) -> None:
    upload_counts(ada, experiment, count_data(genes=50, changed=0, rare=0))
    analysis = post_analysis(ada, experiment, {"analysis_type": "principal_components"}).data

    refused = ada.call(
        "PUT", exp_path(experiment, f"external/plots/{analysis['plot']['uuid']}/"), {"name": "x"}
    )

    assert refused.status_code == 400
    assert refused.data["code"] == "invalid"


def test_a_viewer_cannot_add_external_plots(
    ada: Caller, bob: Caller, experiment: Experiment
) -> None:
    ada.call("POST", exp_path(experiment, "members/"), {"email": bob.user.email, "role": "viewer"})

    refused = create_plot(bob, experiment, {"name": "Mine"})

    assert refused.status_code == 403
