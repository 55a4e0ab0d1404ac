"""UMAP embedding of the samples, computed on their principal components.

The values are those of the principal components analysis (log-scale values of the
``top_genes`` most variable genes, centred); up to 50 principal components feed UMAP
with a fixed random state, so the same data always gives the same picture.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from pluto.server.analyses.compute.compiled_code import cache_compiled_functions
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    group_labels,
    no_progress,
    plural,
)
from pluto.server.analyses.compute.parameters import Number, WholeNumber
from pluto.server.analyses.compute.principal_components import (
    LogExpression,
    SampleMapParameters,
    check_map_inputs,
    leading_components,
    log_expression,
    map_summary,
    map_table,
)
from pluto.server.analyses.compute.versions import cited

COLUMNS = ("Sample_ID", "UMAP1", "UMAP2", "group_id", "group_name")
MAX_COMPONENTS = 50
RANDOM_STATE = 0
# UMAP's spectral layout needs more points than embedding dimensions + 1.
MIN_SAMPLES = 4


class UmapParameters(SampleMapParameters):
    """Colouring column, genes used, and UMAP's neighbourhood size and minimum distance."""

    n_neighbors: WholeNumber = Field(
        title="Neighbours",
        default=15,
        ge=2,
        le=200,
        description="How many neighbours shape each sample's place.",
    )
    min_dist: Number = Field(
        title="Minimum distance",
        default=0.1,
        ge=0,
        le=1,
        description="How tightly UMAP may pack close samples.",
    )


def check_inputs(params: UmapParameters, samples: pd.DataFrame, units: str) -> None:
    """Refuse an unknown group column or fewer samples than UMAP can lay out."""
    check_map_inputs(params, samples, MIN_SAMPLES)


def embed(components: np.ndarray, n_neighbors: int, min_dist: float) -> np.ndarray:
    """Two UMAP coordinates per sample, reproducible through the fixed random state."""
    import umap

    cache_compiled_functions(("umap", "pynndescent"))
    with warnings.catch_warnings():
        # A fixed random state means one thread, which UMAP warns about every time.
        warnings.filterwarnings("ignore", message=".*overridden to 1 by setting random_state.*")
        reducer = umap.UMAP(
            n_neighbors=n_neighbors, min_dist=min_dist, n_components=2, random_state=RANDOM_STATE
        )
        return np.asarray(reducer.fit_transform(components), dtype=float)


def run(
    params: UmapParameters,
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    units: str,
    progress: Progress = no_progress,
) -> AnalysisResult:
    """UMAP of all samples: one row per sample with UMAP1, UMAP2 and its group."""
    progress(0.05, "Checking samples and counts")
    check_inputs(params, samples, units)
    sample_ids = [str(s) for s in samples.index]
    expression = log_expression(counts, sample_ids, units, params.top_genes)
    progress(0.3, "Computing principal components")
    components = leading_components(expression, MAX_COMPONENTS)
    component_count = components.shape[1]
    neighbours = min(params.n_neighbors, len(sample_ids) - 1)
    progress(0.5, "Computing the UMAP embedding")
    coordinates = embed(components, neighbours, params.min_dist)
    groups = group_labels(samples, params.group_column)
    table = map_table(("UMAP1", "UMAP2"), sample_ids, coordinates, groups)
    return AnalysisResult(
        table=table,
        methods=methods_text(params, expression, component_count, neighbours),
        display={"x_column": "UMAP1", "y_column": "UMAP2", "color_by": params.group_column},
        summary=summary(expression, component_count, neighbours),
    )


def summary(expression: LogExpression, component_count: int, neighbours: int) -> dict[str, Any]:
    """Numbers of samples, genes and components used."""
    return {**map_summary(expression, component_count), "n_neighbors_used": neighbours}


def methods_text(
    params: UmapParameters, expression: LogExpression, component_count: int, neighbours: int
) -> str:
    """One paragraph saying exactly what ran."""
    clamped = (
        f" n_neighbors was lowered from {params.n_neighbors} to {neighbours}, the number of "
        "samples minus one."
        if neighbours != params.n_neighbors
        else ""
    )
    return (
        f"UMAP was run with umap-learn ({cited('umap-learn', 'scikit-learn', 'numpy', 'pandas')}) "
        f"on {plural(expression.values.shape[1], 'sample')}. Values were transformed to "
        f"{expression.transform}; the {plural(expression.values.shape[0], 'gene')} with the "
        f"highest variance (top_genes = {params.top_genes}, out of "
        f"{expression.genes_in_matrix:,} in the matrix) were centred and reduced to their first "
        f"{plural(component_count, 'principal component')}, which UMAP embedded in two "
        f"dimensions with n_neighbors = {neighbours}, min_dist = {params.min_dist:g}, "
        f"Euclidean distance and random_state = {RANDOM_STATE}.{clamped}"
    )
