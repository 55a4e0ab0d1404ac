"""Whole numbers read exactly from text, never through a 64-bit float.

A float holds every integer only up to 2**53, so ``9007199254740993`` read as a float is
stored as ``9007199254740992`` and ``1.0000000000000001`` as ``1``. Counts are stored as
int64, so their text is parsed as integers: a value with any fraction, or one outside the
int64 range, is reported instead of being rounded or wrapped around.

Plain integers (the common case) are one Arrow cast. Decimals without an exponent
(``12.0``, as pandas writes floats) are decided on their digits, column by column.
Only numbers with an exponent (``1e+05``, as R writes round numbers) are looked at one
distinct value at a time, with Python's exact ``Decimal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)
INT64_DIGITS = 19
NUMBER_TEXT = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"
PLAIN_DECIMAL = r"^[-+]?(\d+\.?\d*|\.\d+)$"
WHOLE_DECIMAL = r"^[-+]?(\d+\.?0*|\.0+)$"
INTEGER_DIGITS = r"^[-+]?0*(\d*)(\.\d*)?$"
# The digits of the largest magnitude each sign allows, compared as text of equal length.
LARGEST = {False: str(INT64_MAX), True: str(-INT64_MIN)}
FRACTIONAL = "fractional"
TOO_LARGE = "too_large"


@dataclass(frozen=True)
class WholeNumbers:
    """Text parsed as int64: the values, and where a cell is not a fitting whole number.

    ``values`` is missing wherever one of the masks is true; the masks are never missing.
    """

    values: pa.Array
    not_number: pa.Array
    fractional: pa.Array
    too_large: pa.Array


def no_cells(length: int) -> pa.Array:
    """A mask that is false everywhere."""
    return pa.repeat(pa.scalar(False), length)


def whole_numbers(text: pa.Array) -> WholeNumbers:
    """Every value of a text column as an exact int64, or the reason it cannot be one."""
    try:
        exact = pc.cast(text, pa.int64())
    except pa.ArrowInvalid:
        return checked_numbers(pc.utf8_trim_whitespace(text))
    none = no_cells(len(text))
    return WholeNumbers(exact, none, none, none)


def regex_mask(text: pa.Array, pattern: str) -> pa.Array:
    """Where ``text`` matches ``pattern`` (false where it is missing)."""
    return pc.fill_null(pc.match_substring_regex(text, pattern), False)


def checked_numbers(text: pa.Array) -> WholeNumbers:
    """The slow path, for a column that is not all plain integers (``text`` trimmed)."""
    number = regex_mask(text, NUMBER_TEXT)
    not_number = pc.and_(pc.is_valid(text), pc.invert(number))
    plain = regex_mask(text, PLAIN_DECIMAL)
    fractional = pc.and_(plain, pc.invert(regex_mask(text, WHOLE_DECIMAL)))
    negative = pc.fill_null(pc.starts_with(text, "-"), False)
    digits = pc.replace_substring_regex(text, INTEGER_DIGITS, r"\1")
    too_large = pc.and_(pc.and_(plain, pc.invert(fractional)), beyond_int64(digits, negative))
    fine = pc.and_(plain, pc.invert(pc.or_(fractional, too_large)))
    magnitude = pc.if_else(pc.equal(digits, ""), "0", digits)
    signed = pc.binary_join_element_wise(pc.if_else(negative, "-", ""), magnitude, "")
    values = pc.cast(pc.if_else(fine, signed, pa.scalar(None, pa.string())), pa.int64())
    parsed = WholeNumbers(values, not_number, fractional, too_large)
    exponent = pc.and_(number, pc.invert(plain))
    if not pc.any(exponent).as_py():
        return parsed
    return with_exponents(parsed, text, exponent)


def beyond_int64(digits: pa.Array, negative: pa.Array) -> pa.Array:
    """Where digits (no sign, no leading zeros) are too many for an int64 of their sign."""
    length = pc.utf8_length(digits)
    largest = pc.if_else(negative, LARGEST[True], LARGEST[False])
    longer = pc.greater(length, INT64_DIGITS)
    as_long = pc.and_(pc.equal(length, INT64_DIGITS), pc.greater(digits, largest))
    return pc.fill_null(pc.or_(longer, as_long), False)


def with_exponents(parsed: WholeNumbers, text: pa.Array, exponent: pa.Array) -> WholeNumbers:
    """Add the numbers written with an exponent, each distinct one decided exactly."""
    distinct = pc.unique(pc.filter(text, exponent))
    decided = [exact_whole(value) for value in distinct.to_pylist()]
    position = pc.index_in(text, value_set=distinct)

    def cells(values: list[object], kind: pa.DataType) -> pa.Array:
        mapped = pc.take(pa.array(values, kind), position)
        return pc.if_else(exponent, mapped, pa.scalar(None, kind))

    values = cells([v if isinstance(v, int) else None for v in decided], pa.int64())
    fraction = cells([v == FRACTIONAL for v in decided], pa.bool_())
    large = cells([v == TOO_LARGE for v in decided], pa.bool_())
    return WholeNumbers(
        pc.coalesce(parsed.values, values),
        parsed.not_number,
        pc.or_(parsed.fractional, pc.fill_null(fraction, False)),
        pc.or_(parsed.too_large, pc.fill_null(large, False)),
    )


def exact_whole(text: str) -> int | str:
    """The integer a number with an exponent writes, or ``fractional`` or ``too_large``."""
    mantissa_text, _, exponent_text = text.lower().partition("e")
    mantissa, exponent = Decimal(mantissa_text), int(exponent_text)
    if mantissa.is_zero():
        return 0
    # The power of ten of the leading digit, known before building a possibly huge number.
    magnitude = mantissa.adjusted() + exponent
    if magnitude >= INT64_DIGITS:
        return TOO_LARGE
    if magnitude < 0:
        return FRACTIONAL
    number = Decimal(text)  # exact: no context precision applies to construction
    if number != number.to_integral_value():
        return FRACTIONAL
    value = int(number)
    return value if INT64_MIN <= value <= INT64_MAX else TOO_LARGE
