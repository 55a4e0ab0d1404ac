"""The in-process implementations that a JSON page over HTTP is compared with.

(a) reads the covering row groups with pyarrow and encodes them with orjson: the work a
page needs, with no web server around it. (b) is the straightforward way: a data frame,
one dict per row checked by a serializer class, then the standard library's ``json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pydantic

from bench.tables import covering_rows


def arrow_orjson_page(path: Path, offset: int, limit: int) -> bytes:
    """(a) ``{"count", "headers", "items"}`` from the covering row groups, via orjson."""
    total = pq.ParquetFile(path).metadata.num_rows
    rows = covering_rows(path, offset, limit)
    page = {"count": total, "headers": rows.schema.names, "items": rows.to_pylist()}
    return orjson.dumps(page)


def python_type(arrow_type: pa.DataType) -> Any:
    """The Python type a serializer field of an Arrow column has."""
    if pa.types.is_integer(arrow_type):
        return int | None
    if pa.types.is_floating(arrow_type):
        return float | None
    return str | None


def row_serializer(schema: pa.Schema) -> type[pydantic.BaseModel]:
    """A serializer class with one field per column, as a web framework would declare it."""
    fields: dict[str, Any] = {field.name: (python_type(field.type), ...) for field in schema}
    return pydantic.create_model("AssayRow", **fields)


def per_row_page(
    path: Path, offset: int, limit: int, serializer: type[pydantic.BaseModel]
) -> bytes:
    """(b) The whole table as a data frame, one serialized dict per page row, ``json.dumps``."""
    frame = pd.read_parquet(path)
    records = frame.iloc[offset : offset + limit].to_dict(orient="records")
    items = [serializer.model_validate(record).model_dump() for record in records]
    page = {"count": len(frame), "headers": list(frame.columns), "items": items}
    return json.dumps(page).encode()
