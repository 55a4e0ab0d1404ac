"""Starting, processing and copying the runs of FASTQ pipelines (``bulk_rnaseq``, and the
peak pipelines ``chipseq``, ``atacseq`` and ``cutandrun``).

A run's body is checked whole (:mod:`.fastq_request`); the run then gets its pipeline's
per-sample steps for each sample, in the samples' order, then the steps over all samples.
The request only queues it (:mod:`.jobs`): a worker runs the steps, which can take hours on
real data, and a failed step ends the run ``failed`` with the step, the sample and the
tool's last lines, and leaves the experiment as it was. A run started with ``auto_accept``
publishes its outputs as soon as it completes, as its starter accepting it would.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.conf import settings
from django.db import transaction

from pluto.server.accounts.models import User
from pluto.server.analyses.priority import JobPriority
from pluto.server.errors import Conflict, PlutoError
from pluto.server.lab.models import Experiment
from pluto.server.lab.services import clean_name
from pluto.server.pipelines import assay_import, bulk_rnaseq, peaks
from pluto.server.pipelines.fastq_request import check_run_request, stored_request
from pluto.server.pipelines.fastq_steps import RunCandidate
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
from pluto.server.pipelines.registry import Pipeline, Step, find_pipeline
from pluto.server.pipelines.runlog import RunLog
from pluto.server.pipelines.states import fail_run, move_run, move_workflow
from pluto.server.pipelines.tools import tool_version
from pluto.server.scratch import scratch_folder

logger = logging.getLogger("pluto.pipelines")
RUN_PREFIX = "pipeline-run-"
# Each FASTQ pipeline's steps: process(), COUNTS_FILENAME, TOOLS and methods().
STEPS_OF: dict[str, ModuleType] = {
    "bulk_rnaseq": bulk_rnaseq,
    "chipseq": peaks,
    "atacseq": peaks,
    "cutandrun": peaks,
}


def run_steps(pipeline: Pipeline, samples: list[dict[str, Any]]) -> list[Step]:
    """The per-sample steps for each sample (display names ending with its id), then the
    rest."""
    steps = []
    for sample in samples:
        for step in pipeline.per_sample_steps:
            label = step.display_name.replace(", per sample", "")
            steps.append(Step(step.name, f"{label}: {sample['sample_id']}"[:100]))
    return steps + [step for step in pipeline.steps if not step.per_sample]


@transaction.atomic
def create_run(
    user: User,
    experiment: Experiment,
    pipeline: Pipeline,
    params: dict[str, Any],
    copied_from: Workflow | None,
) -> Workflow:
    """A pending run queued for the workers, its ``in_progress`` workflow and its pending
    steps."""
    run = PipelineRun.objects.create(
        experiment=experiment,
        pipeline=pipeline.shortname,
        pipeline_version=pipeline.version,
        parameters=params,
        created_by=user,
        # A worker runs it; it waits behind the analyses someone is looking at.
        queued=True,
        priority=JobPriority.PIPELINE,
        max_attempts=settings.JOB_MAX_ATTEMPTS,
    )
    count = len(params["samples"])
    default = f"{pipeline.name}: {count} samples against {params['reference']}"
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
        for order, step in enumerate(run_steps(pipeline, params["samples"]), start=1)
    )
    return workflow


def start(
    user: User,
    experiment: Experiment,
    pipeline: Pipeline,
    data: dict[str, Any],
    copied_from: Workflow | None = None,
) -> Workflow:
    """Check a run's body (one ``400`` naming every problem), then queue it for the
    workers; its workflow, ``in_progress`` with the run ``pending``."""
    request = check_run_request(experiment, pipeline, data)
    return create_run(user, experiment, pipeline, stored_request(request), copied_from)


def failure_message(workflow: Workflow, error: PlutoError) -> str:
    """Which step (and so which sample) failed, and why."""
    failed = workflow.preprocesses.filter(status=StepStatus.FAILED).order_by("order").first()
    if failed is None:
        return error.message
    return f"The step “{failed.display_name}” failed: {error.message}"


def outputs_json(
    stored: dict[str, Any], candidate: RunCandidate, reference: Reference, run: PipelineRun
) -> dict[str, Any]:
    """The run's outputs as people read them: the counts, the files, QC and methods."""
    steps = STEPS_OF[run.pipeline]
    outputs = assay_import.outputs_json(stored)
    outputs["files"] += [
        {"uuid": f["file_uuid"], "data_type": f["data_type"], "filename": f["filename"]}
        for f in candidate.files
    ]
    outputs["qc"] = candidate.qc
    outputs["reference"] = reference.name
    outputs["tools"] = {tool: tool_version(tool) for tool in steps.TOOLS}
    outputs["tools"]["multiqc"] = multiqc_version()
    outputs["methods"] = steps.methods(reference, run.parameters)
    return outputs


def process(workflow: Workflow, reference: Reference) -> RunCandidate | None:
    """Run the steps; the candidate, or None once the run is marked failed."""
    log = RunLog(workflow.run)
    steps = STEPS_OF[workflow.run.pipeline]
    try:
        with scratch_folder(RUN_PREFIX) as folder:
            candidate: RunCandidate = steps.process(workflow, reference, folder, log)
            return candidate
    except PlutoError as error:
        fail_run(workflow, failure_message(workflow, error))
    except Exception:
        logger.exception("Pipeline run %s failed.", workflow.run.uuid)
        fail_run(workflow, "The run stopped on an unexpected error; the error has been logged.")
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


def execute(
    workflow: Workflow,
    reference: Reference,
    worker_id: str,
    then: Callable[[PipelineRun], None] = lambda _run: None,
) -> bool:
    """Process a run the worker ``worker_id`` claimed (so ``in_progress``): ``completed``
    with its candidate, or ``failed`` saying why; whether it completed. ``then`` runs in the
    transaction that completes it (readers see the run completed and, say, accepted at once)."""
    run = workflow.run
    candidate = process(workflow, reference)
    if candidate is None:
        return False
    try:
        complete(workflow, candidate, reference, worker_id, then)
    except Conflict:
        candidate.discard()
        raise
    except Exception:
        candidate.discard()
        logger.exception("Pipeline run %s failed.", run.uuid)
        fail_run(workflow, "The run stopped on an unexpected error; the error has been logged.")
        return False
    return True


def complete(
    workflow: Workflow,
    candidate: RunCandidate,
    reference: Reference,
    worker_id: str,
    then: Callable[[PipelineRun], None],
) -> None:
    """Mark the run ``completed`` with its outputs, its workflow with its candidate, if
    the worker still owns it (``409`` when it no longer does)."""
    run = workflow.run
    stored = assay_import.candidate_json(candidate.assay, STEPS_OF[run.pipeline].COUNTS_FILENAME)
    stored["files"] = candidate.files
    with transaction.atomic():
        check_still_owned(run, worker_id)
        outputs = outputs_json(stored, candidate, reference, run)
        move_run(run, RunStatus.COMPLETED, outputs=outputs)
        move_workflow(workflow, WorkflowStatus.COMPLETED, candidate=stored)
        then(run)


def copy(user: User, workflow: Workflow, overrides: dict[str, Any], name: str) -> Workflow:
    """Run a workflow's run again (checked anew) with changed parameters and a new name."""
    params = workflow.run.parameters
    pipeline = find_pipeline(workflow.run.pipeline, workflow.experiment.type.shortname)
    kept = {key: params[key] for key in pipeline.parameters["properties"] if key in params}
    options = {**kept, **overrides, "name": name}
    body = {"reference": params["reference"], "samples": params["samples"], "parameters": options}
    return start(user, workflow.experiment, pipeline, body, copied_from=workflow)
