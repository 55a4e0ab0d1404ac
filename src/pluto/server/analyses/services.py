"""Rules for analyses: create (validating parameters at once), list, cancel and re-run."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.analyses import inputs
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.models import (
    FINISHED,
    Analysis,
    AnalysisStatus,
    Display,
    GeneSetCollection,
    Plot,
)
from pluto.server.analyses.registry import AnalysisKind, kind_of
from pluto.server.errors import Conflict, InvalidInput, NotFound, PlutoError
from pluto.server.lab import ids
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import clean_name, reject_unknown_fields, require

ANALYSIS_FIELDS = {"analysis_type", "name", "parameters"}


def as_invalid(error: AnalysisInputError) -> InvalidInput:
    """A compute-layer refusal as the API's ``400 invalid``, naming the parameter."""
    return InvalidInput(error.message, details={"field": f"parameters.{error.field}"})


def parse_parameters(kind: AnalysisKind, raw: Any) -> Any:
    """The typed parameters of ``kind``, or ``400 invalid`` naming the bad one."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput("'parameters' must be a JSON object.", details={"field": "parameters"})
    try:
        return kind.module.parse_parameters(raw)
    except AnalysisInputError as error:
        raise as_invalid(error) from error


def check_parameters(kind: AnalysisKind, params: Any, experiment: Experiment) -> None:
    """Check parameters against the experiment's data now, not minutes later in a worker."""
    if kind.analysis_type == "gene_set_enrichment":
        check_enrichment(kind, params, experiment)
        return
    inputs.required_dataset(experiment, "assay")
    samples = inputs.sample_frame(experiment)
    try:
        kind.module.check_inputs(params, samples, experiment.assay_units.shortname)
    except AnalysisInputError as error:
        raise as_invalid(error) from error


def check_enrichment(kind: AnalysisKind, params: Any, experiment: Experiment) -> None:
    """The DE analysis and the collection exist, and some gene set can be tested."""
    from pluto.server.analyses.execution import gene_set_collection

    source = completed_de(experiment, params.differential_expression_id)
    collection = collection_named(params.gene_set_collection)
    de_table = inputs.dataset_frame(source.plot.results)
    try:
        kind.module.check_inputs(params, de_table, gene_set_collection(collection.shortname))
    except AnalysisInputError as error:
        raise as_invalid(error) from error


def completed_de(experiment: Experiment, raw_id: Any) -> Analysis:
    """A finished differential expression analysis of this experiment."""
    field = {"field": "parameters.differential_expression_id"}
    try:
        analysis_uuid = ids.parse_uuid(str(raw_id), "analysis")
    except PlutoError as error:
        raise InvalidInput(error.message, details=field) from error
    analysis = (
        Analysis.objects.select_related("plot__results")
        .filter(experiment=experiment, uuid=analysis_uuid, analysis_type="differential_expression")
        .first()
    )
    if analysis is None or analysis.status != AnalysisStatus.COMPLETE:
        raise InvalidInput(
            f"No completed differential expression analysis {raw_id} in experiment "
            f"{experiment.pluto_id}; run one first and pass its id.",
            details=field,
        )
    return analysis


def collection_named(shortname: Any) -> GeneSetCollection:
    """The gene set collection with this short name, or an error listing the known ones."""
    from pluto.server.analyses.collections import ensure_bundled

    ensure_bundled()
    collection = GeneSetCollection.objects.filter(shortname=str(shortname)).first()
    if collection is None:
        known = list(GeneSetCollection.objects.values_list("shortname", flat=True))
        raise InvalidInput(
            f"Unknown gene set collection {shortname!r}; known: {', '.join(known) or 'none'}.",
            details={"field": "parameters.gene_set_collection", "allowed": known},
        )
    return collection


def create_analysis(
    user: User,
    experiment: Experiment,
    role: str,
    data: dict[str, Any],
    rerun_of: Analysis | None = None,
    plot_uuid: uuid.UUID | None = None,
) -> Analysis:
    """Validate and queue an analysis; its plot appears at once with status ``pending``."""
    reject_unknown_fields(data, ANALYSIS_FIELDS)
    require(role, EDITOR, "run analyses")
    kind = kind_of(data.get("analysis_type"))
    params = parse_parameters(kind, data.get("parameters"))
    check_parameters(kind, params, experiment)
    name = clean_name(data["name"]) if data.get("name") else kind.default_name
    return queue_analysis(user, experiment, kind, name, jsonable(params), rerun_of, plot_uuid)


def jsonable(params: Any) -> dict[str, Any]:
    """Parameters as stored and shown: a plain JSON object."""
    if dataclasses.is_dataclass(params) and not isinstance(params, type):
        return dataclasses.asdict(params)
    return dict(params)


@transaction.atomic
def queue_analysis(
    user: User,
    experiment: Experiment,
    kind: AnalysisKind,
    name: str,
    parameters: dict[str, Any],
    rerun_of: Analysis | None,
    plot_uuid: uuid.UUID | None = None,
) -> Analysis:
    """The analysis row (the job), its plot and its display, in one transaction."""
    analysis = Analysis.objects.create(
        experiment=experiment,
        analysis_type=kind.analysis_type,
        name=name,
        parameters=parameters,
        created_by=user,
        rerun_of=rerun_of,
        max_attempts=settings.JOB_MAX_ATTEMPTS,
        message="Waiting for a worker.",
    )
    plot = Plot.objects.create(
        uuid=plot_uuid or uuid.uuid4(),
        experiment=experiment,
        analysis=analysis,
        analysis_type=kind.analysis_type,
        name=name,
        share_level=experiment.share_level,
        created_by=user,
    )
    Display.objects.create(plot=plot, display_type=kind.display_type, plot_title=name)
    return analysis


def analyses_of(experiment: Experiment) -> QuerySet[Analysis]:
    """The experiment's analyses, oldest first, with their plots."""
    return (
        Analysis.objects.filter(experiment=experiment)
        .select_related("plot", "rerun_of")
        .order_by("created_at", "id")
    )


def find_analysis(experiment: Experiment, raw_id: str) -> Analysis:
    """One analysis of the experiment by UUID, or 404."""
    analysis_uuid = ids.parse_uuid(raw_id, "analysis")
    analysis = analyses_of(experiment).filter(uuid=analysis_uuid).first()
    if analysis is None:
        raise NotFound(f"Analysis {raw_id} was not found in experiment {experiment.pluto_id}.")
    return analysis


def cancel(analysis: Analysis, role: str) -> Analysis:
    """Cancel a pending analysis at once; ask a running one's worker to stop it."""
    require(role, EDITOR, "cancel analyses")
    if analysis.status in FINISHED:
        raise Conflict(
            f"This analysis already finished ({analysis.status}); there is nothing to cancel.",
            details={"status": analysis.status},
        )
    stopped = Analysis.objects.filter(pk=analysis.pk, status=AnalysisStatus.PENDING).update(
        status=AnalysisStatus.CANCELLED,
        message="Cancelled before it started.",
        cancel_requested=True,
    )
    if stopped:
        Plot.objects.filter(analysis=analysis).update(status=AnalysisStatus.CANCELLED)
    else:
        Analysis.objects.filter(pk=analysis.pk).update(cancel_requested=True, message="Cancelling…")
    analysis.refresh_from_db()
    return analysis


def rerun(user: User, analysis: Analysis, role: str, data: dict[str, Any]) -> Analysis:
    """A new analysis with the old one's parameters, changed by ``data['parameters']``."""
    reject_unknown_fields(data, {"name", "parameters"})
    changes = data.get("parameters") or {}
    if not isinstance(changes, dict):
        raise InvalidInput("'parameters' must be a JSON object.", details={"field": "parameters"})
    request = {
        "analysis_type": analysis.analysis_type,
        "name": data.get("name") or analysis.name,
        "parameters": {**analysis.parameters, **changes},
    }
    return create_analysis(user, analysis.experiment, role, request, rerun_of=analysis)
