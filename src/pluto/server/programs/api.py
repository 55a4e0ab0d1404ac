"""The JSON API of research programs, at ``programs/`` beside ``lab/`` (API.md "Programs").

The literal paths (``program-types/``, ``stats/``...) are declared before ``<program>/`` so
that they win over it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from pluto.server.http import body_doc, json_body
from pluto.server.openapi import documented_errors, page_parameters
from pluto.server.pagination import OBJECT_LIST_MAX_LIMIT, page_of, page_request
from pluto.server.programs import catalogue, evidence, schemas, services

router = Router(tags=["programs"])

PROGRAM_LIST_DEFAULT_LIMIT = 100


def page_link(request: HttpRequest, offset: int | None, limit: int) -> str | None:
    """The absolute address of another page of the same list (None when there is none)."""
    if offset is None:
        return None
    query = request.GET.copy()
    query["offset"] = str(offset)
    query["limit"] = str(limit)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@router.get(
    "/",
    response=schemas.ProgramPage,
    summary="List programs (DRF page: count, next, previous, results)",
    openapi_extra={
        "parameters": [
            *page_parameters(PROGRAM_LIST_DEFAULT_LIMIT, OBJECT_LIST_MAX_LIMIT),
            {
                "in": "query",
                "name": "search",
                "required": False,
                "description": "Words of a program's name, description, goal or labels.",
                "schema": {"type": "string"},
            },
        ]
    },
)
def list_programs(request: HttpRequest) -> dict[str, Any]:
    page = page_request(request.GET, default_limit=PROGRAM_LIST_DEFAULT_LIMIT)
    programs = services.search_programs(request.auth, request.GET.get("search"))
    count, rows = page_of(programs, page)
    after = page.offset + page.limit
    before = max(page.offset - page.limit, 0) if page.offset > 0 else None
    return {
        "count": count,
        "next": page_link(request, after if after < count and page.limit else None, page.limit),
        "previous": page_link(request, before, page.limit),
        "results": [schemas.program_json(p, evidence.current_version_number(p)) for p in rows],
    }


@router.post(
    "/",
    response={201: schemas.ProgramOut},
    summary="Create a program (optionally from a framework template)",
    openapi_extra=body_doc(schemas.ProgramCreate),
)
def create_program(request: HttpRequest) -> Status[dict[str, Any]]:
    program = services.create_program(request.auth, json_body(request))
    return Status(201, schemas.program_json(program, evidence.current_version_number(program)))


@router.get("/program-types/", response=list[schemas.ProgramTypeOut], summary="Program types")
def list_program_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [program_type.as_json() for program_type in catalogue.PROGRAM_TYPES]


@router.get(
    "/framework-templates/",
    response=list[schemas.ProgramFrameworkTemplateOut],
    summary="Framework templates a program can start from",
)
def list_framework_templates(request: HttpRequest) -> list[dict[str, Any]]:
    return [template.as_json() for template in catalogue.TEMPLATES]


@router.get(
    "/labels/",
    response=list[schemas.ProgramLabelOut],
    summary="Labels of the working organization's programs",
)
def list_labels(request: HttpRequest) -> list[dict[str, Any]]:
    return [schemas.label_json(label) for label in services.labels_for(request.auth)]


@router.post(
    "/labels/",
    response={201: schemas.ProgramLabelOut},
    summary="Create a program label",
    openapi_extra=body_doc(schemas.ProgramLabelCreate) | documented_errors(409),
)
def create_label(request: HttpRequest) -> Status[dict[str, Any]]:
    return Status(201, schemas.label_json(services.create_label(request.auth, json_body(request))))


@router.get(
    "/stats/", response=schemas.ProgramStatsOut, summary="How many programs, how many active"
)
def program_stats(request: HttpRequest) -> dict[str, int]:
    return services.stats(request.auth)


@router.get("/{program_id}/", response=schemas.ProgramOut, summary="Get a program")
def get_program(request: HttpRequest, program_id: str) -> dict[str, Any]:
    program = services.find_program(request.auth, program_id)
    return schemas.program_json(program, evidence.current_version_number(program))


@router.patch(
    "/{program_id}/",
    response=schemas.ProgramOut,
    summary="Change a program (name, description, goal, status, labels)",
    openapi_extra=body_doc(schemas.ProgramUpdate),
)
def update_program(request: HttpRequest, program_id: str) -> dict[str, Any]:
    program = services.find_program(request.auth, program_id)
    program = services.update_program(request.auth, program, json_body(request))
    return schemas.program_json(program, evidence.current_version_number(program))


@router.get(
    "/{program_id}/assets/", response=list[schemas.ProgramAssetOut], summary="Program assets"
)
def list_assets(request: HttpRequest, program_id: str) -> list[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    return [schemas.asset_json(a) for a in services.visible_assets(request.auth, program)]


@router.post(
    "/{program_id}/assets/",
    response={201: schemas.ProgramAssetOut},
    summary="Add an experiment, analysis or file as evidence",
    openapi_extra=body_doc(schemas.ProgramAssetCreate) | documented_errors(409),
)
def add_asset(request: HttpRequest, program_id: str) -> Status[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    asset = services.add_asset(request.auth, program, json_body(request))
    return Status(201, schemas.asset_json(asset))


@router.get(
    "/{program_id}/analysis-spaces/",
    response=list[schemas.ProgramAnalysisSpaceOut],
    summary="Analysis spaces of a program",
)
def list_spaces(request: HttpRequest, program_id: str) -> list[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    return [schemas.space_json(space) for space in program.analysis_spaces.all()]


@router.post(
    "/{program_id}/analysis-spaces/",
    response={201: schemas.ProgramAnalysisSpaceOut},
    summary="Create an analysis space",
    openapi_extra=body_doc(schemas.ProgramAnalysisSpaceCreate),
)
def create_space(request: HttpRequest, program_id: str) -> Status[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    space = services.create_space(request.auth, program, json_body(request))
    return Status(201, schemas.space_json(space))


@router.get(
    "/{program_id}/framework/",
    response=schemas.ProgramFrameworkOut,
    summary="A program's framework and its current dimensions",
)
def get_framework(request: HttpRequest, program_id: str) -> dict[str, Any]:
    program = services.find_program(request.auth, program_id)
    return evidence.framework_json(request.auth, program)


@router.get(
    "/{program_id}/framework/summary/",
    response=schemas.ProgramFrameworkSummaryOut,
    summary="Each dimension with the evidence under it",
)
def framework_summary(request: HttpRequest, program_id: str) -> dict[str, Any]:
    program = services.find_program(request.auth, program_id)
    return evidence.summary_json(request.auth, program)


@router.get(
    "/{program_id}/framework/versions/",
    response=list[schemas.ProgramFrameworkVersionOut],
    summary="The framework's versions, newest first",
)
def list_versions(request: HttpRequest, program_id: str) -> list[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    versions = list(services.framework_of(program).versions.select_related("created_by"))
    current = versions[0].number if versions else None
    return [schemas.version_json(v, current) for v in versions]


@router.post(
    "/{program_id}/framework/versions/",
    response={201: schemas.ProgramFrameworkVersionOut},
    summary="A new version of the framework's dimensions",
    openapi_extra=body_doc(schemas.ProgramFrameworkVersionCreate),
)
def create_version(request: HttpRequest, program_id: str) -> Status[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    version = services.create_version(request.auth, program, json_body(request))
    return Status(201, schemas.version_json(version, version.number))


@router.get(
    "/{program_id}/framework/coverage-gaps/",
    response=list[schemas.ProgramCoverageGapOut],
    summary="Dimensions with no evidence yet",
)
def list_coverage_gaps(request: HttpRequest, program_id: str) -> list[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    return evidence.coverage_gaps(request.auth, program)


@router.get(
    "/{program_id}/framework/next-steps/",
    response=list[schemas.ProgramNextStepOut],
    summary="The program's next steps",
)
def list_next_steps(request: HttpRequest, program_id: str) -> list[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    steps = program.next_steps.select_related("dimension", "created_by")
    return [schemas.next_step_json(step) for step in steps]


@router.post(
    "/{program_id}/framework/next-steps/",
    response={201: schemas.ProgramNextStepOut},
    summary="Add a next step",
    openapi_extra=body_doc(schemas.ProgramNextStepCreate),
)
def create_next_step(request: HttpRequest, program_id: str) -> Status[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    step = services.create_next_step(request.auth, program, json_body(request))
    return Status(201, schemas.next_step_json(step))


@router.get(
    "/{program_id}/framework/evidence-sources/",
    response=list[schemas.ProgramEvidenceSourceOut],
    summary="The experiments the program's evidence comes from",
)
def list_evidence_sources(request: HttpRequest, program_id: str) -> list[dict[str, Any]]:
    program = services.find_program(request.auth, program_id)
    return evidence.evidence_sources(request.auth, program)
