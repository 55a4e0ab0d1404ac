"""Principal components of the samples, on log-scale values of the most variable genes.

Counts are scaled to counts per million and log2(CPM + 1) transformed; other non-negative
units are log2(x + 1) transformed; values that are already on a log scale (any negative
value) are used as given. The ``top_genes`` genes with the highest variance across
samples are centred and decomposed with scikit-learn's PCA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field
from threadpoolctl import threadpool_limits

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    COUNT_UNITS,
    AnalysisResult,
    Progress,
    check_sample_table,
    clean_table,
    count_matrix,
    group_labels,
    no_progress,
    plural,
    require_column,
    require_samples,
)
from pluto.server.analyses.compute.parameters import Parameters, Text, WholeNumber, choices
from pluto.server.analyses.compute.versions import cited

COMPONENTS = 5
COLUMNS = ("Sample_ID", *(f"PC{n}" for n in range(1, COMPONENTS + 1)), "group_id", "group_name")
MAX_TOP_GENES = 100_000


GROUP_COLUMN_DESCRIPTION = "The sample-table column that colours and groups the samples."
TOP_GENES_DESCRIPTION = "How many of the most variable genes to use."


class SampleMapParameters(Parameters):
    """Which column colours the samples, and how many of the most variable genes to use:
    what every map of the samples (PCA, UMAP, t-SNE) asks."""

    group_column: Text | None = Field(
        title="Colour samples by",
        default=None,
        description=GROUP_COLUMN_DESCRIPTION,
        json_schema_extra=choices("sample_columns"),
    )
    top_genes: WholeNumber = Field(
        title="Most variable genes used",
        default=500,
        ge=2,
        le=MAX_TOP_GENES,
        description=TOP_GENES_DESCRIPTION,
    )


class PrincipalComponentsParameters(SampleMapParameters):
    """Which column colours the samples, and how many of the most variable genes to use."""


@dataclass(frozen=True)
class LogExpression:
    """Log-scale values (genes x samples) of the most variable genes, and how they came to be."""

    values: pd.DataFrame
    transform: str
    genes_in_matrix: int
    genes_varying: int


def check_inputs(params: PrincipalComponentsParameters, samples: pd.DataFrame, units: str) -> None:
    """Refuse an unknown group column or a sample table of fewer than 2 samples."""
    check_map_inputs(params, samples, 2)


def check_map_inputs(params: SampleMapParameters, samples: pd.DataFrame, minimum: int) -> None:
    """Refuse an unknown group column or fewer samples than the map can place."""
    check_sample_table(samples)
    if params.group_column is not None:
        require_column(samples, params.group_column, "group_column")
    require_samples(list(samples.index), minimum, "The experiment", "samples")


def log_expression(
    counts: pd.DataFrame, sample_ids: list[str], units: str, top_genes: int
) -> LogExpression:
    """The log-scale values of the ``top_genes`` most variable genes (ties broken by
    matrix order), refusing a matrix where no gene varies."""
    matrix = count_matrix(counts, sample_ids, allow_negative=units not in COUNT_UNITS)
    logged, transform = log_transform(matrix, units)
    variance = logged.var(axis=1, ddof=1)
    varying = variance[variance > 0]
    if varying.empty:
        raise AnalysisInputError("No gene's values differ between the samples.", "counts")
    order = np.argsort(-varying.to_numpy(), kind="stable")[:top_genes]
    chosen = logged.loc[varying.index[order]]
    return LogExpression(chosen, transform, len(matrix), len(varying))


def log_transform(matrix: pd.DataFrame, units: str) -> tuple[pd.DataFrame, str]:
    """Log2(CPM + 1) for counts, log2(x + 1) for other non-negative values, else as given."""
    if units in COUNT_UNITS:
        library_sizes = matrix.sum(axis=0).replace(0, 1)
        cpm = matrix / library_sizes * 1e6
        return np.log2(cpm + 1), "log2(counts per million + 1)"
    if (matrix.to_numpy() < 0).any():
        return matrix, "the values as given (already on a log scale)"
    return np.log2(matrix + 1), f"log2({units} + 1)"


def component_scores(values: pd.DataFrame, components: int) -> tuple[np.ndarray, np.ndarray]:
    """Sample scores on the first ``components`` principal components of the centred
    samples x genes matrix, and the fraction of variance each explains."""
    from sklearn.decomposition import PCA

    with threadpool_limits(limits=1):
        pca = PCA(n_components=components, svd_solver="full")
        scores = pca.fit_transform(values.T.to_numpy(dtype=float))
    return scores, pca.explained_variance_ratio_


def possible_components(values: pd.DataFrame) -> int:
    """Centred data of n samples and g genes has at most min(n - 1, g) components."""
    return min(values.shape[1] - 1, values.shape[0])


def leading_components(expression: LogExpression, most: int) -> np.ndarray:
    """Sample scores on as many principal components as the data allow, up to ``most``:
    what UMAP and t-SNE embed."""
    count = min(possible_components(expression.values), most)
    return component_scores(expression.values, count)[0]


def padded(scores: np.ndarray, variance: np.ndarray, width: int) -> tuple[np.ndarray, list[float]]:
    """Scores and variance fractions widened to ``width`` components, filling with 0."""
    filled = np.zeros((scores.shape[0], width))
    filled[:, : scores.shape[1]] = scores
    fractions = [float(v) for v in variance] + [0.0] * (width - len(variance))
    return filled, fractions


def run(
    params: PrincipalComponentsParameters,
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    units: str,
    progress: Progress = no_progress,
) -> AnalysisResult:
    """PCA of all samples: one row per sample with PC1..PC5 and its group."""
    progress(0.05, "Checking samples and counts")
    check_inputs(params, samples, units)
    sample_ids = [str(s) for s in samples.index]
    expression = log_expression(counts, sample_ids, units, params.top_genes)
    progress(0.5, "Computing principal components")
    computed = possible_components(expression.values)
    scores, variance = component_scores(expression.values, min(computed, COMPONENTS))
    scores, fractions = padded(scores, variance, COMPONENTS)
    table = results_table(sample_ids, scores, *group_labels(samples, params.group_column))
    return AnalysisResult(
        table=table,
        methods=methods_text(params, expression, computed, fractions),
        display=display_settings(params, fractions),
        summary=summary(expression, computed, fractions),
    )


def results_table(
    sample_ids: list[str], scores: np.ndarray, group_ids: list[int], group_names: list[str]
) -> pd.DataFrame:
    """Sample_ID, PC1..PC5, group_id, group_name."""
    table = pd.DataFrame(scores, columns=[f"PC{n}" for n in range(1, COMPONENTS + 1)])
    table.insert(0, "Sample_ID", sample_ids)
    table["group_id"] = np.asarray(group_ids, dtype=np.int64)
    table["group_name"] = group_names
    return clean_table(table, COLUMNS)


def map_table(
    axes: tuple[str, str],
    sample_ids: list[str],
    coordinates: np.ndarray,
    groups: tuple[list[int], list[str]],
) -> pd.DataFrame:
    """Sample_ID, the two map coordinates named by ``axes``, group_id, group_name."""
    table = pd.DataFrame(
        {
            "Sample_ID": sample_ids,
            axes[0]: coordinates[:, 0],
            axes[1]: coordinates[:, 1],
            "group_id": np.asarray(groups[0], dtype=np.int64),
            "group_name": groups[1],
        }
    )
    return clean_table(table, ("Sample_ID", *axes, "group_id", "group_name"))


def map_summary(expression: LogExpression, component_count: int) -> dict[str, Any]:
    """Numbers of samples, genes and principal components a UMAP or t-SNE map used."""
    return {
        "samples": expression.values.shape[1],
        "genes_in_matrix": expression.genes_in_matrix,
        "genes_used": expression.values.shape[0],
        "principal_components_used": component_count,
    }


def display_settings(
    params: PrincipalComponentsParameters, fractions: list[float]
) -> dict[str, Any]:
    """Variance explained per component (fractions), for the axis titles."""
    return {
        "variance_explained": fractions,
        "x_column": "PC1",
        "y_column": "PC2",
        "color_by": params.group_column,
    }


def summary(expression: LogExpression, computed: int, fractions: list[float]) -> dict[str, Any]:
    """Numbers of samples and genes used, and the variance explained."""
    return {
        "samples": expression.values.shape[1],
        "genes_in_matrix": expression.genes_in_matrix,
        "genes_varying": expression.genes_varying,
        "genes_used": expression.values.shape[0],
        "components_computed": min(computed, COMPONENTS),
        "variance_explained": fractions,
    }


def selection_sentence(expression: LogExpression, top_genes: int) -> str:
    """How the values were transformed and the genes chosen."""
    return (
        f"Values were transformed to {expression.transform}; the "
        f"{plural(expression.values.shape[0], 'gene')} with the highest variance across the "
        f"{plural(expression.values.shape[1], 'sample')} (top_genes = {top_genes}, out of "
        f"{expression.genes_varying:,} genes that vary among "
        f"{expression.genes_in_matrix:,} in the matrix) were centred, without scaling."
    )


def methods_text(
    params: PrincipalComponentsParameters,
    expression: LogExpression,
    computed: int,
    fractions: list[float],
) -> str:
    """One paragraph saying exactly what ran."""
    shown = ", ".join(f"PC{n} {f:.1%}" for n, f in enumerate(fractions[:computed], start=1))
    missing = (
        f" Only {plural(computed, 'component')} can be computed from these data; "
        f"PC{computed + 1} to PC{COMPONENTS} are reported as 0."
        if computed < COMPONENTS
        else ""
    )
    return (
        f"Principal component analysis was run with scikit-learn "
        f"({cited('scikit-learn', 'numpy', 'pandas')}) on "
        f"{plural(expression.values.shape[1], 'sample')}. "
        f"{selection_sentence(expression, params.top_genes)} "
        f"Components were computed by singular value decomposition; variance explained: "
        f"{shown}.{missing}"
    )
