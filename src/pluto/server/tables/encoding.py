"""Arrow tables to bytes in every table format, chunk by chunk, never through Python rows.

JSON items come from polars' row-oriented ``write_json`` (keys in header order, missing
values as ``null``, integers as integers) spliced into the ``{"count", "headers", "items"}``
envelope; CSV and TSV from polars' ``write_csv``; Arrow and Parquet from pyarrow.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from pluto.server.errors import InvalidInput

# Snappy decodes fastest for the sizes of our pages; zstd saves little on count matrices.
PARQUET_COMPRESSION = "snappy"
Chunk = bytes | memoryview


@dataclass(frozen=True)
class TableFormat:
    """An output format: its name, media type and file extension."""

    name: str
    media_type: str
    extension: str


FORMATS = {
    "json": TableFormat("json", "application/json", "json"),
    "csv": TableFormat("csv", "text/csv; charset=utf-8", "csv"),
    "tsv": TableFormat("tsv", "text/tab-separated-values; charset=utf-8", "tsv"),
    "arrow": TableFormat("arrow", "application/vnd.apache.arrow.stream", "arrow"),
    "parquet": TableFormat("parquet", "application/vnd.apache.parquet", "parquet"),
}
MEDIA_TYPES = {
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/vnd.apache.arrow.stream": "arrow",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
}


def format_named(name: str) -> TableFormat:
    """The format called ``name``, or ``400 invalid`` listing the choices."""
    chosen = FORMATS.get(name.strip().lower())
    if chosen is None:
        raise InvalidInput(
            f"'format' must be one of {', '.join(FORMATS)} (got {name!r}).",
            details={"field": "format", "allowed": list(FORMATS)},
        )
    return chosen


def negotiate(format_param: str | None, accept: str, default: str = "json") -> TableFormat:
    """The format a request asks for: ``format=`` first, then ``Accept``, else ``default``."""
    if format_param:
        return format_named(format_param)
    for media_type in accepted_types(accept):
        if media_type in MEDIA_TYPES:
            return FORMATS[MEDIA_TYPES[media_type]]
    return FORMATS[default]


def accepted_types(accept: str) -> list[str]:
    """The media types of an ``Accept`` header, most wanted first."""
    weighted = []
    for position, part in enumerate(accept.split(",")):
        media_type, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if media_type and quality > 0:
            weighted.append((-quality, position, media_type.lower()))
    return [media_type for _, _, media_type in sorted(weighted)]


def frame(table: pa.Table) -> pl.DataFrame:
    """A polars frame over an Arrow table (columns shared where the types allow)."""
    result = pl.from_arrow(table, rechunk=False)
    assert isinstance(result, pl.DataFrame)
    return result


def json_items(table: pa.Table) -> bytes:
    """The rows as a JSON array of objects keyed by column, in column order."""
    buffer = io.BytesIO()
    frame(table).write_json(buffer)
    return buffer.getvalue()


def json_chunks(total: int, headers: list[str], tables: Iterable[pa.Table]) -> Iterator[Chunk]:
    """``{"count", "headers", "items"}`` in pieces, one piece per block of rows."""
    yield b'{"count":%d,"headers":%s,"items":[' % (total, orjson.dumps(headers))
    separator = b""
    for table in tables:
        if table.num_rows:
            yield separator + json_items(table)[1:-1]
            separator = b","
    yield b"]}"


def delimited_chunks(
    schema: pa.Schema, tables: Iterable[pa.Table], separator: str
) -> Iterator[Chunk]:
    """CSV or TSV: the header line, then each block of rows (missing values empty)."""
    yield delimited(schema.empty_table(), separator, header=True)
    for table in tables:
        if table.num_rows:
            yield delimited(table, separator, header=False)


def delimited(table: pa.Table, separator: str, header: bool) -> bytes:
    """One block as CSV or TSV bytes."""
    buffer = io.BytesIO()
    frame(table).write_csv(buffer, separator=separator, include_header=header)
    return buffer.getvalue()


class ChunkSink(io.RawIOBase):
    """A write-only file that hands over what was written so far, keeping its position.

    Arrow passes its own buffers; they are kept as memoryviews, not copied, so a page is
    copied once, into the response.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[memoryview] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.parts.append(view)
        self.position += view.nbytes
        return view.nbytes

    def tell(self) -> int:
        return self.position

    def take(self) -> list[memoryview]:
        """The pieces written since the last call."""
        parts, self.parts = self.parts, []
        return parts


def arrow_chunks(schema: pa.Schema, tables: Iterable[pa.Table]) -> Iterator[Chunk]:
    """An Arrow IPC stream, handed over after every block."""
    sink = ChunkSink()
    with pa.ipc.new_stream(sink, schema) as writer:
        for table in tables:
            writer.write_table(table)
            yield from sink.take()
    yield from sink.take()


def parquet_chunks(schema: pa.Schema, tables: Iterable[pa.Table]) -> Iterator[Chunk]:
    """A Parquet file in row groups of 10,000 rows, handed over after every block."""
    sink = ChunkSink()
    with pq.ParquetWriter(sink, schema, compression=PARQUET_COMPRESSION) as writer:
        for table in tables:
            writer.write_table(table, row_group_size=10_000)
            yield from sink.take()
    yield from sink.take()


def encoded(
    fmt: TableFormat, total: int, schema: pa.Schema, tables: Iterable[pa.Table]
) -> Iterator[Chunk]:
    """The rows of ``tables`` in ``fmt``, as a sequence of byte chunks."""
    if fmt.name == "json":
        return json_chunks(total, list(schema.names), tables)
    if fmt.name in {"csv", "tsv"}:
        return delimited_chunks(schema, tables, "\t" if fmt.name == "tsv" else ",")
    if fmt.name == "arrow":
        return arrow_chunks(schema, tables)
    return parquet_chunks(schema, tables)
