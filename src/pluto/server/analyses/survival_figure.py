"""The ``kaplan_meier_curve`` display: step curves per group with censoring marks, optional
confidence bands, the log-rank p-value, and a number-at-risk table under the time axis.

Built by hand as a JSON-ready plotly figure, like :mod:`pluto.server.analyses.figures`:
the curves on the upper axis, the risk table on a second axis below sharing its time axis.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field

from pluto.server.analyses.displays import Label, Options, axis_label
from pluto.server.analyses.figures import PALETTE, layout
from pluto.server.analyses.kind import FigureContext

RISK_TABLE_TICKS = 6
MAX_RISK_TIMES = 50
CURVE_DOMAIN_WITH_TABLE = [0.34, 1.0]
TABLE_ROW_HEIGHT = 0.045
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
AXIS_PADDING = 0.04

Bands = Literal["auto", "shown", "hidden"]
KAPLAN_MEIER_DEFAULTS: dict[str, Any] = {
    "confidence_bands": "auto",
    "show_censored": True,
    "show_risk_table": True,
    "show_p_value": True,
}


def numbers_from_text(value: Any) -> Any:
    """Times as the plot page's form posts them (text such as "12"), as numbers; anything
    else is left for the model to refuse."""
    if not isinstance(value, list):
        return value
    return [number_or_text(item) for item in value]


def number_or_text(item: Any) -> Any:
    """A text that spells a number, as that number."""
    if isinstance(item, str):
        try:
            return float(item)
        except ValueError:
            return item
    return item


Time = Annotated[float, Field(ge=0, allow_inf_nan=False)]
RiskTimes = Annotated[
    list[Time], BeforeValidator(numbers_from_text), Field(min_length=1, max_length=MAX_RISK_TIMES)
]


class KaplanMeierOptions(Options):
    """``kaplan_meier_curve``: what to draw beside the curves."""

    confidence_bands: Bands | None = Field(
        default=None,
        title="Confidence bands (auto: for a single curve, as R's plot.survfit)",
        description="Shade the 95% confidence interval of each curve: auto (only when there "
        "is one curve), shown or hidden.",
    )
    show_censored: bool | None = Field(
        default=None, title="Mark censored samples", description="Ticks on the curves."
    )
    show_risk_table: bool | None = Field(
        default=None,
        title="Show the number at risk",
        description="A table of the samples at risk under the time axis.",
    )
    risk_table_times: RiskTimes | None = Field(
        default=None,
        title="Risk table times (empty: round numbers up to the last time)",
        description="The times at which the risk table counts the samples at risk.",
    )
    show_p_value: bool | None = Field(
        default=None, title="Show the log-rank p-value", description="In the corner of the plot."
    )
    x_label: Label | None = axis_label("X")
    y_label: Label | None = axis_label("Y")


def kaplan_meier_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Kaplan-Meier curves of the results table, with the risk table below them."""
    opts = KaplanMeierOptions.model_validate(dict(options))
    groups = group_order(table, context.computed)
    figure = {
        "data": curve_traces(table, groups, opts),
        "layout": curve_layout(table, title, opts, context.computed),
    }
    if opts.show_risk_table is not False:
        add_risk_table(figure, table, groups, opts.risk_table_times)
    return figure


def curve_traces(
    table: pd.DataFrame, groups: list[str], opts: KaplanMeierOptions
) -> list[dict[str, Any]]:
    """Per group: its band (when drawn), its step curve and its censoring ticks."""
    bands = opts.confidence_bands or "auto"
    confidence = bands == "shown" or (bands == "auto" and len(groups) == 1)
    traces: list[dict[str, Any]] = []
    for index, group in enumerate(groups):
        rows = table[table["Group"].astype(str) == group]
        colour = PALETTE[index % len(PALETTE)]
        if confidence:
            traces += band_traces(rows, group, colour)
        traces.append(curve_trace(rows, group, colour))
        if opts.show_censored is not False:
            traces.append(censor_trace(rows, group, colour))
    return traces


def curve_layout(
    table: pd.DataFrame, title: str, opts: KaplanMeierOptions, computed: Mapping[str, Any]
) -> dict[str, Any]:
    """Axes from time 0 and survival 0 to 1, the legend on top and the p-value note."""
    x_title = opts.x_label or f"Time ({computed.get('time_column') or 'Time'})"
    figure_layout = layout(title, x_title, opts.y_label or "Survival probability")
    figure_layout["yaxis"]["range"] = [0, 1.02]
    figure_layout["xaxis"]["range"] = axis_range([], last_time(table))
    figure_layout["legend"] = {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"}
    figure_layout["margin"] = {**figure_layout["margin"], "t": 90}
    figure_layout["annotations"] = p_value_annotations(opts, computed)
    figure_layout["meta"] = {"display": "kaplan_meier_curve"}  # for the static image
    return figure_layout


def group_order(table: pd.DataFrame, computed: Mapping[str, Any]) -> list[str]:
    """The groups in the run's order (reference first), else in table order."""
    present = list(dict.fromkeys(table["Group"].astype(str)))
    ordered = [str(g) for g in computed.get("groups") or [] if str(g) in present]
    return ordered + [g for g in present if g not in ordered]


def steps(rows: pd.DataFrame, column: str) -> tuple[list[float], list[float]]:
    """A curve (or an interval end) as steps starting at time 0 and survival 1."""
    return (
        [0.0, *rows["Time"].astype(float).round(6)],
        [1.0, *rows[column].astype(float).round(6)],
    )


def curve_trace(rows: pd.DataFrame, group: str, colour: str) -> dict[str, Any]:
    """The step curve of one group."""
    x, y = steps(rows, "Survival")
    at_risk = [int(rows["At_Risk"].iloc[0]) if len(rows) else 0, *rows["At_Risk"].astype(int)]
    return {
        "type": "scatter",
        "mode": "lines",
        "name": group,
        "legendgroup": group,
        "x": x,
        "y": y,
        "customdata": at_risk,
        "line": {"shape": "hv", "color": colour, "width": 2},
        "hovertemplate": "time %{x}<br>survival %{y:.3f}<br>at risk %{customdata}"
        f"<extra>{group}</extra>",
    }


def censor_trace(rows: pd.DataFrame, group: str, colour: str) -> dict[str, Any]:
    """Tick marks where samples of the group were censored."""
    censored = rows[rows["Censored"] > 0]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": f"{group} censored",
        "legendgroup": group,
        "showlegend": False,
        "x": censored["Time"].astype(float).round(6).tolist(),
        "y": censored["Survival"].astype(float).round(6).tolist(),
        "customdata": censored["Censored"].astype(int).tolist(),
        "marker": {"symbol": "line-ns-open", "size": 9, "color": colour, "line": {"width": 1.5}},
        "hovertemplate": "time %{x}<br>%{customdata} censored<extra>" + group + "</extra>",
    }


def band_traces(rows: pd.DataFrame, group: str, colour: str) -> list[dict[str, Any]]:
    """The upper and lower ends of the 95% interval, the space between them shaded."""
    common = {
        "type": "scatter",
        "mode": "lines",
        "legendgroup": group,
        "showlegend": False,
        "hoverinfo": "skip",
        "line": {"shape": "hv", "width": 0, "color": colour},
    }
    upper_x, upper_y = steps(rows, "Upper_95")
    lower_x, lower_y = steps(rows, "Lower_95")
    return [
        {**common, "name": f"{group} upper 95%", "x": upper_x, "y": upper_y},
        {
            **common,
            "name": f"{group} lower 95%",
            "x": lower_x,
            "y": lower_y,
            "fill": "tonexty",
            "fillcolor": translucent(colour),
        },
    ]


def translucent(colour: str, alpha: float = 0.18) -> str:
    """A ``#rrggbb`` colour as ``rgba`` with the given opacity."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def p_value_annotations(
    opts: KaplanMeierOptions, computed: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The log-rank p-value in the corner of the curves, when there is one."""
    p_value = computed.get("log_rank_p_value")
    if opts.show_p_value is False or p_value is None:
        return []
    return [
        {
            "text": f"Log-rank p = {float(p_value):.3g}",
            "xref": "x domain",
            "yref": "y domain",
            "x": 0.02,
            "y": 0.03,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12},
        }
    ]


def add_risk_table(
    figure: dict[str, Any], table: pd.DataFrame, groups: list[str], times: list[float] | None
) -> None:
    """A second axis under the curves: per group, the number at risk at each time."""
    last = last_time(table)
    chosen = [float(t) for t in times] if times else nice_times(last)
    traces = [
        risk_row(table[table["Group"].astype(str) == group], chosen, index, group)
        for index, group in enumerate(groups)
    ]
    figure["data"] += traces
    figure_layout = figure["layout"]
    figure_layout["xaxis"].update(
        {"tickvals": chosen, "anchor": "y", "range": axis_range(chosen, last)}
    )
    figure_layout["yaxis"]["domain"] = CURVE_DOMAIN_WITH_TABLE
    figure_layout["xaxis2"] = {
        "matches": "x",
        "anchor": "y2",
        "showticklabels": False,
        "showgrid": False,
        "zeroline": False,
    }
    figure_layout["yaxis2"] = risk_axis(groups)
    figure_layout["annotations"].append(risk_title())
    figure_layout["margin"] = {**figure_layout["margin"], "l": left_margin(groups)}


def risk_row(rows: pd.DataFrame, times: list[float], index: int, group: str) -> dict[str, Any]:
    """The numbers at risk of one group, written at their times."""
    return {
        "type": "scatter",
        "mode": "text",
        "name": f"{group} at risk",
        "legendgroup": group,
        "showlegend": False,
        "x": times,
        "y": [group] * len(times),
        "text": [str(n) for n in numbers_at_risk(rows, times)],
        "textfont": {"color": PALETTE[index % len(PALETTE)], "size": 12},
        "xaxis": "x2",
        "yaxis": "y2",
        "hoverinfo": "skip",
    }


def numbers_at_risk(rows: pd.DataFrame, times: list[float]) -> list[int]:
    """Samples still followed at each time: those whose time is at or after it (the
    At_Risk of the first row at or after it; 0 past the group's last time)."""
    row_times = rows["Time"].to_numpy(dtype=float)
    at_risk = rows["At_Risk"].to_numpy(dtype=np.int64)
    position = np.searchsorted(row_times, np.asarray(times, dtype=float), side="left")
    return [int(at_risk[p]) if p < len(at_risk) else 0 for p in position]


def risk_axis(groups: list[str]) -> dict[str, Any]:
    """The risk table's axis: one row per group, the first on top."""
    height = min(CURVE_DOMAIN_WITH_TABLE[0] - 0.14, TABLE_ROW_HEIGHT * (len(groups) + 1))
    return {
        "domain": [0, max(height, 0.08)],
        "type": "category",
        "categoryorder": "array",
        "categoryarray": list(reversed(groups)),
        "range": [-0.5, len(groups) - 0.5],
        "showgrid": False,
        "zeroline": False,
        "fixedrange": True,
        "tickfont": {"size": 11},
    }


def risk_title() -> dict[str, Any]:
    """The risk table's heading."""
    return {
        "text": "Number at risk",
        "xref": "paper",
        "yref": "y2 domain",
        "x": 0,
        "y": 1.0,
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 12},
    }


def left_margin(groups: list[str]) -> int:
    """Room for the longest group name beside the risk table."""
    longest = max((len(g) for g in groups), default=0)
    return int(min(260, max(60, 7 * longest + 20)))


def last_time(table: pd.DataFrame) -> float:
    """The last observation time of any group (0 for an empty table)."""
    return float(table["Time"].max()) if len(table) else 0.0


def axis_range(times: list[float], last: float) -> list[float]:
    """From a little before 0 (so numbers at risk at 0 are not cut) to a little past the
    last time or risk-table time."""
    end = max([last, *times]) or 1.0
    return [-end * AXIS_PADDING, end * (1 + AXIS_PADDING)]


def nice_times(last: float, ticks: int = RISK_TABLE_TICKS) -> list[float]:
    """Round times from 0 to ``last``: about ``ticks`` of them, a step of 1, 2, 2.5 or 5
    times a power of ten."""
    if last <= 0:
        return [0.0]
    rough = last / (ticks - 1)
    power = 10 ** math.floor(math.log10(rough))
    step = next(s * power for s in NICE_STEPS if s * power >= rough)
    count = math.floor(last / step + 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]
