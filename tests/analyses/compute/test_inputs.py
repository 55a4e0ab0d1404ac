"""Shared input checks: the default feature filter, sample values, the count matrix."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    check_sample_table,
    count_matrix,
    feature_filter,
    group_labels,
    integer_counts,
    samples_needed,
    samples_with_values,
    value_as_text,
)


def matrix(rows: Mapping[str, Sequence[float]], samples: list[str]) -> pd.DataFrame:
    """A genes x samples frame from rows of values."""
    return pd.DataFrame.from_dict(rows, orient="index", columns=samples)


def test_samples_needed_rounds_up_without_floating_point_surprises() -> None:
    assert samples_needed(6, 0.2) == 2
    assert samples_needed(5, 0.2) == 1
    assert samples_needed(10, 0.7) == 7
    assert samples_needed(3, 0.0) == 0
    assert samples_needed(4, 1.0) == 4


def test_feature_filter_keeps_genes_passing_in_any_group() -> None:
    samples = ["a1", "a2", "a3", "b1", "b2", "b3"]
    counts = matrix(
        {
            "only_in_a": [3, 0, 0, 0, 0, 0],
            "only_in_b": [0, 0, 0, 0, 5, 0],
            "too_low": [2, 2, 2, 2, 2, 2],
            "silent": [0, 0, 0, 0, 0, 0],
        },
        samples,
    )
    kept = feature_filter(counts, [samples[:3], samples[3:]], 3, 0.2)
    assert list(kept[kept].index) == ["only_in_a", "only_in_b"]


def test_feature_filter_fraction_is_per_group() -> None:
    samples = [f"a{i}" for i in range(10)] + ["b1", "b2"]
    counts = matrix({"one_of_ten": [9] + [0] * 11, "two_of_ten": [9, 9] + [0] * 10}, samples)
    kept = feature_filter(counts, [samples[:10], samples[10:]], 3, 0.2)
    assert not kept["one_of_ten"]
    assert kept["two_of_ten"]


def test_feature_filter_never_keeps_genes_without_reads() -> None:
    counts = matrix({"silent": [0, 0, 0, 0]}, ["a", "b", "c", "d"])
    assert not feature_filter(counts, [["a", "b"], ["c", "d"]], 0, 0.0)["silent"]


def test_values_are_compared_as_text() -> None:
    assert value_as_text(2.0) == "2"
    assert value_as_text(np.float64(2.5)) == "2.5"
    assert value_as_text(True) == "true"
    assert value_as_text(float("nan")) is None
    samples = pd.DataFrame({"dose": [1.0, 2.0, np.nan]}, index=["s1", "s2", "s3"])
    assert samples_with_values(samples, "dose", ["2"], "values") == ["s2"]


def test_unknown_value_lists_the_values_there_are() -> None:
    samples = pd.DataFrame({"condition": ["a", "b"]}, index=["s1", "s2"])
    with pytest.raises(AnalysisInputError) as caught:
        samples_with_values(samples, "condition", ["c"], "control_values")
    assert caught.value.field == "control_values"
    assert "a, b" in caught.value.message


def test_group_labels_number_groups_in_order_of_first_appearance() -> None:
    samples = pd.DataFrame({"tissue": ["liver", "lung", "liver", None]}, index=list("abcd"))
    assert group_labels(samples, "tissue") == ([1, 2, 1, 3], ["liver", "lung", "liver", "Not set"])
    assert group_labels(samples, None) == ([1] * 4, ["All samples"] * 4)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (pd.DataFrame({"s1": [1.0, np.nan]}, index=["A", "B"]), "missing or infinite"),
        (pd.DataFrame({"s1": [1, -1]}, index=["A", "B"]), "negative"),
        (pd.DataFrame({"s1": [1, 2]}, index=["A", "A"]), "more than one row"),
        (pd.DataFrame({"s1": ["x", "y"]}, index=["A", "B"]), "not numbers"),
    ],
)
def test_count_matrix_refuses_bad_values(counts: pd.DataFrame, message: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        count_matrix(counts, ["s1"])
    assert caught.value.field == "counts"
    assert message in caught.value.message


def test_count_matrix_needs_every_sample() -> None:
    with pytest.raises(AnalysisInputError) as caught:
        count_matrix(pd.DataFrame({"s1": [1]}, index=["A"]), ["s1", "s2"])
    assert caught.value.field == "samples"
    assert "s2" in caught.value.message


def test_expected_counts_are_rounded_and_raw_counts_must_be_whole() -> None:
    values = pd.DataFrame({"s1": [1.4, 2.6]}, index=["A", "B"])
    assert integer_counts(values, "expected_counts")["s1"].tolist() == [1, 3]
    with pytest.raises(AnalysisInputError) as caught:
        integer_counts(values, "raw_counts")
    assert caught.value.field == "units"


def test_a_sample_table_of_ids_alone_has_samples() -> None:
    check_sample_table(pd.DataFrame(index=pd.Index(["S1", "S2"], name="sample_id")))


def test_a_sample_table_without_rows_is_refused() -> None:
    with pytest.raises(AnalysisInputError, match="no samples"):
        check_sample_table(pd.DataFrame({"condition": []}))
