"""The JSON shapes of pipelines, runs, workflows and their steps (API.md)."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from pluto.server.pipelines.models import PipelineRun, Workflow, WorkflowPreprocess


class PipelineStepOut(Schema):
    name: str
    display_name: str


class PipelineOut(Schema):
    uuid: str
    name: str
    shortname: str
    version: str
    description: str
    parameters: dict[str, Any]
    experiment_types: list[str]
    steps: list[PipelineStepOut]


class PipelinePage(Schema):
    count: int
    items: list[PipelineOut]


class PipelineRunOut(Schema):
    uuid: str
    pipeline: str
    pipeline_version: str
    status: str
    parameters: dict[str, Any]
    outputs: dict[str, Any]
    error: str
    workflow: str | None
    created_at: str
    started_at: str | None
    finished_at: str | None


class PipelineRunPage(Schema):
    count: int
    items: list[PipelineRunOut]


class RunSample(Schema):
    sample_id: str
    fastq_1: str
    fastq_2: str | None = None


class PipelineRunCreate(Schema):
    """``assay_import`` takes ``parameters``; ``bulk_rnaseq`` a ``reference`` and ``samples``
    too."""

    pipeline: str
    parameters: dict[str, Any] = {}
    reference: str | None = None
    samples: list[RunSample] | None = None


class WorkflowOut(Schema):
    uuid: str
    name: str
    status: str
    is_archived: bool
    pipeline: str
    run: str
    copied_from: str | None
    outputs: dict[str, Any]
    error: str
    created_at: str
    updated_at: str
    accepted_at: str | None
    accepted_by: str | None


class WorkflowPage(Schema):
    count: int
    items: list[WorkflowOut]


class WorkflowCopy(Schema):
    name: str | None = None
    parameters: dict[str, Any] | None = None


class WorkflowPreprocessOut(Schema):
    uuid: str
    name: str
    display_name: str
    order: int
    status: str
    message: str
    started_at: str | None
    finished_at: str | None


def stamp(value: Any) -> str | None:
    """A datetime as ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def run_json(run: PipelineRun) -> dict[str, Any]:
    """A run as ``pipeline-runs/`` answers it."""
    workflow = getattr(run, "workflow", None)
    return {
        "uuid": str(run.uuid),
        "pipeline": run.pipeline,
        "pipeline_version": run.pipeline_version,
        "status": run.status,
        "parameters": run.parameters,
        "outputs": run.outputs,
        "error": run.error,
        "workflow": str(workflow.uuid) if workflow is not None else None,
        "created_at": run.created_at.isoformat(),
        "started_at": stamp(run.started_at),
        "finished_at": stamp(run.finished_at),
    }


def workflow_json(workflow: Workflow) -> dict[str, Any]:
    """A workflow as ``workflows/`` answers it."""
    run = workflow.run
    return {
        "uuid": str(workflow.uuid),
        "name": workflow.name,
        "status": workflow.status,
        "is_archived": workflow.is_archived,
        "pipeline": run.pipeline,
        "run": str(run.uuid),
        "copied_from": str(workflow.copied_from.uuid) if workflow.copied_from else None,
        "outputs": run.outputs,
        "error": run.error,
        "created_at": workflow.created_at.isoformat(),
        "updated_at": workflow.updated_at.isoformat(),
        "accepted_at": stamp(workflow.accepted_at),
        "accepted_by": workflow.accepted_by.email if workflow.accepted_by else None,
    }


def preprocess_json(step: WorkflowPreprocess) -> dict[str, Any]:
    """A workflow step as ``preprocesses/`` answers it."""
    return {
        "uuid": str(step.uuid),
        "name": step.name,
        "display_name": step.display_name,
        "order": step.order,
        "status": step.status,
        "message": step.message,
        "started_at": stamp(step.started_at),
        "finished_at": stamp(step.finished_at),
    }


class ReferenceOut(Schema):
    uuid: str
    name: str
    organism: str
    kind: str
    status: str
    error: str
    transcripts: int
    genes: int
    genome_size: int
    sequences: int
    indexer: str
    created_at: str
    finished_at: str | None


class ReferencePage(Schema):
    count: int
    items: list[ReferenceOut]
