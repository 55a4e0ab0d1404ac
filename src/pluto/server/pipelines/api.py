"""The JSON API of pipelines, pipeline runs and workflows (API.md).

Reading needs read access to the experiment; starting and cancelling runs and accepting,
archiving or copying workflows needs the editor role.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from pluto.server.errors import InvalidInput
from pluto.server.http import body_doc, json_body
from pluto.server.lab.services import find_experiment
from pluto.server.openapi import documented_errors
from pluto.server.pipelines import references, registry, schemas, services

router = Router(tags=["pipelines"])
EXPERIMENT = "/experiments/{experiment_id}"
WORKFLOW = EXPERIMENT + "/workflows/{workflow_id}"


@router.get(EXPERIMENT + "/pipelines/", response=schemas.PipelinePage, summary="List pipelines")
def list_pipelines(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    """The processing pipelines this experiment's type can run."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    items = [registry.pipeline_json(p) for p in registry.pipelines_for(experiment.type.shortname)]
    return {"count": len(items), "items": items}


@router.get(EXPERIMENT + "/pipeline-runs/", response=schemas.PipelineRunPage, summary="List runs")
def list_runs(request: HttpRequest, experiment_id: str) -> dict[str, Any]:
    """The experiment's pipeline runs, newest first."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    items = [schemas.run_json(run) for run in services.runs_of(experiment)]
    return {"count": len(items), "items": items}


@router.post(
    EXPERIMENT + "/pipeline-runs/",
    response={201: schemas.PipelineRunOut},
    summary="Start a pipeline run",
    openapi_extra=body_doc(schemas.PipelineRunCreate),
)
def start_run(request: HttpRequest, experiment_id: str) -> Status[dict[str, Any]]:
    """Start a pipeline run (``{"pipeline": "assay_import", "parameters": {"csv": "..."}}``).

    The body is checked at once (a ``400`` names every problem). An assay import answers
    the run as it ended: ``completed`` with its workflow ready to review and accept, or
    ``failed`` with ``error`` saying why. A bulk RNA-seq run answers at once, ``pending``
    with its workflow ``in_progress``; a worker runs it (follow it with ``GET``).
    """
    experiment, role = find_experiment(request.auth, experiment_id)
    workflow = services.start_run(request.auth, experiment, role, json_body(request))
    return Status(201, schemas.run_json(services.find_run(experiment, str(workflow.run.uuid))))


@router.get(
    EXPERIMENT + "/pipeline-runs/{run_id}/", response=schemas.PipelineRunOut, summary="Get a run"
)
def get_run(request: HttpRequest, experiment_id: str, run_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return schemas.run_json(services.find_run(experiment, run_id))


@router.post(
    EXPERIMENT + "/pipeline-runs/{run_id}/cancel/",
    response=schemas.PipelineRunOut,
    summary="Cancel a run",
    openapi_extra=documented_errors(409),
)
def cancel_run(request: HttpRequest, experiment_id: str, run_id: str) -> dict[str, Any]:
    """Cancel a pending or running run: it answers ``canceled``, its tools are stopped
    within seconds and the experiment is left as it was; ``409`` for a finished run."""
    experiment, role = find_experiment(request.auth, experiment_id)
    run = services.find_run(experiment, run_id)
    services.cancel_run(request.auth, run, role)
    return schemas.run_json(services.find_run(experiment, run_id))


@router.get(
    EXPERIMENT + "/pipeline-runs/{run_id}/log/",
    response={200: str},
    summary="A run's tool log",
    openapi_extra={"responses": {200: {"description": "The log", "content": {"text/plain": {}}}}},
)
def get_run_log(request: HttpRequest, experiment_id: str, run_id: str) -> HttpResponse:
    """What the run's tools wrote (fastp, salmon), as plain text, growing while it runs."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    run = services.find_run(experiment, run_id)
    return HttpResponse(run.log, content_type="text/plain; charset=utf-8")


@router.get("/references/", response=schemas.ReferencePage, summary="List references")
def list_references(request: HttpRequest) -> dict[str, Any]:
    """The transcriptome references of this server; runs choose a ``ready`` one by name."""
    items = [references.reference_json(r) for r in references.all_references()]
    return {"count": len(items), "items": items}


@router.get(EXPERIMENT + "/workflows/", response=schemas.WorkflowPage, summary="List workflows")
def list_workflows(
    request: HttpRequest, experiment_id: str, is_archived: bool = False
) -> dict[str, Any]:
    """The experiment's workflows, newest first (``?is_archived=true`` for archived ones)."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    items = [schemas.workflow_json(w) for w in services.workflows_of(experiment, is_archived)]
    return {"count": len(items), "items": items}


@router.get(WORKFLOW + "/", response=schemas.WorkflowOut, summary="Get a workflow")
def get_workflow(request: HttpRequest, experiment_id: str, workflow_id: str) -> dict[str, Any]:
    experiment, _ = find_experiment(request.auth, experiment_id)
    return schemas.workflow_json(services.find_workflow(experiment, workflow_id))


@router.post(
    WORKFLOW + "/accept/",
    response=schemas.WorkflowOut,
    summary="Accept a workflow",
    openapi_extra=documented_errors(409),
)
def accept_workflow(request: HttpRequest, experiment_id: str, workflow_id: str) -> dict[str, Any]:
    """Publish a completed workflow's outputs into the experiment (a new current assay
    version and its files) in one transaction; ``409`` naming its state otherwise."""
    experiment, role = find_experiment(request.auth, experiment_id)
    workflow = services.find_workflow(experiment, workflow_id)
    services.accept_workflow(request.auth, workflow, role)
    return schemas.workflow_json(services.find_workflow(experiment, workflow_id))


@router.post(WORKFLOW + "/archive/", response=schemas.WorkflowOut, summary="Archive a workflow")
def archive_workflow(request: HttpRequest, experiment_id: str, workflow_id: str) -> dict[str, Any]:
    experiment, role = find_experiment(request.auth, experiment_id)
    workflow = services.find_workflow(experiment, workflow_id)
    services.archive_workflow(request.auth, workflow, role)
    return schemas.workflow_json(services.find_workflow(experiment, workflow_id))


def any_json(request: HttpRequest) -> Any:
    """The request's JSON body (an object or an array), None when empty."""
    if not request.body:
        return None
    try:
        return orjson.loads(request.body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            f"The request body is not valid JSON: {exc.msg}.", details={"field": "body"}
        ) from exc


@router.post(
    WORKFLOW + "/copy/",
    response={201: schemas.WorkflowOut},
    summary="Copy a workflow",
    openapi_extra=body_doc(schemas.WorkflowCopy),
)
def copy_workflow(
    request: HttpRequest, experiment_id: str, workflow_id: str
) -> Status[dict[str, Any]]:
    """Run the workflow again as a new one (body ``[]``, or ``name`` and ``parameters``)."""
    experiment, role = find_experiment(request.auth, experiment_id)
    workflow = services.find_workflow(experiment, workflow_id)
    copy = services.copy_workflow(request.auth, workflow, role, any_json(request))
    return Status(201, schemas.workflow_json(services.find_workflow(experiment, str(copy.uuid))))


@router.get(
    WORKFLOW + "/preprocesses/",
    response=list[schemas.WorkflowPreprocessOut],
    summary="A workflow's steps",
)
def list_preprocesses(
    request: HttpRequest, experiment_id: str, workflow_id: str
) -> list[dict[str, Any]]:
    """The workflow's steps in order (a bare array)."""
    experiment, _ = find_experiment(request.auth, experiment_id)
    workflow = services.find_workflow(experiment, workflow_id)
    return [schemas.preprocess_json(step) for step in workflow.preprocesses.order_by("order")]
