"""Whether a sample table's ids and an assay's sample columns name the same samples.

The ids are streamed from the sample table's Parquet file one row group at a time and
compared with the column names on Arrow arrays, so a sample table of any length is checked
with memory bounded by the number of assay columns, never one Python string per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SHOWN_IDS = 50


@dataclass
class SampleDifference:
    """Samples named on one side only: the first few of each, in sorted order, and counts."""

    no_row: list[str] = field(default_factory=list)
    no_row_count: int = 0
    no_column: list[str] = field(default_factory=list)
    no_column_count: int = 0

    def __bool__(self) -> bool:
        return bool(self.no_row_count or self.no_column_count)


def parquet_ids(parquet: pq.ParquetFile, column: str = "sample_id") -> Iterator[pa.Array]:
    """The id column of a Parquet file, one row group at a time."""
    for index in range(parquet.num_row_groups):
        yield parquet.read_row_group(index, columns=[column]).column(0).combine_chunks()


def smallest(current: pa.Array, more: pa.Array) -> pa.Array:
    """The ``SHOWN_IDS`` smallest distinct values of both arrays, sorted."""
    distinct = pc.unique(pa.concat_arrays([current, more.cast(pa.string())]))
    return pc.take(distinct, pc.array_sort_indices(distinct))[:SHOWN_IDS]


def compare_samples(ids: Iterable[pa.Array], columns: list[str]) -> SampleDifference:
    """Which sample ids have no assay column, and which assay columns no sample id."""
    wanted = pa.array(columns, pa.string())
    found: set[str] = set()
    difference = SampleDifference()
    unmatched = pa.array([], pa.string())
    for block in ids:
        known = pc.fill_null(pc.is_in(block, value_set=wanted), False)
        found.update(pc.unique(pc.filter(block, known)).to_pylist())
        others = pc.filter(block, pc.invert(known))
        difference.no_column_count += len(others)
        unmatched = smallest(unmatched, others)
    difference.no_column = [str(value) for value in unmatched.to_pylist()]
    missing = sorted(column for column in set(columns) if column not in found)
    difference.no_row, difference.no_row_count = missing[:SHOWN_IDS], len(missing)
    return difference
