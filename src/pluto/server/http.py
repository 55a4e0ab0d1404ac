"""Small helpers shared by the JSON endpoints: request bodies and documented body shapes."""

from __future__ import annotations

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
    return data


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
