"""Checks on the values of an uploaded table, one block of rows at a time, on Arrow arrays.

Each check first asks Arrow a cheap question about the whole block (does the cast succeed,
what are the minimum and maximum) and only looks for the offending cells when the answer is
bad, so clean data pays little and bad data gets its row, column and value reported.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from pluto.server.tables.headers import Header
from pluto.server.tables.integers import INT64_MAX, INT64_MIN, NUMBER_TEXT, whole_numbers
from pluto.server.tables.problems import Problem, Problems

INTEGER_TEXT = r"^-?(0|[1-9][0-9]{0,18})$"
DECIMAL_TEXT = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?$"
MAX_EXACT_DIGITS = 15
NON_NEGATIVE_UNITS = {"raw_counts", "expected_counts"}
INTEGER_UNITS = {"raw_counts"}
OUT_OF_RANGE = (
    f"does not fit a 64-bit integer ({INT64_MIN} to {INT64_MAX}), the widest whole number "
    "Pluto stores exactly"
)


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


def matches(values: pa.Array, pattern: str) -> bool:
    """Whether every non-missing text value matches ``pattern``."""
    return bool(pc.all(pc.match_substring_regex(values, pattern), skip_nulls=True).as_py())


def exact_as_float(values: pa.Array) -> bool:
    """Whether every decimal has few enough significant digits to survive as a float."""
    mantissa = pc.replace_substring_regex(values, r"[eE].*$", "")
    digits = pc.utf8_ltrim(pc.replace_substring_regex(mantissa, r"[^0-9]", ""), "0")
    longest = pc.max(pc.utf8_length(digits)).as_py()
    return longest is None or longest <= MAX_EXACT_DIGITS


def fits_int64(values: pa.Array) -> bool:
    """Whether every integer text value is within the int64 range (parsed exactly)."""
    try:
        pc.cast(values, pa.int64())
    except pa.ArrowInvalid:
        return False
    return True


def narrowest_type(values: pa.Array, current: str) -> str:
    """``int64``, ``float64`` or ``string``: the narrowest type all values seen so far fit.

    Integers beyond int64 and decimals with more digits than a float keeps are text, so
    that what was written is what is stored.
    """
    if current == "int64" and matches(values, INTEGER_TEXT) and fits_int64(values):
        return "int64"
    if current in {"int64", "float64"} and matches(values, DECIMAL_TEXT):
        return "float64" if exact_as_float(values) else "string"
    return "string"


class ColumnTypes:
    """Infers the types of a text table's annotation columns across all of its rows.

    A column is whole numbers when every value is one written plainly (no leading zeros, so
    ``00123`` stays text) that fits int64, decimal numbers when every value is a plain
    decimal of at most 15 significant digits, else text.
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


@dataclass(frozen=True)
class Cells:
    """One column of one block as uploaded: its name, values and first row index."""

    name: str
    values: pa.Array
    offset: int


class AssayValues:
    """Converts and checks the sample columns of an assay matrix, block by block.

    Every value must be a number; counts may not be negative; raw counts must be whole
    numbers and are stored exactly as int64 (text is never read through a float, and a
    value outside the int64 range is refused); a column with no value at all is refused.
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
        cells = Cells(name, decoded(original), offset)
        whole = pa.types.is_integer(self.targets[name])
        values = self.whole(cells) if whole else self.real(cells)
        if self.units in NON_NEGATIVE_UNITS:
            self.non_negative(cells, values)
        return values

    def real(self, cells: Cells) -> pa.Array:
        """The values as float64, non-numbers and infinities recorded and left missing."""
        values = cells.values
        if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
            numbers = without_nan(pc.cast(values, pa.float64()))
        elif is_text(values.type):
            numbers = without_nan(self.parsed(cells))
        elif pa.types.is_decimal(values.type):
            numbers = pc.cast(values, pa.float64())
        else:
            return self.not_numbers(cells, pa.float64())
        return self.finite(cells, numbers)

    def whole(self, cells: Cells) -> pa.Array:
        """The values as exact int64; fractions and values beyond int64 are recorded."""
        values = cells.values
        if pa.types.is_integer(values.type):
            return self.fitting(cells, values)
        if pa.types.is_floating(values.type):
            return self.whole_floats(cells, self.finite(cells, without_nan(values)))
        if is_text(values.type) or pa.types.is_decimal(values.type):
            return self.whole_text(cells, pc.cast(values, pa.string()))
        return self.not_numbers(cells, pa.int64())

    def not_numbers(self, cells: Cells, target: pa.DataType) -> pa.Array:
        """A column of a type that holds no numbers (all missing, or refused)."""
        if not pa.types.is_null(cells.values.type):
            message = (
                f"column {cells.name!r} holds {cells.values.type} values; assay values must "
                "be numbers"
            )
            self.problems.add(Problem("not_numeric", message, column=cells.name))
        return pa.nulls(len(cells.values), target)

    def parsed(self, cells: Cells) -> pa.Array:
        """Text values parsed as float64; the ones that are not numbers are recorded."""
        text = cells.values
        try:
            return pc.cast(text, pa.float64())
        except pa.ArrowInvalid:
            pass
        bad = pc.invert(pc.fill_null(pc.match_substring_regex(text, NUMBER_TEXT), True))
        self.record(cells, "not_numeric", bad, "is not a number")
        trimmed = pc.utf8_trim_whitespace(pc.if_else(bad, pa.scalar(None, text.type), text))
        try:
            return pc.cast(trimmed, pa.float64())
        except pa.ArrowInvalid:
            return pa.nulls(len(text), pa.float64())

    def whole_text(self, cells: Cells, text: pa.Array) -> pa.Array:
        """Text parsed exactly as int64 (see :mod:`integers`), problems recorded."""
        parsed = whole_numbers(text)
        self.record(cells, "not_numeric", parsed.not_number, "is not a number")
        self.record(cells, "not_integer", parsed.fractional, self.not_whole())
        self.record(cells, "out_of_range", parsed.too_large, OUT_OF_RANGE)
        return parsed.values

    def fitting(self, cells: Cells, values: pa.Array) -> pa.Array:
        """Integers of any width as int64; unsigned ones above the int64 range are recorded."""
        if pa.types.is_uint64(values.type):
            too_large = pc.fill_null(pc.greater(values, pa.scalar(INT64_MAX, values.type)), False)
            self.record(cells, "out_of_range", too_large, OUT_OF_RANGE)
            values = pc.if_else(too_large, pa.scalar(None, values.type), values)
        return pc.cast(values, pa.int64())

    def whole_floats(self, cells: Cells, values: pa.Array) -> pa.Array:
        """Floats as int64: fractional ones and ones beyond int64 are recorded."""
        numbers = pc.cast(values, pa.float64())
        fraction = pc.fill_null(pc.not_equal(pc.floor(numbers), numbers), False)
        self.record(cells, "not_integer", fraction, self.not_whole())
        # 2**63 is exactly representable; every float below it and at least -2**63 fits.
        beyond = pc.or_(pc.greater_equal(numbers, 2.0**63), pc.less(numbers, -(2.0**63)))
        too_large = pc.and_(pc.fill_null(beyond, False), pc.invert(fraction))
        self.record(cells, "out_of_range", too_large, OUT_OF_RANGE)
        refused = pc.or_(fraction, too_large)
        return pc.cast(pc.if_else(refused, pa.scalar(None, pa.float64()), numbers), pa.int64())

    def not_whole(self) -> str:
        """Why a fraction is refused, completing "'2.5' ..."."""
        return f"is not a whole number, and {self.units or 'these values'} must be integers"

    def finite(self, cells: Cells, values: pa.Array) -> pa.Array:
        """Infinite values are recorded and left missing."""
        low, high = min_max(values)
        if low is None or (low != float("-inf") and high != float("inf")):
            return values
        infinite = pc.fill_null(pc.is_inf(values), False)
        self.record(cells, "not_finite", infinite, "is not a finite number")
        return pc.if_else(infinite, pa.scalar(None, values.type), values)

    def non_negative(self, cells: Cells, values: pa.Array) -> None:
        """Counts below zero are recorded."""
        low, _ = min_max(values)
        if low is None or low >= 0:
            return
        negative = pc.fill_null(pc.less(values, 0), False)
        why = f"is negative, and {self.units} cannot be below zero"
        self.record(cells, "negative", negative, why)

    def record(self, cells: Cells, kind: str, mask: pa.Array, why: str) -> None:
        """Record every cell of the block where ``mask`` is true, showing its original value."""
        self.problems.add_cells(kind, cells.name, cells.values, mask, cells.offset, why)

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
