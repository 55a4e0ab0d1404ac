"""Pages of stored tables for the web pages: sorted, filtered or searched, 50 rows at a time.

Sample tables and results tables are small (a row per sample, or per gene of one analysis),
so sorting and filtering read them whole. Assay matrices are read only in the row groups a
page covers; a gene search reads only the id column.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.http import HttpRequest

from pluto.server.tables.models import Dataset
from pluto.server.tables.reading import Selection, TableSlice, open_parquet, open_slice

PAGE_SIZE = 50
# Above this many rows a table is only paged: sorting or filtering would read all of it.
MAX_SORTABLE_ROWS = 200_000
MAX_SHOWN_COLUMNS = 40


@dataclass(frozen=True)
class TableParams:
    """What the reader asked for: page, sort column and direction, filter, search."""

    page: int = 1
    sort: str = ""
    descending: bool = False
    column: str = ""
    value: str = ""
    search: str = ""


@dataclass
class TablePage:
    """One page of a table, its values already as display text."""

    headers: list[str]
    rows: list[list[str]]
    matching: int
    total: int
    page: int
    page_size: int = PAGE_SIZE
    hidden_columns: int = 0
    sortable: bool = True
    notes: list[str] = field(default_factory=list)
    numeric: list[bool] = field(default_factory=list)

    @property
    def columns(self) -> list[tuple[str, bool]]:
        """Each header with whether its column holds numbers (right-aligned on the page)."""
        return list(zip(self.headers, self.numeric_flags(), strict=True))

    @property
    def cells(self) -> list[list[tuple[str, bool]]]:
        """Each row's values with whether their column holds numbers."""
        flags = self.numeric_flags()
        return [list(zip(row, flags, strict=True)) for row in self.rows]

    def numeric_flags(self) -> list[bool]:
        """One flag per column (False for columns not classified)."""
        return (self.numeric + [False] * len(self.headers))[: len(self.headers)]

    @property
    def pages(self) -> int:
        """How many pages the matching rows fill."""
        return max(1, math.ceil(self.matching / self.page_size))

    @property
    def first_row(self) -> int:
        """The number of the first row shown, counting from 1."""
        return 0 if not self.rows else (self.page - 1) * self.page_size + 1

    @property
    def last_row(self) -> int:
        """The number of the last row shown."""
        return self.first_row + len(self.rows) - 1 if self.rows else 0


def positive(raw: str | None, default: int = 1) -> int:
    """A page number from the query string; anything odd means the first page."""
    try:
        return max(1, int(raw or default))
    except ValueError:
        return default


def table_params(request: HttpRequest) -> TableParams:
    """The table choices in the query string."""
    get = request.GET
    return TableParams(
        page=positive(get.get("page")),
        sort=get.get("sort", "").strip(),
        descending=get.get("order") == "desc",
        column=get.get("column", "").strip(),
        value=get.get("value", "").strip(),
        search=get.get("q", "").strip(),
    )


def cell(value: Any) -> str:
    """A value as the page shows it: numbers to four significant digits, missing as empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def is_number_text(value: str) -> bool:
    """Whether a display value reads as a number (``1.5``, ``-3``, ``2e-05``)."""
    try:
        float(value)
    except ValueError:
        return False
    return value.strip().lower() not in {"nan", "inf", "-inf", "infinity", "-infinity"}


def numeric_column(data_type: pa.DataType, shown: list[str]) -> bool:
    """Whether a column holds numbers: by its Arrow type, or (for text) by every shown value."""
    if (
        pa.types.is_integer(data_type)
        or pa.types.is_floating(data_type)
        or pa.types.is_decimal(data_type)
    ):
        return True
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        present = [value for value in shown if value != ""]
        return bool(present) and all(is_number_text(value) for value in present)
    return False


def numeric_columns(schema: pa.Schema, rows: list[list[str]]) -> list[bool]:
    """For each column of ``schema``, whether the page right-aligns it as numbers."""
    return [
        numeric_column(schema.field(index).type, [row[index] for row in rows])
        for index in range(len(schema))
    ]


def display_rows(table: pa.Table) -> list[list[str]]:
    """The rows of an Arrow table as lists of display text."""
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [[cell(value) for value in row] for row in zip(*columns, strict=True)]


def read_whole(dataset: Dataset) -> pa.Table:
    """A small stored table, whole."""
    with open_parquet(dataset.storage_key) as parquet:
        return parquet.read()


def filtered(table: pa.Table, params: TableParams) -> pa.Table:
    """Rows whose ``column`` equals ``value``, and rows whose id contains ``search``."""
    if params.column in table.column_names and params.value:
        text = pc.cast(table.column(params.column), pa.string())
        table = table.filter(pc.fill_null(pc.equal(text, params.value), False))
    if params.search:
        ids = pc.cast(table.column(0), pa.string())
        found = pc.match_substring(ids, params.search, ignore_case=True)
        table = table.filter(pc.fill_null(found, False))
    return table


def sorted_by(table: pa.Table, params: TableParams) -> pa.Table:
    """The table sorted by the asked column (missing values last), or as stored."""
    if params.sort not in table.column_names:
        return table
    order = "descending" if params.descending else "ascending"
    return table.sort_by([(params.sort, order)])


def small_table_page(dataset: Dataset, params: TableParams) -> TablePage:
    """A page of a sample or results table: filtered, searched and sorted as asked."""
    if dataset.row_count > MAX_SORTABLE_ROWS:
        return plain_page(dataset, params, sortable=False)
    table = sorted_by(filtered(read_whole(dataset), params), params)
    start = (params.page - 1) * PAGE_SIZE
    rows = display_rows(table.slice(start, PAGE_SIZE))
    return TablePage(
        list(table.column_names),
        rows,
        table.num_rows,
        dataset.row_count,
        params.page,
        numeric=numeric_columns(table.schema, rows),
    )


def plain_page(dataset: Dataset, params: TableParams, sortable: bool = True) -> TablePage:
    """A page in stored order, reading only the row groups it covers."""
    columns = list(dataset.columns)[: MAX_SHOWN_COLUMNS + 1]
    rows = open_slice(dataset, Selection(columns), (params.page - 1) * PAGE_SIZE, PAGE_SIZE)
    return slice_page(dataset, rows, params.page, sortable)


def slice_page(dataset: Dataset, rows: TableSlice, page: int, sortable: bool) -> TablePage:
    """A :class:`TablePage` from a read window."""
    shown: list[list[str]] = []
    for part in rows.tables():
        shown.extend(display_rows(part))
    hidden = max(0, len(dataset.columns) - len(rows.columns))
    return TablePage(
        rows.columns,
        shown,
        rows.total,
        int(dataset.row_count),
        page,
        hidden_columns=hidden,
        sortable=sortable,
        numeric=numeric_columns(rows.schema, shown),
    )


def matching_positions(dataset: Dataset, search: str) -> list[int]:
    """Rows whose feature id contains ``search`` (reads only the id column)."""
    with open_parquet(dataset.storage_key) as parquet:
        ids = parquet.read(columns=[dataset.columns[0]]).column(0)
    found = pc.match_substring(pc.cast(ids, pa.string()), search, ignore_case=True)
    return [int(i) for i in pc.indices_nonzero(pc.fill_null(found, False)).to_pylist()]


def assay_page(dataset: Dataset, params: TableParams) -> TablePage:
    """A page of the assay matrix, all features or those whose id contains the search."""
    if not params.search:
        return plain_page(dataset, params, sortable=False)
    positions = matching_positions(dataset, params.search)
    start = (params.page - 1) * PAGE_SIZE
    window = positions[start : start + PAGE_SIZE]
    columns = list(dataset.columns)[: MAX_SHOWN_COLUMNS + 1]
    empty = open_slice(dataset, Selection(columns), 0, 0)
    rows = replace(empty, total=len(positions), rows=np.asarray(window, dtype=np.int64))
    return slice_page(dataset, rows, params.page, sortable=False)
