"""A program's framework read against its evidence: coverage, gaps and sources.

Only evidence the caller may see counts (an asset whose experiment is hidden from them is
left out), so two people can see different coverage of the same program.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pluto.server.accounts.models import User
from pluto.server.lab.schemas import iso
from pluto.server.programs import schemas, services
from pluto.server.programs.models import Dimension, NextStepStatus, Program, ProgramAsset


def current_version_number(program: Program) -> int | None:
    """The number of the program's latest framework version (None before the first)."""
    latest = services.latest_version(services.framework_of(program))
    return latest.number if latest else None


def assets_by_dimension(user: User, program: Program) -> dict[int | None, list[ProgramAsset]]:
    """The caller's visible assets, grouped by dimension id (None: under no dimension)."""
    grouped: dict[int | None, list[ProgramAsset]] = defaultdict(list)
    for asset in services.visible_assets(user, program):
        grouped[asset.dimension_id].append(asset)
    return grouped


def dimension_json(dimension: Dimension, evidence: list[ProgramAsset]) -> dict[str, Any]:
    """A current dimension with its evidence count."""
    return {
        "uuid": str(dimension.uuid),
        "key": dimension.key,
        "name": dimension.name,
        "description": dimension.description,
        "position": dimension.position,
        "evidence_count": len(evidence),
    }


def framework_json(user: User, program: Program) -> dict[str, Any]:
    """``GET …/framework/``: the framework and its current dimensions."""
    framework = services.framework_of(program)
    grouped = assets_by_dimension(user, program)
    return {
        "uuid": str(framework.uuid),
        "name": framework.name,
        "template": framework.template,
        "current_version": current_version_number(program),
        "dimensions": [
            dimension_json(d, grouped.get(d.pk, [])) for d in services.current_dimensions(framework)
        ],
        "created_at": iso(framework.created_at),
        "updated_at": iso(framework.updated_at),
    }


def summary_json(user: User, program: Program) -> dict[str, Any]:
    """``GET …/framework/summary/``: each dimension with the evidence under it."""
    framework = services.framework_of(program)
    grouped = assets_by_dimension(user, program)
    dimensions = []
    for dimension in services.current_dimensions(framework):
        evidence = grouped.get(dimension.pk, [])
        dimensions.append(
            {
                "uuid": str(dimension.uuid),
                "key": dimension.key,
                "name": dimension.name,
                "description": dimension.description,
                "evidence_count": len(evidence),
                "covered": bool(evidence),
                "evidence": [schemas.asset_json(a) for a in evidence],
            }
        )
    covered = sum(1 for d in dimensions if d["covered"])
    current_ids = {d.pk for d in services.current_dimensions(framework)}
    return {
        "framework": str(framework.uuid),
        "current_version": current_version_number(program),
        "dimension_count": len(dimensions),
        "covered_count": covered,
        "gap_count": len(dimensions) - covered,
        "asset_count": sum(len(assets) for assets in grouped.values()),
        "unassigned_count": sum(
            len(assets) for key, assets in grouped.items() if key not in current_ids
        ),
        "dimensions": dimensions,
    }


def coverage_gaps(user: User, program: Program) -> list[dict[str, Any]]:
    """``GET …/framework/coverage-gaps/``: current dimensions with no evidence, in order."""
    framework = services.framework_of(program)
    grouped = assets_by_dimension(user, program)
    gaps = []
    for dimension in services.current_dimensions(framework):
        if grouped.get(dimension.pk):
            continue
        open_steps = dimension.next_steps.exclude(status=NextStepStatus.DONE).count()
        gaps.append(
            {
                "uuid": str(dimension.uuid),
                "key": dimension.key,
                "name": dimension.name,
                "description": dimension.description,
                "evidence_count": 0,
                "open_next_steps": open_steps,
            }
        )
    return gaps


def evidence_sources(user: User, program: Program) -> list[dict[str, Any]]:
    """``GET …/framework/evidence-sources/``: the experiments the evidence comes from."""
    sources: dict[int, dict[str, Any]] = {}
    for asset in services.visible_assets(user, program):
        experiment = asset.experiment
        source = sources.setdefault(
            experiment.pk,
            {
                "kind": "experiment",
                "uuid": str(experiment.uuid),
                "pluto_id": experiment.pluto_id,
                "name": experiment.name,
                "asset_count": 0,
                "dimensions": [],
            },
        )
        source["asset_count"] += 1
        if asset.dimension is not None and asset.dimension.key not in source["dimensions"]:
            source["dimensions"].append(asset.dimension.key)
    return list(sources.values())
