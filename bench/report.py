"""Printing results: one aligned table per benchmark."""

from __future__ import annotations

from collections.abc import Sequence

from bench.harness import Benchmark, Row

HEADINGS = ("figure", "value", "comparison", "ratio", "target", "")


def cells(row: Row) -> tuple[str, ...]:
    """A row's printed cells, in heading order."""
    target = row.target.label() if row.target else ""
    return (row.figure, row.value, row.comparison, row.ratio, target, row.status())


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows of cells as left-aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join("  " + line.rstrip() for line in lines)


def section(item: Benchmark, rows: Sequence[Row]) -> str:
    """A benchmark's heading and its table of figures."""
    return f"{item.name}: {item.title}\n{table([HEADINGS, *map(cells, rows)])}\n"


def failure(item: Benchmark, error: BaseException) -> str:
    """A benchmark that could not run, with the reason."""
    return f"{item.name}: {item.title}\n  error: {type(error).__name__}: {error}\n"
