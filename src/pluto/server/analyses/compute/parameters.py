"""The types analysis parameters are made of, for the kinds' pydantic models.

JSON gives numbers and text loosely; these types take what a scientist means (a whole
``3.0`` as 3, one gene as a list of one) and refuse the rest with a message that says what
to send, never silently converting text to numbers or ``true`` to 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from pluto.server.analyses.compute.errors import AnalysisInputError

MAX_TEXT = 500
MAX_LIST = 10_000


class Parameters(BaseModel):
    """The base of every kind's parameter model: unknown parameters are refused.

    Fields say where a form finds their choices with ``json_schema_extra`` (see
    :func:`choices`): ``{"choices": "sample_columns"}`` (a sample-table column),
    ``{"choices": "sample_values", "of": "<field>"}`` (values of the column another field
    names), ``{"choices": "analyses", "analysis_type": "<type>"}`` (a completed analysis of
    the experiment, by UUID), ``{"choices": "gene_set_collections"}``, ``{"choices":
    "genes"}`` (gene symbols typed or pasted).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


def problem(message: str) -> PydanticCustomError:
    """A validation error whose message is ours, word for word."""
    return PydanticCustomError("pluto_parameter", message)


def whole_number(value: Any) -> int:
    """A JSON whole number (``3`` or ``3.0``); text, ``true`` and fractions are refused."""
    whole_float = isinstance(value, float) and value.is_integer()
    if isinstance(value, bool) or not (isinstance(value, int) or whole_float):
        raise problem("must be a whole number")
    return int(value)


def finite_number(value: Any) -> float:
    """A finite JSON number; text and ``true`` are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise problem("must be a number")
    if not math.isfinite(value):
        raise problem("must be a finite number")
    return float(value)


def as_list(value: Any) -> Any:
    """One text counts as a list of one; null as an empty list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


def distinct(values: tuple[str, ...]) -> tuple[str, ...]:
    """The values without repeats, in the order given."""
    return tuple(dict.fromkeys(values))


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
TextList = Annotated[
    tuple[Text, ...],
    BeforeValidator(as_list),
    AfterValidator(distinct),
    Field(max_length=MAX_LIST),
]
WholeNumber = Annotated[int, BeforeValidator(whole_number)]
Number = Annotated[float, BeforeValidator(finite_number)]
AnalysisId = Annotated[
    str, BeforeValidator(lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else v)
]


def choices(source: str, **more: str) -> dict[str, Any]:
    """The ``json_schema_extra`` saying where a form finds a field's choices (see
    :class:`pluto.server.analyses.kind.Parameters`)."""
    return {"choices": source, **more}


Model = TypeVar("Model", bound=BaseModel)


class ParameterProblems(AnalysisInputError):
    """Parameters the model refused: every problem, the first one's field as ``field``."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        message = "; ".join(p["message"] for p in problems) + "."
        message = message[0].upper() + message[1:]
        super().__init__(message, problems[0]["field"])
        self.problems = problems


def validated(model: type[Model], raw: Mapping[str, Any]) -> Model:
    """``raw`` parameters checked by ``model``; :class:`ParameterProblems` listing each
    parameter that is missing, unknown or wrong. A parameter given as null takes its
    default, as if it had been left out."""
    given = {name: value for name, value in raw.items() if value is not None}
    try:
        return model.model_validate(given)
    except ValidationError as error:
        raise ParameterProblems([problem_of(item) for item in error.errors()]) from error


def problem_of(item: Mapping[str, Any]) -> dict[str, str]:
    """One finding of pydantic's: the parameter and a sentence about it."""
    location = [str(part) for part in item.get("loc", ())]
    name = location[0] if location else "parameters"
    if item.get("type") == "extra_forbidden":
        return {"field": name, "message": f"{name!r} is not a parameter of this analysis"}
    if item.get("type") == "missing":
        return {"field": name, "message": f"{name!r} is required"}
    if item.get("type") == "pluto_parameter" and not str(item.get("msg")).startswith("must"):
        return {"field": name, "message": str(item.get("msg"))}
    return {"field": name, "message": f"{name!r} {plain_message(item)}"}


BOUNDS = {
    "greater_than_equal": ("ge", "must be at least {}"),
    "less_than_equal": ("le", "must be at most {}"),
    "greater_than": ("gt", "must be more than {}"),
    "less_than": ("lt", "must be less than {}"),
    "too_short": ("min_length", "needs at least {} value(s)"),
    "string_too_short": ("min_length", "must have at least {} character(s)"),
}


def plain_message(item: Mapping[str, Any]) -> str:
    """What is wrong, in words a scientist reads at once (with the value sent)."""
    context = item.get("ctx") or {}
    kind = str(item.get("type", ""))
    got = f" (got {item.get('input')!r})" if "input" in item else ""
    if kind == "pluto_parameter":
        return str(item.get("msg"))
    if kind in BOUNDS:
        key, template = BOUNDS[kind]
        return template.format(context.get(key)) + got
    if kind == "literal_error":
        return f"must be one of {context.get('expected', '')}{got}"
    return str(item.get("msg", "is not valid")).lower().replace("input should", "should") + got
