"""Checks on the values of an uploaded table, one block of rows at a time, on Arrow arrays.

Each check first asks Arrow a cheap question about the whole block (does the cast succeed,
what are the minimum and maximum) and only looks for the offending cells when the answer is
bad, so clean data pays little and bad data gets its row, column and value reported.
"""

from __future__ import annotations

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from pluto.server.tables.headers import Header
from pluto.server.tables.problems import Problem, Problems

NUMBER_TEXT = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
INTEGER_TEXT = r"^-?(0|[1-9][0-9]{0,17})$"
DECIMAL_TEXT = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$"
MAX_EXACT_DIGITS = 15
NON_NEGATIVE_UNITS = {"raw_counts", "expected_counts"}
INTEGER_UNITS = {"raw_counts"}


def is_text(data_type: pa.DataType) -> bool:
    """Whether an Arrow type holds text."""
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def decoded(values: pa.Array) -> pa.Array:
    """Dictionary-encoded values (pandas categoricals) as plain values."""
    if pa.types.is_dictionary(values.type):
        return values.dictionary_decode()
    return values


def clean_ids(values: pa.Array, column: str, offset: int, problems: Problems) -> pa.Array:
    """The id column as trimmed text; empty ids are recorded as problems."""
    ids = decoded(values)
    ids = pc.utf8_trim_whitespace(ids if is_text(ids.type) else pc.cast(ids, pa.string()))
    empty = pc.fill_null(pc.equal(ids, ""), True)
    problems.add_cells("empty_id", column, ids, empty, offset, "is not an id: every row needs one")
    return ids


def report_duplicate_ids(ids: pa.ChunkedArray, column: str, problems: Problems) -> None:
    """Record every repeat of an id that an earlier row already has."""
    series = pl.Series(column, ids)
    repeated = ~series.is_first_distinct() & series.is_not_null() & (series != "")
    count = int(repeated.sum())
    if not count:
        return
    wanted = problems.examples_wanted("duplicate_id")
    for index in repeated.arg_true().head(wanted).to_list():
        value = series[index]
        first = problems.rows.of(int(pc.index(ids, value).as_py()))
        why = f"appears more than once (first on {problems.rows.word} {first}); ids must be unique"
        problems.add_example("duplicate_id", column, value, index, why)
    problems.counts["duplicate_id"] += count - min(wanted, count)


def matches(values: pa.Array, pattern: str) -> bool:
    """Whether every non-missing text value matches ``pattern``."""
    return bool(pc.all(pc.match_substring_regex(values, pattern), skip_nulls=True).as_py())


def exact_as_float(values: pa.Array) -> bool:
    """Whether every decimal has few enough significant digits to survive as a float."""
    mantissa = pc.replace_substring_regex(values, r"[eE].*$", "")
    digits = pc.utf8_ltrim(pc.replace_substring_regex(mantissa, r"[^0-9]", ""), "0")
    longest = pc.max(pc.utf8_length(digits)).as_py()
    return longest is None or longest <= MAX_EXACT_DIGITS


def narrowest_type(values: pa.Array, current: str) -> str:
    """``int64``, ``float64`` or ``string``: the narrowest type all values seen so far fit."""
    if current == "int64" and matches(values, INTEGER_TEXT):
        return "int64"
    if current in {"int64", "float64"} and matches(values, DECIMAL_TEXT):
        return "float64" if exact_as_float(values) else "string"
    return "string"


class ColumnTypes:
    """Infers the types of a text table's annotation columns across all of its rows.

    A column is whole numbers when every value is one written plainly (no leading zeros, so
    ``00123`` stays text), decimal numbers when every value is a plain decimal, else text.
    """

    def __init__(self, header: Header) -> None:
        self.types = {name: "int64" for name in header.names[1:]}
        self.filled: set[str] = set()

    def observe(self, batch: pa.RecordBatch) -> None:
        """Narrow the types by one block of text values."""
        for name, current in self.types.items():
            values = batch.column(name)
            if current == "string" or values.null_count == len(values):
                continue
            self.filled.add(name)
            self.types[name] = narrowest_type(values, current)

    def schema(self, id_column: str) -> pa.Schema:
        """The stored schema: the id as text, columns never filled in as text."""
        fields = [pa.field(id_column, pa.string())]
        for name, inferred in self.types.items():
            chosen = inferred if name in self.filled else "string"
            fields.append(pa.field(name, pa.type_for_alias(chosen)))
        return pa.schema(fields)


def without_nan(values: pa.Array) -> pa.Array:
    """Floating-point values with NaN turned into missing values (JSON has no NaN)."""
    if not pa.types.is_floating(values.type):
        return values
    if not pc.any(pc.is_nan(values)).as_py():
        return values
    return pc.if_else(pc.is_nan(values), pa.scalar(None, values.type), values)


def stored_column(values: pa.Array) -> pa.Array:
    """An annotation column of a typed source (Parquet) as it is stored."""
    return without_nan(decoded(values))


class AssayValues:
    """Converts and checks the sample columns of an assay matrix, block by block.

    Every value must be a number; counts may not be negative; raw counts must be whole
    numbers and are stored as int64; a column with no value at all is refused.
    """

    def __init__(self, header: Header, units: str, source: pa.Schema | None, problems: Problems):
        self.units = units
        self.problems = problems
        self.targets = {name: self.target_type(name, source) for name in header.names[1:]}
        self.filled: set[str] = set()

    def target_type(self, name: str, source: pa.Schema | None) -> pa.DataType:
        """int64 for raw counts and for integer columns of a Parquet file, else float64."""
        if self.units in INTEGER_UNITS:
            return pa.int64()
        if source is not None and pa.types.is_integer(source.field(name).type):
            return pa.int64()
        return pa.float64()

    def schema(self, id_column: str) -> pa.Schema:
        """The stored schema of the matrix."""
        fields = [pa.field(id_column, pa.string())]
        return pa.schema(fields + [pa.field(n, t) for n, t in self.targets.items()])

    def convert(self, batch: pa.RecordBatch, offset: int) -> list[pa.Array]:
        """The checked sample columns of one block, in the stored types."""
        return [self.column(name, batch.column(name), offset) for name in self.targets]

    def column(self, name: str, original: pa.Array, offset: int) -> pa.Array:
        """One checked column of one block."""
        if original.null_count < len(original):
            self.filled.add(name)
        values = self.numbers(name, decoded(original), offset)
        if pa.types.is_floating(values.type):
            values = self.finite(name, values, original, offset)
        if self.units in NON_NEGATIVE_UNITS:
            self.non_negative(name, values, original, offset)
        return self.in_target_type(name, values, original, offset)

    def numbers(self, name: str, values: pa.Array, offset: int) -> pa.Array:
        """The values as int64 or float64 numbers, non-numbers recorded and left missing."""
        if pa.types.is_integer(values.type):
            return pc.cast(values, pa.int64())
        if pa.types.is_floating(values.type):
            return without_nan(pc.cast(values, pa.float64()))
        if pa.types.is_null(values.type):
            return pa.nulls(len(values), pa.float64())
        if is_text(values.type):
            return without_nan(self.parsed(name, values, offset))
        self.problems.add(
            Problem(
                "not_numeric",
                f"column {name!r} holds {values.type} values; assay values must be numbers",
                column=name,
            )
        )
        return pa.nulls(len(values), pa.float64())

    def parsed(self, name: str, text: pa.Array, offset: int) -> pa.Array:
        """Text values parsed as float64; the ones that are not numbers are recorded."""
        try:
            return pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            pass
        bad = pc.invert(pc.fill_null(pc.match_substring_regex(text, NUMBER_TEXT), True))
        self.problems.add_cells("not_numeric", name, text, bad, offset, "is not a number")
        trimmed = pc.utf8_trim_whitespace(pc.if_else(bad, pa.scalar(None, text.type), text))
        try:
            return pc.cast(trimmed, pa.float64())
        except pa.ArrowInvalid:
            return pa.nulls(len(text), pa.float64())

    def finite(self, name: str, values: pa.Array, original: pa.Array, offset: int) -> pa.Array:
        """Infinite values are recorded and left missing."""
        low, high = min_max(values)
        if low is None or (low != float("-inf") and high != float("inf")):
            return values
        infinite = pc.is_inf(values)
        why = "is not a finite number"
        self.problems.add_cells("not_finite", name, original, infinite, offset, why)
        return pc.if_else(infinite, pa.scalar(None, values.type), values)

    def non_negative(self, name: str, values: pa.Array, original: pa.Array, offset: int) -> None:
        """Counts below zero are recorded."""
        low, _ = min_max(values)
        if low is None or low >= 0:
            return
        negative = pc.fill_null(pc.less(values, 0), False)
        why = f"is negative, and {self.units} cannot be below zero"
        self.problems.add_cells("negative", name, original, negative, offset, why)

    def in_target_type(
        self, name: str, values: pa.Array, original: pa.Array, offset: int
    ) -> pa.Array:
        """The values cast to the stored type; fractions in an integer column are recorded."""
        target = self.targets[name]
        try:
            return pc.cast(values, target)
        except pa.ArrowInvalid:
            pass
        fraction = pc.fill_null(pc.not_equal(pc.floor(values), values), False)
        why = f"is not a whole number, and {self.units} must be integers"
        self.problems.add_cells("not_integer", name, original, fraction, offset, why)
        return pc.cast(values, target, safe=False)

    def report_empty_columns(self) -> None:
        """Record every sample column that has no value in any row."""
        for name in self.targets:
            if name not in self.filled:
                message = f"column {name!r} is empty: every sample column needs values"
                self.problems.add(Problem("empty_column", message, column=name))


def min_max(values: pa.Array) -> tuple[float | None, float | None]:
    """The smallest and largest value (None for an all-missing block)."""
    result = pc.min_max(values)
    return result["min"].as_py(), result["max"].as_py()
