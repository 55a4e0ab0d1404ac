"""The JSON shapes of research programs, their framework and their evidence."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from pluto.server.accounts.models import User
from pluto.server.lab.models import Experiment
from pluto.server.lab.schemas import Body, Name, UserOut, iso, user_json
from pluto.server.programs import catalogue
from pluto.server.programs.models import (
    AnalysisSpace,
    Dimension,
    FrameworkVersion,
    Label,
    NextStep,
    Program,
    ProgramAsset,
)

# ----------------------------------------------------------------------------- out shapes


class ProgramLabelOut(Schema):
    uuid: str
    name: str
    category: str
    color: str


class ProgramTypeOut(Schema):
    key: str
    name: str
    description: str


class ProgramDimensionSpec(Schema):
    key: str
    name: str
    description: str


class ProgramFrameworkTemplateOut(Schema):
    key: str
    name: str
    description: str
    program_type: str
    dimensions: list[ProgramDimensionSpec]


class ProgramOrganizationRef(Schema):
    uuid: str
    name: str


class ProgramFrameworkRef(Schema):
    uuid: str
    name: str
    current_version: int | None


class ProgramOut(Schema):
    uuid: str
    name: str
    description: str
    goal: str
    program_type: str
    program_type_name: str
    status: str
    organization: ProgramOrganizationRef
    labels: list[ProgramLabelOut]
    framework: ProgramFrameworkRef | None
    created_by: UserOut | None
    created_at: str
    updated_at: str


class ProgramPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ProgramOut]


class ProgramStatsOut(Schema):
    total: int
    active: int


class ProgramDimensionRef(Schema):
    uuid: str
    key: str
    name: str


class ProgramExperimentRef(Schema):
    uuid: str
    pluto_id: str
    name: str


class ProgramAssetOut(Schema):
    uuid: str
    kind: str
    object_uuid: str
    name: str
    experiment: ProgramExperimentRef
    dimension: ProgramDimensionRef | None
    note: str
    added_by: UserOut | None
    created_at: str


class ProgramAnalysisSpaceOut(Schema):
    uuid: str
    name: str
    description: str
    experiments: list[ProgramExperimentRef]
    created_by: UserOut | None
    created_at: str


class ProgramDimensionOut(Schema):
    uuid: str
    key: str
    name: str
    description: str
    position: int
    evidence_count: int


class ProgramFrameworkOut(Schema):
    uuid: str
    name: str
    template: str
    current_version: int | None
    dimensions: list[ProgramDimensionOut]
    created_at: str
    updated_at: str


class ProgramDimensionSummary(Schema):
    uuid: str
    key: str
    name: str
    description: str
    evidence_count: int
    covered: bool
    evidence: list[ProgramAssetOut]


class ProgramFrameworkSummaryOut(Schema):
    framework: str
    current_version: int | None
    dimension_count: int
    covered_count: int
    gap_count: int
    asset_count: int
    unassigned_count: int
    dimensions: list[ProgramDimensionSummary]


class ProgramFrameworkVersionOut(Schema):
    uuid: str
    number: int
    is_current: bool
    dimensions: list[ProgramDimensionSpec]
    note: str
    created_by: UserOut | None
    created_at: str


class ProgramCoverageGapOut(Schema):
    uuid: str
    key: str
    name: str
    description: str
    evidence_count: int
    open_next_steps: int


class ProgramNextStepOut(Schema):
    uuid: str
    text: str
    status: str
    dimension: ProgramDimensionRef | None
    created_by: UserOut | None
    created_at: str


class ProgramEvidenceSourceOut(Schema):
    kind: str
    uuid: str
    pluto_id: str
    name: str
    asset_count: int
    dimensions: list[str]


# ------------------------------------------------------------------------------ in shapes


class ProgramCreate(Body):
    name: str
    program_type: str | None = None
    template: str | None = None
    description: str | None = None
    goal: str | None = None
    labels: list[str] | None = None


class ProgramUpdate(Body):
    name: str | None = None
    description: str | None = None
    goal: str | None = None
    status: str | None = None
    labels: list[str] | None = None


class ProgramAssetCreate(Body):
    kind: str
    object_id: str
    dimension: str | None = None
    note: str | None = None


class ProgramAnalysisSpaceCreate(Body):
    name: str
    description: str | None = None
    experiments: list[str] | None = None


class ProgramDimensionIn(Body):
    name: str
    key: str | None = None
    description: str | None = None


class ProgramFrameworkVersionCreate(Body):
    dimensions: list[ProgramDimensionIn]
    note: str | None = None


class ProgramNextStepCreate(Body):
    text: str
    status: str | None = None
    dimension: str | None = None


# A label's colour as the services take it, #rrggbb (left out for none). The length keeps
# out the newline that a regex's $ lets through at the end.
Color = Annotated[str, Field(max_length=7, pattern=r"^#[0-9a-fA-F]{6}$")]


class ProgramLabelCreate(Body):
    name: Name
    category: str | None = None
    color: Color | None = None


# --------------------------------------------------------------------------- JSON builders


def person(user: User | None) -> dict[str, Any] | None:
    """A user's reference, or None when they are gone."""
    return user_json(user) if user is not None else None


def label_json(label: Label) -> dict[str, Any]:
    """``{uuid, name, category, color}``."""
    return {
        "uuid": str(label.uuid),
        "name": label.name,
        "category": label.category,
        "color": label.color,
    }


def program_json(program: Program, current_version: int | None) -> dict[str, Any]:
    """The program shape (``labels`` should be prefetched for lists)."""
    framework = getattr(program, "framework", None)
    return {
        "uuid": str(program.uuid),
        "name": program.name,
        "description": program.description,
        "goal": program.goal,
        "program_type": program.program_type,
        "program_type_name": catalogue.program_type_name(program.program_type),
        "status": program.status,
        "organization": {
            "uuid": str(program.organization.uuid),
            "name": program.organization.name,
        },
        "labels": [label_json(label) for label in program.labels.all()],
        "framework": None
        if framework is None
        else {
            "uuid": str(framework.uuid),
            "name": framework.name,
            "current_version": current_version,
        },
        "created_by": person(program.created_by),
        "created_at": iso(program.created_at),
        "updated_at": iso(program.updated_at),
    }


def dimension_ref(dimension: Dimension | None) -> dict[str, Any] | None:
    """``{uuid, key, name}`` of a dimension, or None."""
    if dimension is None:
        return None
    return {"uuid": str(dimension.uuid), "key": dimension.key, "name": dimension.name}


def experiment_ref(experiment: Experiment) -> dict[str, Any]:
    """``{uuid, pluto_id, name}`` of an experiment."""
    return {"uuid": str(experiment.uuid), "pluto_id": experiment.pluto_id, "name": experiment.name}


def asset_name(asset: ProgramAsset) -> str:
    """What a person calls the asset's object."""
    if asset.analysis is not None:
        return asset.analysis.name
    if asset.file is not None:
        return asset.file.display_name
    return asset.experiment.name


def asset_json(asset: ProgramAsset) -> dict[str, Any]:
    """The asset shape."""
    return {
        "uuid": str(asset.uuid),
        "kind": asset.kind,
        "object_uuid": str(asset.object_uuid),
        "name": asset_name(asset),
        "experiment": experiment_ref(asset.experiment),
        "dimension": dimension_ref(asset.dimension),
        "note": asset.note,
        "added_by": person(asset.added_by),
        "created_at": iso(asset.created_at),
    }


def space_json(space: AnalysisSpace) -> dict[str, Any]:
    """The analysis space shape."""
    return {
        "uuid": str(space.uuid),
        "name": space.name,
        "description": space.description,
        "experiments": [experiment_ref(e) for e in space.experiments.order_by("created_at", "id")],
        "created_by": person(space.created_by),
        "created_at": iso(space.created_at),
    }


def version_json(version: FrameworkVersion, current: int | None) -> dict[str, Any]:
    """A framework version's shape."""
    return {
        "uuid": str(version.uuid),
        "number": version.number,
        "is_current": version.number == current,
        "dimensions": version.dimensions,
        "note": version.note,
        "created_by": person(version.created_by),
        "created_at": iso(version.created_at),
    }


def next_step_json(step: NextStep) -> dict[str, Any]:
    """A next step's shape."""
    return {
        "uuid": str(step.uuid),
        "text": step.text,
        "status": step.status,
        "dimension": dimension_ref(step.dimension),
        "created_by": person(step.created_by),
        "created_at": iso(step.created_at),
    }
