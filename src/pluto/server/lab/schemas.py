"""The JSON shapes of API.md for users, projects, experiments and members."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from pluto.server.accounts.models import User
from pluto.server.lab.members import Added
from pluto.server.lab.models import Experiment, ExperimentInvitation, Project, ProjectInvitation
from pluto.server.lab.reference import ASSAY_UNITS, EXPERIMENT_TYPES, ORGANISMS
from pluto.server.lab.services import MAX_DESCRIPTION, MAX_NAME
from pluto.server.openapi import PROJECT_ID


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` (clients read the first ten characters as the date)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def user_json(user: User) -> dict[str, Any]:
    """``{uuid, first_name, last_name, email}``."""
    return {
        "uuid": str(user.uuid),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
    }


def project_json(project: Project, experiments_count: int) -> dict[str, Any]:
    """The project shape of API.md."""
    return {
        "uuid": str(project.uuid),
        "pluto_id": project.pluto_id,
        "name": project.name,
        "description": project.description,
        "share_level": project.share_level,
        "owner": user_json(project.owner),
        "experiments_count": experiments_count,
        "is_archived": project.is_archived,
        "created_at": iso(project.created_at),
        "updated_at": iso(project.updated_at),
    }


def reference_json(entry: Any) -> dict[str, str]:
    """``{shortname, display_name}`` of a reference row."""
    return {"shortname": entry.shortname, "display_name": entry.display_name}


def experiment_json(experiment: Experiment, plot_count: int = 0) -> dict[str, Any]:
    """The experiment shape of API.md."""
    project = experiment.project
    return {
        "uuid": str(experiment.uuid),
        "pluto_id": experiment.pluto_id,
        "name": experiment.name,
        "description": experiment.description,
        "project": {"uuid": str(project.uuid), "pluto_id": project.pluto_id, "name": project.name},
        "organism": reference_json(experiment.organism),
        "type": reference_json(experiment.type),
        "assay_data_units": {"units": reference_json(experiment.assay_units)},
        "share_level": experiment.share_level,
        "status": experiment.status,
        "plot_count": plot_count,
        "experiment_owner": user_json(experiment.owner),
        "created_by": user_json(experiment.created_by),
        "is_archived": experiment.is_archived,
        "created_at": iso(experiment.created_at),
        "updated_at": iso(experiment.updated_at),
    }


def member_json(membership: Any) -> dict[str, Any]:
    """``{user, role}``; a pending invitation as its email, with no name yet."""
    if isinstance(membership, ProjectInvitation | ExperimentInvitation):
        return added_json(Added(membership.uuid, membership.email, membership.role))
    return {"user": user_json(membership.user), "role": membership.role}


def added_json(added: Added) -> dict[str, Any]:
    """The answer to adding by email: the member shape, with only what the request said."""
    user = {"uuid": str(added.uuid), "first_name": "", "last_name": "", "email": added.email}
    return {"user": user, "role": added.role}


def invitation_json(invitation: ProjectInvitation | ExperimentInvitation) -> dict[str, Any]:
    """A pending invitation: ``{uuid, email, role, created_at}``."""
    return {
        "uuid": str(invitation.uuid),
        "email": invitation.email,
        "role": invitation.role,
        "created_at": iso(invitation.created_at),
    }


class UserOut(Schema):
    uuid: str
    first_name: str
    last_name: str
    email: str


class ProjectOut(Schema):
    uuid: str
    pluto_id: str
    name: str
    description: str
    share_level: str
    owner: UserOut
    experiments_count: int
    is_archived: bool
    created_at: str
    updated_at: str


class Reference(Schema):
    shortname: str
    display_name: str


class UnitsOut(Schema):
    units: Reference


class ProjectRef(Schema):
    uuid: str
    pluto_id: str
    name: str


class ExperimentOut(Schema):
    uuid: str
    pluto_id: str
    name: str
    description: str
    project: ProjectRef
    organism: Reference
    type: Reference
    assay_data_units: UnitsOut
    share_level: str
    status: str
    plot_count: int
    experiment_owner: UserOut
    created_by: UserOut
    is_archived: bool
    created_at: str
    updated_at: str


class MemberOut(Schema):
    user: UserOut
    role: str


class ProjectPage(Schema):
    count: int
    items: list[ProjectOut]


class ExperimentPage(Schema):
    count: int
    items: list[ExperimentOut]


class MemberPage(Schema):
    count: int
    items: list[MemberOut]


class InvitationOut(Schema):
    uuid: str
    email: str
    role: str
    created_at: str


class InvitationPage(Schema):
    count: int
    items: list[InvitationOut]


def choice(names: Iterable[str]) -> WithJsonSchema:
    """The JSON schema of a text that is one of ``names`` (the services check it)."""
    return WithJsonSchema({"type": "string", "enum": list(names)})


# Request bodies, as the services validate them: unknown fields are refused, names are
# non-empty texts, choices are closed lists. ``Optional`` fields of a PATCH may be left out
# but not sent as null.
# At least one character that Python's str.strip() keeps, and no NUL (its whitespace is wider than a
# regex's \s: it also strips the separators U+001C-U+001F and U+0085).
NAME_PATTERN = r"^[^\x00]*[^\s\x00\x1c-\x1f\x85][^\x00]*$"
# No NUL character anywhere: PostgreSQL cannot store it in text (see http.json_body).
TEXT_PATTERN = r"^[^\x00]*$"
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME, pattern=NAME_PATTERN)]
Description = Annotated[str, Field(max_length=MAX_DESCRIPTION, pattern=TEXT_PATTERN)]
ShareLevelName = Literal["private", "shareable", "public"]
RoleName = Literal["owner", "editor", "viewer"]
ExperimentTypeName = Annotated[str, choice(name for name, _ in EXPERIMENT_TYPES)]
OrganismName = Annotated[str, choice(name for name, _ in ORGANISMS)]
UnitsName = Annotated[str, choice(name for name, _ in ASSAY_UNITS)]
ProjectId = Annotated[str, Field(pattern=PROJECT_ID)]


class Body(Schema):
    """A request body that refuses fields it does not know."""

    model_config = ConfigDict(extra="forbid")


class UnitsRef(Body):
    shortname: UnitsName
    display_name: str | SkipJsonSchema[None] = None


class UnitsIn(Body):
    units: UnitsRef


# Units as a short name, or in the shape experiments are read in.
Units = UnitsName | UnitsIn | UnitsRef


class ProjectCreate(Body):
    name: Name
    description: Description | None = ""
    share_level: ShareLevelName = "private"


class ProjectPatch(Body):
    name: Name | SkipJsonSchema[None] = None
    description: Description | None = None
    share_level: ShareLevelName | SkipJsonSchema[None] = None
    is_archived: bool | SkipJsonSchema[None] = None


class ExperimentCreate(Body):
    project: ProjectId
    name: Name
    description: Description | None = ""
    type: ExperimentTypeName
    organism: OrganismName
    assay_data_units: Units
    share_level: ShareLevelName = "private"


class ExperimentPatch(Body):
    project: ProjectId | SkipJsonSchema[None] = None
    name: Name | SkipJsonSchema[None] = None
    description: Description | None = None
    type: ExperimentTypeName | SkipJsonSchema[None] = None
    organism: OrganismName | SkipJsonSchema[None] = None
    assay_data_units: Units | SkipJsonSchema[None] = None
    share_level: ShareLevelName | SkipJsonSchema[None] = None
    is_archived: bool | SkipJsonSchema[None] = None


class MemberCreate(Body):
    email: str
    role: RoleName


class RolePatch(Body):
    role: RoleName
