"""The demo's analyses, run by ``pluto demo`` itself: created once, and finished by the next
run when an earlier one stopped before running them."""

from __future__ import annotations

from pluto.server.analyses import services
from pluto.server.analyses.demo import DEMO_ANALYSES, DEMO_DE_PLOT, run_demo_analyses
from pluto.server.analyses.models import Analysis, GeneSetCollection
from pluto.server.lab.models import Experiment
from pluto.server.lab.permissions import OWNER
from tests.conftest import Caller


def test_demo_analyses_run_once_and_are_not_repeated(ada: Caller, experiment: Experiment) -> None:
    run_demo_analyses(ada.user, experiment)
    first = list(Analysis.objects.values_list("uuid", "status"))
    run_demo_analyses(ada.user, experiment)

    assert [status for _, status in first] == ["complete", "complete"]
    assert list(Analysis.objects.values_list("uuid", "status")) == first
    assert Analysis.objects.get(plot__uuid=DEMO_DE_PLOT).analysis_type == "differential_expression"
    assert GeneSetCollection.objects.filter(shortname="demo_pathways").count() == 1


def test_demo_analyses_left_waiting_are_run_by_the_next_demo(
    ada: Caller, experiment: Experiment
) -> None:
    plot_uuid, request = DEMO_ANALYSES[0]
    waiting = services.create_analysis(
        ada.user, experiment, OWNER, dict(request), plot_uuid=plot_uuid
    )

    run_demo_analyses(ada.user, experiment)

    waiting.refresh_from_db()
    assert waiting.status == "complete", waiting.message
    assert Analysis.objects.count() == 2
    assert set(Analysis.objects.values_list("status", flat=True)) == {"complete"}
