"""Static images of figures: box plots and vertical bars are drawn at their categories, and a
figure with traces the renderer cannot draw is a clear 404, not a server error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from pluto.server.analyses import images, registry
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.compute.parameters import Parameters
from pluto.server.analyses.displays import Options
from pluto.server.analyses.kind import Display, FigureContext, Inputs, Kind
from tests.analyses.conftest import exp_path, get, start_and_run
from tests.conftest import Caller

BOXES = {
    "type": "box",
    "name": "control",
    "x": ["S2", "S1"],
    "q1": [1.0, 2.0],
    "median": [2.0, 3.0],
    "q3": [3.0, 4.0],
    "lowerfence": [0.0, 1.0],
    "upperfence": [4.0, 5.0],
}
BARS = {"type": "bar", "name": "treated", "x": ["S3"], "y": [12.5]}
CATEGORICAL = {"type": "category", "categoryarray": ["S1", "S2", "S3"], "title": {"text": "x"}}


def test_boxes_and_vertical_bars_share_the_categories_in_the_layout_order() -> None:
    figure = {"data": [BOXES, BARS], "layout": {"xaxis": CATEGORICAL}}

    assert images.categories(figure) == {"S1": 0, "S2": 1, "S3": 2}
    png = images.render(figure, "png")
    svg = images.render(figure, "svg").decode()

    assert png.startswith(b"\x89PNG")
    assert all(label in svg for label in ("control", "treated"))


def test_categories_without_an_order_follow_the_traces() -> None:
    figure = {"data": [BARS, BOXES], "layout": {"xaxis": {"type": "category"}}}

    assert images.categories(figure) == {"S3": 0, "S2": 1, "S1": 2}


def sunburst(
    table: pd.DataFrame, title: str, options: Any, context: FigureContext
) -> dict[str, Any]:
    """A figure of a trace type the static renderer does not draw."""
    return {"data": [{"type": "sunburst", "labels": ["a"], "parents": [""]}], "layout": {}}


def one_row(params: Parameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """A results table of one row."""
    return AnalysisResult(table=pd.DataFrame({"value": [1.0]}), methods="Nothing ran.")


@pytest.fixture
def sunburst_kind() -> Iterator[Kind]:
    """A kind whose figure is a sunburst, registered for the test."""
    kind = Kind(
        analysis_type="test_sunburst",
        title="Sunburst",
        summary="A sunburst.",
        parameters=Parameters,
        check=lambda params, inputs: None,
        run=one_row,
        columns=("value",),
        displays=(Display("test_sunburst_plot", Options, sunburst),),
    )
    registry.register(kind)
    yield kind
    registry.unregister(kind.analysis_type)


def test_an_image_of_traces_that_cannot_be_drawn_is_a_404_saying_where_to_look(
    ada: Caller, experiment: Any, sunburst_kind: Kind
) -> None:
    analysis = start_and_run(ada, experiment, {"analysis_type": sunburst_kind.analysis_type})

    image = get(ada, exp_path(experiment, f"plots/{analysis['plot']['uuid']}/image.png"))

    assert analysis["status"] == "complete", analysis["message"]
    assert image.status == 404
    assert "sunburst traces are not drawn" in image.data["message"]
    assert "figure/" in image.data["message"]
