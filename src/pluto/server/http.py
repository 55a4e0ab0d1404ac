"""Small helpers shared by the JSON endpoints: request bodies and documented body shapes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from django.http import HttpRequest
from ninja import Schema

from pluto.server.errors import InvalidInput


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object body; anything else is ``400 invalid``."""
    if not request.body:
        return {}
    try:
        data = orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            f"The request body is not valid JSON: {exc.msg}.", details={"field": "body"}
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput("The request body must be a JSON object.", details={"field": "body"})
    # A NUL character was refused before any endpoint ran (middleware.NulCharacterMiddleware).
    return data


def field_with_nul(value: Any, path: str) -> str | None:
    """The dotted path of the first text (key or value) holding a NUL character, if any."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items: Iterable[tuple[str, Any]]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for key, inner in items:
        inner_path = f"{path}.{key}" if path else str(key)
        found = inner_path if "\x00" in key else field_with_nul(inner, inner_path)
        if found is not None:
            return found
    return None


def nul_character_error(field: str) -> InvalidInput:
    """The 400 for a text holding a NUL character, naming where it is."""
    # The name itself may hold the NUL (a key); it is shown escaped, never echoed raw.
    shown = field.replace("\x00", "\\u0000")
    return InvalidInput(
        f"'{shown}' contains a NUL character (\\u0000); remove it.", details={"field": shown}
    )


def body_doc(schema: type[Schema]) -> dict[str, Any]:
    """OpenAPI ``requestBody`` for an endpoint that validates its JSON body itself.

    A body whose fields are all optional may also be left out (it changes nothing).
    """
    json_schema = schema.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = json_schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": bool(json_schema.get("required")),
            "content": {"application/json": {"schema": json_schema}},
        },
        "x-definitions": definitions,
    }
