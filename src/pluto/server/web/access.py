"""Who is looking at a page: the project or experiment they asked for, with their role.

Pages answer 404 for anything the user may not see (never revealing that it exists), and
show edit controls only for the roles the services would accept them from.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest

from pluto.server.errors import InvalidObjectId, NotFound
from pluto.server.lab import permissions
from pluto.server.lab import services as lab
from pluto.server.lab.models import Experiment, Project


@dataclass(frozen=True)
class Access:
    """A user's role on an object, and what that role lets the page show."""

    role: str

    @property
    def can_edit(self) -> bool:
        """Editors and owners change data, run analyses and upload files."""
        return permissions.at_least(self.role, permissions.EDITOR)

    @property
    def is_owner(self) -> bool:
        """Owners also share, archive and manage members."""
        return permissions.at_least(self.role, permissions.OWNER)


def project_or_404(request: HttpRequest, raw_id: str) -> tuple[Project, Access]:
    """The project the signed-in user asked for, or 404."""
    try:
        project, role = lab.find_project(request.user, raw_id)
    except (NotFound, InvalidObjectId) as exc:
        raise Http404(exc.message) from exc
    return project, Access(role)


def experiment_or_404(request: HttpRequest, raw_id: str) -> tuple[Experiment, Access]:
    """The experiment the signed-in user asked for, or 404."""
    try:
        experiment, role = lab.find_experiment(request.user, raw_id)
    except (NotFound, InvalidObjectId) as exc:
        raise Http404(exc.message) from exc
    return experiment, Access(role)
