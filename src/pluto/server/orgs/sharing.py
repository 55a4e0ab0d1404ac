"""Sharing a project or an experiment with a team of its organization, with a role.

Who may share with a team is who may add a member: owners, and editors of a ``shareable``
object for the viewer and editor roles. The team must belong to the organization that holds
the project (or the experiment's project).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.errors import Conflict, InvalidInput, NotFound
from pluto.server.history.services import record_sharing
from pluto.server.lab import ids
from pluto.server.lab.members import check_may_grant, clean_role
from pluto.server.lab.models import Experiment, ExperimentTeamShare, Project, ProjectTeamShare
from pluto.server.lab.permissions import OWNER
from pluto.server.lab.services import reject_unknown_fields
from pluto.server.orgs.models import Organization, Team

Target = Project | Experiment
TeamShare = ProjectTeamShare | ExperimentTeamShare


def organization_of(target: Target) -> Organization:
    """The organization that holds the project or the experiment's project."""
    project = target if isinstance(target, Project) else target.project
    return project.organization


def team_shares(target: Target) -> QuerySet[Any]:
    """The target's team shares, oldest first, with their teams."""
    return target.team_shares.select_related("team").order_by("created_at", "id")


def find_team(target: Target, raw_team_id: Any, field: str = "team") -> Team:
    """The team of the target's organization with this uuid; 400 naming the field otherwise."""
    if not isinstance(raw_team_id, str):
        raise InvalidInput(f"'{field}' must be a team's uuid.", details={"field": field})
    team_uuid = ids.parse_uuid(raw_team_id, "team")
    organization = organization_of(target)
    team = organization.teams.filter(uuid=team_uuid).first()
    if team is None:
        raise InvalidInput(
            f"{organization.name} has no team {raw_team_id}; a project is shared only with "
            "teams of its own organization.",
            details={"field": field},
        )
    return team


def new_share(target: Target, team: Team, role: str) -> TeamShare:
    """An unsaved team share of the right kind for ``target``."""
    if isinstance(target, Project):
        return ProjectTeamShare(project=target, team=team, role=role)
    return ExperimentTeamShare(experiment=target, team=team, role=role)


def share(actor: User, actor_role: str, target: Target, data: dict[str, Any]) -> TeamShare:
    """Give the team ``data['team']`` the role ``data['role']`` on the target."""
    reject_unknown_fields(data, {"team", "role"})
    role = clean_role(data.get("role"))
    check_may_grant(actor_role, target, role)
    team = find_team(target, data.get("team"))
    try:
        with transaction.atomic():
            created = new_share(target, team, role)
            created.save()
    except IntegrityError:
        raise Conflict(
            f"This is already shared with {team.name}; change the role instead.",
            details={"field": "team"},
        ) from None
    record_sharing(target, actor, "team_shared", f"Gave team {team.name} the {role} role.")
    return created


def find_share(target: Target, raw_team_id: str) -> TeamShare:
    """The target's share with the team of this uuid, or 404."""
    team_uuid = ids.parse_uuid(raw_team_id, "team")
    found = team_shares(target).filter(team__uuid=team_uuid).first()
    if found is None:
        raise NotFound(f"This is not shared with team {raw_team_id}.")
    return found


@transaction.atomic
def change_role(
    actor: User, actor_role: str, target: Target, raw_team_id: str, data: dict[str, Any]
) -> TeamShare:
    """Change a team's role on the target (owners only)."""
    reject_unknown_fields(data, {"role"})
    role = clean_role(data.get("role"))
    check_may_grant(actor_role, target, OWNER)
    found = find_share(target, raw_team_id)
    found.role = role
    found.save(update_fields=["role"])
    record_sharing(
        target, actor, "team_role_changed", f"Gave team {found.team.name} the {role} role."
    )
    return found


@transaction.atomic
def unshare(actor: User, actor_role: str, target: Target, raw_team_id: str) -> None:
    """Stop sharing the target with a team (owners only)."""
    check_may_grant(actor_role, target, OWNER)
    found = find_share(target, raw_team_id)
    found.delete()
    record_sharing(target, actor, "team_unshared", f"Stopped sharing with team {found.team.name}.")
