"""Survival: Kaplan-Meier curves by group or by a gene's expression, the log-rank test and
Cox hazard ratios, from follow-up times and events in the sample table."""

from __future__ import annotations

import pandas as pd

from pluto.server.analyses.compute import survival as compute
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.compute.survival_cohort import prepare
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.kind import Display, Inputs, Kind
from pluto.server.analyses.survival_figure import (
    KAPLAN_MEIER_DEFAULTS,
    KaplanMeierOptions,
    kaplan_meier_figure,
)
from pluto.server.errors import InvalidInput

KAPLAN_MEIER_CURVE = Display(
    "kaplan_meier_curve", KaplanMeierOptions, kaplan_meier_figure, defaults=KAPLAN_MEIER_DEFAULTS
)


def gene_counts(params: SurvivalParameters, inputs: Inputs) -> pd.DataFrame | None:
    """The assay, read only to split by a gene (the kind needs no assay otherwise); its
    absence is a problem of the ``gene`` parameter."""
    if params.gene is None:
        return None
    try:
        return inputs.counts
    except InvalidInput as error:
        raise AnalysisInputError(
            f"{error.message} Splitting samples by a gene's expression needs it; or group "
            "them by a sample-table column with group_column instead.",
            "gene",
        ) from error


def check(params: SurvivalParameters, inputs: Inputs) -> None:
    """Times, events, groups and covariates are all readable, every group has samples and
    events, and the gene (when splitting by one) is in the assay."""
    prepare(params, inputs.samples, gene_counts(params, inputs), inputs.units)


def run(params: SurvivalParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """Curves, log-rank test and Cox model."""
    counts = gene_counts(params, inputs)
    return compute.run(params, inputs.samples, counts, inputs.units, progress)


KIND = Kind(
    analysis_type="survival",
    title="Survival",
    summary="Kaplan-Meier curves by group or by a gene's expression, with the log-rank test "
    "and Cox hazard ratios.",
    parameters=SurvivalParameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    displays=(KAPLAN_MEIER_CURVE,),
    aliases=("km", "kaplan-meier", "cox"),
    needs_counts=False,
    libraries=("scipy.stats",),
)
