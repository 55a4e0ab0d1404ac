"""The experiment page: a header with the PLX id, and tabs that each have their own URL.

GET ``/experiments/<PLX>/?tab=samples`` shows a tab; a POST to the same URL carries one
``action`` (upload, restore, run an analysis, rename a file...) that calls one service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from pluto.server.analyses.services import create_analysis
from pluto.server.errors import InvalidInput, PlutoError
from pluto.server.files import services as files
from pluto.server.lab import services as lab
from pluto.server.lab.models import Experiment
from pluto.server.pipelines import pages as workflow_pages
from pluto.server.tables.views import TITLES, change_table
from pluto.server.web import analysis_forms, member_forms
from pluto.server.web.access import Access, experiment_or_404
from pluto.server.web.experiment_tabs import TABS, chosen_tab, tab_context, tab_shown
from pluto.server.web.forms import Done, errors_of, form_fields

Action = Callable[[HttpRequest, Experiment, Access], Done]
EDIT_FIELDS = ("name", "description", "type", "organism", "assay_data_units", "share_level")
UPLOAD_ACTIONS = {"upload", "restore"}


def tab_url(experiment: Experiment, tab: str) -> str:
    """The URL of one tab."""
    return f"{reverse('experiment_page', args=[experiment.pluto_id])}?tab={tab}"


def page(
    request: HttpRequest,
    experiment: Experiment,
    access: Access,
    tab: str,
    error: PlutoError | None = None,
) -> HttpResponse:
    """The page with one tab open, and the error of a form that failed."""
    action = request.POST.get("action", "")
    upload_error = error if action in UPLOAD_ACTIONS else None
    errors = errors_of(error) if error and not upload_error else {}
    member_action = action in member_forms.ACTIONS
    context: dict[str, Any] = {
        "experiment": experiment,
        "access": access,
        "tabs": [t for t in TABS if tab_shown(t[0], experiment, access)],
        "tab": tab,
        "errors": {} if member_action else errors,
        "member_errors": {action: errors} if member_action else {},
        "action": action,
        "values": request.POST if error else {},
        **tab_context(request, experiment, access, tab, upload_error, errors),
    }
    status = error.status if error else 200
    return render(request, "web/experiments/page.html", context, status=status)


def table_kind(request: HttpRequest) -> str:
    """``sample`` or ``assay`` from the form."""
    kind = str(request.POST.get("kind", ""))
    if kind not in TITLES:
        raise InvalidInput("Choose the sample or the assay table.", details={"field": "kind"})
    return kind


def upload_or_restore(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Store a new version of a table, or make an earlier one current."""
    return Done(change_table(request, experiment, table_kind(request)))


def rename_file(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Give a file a new display name."""
    file = files.find_file(experiment, request.POST.get("file", ""))
    old_name = file.display_name
    files.rename_file(access.role, file, form_fields(request.POST, ("display_name",)))
    return Done(f"“{old_name}” is now called “{file.display_name}”.")


def delete_file(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Delete a file."""
    file = files.find_file(experiment, request.POST.get("file", ""))
    files.delete_file(access.role, file, request.user)
    return Done(f"“{file.display_name}” was deleted.")


def run_analysis(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Queue an analysis from its form and open its plot page."""
    body = analysis_forms.analysis_request(request.POST, experiment)
    analysis = create_analysis(request.user, experiment, access.role, body)
    location = reverse("plot_page", args=[experiment.pluto_id, analysis.plot.uuid])
    return Done(f"“{analysis.name}” was queued; this page updates when it finishes.", location)


def edit_experiment(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """New name, description, type, organism or units (editors); share level (owners)."""
    data = form_fields(request.POST, EDIT_FIELDS)
    if data.get("share_level") == experiment.share_level:
        data.pop("share_level")
    lab.update_experiment(request.user, experiment, access.role, data)
    return Done("The experiment was saved.")


def archive_experiment(request: HttpRequest, experiment: Experiment, access: Access) -> Done:
    """Archive or restore (owners)."""
    archived = request.POST.get("archived") == "1"
    lab.update_experiment(
        request.user,
        experiment,
        access.role,
        {"is_archived": archived},
    )
    return Done("The experiment was archived." if archived else "The experiment was restored.")


ACTIONS: dict[str, Action] = {
    "upload": upload_or_restore,
    "restore": upload_or_restore,
    "rename_file": rename_file,
    "delete_file": delete_file,
    "run_analysis": run_analysis,
    "edit": edit_experiment,
    "archive": archive_experiment,
    "add_member": member_forms.add_member,
    "change_role": member_forms.change_role,
    "remove_member": member_forms.remove_member,
    "share_team": member_forms.share_team,
    "change_team_role": member_forms.change_team_role,
    "unshare_team": member_forms.unshare_team,
    **workflow_pages.ACTIONS,
}


@login_required
@require_http_methods(["GET", "POST"])
def experiment_page(request: HttpRequest, experiment_id: str) -> HttpResponse:
    """Show a tab (GET) or apply one change from a tab's form (POST)."""
    experiment, access = experiment_or_404(request, experiment_id)
    tab = chosen_tab(request)
    if request.method == "GET":
        return page(request, experiment, access, tab)
    action = ACTIONS.get(request.POST.get("action", ""))
    try:
        if action is None:
            raise InvalidInput("Unknown action.", details={"field": "action"})
        done = action(request, experiment, access)
    except PlutoError as error:
        return page(request, experiment, access, tab, error)
    messages.success(request, done.message)
    return redirect(done.location or tab_url(experiment, tab))
