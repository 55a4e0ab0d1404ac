"""Survival analysis: Kaplan-Meier curves per group, the log-rank test between the groups
and a Cox proportional hazards model of the groups and covariates, as R's ``survival``
package computes them (``survfit``, ``survdiff``, ``coxph`` with Efron's ties).

The results table is the curves: one row per group and distinct observation time (as in
``summary(survfit(...), censored = TRUE)``). Where the survival reaches 0 R's log-scale
interval is undefined (NA); the table reports 0 for both ends there, so it has no nulls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    clean_table,
    no_progress,
    plural,
)
from pluto.server.analyses.compute.survival_cohort import Cohort, prepare
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.compute.survival_statistics import (
    Z_95,
    ChiSquareTest,
    CoxFit,
    Curve,
    LogRank,
    SingularFit,
    cox_fit,
    kaplan_meier,
    log_rank,
    survival_quantile,
)
from pluto.server.analyses.compute.versions import cited

COLUMNS = ("Group", "Time", "At_Risk", "Events", "Censored", "Survival", "Lower_95", "Upper_95")


@dataclass(frozen=True)
class Fits:
    """Everything computed from a cohort."""

    cohort: Cohort
    curves: tuple[Curve, ...]
    log_rank: LogRank | None
    cox: CoxFit | None


def run(
    params: SurvivalParameters,
    samples: pd.DataFrame,
    counts: pd.DataFrame | None,
    units: str,
    progress: Progress = no_progress,
) -> AnalysisResult:
    """Curves, log-rank test and Cox model of the cohort the parameters describe."""
    progress(0.05, "Reading follow-up times and events")
    cohort = prepare(params, samples, counts, units)
    progress(0.3, "Estimating Kaplan-Meier curves")
    curves = tuple(
        kaplan_meier(cohort.time[cohort.group == n], cohort.event[cohort.group == n])
        for n in range(len(cohort.groups))
    )
    progress(0.5, "Testing the groups and fitting the Cox model")
    fits = Fits(cohort, curves, group_test(cohort), checked_cox(cohort))
    return AnalysisResult(
        table=results_table(cohort.groups, curves),
        methods=methods_text(params, fits),
        display=display_settings(params, fits),
        summary=summary(fits),
    )


def group_test(cohort: Cohort) -> LogRank | None:
    """The log-rank test when there are groups to compare."""
    if len(cohort.groups) < 2:
        return None
    return log_rank(cohort.time, cohort.event, cohort.group, len(cohort.groups))


def checked_cox(cohort: Cohort) -> CoxFit | None:
    """The Cox model when it has terms, refusing one whose estimates run to infinity."""
    if not cohort.terms:
        return None
    try:
        fit = cox_fit(cohort.design, cohort.time, cohort.event)
    except SingularFit as error:
        term = cohort.terms[-1]
        raise AnalysisInputError(
            f"The Cox model cannot be fitted ({error}): its hazard ratios run off to infinity "
            "or its terms repeat each other; leave out a covariate or group the samples "
            "differently.",
            term.field,
        ) from error
    for index, term in enumerate(cohort.terms):
        if not fit.converged or fit.diverging[index]:
            raise AnalysisInputError(
                f"The hazard ratio of {term.variable} ({term.comparison}) cannot be estimated: "
                "it runs off to infinity (for example every event falls on one side of it); "
                "leave it out or group the samples differently.",
                term.field,
            )
    return fit


def results_table(groups: tuple[str, ...], curves: tuple[Curve, ...]) -> pd.DataFrame:
    """Group, Time, At_Risk, Events, Censored, Survival, Lower_95, Upper_95."""
    parts = [
        pd.DataFrame(
            {
                "Group": name,
                "Time": curve.time,
                "At_Risk": curve.at_risk,
                "Events": curve.events,
                "Censored": curve.censored,
                "Survival": curve.survival,
                "Lower_95": np.nan_to_num(curve.lower, nan=0.0),
                "Upper_95": np.nan_to_num(curve.upper, nan=0.0),
            }
        )
        for name, curve in zip(groups, curves, strict=True)
    ]
    return clean_table(pd.concat(parts, ignore_index=True), COLUMNS)


def chi_square_summary(test: ChiSquareTest) -> dict[str, Any]:
    """A chi-square test as JSON numbers."""
    return {"chi_square": test.chi_square, "df": test.df, "p_value": test.p_value}


def group_summaries(fits: Fits) -> list[dict[str, Any]]:
    """Per group: samples, events, median survival with its interval, observed and
    expected events of the log-rank test."""
    rows = []
    for number, (name, curve) in enumerate(zip(fits.cohort.groups, fits.curves, strict=True)):
        median = survival_quantile(curve, 0.5)
        row: dict[str, Any] = {
            "group": name,
            "samples": int(curve.at_risk[0]),
            "events": int(curve.events.sum()),
            "median_survival": median.estimate,
            "median_lower_95": median.lower,
            "median_upper_95": median.upper,
        }
        if fits.log_rank is not None:
            row["observed"] = float(fits.log_rank.observed[number])
            row["expected"] = float(fits.log_rank.expected[number])
        rows.append(row)
    return rows


def cox_summary(cohort: Cohort, fit: CoxFit) -> dict[str, Any]:
    """Hazard ratios with 95% intervals and Wald p-values per term, and the model's tests."""
    errors, p_values = fit.standard_errors, fit.p_values
    terms = [
        {
            "variable": term.variable,
            "comparison": term.comparison,
            "coefficient": float(beta),
            "standard_error": float(error),
            "hazard_ratio": float(np.exp(beta)),
            "lower_95": float(np.exp(beta - Z_95 * error)),
            "upper_95": float(np.exp(beta + Z_95 * error)),
            "z": float(beta / error),
            "p_value": float(p),
        }
        for term, beta, error, p in zip(
            cohort.terms, fit.coefficients, errors, p_values, strict=True
        )
    ]
    return {
        "terms": terms,
        "ties": "efron",
        "log_likelihood": [fit.log_likelihood_null, fit.log_likelihood],
        "iterations": fit.iterations,
        "likelihood_ratio": chi_square_summary(fit.likelihood_ratio),
        "wald": chi_square_summary(fit.wald),
        "score": chi_square_summary(fit.score),
    }


def summary(fits: Fits) -> dict[str, Any]:
    """The numbers a scientist reads first: counts, medians, the log-rank test and the
    hazard ratios."""
    cohort = fits.cohort
    split = cohort.split
    return {
        "samples": len(cohort.sample_ids),
        "events": cohort.events,
        "censored": len(cohort.sample_ids) - cohort.events,
        "samples_left_out": cohort.left_out,
        "samples_in_other_groups": cohort.in_other_groups,
        "groups": group_summaries(fits),
        "expression_split": None
        if split is None
        else {"gene": split.gene, "quantile": split.quantile, "cutoff": split.cutoff},
        "log_rank": None if fits.log_rank is None else chi_square_summary(fits.log_rank.test),
        "cox": None if fits.cox is None else cox_summary(cohort, fits.cox),
    }


def display_settings(params: SurvivalParameters, fits: Fits) -> dict[str, Any]:
    """What the curve figure shows beside the table: the axis title and the test."""
    test = fits.log_rank
    return {
        "groups": list(fits.cohort.groups),
        "time_column": params.time_column,
        "log_rank_p_value": None if test is None else test.test.p_value,
    }


def grouping_sentence(params: SurvivalParameters, cohort: Cohort) -> str:
    """How the samples were grouped."""
    sizes = ", ".join(
        f"{name} ({int((cohort.group == n).sum())})" for n, name in enumerate(cohort.groups)
    )
    if cohort.split is not None:
        split = cohort.split
        return (
            f"Samples were split by their expression of {split.gene}, transformed to "
            f"{split.transform}: high above its {split.quantile:g} quantile ({split.cutoff:.4g}), "
            f"low at or below it: {sizes}."
        )
    if params.group_column is not None:
        return f"Samples were grouped by {params.group_column}: {sizes}."
    return "All samples form one group."


def event_sentence(params: SurvivalParameters, cohort: Cohort) -> str:
    """Which columns held the follow-up, and which samples were left out."""
    coding = (
        f"{', '.join(params.event_values)} meaning the event and "
        f"{', '.join(params.censored_values)} censoring"
        if params.event_values
        else "1 or true meaning the event and 0 or false censoring"
    )
    left_out = (
        f" {plural(cohort.left_out, 'sample')} without a value in a column used were left out."
        if cohort.left_out
        else ""
    )
    return (
        f"Follow-up times were taken from {params.time_column} and events from "
        f"{params.event_column} ({coding}).{left_out}"
    )


def comparison_sentence(fits: Fits) -> str:
    """The log-rank test and the hazard ratios, with their figures."""
    parts = [
        "Kaplan-Meier curves were estimated with Greenwood standard errors and 95% confidence "
        'intervals on the log scale (as R survfit\'s default conf.type = "log").'
    ]
    if fits.log_rank is not None:
        test = fits.log_rank.test
        parts.append(
            f"The groups were compared with the log-rank test (as R survdiff, rho = 0): "
            f"chi-square {test.chi_square:.3f} on {test.df} df, p = {test.p_value:.3g}."
        )
    if fits.cox is not None:
        parts.append(cox_sentence(fits.cohort, fits.cox))
    return " ".join(parts)


def cox_sentence(cohort: Cohort, fit: CoxFit) -> str:
    """The Cox model and its hazard ratios."""
    ratios = "; ".join(
        f"{term.variable} {term.comparison}: HR {np.exp(beta):.3g} "
        f"(95% CI {np.exp(beta - Z_95 * error):.3g}-{np.exp(beta + Z_95 * error):.3g}, "
        f"p = {p:.3g})"
        for term, beta, error, p in zip(
            cohort.terms, fit.coefficients, fit.standard_errors, fit.p_values, strict=True
        )
    )
    variables = " + ".join(dict.fromkeys(term.variable for term in cohort.terms))
    return (
        f"Hazard ratios come from a Cox proportional hazards model ~ {variables} with Efron's "
        f"method for tied times (as R coxph), Wald tests and intervals: {ratios}."
    )


def methods_text(params: SurvivalParameters, fits: Fits) -> str:
    """One paragraph saying exactly what ran."""
    cohort = fits.cohort
    return (
        f"Survival was analysed with Pluto's implementation of the methods of R's survival "
        f"package ({cited('numpy', 'scipy', 'pandas')}) on "
        f"{plural(len(cohort.sample_ids), 'sample')} with {plural(cohort.events, 'event')}. "
        f"{event_sentence(params, cohort)} {grouping_sentence(params, cohort)} "
        f"{comparison_sentence(fits)}"
    )
