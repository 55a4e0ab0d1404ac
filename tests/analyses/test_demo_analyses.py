"""The demo's analyses, run by ``pluto demo`` itself: created once, and finished by the next
run when an earlier one stopped before running them."""

from __future__ import annotations

import pytest

from pluto.server.analyses import services
from pluto.server.analyses.demo import DEMO_ANALYSES, DEMO_DE_PLOT, run_demo_analyses
from pluto.server.analyses.models import Analysis, GeneSetCollection
from pluto.server.lab.demo_upload import upload_demo_tables
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import OWNER
from tests.conftest import Caller, make_experiment, make_project


@pytest.fixture
def demo_like(ada: Caller) -> Experiment:
    """An experiment of ada's holding the demo's tables."""
    experiment = make_experiment(ada.user, make_project(ada.user))
    upload_demo_tables(ada.user, experiment)
    return experiment


def test_demo_analyses_run_once_and_are_not_repeated(ada: Caller, demo_like: Experiment) -> None:
    experiment = demo_like
    run_demo_analyses(ada.user, experiment)
    first = list(Analysis.objects.values_list("uuid", "status", "message"))
    run_demo_analyses(ada.user, experiment)

    assert [status for _, status, _ in first] == ["complete"] * len(DEMO_ANALYSES), first
    assert list(Analysis.objects.values_list("uuid", "status", "message")) == first
    assert Analysis.objects.get(plot__uuid=DEMO_DE_PLOT).analysis_type == "differential_expression"
    assert GeneSetCollection.objects.filter(shortname="demo_pathways").count() == 1


def test_demo_analyses_left_waiting_are_run_by_the_next_demo(
    ada: Caller, demo_like: Experiment
) -> None:
    experiment = demo_like
    plot_uuid, request = DEMO_ANALYSES[0]
    waiting = services.create_analysis(
        ada.user, experiment, OWNER, dict(request), plot_uuid=plot_uuid
    )

    run_demo_analyses(ada.user, experiment)

    waiting.refresh_from_db()
    assert waiting.status == "complete", waiting.message
    assert Analysis.objects.count() == len(DEMO_ANALYSES)
    assert set(Analysis.objects.values_list("status", flat=True)) == {"complete"}
