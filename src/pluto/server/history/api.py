"""The JSON API of experiment history: read-only, a page at a time (API.md)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from ninja import Router, Schema

from pluto.server.history import pages
from pluto.server.lab.services import find_experiment

router = Router(tags=["history"])


class HistoryActorOut(Schema):
    uuid: str
    name: str
    email: str


class HistoryEventOut(Schema):
    uuid: str
    action: str
    description: str
    actor: HistoryActorOut | None
    created_at: str
    details: dict[str, Any]


class HistoryPageOut(Schema):
    items: list[HistoryEventOut]
    next: str | None
    previous: str | None
    next_cursor: str | None
    previous_cursor: str | None


def page_url(request: HttpRequest, cursor: str | None) -> str | None:
    """The absolute address of the page a cursor names."""
    if cursor is None:
        return None
    return request.build_absolute_uri(f"{request.path}?{urlencode({'cursor': cursor})}")


@router.get(
    "/experiments/{experiment_id}/history/",
    response=HistoryPageOut,
    summary="An experiment's history, newest first",
)
def experiment_history(
    request: HttpRequest, experiment_id: str, cursor: str | None = None
) -> dict[str, Any]:
    """Who did what and when, 100 events a page; follow ``next_cursor`` for older events.

    Pages are stable: events recorded while you read do not shift them.
    """
    experiment, _ = find_experiment(request.auth, experiment_id)
    page = pages.history_page(experiment, cursor)
    return {
        "items": [pages.event_json(event) for event in page.events],
        "next": page_url(request, page.next_cursor),
        "previous": page_url(request, page.previous_cursor),
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
    }
