"""Differential binding: peaks whose read counts change between two groups of samples
(DESeq2 on ATAC-seq, ChIP-seq, CUT&RUN or CUT&Tag peak counts), with each peak's nearest gene.

Its volcano plot is differential expression's (the figure names peaks by their nearest gene,
or by peak id when a peak has none)."""

from __future__ import annotations

from pydantic import Field

from pluto.server.analyses.compute import differential_binding as compute
from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.compute.parameters import WholeNumber
from pluto.server.analyses.displays import VOLCANO
from pluto.server.analyses.kind import Inputs, Kind, summary_numbers
from pluto.server.tables.headers import PEAK_ID


class DifferentialBindingParameters(de.DifferentialExpressionParameters):
    """What to compare and how to filter peaks: the parameters of differential expression."""

    min_count: WholeNumber = Field(
        default=3, ge=0, le=1_000_000, description="Keep peaks with at least this many reads…"
    )


def check(params: DifferentialBindingParameters, inputs: Inputs) -> None:
    """The assay counts peaks, the groups and covariates exist and can be compared, and the
    units are counts."""
    if inputs.feature_column != PEAK_ID:
        raise AnalysisInputError(
            "Differential binding compares peaks, and this experiment's assay data are genes; "
            "run differential expression instead, or use a ChIP-seq, ATAC-seq, CUT&RUN or "
            "CUT&Tag experiment.",
            "analysis_type",
        )
    de.check_inputs(params, inputs.samples, inputs.units)


def run(
    params: DifferentialBindingParameters, inputs: Inputs, progress: Progress
) -> AnalysisResult:
    """DESeq2's Wald test of experimental over control, peak by peak."""
    return compute.run(params, inputs.samples, inputs.counts, inputs.units, progress)


KIND = Kind(
    analysis_type="differential_binding",
    title="Differential binding",
    summary=(
        "Peaks whose read counts change between two groups of samples (DESeq2 on ATAC-seq, "
        "ChIP-seq, CUT&RUN or CUT&Tag peaks), with each peak's nearest gene, as a volcano plot."
    ),
    parameters=DifferentialBindingParameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    displays=(VOLCANO,),
    aliases=("db", "differential-binding"),
    libraries=("pydeseq2.dds", "pydeseq2.ds"),
    stats=summary_numbers(
        "peaks_tested",
        "peaks_significant",
        "peaks_up",
        "peaks_down",
        "peaks_with_gene",
        "samples_experimental",
        "samples_control",
        parameters=("alpha",),
    ),
    search_columns=("peak_id", "Gene_Symbol"),
)
