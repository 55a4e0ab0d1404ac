"""The assay matrix at a glance: features, samples, units and each sample's library size.

Library sizes need every value, so they are summed one row group at a time (bounded memory)
and kept per stored version, which never changes. Very large matrices are not summed on a
page view; the API serves them whole to those who need the figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyarrow as pa
import pyarrow.compute as pc

from pluto.server.tables.models import Dataset
from pluto.server.tables.reading import open_parquet

MAX_SUMMED_CELLS = 50_000_000


@dataclass(frozen=True)
class LibrarySize:
    """A sample's total over all features."""

    sample: str
    total: float
    share: float


@dataclass(frozen=True)
class AssaySummary:
    """What the Assay data tab says about the current matrix."""

    features: int
    samples: int
    library_sizes: list[LibrarySize]
    summed: bool


def column_sums(key: str, columns: tuple[str, ...]) -> list[float]:
    """Per column, the sum of its values, read one row group at a time."""
    totals = [0.0] * len(columns)
    with open_parquet(key) as parquet:
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group, columns=list(columns))
            for index, column in enumerate(table.columns):
                totals[index] += float(pc.sum(column).as_py() or 0.0) if is_number(column) else 0
    return totals


def is_number(column: pa.ChunkedArray) -> bool:
    """Whether a column holds numbers."""
    return pa.types.is_integer(column.type) or pa.types.is_floating(column.type)


@lru_cache(maxsize=32)
def library_sizes(key: str, columns: tuple[str, ...]) -> tuple[LibrarySize, ...]:
    """Each sample's total, with its share of the largest (for the bars on the page)."""
    totals = column_sums(key, columns)
    largest = max(totals, default=0.0) or 1.0
    return tuple(
        LibrarySize(name, total, total / largest)
        for name, total in zip(columns, totals, strict=True)
    )


def assay_summary(dataset: Dataset) -> AssaySummary:
    """The summary of a stored assay matrix."""
    samples = tuple(dataset.columns[1:])
    summed = dataset.row_count * len(samples) <= MAX_SUMMED_CELLS
    sizes = list(library_sizes(dataset.storage_key, samples)) if summed else []
    return AssaySummary(int(dataset.row_count), len(samples), sizes, summed)
