"""A project's page: its experiments, its members and roles, and its settings.

Every change is a POST naming an ``action``; each action calls one service, which checks the
user's role again, so a form a viewer should not see is refused even if it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.lab import services as lab
from pluto.server.lab.models import (
    AssayUnits,
    Experiment,
    ExperimentType,
    Organism,
    Project,
    ShareLevel,
)
from pluto.server.web import member_forms
from pluto.server.web.access import Access, project_or_404
from pluto.server.web.forms import Done, errors_of, form_fields

EXPERIMENT_FIELDS = ("name", "description", "type", "organism", "assay_data_units")
NEW_EXPERIMENT = {"type": "rnaseq", "organism": "human", "assay_data_units": "raw_counts"}
Action = Callable[[HttpRequest, Project, Access], Done]


def project_experiments(request: HttpRequest, project: Project) -> QuerySet[Experiment]:
    """The project's experiments the user can see, with their plot counts."""
    show_archived = request.GET.get("archived") == "1"
    experiments = lab.experiments_for(
        request.user,
        project,
        None if show_archived else False,
    )
    return experiments.annotate(
        plot_total=Count("plots", filter=Q(plots__is_archived=False))
    ).order_by("-updated_at", "-id")


def reference_choices() -> dict[str, Any]:
    """The choices of the new-experiment form."""
    return {
        "experiment_types": list(ExperimentType.objects.all()),
        "organisms": list(Organism.objects.all()),
        "units": list(AssayUnits.objects.all()),
    }


def page(
    request: HttpRequest,
    project: Project,
    access: Access,
    errors: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The project page, with the errors of the form that failed."""
    context = {
        "project": project,
        "access": access,
        "experiments": project_experiments(request, project),
        **member_forms.members_context(project),
        "share_levels": ShareLevel.choices,
        "show_archived": request.GET.get("archived") == "1",
        "errors": errors or {},
        "values": request.POST if errors else NEW_EXPERIMENT,
        **reference_choices(),
    }
    return render(request, "web/projects/page.html", context, status=status)


def create_experiment(request: HttpRequest, project: Project, access: Access) -> Done:
    """A new experiment in this project, opened at once."""
    data = {**form_fields(request.POST, EXPERIMENT_FIELDS), "project": project.pluto_id}
    experiment = lab.create_experiment(request.user, data)
    return Done(
        f"Experiment {experiment.pluto_id} “{experiment.name}” was created. "
        "Upload its sample data to begin.",
        reverse("experiment_page", args=[experiment.pluto_id]),
    )


def edit_project(request: HttpRequest, project: Project, access: Access) -> Done:
    """New name and description (editors), and share level (owners, when it changes)."""
    data = form_fields(request.POST, ("name", "description", "share_level"))
    if data.get("share_level") == project.share_level:
        data.pop("share_level")
    lab.update_project(request.user, project, access.role, data)
    return Done("The project was saved.")


def archive_project(request: HttpRequest, project: Project, access: Access) -> Done:
    """Archive or restore (owners)."""
    archived = request.POST.get("archived") == "1"
    user = request.user
    lab.update_project(user, project, access.role, {"is_archived": archived})
    return Done("The project was archived." if archived else "The project was restored.")


ACTIONS: dict[str, Action] = {
    "create_experiment": create_experiment,
    "edit": edit_project,
    "archive": archive_project,
    "add_member": member_forms.add_member,
    "change_role": member_forms.change_role,
    "remove_member": member_forms.remove_member,
    "share_team": member_forms.share_team,
    "change_team_role": member_forms.change_team_role,
    "unshare_team": member_forms.unshare_team,
}


@login_required
@require_http_methods(["GET", "POST"])
def project_page(request: HttpRequest, project_id: str) -> HttpResponse:
    """Show the project (GET) or apply one change from its forms (POST)."""
    project, access = project_or_404(request, project_id)
    if request.method == "GET":
        return page(request, project, access)
    action = request.POST.get("action", "")
    try:
        if action not in ACTIONS:
            raise InvalidInput("Unknown action.", details={"field": "action"})
        done = ACTIONS[action](request, project, access)
    except PlutoError as error:
        return page(request, project, access, {action: errors_of(error)}, status=error.status)
    messages.success(request, done.message)
    return redirect(done.location or reverse("project_page", args=[project.pluto_id]))
