"""UMAP: a two-dimensional map of the samples, built on their principal components."""

from __future__ import annotations

from pluto.server.analyses.compute import umap_embedding as compute
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.displays import SAMPLE_SCATTER
from pluto.server.analyses.kind import Inputs, Kind

Parameters = compute.UmapParameters


def check(params: Parameters, inputs: Inputs) -> None:
    """The group column exists and there are enough samples for a layout."""
    compute.check_inputs(params, inputs.samples, inputs.units)


def run(params: Parameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """UMAP of the samples' principal components."""
    return compute.run(params, inputs.samples, inputs.counts, inputs.units, progress)


KIND = Kind(
    analysis_type="umap",
    title="UMAP",
    summary="A two-dimensional map of the samples, built on their principal components.",
    parameters=Parameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    displays=(SAMPLE_SCATTER,),
    libraries=("umap",),
)
