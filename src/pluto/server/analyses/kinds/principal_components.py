"""Principal components: how samples group by their most variable genes."""

from __future__ import annotations

from pluto.server.analyses.compute import principal_components as compute
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.displays import SAMPLE_SCATTER
from pluto.server.analyses.kind import Inputs, Kind

Parameters = compute.PrincipalComponentsParameters


def check(params: Parameters, inputs: Inputs) -> None:
    """The group column exists and there are at least two samples."""
    compute.check_inputs(params, inputs.samples, inputs.units)


def run(params: Parameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """PCA of log2 CPM of the most variable genes."""
    return compute.run(params, inputs.samples, inputs.counts, inputs.units, progress)


KIND = Kind(
    analysis_type="principal_components",
    title="Principal components",
    summary="How samples group by their most variable genes, on two principal components.",
    parameters=Parameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    displays=(SAMPLE_SCATTER,),
    aliases=("pca", "principal-components"),
    libraries=("sklearn.decomposition",),
)
