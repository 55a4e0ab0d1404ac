"""The SDK's methods for an experiment's history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pluto.client.base import ClientBase
from pluto.client.http import path_part
from pluto.client.models import nested, parse_time, text


@dataclass(frozen=True)
class HistoryEvent:
    """Something that happened to an experiment: who did what, and when.

    ``actor_email`` and ``actor_name`` are empty for what Pluto did on its own (an analysis
    finishing). ``details`` holds the ids, versions and names of the change.
    """

    uuid: str
    action: str
    description: str
    actor_name: str
    actor_email: str
    created_at: datetime | None
    details: dict[str, Any]
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HistoryEvent:
        """An event of a history page."""
        actor = nested(data, "actor")
        return cls(
            uuid=text(data, "uuid"),
            action=text(data, "action"),
            description=text(data, "description"),
            actor_name=text(actor, "name"),
            actor_email=text(actor, "email"),
            created_at=parse_time(data.get("created_at")),
            details=nested(data, "details"),
            raw=data,
        )


def experiment_ref(experiment: Any) -> str:
    """The id of an experiment given as ``PLX…``/UUID text or as an SDK object."""
    if isinstance(experiment, str):
        return experiment.strip()
    return str(getattr(experiment, "pluto_id", "") or experiment.uuid)


class HistoryMethods(ClientBase):
    """:class:`pluto.Client` methods for an experiment's history."""

    def experiment_history(
        self, experiment: Any, *, limit: int | None = None
    ) -> Iterator[HistoryEvent]:
        """Every event of an experiment's history, newest first, fetched a page at a time.

        ``experiment`` is a ``PLX…`` id, a UUID or an :class:`Experiment`; ``limit`` stops
        after that many events. Events recorded while you iterate do not shift the pages.

        Example::

            for event in client.experiment_history("PLX140206", limit=20):
                print(event.created_at, event.actor_email, event.description)
        """
        path = f"experiments/{path_part(experiment_ref(experiment))}/history/"
        cursor: str | None = None
        seen = 0
        while True:
            page = self.get(path, cursor=cursor)
            for item in page.get("items") or []:
                if limit is not None and seen >= limit:
                    return
                seen += 1
                yield HistoryEvent.from_json(item)
            cursor = page.get("next_cursor")
            if not cursor:
                return
