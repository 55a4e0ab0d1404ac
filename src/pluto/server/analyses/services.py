"""Rules for analyses: create (validating parameters at once), list, cancel and re-run."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from pluto.server.accounts.models import User
from pluto.server.analyses import inputs
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.parameters import ParameterProblems, Parameters, validated
from pluto.server.analyses.kind import Kind
from pluto.server.analyses.models import (
    FINISHED,
    Analysis,
    AnalysisStatus,
    Display,
    Plot,
)
from pluto.server.analyses.registry import kind_of
from pluto.server.errors import Conflict, InvalidInput, NotFound
from pluto.server.history.services import record
from pluto.server.lab import ids
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import EDITOR
from pluto.server.lab.services import clean_name, reject_unknown_fields, require
from pluto.server.sets import gene_sets as biomarker_sets

ANALYSIS_FIELDS = {"analysis_type", "name", "parameters"}


def as_invalid(error: AnalysisInputError) -> InvalidInput:
    """A compute-layer refusal as the API's ``400 invalid``, naming the parameter (or the
    analysis type itself, when the kind does not fit the experiment)."""
    field = error.field if error.field in ANALYSIS_FIELDS else f"parameters.{error.field}"
    return InvalidInput(error.message, details={"field": field})


def parse_parameters(kind: Kind, raw: Any) -> Parameters:
    """The parameters validated by ``kind``'s model; every problem at once in a ``400
    invalid`` whose ``details.field`` names the first (``parameters.<name>``)."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InvalidInput("'parameters' must be a JSON object.", details={"field": "parameters"})
    try:
        return validated(kind.parameters, raw)
    except ParameterProblems as error:
        problems = [{**p, "field": f"parameters.{p['field']}"} for p in error.problems]
        details = {"field": problems[0]["field"], "problems": problems}
        raise InvalidInput(error.message, details=details) from error


def check_parameters(kind: Kind, params: Parameters, experiment: Experiment) -> None:
    """Check parameters against the experiment's data now, not minutes later in a worker."""
    if kind.needs_counts:
        inputs.required_dataset(experiment, "assay")
    try:
        kind.check(params, inputs.ExperimentInputs(experiment, kind))
    except AnalysisInputError as error:
        raise as_invalid(error) from error


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
    params = parse_parameters(kind, biomarker_sets.expanded(user, data.get("parameters")))
    check_parameters(kind, params, experiment)
    name = clean_name(data["name"]) if data.get("name") else kind.title
    stored = params.model_dump(mode="json")
    return queue_analysis(user, experiment, kind, name, stored, rerun_of, plot_uuid)


@transaction.atomic
def queue_analysis(
    user: User,
    experiment: Experiment,
    kind: Kind,
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
        priority=kind.priority,
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
    # Every display of the kind; the first is created last, so it is the plot's current one
    # (the newest not archived): archiving it shows the next.
    for display in reversed(kind.displays):
        Display.objects.create(plot=plot, display_type=display.display_type, plot_title=name)
    record(
        experiment,
        user,
        "analysis_started",
        f"Started the analysis “{name}” ({kind.title}).",
        analysis=str(analysis.uuid),
        analysis_type=kind.analysis_type,
        plot=str(plot.uuid),
    )
    return analysis


def analyses_of(experiment: Experiment) -> QuerySet[Analysis]:
    """The experiment's analyses, oldest first, with their plots."""
    return (
        Analysis.objects.filter(experiment=experiment)
        .select_related("plot", "rerun_of")
        .prefetch_related("plot__displays")
        .order_by("created_at", "id")
    )


def find_analysis(experiment: Experiment, raw_id: str) -> Analysis:
    """One analysis of the experiment by UUID, or 404."""
    analysis_uuid = ids.parse_uuid(raw_id, "analysis")
    analysis = analyses_of(experiment).filter(uuid=analysis_uuid).first()
    if analysis is None:
        raise NotFound(f"Analysis {raw_id} was not found in experiment {experiment.pluto_id}.")
    return analysis


@transaction.atomic
def cancel(analysis: Analysis, role: str, actor: User | None = None) -> Analysis:
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
        record(
            analysis.experiment_id,
            actor,
            "analysis_cancelled",
            f"Cancelled the analysis “{analysis.name}” before it started.",
            analysis=str(analysis.uuid),
            status=AnalysisStatus.CANCELLED,
        )
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
