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


def section(item: Benchmark, rows: Sequence[Row], seconds: float) -> str:
    """A benchmark's heading, its table of figures and how long the whole benchmark took."""
    figures = table([HEADINGS, *map(cells, rows)])
    return f"{item.name}: {item.title}\n{figures}\n  ({item.name} took {seconds:.1f} s)\n"


def failure(item: Benchmark, error: BaseException) -> str:
    """A benchmark that could not run, with the reason."""
    return f"{item.name}: {item.title}\n  error: {type(error).__name__}: {error}\n"
