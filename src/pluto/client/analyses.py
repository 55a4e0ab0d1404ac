"""Waiting for an analysis to finish, with a progress bar."""

from __future__ import annotations

import time
from collections.abc import Callable

from pluto.client.errors import AnalysisFailed, AnalysisUnprocessable, WaitTimedOut
from pluto.client.models import Analysis
from pluto.client.progress import bar

FIRST_POLL_SECONDS = 0.25
MAX_POLL_SECONDS = 5.0


def wait_until_finished(
    fetch: Callable[[], Analysis], first: Analysis, *, timeout: float | None, progress: bool
) -> Analysis:
    """Poll ``fetch`` until the analysis completes; raise when it fails or time runs out."""
    deadline = None if timeout is None else time.monotonic() + timeout
    analysis, interval = first, FIRST_POLL_SECONDS
    with bar(100, enabled=progress, unit="%", desc=first.analysis_type) as shown:
        while not analysis.is_finished:
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise WaitTimedOut(
                    f"Analysis {analysis.uuid} is still {analysis.status} after {timeout:g} s."
                )
            time.sleep(interval if remaining is None else min(interval, remaining))
            interval = min(MAX_POLL_SECONDS, interval * 1.5)
            analysis = fetch()
            shown.set_postfix_str(analysis.status, refresh=False)
            shown.update(round(analysis.progress * 100) - shown.n)
    return checked(analysis)


def checked(analysis: Analysis) -> Analysis:
    """The analysis when it completed; :class:`AnalysisUnprocessable` when its data cannot be
    analysed with its parameters; :class:`AnalysisFailed` when it failed or was cancelled."""
    if analysis.succeeded:
        return analysis
    reason = f": {analysis.message}" if analysis.message else "."
    if analysis.pipeline_status == "unprocessable":
        raise AnalysisUnprocessable(
            f"Analysis {analysis.uuid} ({analysis.analysis_type}) cannot be run on this data "
            f"with these parameters{reason}",
            analysis=analysis,
        )
    raise AnalysisFailed(
        f"Analysis {analysis.uuid} ({analysis.analysis_type}) {analysis.status}{reason}",
        code=f"analysis_{analysis.status}",
        analysis=analysis,
    )
