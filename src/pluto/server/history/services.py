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
    """Record a member change on the experiment it is about, or, for a project, on each of the
    project's experiments: who may see an experiment changes with its project's members."""
    if target._meta.label == "lab.Experiment":
        record(target, actor, action, description, **details)
        return
    on_project = f"On its project “{target.name}”: {description}"
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    details = {**details, "project": target.pluto_id}
    HistoryEvent.objects.bulk_create(
        HistoryEvent(
            experiment_id=experiment_id,
            actor_id=actor_id,
            action=action,
            description=on_project[:MAX_DESCRIPTION],
            details=details,
        )
        for experiment_id in target.experiments.values_list("pk", flat=True)
    )


EDIT_FIELDS = {
    "name": "name",
    "description": "description",
    "type_id": "type",
    "organism_id": "organism",
    "assay_units_id": "assay_data_units",
    "share_level": "share_level",
    "is_archived": "is_archived",
    "project_id": "project",
}


def edit_snapshot(experiment: Experiment) -> dict[str, Any]:
    """What an experiment edit may change, to compare with afterwards."""
    return {field: getattr(experiment, field) for field in EDIT_FIELDS}


def edit_description(experiment: Experiment, fields: list[str]) -> str:
    """The sentence of an experiment edit: what changed, and to what where it is short."""
    parts = []
    for field in fields:
        if field == "share_level":
            parts.append(f"shared it as {experiment.share_level}")
        elif field == "is_archived":
            parts.append("archived it" if experiment.is_archived else "took it out of the archive")
        elif field == "project":
            parts.append(f"moved it to project {experiment.project.pluto_id}")
        else:
            parts.append(f"changed its {field.replace('assay_data_units', 'units')}")
    sentence = ", ".join(parts) + "."
    return sentence[:1].upper() + sentence[1:]


def record_edit(experiment: Experiment, actor: User | None, before: dict[str, Any]) -> None:
    """Record an experiment edit once, naming the fields whose values changed (none: no event)."""
    after = edit_snapshot(experiment)
    fields = [name for key, name in EDIT_FIELDS.items() if before[key] != after[key]]
    if fields:
        description = edit_description(experiment, fields)
        record(experiment, actor, "experiment_edited", description, fields=fields)


def file_details(file: Any) -> dict[str, Any]:
    """The details of a file event: its uuid, name, kind and size."""
    return {
        "file": str(file.uuid),
        "filename": file.display_name,
        "data_type": file.data_type,
        "file_size": file.file_size,
    }
