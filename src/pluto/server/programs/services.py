"""Research programs: who sees them, creating them, and gathering evidence into them.

A program belongs to an organization. Its admins and members read and change its programs;
guests (who see only what is shared with them directly) do not see them. A request with
an ``Organization`` header sees that organization's programs only; without one, those of
every organization the caller belongs to. A program the caller may not see is a 404.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.text import slugify

from pluto.server.accounts.models import User
from pluto.server.analyses.models import Analysis
from pluto.server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from pluto.server.files.models import ExperimentFile
from pluto.server.lab import ids, permissions
from pluto.server.lab.models import Experiment
from pluto.server.lab.services import (
    clean_choice,
    clean_description,
    clean_name,
    reject_unknown_fields,
)
from pluto.server.orgs.models import OrganizationMember, OrgRole
from pluto.server.orgs.scope import scope_of, working_organization
from pluto.server.orgs.services import role_in
from pluto.server.programs import catalogue
from pluto.server.programs.models import (
    AnalysisSpace,
    AssetKind,
    Dimension,
    Framework,
    FrameworkVersion,
    Label,
    NextStep,
    NextStepStatus,
    Program,
    ProgramAsset,
    ProgramStatus,
)

READER_ROLES = (OrgRole.ADMIN, OrgRole.MEMBER)
MAX_DIMENSIONS = 100
MAX_LABELS = 50
COLOR = re.compile(r"#[0-9a-fA-F]{6}")


# ----------------------------------------------------------------------------- who sees what


def visible_programs(user: User) -> QuerySet[Program]:
    """Programs of the request's organization, or of every organization the caller is in."""
    organization = scope_of(user)
    memberships = OrganizationMember.objects.filter(user=user, role__in=READER_ROLES)
    if organization is not None:
        memberships = memberships.filter(organization=organization)
    return Program.objects.filter(
        organization__in=memberships.values("organization")
    ).select_related("organization", "created_by", "framework")


def find_program(user: User, raw_id: str) -> Program:
    """A program the caller may see, by uuid; 404 when it is missing or hidden."""
    program_uuid = ids.parse_uuid(raw_id, "program")
    program = visible_programs(user).filter(uuid=program_uuid).first()
    if program is None:
        raise NotFound(f"Program {raw_id} was not found.")
    return program


def search_programs(user: User, search: str | None) -> QuerySet[Program]:
    """The caller's programs, newest first, matching ``search`` in names, goals or labels."""
    programs = visible_programs(user)
    text = (search or "").strip()
    if text:
        programs = programs.filter(
            Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(goal__icontains=text)
            | Q(labels__name__icontains=text)
        ).distinct()
    return programs.prefetch_related("labels").order_by("-created_at", "-id")


def stats(user: User) -> dict[str, int]:
    """``{total, active}`` of the programs the caller sees."""
    programs = visible_programs(user)
    return {
        "total": programs.count(),
        "active": programs.filter(status=ProgramStatus.ACTIVE).count(),
    }


def labels_for(user: User) -> QuerySet[Label]:
    """The labels of the caller's working organization."""
    return Label.objects.filter(organization=working_organization(user))


# ------------------------------------------------------------------------------- cleaning


def clean_text(value: Any, field: str, maximum: int = 20_000) -> str:
    """An optional text (empty when absent)."""
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > maximum:
        raise InvalidInput(
            f"'{field}' must be a text of at most {maximum} characters.", details={"field": field}
        )
    return value.strip()


def clean_dimension(value: Any, index: int) -> dict[str, str]:
    """One dimension of a framework version: ``{key?, name, description?}``."""
    field = f"dimensions.{index}"
    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict):
        raise InvalidInput(
            f"'{field}' must be an object with a 'name' (and optionally 'key', 'description').",
            details={"field": field},
        )
    reject_unknown_fields(value, {"key", "name", "description"})
    name = clean_name(value.get("name"), f"{field}.name")
    key = slugify(str(value.get("key") or name)).replace("-", "_")[:100]
    if not key:
        raise InvalidInput(
            f"'{field}.key' must hold letters or digits.", details={"field": f"{field}.key"}
        )
    description = clean_text(value.get("description"), f"{field}.description")
    return {"key": key, "name": name, "description": description}


def clean_dimensions(value: Any) -> list[dict[str, str]]:
    """A framework version's dimensions: a non-empty list, each key once."""
    if not isinstance(value, list) or not value or len(value) > MAX_DIMENSIONS:
        raise InvalidInput(
            f"'dimensions' must be a list of 1 to {MAX_DIMENSIONS} dimensions.",
            details={"field": "dimensions"},
        )
    dimensions = [clean_dimension(item, index) for index, item in enumerate(value)]
    seen: set[str] = set()
    for index, dimension in enumerate(dimensions):
        if dimension["key"] in seen:
            raise InvalidInput(
                f"Dimension key {dimension['key']!r} is listed twice.",
                details={"field": f"dimensions.{index}.key"},
            )
        seen.add(dimension["key"])
    return dimensions


def clean_label_names(value: Any) -> list[str]:
    """Label names: a list of non-empty texts (a label's uuid also names it)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_LABELS:
        raise InvalidInput(
            f"'labels' must be a list of at most {MAX_LABELS} label names.",
            details={"field": "labels"},
        )
    return [clean_name(item, f"labels.{index}")[:100] for index, item in enumerate(value)]


# ------------------------------------------------------------------------------- programs

PROGRAM_FIELDS = {"name", "description", "goal", "program_type", "template", "labels"}
UPDATE_FIELDS = {"name", "description", "goal", "status", "labels"}


def require_writer(user: User, program: Program) -> None:
    """Only the organization's admins and members change its programs."""
    if role_in(user, program.organization) not in READER_ROLES:
        raise PermissionDenied("Only members of the program's organization may change it.")


def labels_named(program: Program, names: list[str]) -> list[Label]:
    """The organization's labels of these names (or uuids), made when new."""
    labels = []
    for name in names:
        match = Q(name__iexact=name) | Q(uuid=name) if is_uuid(name) else Q(name__iexact=name)
        existing = Label.objects.filter(organization=program.organization).filter(match)
        label = existing.first() or Label.objects.create(
            organization=program.organization, name=name
        )
        labels.append(label)
    return labels


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID."""
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@transaction.atomic
def create_program(user: User, data: dict[str, Any]) -> Program:
    """A new program in the caller's working organization, with its first framework version.

    ``template`` (a framework template's key) gives the framework its dimensions and the
    program its type; ``program_type`` is otherwise required.
    """
    reject_unknown_fields(data, PROGRAM_FIELDS)
    organization = working_organization(user)
    if role_in(user, organization) not in READER_ROLES:
        raise PermissionDenied("Guests of an organization may not create its programs.")
    template = None
    if data.get("template") is not None:
        key = clean_choice(data["template"], "template", catalogue.template_keys())
        template = catalogue.template_named(key)
    default_type = template.program_type if template else None
    program_type = clean_choice(
        data.get("program_type", default_type), "program_type", catalogue.program_type_keys()
    )
    program = Program.objects.create(
        organization=organization,
        name=clean_name(data.get("name")),
        description=clean_description(data.get("description")),
        goal=clean_text(data.get("goal"), "goal"),
        program_type=program_type,
        created_by=user,
    )
    program.labels.set(labels_named(program, clean_label_names(data.get("labels"))))
    framework = Framework.objects.create(
        program=program,
        name=template.name if template else f"{program.name} framework",
        template=template.key if template else "",
    )
    if template is not None:
        dimensions = [d.as_json() for d in template.dimensions]
        add_version(framework, dimensions, user, f"From the {template.name} template.")
    return program


@transaction.atomic
def update_program(user: User, program: Program, data: dict[str, Any]) -> Program:
    """Change a program's name, description, goal, status or labels."""
    reject_unknown_fields(data, UPDATE_FIELDS)
    require_writer(user, program)
    if "name" in data:
        program.name = clean_name(data["name"])
    if "description" in data:
        program.description = clean_description(data["description"])
    if "goal" in data:
        program.goal = clean_text(data["goal"], "goal")
    if "status" in data:
        program.status = clean_choice(data["status"], "status", list(ProgramStatus.values))
    program.save()
    if "labels" in data:
        program.labels.set(labels_named(program, clean_label_names(data["labels"])))
    return program


@transaction.atomic
def create_label(user: User, data: dict[str, Any]) -> Label:
    """A new label of the caller's working organization (409 when the name is taken)."""
    reject_unknown_fields(data, {"name", "category", "color"})
    organization = working_organization(user)
    if role_in(user, organization) not in READER_ROLES:
        raise PermissionDenied("Guests of an organization may not create its labels.")
    name = clean_name(data.get("name"))[:100]
    # Taken as sent (not stripped), as the schema's pattern describes it; null for none.
    color = data.get("color")
    if color is None:
        color = ""
    elif not isinstance(color, str) or not COLOR.fullmatch(color):
        raise InvalidInput("'color' must look like #1f77b4.", details={"field": "color"})
    if Label.objects.filter(organization=organization, name__iexact=name).exists():
        raise Conflict(f"There already is a label {name!r}.", details={"field": "name"})
    return Label.objects.create(
        organization=organization,
        name=name,
        category=clean_text(data.get("category"), "category", 100),
        color=color,
    )


# ------------------------------------------------------------------------------ framework


def framework_of(program: Program) -> Framework:
    """The program's framework (made, empty, for a program that has none)."""
    framework, _ = Framework.objects.get_or_create(
        program=program, defaults={"name": f"{program.name} framework"}
    )
    return framework


def current_dimensions(framework: Framework) -> QuerySet[Dimension]:
    """The dimensions of the framework's latest version, in order."""
    return framework.dimensions.filter(is_current=True).order_by("position", "id")


def latest_version(framework: Framework) -> FrameworkVersion | None:
    """The framework's newest version, if it has one."""
    return framework.versions.order_by("-number").first()


def add_version(
    framework: Framework, dimensions: list[dict[str, str]], user: User, note: str = ""
) -> FrameworkVersion:
    """A new numbered version; dimensions keep their rows (and evidence) by ``key``."""
    latest = latest_version(framework)
    number = latest.number + 1 if latest else 1
    framework.dimensions.update(is_current=False)
    for position, dimension in enumerate(dimensions):
        Dimension.objects.update_or_create(
            framework=framework,
            key=dimension["key"],
            defaults={
                "name": dimension["name"],
                "description": dimension["description"],
                "position": position,
                "is_current": True,
            },
        )
    framework.save()  # its updated_at
    return FrameworkVersion.objects.create(
        framework=framework, number=number, dimensions=dimensions, note=note, created_by=user
    )


@transaction.atomic
def create_version(user: User, program: Program, data: dict[str, Any]) -> FrameworkVersion:
    """``POST …/framework/versions/``: ``{dimensions: [...], note?}``."""
    reject_unknown_fields(data, {"dimensions", "note"})
    require_writer(user, program)
    dimensions = clean_dimensions(data.get("dimensions"))
    return add_version(
        framework_of(program), dimensions, user, clean_text(data.get("note"), "note")
    )


def find_dimension(program: Program, value: Any, field: str = "dimension") -> Dimension | None:
    """A current dimension of the program's framework by key or uuid (None for none)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInput(
            f"'{field}' must be a dimension's key or uuid.", details={"field": field}
        )
    dimensions = current_dimensions(framework_of(program))
    match = Q(key=value) | Q(uuid=value) if is_uuid(value) else Q(key=value)
    dimension = dimensions.filter(match).first()
    if dimension is None:
        keys = list(dimensions.values_list("key", flat=True))
        raise InvalidInput(
            f"'{field}' {value!r} is not a dimension of this program's framework"
            f" ({', '.join(keys) or 'it has none yet'}).",
            details={"field": field, "allowed": keys},
        )
    return dimension


# --------------------------------------------------------------------------------- assets


def visible_assets(user: User, program: Program) -> QuerySet[ProgramAsset]:
    """The program's assets whose experiment the caller may see."""
    return (
        program.assets.filter(experiment__in=permissions.visible_experiments(user))
        .select_related("experiment", "analysis", "file", "dimension", "added_by")
        .order_by("created_at", "id")
    )


def asset_target(
    user: User, kind: str, raw_id: Any
) -> tuple[Experiment, Analysis | None, ExperimentFile | None]:
    """The experiment, analysis or file an asset points to; 404 when the caller cannot see it."""
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise InvalidInput(
            "'object_id' must be the experiment's PLX id or uuid, or the analysis' or file's uuid.",
            details={"field": "object_id"},
        )
    experiments = permissions.visible_experiments(user)
    if kind == AssetKind.EXPERIMENT:
        ref = ids.parse_object_id(raw_id, ids.EXPERIMENT_IDS)
        experiment = experiments.filter(**ref.as_filter()).first()
        if experiment is None:
            raise NotFound(f"Experiment {raw_id} was not found.", details={"field": "object_id"})
        return experiment, None, None
    object_uuid = ids.parse_uuid(raw_id, kind)
    if kind == AssetKind.ANALYSIS:
        analysis = (
            Analysis.objects.filter(uuid=object_uuid, experiment__in=experiments)
            .select_related("experiment")
            .first()
        )
        if analysis is None:
            raise NotFound(f"Analysis {raw_id} was not found.", details={"field": "object_id"})
        return analysis.experiment, analysis, None
    file = (
        ExperimentFile.objects.filter(uuid=object_uuid, experiment__in=experiments)
        .select_related("experiment")
        .first()
    )
    if file is None:
        raise NotFound(f"File {raw_id} was not found.", details={"field": "object_id"})
    return file.experiment, None, file


ASSET_FIELDS = {"kind", "object_id", "dimension", "note"}


@transaction.atomic
def add_asset(user: User, program: Program, data: dict[str, Any]) -> ProgramAsset:
    """``POST …/assets/``: ``{kind, object_id, dimension?, note?}`` (409 when already there)."""
    reject_unknown_fields(data, ASSET_FIELDS)
    require_writer(user, program)
    kind = clean_choice(data.get("kind"), "kind", list(AssetKind.values))
    experiment, analysis, file = asset_target(user, kind, data.get("object_id"))
    dimension = find_dimension(program, data.get("dimension"))
    duplicate = program.assets.filter(
        kind=kind, experiment=experiment, analysis=analysis, file=file, dimension=dimension
    )
    if duplicate.exists():
        where = f"under {dimension.name}" if dimension else "without a dimension"
        raise Conflict(
            f"This {kind} is already evidence of the program {where}.",
            details={"field": "object_id"},
        )
    return ProgramAsset.objects.create(
        program=program,
        kind=kind,
        experiment=experiment,
        analysis=analysis,
        file=file,
        dimension=dimension,
        note=clean_text(data.get("note"), "note"),
        added_by=user,
    )


# ------------------------------------------------------------------ spaces and next steps


@transaction.atomic
def create_space(user: User, program: Program, data: dict[str, Any]) -> AnalysisSpace:
    """``POST …/analysis-spaces/``: ``{name, description?, experiments?: [PLX…]}``."""
    reject_unknown_fields(data, {"name", "description", "experiments"})
    require_writer(user, program)
    raw = data.get("experiments") or []
    if not isinstance(raw, list):
        raise InvalidInput(
            "'experiments' must be a list of experiment ids.", details={"field": "experiments"}
        )
    experiments = [space_experiment(user, value, index) for index, value in enumerate(raw)]
    space = AnalysisSpace.objects.create(
        program=program,
        name=clean_name(data.get("name")),
        description=clean_description(data.get("description")),
        created_by=user,
    )
    space.experiments.set(experiments)
    return space


def space_experiment(user: User, value: Any, index: int) -> Experiment:
    """An experiment of an analysis space, which the caller must see."""
    field = f"experiments.{index}"
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be an experiment id.", details={"field": field})
    ref = ids.parse_object_id(value, ids.EXPERIMENT_IDS)
    experiment = permissions.visible_experiments(user).filter(**ref.as_filter()).first()
    if experiment is None:
        raise NotFound(f"Experiment {value} was not found.", details={"field": field})
    return experiment


@transaction.atomic
def create_next_step(user: User, program: Program, data: dict[str, Any]) -> NextStep:
    """``POST …/framework/next-steps/``: ``{text, status?, dimension?}``."""
    reject_unknown_fields(data, {"text", "status", "dimension"})
    require_writer(user, program)
    text = clean_text(data.get("text"), "text")
    if not text:
        raise InvalidInput("'text' must be a non-empty text.", details={"field": "text"})
    return NextStep.objects.create(
        program=program,
        text=text,
        status=clean_choice(
            data.get("status", NextStepStatus.OPEN), "status", list(NextStepStatus.values)
        ),
        dimension=find_dimension(program, data.get("dimension")),
        created_by=user,
    )
