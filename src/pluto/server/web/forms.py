"""Turning a page's form into the body a service takes, and its errors back into the form.

Services validate (names, share levels, roles, parameters); the pages only collect fields
and show the message next to the field the error names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict

from pluto.server.errors import PlutoError

ALL = "form"


def form_fields(form: QueryDict, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields that were sent, stripped of surrounding spaces."""
    return {name: form[name].strip() for name in names if name in form}


def errors_of(error: PlutoError) -> dict[str, str]:
    """``{field: message}`` for an error from a service (``form`` when it names no field);
    each problem beside its own field when the service listed several."""
    problems = error.details.get("problems")
    if isinstance(problems, list) and problems:
        return {
            str(p.get("field", ALL)).removeprefix("parameters."): str(p.get("message", ""))
            for p in problems
            if isinstance(p, dict)
        }
    field = error.details.get("field")
    if isinstance(field, list):
        field = field[0] if field else None
    return {str(field or ALL).removeprefix("parameters."): error.message}


@dataclass(frozen=True)
class Done:
    """What a successful form did, in words, and where the browser goes next (if elsewhere)."""

    message: str
    location: str | None = None
