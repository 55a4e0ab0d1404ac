"""The roles a user holds on projects and experiments through their teams.

A team share gives its role to each member of the team whose role in the team's organization
is ``admin`` or ``member``: a guest sees only what is shared with them directly.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from pluto.server.accounts.models import User
from pluto.server.lab.models import Experiment, ExperimentTeamShare, Project, ProjectTeamShare
from pluto.server.orgs.models import OrganizationMember, OrgRole, TeamMember

SEEING_ROLES = (OrgRole.ADMIN, OrgRole.MEMBER)


def team_ids_of(user: User) -> QuerySet[TeamMember]:
    """The ids of the teams whose shares reach ``user`` (as a subquery)."""
    not_guest = OrganizationMember.objects.filter(
        organization=OuterRef("team__organization"), user=user, role__in=SEEING_ROLES
    )
    return TeamMember.objects.filter(user=user).filter(Exists(not_guest)).values("team_id")


def project_shares_of(user: User) -> QuerySet[ProjectTeamShare]:
    """Team shares of projects that reach ``user``."""
    return ProjectTeamShare.objects.filter(team_id__in=team_ids_of(user))


def experiment_shares_of(user: User) -> QuerySet[ExperimentTeamShare]:
    """Team shares of experiments that reach ``user``."""
    return ExperimentTeamShare.objects.filter(team_id__in=team_ids_of(user))


def strongest(roles: list[str]) -> str | None:
    """The strongest of some lab roles, or None for none."""
    rank = {"viewer": 1, "editor": 2, "owner": 3}
    return max(roles, key=lambda role: rank[role]) if roles else None


def project_team_role(user: User, project: Project) -> str | None:
    """The strongest role ``user``'s teams hold on the project."""
    return strongest(
        list(project_shares_of(user).filter(project=project).values_list("role", flat=True))
    )


def experiment_team_role(user: User, experiment: Experiment) -> str | None:
    """The strongest role ``user``'s teams hold on the experiment itself."""
    shares = experiment_shares_of(user).filter(experiment=experiment)
    return strongest(list(shares.values_list("role", flat=True)))
