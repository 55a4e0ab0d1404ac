"""The client side of the ``pluto`` command, against a live Pluto server."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import click
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from pluto.cli.analyze_command import parse_parameters
from pluto.cli.client_commands import CLIENT_COMMANDS
from pluto.cli.main import cli
from pluto.client.client import Client
from pluto.client.config import config_path
from pluto.client.models import AnalysisType
from pluto.server.analyses import catalogue
from pluto.server.analyses.registry import kind_of
from pluto.server.lab.models import Experiment
from tests.client.test_live_tables import GENES, assay_frame, sample_frame
from tests.conftest import Caller, make_project


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    """Run ``pluto ARGS`` in-process."""
    return CliRunner().invoke(cli, list(args), env=env, input=input)


@pytest.fixture
def as_ada(live_server: Any, ada: Caller) -> dict[str, str]:
    """The environment of a user whose token is in ``PLUTO_API_TOKEN``."""
    return {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}


@pytest.mark.parametrize("command", CLIENT_COMMANDS, ids=lambda c: c.name)
def test_every_command_has_help_with_an_example(command: click.Command) -> None:
    result = run(str(command.name), "--help")

    assert result.exit_code == 0
    assert "Example" in result.output


def test_analysis_parameters_become_numbers_lists_and_text() -> None:
    described = catalogue.described(kind_of("differential_expression"))
    parameters = parse_parameters(
        [
            "group_column=condition",
            "experimental_values=treated",
            "control_values=a, b",
            "alpha=0.01",
            "min_count=5",
            "label=x,y",
        ],
        AnalysisType.from_json(described),
    )

    assert parameters == {
        "group_column": "condition",
        "experimental_values": ["treated"],
        "control_values": ["a", "b"],
        "alpha": 0.01,
        "min_count": 5,
        "label": ["x", "y"],
    }


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_parameter_without_equals_is_a_usage_error(as_ada: dict[str, str]) -> None:
    result = run("analyze", "PLX140206", "pca", "--param", "top_genes", env=as_ada)

    assert result.exit_code == 2 and "key=value" in result.output


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_analyze_help_lists_the_servers_kinds_with_their_parameters(
    as_ada: dict[str, str],
) -> None:
    result = run("analyze", "--help", env=as_ada)

    assert result.exit_code == 0, result.output
    assert "differential_expression, de, differential-expression:" in result.output
    assert "group_column (string, required)" in result.output
    assert "min_count (integer, default 3)" in result.output
    assert "covariates (array, comma-separated, default [])" in result.output
    assert "gene_set_enrichment, gsea" in result.output


def test_analyze_help_without_a_server_says_how_to_list_the_kinds(tmp_path: Path) -> None:
    env = {"PLUTO_API_URL": "http://127.0.0.1:9", "PLUTO_API_TOKEN": "", "HOME": str(tmp_path)}

    result = run("analyze", "--help", env=env)

    assert result.exit_code == 0
    assert "Log in (pluto login) to list them" in result.output


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_analyze_names_every_wrong_parameter_at_once(
    as_ada: dict[str, str], ada: Caller, experiment: Experiment
) -> None:
    args = ["-p", "group_column=condition", "-p", "min_count=many", "-p", "alpha=2"]

    result = run("analyze", experiment.pluto_id, "de", *args, env=as_ada)

    assert result.exit_code == 1
    lines = [line.strip() for line in result.stderr.splitlines()]
    assert "parameters.experimental_values: 'experimental_values' is required" in lines[1:]
    assert "parameters.control_values: 'control_values' is required" in lines[1:]
    assert "parameters.min_count: 'min_count' must be a whole number" in result.stderr
    assert "parameters.alpha: 'alpha' must be less than 1.0 (got 2.0)" in result.stderr


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_analyze_refuses_a_type_the_server_does_not_run(as_ada: dict[str, str]) -> None:
    result = run("analyze", "PLX140206", "karyotype", env=as_ada)

    assert result.exit_code == 2
    assert "'karyotype' is not an analysis type of this server" in result.output


def test_an_unknown_data_type_is_a_usage_error() -> None:
    assert run("read", "PLX140206", "counts").exit_code == 2


def test_results_without_a_plot_is_a_usage_error() -> None:
    result = run("read", "PLX140206", "results", env={"PLUTO_API_TOKEN": "x"})

    assert result.exit_code == 2 and "--plot" in result.output


def test_an_output_file_of_unknown_format_is_a_usage_error() -> None:
    result = run("read", "PLX140206", "sample", "-o", "table.json", env={"PLUTO_API_TOKEN": "x"})

    assert result.exit_code == 2 and ".parquet" in result.output


def test_without_a_token_the_command_says_how_to_get_one() -> None:
    result = run("projects")

    assert result.exit_code == 1
    assert "+ API token" in result.stderr and "PLUTO_API_TOKEN" in result.stderr


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_login_checks_the_token_and_saves_it_for_the_user_only(
    live_server: Any, ada: Caller
) -> None:
    login = run("login", "--url", live_server.url, "--token", ada.key)
    whoami = run("whoami")

    assert login.exit_code == 0, login.output
    assert "Ada Tester <ada@example.org>" in login.output
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600
    assert json.loads(config_path().read_text()) == {"url": live_server.url, "token": ada.key}
    assert whoami.exit_code == 0 and whoami.output.startswith("Ada Tester <ada@example.org> on ")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_login_prompts_and_refuses_a_bad_token_without_saving(
    live_server: Any, ada: Caller
) -> None:
    result = run("login", input=f"{live_server.url}\nPLTO{'x' * 36}\n")

    assert result.exit_code == 1
    assert "401 authentication_failed" in result.stderr
    assert not config_path().exists()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_environment_wins_over_the_saved_login(as_ada: dict[str, str]) -> None:
    run("login", "--url", as_ada["PLUTO_API_URL"], "--token", as_ada["PLUTO_API_TOKEN"])
    config_path().write_text(json.dumps({"url": "http://127.0.0.1:9", "token": "stale"}))

    result = run("whoami", "--json", env=as_ada)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["email"] == "ada@example.org"


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_projects_and_experiments_print_aligned_tables_or_json(
    as_ada: dict[str, str], ada: Caller, experiment: Experiment
) -> None:
    other = make_project(ada.user, "A much longer project name")

    table = run("projects", env=as_ada)
    as_json = run("projects", "--json", env=as_ada)
    experiments = run("experiments", "--project", experiment.project.pluto_id, env=as_ada)
    none = run("experiments", "--project", other.pluto_id, env=as_ada)

    lines = table.stdout.splitlines()
    assert lines[0].split() == ["ID", "NAME", "EXPERIMENTS", "SHARING", "CREATED"]
    assert len({line.index("PLXP") for line in lines[1:]}) == 1
    assert {line.find("private") for line in lines[1:]} == {lines[0].index("SHARING")}
    assert sorted(p["name"] for p in json.loads(as_json.stdout)) == [
        "A much longer project name",
        "Organoids",
    ]
    assert experiment.pluto_id in experiments.stdout and "Knockdown RNA-seq" in experiments.stdout
    assert none.stdout.splitlines() == ["ID  NAME  PROJECT  TYPE  STATUS  CREATED"]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_an_api_error_exits_1_with_its_message(as_ada: dict[str, str]) -> None:
    result = run("plots", "PLX999999", env=as_ada)

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: 404 not_found: ")


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_attach_files_and_download(
    as_ada: dict[str, str], experiment: Experiment, tmp_path: Path
) -> None:
    content = os.urandom(5000)
    (tmp_path / "protocol.pdf").write_bytes(content)

    attached = run("attach", experiment.pluto_id, str(tmp_path / "protocol.pdf"), env=as_ada)
    listed = run("files", experiment.pluto_id, "--json", env=as_ada)
    file_id = json.loads(listed.stdout)[0]["uuid"]
    shown = run("files", experiment.pluto_id, env=as_ada)
    saved = run(
        "download", experiment.pluto_id, file_id, "-o", str(tmp_path / "copy.pdf"), env=as_ada
    )

    assert attached.exit_code == 0 and file_id in attached.stdout
    assert "protocol.pdf" in shown.stdout and "4.9 KiB" in shown.stdout
    assert saved.exit_code == 0 and (tmp_path / "copy.pdf").read_bytes() == content


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_upload_then_read_to_stdout_and_to_files(
    as_ada: dict[str, str], experiment: Experiment, tmp_path: Path
) -> None:
    sample_frame().to_csv(tmp_path / "samples.csv", index=False)
    assay_frame().to_parquet(tmp_path / "counts.parquet", index=False)

    uploaded = run(
        "upload", experiment.pluto_id, "sample", str(tmp_path / "samples.csv"), env=as_ada
    )
    run("upload", experiment.pluto_id, "assay", str(tmp_path / "counts.parquet"), env=as_ada)
    to_stdout = run("read", experiment.pluto_id, "sample", env=as_ada)
    outputs = {
        suffix: tmp_path / f"out{suffix}" for suffix in (".csv", ".tsv", ".parquet", ".xlsx")
    }
    for path in outputs.values():
        assert run("read", experiment.pluto_id, "assay", "-o", str(path), env=as_ada).exit_code == 0

    assert uploaded.exit_code == 0, uploaded.output
    assert "version 1, 6 rows, 4 columns" in uploaded.stdout
    assert to_stdout.stdout.splitlines()[0] == "sample_id,condition,age,batch"
    assert to_stdout.stderr == "All 6 rows of the sample data were fetched.\n"
    assert pd.read_parquet(outputs[".parquet"])["gene_symbol"].tolist() == GENES
    assert (
        pd.read_csv(outputs[".tsv"], sep="\t", dtype={"gene_symbol": str})["gene_symbol"].tolist()
        == GENES
    )
    assert pd.read_excel(outputs[".xlsx"])["S1"].tolist() == assay_frame()["S1"].tolist()
    assert len(pd.read_csv(outputs[".csv"])) == len(GENES)


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_analyze_starts_an_analysis_and_prints_it(
    as_ada: dict[str, str], live_server: Any, ada: Caller, experiment: Experiment
) -> None:
    with Client(live_server.url, ada.key) as client:
        client.upload_sample_data(experiment.pluto_id, sample_frame())
        client.upload_assay_data(experiment.pluto_id, assay_frame())

    result = run("analyze", experiment.pluto_id, "pca", "-p", "top_genes=10", "--json", env=as_ada)

    assert result.exit_code == 0, result.output
    analysis = json.loads(result.stdout)
    assert analysis["analysis_type"] == "principal_components"
    assert analysis["parameters"]["top_genes"] == 10
