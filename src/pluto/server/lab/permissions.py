"""Who may see and change what: roles on projects and experiments, and share levels.

A project role carries down to the project's experiments; an experiment role applies to that
experiment only; the higher of the two wins. ``public`` lets every user of the instance view.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from pluto.server.accounts.models import User
from pluto.server.lab.models import (
    Experiment,
    ExperimentMember,
    Project,
    ProjectMember,
    ShareLevel,
)

VIEWER, EDITOR, OWNER = "viewer", "editor", "owner"
ROLE_RANK: dict[str | None, int] = {None: 0, VIEWER: 1, EDITOR: 2, OWNER: 3}


def higher_role(first: str | None, second: str | None) -> str | None:
    """The stronger of two roles (None is no role)."""
    return first if ROLE_RANK[first] >= ROLE_RANK[second] else second


def at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` grants what ``needed`` grants."""
    return ROLE_RANK[role] >= ROLE_RANK[needed]


def visible_projects(user: User) -> QuerySet[Project]:
    """Projects the user is a member of, or that are public."""
    member = ProjectMember.objects.filter(project=OuterRef("pk"), user=user)
    return Project.objects.filter(Q(Exists(member)) | Q(share_level=ShareLevel.PUBLIC))


def visible_experiments(user: User) -> QuerySet[Experiment]:
    """Experiments the user has a role on (directly or through the project), or public ones."""
    own = ExperimentMember.objects.filter(experiment=OuterRef("pk"), user=user)
    through_project = ProjectMember.objects.filter(project=OuterRef("project_id"), user=user)
    return Experiment.objects.filter(
        Q(Exists(own))
        | Q(Exists(through_project))
        | Q(share_level=ShareLevel.PUBLIC)
        | Q(project__share_level=ShareLevel.PUBLIC)
    )


def project_role(user: User, project: Project) -> str | None:
    """The user's role on the project, ``viewer`` for a public one, or None."""
    role = (
        ProjectMember.objects.filter(project=project, user=user)
        .values_list("role", flat=True)
        .first()
    )
    if role is None and project.share_level == ShareLevel.PUBLIC:
        return VIEWER
    return role


def experiment_role(user: User, experiment: Experiment) -> str | None:
    """The user's role on the experiment: its own, its project's, or viewer when public."""
    own = (
        ExperimentMember.objects.filter(experiment=experiment, user=user)
        .values_list("role", flat=True)
        .first()
    )
    role = higher_role(own, project_role(user, experiment.project))
    if role is None and experiment.share_level == ShareLevel.PUBLIC:
        return VIEWER
    return role
