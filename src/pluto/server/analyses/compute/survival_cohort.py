"""From a sample table (and the assay, to split by a gene) to the data a survival analysis
fits: times, events, groups and the Cox model's terms, refusing what it cannot use.

Samples with an empty time, event, group or covariate are left out (counted, as R leaves
out rows with NA); every value that is there must be readable, or the refusal names the
sample, the value and the parameter to fix.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    check_sample_table,
    column_as_text,
    count_matrix,
    plural,
    require_column,
)
from pluto.server.analyses.compute.principal_components import log_transform
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.compute.survival_statistics import BoolArray, FloatArray, IntArray

MIN_EVENTS = 2
ALL_SAMPLES = "All samples"
EVENT_WORDS = {"1": True, "0": False, "true": True, "false": False}
SHOWN_VALUES = 20


@dataclass(frozen=True)
class Term:
    """One coefficient of the Cox model: the column (or gene) it comes from, what it
    compares, and the parameter to name when it cannot be estimated."""

    variable: str
    comparison: str
    field: str


@dataclass(frozen=True)
class ExpressionSplit:
    """How samples were split by a gene's expression."""

    gene: str
    quantile: float
    cutoff: float
    transform: str


@dataclass(frozen=True)
class Cohort:
    """The samples analysed, in sample-table order, with what the statistics need."""

    sample_ids: tuple[str, ...]
    time: FloatArray
    event: BoolArray
    group: IntArray
    groups: tuple[str, ...]
    design: FloatArray
    terms: tuple[Term, ...]
    left_out: int
    in_other_groups: int
    split: ExpressionSplit | None

    @property
    def events(self) -> int:
        """How many samples had the event."""
        return int(self.event.sum())


@dataclass(frozen=True)
class Grouping:
    """Per kept sample its group number, the group names, the samples of no group asked
    for, and the gene split when there was one."""

    group: IntArray
    groups: tuple[str, ...]
    outside: BoolArray
    split: ExpressionSplit | None = None


def prepare(
    params: SurvivalParameters, samples: pd.DataFrame, counts: pd.DataFrame | None, units: str
) -> Cohort:
    """The cohort the parameters describe; ``counts`` is needed only to split by a gene."""
    check_sample_table(samples)
    for field_name, column in used_columns(params):
        require_column(samples, column, field_name)
    complete = complete_samples(params, samples)
    grouping = sample_groups(params, complete, counts, units)
    compared = complete.loc[~grouping.outside]
    cohort = Cohort(
        sample_ids=tuple(str(s) for s in compared.index),
        time=follow_up_times(compared, params.time_column),
        event=event_flags(compared, params),
        group=grouping.group[~grouping.outside],
        groups=grouping.groups,
        design=np.zeros((len(compared), 0)),
        terms=(),
        left_out=len(samples) - len(complete),
        in_other_groups=int(grouping.outside.sum()),
        split=grouping.split,
    )
    check_events(params, cohort)
    return with_design(params, cohort, compared)


def used_columns(params: SurvivalParameters) -> list[tuple[str, str]]:
    """(parameter, column) for every sample-table column the parameters name."""
    used = [("time_column", params.time_column), ("event_column", params.event_column)]
    if params.group_column is not None:
        used.append(("group_column", params.group_column))
    return used + [("covariates", column) for column in params.covariates]


def complete_samples(params: SurvivalParameters, samples: pd.DataFrame) -> pd.DataFrame:
    """The samples with every used column filled in; refuses when there is none."""
    filled = pd.Series(True, index=samples.index)
    for _, column in used_columns(params):
        filled &= column_as_text(samples, column).notna()
    if not filled.any():
        raise AnalysisInputError(
            "No sample has a time, an event and every other column used filled in.",
            "time_column",
        )
    return samples.loc[filled]


def follow_up_times(samples: pd.DataFrame, column: str) -> FloatArray:
    """The times as numbers, refusing text, infinities and negative values by sample."""
    times = []
    for sample, text in column_as_text(samples, column).items():
        value = number_or_none(text)
        if value is None or not math.isfinite(value) or value < 0:
            raise AnalysisInputError(
                f"Sample {sample!r} has {column} = {text!r}; follow-up times must be numbers "
                "of at least 0 (for example days or months until the event or censoring).",
                "time_column",
            )
        times.append(value)
    return np.asarray(times, dtype=float)


def number_or_none(text: str) -> float | None:
    """The number a cell's text spells, or None."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def event_flags(samples: pd.DataFrame, params: SurvivalParameters) -> BoolArray:
    """True where the event was observed, False where the sample was censored."""
    texts = column_as_text(samples, params.event_column)
    if params.event_values:
        return named_event_flags(texts, params)
    return np.asarray([binary_event(sample, text, params, texts) for sample, text in texts.items()])


def binary_event(sample: object, text: str, params: SurvivalParameters, texts: pd.Series) -> bool:
    """A 1/0 or true/false event value; anything else is refused, naming the sample."""
    word = text.strip().lower()
    number = number_or_none(word)
    if number in (0.0, 1.0):
        return number == 1.0
    if word in EVENT_WORDS:
        return EVENT_WORDS[word]
    hint = (
        " This column holds 1 and 2, which R's Surv reads as 1 = censored and 2 = event: "
        'if that is meant, set event_values to ["2"] and censored_values to ["1"].'
        if set(texts.dropna()) <= {"1", "2"}
        else " For other words (such as dead and alive) set event_values and censored_values."
    )
    raise AnalysisInputError(
        f"Sample {sample!r} has {params.event_column} = {text!r}; without event_values the "
        f"event column must hold 1/0 or true/false (1 or true: the event was observed).{hint}",
        "event_column",
    )


def named_event_flags(texts: pd.Series, params: SurvivalParameters) -> BoolArray:
    """Events from the named values; a value in neither list is refused by sample."""
    present = set(texts)
    for value in params.event_values:
        if value not in present:
            raise AnalysisInputError(
                f"No sample has {params.event_column} = {value!r}; the column holds: "
                f"{shown(present)}.",
                "event_values",
            )
    for sample, text in texts.items():
        if text not in params.event_values and text not in params.censored_values:
            raise AnalysisInputError(
                f"Sample {sample!r} has {params.event_column} = {text!r}, which is in neither "
                "event_values nor censored_values; add it to the one it means.",
                "event_values",
            )
    return np.asarray(texts.isin(list(params.event_values)).to_numpy(), dtype=bool)


def shown(values: set[str]) -> str:
    """A few of a column's values, for a message."""
    return ", ".join(sorted(values)[:SHOWN_VALUES]) or "no values"


def sample_groups(
    params: SurvivalParameters, samples: pd.DataFrame, counts: pd.DataFrame | None, units: str
) -> Grouping:
    """The groups compared: a column's values, a gene's high and low, or all samples."""
    if params.group_column is not None:
        return column_groups(samples, params.group_column, params.group_values)
    if params.gene is not None:
        if counts is None:
            raise AnalysisInputError("Splitting by a gene needs the assay data.", "gene")
        return expression_groups(samples, counts, units, params)
    none = np.zeros(len(samples), dtype=bool)
    return Grouping(np.zeros(len(samples), dtype=np.int64), (ALL_SAMPLES,), none)


def column_groups(samples: pd.DataFrame, column: str, wanted: Sequence[str]) -> Grouping:
    """Groups by a column's values: those asked for in that order, else all, sorted."""
    texts = column_as_text(samples, column)
    present = set(texts)
    for value in wanted:
        if value not in present:
            raise AnalysisInputError(
                f"Group {value!r} has no samples: no sample with a time and an event has "
                f"{column} = {value!r}; the column holds: {shown(present)}.",
                "group_values",
            )
    groups = tuple(wanted) if wanted else natural_order(present)
    if len(groups) < 2:
        raise AnalysisInputError(
            f"Every sample with a time and an event has {column} = {groups[0]!r}: there is "
            "nothing to compare. Leave group_column empty for one curve of all samples.",
            "group_column",
        )
    number = {name: index for index, name in enumerate(groups)}
    group = np.asarray([number.get(text, -1) for text in texts], dtype=np.int64)
    return Grouping(group, groups, group < 0)


def natural_order(values: set[str]) -> tuple[str, ...]:
    """Numbers in numeric order when every value is one, else text in alphabetical order."""
    if all(number_or_none(v) is not None for v in values):
        return tuple(sorted(values, key=lambda v: (float(v), v)))
    return tuple(sorted(values))


def expression_groups(
    samples: pd.DataFrame, counts: pd.DataFrame, units: str, params: SurvivalParameters
) -> Grouping:
    """Low (at or below the quantile of the gene's log2 CPM) against high (above it)."""
    gene = str(params.gene)
    require_gene(counts, gene)
    matrix = count_matrix(counts, [str(s) for s in samples.index], allow_negative=True)
    logged, transform = log_transform(matrix, units)
    values = logged.loc[gene].to_numpy(dtype=float)
    cutoff = float(np.quantile(values, params.expression_quantile))
    high = values > cutoff
    if high.all() or not high.any():
        raise AnalysisInputError(
            f"Every sample's expression of {gene} is on the same side of its "
            f"{params.expression_quantile:g} quantile ({cutoff:.4g}), so there is no high and "
            "low group; choose another quantile or gene.",
            "expression_quantile",
        )
    split = ExpressionSplit(gene, params.expression_quantile, cutoff, transform)
    groups = (f"{gene} low", f"{gene} high")
    return Grouping(high.astype(np.int64), groups, np.zeros(len(values), dtype=bool), split)


def require_gene(counts: pd.DataFrame, gene: str) -> None:
    """Refuse a gene the assay does not have, suggesting one that differs only in case."""
    if gene in counts.index:
        return
    alike = [str(g) for g in counts.index if str(g).lower() == gene.lower()]
    hint = f" Did you mean {alike[0]!r}?" if alike else ""
    raise AnalysisInputError(
        f"The assay data has no gene {gene!r} ({plural(len(counts), 'gene')}).{hint}", "gene"
    )


def check_events(params: SurvivalParameters, cohort: Cohort) -> None:
    """Enough events overall, and at least one in every group compared."""
    if cohort.events < MIN_EVENTS:
        raise AnalysisInputError(
            f"{plural(cohort.events, 'sample')} of {len(cohort.sample_ids)} had the event; at "
            f"least {MIN_EVENTS} events are needed. Check event_column and its values.",
            "event_column",
        )
    if len(cohort.groups) < 2:
        return
    for number, name in enumerate(cohort.groups):
        members = cohort.group == number
        if not cohort.event[members].any():
            raise AnalysisInputError(
                f"Group {name!r} ({plural(int(members.sum()), 'sample')}) has no events, so "
                "its hazard ratio cannot be estimated; "
                f"{no_event_advice(params)}",
                group_field(params),
            )


def group_field(params: SurvivalParameters) -> str:
    """The parameter that makes the groups."""
    if params.gene is not None:
        return "expression_quantile"
    return "group_values" if params.group_values else "group_column"


def no_event_advice(params: SurvivalParameters) -> str:
    """What to change when a group has no events."""
    if params.gene is not None:
        return "choose another expression_quantile or gene."
    return "leave it out with group_values, or group by another column."


def with_design(params: SurvivalParameters, cohort: Cohort, samples: pd.DataFrame) -> Cohort:
    """The cohort with its Cox model terms: the groups against the first, then covariates."""
    columns, terms = group_terms(params, cohort)
    for column in params.covariates:
        more_columns, more_terms = covariate_terms(column, samples, cohort.event)
        columns += more_columns
        terms += more_terms
    if len(terms) >= cohort.events:
        raise AnalysisInputError(
            f"The Cox model has {plural(len(terms), 'term')} but only "
            f"{plural(cohort.events, 'event')}; it needs more events than terms: use fewer "
            "covariates or groups.",
            "covariates" if params.covariates else group_field(params),
        )
    design = np.column_stack(columns) if columns else np.zeros((len(cohort.sample_ids), 0))
    refuse_redundant_terms(design, terms)
    return dataclasses.replace(cohort, design=design, terms=tuple(terms))


def refuse_redundant_terms(design: FloatArray, terms: list[Term]) -> None:
    """Refuse a term the ones before it already determine (a covariate repeating the
    groups, or two covariates that are the same): its hazard ratio has no estimate."""
    centred = design - design.mean(axis=0)
    for count, term in enumerate(terms, start=1):
        if np.linalg.matrix_rank(centred[:, :count]) < count:
            raise AnalysisInputError(
                f"The term {term.variable} ({term.comparison}) is determined by the terms "
                "before it among the samples analysed (for example a covariate that repeats "
                "the groups), so its hazard ratio cannot be estimated; leave it out.",
                term.field,
            )


def group_terms(params: SurvivalParameters, cohort: Cohort) -> tuple[list[FloatArray], list[Term]]:
    """One indicator per group after the first (the reference)."""
    variable = params.group_column or params.gene or ""
    field_name = group_field(params)
    columns = [(cohort.group == n).astype(float) for n in range(1, len(cohort.groups))]
    if cohort.split is not None:
        return columns, [Term(variable, "high vs low", field_name)]
    terms = [
        Term(variable, f"{name} vs {cohort.groups[0]}", field_name) for name in cohort.groups[1:]
    ]
    return columns, terms


def covariate_terms(
    column: str, samples: pd.DataFrame, event: BoolArray
) -> tuple[list[FloatArray], list[Term]]:
    """A number per unit, or one indicator per category after the first in sorted order."""
    texts = column_as_text(samples, column)
    values = [number_or_none(t) for t in texts]
    if all(v is not None for v in values):
        numbers = np.asarray(values, dtype=float)
        if np.ptp(numbers) == 0:
            raise AnalysisInputError(
                f"Covariate {column!r} is {texts.iloc[0]} for every sample analysed; a "
                "covariate must vary to be adjusted for.",
                "covariates",
            )
        return [numbers], [Term(column, "per unit increase", "covariates")]
    return categorical_terms(column, texts, event)


def categorical_terms(
    column: str, texts: pd.Series, event: BoolArray
) -> tuple[list[FloatArray], list[Term]]:
    """Indicators of a category column; every category needs samples with events."""
    levels = natural_order(set(texts))
    if len(levels) < 2:
        raise AnalysisInputError(
            f"Covariate {column!r} is {levels[0]!r} for every sample analysed; a covariate "
            "must vary to be adjusted for.",
            "covariates",
        )
    for level in levels:
        if not event[(texts == level).to_numpy()].any():
            raise AnalysisInputError(
                f"No sample with {column} = {level!r} had the event, so the hazard ratios of "
                f"covariate {column!r} cannot be estimated; leave it out of covariates.",
                "covariates",
            )
    columns = [(texts == level).to_numpy(dtype=float) for level in levels[1:]]
    terms = [Term(column, f"{level} vs {levels[0]}", "covariates") for level in levels[1:]]
    return columns, terms
