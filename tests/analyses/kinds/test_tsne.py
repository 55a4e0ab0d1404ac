"""t-SNE at the compute level: reproducible, separating, with its perplexity checked."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from pydantic import ValidationError

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.versions import package_version
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds import tsne
from pluto.server.analyses.kinds.tsne import KIND, TsneParameters
from tests.analyses.compute.synthetic import Experiment, experiment


@pytest.fixture(scope="module")
def data() -> Experiment:
    return experiment(genes=300, per_group=6)


def embedded(data: Experiment, **parameters: Any) -> AnalysisResult:
    """The kind's run on the generated experiment."""
    inputs = FrameInputs(samples=data.samples, counts=data.counts)
    return KIND.run(TsneParameters(**parameters), inputs, no_progress)


@pytest.fixture(scope="module")
def result(data: Experiment) -> AnalysisResult:
    return embedded(data, group_column="condition")


def test_table_has_exactly_the_results_columns_and_groups(
    data: Experiment, result: AnalysisResult
) -> None:
    assert list(result.table.columns) == list(tsne.COLUMNS)
    assert result.table["Sample_ID"].tolist() == list(data.samples.index)
    assert not result.table.isna().any().any()
    assert result.table["group_id"].tolist() == [1] * 6 + [2] * 6
    assert result.table["group_name"].tolist() == ["control"] * 6 + ["treated"] * 6


def test_without_a_group_column_every_sample_is_in_one_group(data: Experiment) -> None:
    table = embedded(data).table

    assert set(zip(table["group_id"], table["group_name"], strict=True)) == {(1, "All samples")}


def test_same_inputs_give_the_same_coordinates(data: Experiment, result: AnalysisResult) -> None:
    again = embedded(data, group_column="condition")

    pd.testing.assert_frame_equal(result.table, again.table, check_exact=True)


def test_well_separated_groups_separate(result: AnalysisResult) -> None:
    points = result.table[["TSNE1", "TSNE2"]].to_numpy()
    groups = result.table["group_name"].to_numpy()
    distances = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    np.fill_diagonal(distances, np.inf)

    nearest = groups[distances.argmin(axis=1)]
    centres = {g: points[groups == g].mean(axis=0) for g in ("control", "treated")}
    spread = max(np.linalg.norm(p - centres[g]) for p, g in zip(points, groups, strict=True))
    assert (nearest == groups).all()
    assert np.linalg.norm(centres["control"] - centres["treated"]) > 2 * spread


def test_perplexity_defaults_to_a_third_of_the_other_samples_up_to_30() -> None:
    automatic = TsneParameters()

    assert tsne.perplexity_used(automatic, 12) == pytest.approx(11 / 3)
    assert tsne.perplexity_used(automatic, 91) == 30
    assert tsne.perplexity_used(automatic, 500) == 30
    assert tsne.perplexity_used(TsneParameters(perplexity=7), 500) == 7


def test_methods_say_what_ran(result: AnalysisResult) -> None:
    assert f"scikit-learn {package_version('scikit-learn')}" in result.methods
    assert "12 samples" in result.methods
    assert "perplexity = 3.667 (chosen from the number of samples)" in result.methods
    assert "first 11 principal components" in result.methods
    assert "random_state = 0" in result.methods
    assert result.summary["perplexity_used"] == pytest.approx(11 / 3)
    assert result.summary["principal_components_used"] == 11


def test_a_perplexity_not_below_the_sample_count_is_refused_with_the_limit(
    data: Experiment,
) -> None:
    inputs = FrameInputs(samples=data.samples, counts=data.counts)

    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(TsneParameters(perplexity=12), inputs)

    assert caught.value.field == "perplexity"
    assert "less than the number of samples (12)" in caught.value.message
    assert "left empty it is 3.667 for 12 samples" in caught.value.message


def test_a_perplexity_just_below_the_sample_count_runs(data: Experiment) -> None:
    result = embedded(data, perplexity=11.5)

    assert result.summary["perplexity_used"] == 11.5
    assert "perplexity = 11.5," in result.methods


def test_fewer_than_four_samples_are_refused(data: Experiment) -> None:
    inputs = FrameInputs(samples=data.samples.iloc[:3], counts=data.counts)

    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(TsneParameters(), inputs)

    assert caught.value.field == "samples"
    assert "at least 4" in caught.value.message


def test_an_unknown_group_column_is_refused(data: Experiment) -> None:
    inputs = FrameInputs(samples=data.samples, counts=data.counts)

    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(TsneParameters(group_column="tissue"), inputs)

    assert caught.value.field == "group_column"


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"perplexity": 0}, "perplexity"),
        ({"perplexity": "5"}, "perplexity"),
        ({"perplexity": True}, "perplexity"),
        ({"top_genes": 1}, "top_genes"),
        ({"group_column": " "}, "group_column"),
        ({"n_neighbors": 5}, "n_neighbors"),
    ],
)
def test_parameters_refuse_with_the_field_named(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TsneParameters.model_validate(raw)

    assert caught.value.errors()[0]["loc"][0] == field


def test_scatter_plot_shows_the_samples_by_group(data: Experiment, result: AnalysisResult) -> None:
    built = KIND.display.figure(result.table, "t-SNE", {}, FigureContext(result.display, None))
    go.Figure(built)

    assert KIND.display.display_type == "sample_scatter_plot"
    assert [trace["name"] for trace in built["data"]] == ["control", "treated"]
    assert built["data"][0]["x"] == result.table["TSNE1"][:6].round(5).tolist()
    assert built["data"][1]["y"] == result.table["TSNE2"][6:].round(5).tolist()
    assert built["layout"]["xaxis"]["title"]["text"] == "TSNE1"
    assert built["layout"]["yaxis"]["title"]["text"] == "TSNE2"


def test_scatter_plot_colours_by_the_column_chosen(
    data: Experiment, result: AnalysisResult
) -> None:
    context = FigureContext(result.display, data.samples)

    built = KIND.display.figure(result.table, "t-SNE", {"color_by": "sex"}, context)

    assert sorted(trace["name"] for trace in built["data"]) == ["female", "male"]


def test_a_single_varying_gene_starts_the_layout_at_random(data: Experiment) -> None:
    values = data.counts.astype(float)
    values.iloc[:, :] = 100.0
    values.iloc[0, 6:] = 400.0  # TPM as given (no CPM scaling): only this gene varies
    inputs = FrameInputs(samples=data.samples, counts=values, units="tpm")

    result = KIND.run(TsneParameters(group_column="condition"), inputs, no_progress)

    assert result.summary["principal_components_used"] == 1
    assert "random initialisation" in result.methods
    assert not result.table.isna().any().any()


def test_the_automatic_perplexity_of_many_samples_is_30_in_the_refusal() -> None:
    assert "left empty it is 30 for 200 samples" in tsne.perplexity_limit(200)
