"""Reading history a page at a time, newest first, with opaque cursors.

A cursor names the position just past an event, ``(created_at, id)``, and a direction:
``older`` pages go on from it towards the past, ``newer`` ones back towards the present. As
pages are keyed by position rather than by offset, events recorded meanwhile (always the
newest) never shift the pages a reader walks through.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from pluto.server.errors import InvalidInput
from pluto.server.history.models import HistoryEvent
from pluto.server.lab.models import Experiment
from pluto.server.lab.schemas import iso

PAGE_SIZE = 100
OLDER, NEWER = "older", "newer"


@dataclass(frozen=True)
class Cursor:
    """A position in an experiment's history and which way to read from it."""

    direction: str
    created_at: datetime
    event_id: int

    def encode(self) -> str:
        """The opaque text clients send back as ``?cursor=``."""
        raw = json.dumps([self.direction, self.created_at.isoformat(), self.event_id])
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_at(event: HistoryEvent, direction: str) -> Cursor:
    """The cursor that reads from ``event`` towards ``direction``."""
    return Cursor(direction, event.created_at, event.pk)


def bad_cursor() -> InvalidInput:
    """The error of a cursor this server did not hand out."""
    return InvalidInput(
        "'cursor' is not a cursor of this history; use the next_cursor or previous_cursor "
        "of a page.",
        details={"field": "cursor"},
    )


def decode_cursor(text: str) -> Cursor:
    """The cursor of ``?cursor=``, or ``400 invalid`` naming the field."""
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
        direction, moment, event_id = json.loads(raw)
        created_at = datetime.fromisoformat(moment)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise bad_cursor() from None
    if direction not in (OLDER, NEWER) or not isinstance(event_id, int) or event_id < 0:
        raise bad_cursor()
    if created_at.tzinfo is None:
        raise bad_cursor()
    return Cursor(direction, created_at, event_id)


def older_than(cursor: Cursor) -> Q:
    """Events before the cursor's position."""
    at = cursor.created_at
    return Q(created_at__lt=at) | Q(created_at=at, id__lt=cursor.event_id)


def newer_than(cursor: Cursor) -> Q:
    """Events after the cursor's position."""
    at = cursor.created_at
    return Q(created_at__gt=at) | Q(created_at=at, id__gt=cursor.event_id)


@dataclass(frozen=True)
class HistoryPage:
    """Up to a page of events, newest first, and the cursors to the pages on each side."""

    events: list[HistoryEvent]
    next_cursor: str | None
    previous_cursor: str | None


def events_of(experiment: Experiment) -> QuerySet[HistoryEvent]:
    """The experiment's events with their actors."""
    return HistoryEvent.objects.filter(experiment=experiment).select_related("actor")


def history_page(
    experiment: Experiment, cursor_text: str | None, size: int = PAGE_SIZE
) -> HistoryPage:
    """The page a ``?cursor=`` asks for: the newest events when there is none."""
    events = events_of(experiment)
    cursor = decode_cursor(cursor_text) if cursor_text else None
    if cursor is not None and cursor.direction == NEWER:
        window = list(events.filter(newer_than(cursor)).order_by("created_at", "id")[: size + 1])
        more_newer = len(window) > size
        rows = list(reversed(window[:size]))
        more_older = bool(rows) and events.filter(older_than(cursor_at(rows[-1], OLDER))).exists()
    else:
        selected = events.filter(older_than(cursor)) if cursor else events
        window = list(selected.order_by("-created_at", "-id")[: size + 1])
        more_older = len(window) > size
        rows = window[:size]
        more_newer = bool(rows) and events.filter(newer_than(cursor_at(rows[0], NEWER))).exists()
    return HistoryPage(
        events=rows,
        next_cursor=cursor_at(rows[-1], OLDER).encode() if more_older else None,
        previous_cursor=cursor_at(rows[0], NEWER).encode() if more_newer else None,
    )


def actor_json(event: HistoryEvent) -> dict[str, Any] | None:
    """``{uuid, name, email}`` of who did it, or None for Pluto itself."""
    actor = event.actor
    if actor is None:
        return None
    return {"uuid": str(actor.uuid), "name": actor.get_full_name(), "email": actor.email}


def event_json(event: HistoryEvent) -> dict[str, Any]:
    """One item of a history page."""
    return {
        "uuid": str(event.uuid),
        "action": event.action,
        "description": event.description,
        "actor": actor_json(event),
        "created_at": iso(event.created_at),
        "details": event.details,
    }


def activity_context(experiment: Experiment, cursor_text: str | None) -> dict[str, Any]:
    """The experiment page's Activity tab: a page of events and the cursors around it (a
    cursor this server did not hand out shows the newest events, saying so)."""
    error = None
    try:
        page = history_page(experiment, cursor_text or None)
    except InvalidInput as problem:
        error, page = problem.message, history_page(experiment, None)
    return {
        "events": page.events,
        "older_cursor": page.next_cursor,
        "newer_cursor": page.previous_cursor,
        "history_error": error,
    }
