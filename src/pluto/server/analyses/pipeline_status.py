"""The ``pipeline_status`` words of the Pluto API for our analysis statuses (API.md,
"Analyses as a resource"). ``status`` keeps our own words; clients that wait for an analysis
read ``pipeline_status``, whose terminal values are ``completed``, ``failed``,
``unprocessable`` and ``canceled``."""

from __future__ import annotations

from pluto.server.analyses.models import Analysis, AnalysisStatus

WORDS = {
    AnalysisStatus.PENDING: "pending",
    AnalysisStatus.RUNNING: "in_progress",
    AnalysisStatus.COMPLETE: "completed",
    AnalysisStatus.FAILED: "failed",
    AnalysisStatus.CANCELLED: "canceled",
}
UNPROCESSABLE = "unprocessable"
TERMINAL = ("completed", "failed", UNPROCESSABLE, "canceled")


def pipeline_status_of(status: str, unprocessable: bool = False) -> str:
    """The API word for a status; a failure whose inputs cannot be analysed (the run refused
    the data for these parameters) is ``unprocessable``, any other failure ``failed``."""
    if status == AnalysisStatus.FAILED and unprocessable:
        return UNPROCESSABLE
    return WORDS.get(status, status)


def analysis_pipeline_status(analysis: Analysis) -> str:
    """An analysis's ``pipeline_status``."""
    return pipeline_status_of(analysis.status, analysis.unprocessable)
