"""Differential binding: peaks whose read counts change between two groups of samples
(DESeq2 on ATAC-seq, ChIP-seq, CUT&RUN or CUT&Tag peak counts), with each peak's nearest gene."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import Field

from pluto.server.analyses import figures
from pluto.server.analyses.compute import differential_binding as compute
from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.displays import VolcanoOptions
from pluto.server.analyses.kind import Display, FigureContext, Inputs, Kind, Parameters


class DifferentialBindingParameters(Parameters):
    """What to compare and how to filter peaks: the parameters of differential expression."""

    group_column: str = Field(
        min_length=1,
        description="The sample-table column whose values make the two groups.",
        json_schema_extra={"choices": "sample_columns"},
    )
    experimental_values: tuple[str, ...] = Field(
        min_length=1,
        description="Values of the group column whose samples form the experimental group.",
        json_schema_extra={"choices": "sample_values", "of": "group_column"},
    )
    control_values: tuple[str, ...] = Field(
        min_length=1,
        description="Values of the group column whose samples form the control group.",
        json_schema_extra={"choices": "sample_values", "of": "group_column"},
    )
    covariates: tuple[str, ...] = Field(
        default=(),
        description="Sample-table columns to adjust for (batch, sex, ...).",
        json_schema_extra={"choices": "sample_columns"},
    )
    min_count: int = Field(
        default=3, ge=0, le=1_000_000, description="Keep peaks with at least this many reads…"
    )
    min_sample_fraction: float = Field(
        default=0.2, ge=0, le=1, description="…in at least this fraction of a group's samples."
    )
    alpha: float = Field(
        default=0.05, gt=0, lt=1, description="Significance level of the adjusted p-values."
    )


def comparison(params: DifferentialBindingParameters) -> de.DifferentialExpressionParameters:
    """The same parameters as differential expression takes them, with its checks of how
    they combine (a value in both groups, the group column as a covariate)."""
    return de.parse_parameters(params.model_dump())


def check(params: DifferentialBindingParameters, inputs: Inputs) -> None:
    """The groups and covariates exist and can be compared, and the units are counts."""
    de.check_inputs(comparison(params), inputs.samples, inputs.units)


def run(
    params: DifferentialBindingParameters, inputs: Inputs, progress: Progress
) -> AnalysisResult:
    """DESeq2's Wald test of experimental over control, peak by peak."""
    return compute.run(comparison(params), inputs.samples, inputs.counts, inputs.units, progress)


def volcano(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Differential expression's volcano plot, whose points are named by their nearest gene
    (or peak id when a peak has none)."""
    return figures.volcano_figure(table, title, dict(options))


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
    displays=(Display("volcano_plot_v2", VolcanoOptions, volcano, column_major=True),),
    aliases=("db", "differential-binding", "diffbind"),
)
