"""Assay summary: per-sample quality figures of the assay matrix.

For each sample: its library size (the sum of its column), how many features it detects
(value > 0), the share of its counts held by its top 1% of features, and the quartiles of
its log-scale values. Counts are shown as log2(CPM + 1) by default, so that samples
sequenced to different depths can be compared by the shape of their distributions (the
depths themselves are the library-size bar plot); values already normalised (TPM, CPM,
normalised counts...) are shown as log2(value + 1). Features without counts in a sample are
left out of its distribution unless asked for: in RNA-seq they are often 40% of the genes
and pin the lower quartile at 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, Strict

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    COUNT_UNITS,
    MISSING_GROUP_NAME,
    AnalysisResult,
    Progress,
    check_sample_table,
    clean_table,
    column_as_text,
    count_matrix,
    plural,
    require_samples,
)
from pluto.server.analyses.compute.versions import cited
from pluto.server.analyses.displays import Label, Options, axis_label
from pluto.server.analyses.figures import PALETTE, layout
from pluto.server.analyses.kind import Display, FigureContext, Inputs, Kind, Parameters

COLUMNS = ("Sample_ID", "Library_Size", "Detected_Features", "Top_Share", "Q25", "Median", "Q75")
# Tukey's rule, as R's boxplot() and plotly draw whiskers.
WHISKER_RANGE = 1.5
ALL_SAMPLES = "All samples"
# Every sample one colour until a display names a column.
COLOUR_DEFAULTS: dict[str, Any] = {"color_by": None}
UNIT_WORDS = {
    "raw_counts": "count",
    "expected_counts": "count",
    "normalized_counts": "normalised count",
    "cpm": "CPM",
    "tpm": "TPM",
    "rpkm": "RPKM",
    "fpkm": "FPKM",
    "intensity": "intensity",
}
Normalization = Literal["auto", "cpm", "none"]


class AssaySummaryParameters(Parameters):
    """How the values are put on a log scale, and which features the distributions cover."""

    normalization: Normalization = Field(
        default="auto",
        title="Scale of the distributions",
        description=(
            "cpm: log2(CPM + 1), counts scaled to counts per million so samples of different "
            "depths compare (raw or expected counts only); none: log2(value + 1) of the values "
            "as uploaded; auto: cpm for counts, none for values already normalised."
        ),
    )
    detected_only: Annotated[bool, Strict()] = Field(
        default=True,
        title="Detected features only",
        description=(
            "Summarise each sample's distribution over the features it detects (value above "
            "0); false: over all features, zeros included."
        ),
    )


@dataclass(frozen=True)
class Scale:
    """The log scale the distributions are on: ``cpm`` or ``none``, and its axis title."""

    normalization: str
    label: str


@dataclass(frozen=True)
class Box:
    """One sample's distribution: quartiles and Tukey whiskers (all 0 when it is empty)."""

    q25: float
    median: float
    q75: float
    lower_whisker: float
    upper_whisker: float


def scale_of(params: AssaySummaryParameters, units: str) -> Scale:
    """The normalisation ``auto`` stands for with these units, and what its values are."""
    normalization = params.normalization
    if normalization == "auto":
        normalization = "cpm" if units in COUNT_UNITS else "none"
    if normalization == "cpm":
        return Scale("cpm", "log2(CPM + 1)")
    return Scale("none", f"log2({UNIT_WORDS.get(units, 'value')} + 1)")


def check(params: AssaySummaryParameters, inputs: Inputs) -> None:
    """Refuse an empty sample table, or CPM normalisation of values that are not counts."""
    samples = inputs.samples
    check_sample_table(samples)
    require_samples(list(samples.index), 1, "The experiment", "samples")
    if params.normalization == "cpm" and inputs.units not in COUNT_UNITS:
        raise AnalysisInputError(
            f"CPM normalisation scales counts of reads, but the assay data is in "
            f"{inputs.units!r}, which is already normalised; choose normalization 'none' "
            "(or 'auto') to show log2(value + 1) of the values as uploaded.",
            "normalization",
        )


def non_negative(matrix: pd.DataFrame) -> np.ndarray:
    """The values as an array, refusing negative ones: sums and shares of counts need
    values that are not on a log scale."""
    values = matrix.to_numpy(dtype=float)
    if (values < 0).any():
        raise AnalysisInputError(
            "The assay data has negative values, as values on a log scale do; the assay "
            "summary reports library sizes and shares of counts, so upload the values before "
            "the log transform (counts, TPM, ...).",
            "counts",
        )
    return values


def top_features(features: int) -> int:
    """How many features make the top 1%: ceil(features / 100), at least 1."""
    return max(1, -(-features // 100))


def top_share(values: np.ndarray, library_size: float) -> float:
    """The share of a sample's library held by its ``top_features`` largest values (0 for
    a sample without counts)."""
    if library_size == 0:
        return 0.0
    first = values.size - top_features(values.size)
    return float(np.partition(values, first)[first:].sum() / library_size)


def log_values(values: np.ndarray, library_size: float, scale: Scale) -> np.ndarray:
    """log2(CPM + 1) or log2(value + 1); a sample without counts has CPM 0 throughout."""
    if scale.normalization == "cpm":
        values = values / (library_size or 1.0) * 1e6
    return np.log2(values + 1)


def box_of(values: np.ndarray) -> Box:
    """Quartiles (R's type 7) and the whiskers: the most extreme values within 1.5 IQR of
    the box."""
    if values.size == 0:
        return Box(0.0, 0.0, 0.0, 0.0, 0.0)
    # "linear" is the interpolation of R's default quantile(type = 7).
    q25, median, q75 = np.quantile(values, [0.25, 0.5, 0.75], method="linear")
    reach = WHISKER_RANGE * (q75 - q25)
    lower = values[values >= q25 - reach].min()
    upper = values[values <= q75 + reach].max()
    return Box(float(q25), float(median), float(q75), float(lower), float(upper))


@dataclass(frozen=True)
class SampleFigures:
    """One sample's row of the results, and its whiskers."""

    library_size: float
    detected: int
    top_share: float
    box: Box


def sample_figures(values: np.ndarray, scale: Scale, detected_only: bool) -> SampleFigures:
    """The figures of one sample's column of values; its distribution covers all features
    or those with a value above 0."""
    library_size = float(values.sum())
    detected = values > 0
    logged = log_values(values, library_size, scale)
    return SampleFigures(
        library_size=library_size,
        detected=int(detected.sum()),
        top_share=top_share(values, library_size),
        box=box_of(logged[detected] if detected_only else logged),
    )


@dataclass(frozen=True)
class Summary:
    """The figures of every sample, and what they were computed from."""

    sample_ids: list[str]
    samples: list[SampleFigures]
    features: int
    scale: Scale


def summarise(
    matrix: pd.DataFrame, sample_ids: list[str], scale: Scale, detected_only: bool
) -> Summary:
    """Library sizes, detected features, top 1% shares and distributions of every sample,
    one sample at a time (so memory grows by one column, not by copies of the matrix)."""
    values = non_negative(matrix)
    if values.shape[0] == 0:
        raise AnalysisInputError("The assay data has no features (rows).", "counts")
    figures = [sample_figures(values[:, j], scale, detected_only) for j in range(len(sample_ids))]
    return Summary(sample_ids, figures, values.shape[0], scale)


def run(params: AssaySummaryParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """One row per sample: library size, detected features, top 1% share and quartiles."""
    progress(0.05, "Checking samples and counts")
    check(params, inputs)
    sample_ids = [str(sample) for sample in inputs.samples.index]
    matrix = count_matrix(inputs.counts, sample_ids, allow_negative=True)
    progress(0.3, "Summarising every sample")
    summary = summarise(matrix, sample_ids, scale_of(params, inputs.units), params.detected_only)
    return AnalysisResult(
        table=results_table(summary),
        methods=methods_text(params, summary, inputs.units),
        display=display_settings(params, summary, inputs.units),
        summary=summary_figures(params, summary),
    )


def results_table(summary: Summary) -> pd.DataFrame:
    """Sample_ID, Library_Size, Detected_Features, Top_Share, Q25, Median, Q75."""
    table = pd.DataFrame(
        {
            "Sample_ID": summary.sample_ids,
            "Library_Size": [sample.library_size for sample in summary.samples],
            "Detected_Features": np.array([s.detected for s in summary.samples], dtype=np.int64),
            "Top_Share": [sample.top_share for sample in summary.samples],
            "Q25": [sample.box.q25 for sample in summary.samples],
            "Median": [sample.box.median for sample in summary.samples],
            "Q75": [sample.box.q75 for sample in summary.samples],
        }
    )
    return clean_table(table, COLUMNS)


def library_size_label(units: str) -> str:
    """What a library size is in these units: a number of counts, or a sum of values."""
    if units in COUNT_UNITS:
        return "Library size (counts)"
    return f"Sum of {UNIT_WORDS.get(units, 'value')} values"


def display_settings(
    params: AssaySummaryParameters, summary: Summary, units: str
) -> dict[str, Any]:
    """What the figures need beyond the results table: the whiskers of each box (by
    sample id) and the axis titles."""
    return {
        "value_label": summary.scale.label,
        "library_size_label": library_size_label(units),
        "normalization": summary.scale.normalization,
        "detected_only": params.detected_only,
        "whiskers": {
            sample: [figures.box.lower_whisker, figures.box.upper_whisker]
            for sample, figures in zip(summary.sample_ids, summary.samples, strict=True)
        },
    }


def empty_samples(summary: Summary) -> list[str]:
    """Samples without a single count."""
    return [
        sample
        for sample, figures in zip(summary.sample_ids, summary.samples, strict=True)
        if figures.library_size == 0
    ]


def summary_figures(params: AssaySummaryParameters, summary: Summary) -> dict[str, Any]:
    """Numbers of samples and features, the spread of library sizes, empty samples."""
    sizes = np.array([sample.library_size for sample in summary.samples])
    return {
        "samples": len(summary.sample_ids),
        "features": summary.features,
        "top_features": top_features(summary.features),
        "normalization": summary.scale.normalization,
        "detected_only": params.detected_only,
        "min_library_size": float(sizes.min()),
        "median_library_size": float(np.median(sizes)),
        "max_library_size": float(sizes.max()),
        "samples_without_counts": len(empty_samples(summary)),
    }


def scale_sentence(summary: Summary, params: AssaySummaryParameters) -> str:
    """How the distributions were made."""
    transform = (
        "log2(CPM + 1), with CPM = value / library size x 10^6"
        if summary.scale.normalization == "cpm"
        else f"{summary.scale.label} of the values as uploaded"
    )
    covered = "the features detected in that sample" if params.detected_only else "all features"
    return (
        f"Distributions are of {transform} over {covered} (normalization = "
        f"{params.normalization}, detected_only = {str(params.detected_only).lower()}); "
        "quartiles are interpolated as R's quantile() type 7 and whiskers reach the most "
        f"extreme values within {WHISKER_RANGE:g} times the interquartile range of the box."
    )


def methods_text(params: AssaySummaryParameters, summary: Summary, units: str) -> str:
    """One paragraph saying exactly what was computed."""
    empty = empty_samples(summary)
    empty_note = (
        f" {plural(len(empty), 'sample')} without counts ({', '.join(empty[:10])}) "
        "are reported with 0 throughout."
        if empty
        else ""
    )
    return (
        f"The assay summary was computed with numpy and pandas ({cited('numpy', 'pandas')}) "
        f"on {plural(len(summary.sample_ids), 'sample')} and "
        f"{plural(summary.features, 'feature')} ({units}). For each sample, the library size "
        "is the sum of its values, detected features are those with a value above 0, and the "
        f"top share is the fraction of its library in its "
        f"{plural(top_features(summary.features), 'largest feature')} (the top 1%, rounded "
        f"up). {scale_sentence(summary, params)}{empty_note}"
    )


class SampleColourOptions(Options):
    """``box_plot`` and ``bar_plot``: the sample-table column that colours the samples."""

    color_by: Label | None = Field(
        default=None, title="Colour by", json_schema_extra={"choices": "sample_columns"}
    )
    x_label: Label | None = axis_label("X")
    y_label: Label | None = axis_label("Y")


def sample_groups(
    table: pd.DataFrame, color_by: str | None, samples: pd.DataFrame | None
) -> pd.Series:
    """Each row's colour group: its value of ``color_by``, or one group for all."""
    if color_by and samples is not None and color_by in samples.columns:
        values = column_as_text(samples, color_by)
        values.index = values.index.map(str)
        return table["Sample_ID"].map(values).fillna(MISSING_GROUP_NAME)
    return pd.Series(ALL_SAMPLES, index=table.index)


def sample_axis(figure_layout: dict[str, Any], table: pd.DataFrame) -> dict[str, Any]:
    """Samples along x as categories (ids like ``1`` stay names), in the table's order."""
    figure_layout["xaxis"].update(
        type="category",
        categoryorder="array",
        categoryarray=table["Sample_ID"].astype(str).tolist(),
    )
    figure_layout["showlegend"] = True
    return figure_layout


def box_trace(
    rows: pd.DataFrame, name: str, colour: str, whiskers: Mapping[str, Any]
) -> dict[str, Any]:
    """One box per sample of a colour group, drawn from its quartiles and whiskers."""
    fences = [whiskers.get(s) or (q1, q3) for s, q1, q3 in rows[["Sample_ID", "Q25", "Q75"]].values]
    return {
        "type": "box",
        "name": name,
        "x": rows["Sample_ID"].astype(str).tolist(),
        "q1": rows["Q25"].round(5).tolist(),
        "median": rows["Median"].round(5).tolist(),
        "q3": rows["Q75"].round(5).tolist(),
        "lowerfence": [round(float(low), 5) for low, _ in fences],
        "upperfence": [round(float(high), 5) for _, high in fences],
        "boxpoints": False,
        "marker": {"color": colour},
        "line": {"color": colour},
    }


def box_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Each sample's distribution of log-scale values, coloured by a sample column."""
    groups = sample_groups(table, options.get("color_by"), context.samples)
    whiskers = context.computed.get("whiskers") or {}
    traces = [
        box_trace(rows, str(name), PALETTE[index % len(PALETTE)], whiskers)
        for index, (name, rows) in enumerate(table.groupby(groups, sort=False))
    ]
    y_title = str(context.computed.get("value_label") or "log2(CPM + 1)")
    figure_layout = layout(
        title, options.get("x_label") or "Sample", options.get("y_label") or y_title
    )
    figure_layout["boxmode"] = "overlay"
    return {"data": traces, "layout": sample_axis(figure_layout, table)}


def bar_trace(rows: pd.DataFrame, name: str, colour: str) -> dict[str, Any]:
    """The library sizes of a colour group's samples, with their other figures on hover."""
    return {
        "type": "bar",
        "name": name,
        "x": rows["Sample_ID"].astype(str).tolist(),
        "y": rows["Library_Size"].round(3).tolist(),
        "customdata": rows[["Detected_Features", "Top_Share"]].values.tolist(),
        "hovertemplate": (
            "%{x}<br>library size %{y:,}<br>detected features %{customdata[0]:,}"
            "<br>top 1% share %{customdata[1]:.1%}<extra>" + name + "</extra>"
        ),
        "marker": {"color": colour},
    }


def bar_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Each sample's library size, coloured by a sample column."""
    groups = sample_groups(table, options.get("color_by"), context.samples)
    traces = [
        bar_trace(rows, str(name), PALETTE[index % len(PALETTE)])
        for index, (name, rows) in enumerate(table.groupby(groups, sort=False))
    ]
    y_title = str(context.computed.get("library_size_label") or "Library size")
    figure_layout = layout(
        title, options.get("x_label") or "Sample", options.get("y_label") or y_title
    )
    figure_layout["barmode"] = "overlay"
    return {"data": traces, "layout": sample_axis(figure_layout, table)}


KIND = Kind(
    analysis_type="assay_summary",
    title="Assay summary",
    summary=(
        "Per-sample quality control: library sizes, detected features, the share of the "
        "top 1% of features, and each sample's distribution of log2 CPM."
    ),
    parameters=AssaySummaryParameters,
    check=check,
    run=run,
    columns=COLUMNS,
    displays=(
        Display("box_plot", SampleColourOptions, box_figure, defaults=COLOUR_DEFAULTS),
        Display("bar_plot", SampleColourOptions, bar_figure, defaults=COLOUR_DEFAULTS),
    ),
    aliases=("qc", "assay-summary"),
)
