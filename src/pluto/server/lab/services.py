"""Rules for projects and experiments: look-up with permissions, create, edit, archive."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet

from pluto.server.accounts.models import User
from pluto.server.errors import InvalidInput, NotFound, PermissionDenied
from pluto.server.history.services import edit_snapshot, record, record_edit, record_sharing
from pluto.server.lab import ids, permissions
from pluto.server.lab.models import (
    AssayUnits,
    Experiment,
    ExperimentMember,
    ExperimentType,
    Organism,
    Project,
    ProjectMember,
    ReferenceEntry,
    ShareLevel,
)
from pluto.server.lab.permissions import EDITOR, OWNER
from pluto.server.orgs import scope

MAX_NAME = 200
MAX_DESCRIPTION = 20_000


def require(role: str | None, needed: str, action: str) -> None:
    """Refuse with 403 when a visible object's role does not allow ``action``."""
    if not permissions.at_least(role, needed):
        raise PermissionDenied(f"You need the {needed} role on this to {action}.")


def find_project(user: User, raw_id: str) -> tuple[Project, str]:
    """A project the user may see, with their role; 404 when it is missing or hidden."""
    ref = ids.parse_object_id(raw_id, ids.PROJECT_IDS)
    project = Project.objects.select_related("owner").filter(**ref.as_filter()).first()
    role = permissions.project_role(user, project) if project else None
    if project is None or role is None:
        raise NotFound(f"Project {raw_id} was not found.")
    return project, role


def find_experiment(user: User, raw_id: str) -> tuple[Experiment, str]:
    """An experiment the user may see, with their role; 404 when it is missing or hidden."""
    ref = ids.parse_object_id(raw_id, ids.EXPERIMENT_IDS)
    experiment = experiments_with_relations().filter(**ref.as_filter()).first()
    role = permissions.experiment_role(user, experiment) if experiment else None
    if experiment is None or role is None:
        raise NotFound(f"Experiment {raw_id} was not found.")
    return experiment, role


def with_plot_total(experiments: QuerySet[Experiment]) -> QuerySet[Experiment]:
    """Each experiment annotated with ``plot_total``, its number of unarchived plots."""
    return experiments.annotate(
        plot_total=Count("plots", filter=Q(plots__is_archived=False), distinct=True)
    )


def experiments_with_relations() -> QuerySet[Experiment]:
    """Experiments with everything their JSON shape needs, fetched in one query."""
    return with_plot_total(
        Experiment.objects.select_related(
            "project", "type", "organism", "assay_units", "owner", "created_by"
        )
    )


def projects_for(user: User, archived: bool | None = None) -> QuerySet[Project]:
    """The projects the user can see, oldest first, each with its experiment count."""
    projects = permissions.visible_projects(user).select_related("owner")
    if archived is not None:
        projects = projects.filter(is_archived=archived)
    return projects.annotate(
        experiments_total=Count("experiments", filter=Q(experiments__is_archived=False))
    ).order_by("created_at", "id")


def experiments_for(
    user: User, project: Project | None = None, archived: bool | None = None
) -> QuerySet[Experiment]:
    """The experiments the user can see (in one project when given), oldest first."""
    experiments = permissions.visible_experiments(user).select_related(
        "project", "type", "organism", "assay_units", "owner", "created_by"
    )
    if project is not None:
        experiments = experiments.filter(project=project)
    if archived is not None:
        experiments = experiments.filter(is_archived=archived)
    return with_plot_total(experiments).order_by("created_at", "id")


def experiment_count(project: Project) -> int:
    """How many unarchived experiments the project holds."""
    return project.experiments.filter(is_archived=False).count()


def clean_name(value: Any, field: str = "name") -> str:
    """A non-empty name of at most 200 characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"'{field}' must be a non-empty text.", details={"field": field})
    if len(value.strip()) > MAX_NAME:
        raise InvalidInput(
            f"'{field}' must be at most {MAX_NAME} characters.", details={"field": field}
        )
    return value.strip()


def clean_description(value: Any) -> str:
    """A description (may be empty)."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"'description' must be a text of at most {MAX_DESCRIPTION} characters.",
            details={"field": "description"},
        )
    return value


def clean_choice(value: Any, field: str, choices: list[str]) -> str:
    """One of ``choices``, or an error listing them."""
    if value not in choices:
        raise InvalidInput(
            f"'{field}' must be one of {', '.join(choices)} (got {value!r}).",
            details={"field": field, "allowed": choices},
        )
    return str(value)


def clean_share_level(value: Any) -> str:
    """``private``, ``shareable`` or ``public``."""
    return clean_choice(value, "share_level", list(ShareLevel.values))


def clean_bool(value: Any, field: str) -> bool:
    """A JSON boolean."""
    if not isinstance(value, bool):
        raise InvalidInput(f"'{field}' must be true or false.", details={"field": field})
    return value


def reference(model: type[ReferenceEntry], value: Any, field: str) -> ReferenceEntry:
    """The reference row named ``value`` (a shortname), or an error listing the known ones."""
    entry = model.objects.filter(shortname=value).first() if isinstance(value, str) else None
    if entry is None:
        known = list(model.objects.values_list("shortname", flat=True))
        raise InvalidInput(
            f"'{field}' must be one of {', '.join(known)} (got {value!r}).",
            details={"field": field, "allowed": known},
        )
    return entry


def reject_unknown_fields(data: dict[str, Any], allowed: set[str]) -> None:
    """Refuse fields this endpoint does not take, naming them."""
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise InvalidInput(
            f"Unknown field(s): {', '.join(unknown)}. Allowed: {', '.join(sorted(allowed))}.",
            details={"field": unknown[0], "fields": unknown},
        )


PROJECT_FIELDS = {"name", "description", "share_level", "is_archived"}


@transaction.atomic
def create_project(user: User, data: dict[str, Any], pluto_id: str | None = None) -> Project:
    """A new project owned by ``user``, who becomes its first owner member.

    It belongs to the organization the request is scoped to, or the user's default one.

    ``pluto_id`` is for the demo only, which must recreate the help page's ids.
    """
    reject_unknown_fields(data, PROJECT_FIELDS - {"is_archived"})
    project = Project(
        name=clean_name(data.get("name")),
        description=clean_description(data.get("description")),
        share_level=clean_share_level(data.get("share_level", ShareLevel.PRIVATE)),
        organization=scope.creating_organization(user),
        owner=user,
        created_by=user,
    )
    project.pluto_id = pluto_id or ids.allocate_id(ids.PROJECT_IDS, Project)
    project.save()
    ProjectMember.objects.create(project=project, user=user, role=OWNER)
    return project


def update_project(user: User, project: Project, role: str, data: dict[str, Any]) -> Project:
    """Apply a PATCH: editors change name and description; owners also share and archive."""
    reject_unknown_fields(data, PROJECT_FIELDS)
    require(role, EDITOR, "edit this project")
    if "name" in data:
        project.name = clean_name(data["name"])
    if "description" in data:
        project.description = clean_description(data["description"])
    if {"share_level", "is_archived"} & set(data):
        require(role, OWNER, "change its sharing or archive it")
    was_shared = project.share_level
    if "share_level" in data:
        project.share_level = clean_share_level(data["share_level"])
    if "is_archived" in data:
        project.is_archived = clean_bool(data["is_archived"], "is_archived")
    with transaction.atomic():
        project.save()
        record_project_sharing(user, project, was_shared)
    return project


def record_project_sharing(user: User, project: Project, was_shared: str) -> None:
    """A project's new share level changes who sees each of its experiments."""
    if project.share_level != was_shared:
        level = project.share_level
        record_sharing(project, user, "sharing_changed", f"Sharing became {level}.", level=level)


EXPERIMENT_FIELDS = {
    "project",
    "name",
    "description",
    "type",
    "organism",
    "assay_data_units",
    "share_level",
    "is_archived",
}


def experiment_references(data: dict[str, Any], experiment: Experiment) -> None:
    """Set type, organism and units from their shortnames, where given."""
    if "type" in data:
        experiment.type = reference(ExperimentType, data["type"], "type")
    if "organism" in data:
        experiment.organism = reference(Organism, data["organism"], "organism")
    if "assay_data_units" in data:
        experiment.assay_units = reference(
            AssayUnits, unwrap_units(data["assay_data_units"]), "assay_data_units"
        )


UNITS_SHAPES = (
    "'assay_data_units' must be a units short name, {\"shortname\": …} or "
    '{"units": {"shortname": …}} as experiments are read'
)


def unwrap_units(value: Any) -> Any:
    """Accept units as a shortname or in the read shape ``{"units": {"shortname": ...}}``
    (a ``display_name`` beside it is allowed, as it is read); other keys are refused."""
    if not isinstance(value, dict):
        return value
    units = value["units"] if set(value) == {"units"} else value
    if not isinstance(units, dict) or "shortname" not in units:
        raise InvalidInput(f"{UNITS_SHAPES}.", details={"field": "assay_data_units"})
    unknown = sorted(set(units) - {"shortname", "display_name"})
    if not isinstance(units.get("display_name", ""), str):
        unknown = ["display_name"]
    if unknown:
        raise InvalidInput(
            f"{UNITS_SHAPES}; unknown key {unknown[0]!r}.", details={"field": "assay_data_units"}
        )
    return units["shortname"]


def writable_project(user: User, raw_id: Any) -> Project:
    """The project named in a body, where the user may add experiments."""
    if not isinstance(raw_id, str) or not raw_id:
        raise InvalidInput(
            "'project' must be the project's PLXP id or UUID.", details={"field": "project"}
        )
    project, role = find_project(user, raw_id)
    require(role, EDITOR, "add experiments to this project")
    return project


@transaction.atomic
def create_experiment(user: User, data: dict[str, Any], pluto_id: str | None = None) -> Experiment:
    """A new experiment in a project where ``user`` is at least an editor."""
    reject_unknown_fields(data, EXPERIMENT_FIELDS - {"is_archived"})
    for field in ("project", "name", "type", "organism", "assay_data_units"):
        if field not in data:
            raise InvalidInput(f"'{field}' is required.", details={"field": field})
    experiment = Experiment(
        project=writable_project(user, data["project"]),
        name=clean_name(data["name"]),
        description=clean_description(data.get("description")),
        share_level=clean_share_level(data.get("share_level", ShareLevel.PRIVATE)),
        owner=user,
        created_by=user,
    )
    experiment_references(data, experiment)
    experiment.pluto_id = pluto_id or ids.allocate_id(ids.EXPERIMENT_IDS, Experiment)
    experiment.save()
    ExperimentMember.objects.create(experiment=experiment, user=user, role=OWNER)
    record(experiment, user, "experiment_created", f"Created the experiment “{experiment.name}”.")
    return experiment


@transaction.atomic
def update_experiment(
    user: User, experiment: Experiment, role: str, data: dict[str, Any]
) -> Experiment:
    """Apply a PATCH: editors change descriptive fields; owners share, archive and move."""
    reject_unknown_fields(data, EXPERIMENT_FIELDS)
    require(role, EDITOR, "edit this experiment")
    before = edit_snapshot(experiment)
    if "name" in data:
        experiment.name = clean_name(data["name"])
    if "description" in data:
        experiment.description = clean_description(data["description"])
    experiment_references(data, experiment)
    if {"share_level", "is_archived", "project"} & set(data):
        require(role, OWNER, "change its sharing, archive it or move it")
    if "share_level" in data:
        experiment.share_level = clean_share_level(data["share_level"])
    if "is_archived" in data:
        experiment.is_archived = clean_bool(data["is_archived"], "is_archived")
    if "project" in data:
        experiment.project = writable_project(user, data["project"])
    experiment.save()
    record_edit(experiment, user, before)
    return experiment
