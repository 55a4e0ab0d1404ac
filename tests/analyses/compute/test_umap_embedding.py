"""UMAP: reproducible coordinates, clamped neighbourhoods, table shape and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute import umap_embedding as umap
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.versions import package_version
from tests.analyses.compute.synthetic import Experiment, experiment


@pytest.fixture(scope="module")
def data() -> Experiment:
    return experiment(genes=200, per_group=5)


@pytest.fixture(scope="module")
def result(data: Experiment) -> umap.AnalysisResult:
    return umap.run(
        validated(umap.UmapParameters, {"group_column": "condition"}),
        data.samples,
        data.counts,
        "raw_counts",
    )


def test_table_has_the_api_columns_and_no_nulls(
    data: Experiment, result: umap.AnalysisResult
) -> None:
    assert list(result.table.columns) == list(umap.COLUMNS)
    assert list(result.table["Sample_ID"]) == list(data.samples.index)
    assert not result.table.isna().any().any()
    assert result.table["group_id"].tolist() == [1] * 5 + [2] * 5


def test_same_inputs_give_the_same_coordinates(
    data: Experiment, result: umap.AnalysisResult
) -> None:
    again = umap.run(
        validated(umap.UmapParameters, {"group_column": "condition"}),
        data.samples,
        data.counts,
        "raw_counts",
    )
    pd.testing.assert_frame_equal(result.table, again.table)


def test_n_neighbors_is_clamped_and_the_methods_say_so(result: umap.AnalysisResult) -> None:
    assert result.summary["n_neighbors_used"] == 9
    assert "n_neighbors was lowered from 15 to 9" in result.methods
    assert f"umap-learn {package_version('umap-learn')}" in result.methods
    assert "random_state = 0" in result.methods
    assert "first 9 principal components" in result.methods


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"n_neighbors": 1}, "n_neighbors"),
        ({"min_dist": 2}, "min_dist"),
        ({"top_genes": 0}, "top_genes"),
    ],
)
def test_the_parameters_model_refuses_with_the_field_named(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        validated(umap.UmapParameters, raw)
    assert caught.value.field == field


def test_too_few_samples_are_refused(data: Experiment) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        umap.check_inputs(validated(umap.UmapParameters, {}), data.samples.iloc[:3], "raw_counts")
    assert caught.value.field == "samples"


EMBED_ONCE = """
import numpy as np
from pluto.server.analyses.compute.umap_embedding import embed
embed(np.random.default_rng(1).normal(size=(12, 5)), 5, 0.1)
"""


# Two Python processes of its own, with no database: one pass is enough.
@pytest.mark.own_database
def test_umap_keeps_its_compiled_code_for_the_next_process(tmp_path: Path) -> None:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}

    done = subprocess.run([sys.executable, "-c", EMBED_ONCE], env=env, capture_output=True)
    kept = {path.name.split(".")[1].split("-")[0] for path in tmp_path.rglob("*.nbi")}

    assert done.returncode == 0, done.stderr.decode()
    # Functions UMAP declares without numba's cache, compiled during every fit before.
    assert {"smooth_knn_dist", "compute_membership_strengths"} <= kept, sorted(kept)
    assert "_optimize_layout_euclidean_single_epoch" in kept
