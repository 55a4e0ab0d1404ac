"""Assay summary at the compute level: its figures by hand, its refusals, its figures."""

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
from pluto.server.analyses.kinds import assay_summary
from pluto.server.analyses.kinds.assay_summary import KIND, AssaySummaryParameters

SAMPLE_IDS = ["S1", "S2", "S3"]


def sample_table(ids: list[str] = SAMPLE_IDS) -> pd.DataFrame:
    """Samples indexed by id, with a condition and a batch."""
    conditions = ["control", "treated", "treated", "control"][: len(ids)]
    batches = ["b1", "b1", "b2", "b2"][: len(ids)]
    return pd.DataFrame(
        {"condition": conditions, "batch": batches}, index=pd.Index(ids, name="sample_id")
    )


def small_counts() -> pd.DataFrame:
    """Four genes: S1 detects three, S2 all four, S3 none."""
    return pd.DataFrame(
        {"S1": [0, 1, 3, 6], "S2": [2, 2, 4, 8], "S3": [0, 0, 0, 0]},
        index=pd.Index(["A", "B", "C", "D"], name="gene_symbol"),
    )


def summarise(
    counts: pd.DataFrame,
    units: str = "raw_counts",
    samples: pd.DataFrame | None = None,
    **parameters: Any,
) -> AnalysisResult:
    """The kind's run on in-memory inputs."""
    table = sample_table() if samples is None else samples
    inputs = FrameInputs(samples=table, counts=counts, units=units)
    return KIND.run(AssaySummaryParameters(**parameters), inputs, no_progress)


def type_7_quartiles(values: list[float]) -> list[float]:
    """R's quantile(type = 7) at 1/4, 1/2, 3/4, written out: x[h] interpolated at
    h = (n - 1) p."""
    ordered = sorted(values)
    quartiles = []
    for p in (0.25, 0.5, 0.75):
        h = (len(ordered) - 1) * p
        low = int(np.floor(h))
        high = min(low + 1, len(ordered) - 1)
        quartiles.append(ordered[low] + (h - low) * (ordered[high] - ordered[low]))
    return quartiles


def log_cpm(counts: list[int]) -> list[float]:
    """log2(CPM + 1) of one sample's counts."""
    total = sum(counts)
    return [float(np.log2(c / total * 1e6 + 1)) for c in counts]


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return summarise(small_counts())


def test_table_has_exactly_the_results_columns_one_row_per_sample(result: AnalysisResult) -> None:
    assert list(result.table.columns) == list(assay_summary.COLUMNS)
    assert result.table["Sample_ID"].tolist() == SAMPLE_IDS
    assert not result.table.isna().any().any()
    assert result.table["Detected_Features"].dtype == np.int64


def test_library_sizes_detected_features_and_top_share(result: AnalysisResult) -> None:
    table = result.table.set_index("Sample_ID")

    assert table["Library_Size"].tolist() == [10, 16, 0]
    assert table["Detected_Features"].tolist() == [3, 4, 0]
    # Fewer than 100 genes: the top 1% is the one largest.
    assert table["Top_Share"].tolist() == pytest.approx([0.6, 0.5, 0.0], rel=1e-15)


def test_quartiles_are_of_log2_cpm_over_the_detected_features(result: AnalysisResult) -> None:
    table = result.table.set_index("Sample_ID")

    s1 = type_7_quartiles(log_cpm([1, 3, 6]))
    s2 = type_7_quartiles(log_cpm([2, 2, 4, 8]))
    assert table.loc["S1", ["Q25", "Median", "Q75"]].tolist() == pytest.approx(s1, rel=1e-14)
    assert table.loc["S2", ["Q25", "Median", "Q75"]].tolist() == pytest.approx(s2, rel=1e-14)


def test_a_sample_without_counts_is_reported_with_zeros_and_named(result: AnalysisResult) -> None:
    empty = result.table.set_index("Sample_ID").loc["S3"]

    assert empty.drop("Detected_Features").tolist() == [0.0] * 5
    assert result.display["whiskers"]["S3"] == [0.0, 0.0]
    assert result.summary["samples_without_counts"] == 1
    assert "1 sample without counts (S3) are reported with 0" in result.methods


def test_without_detected_only_undetected_features_join_the_distribution() -> None:
    table = summarise(small_counts(), detected_only=False).table.set_index("Sample_ID")

    expected = type_7_quartiles([0.0, *log_cpm([1, 3, 6])])
    assert table.loc["S1", ["Q25", "Median", "Q75"]].tolist() == pytest.approx(expected)


def test_normalization_none_shows_log2_count_plus_one() -> None:
    result = summarise(small_counts(), normalization="none")
    table = result.table.set_index("Sample_ID")

    expected = type_7_quartiles([float(np.log2(c + 1)) for c in (1, 3, 6)])
    assert table.loc["S1", ["Q25", "Median", "Q75"]].tolist() == pytest.approx(expected)
    assert result.display["value_label"] == "log2(count + 1)"
    assert result.display["normalization"] == "none"


def test_auto_means_cpm_for_counts_and_the_values_as_given_otherwise() -> None:
    counts = summarise(small_counts())
    tpm = summarise(small_counts(), units="tpm")

    assert (counts.display["value_label"], counts.summary["normalization"]) == (
        "log2(CPM + 1)",
        "cpm",
    )
    assert (tpm.display["value_label"], tpm.summary["normalization"]) == ("log2(TPM + 1)", "none")
    assert tpm.display["library_size_label"] == "Sum of TPM values"
    assert "log2(TPM + 1) of the values as uploaded" in tpm.methods


def test_the_top_one_percent_is_rounded_up() -> None:
    values = np.arange(1, 202, dtype=float)  # 201 genes: the top 1% is 3 of them
    counts = pd.DataFrame({"S1": values}, index=[f"G{i}" for i in range(201)])

    result = summarise(counts, samples=sample_table(["S1"]))

    assert assay_summary.top_features(201) == 3
    assert assay_summary.top_features(200) == 2
    assert result.table["Top_Share"].iloc[0] == pytest.approx((201 + 200 + 199) / values.sum())
    assert "3 largest features (the top 1%, rounded up)" in result.methods


def test_whiskers_reach_the_furthest_values_within_one_and_a_half_iqr() -> None:
    # On the log scale, 1 and 4096 fall outside the fences the other six genes make.
    counts = pd.DataFrame(
        {"S1": [1, 60, 64, 70, 80, 90, 100, 4096]}, index=[f"G{i}" for i in range(8)]
    )
    result = summarise(counts, samples=sample_table(["S1"]), normalization="none")

    logged = np.log2(counts["S1"].to_numpy(dtype=float) + 1)
    q25, _, q75 = type_7_quartiles(list(logged))
    inside = logged[(logged >= q25 - 1.5 * (q75 - q25)) & (logged <= q75 + 1.5 * (q75 - q25))]
    assert len(inside) == 6
    assert result.display["whiskers"]["S1"] == pytest.approx([inside.min(), inside.max()])


def test_samples_follow_the_sample_table_not_the_matrix() -> None:
    samples = sample_table(["S3", "S1"])

    result = summarise(small_counts(), samples=samples)

    assert result.table["Sample_ID"].tolist() == ["S3", "S1"]
    assert result.table["Library_Size"].tolist() == [0, 10]


def test_methods_say_what_ran_with_which_versions(result: AnalysisResult) -> None:
    assert f"numpy {package_version('numpy')}" in result.methods
    assert "3 samples and 4 features (raw_counts)" in result.methods
    assert "quantile() type 7" in result.methods
    assert "normalization = auto, detected_only = true" in result.methods


def test_cpm_normalisation_of_normalised_values_is_refused_at_creation() -> None:
    inputs = FrameInputs(samples=sample_table(), counts=small_counts(), units="tpm")

    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(AssaySummaryParameters(normalization="cpm"), inputs)

    assert caught.value.field == "normalization"
    assert "'tpm'" in caught.value.message and "normalization 'none'" in caught.value.message
    KIND.check(AssaySummaryParameters(), inputs)


def test_an_experiment_without_samples_is_refused() -> None:
    inputs = FrameInputs(samples=sample_table([]), counts=small_counts())

    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(AssaySummaryParameters(), inputs)

    assert caught.value.field == "samples"


def test_negative_values_are_refused_naming_the_data() -> None:
    counts = small_counts().astype(float)
    counts.loc["A", "S1"] = -1.5

    with pytest.raises(AnalysisInputError) as caught:
        summarise(counts, units="other")

    assert caught.value.field == "counts"
    assert "negative values" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"normalization": "tmm"}, "normalization"),
        ({"detected_only": "yes"}, "detected_only"),
        ({"detected_only": 1}, "detected_only"),
        ({"cpm": True}, "cpm"),
    ],
)
def test_parameters_refuse_with_the_field_named(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        AssaySummaryParameters.model_validate(raw)

    assert caught.value.errors()[0]["loc"] == (field,)


def figure(
    result: AnalysisResult, display: int, options: dict[str, Any], samples: pd.DataFrame
) -> dict[str, Any]:
    """A display's figure, checked by plotly (unknown attributes raise)."""
    built = KIND.displays[display].figure(
        result.table, "QC", options, FigureContext(result.display, samples)
    )
    go.Figure(built)
    return built


def test_box_plot_draws_each_sample_from_its_quartiles_and_whiskers(
    result: AnalysisResult,
) -> None:
    built = figure(result, 0, {}, sample_table())

    (trace,) = built["data"]
    assert KIND.displays[0].display_type == "box_plot"
    assert trace["type"] == "box" and trace["name"] == "All samples"
    assert trace["x"] == SAMPLE_IDS
    assert trace["q1"] == result.table["Q25"].round(5).tolist()
    assert trace["median"] == result.table["Median"].round(5).tolist()
    assert trace["lowerfence"][0] == round(result.display["whiskers"]["S1"][0], 5)
    assert built["layout"]["yaxis"]["title"]["text"] == "log2(CPM + 1)"
    assert built["layout"]["xaxis"]["categoryarray"] == SAMPLE_IDS


def test_box_plot_is_coloured_by_the_sample_column_chosen(result: AnalysisResult) -> None:
    built = figure(result, 0, {"color_by": "condition", "y_label": "log CPM"}, sample_table())

    assert {trace["name"]: trace["x"] for trace in built["data"]} == {
        "control": ["S1"],
        "treated": ["S2", "S3"],
    }
    assert len({trace["marker"]["color"] for trace in built["data"]}) == 2
    assert built["layout"]["yaxis"]["title"]["text"] == "log CPM"


def test_an_unknown_colour_column_draws_one_group(result: AnalysisResult) -> None:
    built = figure(result, 0, {"color_by": "tissue"}, sample_table())

    assert [trace["name"] for trace in built["data"]] == ["All samples"]


def test_bar_plot_shows_library_sizes_by_colour_group(result: AnalysisResult) -> None:
    built = figure(result, 1, {"color_by": "batch"}, sample_table())

    assert KIND.displays[1].display_type == "bar_plot"
    assert {trace["name"]: trace["y"] for trace in built["data"]} == {
        "b1": [10.0, 16.0],
        "b2": [0.0],
    }
    assert built["layout"]["yaxis"]["title"]["text"] == "Library size (counts)"
    assert built["data"][0]["customdata"][0] == [3, 0.6]


def test_sample_ids_that_look_like_numbers_stay_categories() -> None:
    counts = small_counts().rename(columns={"S1": "1", "S2": "2", "S3": "10"})
    samples = sample_table(["1", "2", "10"])

    built = figure(summarise(counts, samples=samples), 0, {}, samples)

    assert built["layout"]["xaxis"]["type"] == "category"
    assert built["data"][0]["x"] == ["1", "2", "10"]


def test_an_assay_without_features_is_refused_naming_the_data() -> None:
    with pytest.raises(AnalysisInputError) as caught:
        summarise(small_counts().iloc[:0])

    assert caught.value.field == "counts"
    assert "no features" in caught.value.message
