"""Checking the text fields of set and row bodies, each error naming its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pluto.server.errors import InvalidInput


def required_text(body: Mapping[str, Any], field: str, max_length: int = 200) -> str:
    """A non-empty text of at most ``max_length`` characters."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{field}' is required: a non-empty text.", details={"field": field})
    return bounded(value.strip(), field, max_length)


def optional_text(body: Mapping[str, Any], field: str, max_length: int = 10000) -> str:
    """A text, empty when absent or null."""
    value = body.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be a text.", details={"field": field})
    return bounded(value.strip(), field, max_length)


def choice(body: Mapping[str, Any], field: str, choices: tuple[str, ...]) -> str:
    """One of ``choices``; the error lists them."""
    value = body.get(field)
    if value not in choices:
        raise InvalidInput(
            f"'{field}' must be one of {', '.join(choices)} (got {str(value)[:40]!r}).",
            details={"field": field, "choices": list(choices)},
        )
    return str(value)


def bounded(value: str, field: str, max_length: int) -> str:
    """``value`` unless it is longer than ``max_length``."""
    if len(value) > max_length:
        raise InvalidInput(
            f"'{field}' may be at most {max_length} characters.", details={"field": field}
        )
    return value


def search_term(params: Mapping[str, Any]) -> str:
    """The ``search`` query parameter, stripped (empty for none); a NUL character is ``400``."""
    term = str(params.get("search") or "").strip()
    if "\x00" in term:
        raise InvalidInput(
            "'search' contains a NUL character; remove it.", details={"field": "search"}
        )
    return term
