"""The kaplan_meier_curve figure: step curves, censoring marks, bands, the log-rank p-value
and the number-at-risk table under the axis, and its options."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds.survival import KIND
from pluto.server.analyses.kinds.survival_demo import generate_survival_cohort
from pluto.server.analyses.survival_figure import KaplanMeierOptions, nice_times


@pytest.fixture(scope="module")
def by_stage() -> AnalysisResult:
    return analysed({"group_column": "stage"})


def analysed(raw: dict[str, Any]) -> AnalysisResult:
    cohort = generate_survival_cohort()
    params = validated(
        SurvivalParameters, {"time_column": "os_months", "event_column": "os_event", **raw}
    )
    return KIND.run(params, FrameInputs(cohort.samples, cohort.counts), no_progress)


def figure_of(result: AnalysisResult, **options: Any) -> dict[str, Any]:
    context = FigureContext(computed=result.display, samples=None)
    return KIND.display.figure(result.table, "Survival by stage", options, context)


def traces(figure: dict[str, Any], mode: str) -> list[dict[str, Any]]:
    return [t for t in figure["data"] if t["mode"] == mode]


def test_each_group_is_a_step_curve_from_one_at_time_zero(by_stage: AnalysisResult) -> None:
    curves = [t for t in traces(figure_of(by_stage), "lines") if t.get("showlegend", True)]
    assert [c["name"] for c in curves] == ["I", "II", "III", "IV"]
    table = by_stage.table
    for curve in curves:
        rows = table[table["Group"] == curve["name"]]
        assert curve["line"]["shape"] == "hv"
        assert curve["x"][:1] == [0.0] and curve["y"][:1] == [1.0]
        assert curve["y"][1:] == rows["Survival"].round(6).tolist()


def test_censored_samples_are_marked_on_their_curve(by_stage: AnalysisResult) -> None:
    marks = traces(figure_of(by_stage), "markers")
    table = by_stage.table
    for mark in marks:
        group = mark["legendgroup"]
        censored = table[(table["Group"] == group) & (table["Censored"] > 0)]
        assert mark["x"] == censored["Time"].round(6).tolist()
    assert traces(figure_of(by_stage, show_censored=False), "markers") == []


def test_the_risk_table_counts_samples_still_followed(by_stage: AnalysisResult) -> None:
    figure = figure_of(by_stage, risk_table_times=[0, 12, 24, 200])
    rows = traces(figure, "text")
    assert [r["y"][0] for r in rows] == ["I", "II", "III", "IV"]
    samples = generate_survival_cohort().samples
    for row in rows:
        times = samples.loc[samples["stage"] == row["y"][0], "os_months"]
        assert row["text"] == [str(int((times >= t).sum())) for t in (0, 12, 24, 200)]
        assert row["xaxis"] == "x2" and row["yaxis"] == "y2"
    assert figure["layout"]["xaxis2"]["matches"] == "x"
    assert figure["layout"]["xaxis"]["tickvals"] == [0, 12, 24, 200]
    assert figure["layout"]["yaxis2"]["domain"][1] < figure["layout"]["yaxis"]["domain"][0]


def test_default_risk_table_times_are_round_numbers(by_stage: AnalysisResult) -> None:
    rows = traces(figure_of(by_stage), "text")
    last = by_stage.table["Time"].max()
    assert rows[0]["x"] == nice_times(last) and rows[0]["x"][0] == 0
    assert nice_times(72) == [0, 20, 40, 60] and nice_times(10) == [0, 2, 4, 6, 8, 10]
    assert figure_of(by_stage, show_risk_table=False)["layout"].get("yaxis2") is None


def test_confidence_bands_follow_r_default_and_the_option(by_stage: AnalysisResult) -> None:
    def bands(figure: dict[str, Any]) -> list[dict[str, Any]]:
        return [t for t in figure["data"] if t.get("fill") == "tonexty"]

    assert bands(figure_of(by_stage)) == []
    assert len(bands(figure_of(by_stage, confidence_bands="shown"))) == 4
    assert bands(figure_of(analysed({}), confidence_bands="hidden")) == []
    assert len(bands(figure_of(analysed({})))) == 1


def test_the_log_rank_p_value_is_written_on_the_plot(by_stage: AnalysisResult) -> None:
    p_value = by_stage.summary["log_rank"]["p_value"]
    texts = [a["text"] for a in figure_of(by_stage)["layout"]["annotations"]]
    assert f"Log-rank p = {p_value:.3g}" in texts
    hidden = [a["text"] for a in figure_of(by_stage, show_p_value=False)["layout"]["annotations"]]
    assert not any(t.startswith("Log-rank") for t in hidden)


def test_axis_titles_name_the_time_column_unless_labelled(by_stage: AnalysisResult) -> None:
    assert figure_of(by_stage)["layout"]["xaxis"]["title"]["text"] == "Time (os_months)"
    labelled = figure_of(by_stage, x_label="Months since diagnosis", y_label="Alive")["layout"]
    assert labelled["xaxis"]["title"]["text"] == "Months since diagnosis"
    assert labelled["yaxis"]["title"]["text"] == "Alive"


def test_the_figure_is_plain_json(by_stage: AnalysisResult) -> None:
    import json

    figure = figure_of(by_stage, confidence_bands="shown")
    assert json.loads(json.dumps(figure)) == figure


def test_risk_table_times_from_the_page_form_are_read_as_numbers() -> None:
    options = KaplanMeierOptions.model_validate({"risk_table_times": ["0", "12.5", 24]})
    assert options.risk_table_times == [0.0, 12.5, 24.0]


@pytest.mark.parametrize(
    "options",
    [
        {"risk_table_times": [-1]},
        {"risk_table_times": []},
        {"confidence_bands": "yes"},
        {"show_censored": "yes"},
        {"risk_table_times": ["soon"]},
        {"colour": 1},
    ],
)
def test_options_out_of_range_or_unknown_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        KaplanMeierOptions.model_validate(options)
