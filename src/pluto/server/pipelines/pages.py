"""The Workflows tab of the experiment page: each workflow with its steps and its QC report,
and the forms that accept a completed workflow, cancel a run or start an assay import from
an attached table."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pluto.server.files.services import files_of_kind
from pluto.server.lab.models import Experiment
from pluto.server.pipelines import services
from pluto.server.pipelines.models import ReferenceKind, ReferenceStatus, RunStatus, Workflow
from pluto.server.pipelines.references import all_references
from pluto.server.pipelines.registry import BULK_RNASEQ, pipelines_for
from pluto.server.pipelines.rnaseq_request import table_sample_ids
from pluto.server.web.access import Access
from pluto.server.web.forms import Done
from pluto.server.web.frames import stored_frame_url


def qc_report_url(workflow: Workflow) -> str | None:
    """The sandboxed frame's URL of the workflow's MultiQC report, None when it has none."""
    for made in workflow.candidate.get("files", []):
        if made.get("data_type") == "qc_report":
            return stored_frame_url(str(made["storage_key"]), "text/html")
    return None


def workflows_context(experiment: Experiment) -> dict[str, Any]:
    """The unarchived workflows, newest first, each with its steps in order; the
    attachments an import can read."""
    workflows = list(services.workflows_of(experiment).prefetch_related("preprocesses"))
    return {
        "workflows": [
            {
                "workflow": w,
                "steps": sorted(w.preprocesses.all(), key=lambda s: s.order),
                "qc_report_url": qc_report_url(w),
                "can_cancel": w.run.status in (RunStatus.PENDING, RunStatus.IN_PROGRESS),
            }
            for w in workflows
        ],
        "can_import": bool(pipelines_for(experiment.type.shortname)),
        "attachments": list(files_of_kind(experiment, "attachment")),
        "fastq_run": fastq_run_context(experiment),
    }


def fastq_run_context(experiment: Experiment) -> dict[str, Any] | None:
    """What the FASTQ drop zone pairs files with: the sample ids and the ready references of
    the experiment's organism; None when its type runs no FASTQ pipeline."""
    if BULK_RNASEQ not in pipelines_for(experiment.type.shortname):
        return None
    ready = all_references().filter(status=ReferenceStatus.READY, organism=experiment.organism_id)
    # A genome alone cannot be quantified against, so bulk RNA-seq is not offered it.
    ready = ready.exclude(kind=ReferenceKind.GENOME)
    return {
        "sample_ids": table_sample_ids(experiment) or [],
        "references": [reference.name for reference in ready],
    }


def accept_workflow(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Accept the workflow the form names."""
    workflow = services.find_workflow(experiment, request.POST.get("workflow", ""))
    accepted = services.accept_workflow(request.user, workflow, access.role)
    version = accepted.run.outputs.get("assay_data", {}).get("version")
    return Done(f"“{workflow.name}” was accepted as version {version} of the assay data.")


def import_assay(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Start an assay import from the attachment the form names."""
    body = {"pipeline": "assay_import", "parameters": {"file_id": request.POST.get("file", "")}}
    workflow = services.start_run(request.user, experiment, access.role, body)
    if workflow.status == "failed":
        return Done(f"“{workflow.name}” failed: {workflow.run.error}")
    return Done(f"“{workflow.name}” is ready to review; accept it to publish the table.")


def cancel_run(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Cancel the run of the workflow the form names."""
    workflow = services.find_workflow(experiment, request.POST.get("workflow", ""))
    services.cancel_run(request.user, workflow.run, access.role)
    return Done(f"“{workflow.name}” was canceled; the experiment is unchanged.")


ACTIONS = {
    "accept_workflow": accept_workflow,
    "import_assay": import_assay,
    "cancel_run": cancel_run,
}
