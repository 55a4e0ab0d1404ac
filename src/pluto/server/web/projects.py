"""The Projects page: every project the user can see, with search, and a form for a new one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pluto.server.accounts.models import User
from pluto.server.errors import PlutoError
from pluto.server.lab import services as lab
from pluto.server.lab.models import Project, ProjectMember, ShareLevel
from pluto.server.web.forms import errors_of, form_fields

PROJECT_FIELDS = ("name", "description", "share_level")


def listed_projects(user: User, query: str, show_archived: bool) -> QuerySet[Project]:
    """The user's projects, newest change first, with counts, last change and their role."""
    role = ProjectMember.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    projects = lab.projects_for(user, None if show_archived else False).annotate(
        last_change=Greatest("updated_at", Coalesce(Max("experiments__updated_at"), "updated_at")),
        my_role=Subquery(role),
    )
    if query:
        projects = projects.filter(
            Q(name__icontains=query)
            | Q(pluto_id__icontains=query)
            | Q(description__icontains=query)
        )
    return projects.order_by("-last_change", "-id")


def list_page(
    request: HttpRequest, errors: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    """The list, and the new-project form with any errors."""
    query = request.GET.get("q", "").strip()
    show_archived = request.GET.get("archived") == "1"
    context: dict[str, Any] = {
        "projects": listed_projects(request.user, query, show_archived),
        "query": query,
        "show_archived": show_archived,
        "share_levels": ShareLevel.choices,
        "errors": errors or {},
        "values": request.POST if errors else {},
    }
    return render(request, "web/projects/list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    """List projects (GET) or create one from the form (POST) and open it."""
    if request.method == "GET":
        return list_page(request)
    try:
        data = form_fields(request.POST, PROJECT_FIELDS)
        project = lab.create_project(request.user, data)
    except PlutoError as error:
        return list_page(request, errors_of(error), status=error.status)
    messages.success(request, f"Project {project.pluto_id} “{project.name}” was created.")
    return redirect("project_page", project_id=project.pluto_id)
