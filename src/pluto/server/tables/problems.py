"""Collecting what is wrong with an uploaded table, to report it in one ``400 invalid``.

Every problem names the row (its number in the file, the header being row 1), the column and
the value. The first few of each kind are kept as examples and all of them are counted, so
a file with a million bad cells still gets a short, useful answer.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pluto.server.errors import InvalidInput

EXAMPLES_PER_KIND = 5
MAX_VALUE_CHARS = 100


@dataclass
class RowNumbers:
    """Maps the index of a data row to its row number in the file.

    ``first`` is the file row of the first data row; ``skipped`` lists file rows that did
    not become data rows (ragged or blank ones), in ascending order.
    """

    first: int = 2
    skipped: list[int] = field(default_factory=list)
    word: str = "line"

    def of(self, index: int) -> int:
        """The file row number of data row ``index`` (0-based)."""
        number = self.first + index
        for skipped in self.skipped:
            if skipped > number:
                break
            number += 1
        return number


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file."""

    kind: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The problem as it appears in the error's ``details``."""
        return {
            "kind": self.kind,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


def shown(value: Any) -> str | None:
    """A value as text for a message, shortened when long."""
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


class Problems:
    """The problems of one upload: examples of each kind and a count of each kind."""

    def __init__(self, rows: RowNumbers | None = None) -> None:
        self.rows = rows or RowNumbers()
        self.examples: list[Problem] = []
        self.counts: Counter[str] = Counter()

    def __bool__(self) -> bool:
        return self.total > 0

    @property
    def total(self) -> int:
        """How many problems were found in all."""
        return sum(self.counts.values())

    def examples_wanted(self, kind: str) -> int:
        """How many more examples of ``kind`` would still be shown."""
        return max(0, EXAMPLES_PER_KIND - self.counts[kind])

    def add(self, problem: Problem, count: int = 1) -> None:
        """Record one problem (its example kept while few of its kind have been seen)."""
        if self.examples_wanted(problem.kind):
            self.examples.append(problem)
        self.counts[problem.kind] += count

    def add_cells(
        self, kind: str, column: str, values: pa.Array, mask: pa.Array, offset: int, why: str
    ) -> None:
        """Record every cell of ``values`` where ``mask`` is true (``offset``: first row index).

        ``why`` completes the sentence "'<value>' ...", such as "is not a number".
        """
        count = pc.sum(mask).as_py() or 0
        if not count:
            return
        needed = self.examples_wanted(kind)
        for index in pc.indices_nonzero(mask)[:needed].to_pylist():
            self.add_example(kind, column, values[index].as_py(), offset + index, why)
        self.counts[kind] += count - min(needed, count)

    def add_example(self, kind: str, column: str, value: Any, index: int, why: str) -> None:
        """Record one cell problem at data row ``index``."""
        row = self.rows.of(index)
        text = shown(value)
        subject = repr(text) if text else "the empty value"
        message = f"{self.rows.word} {row}, column {column!r}: {subject} {why}"
        self.add(Problem(kind, message, row=row, column=column, value=text))

    def error(self, table: str) -> InvalidInput:
        """The ``400 invalid`` naming the problems, for a table called ``table``."""
        listed = "; ".join(p.message for p in self.examples[: EXAMPLES_PER_KIND * 2])
        more = self.total - min(len(self.examples), EXAMPLES_PER_KIND * 2)
        tail = f"; and {more} more" if more > 0 else ""
        noun = "problem" if self.total == 1 else "problems"
        return InvalidInput(
            f"The {table} has {self.total} {noun}: {listed}{tail}. Fix the file and upload it "
            "again.",
            details={
                "problems": [p.as_json() for p in self.examples],
                "counts": dict(self.counts),
                "total": self.total,
            },
        )

    def raise_if_any(self, table: str) -> None:
        """Stop the upload with every problem found so far."""
        if self:
            raise self.error(table)
