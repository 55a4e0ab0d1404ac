"""Who may see and change what: roles on projects and experiments, and share levels.

A project role carries down to the project's experiments; an experiment role applies to that
experiment only; the higher of the two wins. ``public`` lets every user of the instance view.
A request scoped to an organization (its ``Organization`` header) sees only that
organization's projects and their experiments.
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
from pluto.server.orgs import team_roles
from pluto.server.orgs.scope import scope_of

VIEWER, EDITOR, OWNER = "viewer", "editor", "owner"
ROLE_RANK: dict[str | None, int] = {None: 0, VIEWER: 1, EDITOR: 2, OWNER: 3}


def higher_role(first: str | None, second: str | None) -> str | None:
    """The stronger of two roles (None is no role)."""
    return first if ROLE_RANK[first] >= ROLE_RANK[second] else second


def at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` grants what ``needed`` grants."""
    return ROLE_RANK[role] >= ROLE_RANK[needed]


def in_scope_projects(user: User) -> QuerySet[Project]:
    """All projects, or those of the organization the request is scoped to."""
    organization = scope_of(user)
    projects = Project.objects.all()
    return projects if organization is None else projects.filter(organization=organization)


def in_scope_experiments(user: User) -> QuerySet[Experiment]:
    """All experiments, or those whose project is in the request's organization."""
    organization = scope_of(user)
    experiments = Experiment.objects.all()
    if organization is None:
        return experiments
    return experiments.filter(project__organization=organization)


def out_of_scope(user: User, project: Project) -> bool:
    """Whether the request is scoped to an organization that does not hold ``project``."""
    organization = scope_of(user)
    return organization is not None and project.organization_id != organization.pk


def visible_projects(user: User) -> QuerySet[Project]:
    """Projects the user is a member of (directly or through a team), or public ones."""
    member = ProjectMember.objects.filter(project=OuterRef("pk"), user=user)
    team = team_roles.project_shares_of(user).filter(project=OuterRef("pk"))
    return in_scope_projects(user).filter(
        Q(Exists(member)) | Q(Exists(team)) | Q(share_level=ShareLevel.PUBLIC)
    )


def visible_experiments(user: User) -> QuerySet[Experiment]:
    """Experiments the user has a role on (directly or through the project), or public ones."""
    own = ExperimentMember.objects.filter(experiment=OuterRef("pk"), user=user)
    through_project = ProjectMember.objects.filter(project=OuterRef("project_id"), user=user)
    own_team = team_roles.experiment_shares_of(user).filter(experiment=OuterRef("pk"))
    project_team = team_roles.project_shares_of(user).filter(project=OuterRef("project_id"))
    return in_scope_experiments(user).filter(
        Q(Exists(own))
        | Q(Exists(through_project))
        | Q(Exists(own_team))
        | Q(Exists(project_team))
        | Q(share_level=ShareLevel.PUBLIC)
        | Q(project__share_level=ShareLevel.PUBLIC)
    )


def project_role(user: User, project: Project) -> str | None:
    """The user's role on the project, ``viewer`` for a public one, or None."""
    if out_of_scope(user, project):
        return None
    role = (
        ProjectMember.objects.filter(project=project, user=user)
        .values_list("role", flat=True)
        .first()
    )
    role = higher_role(role, team_roles.project_team_role(user, project))
    if role is None and project.share_level == ShareLevel.PUBLIC:
        return VIEWER
    return role


def experiment_role(user: User, experiment: Experiment) -> str | None:
    """The user's role on the experiment: its own, its project's, or viewer when public."""
    if out_of_scope(user, experiment.project):
        return None
    role = team_roles.strongest(experiment_roles(user, experiment))
    public = ShareLevel.PUBLIC in (experiment.share_level, experiment.project.share_level)
    if role is None and public:
        return VIEWER
    return role


def experiment_roles(user: User, experiment: Experiment) -> list[str]:
    """Every role the user holds on the experiment or its project, directly or through a
    team, read in one query: every data request asks this first."""
    project_id = experiment.project_id
    sources: list[QuerySet] = [
        ExperimentMember.objects.filter(experiment=experiment, user=user),
        team_roles.experiment_shares_of(user).filter(experiment=experiment),
        ProjectMember.objects.filter(project_id=project_id, user=user),
        team_roles.project_shares_of(user).filter(project_id=project_id),
    ]
    first, *rest = [source.order_by().values_list("role", flat=True) for source in sources]
    return list(first.union(*rest, all=True))
