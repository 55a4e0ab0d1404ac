"""An external plot's uploaded results file, imported as the plot's results table.

Any CSV, TSV (optionally gzip), Parquet or xlsx file is accepted as it is: text columns whose
every value is a number become numbers, the first column always stays text (it names rows).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings

from pluto.server.accounts.models import User
from pluto.server.analyses.models import Plot
from pluto.server.analyses.results import store_frame_table
from pluto.server.errors import InvalidInput
from pluto.server.scratch import scratch_folder
from pluto.server.storage import get_storage
from pluto.server.tables.formats import detect_format
from pluto.server.tables.models import Dataset
from pluto.server.tables.problems import Problems
from pluto.server.tables.sources import open_source


def numeric_or_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column as int64 or float64 when every value converts, else unchanged."""
    if not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
        return column
    for target in (pa.int64(), pa.float64()):
        try:
            return pc.cast(column, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
    return column


def typed_table(table: pa.Table) -> pa.Table:
    """Numbers where a column holds only numbers; the first column kept as text."""
    columns = [table.column(0)] + [
        numeric_or_text(table.column(i)) for i in range(1, table.num_columns)
    ]
    return pa.table(columns, names=table.column_names)


def read_results_file(path: Path, filename: str) -> pa.Table:
    """The whole uploaded results file as an Arrow table."""
    fmt = detect_format(path, filename)
    source = open_source(path, fmt, None, filename, int(settings.MAX_UNPACKED_BYTES))
    problems = Problems(source.rows)
    try:
        batches = list(source.batches(problems))
    finally:
        source.close()
    problems.raise_if_any("results file")
    if not batches:
        raise InvalidInput(
            f"The results file {filename} has no rows.", details={"field": "results_file_id"}
        )
    return typed_table(pa.Table.from_batches(batches))


def import_results_file(user: User, plot: Plot) -> Dataset:
    """Read the plot's results file from storage and store it as the plot's results table."""
    upload = plot.results_file
    with scratch_folder("plot-results-") as folder:
        path = folder / "results"
        with get_storage().open(upload.storage_key) as handle, path.open("wb") as out:
            while chunk := handle.read(1024 * 1024):
                out.write(chunk)
        table = read_results_file(path, upload.filename)
    return store_frame_table(plot.experiment, table, upload.filename, user)
