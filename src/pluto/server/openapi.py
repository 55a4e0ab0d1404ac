"""The OpenAPI schema as the API really answers: error responses, paging, ids in paths.

ninja describes what each endpoint returns on success from its declared schemas. The rest
is the same for every endpoint and is added here, in one place: the JSON error body for the
statuses an operation can answer, ``limit``/``offset`` as the whole numbers they are, and
the shape of every id in a path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from pluto.server.api_docs import describe_security
from pluto.server.errors import STATUS_CODES

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "description": "Every error answer: a stable code, a sentence to act on, and details.",
    "properties": {
        "code": {"type": "string", "description": "Stable snake_case code."},
        "message": {"type": "string", "minLength": 1},
        "details": {"type": "object", "description": "Which field, row, column or limit."},
    },
    "required": ["code", "message", "details"],
    "additionalProperties": False,
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
PROJECT_ID = f"^(PLXP[0-9]{{5,}}|{UUID})$"
EXPERIMENT_ID = f"^(PLX[0-9]{{6,}}|{UUID})$"
ID_DESCRIPTIONS = {
    PROJECT_ID: "A project's public id (PLXP and 5 digits) or its UUID.",
    EXPERIMENT_ID: "An experiment's public id (PLX and 6 digits) or its UUID.",
}
PATH_PARAMETER = re.compile(r"\{(\w+)\}")
# Statuses every operation may answer: a bad request, no or a bad token, an address over the
# limit, too many requests, headers over the limits.
ALWAYS = (400, 401, 414, 429, 431)


def error_response(status: int) -> dict[str, Any]:
    """The OpenAPI response of one error status, with the JSON error body."""
    code, message = STATUS_CODES.get(status, ("error", "The request failed."))
    return {
        "description": f"{code}: {message}",
        "content": {"application/json": {"schema": ERROR_REF}},
    }


def documented_errors(*statuses: int) -> dict[str, Any]:
    """``openapi_extra`` declaring error statuses an endpoint answers beyond the usual ones."""
    return {"responses": {status: error_response(status) for status in statuses}}


def page_parameters(default: int, maximum: int) -> list[dict[str, Any]]:
    """``limit`` and ``offset`` of a paged endpoint, as the server parses them."""
    return [
        {
            "in": "query",
            "name": "limit",
            "required": False,
            "description": f"Items per page (default {default}, at most {maximum}).",
            "schema": {"type": "integer", "minimum": 0, "maximum": maximum, "default": default},
        },
        {
            "in": "query",
            "name": "offset",
            "required": False,
            "description": "First item, counting from 0; past the end the page is empty.",
            "schema": {"type": "integer", "minimum": 0, "default": 0},
        },
    ]


def id_pattern(name: str, path: str) -> str:
    """The pattern of a path id: public id or UUID for projects and experiments, else UUID."""
    if name == "project_id" or (name == "object_id" and "/projects/" in path):
        return PROJECT_ID
    if name in {"experiment_id", "object_id"}:
        return EXPERIMENT_ID
    return f"^{UUID}$"


def describe_path_parameters(path: str, operation: dict[str, Any]) -> None:
    """Give each string id in the path its pattern."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "path" or parameter["schema"].get("type") != "string":
            continue
        if "enum" in parameter["schema"]:
            continue
        pattern = id_pattern(parameter["name"], path)
        parameter["schema"]["pattern"] = pattern
        parameter.setdefault("description", ID_DESCRIPTIONS.get(pattern, "A UUID."))


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer."""
    statuses = list(ALWAYS)
    # Reading an organization one is not in is refused, not hidden (the contract's 403).
    if method != "get" or "{org_id}" in path:
        statuses.append(403)
    if PATH_PARAMETER.search(path):
        statuses.append(404)
    if "requestBody" in operation:
        statuses.append(413)
    return statuses


def add_error_responses(method: str, path: str, operation: dict[str, Any]) -> None:
    """The error statuses an operation can answer, each with the JSON error body."""
    responses = operation.setdefault("responses", {})
    declared = {int(status) for status in responses if str(status).isdigit()}
    for status in error_statuses(method, path, operation):
        if status not in declared:
            responses[status] = error_response(status)


# Request bodies whose schema is only known when the schema is asked for (those of analyses
# depend on the analysis kinds registered), by the name an operation gives in ``x-body``.
BODY_BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {}


def built_body(name: str) -> dict[str, Any]:
    """``openapi_extra`` for an operation whose request body ``BODY_BUILDERS[name]`` makes."""
    return {"x-body": name}


# The server refuses a NUL character in any JSON text or query parameter
# (see middleware.NulCharacterMiddleware).
NUL_FREE = r"^[^\x00]*$"
STRING_CONSTRAINTS = ("pattern", "enum", "const", "format")
NUL_FREE_JSON_REF = "#/components/schemas/NulFreeJson"
# Any JSON value whose texts and keys hold no NUL: what a body's free-form extras may be.
NUL_FREE_JSON: dict[str, Any] = {
    "description": "Any JSON value without a NUL character in its texts or keys.",
    "anyOf": [
        {"type": "string", "pattern": NUL_FREE},
        {"type": ["number", "boolean", "null"]},
        {"type": "array", "items": {"$ref": NUL_FREE_JSON_REF}},
        {
            "type": "object",
            "propertyNames": {"pattern": NUL_FREE},
            "additionalProperties": {"$ref": NUL_FREE_JSON_REF},
        },
    ],
}


def forbid_nul_in_texts(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    """Give every free text of a request schema (and what it refers to) the NUL-free pattern."""
    if isinstance(node, list):
        for item in node:
            forbid_nul_in_texts(item, components, seen)
        return
    if not isinstance(node, dict):
        return
    reference = str(node.get("$ref", "")).rsplit("/", 1)[-1]
    if reference in components and reference not in seen:
        seen.add(reference)
        forbid_nul_in_texts(components[reference], components, seen)
    if node.get("type") == "string" and not any(key in node for key in STRING_CONSTRAINTS):
        node["pattern"] = NUL_FREE
    if node.get("type") == "object" and node.get("additionalProperties") is not False:
        node.setdefault("propertyNames", {"pattern": NUL_FREE})
        if node.get("additionalProperties", True) is True:
            node["additionalProperties"] = {"$ref": NUL_FREE_JSON_REF}
    for value in list(node.values()):
        forbid_nul_in_texts(value, components, seen)


def request_body_schemas(schema: dict[str, Any]) -> list[Any]:
    """Every JSON request body schema of the operations."""
    return [
        operation["requestBody"]["content"]["application/json"].get("schema")
        for operations in schema.get("paths", {}).values()
        for operation in operations.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def query_parameter_schemas(schema: dict[str, Any]) -> list[Any]:
    """The schema of every query parameter of the operations."""
    return [
        parameter.get("schema")
        for operations in schema.get("paths", {}).values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter.get("in") == "query"
    ]


def complete(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with errors, paging and path ids described on every operation."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    components["NulFreeJson"] = NUL_FREE_JSON
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if "x-body" in operation:
                operation.update(BODY_BUILDERS[operation.pop("x-body")]())
            # Schemas that request bodies documented by hand refer to (see http.body_doc).
            components.update(operation.pop("x-definitions", {}))
            describe_path_parameters(path, operation)
            add_error_responses(method, path, operation)
    texts = request_body_schemas(schema) + query_parameter_schemas(schema)
    forbid_nul_in_texts(texts, components, set())
    return schema


class PlutoApi(NinjaAPI):
    """The NinjaAPI whose OpenAPI schema is :func:`complete`."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        complete(schema)
        describe_security(schema)
        return schema
