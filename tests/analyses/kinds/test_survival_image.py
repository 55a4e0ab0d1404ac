"""Static PNG and SVG images of Kaplan-Meier figures: step curves, bands, censoring ticks,
the p-value and the number-at-risk table, drawn from the same figure the page shows."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.analyses import images
from pluto.server.analyses.compute.inputs import no_progress
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.figures import PALETTE
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds.survival import KIND
from pluto.server.analyses.kinds.survival_demo import generate_survival_cohort
from pluto.server.analyses.survival_image import is_kaplan_meier


@pytest.fixture(scope="module")
def figure() -> dict[str, Any]:
    return figure_with({"confidence_bands": "shown", "risk_table_times": [0, 30, 60]})


def figure_with(options: dict[str, Any]) -> dict[str, Any]:
    cohort = generate_survival_cohort()
    params = validated(
        SurvivalParameters,
        {"time_column": "os_months", "event_column": "os_event", "group_column": "stage"},
    )
    result = KIND.run(params, FrameInputs(cohort.samples, cohort.counts), no_progress)
    context = FigureContext(computed=result.display, samples=None)
    return KIND.display.figure(result.table, "Survival by stage", options, context)


def test_the_svg_has_the_curves_the_p_value_and_the_risk_table(figure: dict[str, Any]) -> None:
    svg = images.render(figure, "svg").decode()
    risk_rows = [t for t in figure["data"] if t["mode"] == "text"]

    assert "Survival by stage" in svg and "Log-rank p = " in svg
    assert "Number at risk" in svg and "Time (os_months)" in svg
    for row in risk_rows:
        assert all(f">{count}<" in svg for count in row["text"])
    for colour in PALETTE[:4]:  # a curve and a band of each stage's colour
        assert f"fill: none; stroke: {colour}; stroke-width: 2" in svg
        assert f"fill: {colour}; fill-opacity: 0.18" in svg


def test_the_png_is_an_image(figure: dict[str, Any]) -> None:
    assert images.render(figure, "png").startswith(b"\x89PNG")


def test_without_the_risk_table_or_bands_neither_is_drawn() -> None:
    svg = images.render(figure_with({"show_risk_table": False}), "svg").decode()
    assert "Number at risk" not in svg and "Survival probability" in svg
    assert "fill-opacity: 0.18" not in svg


def test_only_kaplan_meier_figures_are_drawn_this_way(figure: dict[str, Any]) -> None:
    assert is_kaplan_meier(figure)
    assert not is_kaplan_meier({"data": [], "layout": {}})
    assert not is_kaplan_meier({"data": [], "layout": {"meta": "heatmap"}})
