"""Starting, processing and copying ``bulk_rnaseq`` runs.

A run's body is checked whole (:mod:`.rnaseq_request`); the run then gets one fastp and one
salmon step per sample, in the samples' order, and the QC report, counts, validate,
normalise and store steps. The request only queues it (:mod:`.jobs`): a worker runs the
steps, which can take hours on real data, and a failed step ends the run ``failed`` with
the step, the sample and the tool's last lines, and leaves the experiment as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

from pluto.server.accounts.models import User
from pluto.server.analyses.priority import JobPriority
from pluto.server.errors import Conflict, PlutoError
from pluto.server.lab.models import Experiment
from pluto.server.lab.services import clean_name
from pluto.server.pipelines import assay_import, bulk_rnaseq
from pluto.server.pipelines.models import (
    PipelineRun,
    Reference,
    RunStatus,
    StepStatus,
    Workflow,
    WorkflowPreprocess,
    WorkflowStatus,
)
from pluto.server.pipelines.qc_report import multiqc_version
from pluto.server.pipelines.registry import BULK_RNASEQ, Step
from pluto.server.pipelines.rnaseq_request import check_run_request, stored_request
from pluto.server.pipelines.runlog import RunLog
from pluto.server.pipelines.states import move_run, move_workflow
from pluto.server.pipelines.tools import tool_version
from pluto.server.scratch import scratch_folder

logger = logging.getLogger("pluto.pipelines")
RUN_PREFIX = "pipeline-run-"
PER_SAMPLE = BULK_RNASEQ.steps[:2]
AFTER_SAMPLES = BULK_RNASEQ.steps[2:]


def run_steps(samples: list[dict[str, Any]]) -> list[Step]:
    """fastp and salmon for each sample (display names ending with its id), then the rest."""
    steps = []
    for sample in samples:
        for step in PER_SAMPLE:
            label = step.display_name.replace(", per sample", "")
            steps.append(Step(step.name, f"{label}: {sample['sample_id']}"[:100]))
    return steps + list(AFTER_SAMPLES)


@transaction.atomic
def create_run(
    user: User, experiment: Experiment, params: dict[str, Any], copied_from: Workflow | None
) -> Workflow:
    """A pending run queued for the workers, its ``in_progress`` workflow and its pending
    steps."""
    run = PipelineRun.objects.create(
        experiment=experiment,
        pipeline=BULK_RNASEQ.shortname,
        pipeline_version=BULK_RNASEQ.version,
        parameters=params,
        created_by=user,
        # A worker runs it; it waits behind the analyses someone is looking at.
        queued=True,
        priority=JobPriority.PIPELINE,
        max_attempts=settings.JOB_MAX_ATTEMPTS,
    )
    count = len(params["samples"])
    default = f"{BULK_RNASEQ.name}: {count} samples against {params['reference']}"
    workflow = Workflow.objects.create(
        experiment=experiment,
        name=clean_name(params.get("name") or default)[:200],
        run=run,
        copied_from=copied_from,
        created_by=user,
    )
    WorkflowPreprocess.objects.bulk_create(
        WorkflowPreprocess(
            workflow=workflow, name=step.name, display_name=step.display_name, order=order
        )
        for order, step in enumerate(run_steps(params["samples"]), start=1)
    )
    return workflow


def start(
    user: User, experiment: Experiment, data: dict[str, Any], copied_from: Workflow | None = None
) -> Workflow:
    """Check a run's body (one ``400`` naming every problem), then queue it for the
    workers; its workflow, ``in_progress`` with the run ``pending``."""
    request = check_run_request(experiment, data)
    assert request.reference is not None
    return create_run(user, experiment, stored_request(request), copied_from)


def failure_message(workflow: Workflow, error: PlutoError) -> str:
    """Which step (and so which sample) failed, and why."""
    failed = workflow.preprocesses.filter(status=StepStatus.FAILED).order_by("order").first()
    if failed is None:
        return error.message
    return f"The step “{failed.display_name}” failed: {error.message}"


def fail(workflow: Workflow, message: str) -> None:
    """End the run and its workflow as failed, saying why."""
    with transaction.atomic():
        move_run(workflow.run, RunStatus.FAILED, error=message)
        move_workflow(workflow, WorkflowStatus.FAILED)


def outputs_json(
    stored: dict[str, Any],
    candidate: bulk_rnaseq.RnaseqCandidate,
    reference: Reference,
    min_length: int,
) -> dict[str, Any]:
    """The run's outputs as people read them: the counts, the files, QC and methods."""
    outputs = assay_import.outputs_json(stored)
    outputs["files"] += [
        {"uuid": f["file_uuid"], "data_type": f["data_type"], "filename": f["filename"]}
        for f in candidate.files
    ]
    outputs["qc"] = candidate.qc
    outputs["reference"] = reference.name
    outputs["tools"] = {tool: tool_version(tool) for tool in ("fastp", "salmon")}
    outputs["tools"]["multiqc"] = multiqc_version()
    outputs["methods"] = bulk_rnaseq.methods(reference, min_length)
    return outputs


def process(workflow: Workflow, reference: Reference) -> bulk_rnaseq.RnaseqCandidate | None:
    """Run the steps; the candidate, or None once the run is marked failed."""
    log = RunLog(workflow.run)
    try:
        with scratch_folder(RUN_PREFIX) as folder:
            return bulk_rnaseq.process(workflow, reference, folder, log)
    except PlutoError as error:
        fail(workflow, failure_message(workflow, error))
    except Exception:
        logger.exception("Pipeline run %s failed.", workflow.run.uuid)
        fail(workflow, "The run stopped on an unexpected error; the error has been logged.")
    finally:
        log.flush()
    return None


def check_still_owned(run: PipelineRun, worker_id: str) -> None:
    """``409`` unless the run is still in progress under ``worker_id`` (a worker that went
    silent for too long lost its run to another, which must be the one to finish it)."""
    owned = PipelineRun.objects.select_for_update().filter(
        pk=run.pk, status=RunStatus.IN_PROGRESS, worker_id=worker_id
    )
    if not owned.exists():
        raise Conflict(f"Pipeline run {run.uuid} is no longer this worker's.")


def execute(workflow: Workflow, reference: Reference, worker_id: str) -> None:
    """Process a run the worker ``worker_id`` claimed (so ``in_progress``): ``completed``
    with its candidate, or ``failed`` saying why."""
    run = workflow.run
    candidate = process(workflow, reference)
    if candidate is None:
        return
    stored = assay_import.candidate_json(candidate.assay, bulk_rnaseq.COUNTS_FILENAME)
    stored["files"] = candidate.files
    try:
        with transaction.atomic():
            check_still_owned(run, worker_id)
            outputs = outputs_json(
                stored, candidate, reference, int(run.parameters["min_read_length"])
            )
            move_run(run, RunStatus.COMPLETED, outputs=outputs)
            move_workflow(workflow, WorkflowStatus.COMPLETED, candidate=stored)
    except BaseException:
        candidate.discard()
        raise


def copy(user: User, workflow: Workflow, overrides: dict[str, Any], name: str) -> Workflow:
    """Run a workflow's run again (checked anew) with changed parameters and a new name."""
    params = workflow.run.parameters
    options = {"min_read_length": params.get("min_read_length", 30), **overrides, "name": name}
    body = {"reference": params["reference"], "samples": params["samples"], "parameters": options}
    return start(user, workflow.experiment, body, copied_from=workflow)
