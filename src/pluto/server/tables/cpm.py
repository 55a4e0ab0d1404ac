"""Counts per million of a raw-count assay version, written as the ``assay_data_cpm`` file that
goes with it (API.md, "Files by kind").

CPM = count / library size * 1,000,000, where a sample's library size is the sum of its
column. The file has the assay table's layout: the feature id column, then one column per
sample. A sample with no reads at all has no CPM (empty cells). The table is read one row
group at a time, twice (once for the sums, once to write), so memory stays bounded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from pluto.server.lab.models import Experiment
from pluto.server.storage import StoredObject, get_storage

CPM_DATA_TYPE = "assay_data_cpm"
RAW_COUNTS = "raw_counts"
PER_MILLION = 1_000_000.0


@dataclass(frozen=True)
class CpmFile:
    """A stored CPM table, before a file row describes it."""

    file_uuid: uuid.UUID
    stored: StoredObject


def makes_cpm(experiment: Experiment, kind: str) -> bool:
    """Whether a new version of this table gets a CPM file: raw-count assays do."""
    return kind == "assay" and experiment.assay_units.shortname == RAW_COUNTS


def as_floats(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Counts as 64-bit floats; counts beyond 2**53 round to the nearest float, which a
    per-million figure can afford (the exact counts stay in the assay table)."""
    return pc.cast(column, pa.float64(), safe=False)


def library_sizes(parquet: pq.ParquetFile, samples: list[str]) -> list[float]:
    """Each sample column's sum, over every row group, summed as floats (64-bit integer
    counts near their limit would overflow an integer sum)."""
    totals = [0.0] * len(samples)
    for group in range(parquet.num_row_groups):
        table = parquet.read_row_group(group, columns=samples)
        for i, name in enumerate(samples):
            totals[i] += float(pc.sum(as_floats(table.column(name))).as_py() or 0)
    return totals


def per_million(column: pa.ChunkedArray, total: float) -> pa.ChunkedArray:
    """Counts as counts per million of ``total`` (nulls when the sample has no reads)."""
    values = as_floats(column)
    if total <= 0:
        return pa.chunked_array([pa.nulls(len(values), pa.float64())])
    return pc.multiply(pc.divide(values, total), PER_MILLION)


def write_cpm_csv(source: Path, target: Path) -> None:
    """The CPM table of the count table at ``source`` (Parquet), as CSV at ``target``."""
    with pq.ParquetFile(str(source)) as parquet:
        names = parquet.schema_arrow.names
        samples = names[1:]
        totals = library_sizes(parquet, samples)
        fields = [parquet.schema_arrow.field(0), *(pa.field(s, pa.float64()) for s in samples)]
        schema = pa.schema(fields)
        options = pacsv.WriteOptions(quoting_style="needed")
        with pacsv.CSVWriter(str(target), schema, write_options=options) as writer:
            for group in range(parquet.num_row_groups):
                table = parquet.read_row_group(group)
                columns = [table.column(0)]
                columns += [
                    per_million(table.column(s), t) for s, t in zip(samples, totals, strict=True)
                ]
                writer.write_table(pa.Table.from_arrays(columns, schema=schema))


def store_cpm(
    experiment: Experiment, version_uuid: uuid.UUID, source: Path, folder: Path
) -> CpmFile:
    """Write the CPM table of the new version's counts and put it in the object store."""
    file_uuid = uuid.uuid4()
    path = folder / f"{version_uuid}-cpm.csv"
    write_cpm_csv(source, path)
    stored = get_storage().put(f"files/{experiment.uuid}/{file_uuid}", path)
    path.unlink()
    return CpmFile(file_uuid, stored)
