"""A new analysis kind is one module: a kind declared here, in a test module, is listed by the
API, described by the OpenAPI schema, offered by the web form and the CLI's help, validated by
its own model, and run by the worker, with no edit anywhere else."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from pydantic import Field, StrictBool

from pluto.cli.main import cli
from pluto.server.analyses import registry
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress, column_as_text
from pluto.server.analyses.compute.parameters import Parameters, Text, WholeNumber, choices
from pluto.server.analyses.displays import SCORE_BAR
from pluto.server.analyses.kind import Inputs, Kind
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import exp_path, post_analysis, start_and_run
from tests.conftest import Caller
from tests.web.conftest import html, signed_in


class GroupSizeParameters(Parameters):
    """Which column groups the samples, and the smallest group worth listing."""

    group_column: Text = Field(
        title="Count samples by",
        description="The sample-table column whose values are counted.",
        json_schema_extra=choices("sample_columns"),
    )
    smallest: WholeNumber = Field(default=1, ge=1, le=1000, title="Smallest group listed")
    include_missing: StrictBool = Field(default=False, title="Count samples without a value")


def check(params: GroupSizeParameters, inputs: Inputs) -> None:
    """The column must exist."""
    from pluto.server.analyses.compute.inputs import require_column

    require_column(inputs.samples, params.group_column, "group_column")


def run(params: GroupSizeParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """How many samples hold each value of the column."""
    sizes = column_as_text(inputs.samples, params.group_column).value_counts()
    sizes = sizes[sizes >= params.smallest]
    table = pd.DataFrame(
        {
            "Gene_Set_Shortname": sizes.index.astype(str),
            "Gene_Set_Name": sizes.index.astype(str),
            "NES": sizes.to_numpy(dtype=float),
            "Adj_P_Value": 0.0,
        }
    )
    return AnalysisResult(table=table, methods=f"Samples counted by {params.group_column}.")


GROUP_SIZES = Kind(
    analysis_type="group_sizes",
    title="Group sizes",
    summary="How many samples each value of a sample-table column holds.",
    parameters=GroupSizeParameters,
    check=check,
    run=run,
    columns=("Gene_Set_Shortname", "Gene_Set_Name", "NES", "Adj_P_Value"),
    displays=(SCORE_BAR,),
    aliases=("sizes",),
    needs_counts=False,
)


@pytest.fixture
def group_sizes() -> Iterator[Kind]:
    """The test kind, registered for one test."""
    registry.register(GROUP_SIZES)
    yield GROUP_SIZES
    registry.unregister(GROUP_SIZES.analysis_type)


def test_the_api_lists_the_kind_with_its_parameters(ada: Caller, group_sizes: Kind) -> None:
    listed = ada.call("GET", "/lab/analysis-types/").data["items"]

    (ours,) = [item for item in listed if item["analysis_type"] == "group_sizes"]
    assert ours["aliases"] == ["sizes"] and ours["display_types"] == ["score_bar_plot"]
    assert ours["parameters"]["required"] == ["group_column"]
    assert ours["parameters"]["properties"]["smallest"]["default"] == 1


def test_the_openapi_schema_describes_its_body(ada: Caller, group_sizes: Kind) -> None:
    schema = ada.call("GET", "/lab/openapi.json").data

    operation = schema["paths"]["/lab/experiments/{experiment_id}/analyses/"]["post"]
    bodies = operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    (ours,) = [b for b in bodies if "group_sizes" in b["properties"]["analysis_type"]["enum"]]
    parameters = schema["components"]["schemas"]["GroupSizeParameters"]
    assert ours["required"] == ["analysis_type", "parameters"]
    assert parameters["properties"]["smallest"]["maximum"] == 1000


def test_its_model_refuses_bad_parameters(
    ada: Caller, experiment: Experiment, group_sizes: Kind
) -> None:
    body = {"analysis_type": "sizes", "parameters": {"group_column": "nope", "smallest": 0}}

    refused = post_analysis(ada, experiment, body)
    wrong_column = post_analysis(
        ada, experiment, {"analysis_type": "sizes", "parameters": {"group_column": "nope"}}
    )

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "parameters.smallest"
    assert wrong_column.status_code == 400
    assert wrong_column.data["details"]["field"] == "parameters.group_column"


def test_the_worker_runs_it_and_its_plot_has_a_figure(
    ada: Caller, experiment: Experiment, group_sizes: Kind
) -> None:
    done = start_and_run(
        ada, experiment, {"analysis_type": "sizes", "parameters": {"group_column": "condition"}}
    )
    plot_path = exp_path(experiment, f"plots/{done['plot']['uuid']}/")
    data = ada.call("GET", plot_path + "data/").data
    figure = ada.call("GET", plot_path + "figure/").data

    assert done["status"] == "complete", done["message"]
    assert done["analysis_type"] == "group_sizes" and done["name"] == "Group sizes"
    assert sorted(row["Gene_Set_Name"] for row in data["items"]) == ["control", "treated"]
    assert figure["data"][0]["type"] == "bar"


def test_the_web_form_offers_it_with_its_fields(
    ada: Caller, experiment: Experiment, group_sizes: Kind
) -> None:
    url = f"/experiments/{experiment.pluto_id}/?tab=analysis&type=group_sizes"
    page = html(signed_in(ada.user).get(url))

    assert "<b>Group sizes</b>" in page
    assert '<label for="group-column">Count samples by</label>' in page
    assert '<option value="condition" selected>condition</option>' in page
    assert 'name="smallest"' in page and 'max="1000"' in page
    switch = page.split('name="include_missing"')[1].split(">")[0]
    assert "checked" not in switch  # off by default, so not sent as on


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_the_cli_help_lists_it(live_server: Any, ada: Caller, group_sizes: Kind) -> None:
    env = {"PLUTO_API_URL": live_server.url, "PLUTO_API_TOKEN": ada.key}

    result = CliRunner().invoke(cli, ["analyze", "--help"], env=env)

    assert "group_sizes, sizes: How many samples each value" in result.output
    assert "smallest (integer, default 1)" in result.output


def test_a_kind_with_its_own_display_of_a_shared_type_is_refused() -> None:
    own_bars = dataclasses.replace(SCORE_BAR, options=GroupSizeParameters)
    impostor = dataclasses.replace(GROUP_SIZES, analysis_type="impostor", displays=(own_bars,))

    with pytest.raises(ValueError, match="declares its own 'score_bar_plot' display"):
        registry.register(impostor)

    assert registry.find_kind("impostor") is None
