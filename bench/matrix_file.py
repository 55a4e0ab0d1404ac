"""A generated raw count matrix written as CSV, block by block, and its matching sample table.

Counts are Poisson draws around per-gene means spread over several orders of magnitude
(many genes barely expressed, a few very high), from a fixed seed, so every run uploads
the same file. Only one block of rows is ever in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

SEED = 140206
BLOCK_ROWS = 1_000
PLAIN_CSV = pacsv.WriteOptions(quoting_style="none")


@dataclass(frozen=True)
class MatrixSize:
    """The generated matrix's shape, and the page size its reads use."""

    genes: int
    samples: int
    page_rows: int

    def label(self) -> str:
        """``60,000 x 2,000``."""
        return f"{self.genes:,} x {self.samples:,}"


def sample_ids(count: int) -> list[str]:
    """``S0001``, ``S0002``, …"""
    return [f"S{index:04d}" for index in range(1, count + 1)]


def matrix_schema(samples: int) -> pa.Schema:
    """``gene_symbol`` then one integer column per sample."""
    columns = [pa.field(name, pa.int64()) for name in sample_ids(samples)]
    return pa.schema([pa.field("gene_symbol", pa.string()), *columns])


def count_block(rng: np.random.Generator, first: int, rows: int, schema: pa.Schema) -> pa.Table:
    """Rows ``first`` to ``first + rows`` of the matrix."""
    means = rng.lognormal(mean=2.0, sigma=2.0, size=rows)
    counts = rng.poisson(means, size=(len(schema) - 1, rows))  # one row per sample column
    genes = pa.array([f"GENE{index:06d}" for index in range(first, first + rows)])
    return pa.Table.from_arrays([genes, *counts], schema=schema)


def write_matrix(path: Path, size: MatrixSize) -> int:
    """Write the matrix as CSV; its size in bytes."""
    rng = np.random.default_rng(SEED)
    schema = matrix_schema(size.samples)
    with pacsv.CSVWriter(path, schema, write_options=PLAIN_CSV) as writer:
        for first in range(0, size.genes, BLOCK_ROWS):
            rows = min(BLOCK_ROWS, size.genes - first)
            writer.write_table(count_block(rng, first, rows, schema))
    return path.stat().st_size


def write_samples(path: Path, samples: int) -> None:
    """The sample table: ``sample_id`` and an alternating ``condition``."""
    lines = ["sample_id,condition"]
    lines += [
        f"{name},{('control', 'treated')[index % 2]}"
        for index, name in enumerate(sample_ids(samples))
    ]
    path.write_text("\n".join(lines) + "\n")
