"""An analysis's results table as the Pluto API's ``summary/`` pages: searched, sorted, paged.

``sort_by`` names a results column in snake_case (``log2_fold_change`` for
``Log2_Fold_Change``), with ``-`` in front for descending order and ``abs_`` for the absolute
value (``-abs_log2_fold_change``: the largest changes either way first). Ties keep the stored
order, so two calls with the same parameters return the same rows. ``search`` keeps the rows
whose id columns (the kind's ``search_columns``) contain it, ignoring case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pluto.server.errors import InvalidInput
from pluto.server.pagination import TABLE_MAX_LIMIT, PageRequest, page_request
from pluto.server.tables.models import Dataset
from pluto.server.tables.reading import open_parquet

SUMMARY_DEFAULT_LIMIT = 100
ABSOLUTE = "abs_"


@dataclass(frozen=True)
class SortKey:
    """A column to order rows by, which way, and whether by absolute value."""

    column: str
    descending: bool
    absolute: bool


@dataclass(frozen=True)
class SummaryQuery:
    """What a ``summary/`` request asked for."""

    page: PageRequest
    search: str
    sort_by: str


def snake_case(name: str) -> str:
    """``Log2_Fold_Change`` → ``log2_fold_change``; ``Adj P-Value`` → ``adj_p_value``."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def summary_query(params: Any) -> SummaryQuery:
    """The page, search and sort of a request (``limit`` 100 unless given)."""
    page = page_request(params, SUMMARY_DEFAULT_LIMIT, TABLE_MAX_LIMIT)
    return SummaryQuery(
        page, str(params.get("search") or "").strip(), str(params.get("sort_by") or "")
    )


def sort_error(raw: str, schema: pa.Schema, reason: str) -> InvalidInput:
    """The refusal of a ``sort_by``, listing what it may be."""
    allowed = [snake_case(name) for name in schema.names]
    return InvalidInput(
        f"'sort_by' {reason} (got {raw!r}). Use one of {', '.join(allowed)}, with '-' in "
        f"front for descending order and '{ABSOLUTE}' for the absolute value of a number "
        "column, such as -abs_log2_fold_change.",
        details={"field": "sort_by", "allowed": allowed},
    )


def parse_sort(raw: str, schema: pa.Schema) -> SortKey | None:
    """The sort key ``raw`` names among the table's columns; 400 naming ``sort_by`` when it
    names none, or asks for the absolute value of a column that is not numbers."""
    text = raw.strip()
    if not text:
        return None
    descending = text.startswith("-")
    wanted = snake_case(text[1:] if descending else text)
    by_name = {snake_case(name): name for name in schema.names}
    if wanted in by_name:
        return SortKey(by_name[wanted], descending, absolute=False)
    base = wanted.removeprefix(ABSOLUTE)
    if base == wanted or base not in by_name:
        raise sort_error(raw, schema, "must name a results column")
    column = by_name[base]
    field_type = schema.field(column).type
    if not (pa.types.is_integer(field_type) or pa.types.is_floating(field_type)):
        raise sort_error(raw, schema, f"can take '{ABSOLUTE}' only on a number column")
    return SortKey(column, descending, absolute=True)


def searched(table: pa.Table, columns: tuple[str, ...], search: str) -> pa.Table:
    """The rows whose id columns contain ``search`` (case ignored); all rows for no search."""
    present = [name for name in columns if name in table.column_names]
    if not search or not present:
        return table
    matches = [
        pc.match_substring(pc.cast(table.column(name), pa.string()), search, ignore_case=True)
        for name in present
    ]
    keep = matches[0]
    for match in matches[1:]:
        keep = pc.or_(keep, match)
    return table.filter(pc.fill_null(keep, False))


def sorted_rows(table: pa.Table, key: SortKey | None) -> pa.Table:
    """The table in the key's order (a stable sort: ties keep their stored order)."""
    if key is None:
        return table
    values = table.column(key.column)
    if key.absolute:
        values = pc.abs(values)
    order = "descending" if key.descending else "ascending"
    indices = pc.sort_indices(pa.table({"k": values}), sort_keys=[("k", order)])
    return table.take(indices)


def summary_page(
    dataset: Dataset | None, search_columns: tuple[str, ...], query: SummaryQuery
) -> dict[str, Any]:
    """``{"headers", "count", "items"}``: ``count`` rows match, ``items`` are the page's rows
    as objects keyed by header. An analysis without results answers an empty page."""
    if dataset is None:
        return {"headers": [], "count": 0, "items": []}
    with open_parquet(dataset.storage_key) as parquet:
        table = parquet.read()
    key = parse_sort(query.sort_by, table.schema)
    rows = sorted_rows(searched(table, search_columns, query.search), key)
    window = rows.slice(query.page.offset, query.page.limit)
    return {"headers": table.column_names, "count": rows.num_rows, "items": window.to_pylist()}
