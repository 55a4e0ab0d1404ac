"""Reading an uploaded file as blocks of Arrow columns: CSV/TSV (maybe gzip), Parquet, xlsx.

Text formats yield every column as text, exactly as written, so ids such as ``MARCH1``,
``1-Dec`` and ``00123`` are never reinterpreted; the table rules decide types afterwards.
Parquet keeps its own types. Each source knows the file row of every data row, for errors.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.tables.formats import UploadFormat, wrong_format
from pluto.server.tables.problems import Problem, Problems, RowNumbers, shown
from pluto.server.tables.unpacking import PacedStream, check_parquet_size, check_workbook_size

# Lines up to a block are always read; the memory a block takes grows with its rows.
# Small blocks keep a file of millions of short rows in bounded memory (a 1 GiB file of
# 5-byte rows peaked 200 MB lower than with 8 MiB blocks); a data line must fit in one.
CSV_BLOCK_BYTES = 2 * 1024 * 1024
HEADER_BLOCK_BYTES = 8 * 1024 * 1024
PARQUET_BATCH_ROWS = 10_000
XLSX_BLOCK_CELLS = 500_000
# The markers pandas, R and Excel write for a missing value (Arrow's defaults).
MISSING_MARKERS = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "n/a",
    "nan",
    "null",
]
MISSING = frozenset(MISSING_MARKERS)


class TableSource(Protocol):
    """An opened upload: its header names, its row numbering and its blocks of rows."""

    names: list[str]
    rows: RowNumbers
    schema: pa.Schema | None

    def batches(self, problems: Problems) -> Iterator[pa.RecordBatch]:
        """The data rows in blocks; rows that cannot be read are recorded in ``problems``."""
        ...

    def close(self) -> None:
        """Release the file."""
        ...


def open_source(
    path: Path, fmt: UploadFormat, sheet: str | None, filename: str, max_unpacked: int
) -> TableSource:
    """The reader for a detected format; ``max_unpacked`` bounds what it may unpack."""
    if fmt.kind == "parquet":
        return ParquetSource(path, filename, max_unpacked)
    if fmt.kind == "xlsx":
        return XlsxSource(path, sheet, filename, max_unpacked)
    return CsvSource(path, fmt, max_unpacked)


def empty_table_error() -> InvalidInput:
    """The error for a file without even a header."""
    return InvalidInput(
        "The file is empty; upload a table with a header row and at least one row.",
        details={"reason": "empty_file"},
    )


def line_too_long(line: int, limit: int) -> InvalidInput:
    """The error for a line longer than the reader's block, which it cannot split."""
    return InvalidInput(
        f"Line {line} is longer than {limit} bytes, the longest line this server reads. "
        "Check that the file has a line break after each row, and that every opening quote "
        '(") of a value is closed.',
        details={"reason": "line_too_long", "row": line, "limit": limit},
    )


def read_up_to(stream: Any, size: int) -> bytes:
    """The first ``size`` bytes of a stream (fewer at its end), however it hands them out."""
    parts, remaining = [], size
    while remaining and (part := stream.read(remaining)):
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


class CsvSource:
    """CSV or TSV text, read by Arrow's streaming reader in large blocks."""

    schema = None

    def __init__(self, path: Path, fmt: UploadFormat, max_unpacked: int) -> None:
        self.path = path
        self.fmt = fmt
        self.max_unpacked = max_unpacked
        self.rows = RowNumbers(first=2, word="line")
        self.single_line = False
        self.names = self.header_names()

    def stream(self) -> PacedStream:
        """The file's bytes, decompressed (and counted against the limit) when gzip."""
        stream = pa.input_stream(str(self.path), compression=self.fmt.compression)
        limit = None if self.fmt.compression is None else self.max_unpacked
        return PacedStream(stream, limit)

    def read_options(self, block_size: int) -> pa_csv.ReadOptions:
        return pa_csv.ReadOptions(
            use_threads=False, block_size=block_size, encoding=self.fmt.encoding
        )

    def parse_options(self, problems: Problems | None) -> pa_csv.ParseOptions:
        handler = (lambda row: "skip") if problems is None else self.ragged_handler(problems)
        return pa_csv.ParseOptions(
            delimiter=self.fmt.delimiter, newlines_in_values=True, invalid_row_handler=handler
        )

    def header_names(self) -> list[str]:
        """The names in the header row."""
        try:
            return self.names_in(self.stream())
        except pa.ArrowInvalid as exc:
            # Arrow says "empty" when its first block holds no line break at all.
            if "Empty CSV file" not in str(exc):
                raise
            return self.names_of_single_line(exc)

    def names_in(self, stream: Any) -> list[str]:
        """The header names Arrow reads from the start of ``stream``."""
        with pa_csv.open_csv(
            stream,
            read_options=self.read_options(HEADER_BLOCK_BYTES),
            parse_options=self.parse_options(None),
        ) as reader:
            return list(reader.schema.names)

    def names_of_single_line(self, cause: Exception) -> list[str]:
        """A file without a line break: a header with no rows, unless it is too long for one."""
        with self.stream() as stream:
            head = read_up_to(stream, HEADER_BLOCK_BYTES + 1)
        if len(head) > HEADER_BLOCK_BYTES:
            raise line_too_long(1, HEADER_BLOCK_BYTES) from cause
        self.single_line = True
        line = head.decode(self.fmt.encoding) + "\n"
        return self.names_in(pa.BufferReader(line.encode(self.fmt.encoding)))

    def batches(self, problems: Problems) -> Iterator[pa.RecordBatch]:
        if self.single_line:
            return
        convert = pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in self.names},
            null_values=MISSING_MARKERS,
            strings_can_be_null=True,
        )
        stream = self.stream()
        with pa_csv.open_csv(
            stream,
            read_options=self.read_options(CSV_BLOCK_BYTES),
            parse_options=self.parse_options(problems),
            convert_options=convert,
        ) as reader:
            yield from self.read_blocks(reader, stream)

    def read_blocks(
        self, reader: pa_csv.CSVStreamingReader, stream: PacedStream
    ) -> Iterator[pa.RecordBatch]:
        """The reader's blocks; a line longer than a block is named, not left to Arrow."""
        rows = 0
        try:
            for batch in reader:
                stream.took_block()
                rows += batch.num_rows
                yield batch
        except pa.ArrowInvalid as exc:
            if "straddl" not in str(exc):
                raise
            raise line_too_long(self.rows.of(rows), CSV_BLOCK_BYTES) from exc

    def ragged_handler(self, problems: Problems) -> Any:
        """Record a row with the wrong number of values, and leave it out."""

        def handle(row: Any) -> str:
            number = row.number
            if number is not None:
                self.rows.skipped.append(number)
            message = (
                f"line {number}: has {row.actual_columns} values but the header has "
                f"{row.expected_columns} columns"
            )
            problems.add(Problem("ragged_row", message, row=number, value=shown(row.text)))
            return "skip"

        return handle

    def close(self) -> None:
        """Nothing stays open between reads."""


class ParquetSource:
    """A Parquet file, read in row batches with its own column types."""

    def __init__(self, path: Path, filename: str, max_unpacked: int) -> None:
        try:
            self.file = pq.ParquetFile(str(path))
        except (pa.ArrowException, OSError) as exc:
            raise wrong_format("The Parquet file is damaged or incomplete.", filename) from exc
        try:
            check_parquet_size(self.file.metadata, max_unpacked)
        except PlutoError:
            self.file.close()
            raise
        self.schema: pa.Schema | None = self.file.schema_arrow
        self.names = list(self.file.schema_arrow.names)
        self.rows = RowNumbers(first=1, word="row")
        refuse_nested(self.file.schema_arrow)

    def batches(self, problems: Problems) -> Iterator[pa.RecordBatch]:
        yield from self.file.iter_batches(batch_size=PARQUET_BATCH_ROWS)

    def close(self) -> None:
        self.file.close()


def refuse_nested(schema: pa.Schema) -> None:
    """Lists, structs, maps and binary columns have no place in a table of values."""
    unsupported = [
        field.name
        for field in schema
        if pa.types.is_nested(field.type)
        or pa.types.is_binary(field.type)
        or pa.types.is_large_binary(field.type)
    ]
    if unsupported:
        raise InvalidInput(
            f"Column(s) {', '.join(map(repr, unsupported[:20]))} hold lists, structures or "
            "binary data; every cell must be a single number, text or date.",
            details={"columns": unsupported[:20]},
        )


class XlsxSource:
    """The first (or a named) sheet of an Excel workbook, read row by row in read-only mode."""

    schema = None

    def __init__(self, path: Path, sheet: str | None, filename: str, max_unpacked: int) -> None:
        import openpyxl

        with zipfile.ZipFile(path) as archive:
            check_workbook_size(archive, max_unpacked)
        # A file object, because openpyxl refuses paths without an .xlsx suffix.
        self.handle = path.open("rb")
        try:
            self.book = openpyxl.load_workbook(self.handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
            self.handle.close()
            raise wrong_format(
                "The Excel workbook is damaged or cannot be read.", filename
            ) from exc
        self.sheet = chosen_sheet(self.book, sheet)
        self.cells: Iterator[tuple[Any, ...]] = self.sheet.iter_rows(values_only=True)
        self.rows = RowNumbers(first=2, word="row")
        self.names = self.header_names()

    def header_names(self) -> list[str]:
        """The first non-empty row, without trailing empty cells."""
        for number, values in enumerate(self.cells, start=1):
            names = [cell_text(value) or "" for value in values]
            while names and not names[-1]:
                names.pop()
            if names:
                self.rows.first = number + 1
                return names
        raise empty_table_error()

    def batches(self, problems: Problems) -> Iterator[pa.RecordBatch]:
        width = len(self.names)
        block_rows = max(1, XLSX_BLOCK_CELLS // width)
        block: list[list[str | None]] = []
        for number, values in enumerate(self.cells, start=self.rows.first):
            texts = [cell_text(value) for value in values]
            if self.left_out(number, texts, width, problems):
                continue
            block.append((texts + [None] * width)[:width])
            if len(block) >= block_rows:
                yield text_batch(block, self.names)
                block = []
        if block:
            yield text_batch(block, self.names)

    def left_out(
        self, number: int, texts: list[str | None], width: int, problems: Problems
    ) -> bool:
        """Skip empty rows silently and rows with values beyond the header, as problems."""
        if all(text is None for text in texts):
            self.rows.skipped.append(number)
            return True
        if any(text is not None for text in texts[width:]):
            self.rows.skipped.append(number)
            message = f"row {number}: has values beyond the header's {width} columns"
            problems.add(Problem("ragged_row", message, row=number))
            return True
        return False

    def close(self) -> None:
        self.book.close()
        self.handle.close()


def chosen_sheet(book: Any, sheet: str | None) -> Any:
    """The named sheet, or the first one."""
    if not sheet:
        return book.worksheets[0]
    if sheet not in book.sheetnames:
        raise InvalidInput(
            f"The workbook has no sheet called {sheet!r}; its sheets are "
            f"{', '.join(map(repr, book.sheetnames))}.",
            details={"field": "sheet", "sheets": list(book.sheetnames)},
        )
    return book[sheet]


def cell_text(value: Any) -> str | None:
    """An Excel cell as the text a CSV export would hold (None when empty or missing)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value:  # NaN: Excel's way of saying nothing is there
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return None if text.strip() in MISSING else text


def text_batch(block: list[list[str | None]], names: list[str]) -> pa.RecordBatch:
    """A block of text rows as Arrow text columns."""
    columns = [pa.array(column, pa.string()) for column in zip(*block, strict=True)]
    return pa.RecordBatch.from_arrays(columns, names=names)
