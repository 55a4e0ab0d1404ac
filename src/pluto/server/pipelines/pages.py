"""The Workflows tab of the experiment page: each workflow with its steps, and the forms
that accept a completed workflow or start an assay import from an attached table."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pluto.server.files.services import files_of_kind
from pluto.server.lab.models import Experiment
from pluto.server.pipelines import services
from pluto.server.pipelines.registry import pipelines_for
from pluto.server.web.access import Access
from pluto.server.web.forms import Done


def workflows_context(experiment: Experiment) -> dict[str, Any]:
    """The unarchived workflows, newest first, each with its steps in order; the
    attachments an import can read."""
    workflows = list(services.workflows_of(experiment).prefetch_related("preprocesses"))
    return {
        "workflows": [
            {"workflow": w, "steps": sorted(w.preprocesses.all(), key=lambda s: s.order)}
            for w in workflows
        ],
        "can_import": bool(pipelines_for(experiment.type.shortname)),
        "attachments": list(files_of_kind(experiment, "attachment")),
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


ACTIONS = {"accept_workflow": accept_workflow, "import_assay": import_assay}
