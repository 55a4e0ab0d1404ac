"""The analysis kinds as clients see them: ``GET lab/analysis-types/`` (which the CLI's help
and the SDK read) and the OpenAPI schema of the bodies that create analyses."""

from __future__ import annotations

from typing import Any

from pluto.server.analyses.kind import Kind
from pluto.server.analyses.registry import all_kinds
from pluto.server.analyses.schemas import OPTIONAL_NAME_PATTERN

REF = "#/components/schemas/{model}"


def parameters_schema(kind: Kind) -> dict[str, Any]:
    """The JSON schema of a kind's parameters, definitions inline."""
    return kind.parameters.model_json_schema(ref_template="#/$defs/{model}")


def described(kind: Kind) -> dict[str, Any]:
    """One kind as ``GET lab/analysis-types/`` lists it."""
    return {
        "analysis_type": kind.analysis_type,
        "title": kind.title,
        "summary": kind.summary,
        "aliases": list(kind.aliases),
        "parameters": parameters_schema(kind),
        "columns": list(kind.columns),
        "sample_columns": kind.sample_columns,
        "display_types": [display.display_type for display in kind.displays],
    }


def analysis_types() -> list[dict[str, Any]]:
    """Every kind this server runs."""
    return [described(kind) for kind in all_kinds().values()]


def create_body(kind: Kind) -> dict[str, Any]:
    """The body that creates an analysis of ``kind``."""
    required_parameters = bool(kind.parameters.model_json_schema().get("required"))
    return {
        "type": "object",
        "title": f"{kind.title} analysis",
        "additionalProperties": False,
        "required": ["analysis_type", *(["parameters"] if required_parameters else [])],
        "properties": {
            "analysis_type": {"type": "string", "enum": [kind.analysis_type, *kind.aliases]},
            "name": {"type": "string", "maxLength": 200, "pattern": OPTIONAL_NAME_PATTERN},
            "parameters": {"$ref": REF.format(model=parameters_model_name(kind))},
        },
    }


def parameters_model_name(kind: Kind) -> str:
    """The component name of a kind's parameters."""
    return f"{kind.parameters.__name__}"


def create_request_doc() -> dict[str, Any]:
    """``POST …/analyses/``'s request body: one of the kinds' bodies, with their parameters as
    components."""
    kinds = list(all_kinds().values())
    definitions: dict[str, Any] = {}
    for kind in kinds:
        schema = kind.parameters.model_json_schema(ref_template=REF)
        definitions.update(schema.pop("$defs", {}))
        definitions[parameters_model_name(kind)] = schema
    body = {"oneOf": [create_body(kind) for kind in kinds]}
    return {
        "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
        "x-definitions": definitions,
    }
