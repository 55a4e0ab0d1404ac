"""Biomarker and biomodel sets from scripts: the SDK and the ``pluto`` commands, live."""

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
from tests.conftest import Caller

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


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


def test_the_sdk_builds_and_downloads_a_biomarker_set(sdk: Client, tmp_path: Path) -> None:
    created = sdk.create_biomarker_set("Hypoxia genes", organism_shortname="human")
    sdk.add_biomarker(created["uuid"], "HIF1A", target_shortname="hif1a")
    assert sdk.add_biomarkers(created["uuid"], ["VEGFA", "HIF1A"]) == {
        "added": 1,
        "skipped": 1,
        "count": 2,
    }
    (tmp_path / "more.csv").write_text("name\nEPAS1\n")
    assert sdk.upload_biomarker_csv(created["uuid"], tmp_path / "more.csv")["count"] == 3
    assert [b["name"] for b in sdk.list_biomarkers(created["uuid"])] == ["HIF1A", "VEGFA", "EPAS1"]
    assert [s["name"] for s in sdk.list_biomarker_sets(search="hypoxia")] == ["Hypoxia genes"]
    saved = sdk.download_biomarker_set(created["uuid"], tmp_path / "out.csv")
    assert saved.read_text().splitlines()[1:] == ["HIF1A,hif1a,", "VEGFA,,", "EPAS1,,"]
    epas1 = sdk.list_biomarkers(created["uuid"], search="EPAS1")[0]["uuid"]
    sdk.remove_biomarker(created["uuid"], epas1)
    assert [b["name"] for b in sdk.list_biomarkers(created["uuid"])] == ["HIF1A", "VEGFA"]
    assert sdk.update_biomarker_set(created["uuid"], name="Hypoxia up")["name"] == "Hypoxia up"
    assert sdk.archive_biomarker_set(created["uuid"])["is_archived"] is True
    assert sdk.list_biomarker_sets() == []
    assert sdk.update_biomarker_set(created["uuid"], is_archived=False)["is_archived"] is False
    with pytest.raises(PlutoError) as refused:
        sdk.create_biomarker_set("Bad", target_type="lipid")
    assert "target_type" in str(refused.value)


def test_the_sdk_builds_a_biomodel_set(sdk: Client) -> None:
    created = sdk.create_biomodel_set("Cell lines", [("cell_line", "text"), ("hours", "number")])
    sdk.add_biomodel(created["uuid"], {"cell_line": "HeLa", "hours": 23})
    assert sdk.upload_biomodel_csv(created["uuid"], b"cell_line,hours\nA549,22.5\n")["count"] == 2
    rows = sdk.list_biomodels(created["uuid"])
    assert [(r["cell_line"], r["hours"]) for r in rows] == [("HeLa", 23), ("A549", 22.5)]
    assert sdk.biomodel_columns(created["uuid"])[1] == {"name": "hours", "type": "number"}
    assert [s["uuid"] for s in sdk.list_biomodel_sets()] == [created["uuid"]]
    assert sdk.archive_biomodel_set(created["uuid"])["is_archived"] is True


def test_the_commands_create_fill_list_and_archive_a_biomarker_set(
    env: dict[str, str], tmp_path: Path
) -> None:
    created = run(env, "biomarker-sets", "create", "Hypoxia genes", "--organism", "human")
    assert created.exit_code == 0, created.output
    set_uuid = created.output.strip()
    added = run(env, "biomarker-sets", "add", set_uuid, "HIF1A", "VEGFA")
    assert added.exit_code == 0, added.output
    assert "Added 2, skipped 0; the set has 2." in added.output
    (tmp_path / "genes.csv").write_text("name\nEPAS1\nHIF1A\n")
    uploaded = run(env, "biomarker-sets", "upload", set_uuid, str(tmp_path / "genes.csv"))
    assert "Added 1, skipped 1; the set has 3." in uploaded.output
    assert run(env, "biomarker-sets", "show", set_uuid).output.split() == [
        "HIF1A",
        "VEGFA",
        "EPAS1",
    ]
    listed = run(env, "biomarker-sets", "list")
    assert set_uuid in listed.output and "Hypoxia genes" in listed.output
    as_json = json.loads(run(env, "biomarker-sets", "list", "--json").output)
    assert as_json[0]["biomarker_count"] == 3
    (tmp_path / "bad.csv").write_text("gene\nTP53\n")
    refused = run(env, "biomarker-sets", "upload", set_uuid, str(tmp_path / "bad.csv"))
    assert refused.exit_code == 1 and "'name' column" in refused.output
    assert "Archived Hypoxia genes." in run(env, "biomarker-sets", "archive", set_uuid).output


def test_the_commands_create_and_show_a_biomodel_set(env: dict[str, str], tmp_path: Path) -> None:
    created = run(env, "biomodel-sets", "create", "Cell lines", "cell_line", "hours:number")
    assert created.exit_code == 0, created.output
    set_uuid = created.output.strip()
    (tmp_path / "lines.csv").write_text("cell_line,hours\nHeLa,23\n")
    assert (
        "Added 1"
        in run(env, "biomodel-sets", "upload", set_uuid, str(tmp_path / "lines.csv")).output
    )
    assert run(env, "biomodel-sets", "show", set_uuid).output.splitlines() == [
        "cell_line,hours",
        "HeLa,23",
    ]
    wrong = run(env, "biomodel-sets", "create", "X", "age:integer")
    assert wrong.exit_code == 2
