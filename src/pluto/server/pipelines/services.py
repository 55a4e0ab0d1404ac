"""Rules for pipeline runs and workflows: start a run, read them, cancel, accept, archive,
copy.

A run is created ``pending`` with its workflow ``in_progress`` and one step per pipeline
step, then processed: an assay import while its request waits (:func:`execute`), a bulk
RNA-seq run by a worker (:mod:`.jobs`). The run ends ``completed`` with its workflow
``completed`` (the candidate outputs stored, nothing published), or both ``failed`` with the
reason, or the run ``canceled`` (its workflow ``failed``). Accepting publishes the outputs
in one transaction.
"""

from __future__ import annotations

import logging
import posixpath
import uuid
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, InvalidInput, NotFound, PlutoError
from pluto.server.files.services import stored_file_for_import
from pluto.server.history.services import record
from pluto.server.lab.ids import parse_uuid
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import clean_name, require
from pluto.server.pipelines import assay_import, fastq_run
from pluto.server.pipelines.models import (
    PipelineRun,
    RunStatus,
    StepStatus,
    Workflow,
    WorkflowPreprocess,
    WorkflowStatus,
)
from pluto.server.pipelines.registry import Pipeline, find_pipeline, named_pipeline
from pluto.server.pipelines.states import FINISHED_RUN, fail_run, move_run, move_workflow
from pluto.server.scratch import scratch_folder
from pluto.server.storage import get_storage

logger = logging.getLogger("pluto.pipelines")
RUN_FIELDS = {"pipeline", "parameters"}
PARAMETERS = {"file_id", "csv", "filename", "name"}
COPY_FIELDS = {"name", "parameters"}
DEFAULT_FILENAME = "assay.csv"


def parameter_error(name: str, message: str) -> InvalidInput:
    """A ``400 invalid`` naming ``parameters.<name>``."""
    return InvalidInput(f"'parameters.{name}' {message}", details={"field": f"parameters.{name}"})


def clean_options(value: Any) -> dict[str, Any]:
    """The parameters besides the input: known names, texts, a valid workflow name."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise InvalidInput("'parameters' must be a JSON object.", details={"field": "parameters"})
    unknown = sorted(set(value) - PARAMETERS)
    if unknown:
        raise parameter_error(
            unknown[0],
            f"is not a parameter of this pipeline; it takes {', '.join(sorted(PARAMETERS))}.",
        )
    for name, item in value.items():
        if item is not None and not isinstance(item, str):
            raise parameter_error(name, "must be a text.")
    if value.get("name") is not None:
        clean_name(value["name"], "parameters.name")
    return {key: item for key, item in value.items() if item is not None}


def clean_parameters(value: Any) -> dict[str, Any]:
    """The ``assay_import`` parameters: exactly one of ``file_id`` and ``csv``."""
    params = clean_options(value)
    if len({"file_id", "csv"} & set(params)) != 1:
        raise InvalidInput(
            "Give exactly one of 'parameters.file_id' (a file uploaded to this experiment) "
            "and 'parameters.csv' (the table as CSV text).",
            details={"field": "parameters.file_id"},
        )
    if "csv" in params and not params["csv"].strip():
        raise parameter_error("csv", "is empty; it must hold the assay table as CSV text.")
    return params


def stored_input(
    experiment: Experiment, run_uuid: uuid.UUID, params: dict[str, Any]
) -> tuple[str, str]:
    """``(storage_key, filename)`` of the run's input: the named file, or the CSV stored."""
    if "file_id" in params:
        try:
            filename, key = stored_file_for_import(experiment, params["file_id"])
            return key, filename
        except PlutoError as error:
            message = f"names no file of this experiment: {error.message}"
            raise parameter_error("file_id", message) from error
    filename = (
        posixpath.basename(str(params.get("filename") or DEFAULT_FILENAME)) or DEFAULT_FILENAME
    )
    key = f"pipelines/{experiment.uuid}/{run_uuid}/input"
    get_storage().put(key, params["csv"].encode())
    return key, filename


def workflow_name(pipeline: Pipeline, params: dict[str, Any], filename: str) -> str:
    """The name given, or the pipeline's name and the table's file name."""
    return clean_name(params.get("name") or f"{pipeline.name}: {filename}")[:200]


@transaction.atomic
def create_run(
    user: User,
    experiment: Experiment,
    pipeline: Pipeline,
    params: dict[str, Any],
    source: tuple[str, str],
    copied_from: Workflow | None = None,
) -> Workflow:
    """A pending run, its ``in_progress`` workflow and its pending steps."""
    key, filename = source
    kept = {name: value for name, value in params.items() if name != "csv"}
    if "csv" in params:
        kept["filename"] = filename
    run = PipelineRun.objects.create(
        experiment=experiment,
        pipeline=pipeline.shortname,
        pipeline_version=pipeline.version,
        parameters=kept,
        input_key=key,
        input_filename=filename,
        created_by=user,
    )
    workflow = Workflow.objects.create(
        experiment=experiment,
        name=workflow_name(pipeline, params, filename),
        run=run,
        copied_from=copied_from,
        created_by=user,
    )
    WorkflowPreprocess.objects.bulk_create(
        WorkflowPreprocess(
            workflow=workflow, name=step.name, display_name=step.display_name, order=order
        )
        for order, step in enumerate(pipeline.steps, start=1)
    )
    return workflow


def start_run(user: User, experiment: Experiment, role: str, data: dict[str, Any]) -> Workflow:
    """Start a run from a ``POST pipeline-runs/`` body; its workflow.

    An assay import is processed here, a FASTQ pipeline's run queued for the workers. Bad
    bodies are ``400`` naming the field; a table that fails a step makes a failed run.
    """
    require(role, EDITOR, "run pipelines")
    named = named_pipeline(data.get("pipeline"))
    if named is not None and named.takes_fastq:
        pipeline = find_pipeline(data["pipeline"], experiment.type.shortname)
        return fastq_run.start(user, experiment, pipeline, data)
    unknown = sorted(set(data) - RUN_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}. Allowed: pipeline, parameters.",
            details={"field": unknown[0]},
        )
    if "pipeline" not in data:
        raise InvalidInput(
            "'pipeline' is required (a pipeline's shortname).", details={"field": "pipeline"}
        )
    pipeline = find_pipeline(data["pipeline"], experiment.type.shortname)
    params = clean_parameters(data.get("parameters"))
    run_uuid = uuid.uuid4()
    workflow = create_run(
        user, experiment, pipeline, params, stored_input(experiment, run_uuid, params)
    )
    execute(workflow)
    return workflow


def execute(workflow: Workflow) -> None:
    """Process a pending run: ``completed`` with a candidate, or ``failed`` with the reason."""
    run = workflow.run
    move_run(run, RunStatus.IN_PROGRESS)
    try:
        with scratch_folder(fastq_run.RUN_PREFIX) as folder:
            candidate = assay_import.process(workflow, run.input_key, run.input_filename, folder)
    except PlutoError as error:
        fail_run(workflow, error.message)
        return
    except Exception:
        logger.exception("Pipeline run %s failed.", run.uuid)
        fail_run(workflow, "The run stopped on an unexpected error; the error has been logged.")
        return
    stored = assay_import.candidate_json(candidate, run.input_filename)
    try:
        with transaction.atomic():
            move_run(run, RunStatus.COMPLETED, outputs=assay_import.outputs_json(stored))
            move_workflow(workflow, WorkflowStatus.COMPLETED, candidate=stored)
    except BaseException:
        candidate.discard()
        raise


def runs_of(experiment: Experiment) -> QuerySet[PipelineRun]:
    """The experiment's runs, newest first."""
    return (
        PipelineRun.objects.filter(experiment=experiment)
        .select_related("workflow")
        .order_by("-created_at", "-id")
    )


def workflows_of(experiment: Experiment, archived: bool = False) -> QuerySet[Workflow]:
    """The experiment's workflows (archived ones only when asked), newest first."""
    return (
        Workflow.objects.filter(experiment=experiment, is_archived=archived)
        .select_related("run", "copied_from", "accepted_by")
        .order_by("-created_at", "-id")
    )


def find_run(experiment: Experiment, raw_id: str) -> PipelineRun:
    """A run of the experiment by uuid; 400 malformed, 404 absent."""
    run = runs_of(experiment).filter(uuid=parse_uuid(raw_id, "pipeline run")).first()
    if run is None:
        raise NotFound(f"Pipeline run {raw_id} was not found in this experiment.")
    return run


def find_workflow(experiment: Experiment, raw_id: str) -> Workflow:
    """A workflow of the experiment by uuid (archived too); 400 malformed, 404 absent."""
    workflow = (
        Workflow.objects.filter(experiment=experiment, uuid=parse_uuid(raw_id, "workflow"))
        .select_related("run", "copied_from", "accepted_by")
        .first()
    )
    if workflow is None:
        raise NotFound(f"Workflow {raw_id} was not found in this experiment.")
    return workflow


def cancel_run(user: User, run: PipelineRun, role: str) -> PipelineRun:
    """Cancel a pending or running run: the run ``canceled``, its unfinished steps
    ``canceled`` and its workflow ``failed``, all at once; ``409`` for a finished run.

    Nothing the run made was published, so the experiment is as it was. A worker running it
    sees the run canceled within a second or two and kills its process and tools; whatever
    that process still tries to write is refused, since every move is conditional.
    """
    require(role, EDITOR, "cancel pipeline runs")
    with transaction.atomic():
        current = PipelineRun.objects.select_for_update().get(pk=run.pk)
        if current.status in FINISHED_RUN:
            raise Conflict(
                f"Pipeline run {current.uuid} is {current.status}; only a pending or "
                "in-progress run can be canceled.",
                details={"status": current.status},
            )
        who = user.get_full_name() or user.email
        move_run(current, RunStatus.CANCELED, error=f"Canceled by {who}.")
        WorkflowPreprocess.objects.filter(
            workflow__run=current, status__in=(StepStatus.PENDING, StepStatus.IN_PROGRESS)
        ).update(status=StepStatus.CANCELED, message="Canceled.", finished_at=timezone.now())
        workflow = Workflow.objects.get(run=current)
        move_workflow(workflow, WorkflowStatus.FAILED)
        record(
            current.experiment,
            user,
            "pipeline_run_canceled",
            f"Canceled the pipeline run “{workflow.name}”.",
            run=str(current.uuid),
            workflow=str(workflow.uuid),
        )
    return current


def refuse_archived(workflow: Workflow, action: str) -> None:
    """``409`` for an archived workflow."""
    if workflow.is_archived:
        raise Conflict(
            f"Workflow {workflow.uuid} is archived; an archived workflow cannot be {action}.",
            details={"status": workflow.status, "is_archived": True},
        )


def accept_workflow(user: User, workflow: Workflow, role: str) -> Workflow:
    """Publish a completed workflow's outputs (a new current assay version and its files)
    and mark it ``accepted``, all in one transaction."""
    require(role, EDITOR, "accept workflows")
    with transaction.atomic():
        locked = Workflow.objects.select_for_update().select_related("experiment", "run")
        current = locked.get(pk=workflow.pk)
        refuse_archived(current, "accepted")
        if current.status != WorkflowStatus.COMPLETED:
            raise Conflict(
                f"Workflow {current.uuid} is {current.status}; only a completed workflow can be "
                "accepted.",
                details={"status": current.status},
            )
        dataset = assay_import.publish_candidate(user, current)
        move_workflow(
            current, WorkflowStatus.ACCEPTED, accepted_at=timezone.now(), accepted_by=user
        )
        run = current.run
        run.outputs["assay_data"].update(version=dataset.version, dataset=str(dataset.uuid))
        run.save(update_fields=["outputs"])
        record(
            current.experiment,
            user,
            "workflow_accepted",
            f"Accepted the workflow “{current.name}” as version {dataset.version} of the assay "
            "data.",
            workflow=str(current.uuid),
            kind="assay",
            version=dataset.version,
            dataset=str(dataset.uuid),
        )
    return current


def archive_workflow(user: User, workflow: Workflow, role: str) -> Workflow:
    """Archive a workflow (it leaves the list; it can still be read and copied)."""
    require(role, EDITOR, "archive workflows")
    changed = Workflow.objects.filter(pk=workflow.pk, is_archived=False).update(
        is_archived=True, updated_at=timezone.now()
    )
    if not changed:
        raise Conflict(
            f"Workflow {workflow.uuid} is already archived.",
            details={"status": workflow.status, "is_archived": True},
        )
    workflow.refresh_from_db()
    return workflow


def copy_body(data: Any) -> dict[str, Any]:
    """A copy's body: ``[]``, ``{}``, or ``{"name", "parameters"}``."""
    if data in (None, []):
        return {}
    if not isinstance(data, dict):
        raise InvalidInput(
            "The body must be [] or a JSON object with 'name' and/or 'parameters'.",
            details={"field": "body"},
        )
    unknown = sorted(set(data) - COPY_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}. Allowed: name, parameters.",
            details={"field": unknown[0]},
        )
    return data


def copy_workflow(user: User, workflow: Workflow, role: str, data: Any) -> Workflow:
    """Run the workflow's pipeline again as a new workflow copied from this one: on the same
    input with the body's parameters overriding the old, or on a new ``file_id``/``csv``."""
    require(role, EDITOR, "copy workflows")
    body = copy_body(data)
    experiment, run = workflow.experiment, workflow.run
    pipeline = find_pipeline(run.pipeline, experiment.type.shortname)
    if pipeline.takes_fastq:
        raw = body.get("parameters")
        if raw is not None and not isinstance(raw, dict):
            raise InvalidInput(
                "'parameters' must be a JSON object.", details={"field": "parameters"}
            )
        overrides = dict(raw or {})
        name = body.get("name") or overrides.pop("name", None) or f"Copy of {workflow.name}"
        return fastq_run.copy(user, workflow, overrides, clean_name(name)[:200])
    overrides = clean_options(body.get("parameters"))
    name = clean_name(body.get("name") or overrides.get("name") or f"Copy of {workflow.name}")
    overrides["name"] = name[:200]
    run_uuid = uuid.uuid4()
    if {"file_id", "csv"} & set(overrides):
        params = clean_parameters(overrides)
        source = stored_input(experiment, run_uuid, params)
    else:
        params = {**run.parameters, **overrides}
        source = (run.input_key, run.input_filename)
    copy = create_run(user, experiment, pipeline, params, source, copied_from=workflow)
    execute(copy)
    return copy
