"""Reading an analysis's raw JSON parameters into typed values, naming the field at fault."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from pluto.server.analyses.compute.errors import AnalysisInputError

RawParameters = Mapping[str, Any]


def reject_unknown(raw: RawParameters, known: Collection[str]) -> None:
    """Refuse parameters the analysis does not have (usually a typo)."""
    if not isinstance(raw, Mapping):
        raise AnalysisInputError("Parameters must be a JSON object.", "parameters")
    for name in raw:
        if name not in known:
            raise AnalysisInputError(
                f"Unknown parameter {name!r}; this analysis takes {', '.join(sorted(known))}.",
                str(name),
            )


def is_missing(raw: RawParameters, name: str) -> bool:
    """Whether a parameter was left out or given as null (so its default applies)."""
    return raw.get(name) is None


def optional_text(raw: RawParameters, name: str) -> str | None:
    """A non-empty string, or None when not given."""
    if is_missing(raw, name):
        return None
    return required_text(raw, name)


def required_text(raw: RawParameters, name: str) -> str:
    """A non-empty string that must be given."""
    value = raw.get(name)
    if value is None:
        raise AnalysisInputError(f"{name!r} is required.", name)
    if not isinstance(value, str) or not value.strip():
        raise AnalysisInputError(f"{name!r} must be a non-empty string.", name)
    return value.strip()


def text_list(raw: RawParameters, name: str, *, required: bool) -> tuple[str, ...]:
    """A list of distinct non-empty strings; a single string counts as a list of one."""
    value = raw.get(name)
    if value is None or value == []:
        if required:
            raise AnalysisInputError(f"{name!r} is required: give one value or a list.", name)
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(
        isinstance(item, str) and item.strip() for item in items
    ):
        raise AnalysisInputError(f"{name!r} must be a string or a list of strings.", name)
    return tuple(dict.fromkeys(item.strip() for item in items))


def integer(raw: RawParameters, name: str, default: int, minimum: int, maximum: int) -> int:
    """A whole number within [minimum, maximum]; the default when not given."""
    if is_missing(raw, name):
        return default
    value = raw[name]
    whole = isinstance(value, float) and value.is_integer()
    if isinstance(value, bool) or not (isinstance(value, int) or whole):
        raise AnalysisInputError(f"{name!r} must be a whole number.", name)
    if not minimum <= value <= maximum:
        raise AnalysisInputError(
            f"{name!r} must be between {minimum} and {maximum} (got {value}).", name
        )
    return int(value)


def fraction(
    raw: RawParameters, name: str, default: float, *, allow_zero: bool, allow_one: bool
) -> float:
    """A number between 0 and 1, with the ends allowed as asked; the default when not given."""
    if is_missing(raw, name):
        return default
    value = number(raw, name)
    too_low = value < 0 or (value == 0 and not allow_zero)
    too_high = value > 1 or (value == 1 and not allow_one)
    if too_low or too_high:
        low, high = ("[" if allow_zero else "("), ("]" if allow_one else ")")
        raise AnalysisInputError(f"{name!r} must be in {low}0, 1{high} (got {value}).", name)
    return value


def number(raw: RawParameters, name: str) -> float:
    """A finite number."""
    value = raw[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnalysisInputError(f"{name!r} must be a number.", name)
    return float(value)


def choice(raw: RawParameters, name: str, default: str, allowed: Collection[str]) -> str:
    """One of the allowed strings; the default when not given."""
    if is_missing(raw, name):
        return default
    value = raw[name]
    if not isinstance(value, str) or value not in allowed:
        raise AnalysisInputError(
            f"{name!r} must be one of {', '.join(allowed)} (got {value!r}).", name
        )
    return str(value)
