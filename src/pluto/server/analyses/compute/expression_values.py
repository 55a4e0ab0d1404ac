"""Expression values for heatmaps: log2 CPM or DESeq2's variance stabilising transformation,
the most variable features, and per-row scaling.

log2 CPM is the principal components analysis's transform (log2(CPM + 1) for counts,
log2(x + 1) for other non-negative units, values as given when already on a log scale).
The VST is PyDESeq2's, blind to the design (an intercept-only model, as R DESeq2's
``vst(blind = TRUE)``), fitted on every feature with at least one read; like R's
``varianceStabilizingTransformation`` it fits the dispersion trend on all of them rather
than on a subset of 1,000.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from pluto.server.analyses.compute.deseq2_inference import VectorisedInference
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    COUNT_UNITS,
    count_matrix,
    integer_counts,
)
from pluto.server.analyses.compute.principal_components import log_transform
from pluto.server.analyses.compute.versions import package_version

Transform = Literal["log2_cpm", "vst"]
RowScaling = Literal["zscore", "center", "none"]
SCALING_WORDS = {
    "zscore": "scaled per row to z-scores (centred on the row mean and divided by the row's "
    "standard deviation, n - 1 in the denominator, as R's scale())",
    "center": "centred per row on the row mean",
    "none": "not scaled",
}


@dataclass(frozen=True)
class Values:
    """Transformed values (features x samples) and a phrase saying how they were made."""

    frame: pd.DataFrame
    transform: str


def transformed(
    counts: pd.DataFrame, sample_ids: Sequence[str], units: str, how: Transform
) -> Values:
    """The assay's values of these samples as log2 CPM or VST."""
    if how == "vst":
        return vst(counts, sample_ids, units)
    matrix = count_matrix(counts, sample_ids, allow_negative=units not in COUNT_UNITS)
    logged, transform = log_transform(matrix, units)
    return Values(logged, transform)


def vst(counts: pd.DataFrame, sample_ids: Sequence[str], units: str) -> Values:
    """DESeq2's blind variance stabilising transformation of the features with reads."""
    if units not in COUNT_UNITS:
        raise AnalysisInputError(
            f"The variance stabilising transformation models read counts, but the assay data "
            f"is in {units!r}; choose values = 'log2_cpm'.",
            "values",
        )
    matrix = integer_counts(count_matrix(counts, sample_ids), units)
    matrix = matrix.loc[matrix.sum(axis=1) > 0]
    if len(matrix) < 2:
        raise AnalysisInputError("Fewer than 2 features have any reads.", "counts")
    frame, trend = fitted_vst(matrix)
    return Values(
        frame,
        f"DESeq2's variance stabilising transformation (PyDESeq2 "
        f"{package_version('pydeseq2')}, blind to the design, {trend} dispersion trend, "
        f"fitted on the {len(matrix):,} features with at least one read)",
    )


def fitted_vst(matrix: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """PyDESeq2's VST with an intercept-only design; the trend falls back to the mean of
    the dispersions where the parametric fit fails, as R's does."""
    from pydeseq2.dds import DeseqDataSet

    metadata = pd.DataFrame({"all": "all"}, index=matrix.columns)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        dataset = DeseqDataSet(
            counts=matrix.T,
            metadata=metadata,
            design="~1",
            quiet=True,
            inference=VectorisedInference(n_cpus=1),
        )
        dataset.vst_fit(use_design=False)
        if "vst_trend_coeffs" not in dataset.uns:
            dataset.vst_fit_type = "mean"
        values = dataset.vst_transform()
    trend = "parametric" if dataset.vst_fit_type == "parametric" else "mean"
    return pd.DataFrame(values.T, index=matrix.index, columns=matrix.columns), trend


def varying(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows whose values differ between samples."""
    return frame.loc[frame.var(axis=1, ddof=1).to_numpy() > 0]


def most_variable(frame: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` rows of highest variance across samples (ties in matrix order)."""
    variance = frame.var(axis=1, ddof=1).to_numpy()
    order = np.argsort(-variance, kind="stable")
    order = order[variance[order] > 0][:top]
    return frame.iloc[order]


def scaled_rows(frame: pd.DataFrame, scaling: RowScaling) -> pd.DataFrame:
    """Rows as z-scores, centred, or as they are. Rows must vary for z-scores."""
    if scaling == "none":
        return frame
    centred = frame.sub(frame.mean(axis=1), axis=0)
    if scaling == "center":
        return centred
    return centred.div(frame.std(axis=1, ddof=1), axis=0)
