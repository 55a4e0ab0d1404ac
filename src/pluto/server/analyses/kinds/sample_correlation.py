"""Sample correlation: how alike the samples are, as a clustered sample-by-sample heatmap.

The values are the principal components analysis's: log2(CPM + 1) of the ``top_genes``
most variable genes (the genes that separate the samples; a number above the count of
varying genes uses them all). Pearson's correlation is R's ``cor()``; Spearman's is
Pearson's of the ranks, ties given their average rank, as R does. Samples are ordered by
hierarchical clustering on one minus the correlation.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field
from scipy.spatial.distance import squareform
from scipy.stats import rankdata

from pluto.server.analyses.compute import hierarchy
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    check_sample_table,
    clean_table,
    plural,
    require_column,
    require_samples,
)
from pluto.server.analyses.compute.parameters import (
    Parameters,
    WholeNumber,
)
from pluto.server.analyses.compute.principal_components import (
    MAX_TOP_GENES,
    LogExpression,
    log_expression,
)
from pluto.server.analyses.compute.versions import cited
from pluto.server.analyses.heatmap import (
    HEATMAP,
    AnnotationColumns,
    annotation_columns_field,
    heatmap_settings,
    sample_tracks,
)
from pluto.server.analyses.kind import Inputs, Kind

SAMPLE_ID = "Sample_ID"
Method = Literal["pearson", "spearman"]
METHOD_WORDS = {
    "pearson": "Pearson correlation",
    "spearman": "Spearman rank correlation (Pearson correlation of ranks, ties given their "
    "average rank)",
}


class SampleCorrelationParameters(Parameters):
    """Which correlation, of how many genes, and how the samples are clustered."""

    method: Method = Field(default="pearson", description="Pearson or Spearman correlation.")
    top_genes: WholeNumber = Field(
        default=500,
        ge=2,
        le=MAX_TOP_GENES,
        description="How many of the most variable genes to correlate (more than the genes "
        "that vary uses them all).",
    )
    linkage: Literal["average", "complete"] = Field(
        default="average",
        description="How clusters of samples are joined (distance: one minus correlation).",
    )
    annotation_columns: AnnotationColumns = annotation_columns_field()


def check(params: SampleCorrelationParameters, inputs: Inputs) -> None:
    """At least 2 samples, none named Sample_ID, and the annotation columns exist."""
    samples = inputs.samples
    check_sample_table(samples)
    require_samples(list(samples.index), 2, "The experiment", "samples")
    if SAMPLE_ID in {str(s) for s in samples.index}:
        raise AnalysisInputError(
            f"A sample is named {SAMPLE_ID!r}, the name of the results' first column; "
            "rename it in the sample table.",
            "samples",
        )
    for column in params.annotation_columns:
        require_column(samples, column, "annotation_columns")


def correlation(values: np.ndarray, method: Method) -> np.ndarray:
    """Correlation between the columns (samples) of a genes x samples matrix."""
    if method == "spearman":
        values = rankdata(values, axis=0, method="average")
    centred = values - values.mean(axis=0)
    norms = np.sqrt((centred**2).sum(axis=0))
    if (norms == 0).any():
        raise AnalysisInputError(
            "A sample has the same value for every gene used, so it has no correlation "
            "with the others; raise top_genes or check that sample's counts.",
            "top_genes",
        )
    scaled = centred / norms
    return np.clip(scaled.T @ scaled, -1.0, 1.0)


def sample_tree(matrix: np.ndarray, linkage: hierarchy.Linkage) -> hierarchy.Tree:
    """Samples clustered on one minus their correlation."""
    distance = 1.0 - matrix
    np.fill_diagonal(distance, 0.0)
    return hierarchy.tree_from_distances(
        squareform(distance, checks=False), linkage, matrix.shape[0]
    )


def run(params: SampleCorrelationParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """The correlation matrix of all samples, rows and columns in clustered order."""
    progress(0.05, "Checking samples and counts")
    check(params, inputs)
    sample_ids = [str(s) for s in inputs.samples.index]
    expression = log_expression(inputs.counts, sample_ids, inputs.units, params.top_genes)
    progress(0.5, "Correlating samples")
    matrix = correlation(expression.values.to_numpy(dtype=float), params.method)
    tree = sample_tree(matrix, params.linkage)
    order = [sample_ids[i] for i in tree.order]
    heights = list(tree.neighbour_heights)
    return AnalysisResult(
        table=results_table(matrix, sample_ids, order),
        methods=methods_text(params, expression),
        display=heatmap_settings(
            label_column=SAMPLE_ID,
            value_columns=order,
            row_heights=heights,
            column_heights=heights,
            value_label="Pearson r" if params.method == "pearson" else "Spearman rho",
            colour_scale="sequential",
            tracks=sample_tracks(inputs.samples, params.annotation_columns),
        ),
        summary=summary(matrix, expression),
    )


def results_table(matrix: np.ndarray, sample_ids: list[str], order: list[str]) -> pd.DataFrame:
    """Sample_ID, then one column per sample: the symmetric matrix in clustered order."""
    frame = pd.DataFrame(matrix, index=sample_ids, columns=sample_ids).loc[order, order]
    table = frame.reset_index(drop=True)
    table.insert(0, SAMPLE_ID, order)
    return clean_table(table, [SAMPLE_ID, *order])


def summary(matrix: np.ndarray, expression: LogExpression) -> dict[str, Any]:
    """Samples and genes used, and the range of correlations between different samples."""
    between = matrix[~np.eye(len(matrix), dtype=bool)]
    return {
        "samples": len(matrix),
        "genes_used": expression.values.shape[0],
        "genes_varying": expression.genes_varying,
        "genes_in_matrix": expression.genes_in_matrix,
        "lowest_correlation": float(between.min()) if between.size else 1.0,
        "median_correlation": float(np.median(between)) if between.size else 1.0,
    }


def methods_text(params: SampleCorrelationParameters, expression: LogExpression) -> str:
    """One paragraph saying exactly what ran."""
    genes, samples = expression.values.shape
    return (
        f"Values were transformed to {expression.transform}; the {plural(genes, 'gene')} with "
        f"the highest variance across the {plural(samples, 'sample')} (top_genes = "
        f"{params.top_genes}, out of {expression.genes_varying:,} genes that vary among "
        f"{expression.genes_in_matrix:,} in the matrix) were used. The "
        f"{METHOD_WORDS[params.method]} between every pair of samples was computed with "
        f"numpy and scipy ({cited('numpy', 'scipy', 'pandas')}), as R's cor() computes it. "
        f"Samples were ordered by hierarchical clustering on one minus the correlation with "
        f'{params.linkage} linkage (R hclust method "{params.linkage}", branches ordered '
        "as hclust orders them); rows and columns are in that order."
    )


KIND = Kind(
    analysis_type="sample_correlation",
    title="Sample correlation",
    summary="How alike the samples are: the correlation of every pair of samples, clustered.",
    parameters=SampleCorrelationParameters,
    check=check,
    run=run,
    columns=(SAMPLE_ID,),
    sample_columns=True,
    displays=(HEATMAP,),
    aliases=("correlation", "sample-correlation"),
)
