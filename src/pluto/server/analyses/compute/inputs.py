"""What every analysis checks in its inputs: sample table columns and values, the count
matrix, count units, and Pluto's default feature filter. Also the shape of a result."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pluto.server.analyses.compute.errors import AnalysisInputError

Progress = Callable[[float, str], None]
COUNT_UNITS = ("raw_counts", "expected_counts")
MISSING_GROUP_NAME = "Not set"


@dataclass(frozen=True)
class AnalysisResult:
    """What an analysis produced: its results table (the columns of API.md, no nulls),
    the methods paragraph, the display settings for its plot, and summary figures."""

    table: pd.DataFrame
    methods: str
    display: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores progress (for callers that do not show it)."""


def value_as_text(value: object) -> str | None:
    """A sample table cell as the text a scientist would type for it (None when empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


def column_as_text(samples: pd.DataFrame, column: str) -> pd.Series:
    """A sample table column as text per sample (None where empty)."""
    return samples[column].map(value_as_text).astype(object)


def require_column(samples: pd.DataFrame, column: str, field_name: str) -> None:
    """Refuse a column the sample table does not have, listing the ones it has."""
    if column not in samples.columns:
        known = ", ".join(map(str, samples.columns)) or "none"
        raise AnalysisInputError(
            f"The sample table has no column {column!r}; its columns are: {known}.", field_name
        )


def samples_with_values(
    samples: pd.DataFrame, column: str, values: Sequence[str], field_name: str
) -> list[str]:
    """Sample ids whose ``column`` holds one of ``values``; refuses values never seen."""
    text = column_as_text(samples, column)
    present = set(text.dropna())
    for value in values:
        if value not in present:
            seen = ", ".join(sorted(present)[:20]) or "no values"
            raise AnalysisInputError(
                f"No sample has {column!r} = {value!r}; the column holds: {seen}.", field_name
            )
    return [str(sample) for sample in text.index[text.isin(list(values))]]


def require_samples(sample_ids: Sequence[str], minimum: int, what: str, field_name: str) -> None:
    """Refuse a group with fewer samples than the analysis needs."""
    if len(sample_ids) < minimum:
        raise AnalysisInputError(
            f"{what} has {len(sample_ids)} sample(s); at least {minimum} are needed.", field_name
        )


def check_sample_table(samples: pd.DataFrame) -> None:
    """Refuse a sample table without samples or with a sample listed twice (a table of
    sample ids alone, without other columns, still has its samples)."""
    if len(samples.index) == 0:
        raise AnalysisInputError("The sample table has no samples.", "samples")
    duplicated = samples.index[samples.index.duplicated()]
    if len(duplicated):
        raise AnalysisInputError(
            f"Sample {duplicated[0]!r} appears more than once in the sample table.", "samples"
        )


def require_count_units(units: str) -> None:
    """Refuse assay units that are not counts of reads (DESeq2 models counts)."""
    if units not in COUNT_UNITS:
        raise AnalysisInputError(
            f"This analysis needs raw or expected counts, but the assay data is in {units!r}; "
            "upload counts (not normalised values) and set the units to raw_counts or "
            "expected_counts.",
            "units",
        )


def count_matrix(
    counts: pd.DataFrame, sample_ids: Sequence[str], *, allow_negative: bool = False
) -> pd.DataFrame:
    """The genes x samples matrix of the given samples as float64, after checking that
    every sample has a column, gene names are unique, and values are finite (and not
    negative, unless ``allow_negative``: log-scale values may be)."""
    missing = [sample for sample in sample_ids if sample not in counts.columns]
    if missing:
        raise AnalysisInputError(
            f"The assay data has no column for sample(s) {', '.join(missing[:10])}; "
            "every sample in the sample table needs one.",
            "samples",
        )
    check_gene_names(counts.index)
    matrix = counts.loc[:, list(sample_ids)]
    return checked_values(matrix, allow_negative)


def check_gene_names(genes: pd.Index) -> None:
    """Refuse empty or repeated gene names: results are reported per gene."""
    if genes.isna().any():
        raise AnalysisInputError("The assay data has a row without a gene name.", "counts")
    duplicated = genes[genes.duplicated()]
    if len(duplicated):
        raise AnalysisInputError(
            f"Gene {duplicated[0]!r} appears on more than one row of the assay data; "
            "make gene names unique (for example by summing the rows) and upload it again.",
            "counts",
        )


def checked_values(matrix: pd.DataFrame, allow_negative: bool) -> pd.DataFrame:
    """The matrix as float64, refusing text, missing, infinite or negative values."""
    try:
        values = matrix.astype("float64")
    except (TypeError, ValueError) as error:
        raise AnalysisInputError(
            "The assay data holds values that are not numbers.", "counts"
        ) from error
    array = values.to_numpy()
    if not np.isfinite(array).all():
        raise AnalysisInputError(
            "The assay data has missing or infinite values; fill them in (0 for no reads).",
            "counts",
        )
    if not allow_negative and (array < 0).any():
        raise AnalysisInputError("The assay data has negative values.", "counts")
    return values


def integer_counts(matrix: pd.DataFrame, units: str) -> pd.DataFrame:
    """Counts as int64: expected counts are rounded; raw counts must already be whole."""
    array = matrix.to_numpy()
    if units == "raw_counts" and not np.array_equal(array, np.round(array)):
        raise AnalysisInputError(
            "The assay data is marked raw_counts but holds fractional values; if they are "
            "expected counts (RSEM, Salmon), set the units to expected_counts.",
            "units",
        )
    return pd.DataFrame(
        np.round(array).astype(np.int64), index=matrix.index, columns=matrix.columns
    )


def samples_needed(group_size: int, min_sample_fraction: float) -> int:
    """How many samples of a group must reach ``min_count``: ceil(fraction x size).

    Rounded to 9 decimals first so that 0.7 x 10 counts as 7, not 7.000000000000001.
    """
    return math.ceil(round(min_sample_fraction * group_size, 9))


def feature_filter(
    counts: pd.DataFrame,
    groups: Sequence[Sequence[str]],
    min_count: float,
    min_sample_fraction: float,
) -> pd.Series:
    """Pluto's default feature filter: True for a gene with at least ``min_count`` reads in
    at least ceil(``min_sample_fraction`` x n) samples of any group (n that group's size).
    Genes without a single read in these samples are never kept."""
    keep = pd.Series(False, index=counts.index)
    for group in groups:
        reaching = (counts.loc[:, list(group)] >= min_count).sum(axis=1)
        keep |= reaching >= samples_needed(len(group), min_sample_fraction)
    compared = [sample for group in groups for sample in group]
    return keep & (counts.loc[:, compared].sum(axis=1) > 0)


def group_labels(samples: pd.DataFrame, column: str | None) -> tuple[list[int], list[str]]:
    """Per sample, a group number (1, 2, ... in order of first appearance) and the group's
    name (the column's value); everything in group 1 'All samples' without a column."""
    if column is None:
        return [1] * len(samples), ["All samples"] * len(samples)
    names = [name or MISSING_GROUP_NAME for name in column_as_text(samples, column)]
    numbers = {name: number for number, name in enumerate(dict.fromkeys(names), start=1)}
    return [numbers[name] for name in names], names


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``1 gene``, ``2 genes``, with thousands separators."""
    word = noun if count == 1 else (plural_noun or noun + "s")
    return f"{count:,} {word}"


def clean_table(table: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The table with exactly ``columns`` in order; refuses to pass on a null or infinity."""
    table = table.loc[:, list(columns)].reset_index(drop=True)
    numeric = table.select_dtypes(include="number").to_numpy(dtype=float)
    if table.isna().any().any() or not np.isfinite(numeric).all():
        raise ValueError("a results table must not hold nulls or infinite values")
    return table
