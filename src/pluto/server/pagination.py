"""``limit``/``offset`` parsing and the ``{"count", "items"}`` page shape of API.md."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.openapi import page_parameters

OBJECT_LIST_DEFAULT_LIMIT = 1000
OBJECT_LIST_MAX_LIMIT = 10000
TABLE_DEFAULT_LIMIT = 10000
TABLE_MAX_LIMIT = 100000


@dataclass(frozen=True)
class PageRequest:
    """A validated window of rows."""

    limit: int
    offset: int


WHOLE_NUMBER = re.compile(r"-?[0-9]+")


def parse_int(raw: Any, field: str) -> int | None:
    """A whole-number query parameter (ASCII digits), None when absent, or ``400 invalid``.

    An empty value (``?offset=``) is not a number either.
    """
    if raw is None:
        return None
    text = str(raw).strip()
    if not WHOLE_NUMBER.fullmatch(text):
        raise InvalidInput(
            f"'{field}' must be a whole number (got {str(raw)[:40]!r}).", details={"field": field}
        )
    if text.startswith("-"):
        raise InvalidInput(
            f"'{field}' must not be negative (got {text[:40]}).", details={"field": field}
        )
    try:
        return int(text)
    except ValueError as exc:  # more digits than Python converts
        raise InvalidInput(f"'{field}' is too large.", details={"field": field}) from exc


def page_request(
    params: Any,
    default_limit: int = OBJECT_LIST_DEFAULT_LIMIT,
    max_limit: int = OBJECT_LIST_MAX_LIMIT,
) -> PageRequest:
    """The page a request asks for; a ``limit`` above the maximum is refused, never cut."""
    limit = parse_int(params.get("limit"), "limit")
    offset = parse_int(params.get("offset"), "offset") or 0
    if limit is None:
        limit = default_limit
    if limit > max_limit:
        raise PlutoError(
            f"'limit' may be at most {max_limit} (got {limit}); page with 'offset'.",
            code="limit_too_large",
            details={"field": "limit", "maximum": max_limit},
        )
    return PageRequest(limit=limit, offset=offset)


def list_page_doc() -> dict[str, Any]:
    """``openapi_extra`` of an object list: its ``limit`` and ``offset``."""
    return {"parameters": page_parameters(OBJECT_LIST_DEFAULT_LIMIT, OBJECT_LIST_MAX_LIMIT)}


def page_of(queryset: QuerySet[Any], page: PageRequest) -> tuple[int, list[Any]]:
    """The total count and the rows of ``page``."""
    count = queryset.count()
    # Past the end there is nothing to fetch; asking the database anyway would overflow its
    # integer types for offsets like 10**20 (a crash instead of an empty page).
    if page.limit == 0 or page.offset >= count:
        return count, []
    return count, list(queryset[page.offset : page.offset + page.limit])
