"""Principal components: table shape, groups, variance explained, padding and refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute import principal_components as pca
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.versions import package_version
from tests.analyses.compute.synthetic import Experiment, experiment


@pytest.fixture(scope="module")
def data() -> Experiment:
    return experiment(genes=300, per_group=4)


def run(data: Experiment, units: str = "raw_counts", **raw: Any) -> pca.AnalysisResult:
    return pca.run(
        validated(pca.PrincipalComponentsParameters, raw), data.samples, data.counts, units
    )


def test_one_row_per_sample_with_the_api_columns_and_no_nulls(data: Experiment) -> None:
    result = run(data, group_column="condition")
    assert list(result.table.columns) == list(pca.COLUMNS)
    assert list(result.table["Sample_ID"]) == list(data.samples.index)
    assert not result.table.isna().any().any()
    assert result.table["group_id"].tolist() == [1] * 4 + [2] * 4
    assert result.table["group_name"].tolist() == ["control"] * 4 + ["treated"] * 4


def test_treatment_separates_the_samples_on_pc1(data: Experiment) -> None:
    table = run(data, group_column="condition").table
    control, treated = table["PC1"][:4], table["PC1"][4:]
    assert control.max() < treated.min() or treated.max() < control.min()


def test_variance_explained_is_in_the_display_and_methods(data: Experiment) -> None:
    result = run(data, top_genes=100)
    fractions = result.display["variance_explained"]
    assert len(fractions) == 5 and all(0 <= f <= 1 for f in fractions)
    assert fractions == sorted(fractions, reverse=True) and sum(fractions) <= 1 + 1e-9
    assert f"scikit-learn {package_version('scikit-learn')}" in result.methods
    assert "the 100 genes with the highest variance" in result.methods
    assert "log2(counts per million + 1)" in result.methods
    assert result.table["group_name"].eq("All samples").all()


def test_missing_components_are_zero_and_said_so() -> None:
    small = experiment(genes=50, per_group=2)
    result = pca.run(
        validated(pca.PrincipalComponentsParameters, {}), small.samples, small.counts, "raw_counts"
    )
    assert (result.table[["PC4", "PC5"]] == 0.0).all().all()
    assert result.display["variance_explained"][3:] == [0.0, 0.0]
    assert "Only 3 components can be computed" in result.methods


def test_normalised_units_are_logged_without_cpm(data: Experiment) -> None:
    result = run(data, units="tpm")
    assert "log2(tpm + 1)" in result.methods
    logged = run(data.__class__(data.samples, np.log2(data.counts + 1) - 3, ()), units="other")
    assert "as given" in logged.methods


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"top_genes": 1}, "top_genes"),
        ({"top_genes": "many"}, "top_genes"),
        ({"colour": "x"}, "colour"),
    ],
)
def test_the_parameters_model_refuses_with_the_field_named(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        validated(pca.PrincipalComponentsParameters, raw)
    assert caught.value.field == field


def test_unknown_group_column_and_single_sample_are_refused(data: Experiment) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        pca.check_inputs(
            validated(pca.PrincipalComponentsParameters, {"group_column": "tissue"}),
            data.samples,
            "raw_counts",
        )
    assert caught.value.field == "group_column"
    with pytest.raises(AnalysisInputError) as caught:
        pca.check_inputs(
            validated(pca.PrincipalComponentsParameters, {}), data.samples.iloc[:1], "raw_counts"
        )
    assert caught.value.field == "samples"
