"""Differential expression: genes that change between two groups of samples (DESeq2)."""

from __future__ import annotations

from pluto.server.analyses.compute import differential_expression as compute
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.displays import VOLCANO
from pluto.server.analyses.kind import Inputs, Kind, summary_numbers

Parameters = compute.DifferentialExpressionParameters


def check(params: Parameters, inputs: Inputs) -> None:
    """The groups and covariates exist and can be compared, and the units are counts."""
    compute.check_inputs(params, inputs.samples, inputs.units)


def run(params: Parameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """DESeq2's Wald test of experimental over control."""
    return compute.run(params, inputs.samples, inputs.counts, inputs.units, progress)


KIND = Kind(
    analysis_type="differential_expression",
    title="Differential expression",
    summary="Genes that change between two groups of samples (DESeq2), shown as a volcano plot.",
    parameters=Parameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    displays=(VOLCANO,),
    aliases=("de", "differential-expression"),
    libraries=("pydeseq2.dds", "pydeseq2.ds"),
    stats=summary_numbers(
        "genes_tested",
        "genes_significant",
        "genes_up",
        "genes_down",
        "samples_experimental",
        "samples_control",
        parameters=("alpha",),
    ),
)
