"""Reading a window of a stored table: only the Parquet row groups that cover it.

A :class:`TableSlice` knows the total, the chosen columns and which rows to return, and
reads its rows lazily, one row group (10,000 rows) at a time, so an answer of any size is
encoded and sent with bounded memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pluto.server.errors import InvalidInput
from pluto.server.storage import get_storage
from pluto.server.tables.models import Dataset

SHOWN_NAMES = 20


@lru_cache(maxsize=16)
def parquet_metadata(key: str) -> pq.FileMetaData:
    """The footer of a stored Parquet file (stored files never change, so it is cached)."""
    with open_parquet(key, cached=False) as parquet:
        return parquet.metadata


@contextmanager
def open_parquet(key: str, cached: bool = True) -> Iterator[pq.ParquetFile]:
    """A stored Parquet file, opened by path when the store is a local folder."""
    storage = get_storage()
    local = storage.local_path(key)
    handle = None if local is not None else storage.open(key)
    source = str(local) if local is not None else handle
    metadata = parquet_metadata(key) if cached else None
    parquet = pq.ParquetFile(source, metadata=metadata)
    try:
        yield parquet
    finally:
        parquet.close()
        if handle is not None:
            handle.close()


@dataclass(frozen=True)
class Selection:
    """Which columns (id first) and, optionally, which rows by id a reader wants."""

    columns: list[str]
    ids: list[str] | None = None

    def is_everything(self, dataset: Dataset) -> bool:
        """Whether this selects the whole stored table."""
        return self.ids is None and self.columns == list(dataset.columns)


def split_names(raw: str | None) -> list[str]:
    """A comma-separated parameter as a list of names (blanks dropped, order kept)."""
    names = [name.strip() for name in (raw or "").split(",")]
    return list(dict.fromkeys(name for name in names if name))


def unknown_names_error(field: str, unknown: list[str], what: str) -> InvalidInput:
    """``400 invalid`` listing names that are not in the table."""
    listed = ", ".join(map(repr, unknown[:SHOWN_NAMES]))
    more = f" and {len(unknown) - SHOWN_NAMES} more" if len(unknown) > SHOWN_NAMES else ""
    return InvalidInput(
        f"'{field}' names {what} that this table does not have: {listed}{more}.",
        details={"field": field, "unknown": unknown[:SHOWN_NAMES], "count": len(unknown)},
    )


def chosen_columns(dataset: Dataset, columns: list[str], samples: list[str]) -> list[str]:
    """The id column, then the requested columns in the order asked (all when none)."""
    stored = list(dataset.columns)
    id_column, others = stored[0], stored[1:]
    unknown = [name for name in columns if name not in stored]
    if unknown:
        raise unknown_names_error("columns", unknown, "columns")
    unknown_samples = [name for name in samples if name not in others]
    if unknown_samples:
        raise unknown_names_error("samples", unknown_samples, "samples")
    if not columns and not samples:
        return stored
    wanted = [name for name in dict.fromkeys([*columns, *samples]) if name != id_column]
    return [id_column, *wanted]


@dataclass
class TableSlice:
    """A window of rows of a stored table, with its total, read lazily."""

    key: str
    schema: pa.Schema
    total: int
    starts: list[int]
    rows: np.ndarray

    @property
    def columns(self) -> list[str]:
        """The names of the chosen columns."""
        return list(self.schema.names)

    def tables(self) -> Iterator[pa.Table]:
        """The rows, one row group's worth at a time, in stored order."""
        if not len(self.rows):
            return
        groups = np.searchsorted(self.starts, self.rows, side="right") - 1
        with open_parquet(self.key) as parquet:
            for group in np.unique(groups):
                local = self.rows[groups == group] - self.starts[group]
                yield self.part(parquet, int(group), local)

    def part(self, parquet: pq.ParquetFile, group: int, local: np.ndarray) -> pa.Table:
        """The wanted rows of one row group."""
        table = parquet.read_row_group(group, columns=self.columns)
        if len(local) == table.num_rows:
            return table
        if local[-1] - local[0] + 1 == len(local):
            return table.slice(int(local[0]), len(local))
        return table.take(pa.array(local))


def row_group_starts(metadata: pq.FileMetaData) -> list[int]:
    """The first row of each row group."""
    starts, row = [], 0
    for index in range(metadata.num_row_groups):
        starts.append(row)
        row += metadata.row_group(index).num_rows
    return starts


def matching_rows(key: str, id_column: str, ids: list[str]) -> np.ndarray:
    """The positions, in stored order, of the rows whose id is one of ``ids``."""
    with open_parquet(key) as parquet:
        stored = parquet.read(columns=[id_column]).column(0)
    mask = pc.is_in(stored, value_set=pa.array(ids, pa.string()))
    found = set(pc.unique(pc.filter(stored, mask)).to_pylist())
    unknown = [value for value in ids if value not in found]
    if unknown:
        field = "samples" if id_column == "sample_id" else "genes"
        raise unknown_names_error(field, unknown, "ids")
    return np.asarray(pc.indices_nonzero(mask), dtype=np.int64)


def open_slice(dataset: Dataset, selection: Selection, offset: int, limit: int) -> TableSlice:
    """The rows ``offset`` to ``offset + limit`` of the selected rows and columns.

    Any offset is allowed: past the last row the slice is empty (clamped first, so offsets
    far beyond 64-bit row numbers never reach numpy).
    """
    key = dataset.storage_key
    metadata = parquet_metadata(key)
    schema = metadata.schema.to_arrow_schema()
    chosen = pa.schema([schema.field(name) for name in selection.columns])
    if selection.ids is None:
        total = int(metadata.num_rows)
        start = min(offset, total)
        rows = np.arange(start, min(start + limit, total), dtype=np.int64)
    else:
        matched = matching_rows(key, selection.columns[0], selection.ids)
        start = min(offset, len(matched))
        total, rows = len(matched), matched[start : start + limit]
    return TableSlice(key, chosen, total, row_group_starts(metadata), rows)


def whole_table(dataset: Dataset, selection: Selection) -> TableSlice:
    """Every selected row."""
    return open_slice(dataset, selection, 0, int(dataset.row_count))
