"""Recording history: each service that changes an experiment calls :func:`record` once,
inside its own transaction, so an event exists exactly when its change does.

This module imports nothing but its own model, so every other app may call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pluto.server.history.models import HistoryEvent

if TYPE_CHECKING:
    from pluto.server.accounts.models import User
    from pluto.server.lab.models import Experiment

MAX_DESCRIPTION = 2000


def record(
    experiment: Experiment | int,
    actor: User | None,
    action: str,
    description: str,
    **details: Any,
) -> HistoryEvent:
    """Add one event to ``experiment``'s history (an instance or its primary key).

    ``action`` is a short code (``table_uploaded``); ``description`` is the sentence people
    read; ``details`` must be JSON (ids, versions, names). ``actor`` None means Pluto itself.
    """
    experiment_id = experiment if isinstance(experiment, int) else experiment.pk
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    return HistoryEvent.objects.create(
        experiment_id=experiment_id,
        actor_id=actor_id,
        action=action,
        description=description[:MAX_DESCRIPTION],
        details=details,
    )


def record_analysis_end(analysis_id: int, status: str, message: str) -> HistoryEvent | None:
    """The event of an analysis that finished (``complete``) or failed, by its primary key."""
    from pluto.server.analyses.models import Analysis

    analysis = Analysis.objects.filter(pk=analysis_id).only("uuid", "name", "experiment").first()
    if analysis is None:
        return None
    ended = "finished" if status == "complete" else status
    details: dict[str, Any] = {"analysis": str(analysis.uuid), "status": status}
    if status != "complete":
        details["message"] = message
    return record(
        analysis.experiment_id,
        None,
        f"analysis_{ended}",
        f"Analysis “{analysis.name}” {ended}.",
        **details,
    )


def record_sharing(
    target: Any, actor: User | None, action: str, description: str, **details: Any
) -> None:
    """Record a member change of an experiment; those of a project are not an experiment's."""
    if target._meta.label == "lab.Experiment":
        record(target, actor, action, description, **details)


EDIT_WORDS = {
    "name": "name",
    "description": "description",
    "type": "type",
    "organism": "organism",
    "assay_data_units": "units",
    "share_level": "sharing",
    "is_archived": "archiving",
    "project": "project",
}


def edit_description(data: dict[str, Any]) -> str:
    """The sentence of an experiment edit: what changed, and to what where it is short."""
    parts = []
    for field in sorted(data, key=list(EDIT_WORDS).index):
        value = data[field]
        if field == "share_level":
            parts.append(f"shared it as {value}")
        elif field == "is_archived":
            parts.append("archived it" if value else "restored it from the archive")
        else:
            parts.append(f"changed its {EDIT_WORDS[field]}")
    sentence = ", ".join(parts) + "."
    return sentence[:1].upper() + sentence[1:]


def file_details(file: Any) -> dict[str, Any]:
    """The details of a file event: its uuid, name, kind and size."""
    return {
        "file": str(file.uuid),
        "filename": file.display_name,
        "data_type": file.data_type,
        "file_size": file.file_size,
    }
