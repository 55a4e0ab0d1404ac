"""Table pages to pandas: Arrow IPC streams and JSON pages, with column types kept.

Integers stay integers (``int64``, or pandas' nullable ``Int64`` when a value is missing),
missing values stay missing, and strings are never parsed: gene symbols such as ``MARCH1``,
``SEPT2`` or ``1-Dec`` reach the frame exactly as the server sent them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from pluto.client.cache import Answer
from pluto.client.errors import PlutoError

ARROW_STREAM = "application/vnd.apache.arrow.stream"


@dataclass(frozen=True)
class Page:
    """One decoded page: the table's total row count and this page's rows.

    Exactly one of ``arrow`` (an Arrow table) and ``columns`` (JSON values by column) is set.
    """

    count: int | None
    headers: tuple[str, ...]
    arrow: pa.Table | None = None
    columns: dict[str, list[Any]] | None = None

    @property
    def rows(self) -> int:
        """How many rows this page holds."""
        if self.arrow is not None:
            return int(self.arrow.num_rows)
        if not self.columns:
            return 0
        return len(next(iter(self.columns.values())))


def is_arrow(answer: Answer) -> bool:
    """Whether the server answered in the Arrow IPC stream format."""
    return answer.content_type.split(";")[0].strip().lower() == ARROW_STREAM


def decode_page(answer: Answer) -> Page:
    """A page from its bytes, whichever format the server chose."""
    return arrow_page(answer) if is_arrow(answer) else json_page(answer)


def arrow_page(answer: Answer) -> Page:
    """A page in the Arrow IPC stream format; the total comes from ``X-Total-Count``."""
    with pa.ipc.open_stream(answer.content) as reader:
        table = reader.read_all()
    count = int(answer.total) if answer.total and answer.total.isdigit() else None
    return Page(count=count, headers=tuple(table.column_names), arrow=table)


def json_page(answer: Answer) -> Page:
    """A JSON page ``{"count", "headers", "items"}``, row-major or column-major."""
    try:
        body = json.loads(answer.content)
    except ValueError as exc:
        raise PlutoError(
            "The server's table page is neither Arrow nor JSON.", code="invalid_response"
        ) from exc
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise PlutoError("The server's table page has no 'items' list.", code="invalid_response")
    items: list[Any] = body["items"]
    headers = table_headers(body.get("headers"), items)
    count = body.get("count")
    return Page(
        count=count if isinstance(count, int) else None,
        headers=headers,
        columns=columns_of(headers, items),
    )


def table_headers(headers: Any, items: list[Any]) -> tuple[str, ...]:
    """The column names: ``headers`` when given, else the keys of the first row."""
    if isinstance(headers, list):
        return tuple(str(h) for h in headers)
    if items and isinstance(items[0], dict):
        return tuple(items[0])
    return ()


def is_column_major(headers: tuple[str, ...], items: list[Any]) -> bool:
    """Whether ``items[i]`` is the column ``headers[i]`` (volcano plot data, kept for R)."""
    return (
        bool(items) and len(items) == len(headers) and all(isinstance(item, list) for item in items)
    )


def columns_of(headers: tuple[str, ...], items: list[Any]) -> dict[str, list[Any]]:
    """JSON items as lists of values by column."""
    if is_column_major(headers, items):
        return {name: list(column) for name, column in zip(headers, items, strict=True)}
    if items and isinstance(items[0], list):
        return {name: [row[i] for row in items] for i, name in enumerate(headers)}
    return {name: [row.get(name) for row in items] for name in headers}


def frame_from_pages(pages: list[Page]) -> pd.DataFrame:
    """One frame from the pages of a table, in order."""
    if pages and all(page.arrow is not None for page in pages):
        tables = [page.arrow for page in pages if page.arrow is not None]
        return frame_from_arrow(pa.concat_tables(tables, promote_options="permissive"))
    headers = pages[0].headers if pages else ()
    merged: dict[str, list[Any]] = {name: [] for name in headers}
    for page in pages:
        for name, values in page_columns(page).items():
            merged.setdefault(name, []).extend(values)
    return frame_from_columns(merged)


def page_columns(page: Page) -> dict[str, list[Any]]:
    """A page's values by column, whatever its format."""
    if page.arrow is not None:
        return {name: list(values) for name, values in page.arrow.to_pydict().items()}
    return page.columns or {}


def frame_from_arrow(table: pa.Table) -> pd.DataFrame:
    """A frame from Arrow; integer and boolean columns with nulls become nullable dtypes."""
    frame = table.to_pandas()
    for position, column in enumerate(table.columns):
        if column.null_count and nullable_dtype(column.type) is not None:
            mapper = {column.type: nullable_dtype(column.type)}.get
            frame.isetitem(position, column.to_pandas(types_mapper=mapper).array)
    return frame


def nullable_dtype(arrow_type: pa.DataType) -> Any:
    """The pandas nullable dtype for an Arrow integer or boolean type, else None."""
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def frame_from_columns(columns: dict[str, list[Any]]) -> pd.DataFrame:
    """A frame from JSON values by column, each column typed by :func:`column_array`."""
    arrays = {name: column_array(values) for name, values in columns.items()}
    return pd.DataFrame(arrays, columns=list(columns))


def column_array(values: list[Any]) -> Any:
    """The best-fitting array: int64, Int64, float64, bool, boolean, or objects as sent."""
    kinds = value_kinds(values)
    has_missing = None in kinds
    kinds.discard(None)
    if kinds == {int}:
        return pd.array(values, dtype="Int64") if has_missing else int_array(values)
    if kinds == {bool}:
        return pd.array(values, dtype="boolean") if has_missing else np.array(values, dtype=bool)
    if kinds and kinds <= {int, float}:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return object_array(values)


def object_array(values: list[Any]) -> Any:
    """Values exactly as sent (lists stay single cells instead of becoming a 2-D array)."""
    array = np.array(values, dtype=object)
    if array.ndim == 1:
        return array
    cells = np.empty(len(values), dtype=object)
    for position, value in enumerate(values):
        cells[position] = value
    return cells


def value_kinds(values: Iterable[Any]) -> set[Any]:
    """The Python types among ``values`` (None for missing)."""
    return {None if value is None else type(value) for value in values}


def int_array(values: list[int]) -> Any:
    """An int64 array, or objects when a value does not fit in 64 bits."""
    try:
        return np.array(values, dtype=np.int64)
    except OverflowError:
        return object_array(values)
