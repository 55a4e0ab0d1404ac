"""The one error the analyses raise for every failure a scientist can fix."""

from __future__ import annotations


class AnalysisInputError(Exception):
    """Parameters or data an analysis cannot use, with a sentence saying what to change.

    ``field`` names what to fix: a parameter (``group_column``, ``min_size``...), or
    ``units``, ``samples``, ``counts``, ``de_table`` or ``gmt`` for problems in the data.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
