"""From an uploaded file to a checked Parquet file, streaming in blocks.

The file is read block by block (see :mod:`sources`), each block is checked and converted
on Arrow arrays (see :mod:`validation`), and written through one ``ParquetWriter`` in row
groups of exactly 10,000 rows. No table ever exists as Python objects, whatever its size.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pluto.server.errors import InvalidInput
from pluto.server.tables.duplicates import RepeatedIds, report_duplicate_ids
from pluto.server.tables.encoding import PARQUET_COMPRESSION
from pluto.server.tables.formats import UploadFormat, detect_format
from pluto.server.tables.headers import SAMPLE_ID, Header, assay_header, sample_header
from pluto.server.tables.problems import Problems
from pluto.server.tables.sources import TableSource, open_source
from pluto.server.tables.validation import (
    AssayValues,
    ColumnTypes,
    clean_ids,
    stored_column,
)

ROW_GROUP_ROWS = 10_000
TABLE_NAMES = {"sample": "sample table", "assay": "assay table"}


@dataclass(frozen=True)
class TableRules:
    """What a table must look like: its kind, id column and (for assays) value units."""

    kind: str
    id_column: str
    units: str = ""

    @property
    def name(self) -> str:
        """``sample table`` or ``assay table``, for messages."""
        return TABLE_NAMES[self.kind]


@dataclass(frozen=True)
class ParsedTable:
    """A checked table written as Parquet, ready to be stored."""

    path: Path
    row_count: int
    schema: pa.Schema
    source_format: str

    @property
    def columns(self) -> list[str]:
        """The stored column names, id column first."""
        return list(self.schema.names)

    @property
    def column_types(self) -> list[str]:
        """The Arrow type of each column, as text (``string``, ``int64``, ``double``)."""
        return [str(field.type) for field in self.schema]


class RowGroupWriter:
    """Writes blocks of any size to Parquet in row groups of exactly ``ROW_GROUP_ROWS``."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(str(path), schema, compression=PARQUET_COMPRESSION)
        self.pending: list[pa.RecordBatch] = []
        self.pending_rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        """Add rows; full row groups are written at once."""
        self.pending.append(batch)
        self.pending_rows += batch.num_rows
        while self.pending_rows >= ROW_GROUP_ROWS:
            self.flush(ROW_GROUP_ROWS)

    def flush(self, rows: int) -> None:
        """Write the first ``rows`` pending rows as one row group."""
        table = pa.Table.from_batches(self.pending, schema=self.schema)
        self.writer.write_table(table.slice(0, rows), row_group_size=rows)
        rest = table.slice(rows)
        self.pending, self.pending_rows = rest.to_batches(), rest.num_rows

    def write_table(self, table: pa.Table) -> None:
        """Add every row of a table."""
        for batch in table.to_batches():
            self.write(batch)

    def close(self) -> None:
        """Write the last, shorter row group and finish the file."""
        if self.pending_rows:
            self.flush(self.pending_rows)
        self.writer.close()


def parse_table(
    path: Path,
    rules: TableRules,
    workdir: Path,
    filename: str = "",
    content_type: str = "",
    sheet: str | None = None,
    *,
    max_unpacked: int,
) -> ParsedTable:
    """Check the uploaded file at ``path`` and write it as Parquet under ``workdir``.

    Any problem is a ``400 invalid`` naming rows, columns and values; a compressed file
    that unpacks to more than ``max_unpacked`` bytes is ``413 payload_too_large``.
    """
    fmt = detect_format(path, filename, content_type)
    try:
        source = open_source(path, fmt, sheet, filename, max_unpacked)
        try:
            return parse_source(source, rules, workdir, fmt)
        finally:
            source.close()
    except (pa.ArrowException, OSError, EOFError, zlib.error, UnicodeError) as exc:
        raise unreadable(exc, fmt) from exc
    finally:
        # Arrow's allocator keeps freed blocks for reuse; a web process should not keep
        # the peak of one large upload for as long as it lives.
        pa.default_memory_pool().release_unused()


def unreadable(exc: Exception, fmt: UploadFormat) -> InvalidInput:
    """A read failure of the file, said so a person knows what to fix."""
    text = str(exc)
    if isinstance(exc, UnicodeError) or "UTF8" in text or "UTF-8" in text:
        return InvalidInput(
            "The file is not UTF-8 text. Save it as 'CSV UTF-8' (or tab-separated UTF-8 "
            "text) and upload it again.",
            details={"reason": "encoding"},
        )
    return InvalidInput(
        f"The file could not be read as {fmt.label.upper()}: {text}",
        details={"reason": "unreadable", "format": fmt.label},
    )


def parse_source(
    source: TableSource, rules: TableRules, workdir: Path, fmt: UploadFormat
) -> ParsedTable:
    """Check and convert an opened file."""
    problems = Problems(source.rows)
    if rules.kind == "sample":
        header = sample_header(source.names)
        return write_sample_table(source, header, problems, workdir, fmt.label)
    header = assay_header(source.names, rules.id_column)
    return write_assay_table(source, header, rules, problems, workdir, fmt.label)


def header_only_error() -> InvalidInput:
    """The error for a file with a header and no rows."""
    return InvalidInput(
        "The file has a header row but no data rows; add at least one row.",
        details={"reason": "no_rows"},
    )


def write_sample_table(
    source: TableSource, header: Header, problems: Problems, workdir: Path, label: str
) -> ParsedTable:
    """Stage the rows (ids checked, types observed), then write them in their final types."""
    staged = workdir / "staged.parquet"
    types = ColumnTypes(header) if source.schema is None else None
    writer: RowGroupWriter | None = None
    with RepeatedIds(workdir / "ids") as repeated:
        for batch in source.batches(problems):
            ids = clean_ids(batch.column(header.positions[0]), SAMPLE_ID, repeated.rows, problems)
            repeated.add(ids)
            staged_batch = sample_batch(header.arrange(batch), ids, types)
            if problems or repeated.found_some:
                continue  # refused at the end: only the problems are still counted
            writer = writer or RowGroupWriter(staged, staged_batch.schema)
            writer.write(staged_batch)
        if writer is not None:
            writer.close()
        finish_checks(repeated, SAMPLE_ID, problems, "sample table")
    schema = types.schema(SAMPLE_ID) if types else pq.read_schema(str(staged))
    final = workdir / "table.parquet"
    rows = convert_staged(staged, final, schema)
    return ParsedTable(final, rows, schema, label)


def sample_batch(batch: pa.RecordBatch, ids: pa.Array, types: ColumnTypes | None) -> pa.RecordBatch:
    """A block of a sample table as staged: trimmed ids, typed columns cleaned."""
    if types is not None:
        types.observe(batch)
        columns = [ids, *batch.columns[1:]]
    else:
        columns = [ids, *(stored_column(column) for column in batch.columns[1:])]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def finish_checks(repeated: RepeatedIds, column: str, problems: Problems, table: str) -> None:
    """Duplicate ids, then every problem found, then the no-rows case."""
    report_duplicate_ids(repeated, column, problems)
    problems.raise_if_any(table)
    if repeated.rows == 0:
        raise header_only_error()


def convert_staged(staged: Path, final: Path, schema: pa.Schema) -> int:
    """Rewrite the staged rows in their final types, row group by row group."""
    writer = RowGroupWriter(final, schema)
    with pq.ParquetFile(str(staged)) as staged_file:
        for index in range(staged_file.num_row_groups):
            writer.write_table(staged_file.read_row_group(index).cast(schema))
        rows = int(staged_file.metadata.num_rows)
    writer.close()
    return rows


def write_assay_table(
    source: TableSource,
    header: Header,
    rules: TableRules,
    problems: Problems,
    workdir: Path,
    label: str,
) -> ParsedTable:
    """Check, convert and write the matrix in one pass."""
    file_schema = header.arrange_schema(source.schema) if source.schema is not None else None
    values = AssayValues(header, rules.units, file_schema, problems)
    schema = values.schema(header.id_column)
    final = workdir / "table.parquet"
    writer = RowGroupWriter(final, schema)
    with RepeatedIds(workdir / "ids") as repeated:
        for batch in source.batches(problems):
            offset = repeated.rows
            ids = clean_ids(batch.column(0), header.id_column, offset, problems)
            repeated.add(ids)
            columns = values.convert(header.arrange(batch), offset)
            if not problems and not repeated.found_some:
                writer.write(pa.RecordBatch.from_arrays([ids, *columns], schema=schema))
        writer.close()
        if repeated.rows:
            values.report_empty_columns()
        finish_checks(repeated, header.id_column, problems, rules.name)
        return ParsedTable(final, repeated.rows, schema, label)
