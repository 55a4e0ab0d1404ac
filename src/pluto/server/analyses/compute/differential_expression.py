"""Differential expression between two groups of samples with DESeq2 (PyDESeq2).

The comparison is experimental over control: samples whose ``group_column`` holds one of
``experimental_values`` against those holding one of ``control_values``; other samples
are left out. Optional covariates enter the design before the group (``~ covariates +
group``). Tests and adjustments match R DESeq2's ``results()`` defaults: Wald test,
Cook's distance outlier filtering, independent filtering at ``alpha`` and
Benjamini-Hochberg adjustment, without fold change shrinkage.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator
from threadpoolctl import threadpool_limits

from pluto.server.analyses.compute.deseq2_inference import VectorisedInference
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    check_sample_table,
    clean_table,
    column_as_text,
    count_matrix,
    feature_filter,
    integer_counts,
    no_progress,
    plural,
    require_column,
    require_count_units,
    require_samples,
    samples_needed,
    samples_with_values,
)
from pluto.server.analyses.compute.parameters import (
    Number,
    Parameters,
    Text,
    TextList,
    WholeNumber,
    choices,
    problem,
)
from pluto.server.analyses.compute.versions import cited, package_version

COLUMNS = ("Gene_Symbol", "Average_Expression", "Log2_Fold_Change", "P_Value", "Adj_P_Value")
GROUP_FACTOR = "group"
CONTROL, EXPERIMENTAL = "control", "experimental"
DISPLAY_FOLD_CHANGE_THRESHOLD = 1.0
INDEPENDENTLY_FILTERED = "removed_by_independent_filtering"


class DifferentialExpressionParameters(Parameters):
    """What to compare and how to filter; defaults as API.md lists them."""

    group_column: Text = Field(
        title="Compare samples by",
        description="The sample-table column whose values make the two groups.",
        json_schema_extra=choices("sample_columns"),
    )
    experimental_values: TextList = Field(
        title="Experimental group",
        min_length=1,
        description="Values of the group column whose samples form the experimental group.",
        json_schema_extra=choices("sample_values", of="group_column"),
    )
    control_values: TextList = Field(
        title="Control group",
        min_length=1,
        description="Values of the group column whose samples form the control group.",
        json_schema_extra=choices(
            "sample_values", of="group_column", distinct_from="experimental_values"
        ),
    )
    covariates: TextList = Field(
        title="Covariates",
        default=(),
        description="Sample-table columns to adjust for (batch, sex, ...).",
        json_schema_extra=choices("sample_columns"),
    )
    min_count: WholeNumber = Field(
        title="Minimum reads per gene",
        default=3,
        ge=0,
        le=1_000_000,
        description="Keep genes with at least this many counts…",
    )
    min_sample_fraction: Number = Field(
        title="…in at least this fraction of the samples",
        default=0.2,
        ge=0,
        le=1,
        description="…in at least this fraction of the samples.",
    )
    alpha: Number = Field(
        title="Significance level (adjusted p)",
        default=0.05,
        gt=0,
        lt=1,
        description="Significance level of the adjusted p-values.",
    )

    @field_validator("control_values")
    @classmethod
    def not_also_experimental(cls, values: tuple[str, ...], info: ValidationInfo) -> Any:
        """A value cannot be in both groups."""
        shared = sorted(set(values) & set(info.data.get("experimental_values", ())))
        if shared:
            raise problem(
                f"{shared[0]!r} is both an experimental and a control value; "
                "a sample can be in one group only"
            )
        return values

    @field_validator("covariates")
    @classmethod
    def not_the_group_column(cls, values: tuple[str, ...], info: ValidationInfo) -> Any:
        """The group column cannot also be a covariate."""
        group = info.data.get("group_column")
        if group in values:
            raise problem(f"{group!r} is the group column; it cannot also be a covariate")
        return values


@dataclass(frozen=True)
class Comparison:
    """The samples of each group, in sample table order, and how many were left out."""

    experimental: tuple[str, ...]
    control: tuple[str, ...]
    excluded: int
    continuous_covariates: tuple[str, ...]

    @property
    def samples(self) -> list[str]:
        """Every compared sample: experimental first, then control."""
        return [*self.experimental, *self.control]


@dataclass(frozen=True)
class Features:
    """What the rows of the count matrix are (genes, or peaks for differential binding), in
    the words of messages, summary keys and the methods text."""

    noun: str
    analysis: str

    @property
    def nouns(self) -> str:
        """The plural: ``genes``."""
        return self.noun + "s"

    def key(self, name: str) -> str:
        """A summary key: ``genes_tested``."""
        return f"{self.nouns}_{name}"


GENES = Features("gene", "Differential expression")


@dataclass(frozen=True)
class PreparedData:
    """Filtered integer counts (features x samples) and the DESeq2 sample metadata."""

    counts: pd.DataFrame
    metadata: pd.DataFrame
    design: str
    comparison: Comparison
    genes_in_matrix: int
    features: Features = GENES


@dataclass(frozen=True)
class DeseqFit:
    """DESeq2's results (baseMean, log2FoldChange, pvalue, padj; NaN where DESeq2 gives
    NA) and what the fit had to do along the way."""

    results: pd.DataFrame
    outliers_replaced: int
    size_factor_method: str
    dispersion_trend: str
    warnings: tuple[str, ...]


def check_inputs(
    params: DifferentialExpressionParameters, samples: pd.DataFrame, units: str
) -> None:
    """Refuse parameters that cannot work with this sample table and these units, before
    any counts are read: non-count units, unknown columns or values, groups of fewer than
    2 samples, and covariates that are missing, constant or confounded with the group."""
    compared_samples(params, samples, units)


def compared_samples(
    params: DifferentialExpressionParameters, samples: pd.DataFrame, units: str
) -> Comparison:
    """The two groups of samples, after every check of :func:`check_inputs`."""
    require_count_units(units)
    check_sample_table(samples)
    require_column(samples, params.group_column, "group_column")
    experimental = group_samples(params, samples, params.experimental_values, "experimental")
    control = group_samples(params, samples, params.control_values, "control")
    continuous = check_covariates(
        params.covariates, samples.loc[[*experimental, *control]], len(experimental)
    )
    return Comparison(
        experimental=tuple(experimental),
        control=tuple(control),
        excluded=len(samples) - len(experimental) - len(control),
        continuous_covariates=continuous,
    )


def group_samples(
    params: DifferentialExpressionParameters,
    samples: pd.DataFrame,
    values: Sequence[str],
    name: str,
) -> list[str]:
    """The samples of one group; refuses values never seen and groups of one sample."""
    field_name = f"{name}_values"
    members = samples_with_values(samples, params.group_column, values, field_name)
    described = f"The {name} group ({params.group_column} = {', '.join(values)})"
    require_samples(members, 2, described, field_name)
    return members


def check_covariates(
    covariates: Sequence[str], compared: pd.DataFrame, experimental_count: int
) -> tuple[str, ...]:
    """Refuse covariates that are missing, empty, constant, confounded with the group or
    with each other, or that leave no residual degrees of freedom. Returns the continuous
    (numeric) covariates."""
    for covariate in covariates:
        check_covariate_values(compared, covariate)
    group = np.r_[np.ones(experimental_count), np.zeros(len(compared) - experimental_count)]
    for covariate in covariates:
        if not full_rank(design_columns(compared, [covariate], group)):
            raise AnalysisInputError(
                f"Covariate {covariate!r} is confounded with the group: its values tell the "
                "groups apart, so its effect and the group's cannot be separated.",
                "covariates",
            )
    check_whole_design(compared, covariates, group)
    return tuple(c for c in covariates if is_continuous(compared[c]))


def check_covariate_values(compared: pd.DataFrame, covariate: str) -> None:
    """Refuse a covariate column that is absent, has empty cells, or never varies."""
    require_column(compared, covariate, "covariates")
    values = column_as_text(compared, covariate)
    if values.isna().any():
        empty = values.index[values.isna()][0]
        raise AnalysisInputError(
            f"Covariate {covariate!r} has no value for sample {empty!r}; every compared "
            "sample needs one.",
            "covariates",
        )
    if values.nunique() < 2:
        raise AnalysisInputError(
            f"Covariate {covariate!r} has the same value in every compared sample, so it "
            "explains nothing; remove it.",
            "covariates",
        )


def check_whole_design(
    compared: pd.DataFrame, covariates: Sequence[str], group: np.ndarray
) -> None:
    """Refuse covariates that repeat each other or use up every degree of freedom."""
    design = design_columns(compared, covariates, group)
    if not full_rank(design):
        raise AnalysisInputError(
            f"The covariates {', '.join(covariates)} are redundant with each other; keep "
            "only those that add information.",
            "covariates",
        )
    if design.shape[0] <= design.shape[1]:
        raise AnalysisInputError(
            f"The design has {design.shape[1]} coefficients for {design.shape[0]} samples, "
            "leaving nothing to estimate variation from; use fewer covariates.",
            "covariates",
        )


def is_continuous(values: pd.Series) -> bool:
    """Numeric covariates are modelled as continuous, as R does; others as categories."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def design_columns(
    compared: pd.DataFrame, covariates: Sequence[str], group: np.ndarray
) -> np.ndarray:
    """The design matrix: intercept, covariates (dummy-coded if categorical), group."""
    columns = [np.ones(len(compared))]
    for covariate in covariates:
        if is_continuous(compared[covariate]):
            columns.append(compared[covariate].to_numpy(dtype=float))
        else:
            dummies = pd.get_dummies(column_as_text(compared, covariate), drop_first=True)
            columns.extend(dummies.to_numpy(dtype=float).T)
    columns.append(group)
    return np.column_stack(columns)


def full_rank(design: np.ndarray) -> bool:
    """Whether every coefficient of the design can be estimated."""
    return bool(np.linalg.matrix_rank(design) == design.shape[1])


def prepare(
    params: DifferentialExpressionParameters,
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    units: str,
    features: Features = GENES,
) -> PreparedData:
    """The checked, rounded and filtered counts with the DESeq2 metadata and design."""
    comparison = compared_samples(params, samples, units)
    matrix = integer_counts(count_matrix(counts, comparison.samples), units)
    groups = [comparison.experimental, comparison.control]
    kept = feature_filter(matrix, groups, params.min_count, params.min_sample_fraction)
    if not kept.any():
        raise AnalysisInputError(
            f"No {features.noun} has at least {params.min_count} reads in enough samples of either "
            "group; lower min_count or min_sample_fraction.",
            "min_count",
        )
    metadata = deseq_metadata(samples, params.covariates, comparison)
    design = design_formula(len(params.covariates))
    return PreparedData(matrix.loc[kept], metadata, design, comparison, len(matrix), features)


def deseq_metadata(
    samples: pd.DataFrame, covariates: Sequence[str], comparison: Comparison
) -> pd.DataFrame:
    """Sample metadata with safe column names: covariate_1... then ``group``."""
    compared = samples.loc[comparison.samples]
    metadata = pd.DataFrame(index=pd.Index(comparison.samples, name="sample_id"))
    for number, covariate in enumerate(covariates, start=1):
        continuous = covariate in comparison.continuous_covariates
        values = (
            compared[covariate].astype(float) if continuous else column_as_text(compared, covariate)
        )
        metadata[f"covariate_{number}"] = values.to_numpy()
    metadata[GROUP_FACTOR] = [EXPERIMENTAL] * len(comparison.experimental) + [CONTROL] * len(
        comparison.control
    )
    return metadata


def design_formula(covariate_count: int) -> str:
    """``~ covariate_1 + ... + group``: the group last, as DESeq2's convention has it."""
    terms = [f"covariate_{number}" for number in range(1, covariate_count + 1)]
    return "~ " + " + ".join([*terms, GROUP_FACTOR])


def fit_deseq2(prepared: PreparedData, alpha: float) -> DeseqFit:
    """Run PyDESeq2 with R DESeq2's defaults and return its results table."""
    from pydeseq2.dds import DeseqDataSet
    from pydeseq2.ds import DeseqStats

    inference = VectorisedInference(n_cpus=1)
    # The work is many tiny matrix problems: multi-threaded BLAS only adds contention
    # (several times slower on a busy machine), so BLAS gets one thread.
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dataset = DeseqDataSet(
            counts=prepared.counts.T,
            metadata=prepared.metadata,
            design=prepared.design,
            refit_cooks=True,
            quiet=True,
            inference=inference,
        )
        dataset.deseq2()
        stats = DeseqStats(
            dataset,
            contrast=[GROUP_FACTOR, EXPERIMENTAL, CONTROL],
            alpha=alpha,
            cooks_filter=True,
            independent_filter=True,
            quiet=True,
            inference=inference,
        )
        stats.summary()
    messages = tuple(
        dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning))
    )
    return DeseqFit(
        results=stats.results_df.loc[:, ["baseMean", "log2FoldChange", "pvalue", "padj"]].copy(),
        outliers_replaced=int(dataset.var["replaced"].sum()) if "replaced" in dataset.var else 0,
        size_factor_method=size_factor_method(prepared.counts),
        dispersion_trend="mean" if any("mean-based" in m for m in messages) else "parametric",
        warnings=messages,
    )


def size_factor_method(counts: pd.DataFrame) -> str:
    """PyDESeq2 falls back to iterative size factors when every gene has a zero."""
    return "iterative" if bool((counts == 0).any(axis=1).all()) else "median-of-ratios"


def run(
    params: DifferentialExpressionParameters,
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    units: str,
    progress: Progress = no_progress,
) -> AnalysisResult:
    """Differential expression, experimental over control: one results row per gene that
    passes the feature filter, with untestable genes reported at P_Value = Adj_P_Value = 1."""
    progress(0.02, "Checking samples and counts")
    prepared = prepare(params, samples, counts, units)
    fit = fit_with_progress(params, prepared, progress)
    table = results_table(fit.results)
    summary = summarise(params, prepared, fit)
    return AnalysisResult(
        table=table,
        methods=methods_text(params, prepared, fit, summary, units),
        display=display_settings(params),
        summary=summary,
    )


def fit_with_progress(
    params: DifferentialExpressionParameters, prepared: PreparedData, progress: Progress
) -> DeseqFit:
    """:func:`fit_deseq2`, saying so to ``progress`` before and after."""
    progress(0.1, f"Fitting DESeq2 to {plural(len(prepared.counts), prepared.features.noun)}")
    fit = fit_deseq2(prepared, params.alpha)
    progress(0.95, "Writing results")
    return fit


def results_table(results: pd.DataFrame) -> pd.DataFrame:
    """The API's columns, NA p-values as 1, most significant genes first."""
    table = pd.DataFrame({"Gene_Symbol": results.index.astype(str), **deseq_columns(results)})
    table = table.sort_values(["Adj_P_Value", "P_Value", "Gene_Symbol"], kind="mergesort")
    return clean_table(table, COLUMNS)


def deseq_columns(results: pd.DataFrame) -> dict[str, np.ndarray]:
    """DESeq2's numbers under the API's names, in results order: NA p-values as 1 and NA
    or infinite fold changes as 0, so a results table never holds a null."""
    return {
        "Average_Expression": results["baseMean"].to_numpy(dtype=float),
        "Log2_Fold_Change": np.nan_to_num(
            results["log2FoldChange"].to_numpy(dtype=float), nan=0.0, posinf=0.0, neginf=0.0
        ),
        "P_Value": results["pvalue"].fillna(1.0).to_numpy(dtype=float),
        "Adj_P_Value": results["padj"].fillna(1.0).to_numpy(dtype=float),
    }


def summarise(
    params: DifferentialExpressionParameters, prepared: PreparedData, fit: DeseqFit
) -> dict[str, Any]:
    """Counts of genes (or peaks) and samples, for the methods text and the analysis page."""
    results, key = fit.results, prepared.features.key
    significant = results["padj"] < params.alpha
    no_p_value = results["pvalue"].isna()
    return {
        key("in_matrix"): prepared.genes_in_matrix,
        key("tested"): len(results),
        key("filtered_out"): prepared.genes_in_matrix - len(results),
        key("significant"): int(significant.sum()),
        key("up"): int((significant & (results["log2FoldChange"] > 0)).sum()),
        key("down"): int((significant & (results["log2FoldChange"] < 0)).sum()),
        key("without_p_value"): int(no_p_value.sum()),
        key(INDEPENDENTLY_FILTERED): int((~no_p_value & results["padj"].isna()).sum()),
        key("without_fold_change"): int(results["log2FoldChange"].isna().sum()),
        "outliers_replaced": fit.outliers_replaced,
        "samples_experimental": len(prepared.comparison.experimental),
        "samples_control": len(prepared.comparison.control),
        "samples_excluded": prepared.comparison.excluded,
        "warnings": list(fit.warnings),
    }


def display_settings(params: DifferentialExpressionParameters) -> dict[str, Any]:
    """Volcano plot thresholds and group labels."""
    return {
        "fold_change_threshold": DISPLAY_FOLD_CHANGE_THRESHOLD,
        "p_value_threshold": params.alpha,
        "use_adjusted_p_value": True,
        "experimental_label": ", ".join(params.experimental_values),
        "control_label": ", ".join(params.control_values),
    }


def methods_text(
    params: DifferentialExpressionParameters,
    prepared: PreparedData,
    fit: DeseqFit,
    summary: dict[str, Any],
    units: str,
) -> str:
    """One paragraph saying exactly what ran, for a methods section."""
    features = prepared.features
    return " ".join(
        [
            comparison_sentence(params, prepared.comparison, features),
            counts_sentence(units),
            filter_sentence(params, prepared, summary),
            model_sentence(params, prepared.comparison, fit, features),
            testing_sentence(params, summary, features),
            reporting_sentence(summary, features),
        ]
    )


def comparison_sentence(
    params: DifferentialExpressionParameters, comparison: Comparison, features: Features = GENES
) -> str:
    """Which samples were compared, with which software."""
    excluded = (
        f"; the other {plural(comparison.excluded, 'sample')} were not used"
        if comparison.excluded
        else ""
    )
    return (
        f"{features.analysis} was tested with PyDESeq2 {package_version('pydeseq2')}, a "
        f"Python implementation of DESeq2 ({cited('numpy', 'pandas')}; Pluto computes "
        f"PyDESeq2's per-{features.noun} fits for all {features.nouns} at once, with the same "
        f"estimators), comparing {plural(len(comparison.experimental), 'sample')} with "
        f"{params.group_column} = {' or '.join(params.experimental_values)} (experimental) "
        f"against {plural(len(comparison.control), 'sample')} with {params.group_column} = "
        f"{' or '.join(params.control_values)} (control){excluded}."
    )


def counts_sentence(units: str) -> str:
    """What was done to the values before modelling."""
    if units == "expected_counts":
        return "Expected counts were rounded to the nearest whole number before modelling."
    return "Raw read counts were modelled as given."


def filter_sentence(
    params: DifferentialExpressionParameters, prepared: PreparedData, summary: dict[str, Any]
) -> str:
    """The feature filter and how many genes (or peaks) it kept."""
    comparison, features = prepared.comparison, prepared.features
    needed = [
        f"{samples_needed(len(group), params.min_sample_fraction)} of {len(group)} {name}"
        for group, name in (
            (comparison.experimental, "experimental"),
            (comparison.control, "control"),
        )
    ]
    return (
        f"{features.nouns.capitalize()} were kept if they had at least {params.min_count} "
        f"reads in at least {params.min_sample_fraction:.0%} of the samples of either group, "
        f"rounded up ({' or '.join(needed)} samples), and at least one read overall; "
        f"{summary[features.key('tested')]:,} of {summary[features.key('in_matrix')]:,} "
        f"{features.nouns} were kept and tested on {plural(len(comparison.samples), 'sample')}."
    )


def model_sentence(
    params: DifferentialExpressionParameters,
    comparison: Comparison,
    fit: DeseqFit,
    features: Features = GENES,
) -> str:
    """The design, normalisation and model fit."""
    terms = [*params.covariates, params.group_column]
    continuous = [c for c in params.covariates if c in comparison.continuous_covariates]
    kinds = (
        f" ({', '.join(continuous)} continuous, other covariates categorical)" if continuous else ""
    )
    replaced = (
        f" Counts flagged as outliers by Cook's distance in groups of at least 7 samples were "
        f"replaced and {plural(fit.outliers_replaced, features.noun)} refitted."
        if fit.outliers_replaced
        else ""
    )
    return (
        f"The design was ~ {' + '.join(terms)}{kinds}, with the control group as reference. "
        f"Size factors were estimated by the {fit.size_factor_method} method; "
        f"{features.noun}-wise dispersions were shrunk towards a {fit.dispersion_trend} trend "
        "by empirical Bayes; log2 fold changes (experimental over control) are "
        f"maximum-likelihood estimates without shrinkage.{replaced}"
    )


def testing_sentence(
    params: DifferentialExpressionParameters, summary: dict[str, Any], features: Features = GENES
) -> str:
    """The test, the adjustment and how many genes (or peaks) were called."""
    key = features.key
    return (
        "P-values come from the Wald test and were adjusted with the Benjamini-Hochberg "
        "procedure after Cook's distance outlier filtering and independent filtering on the "
        f"mean of normalised counts at alpha = {params.alpha:g}, as R DESeq2's results() does "
        f"by default; {summary[key('significant')]:,} {features.nouns} had an adjusted p-value "
        f"below {params.alpha:g} ({summary[key('up')]:,} up, {summary[key('down')]:,} down)."
    )


def reporting_sentence(summary: dict[str, Any], features: Features = GENES) -> str:
    """How genes (or peaks) without a p-value appear in the results, so none are silently
    dropped."""
    key = features.key
    return (
        "Average_Expression is the DESeq2 base mean (the mean of normalised counts over the "
        f"samples used). {features.nouns.capitalize()} that DESeq2 leaves without a p-value "
        f"(Cook's distance outliers: {summary[key('without_p_value')]:,}) or without an "
        "adjusted p-value (removed by independent filtering: "
        f"{summary[key(INDEPENDENTLY_FILTERED)]:,}) are reported with P_Value and Adj_P_Value "
        "of 1."
    )
