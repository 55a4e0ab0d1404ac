"""The all-genes-at-once fitting agrees with PyDESeq2's own per-gene fitting."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydeseq2.dds import DeseqDataSet
from pydeseq2.default_inference import DefaultInference
from pydeseq2.ds import DeseqStats
from threadpoolctl import threadpool_limits

from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.deseq2_inference import VectorisedInference
from pluto.server.analyses.compute.parameters import validated
from tests.analyses.compute.synthetic import experiment

Fitted = tuple[DeseqDataSet, pd.DataFrame]


def fitted(inference: DefaultInference, prepared: de.PreparedData) -> Fitted:
    """PyDESeq2's data set and results with the given inference."""
    dataset = DeseqDataSet(
        counts=prepared.counts.T,
        metadata=prepared.metadata,
        design=prepared.design,
        quiet=True,
        inference=inference,
    )
    dataset.deseq2()
    stats = DeseqStats(
        dataset, contrast=["group", "experimental", "control"], quiet=True, inference=inference
    )
    stats.summary()
    return dataset, stats.results_df


@pytest.fixture(scope="module")
def prepared() -> de.PreparedData:
    data = experiment(genes=100, per_group=4, seed=3)
    parsed = validated(
        de.DifferentialExpressionParameters,
        {
            "group_column": "condition",
            "experimental_values": "treated",
            "control_values": "control",
            "covariates": ["sex"],
        },
    )
    return de.prepare(parsed, data.samples, data.counts, "raw_counts")


@pytest.fixture(scope="module")
def both(prepared: de.PreparedData) -> tuple[Fitted, Fitted]:
    """The all-at-once fit and PyDESeq2's per-gene fit of the same data."""
    with threadpool_limits(limits=1):
        return fitted(VectorisedInference(n_cpus=1), prepared), fitted(
            DefaultInference(n_cpus=1), prepared
        )


def test_results_match_the_per_gene_fits(both: tuple[Fitted, Fitted]) -> None:
    (_, fast), (_, reference) = both
    assert np.allclose(fast["baseMean"], reference["baseMean"])
    assert np.corrcoef(fast["log2FoldChange"], reference["log2FoldChange"])[0, 1] > 0.9999
    measured = fast["pvalue"].notna() & reference["pvalue"].notna()
    minus_log = [-np.log10(frame["pvalue"][measured]) for frame in (fast, reference)]
    assert np.corrcoef(*minus_log)[0, 1] > 0.999


def test_map_dispersions_agree_for_almost_every_gene(both: tuple[Fitted, Fitted]) -> None:
    (dataset, _), (reference, _) = both
    log_difference = np.log(dataset.var["MAP_dispersions"]) - np.log(
        reference.var["MAP_dispersions"]
    )
    assert (np.abs(log_difference) < 1e-3).mean() > 0.95


def test_genes_that_do_not_converge_use_pydeseq2s_own_solver(prepared: de.PreparedData) -> None:
    counts = prepared.counts.T.to_numpy()
    size_factors = counts.sum(axis=1) / counts.sum(axis=1).mean()
    design = np.column_stack([np.ones(8), np.repeat([0.0, 1.0], 4)])
    disp = np.full(counts.shape[1], 0.1)
    arguments = {
        "counts": counts,
        "size_factors": size_factors,
        "design_matrix": design,
        "disp": disp,
        "min_mu": 0.5,
        "beta_tol": 1e-8,
        "maxiter": 2,
    }
    with threadpool_limits(limits=1):
        fast = VectorisedInference(n_cpus=1).irls(**arguments)
        reference = DefaultInference(n_cpus=1).irls(**arguments)
    for ours, theirs in zip(fast, reference, strict=True):
        assert np.allclose(ours, theirs, rtol=1e-6, atol=1e-8)


def test_wald_test_matches(prepared: de.PreparedData) -> None:
    rng = np.random.default_rng(0)
    genes, design = 20, np.column_stack([np.ones(8), np.repeat([0.0, 1.0], 4)])
    arguments: dict[str, Any] = {
        "design_matrix": design,
        "disp": rng.uniform(0.01, 1, genes),
        "lfc": rng.normal(size=(genes, 2)),
        "mu": rng.uniform(1, 1000, (8, genes)),
        "ridge_factor": np.diag([1e-6, 1e-6]),
        "contrast": np.array([0.0, 1.0]),
        "lfc_null": 0.0,
    }
    for ours, theirs in zip(
        VectorisedInference(n_cpus=1).wald_test(**arguments),
        DefaultInference(n_cpus=1).wald_test(**arguments),
        strict=True,
    ):
        assert np.allclose(ours, theirs)
