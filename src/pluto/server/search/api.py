"""The JSON API of search."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from pluto.server.lab.schemas import NAME_PATTERN
from pluto.server.openapi import page_parameters
from pluto.server.pagination import OBJECT_LIST_MAX_LIMIT, page_request
from pluto.server.search import schemas, services

router = Router(tags=["search"])
SEARCH_DEFAULT_LIMIT = 24


def text_parameter(name: str, description: str, choices: tuple[str, ...] = ()) -> dict[str, Any]:
    """A documented query parameter."""
    schema: dict[str, Any] = {
        "type": "string",
        "pattern": NAME_PATTERN,
        "maxLength": services.MAX_QUERY,
    }
    if choices:
        schema = {"type": "string", "enum": list(choices), "default": choices[0]}
    return {
        "in": "query",
        "name": name,
        "required": name == "query",
        "description": description,
        "schema": schema,
    }


SEARCH_DOC = {
    "parameters": [
        text_parameter("query", "The words to find (names, descriptions, ids, sample values)."),
        text_parameter("type", "What to search.", services.TYPES),
        text_parameter(
            "access",
            "shareable: everything you may see; public: only what is public.",
            services.ACCESSES,
        ),
        *page_parameters(SEARCH_DEFAULT_LIMIT, OBJECT_LIST_MAX_LIMIT),
    ]
}


@router.get(
    "/search/",
    response=schemas.SearchPage,
    openapi_extra=SEARCH_DOC,
    summary="Search projects or experiments",
)
def search(request: HttpRequest) -> dict[str, Any]:
    """The projects or experiments you may see that hold every word, best matches first."""
    page = page_request(request.GET, default_limit=SEARCH_DEFAULT_LIMIT)
    return services.search(request.auth, request.GET, page)
