"""t-SNE of the samples, computed on their principal components.

The values are those of the principal components analysis (log-scale values of the
``top_genes`` most variable genes, centred); up to 50 principal components feed
scikit-learn's t-SNE with a fixed random state and one thread, so the same data always gives
the same picture. The perplexity (the effective number of neighbours each sample is compared
with) must be below the number of samples; left empty it is 30, or (samples - 1) / 3 for
fewer than 91 samples, the largest value the t-SNE authors' own implementation accepts.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import BeforeValidator, Field
from threadpoolctl import threadpool_limits

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    group_labels,
    plural,
)
from pluto.server.analyses.compute.parameters import (
    finite_number,
)
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
from pluto.server.analyses.displays import SAMPLE_SCATTER
from pluto.server.analyses.kind import Inputs, Kind

COLUMNS = ("Sample_ID", "TSNE1", "TSNE2", "group_id", "group_name")
MAX_COMPONENTS = 50
RANDOM_STATE = 0
DEFAULT_PERPLEXITY = 30.0
# Fewer samples leave t-SNE no neighbourhoods to speak of.
MIN_SAMPLES = 4
# A number (as the kinds' Number type takes it) whose bounds come before the validator, so
# the JSON schema of the optional field states them as minimum and maximum.
Perplexity = Annotated[float, Field(gt=0, le=10_000), BeforeValidator(finite_number)]


class TsneParameters(SampleMapParameters):
    """Colouring column, genes used, and the perplexity of the embedding."""

    perplexity: Perplexity | None = Field(
        title="Perplexity",
        default=None,
        description=(
            "The effective number of neighbours of each sample; below the number of samples. "
            "Not given: 30, or (samples - 1) / 3 when that is smaller."
        ),
    )


def automatic_perplexity(samples: int) -> float:
    """30, or (samples - 1) / 3 when that is smaller."""
    return min(DEFAULT_PERPLEXITY, (samples - 1) / 3)


def perplexity_limit(samples: int) -> str:
    """The refusal's advice: what values fit this many samples."""
    return (
        f"it must be less than the number of samples ({samples}); left empty it is "
        f"{automatic_perplexity(samples):.4g} for {samples} samples (30, or (samples - 1) / 3 "
        "when that is smaller)"
    )


def check(params: TsneParameters, inputs: Inputs) -> None:
    """Refuse an unknown group column, fewer than 4 samples, or a perplexity that is not
    below the number of samples."""
    samples = inputs.samples
    check_map_inputs(params, samples, MIN_SAMPLES)
    if params.perplexity is not None and params.perplexity >= len(samples):
        raise AnalysisInputError(
            f"perplexity is {params.perplexity:g}, but {perplexity_limit(len(samples))}.",
            "perplexity",
        )


def perplexity_used(params: TsneParameters, samples: int) -> float:
    """The perplexity asked for, or 30 capped at (samples - 1) / 3."""
    if params.perplexity is not None:
        return params.perplexity
    return automatic_perplexity(samples)


def initialisation(components: np.ndarray) -> str:
    """Where the layout starts: the principal components, unless there is only one (when a
    single gene varies), which cannot place samples in two dimensions."""
    return "pca" if components.shape[1] >= 2 else "random"


def embed(components: np.ndarray, perplexity: float) -> np.ndarray:
    """Two t-SNE coordinates per sample, reproducible through the fixed random state and
    one thread (the Barnes-Hut sums would otherwise depend on how threads split them)."""
    from sklearn.manifold import TSNE

    reducer = TSNE(
        n_components=2,
        perplexity=perplexity,
        init=initialisation(components),
        random_state=RANDOM_STATE,
    )
    with threadpool_limits(limits=1):
        return np.asarray(reducer.fit_transform(components), dtype=float)


def run(params: TsneParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """t-SNE of all samples: one row per sample with TSNE1, TSNE2 and its group."""
    progress(0.05, "Checking samples and counts")
    check(params, inputs)
    samples = inputs.samples
    sample_ids = [str(s) for s in samples.index]
    expression = log_expression(inputs.counts, sample_ids, inputs.units, params.top_genes)
    progress(0.3, "Computing principal components")
    components = leading_components(expression, MAX_COMPONENTS)
    component_count = components.shape[1]
    perplexity = perplexity_used(params, len(sample_ids))
    progress(0.5, "Computing the t-SNE embedding")
    coordinates = embed(components, perplexity)
    groups = group_labels(samples, params.group_column)
    table = map_table(("TSNE1", "TSNE2"), sample_ids, coordinates, groups)
    return AnalysisResult(
        table=table,
        methods=methods_text(params, expression, components, perplexity),
        display={"x_column": "TSNE1", "y_column": "TSNE2", "color_by": params.group_column},
        summary=summary(expression, component_count, perplexity),
    )


def summary(expression: LogExpression, component_count: int, perplexity: float) -> dict[str, Any]:
    """Numbers of samples, genes and components used, and the perplexity."""
    return {**map_summary(expression, component_count), "perplexity_used": perplexity}


STARTS = {"pca": "initialisation from the principal components", "random": "random initialisation"}


def methods_text(
    params: TsneParameters, expression: LogExpression, components: np.ndarray, perplexity: float
) -> str:
    """One paragraph saying exactly what ran."""
    chosen = "" if params.perplexity is not None else " (chosen from the number of samples)"
    component_count, start = components.shape[1], initialisation(components)
    return (
        f"t-SNE was run with scikit-learn ({cited('scikit-learn', 'numpy', 'pandas')}) on "
        f"{plural(expression.values.shape[1], 'sample')}. Values were transformed to "
        f"{expression.transform}; the {plural(expression.values.shape[0], 'gene')} with the "
        f"highest variance (top_genes = {params.top_genes}, out of "
        f"{expression.genes_in_matrix:,} in the matrix) were centred and reduced to their first "
        f"{plural(component_count, 'principal component')}, which t-SNE embedded in two "
        f"dimensions with perplexity = {perplexity:.4g}{chosen}, Euclidean distance, "
        "scikit-learn's defaults otherwise (Barnes-Hut approximation with angle 0.5, "
        f"automatic learning rate, {STARTS[start]}, 1,000 iterations) and random_state = "
        f"{RANDOM_STATE}."
    )


KIND = Kind(
    analysis_type="tsne",
    title="t-SNE",
    summary=(
        "A two-dimensional t-SNE map of the samples, computed on the principal components of "
        "the most variable genes."
    ),
    parameters=TsneParameters,
    check=check,
    run=run,
    columns=COLUMNS,
    displays=(SAMPLE_SCATTER,),
    aliases=("t-sne",),
    libraries=("sklearn.decomposition", "sklearn.manifold"),
)
