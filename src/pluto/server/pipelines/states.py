"""The state machines of runs, workflows and their steps, and the one way to move them.

Every move is a conditional UPDATE (``WHERE status = <a state it may leave>``), so two
requests cannot both move the same object, and an illegal move is ``409 conflict`` naming
the state the object is in.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from pluto.server.errors import Conflict
from pluto.server.pipelines.models import (
    PipelineRun,
    RunStatus,
    StepStatus,
    Workflow,
    WorkflowPreprocess,
    WorkflowStatus,
)

RUN_MOVES: dict[str, tuple[str, ...]] = {
    RunStatus.IN_PROGRESS: (RunStatus.PENDING,),
    RunStatus.COMPLETED: (RunStatus.IN_PROGRESS,),
    RunStatus.FAILED: (RunStatus.PENDING, RunStatus.IN_PROGRESS),
    RunStatus.CANCELED: (RunStatus.PENDING, RunStatus.IN_PROGRESS),
}
WORKFLOW_MOVES: dict[str, tuple[str, ...]] = {
    WorkflowStatus.COMPLETED: (WorkflowStatus.IN_PROGRESS,),
    WorkflowStatus.FAILED: (WorkflowStatus.IN_PROGRESS,),
    WorkflowStatus.ACCEPTED: (WorkflowStatus.COMPLETED,),
}
STEP_MOVES: dict[str, tuple[str, ...]] = {
    StepStatus.IN_PROGRESS: (StepStatus.PENDING,),
    StepStatus.COMPLETED: (StepStatus.IN_PROGRESS,),
    StepStatus.FAILED: (StepStatus.IN_PROGRESS,),
    StepStatus.SKIPPED: (StepStatus.PENDING, StepStatus.IN_PROGRESS),
}
FINISHED_RUN = {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELED}


def move(
    item: models.Model,
    moves: dict[str, tuple[str, ...]],
    to: str,
    what: str,
    **fields: Any,
) -> None:
    """Move ``item`` to status ``to`` (setting ``fields`` too), or ``409`` naming its state."""
    model = type(item)
    changed = model._default_manager.filter(pk=item.pk, status__in=moves[to]).update(
        status=to, **fields
    )
    if not changed:
        current = model._default_manager.filter(pk=item.pk).values_list("status", flat=True)
        state = current.first() or "deleted"
        raise Conflict(
            f"{what} is {state}; it can become {to} only from {' or '.join(moves[to])}.",
            details={"status": state, "to": to},
        )
    item.refresh_from_db()


def move_run(run: PipelineRun, to: str, **fields: Any) -> None:
    """Move a run; finishing it sets ``finished_at``, starting it ``started_at``."""
    now = timezone.now()
    if to == RunStatus.IN_PROGRESS:
        fields.setdefault("started_at", now)
    if to in FINISHED_RUN:
        fields.setdefault("finished_at", now)
    move(run, RUN_MOVES, to, f"Pipeline run {run.uuid}", **fields)


def move_workflow(workflow: Workflow, to: str, **fields: Any) -> None:
    """Move a workflow (``updated_at`` follows)."""
    fields.setdefault("updated_at", timezone.now())
    move(workflow, WORKFLOW_MOVES, to, f"Workflow {workflow.uuid}", **fields)


def move_step(step: WorkflowPreprocess, to: str, message: str = "") -> None:
    """Move a step, timing it."""
    now = timezone.now()
    fields: dict[str, Any] = {"message": message} if message else {}
    if to == StepStatus.IN_PROGRESS:
        fields["started_at"] = now
    else:
        fields["finished_at"] = now
    move(step, STEP_MOVES, to, f"Step {step.name}", **fields)


def fail_run(workflow: Workflow, message: str) -> None:
    """End the run and its workflow as failed, saying why."""
    with transaction.atomic():
        move_run(workflow.run, RunStatus.FAILED, error=message)
        move_workflow(workflow, WorkflowStatus.FAILED)
