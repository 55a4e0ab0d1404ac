"""Annotation sets and search from scripts: the SDK and the ``pluto`` commands, live."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from pluto.cli.main import cli
from pluto.client.client import Client
from pluto.client.errors import PlutoError
from pluto.server.lab.models import Experiment
from tests.conftest import Caller, make_experiment, make_project

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
CELLS = "cell_id,cluster\nAAAC-1,0\nAAAG-1,1\nAACT-1,0\n"


@pytest.fixture
def experiment(ada: Caller) -> Experiment:
    project = make_project(ada.user, "Immune atlas", description="Blood of healthy donors")
    return make_experiment(ada.user, project, "PBMC 10x", type="scrnaseq")


@pytest.fixture
def sdk(live_server: Any, ada: Caller) -> Iterator[Client]:
    with Client(live_server.url, ada.key, timeout=20, retries=2) as client:
        yield client


@pytest.fixture
def env(live_server: Any, ada: Caller, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("PLUTO_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def test_the_sdk_uploads_reads_and_recolours_an_annotation_set(
    sdk: Client, experiment: Experiment, tmp_path: Path
) -> None:
    table = tmp_path / "clusters.csv"
    table.write_text(CELLS)

    created = sdk.create_annotation_set(
        experiment.pluto_id, table, display_name="Leiden", resolution=0.5
    )
    changed = sdk.update_cluster(
        experiment.pluto_id, created["uuid"], 1, display_name="B cells", color="#336699"
    )

    assert (created["display_name"], created["resolution"]) == ("Leiden", 0.5)
    assert (changed["display_name"], changed["color"]) == ("B cells", "#336699")
    [listed] = sdk.list_annotation_sets(experiment.pluto_id)
    assert listed["clusters"][1]["display_name"] == "B cells"
    assert sdk.get_annotation_set(experiment.pluto_id, created["uuid"])["uuid"] == created["uuid"]
    assert sdk.list_annotations(experiment.pluto_id, created["uuid"])[1] == {
        "cell_id": "AAAG-1",
        "cluster_number": 1,
    }
    with pytest.raises(PlutoError) as refused:
        sdk.update_cluster(experiment.pluto_id, created["uuid"], 0, color="blue")
    assert "#rrggbb" in str(refused.value)
    sdk.delete_annotation_set(experiment.pluto_id, created["uuid"])
    assert sdk.list_annotation_sets(experiment.pluto_id) == []


def test_the_sdk_refuses_a_bad_table_naming_row_and_column(
    sdk: Client, experiment: Experiment
) -> None:
    with pytest.raises(PlutoError) as refused:
        sdk.create_annotation_set(experiment.pluto_id, b"cell_id,cluster\nA,x\n")

    assert "Row 2, column 'cluster'" in str(refused.value)


def test_the_cli_uploads_lists_shows_and_renames_clusters(
    env: dict[str, str], experiment: Experiment, tmp_path: Path
) -> None:
    (tmp_path / "clusters.csv").write_text(CELLS)

    uploaded = run(
        env,
        "annotation-sets",
        "upload",
        experiment.pluto_id,
        "clusters.csv",
        "--name",
        "Leiden",
        "--resolution",
        "0.8",
    )
    set_uuid = uploaded.output.strip()
    listed = run(env, "annotation-sets", "list", experiment.pluto_id)
    renamed = run(
        env,
        "annotation-sets",
        "cluster",
        experiment.pluto_id,
        set_uuid,
        "0",
        "--name",
        "T cells",
        "--color",
        "#FF0000",
    )
    shown = run(env, "annotation-sets", "show", experiment.pluto_id, set_uuid)
    cells = run(env, "annotation-sets", "cells", experiment.pluto_id, set_uuid)

    assert uploaded.exit_code == 0, uploaded.output
    assert set_uuid in listed.output and "Leiden" in listed.output
    assert renamed.exit_code == 0 and "#ff0000  T cells" in renamed.output
    assert "#ff0000" in shown.output and "T cells" in shown.output
    assert cells.output.splitlines()[:2] == ["cell_id,cluster_number", "AAAC-1,0"]


def test_the_cli_shows_a_bad_table_error(
    env: dict[str, str], experiment: Experiment, tmp_path: Path
) -> None:
    (tmp_path / "bad.csv").write_text("cell_id,group\nA,0\n")

    result = run(env, "annotation-sets", "upload", experiment.pluto_id, "bad.csv")

    assert result.exit_code != 0
    assert "'cluster'" in result.output


def test_the_sdk_searches_experiments_and_projects(sdk: Client, experiment: Experiment) -> None:
    found = sdk.search("pbmc")
    projects = sdk.search("donors", type="projects")

    assert found["count"] == 1 and found["items"][0]["pluto_id"] == experiment.pluto_id
    assert [p["pluto_id"] for p in projects["items"]] == [experiment.project.pluto_id]
    assert [item["uuid"] for item in sdk.search_all("pbmc")] == [str(experiment.uuid)]
    with pytest.raises(PlutoError) as refused:
        sdk.search("pbmc", type="plots")
    assert "'type'" in str(refused.value)


def test_pluto_search_prints_the_matches(env: dict[str, str], experiment: Experiment) -> None:
    result = run(env, "search", "PBMC")
    as_json = run(env, "search", "--type", "projects", "immune", "--json")

    assert result.exit_code == 0, result.output
    assert f"{experiment.pluto_id}" in result.output and "PBMC 10x" in result.output
    assert json.loads(as_json.output)["items"][0]["name"] == "Immune atlas"


def test_pluto_search_public_finds_only_public_experiments(
    env: dict[str, str], experiment: Experiment
) -> None:
    result = run(env, "search", "--public", "PBMC")

    assert result.exit_code == 0
    assert experiment.pluto_id not in result.output
