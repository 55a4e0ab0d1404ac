"""Running one claimed analysis: load its inputs, compute, store results, record the outcome.

Runs in the worker's child process. Expected failures end the analysis with a message a
scientist can act on; anything else is logged with its traceback for the operator and the
analysis shows a plain message.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import transaction

from pluto.server.analyses import inputs, queue
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.models import Analysis, AnalysisStatus, Plot
from pluto.server.analyses.registry import kind_of
from pluto.server.analyses.results import store_results
from pluto.server.errors import InvalidInput
from pluto.server.storage import get_storage
from pluto.server.tables.models import Dataset

logger = logging.getLogger("pluto.worker")
UNEXPECTED = (
    "The analysis failed because of an unexpected error. The server's operator can find the "
    "details in the worker log; try again, or ask them."
)

Progress = Callable[[float, str], None]


def compute(analysis: Analysis, progress: Progress) -> AnalysisResult:
    """Run the analysis's kind on the experiment's current data."""
    kind = kind_of(analysis.analysis_type)
    params = validated(kind.parameters, analysis.parameters)
    progress(0.02, "Loading the inputs.")
    return kind.run(params, inputs.ExperimentInputs(analysis.experiment, kind), progress)


def record_success(analysis: Analysis, worker_id: str, result: Any) -> None:
    """Store the results table and mark the analysis complete, if this run still owns it."""
    dataset = store_results(analysis, result.table)
    summary = {**result.summary, "display": result.display}
    with transaction.atomic():
        done = queue.finish(
            analysis.pk,
            worker_id,
            AnalysisStatus.COMPLETE,
            "Complete.",
            methods=result.methods,
            summary=summary,
            progress=1.0,
        )
        if done:
            Plot.objects.filter(analysis=analysis).update(results=dataset, methods=result.methods)
    if not done:
        discard(dataset)


def discard(dataset: Dataset) -> None:
    """Remove the results of a run that lost its job (cancelled, or taken over after a stall)."""
    key = dataset.storage_key
    dataset.delete()
    get_storage().delete(key)


def execute(analysis_id: int, worker_id: str) -> None:
    """Run the analysis owned by ``worker_id`` and record how it ended."""
    analysis = Analysis.objects.select_related("experiment__assay_units", "created_by").get(
        pk=analysis_id
    )

    def progress(fraction: float, message: str) -> None:
        queue.report_progress(analysis_id, worker_id, fraction, message)

    try:
        record_success(analysis, worker_id, compute(analysis, progress))
    except (AnalysisInputError, InvalidInput) as error:
        queue.finish(
            analysis_id, worker_id, AnalysisStatus.FAILED, error.message, unprocessable=True
        )
    except Exception:
        logger.exception("Analysis %s failed unexpectedly.", analysis.uuid)
        queue.finish(
            analysis_id,
            worker_id,
            AnalysisStatus.FAILED,
            UNEXPECTED,
            traceback=traceback.format_exc(),
        )
