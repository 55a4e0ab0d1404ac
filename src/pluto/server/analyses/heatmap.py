"""The ``heatmap`` display: a matrix of values with the dendrograms of its clustering and
sample annotation tracks, as a plotly figure dict built by hand (see figures.py).

The kinds that draw one (clustering, sample correlation) put what the figure needs beside
the results table in their display settings, made by :func:`heatmap_settings`: the value
columns in display order, the tree heights between neighbouring rows and columns (a tree
whose leaves are in drawing order is drawn from those alone), the colour scale and the
annotation tracks' values per sample, taken from the sample table when the analysis ran.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import AfterValidator, Field

from pluto.server.analyses.compute.inputs import column_as_text
from pluto.server.analyses.compute.parameters import TextList, choices, problem
from pluto.server.analyses.displays import Label, Options, axis_label
from pluto.server.analyses.figures import PALETTE, merged_options
from pluto.server.analyses.kind import Display, FigureContext

ColourScale = Literal["diverging", "sequential"]
DIVERGING = "RdBu"
SEQUENTIAL = "Viridis"
TREE_LINE = {"color": "#444", "width": 1}
MISSING_COLOUR = "#d9d9d9"
RAMP = ((0.94, 0.94, 0.94), (0.24, 0.31, 0.84))
MOST_CATEGORIES = 8
ROW_LABELS_UP_TO = 100
HEATMAP_DEFAULTS: dict[str, Any] = {
    "show_dendrograms": True,
    "show_annotations": True,
    "row_labels": "auto",
    "color_limit": None,
}
RowLabels = Literal["auto", "shown", "hidden"]
MAX_TRACKS = 10


def few_tracks(value: tuple[str, ...]) -> tuple[str, ...]:
    """A handful of tracks stays readable."""
    if len(value) > MAX_TRACKS:
        raise problem(f"at most {MAX_TRACKS} annotation columns can be shown")
    return value


AnnotationColumns = Annotated[TextList, AfterValidator(few_tracks)]


def annotation_columns_field() -> Any:
    """The parameter naming the sample-table columns drawn as tracks above a heatmap."""
    return Field(
        default=(),
        description=f"Sample-table columns shown as coloured tracks above the heatmap (at "
        f"most {MAX_TRACKS}).",
        json_schema_extra=choices("sample_columns"),
    )


class HeatmapOptions(Options):
    """``heatmap``: which parts to draw, and the colour limit of a diverging scale."""

    show_dendrograms: bool | None = Field(default=None, title="Show the dendrograms")
    show_annotations: bool | None = Field(default=None, title="Show the annotation tracks")
    row_labels: RowLabels | None = Field(
        default=None, title=f"Row labels (auto: shown up to {ROW_LABELS_UP_TO} rows)"
    )
    color_limit: Annotated[float, Field(gt=0, le=1e6)] | None = Field(
        default=None, title="Colour limit of a diverging scale (empty: the 99th percentile)"
    )
    x_label: Label | None = axis_label("X")
    y_label: Label | None = axis_label("Y")


@dataclass(frozen=True)
class Track:
    """One annotation track: a sample-table column's value per sample."""

    column: str
    values: Mapping[str, str | None]


def heatmap_settings(
    *,
    label_column: str,
    value_columns: Sequence[str],
    row_heights: Sequence[float] | None,
    column_heights: Sequence[float] | None,
    value_label: str,
    colour_scale: ColourScale,
    tracks: Sequence[Track] = (),
) -> dict[str, Any]:
    """The display settings a heatmap figure reads (stored with the analysis)."""
    return {
        "label_column": label_column,
        "value_columns": list(value_columns),
        "row_tree_heights": rounded(row_heights),
        "column_tree_heights": rounded(column_heights),
        "value_label": value_label,
        "colour_scale": colour_scale,
        "annotations": [{"column": t.column, "values": dict(t.values)} for t in tracks],
    }


def sample_tracks(samples: pd.DataFrame, columns: Sequence[str]) -> list[Track]:
    """The annotation tracks of these sample-table columns, as text per sample."""
    return [
        Track(column, {str(k): v for k, v in column_as_text(samples, column).items()})
        for column in columns
    ]


def rounded(heights: Sequence[float] | None) -> list[float] | None:
    """Tree heights to 10 significant digits (plenty to draw, and a smaller record)."""
    return None if heights is None else [float(f"{h:.10g}") for h in heights]


def heatmap_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """The heatmap with its dendrograms (when clustered) and annotation tracks."""
    opts = merged_options(HEATMAP_DEFAULTS, dict(options))
    computed = context.computed
    label_column = str(computed.get("label_column") or table.columns[0])
    columns = [str(c) for c in computed.get("value_columns") or []] or value_columns(table)
    values = table.loc[:, columns].to_numpy(dtype=float)
    row_labels = table[label_column].astype(str).tolist()
    tracks = annotation_tracks(computed) if opts["show_annotations"] else []
    frame = Frame.of(len(row_labels), len(columns), computed, opts, len(tracks))
    data = [main_trace(values, columns, row_labels, computed, opts)]
    data += dendrogram_traces(frame, computed)
    data += track_traces(tracks, columns)
    return {"data": data, "layout": heatmap_layout(title, frame, columns, row_labels, opts)}


def value_columns(table: pd.DataFrame) -> list[str]:
    """Without settings: every numeric column but the order and cluster columns."""
    skipped = {"Row_Order", "Cluster"}
    numeric = table.select_dtypes(include="number").columns
    return [str(c) for c in numeric if c not in skipped]


@dataclass(frozen=True)
class Frame:
    """Where each part sits (paper fractions) and which trees are drawn."""

    rows: int
    columns: int
    row_labels: bool
    row_tree: list[float] | None
    column_tree: list[float] | None
    heatmap_x: tuple[float, float]
    heatmap_y: tuple[float, float]
    tracks_y: tuple[float, float]
    column_tree_y: tuple[float, float]

    @classmethod
    def of(
        cls,
        rows: int,
        columns: int,
        computed: Mapping[str, Any],
        opts: Mapping[str, Any],
        tracks: int,
    ) -> Frame:
        """The layout of a heatmap of this size."""
        shown = bool(opts["show_dendrograms"])
        labelled = shows_row_labels(rows, opts)
        row_tree = computed.get("row_tree_heights") if shown else None
        column_tree = computed.get("column_tree_heights") if shown else None
        left = 0.12 if row_tree else 0.0
        band = min(0.04 * tracks, 0.2)
        top_tree = 0.14 if column_tree else 0.0
        heatmap_top = 1.0 - top_tree - band - (0.01 if top_tree or band else 0.0)
        return cls(
            rows=rows,
            columns=columns,
            row_labels=labelled,
            row_tree=row_tree,
            column_tree=column_tree,
            heatmap_x=(left + (0.005 if left else 0.0), 0.86 if labelled else 0.97),
            heatmap_y=(0.0, heatmap_top),
            tracks_y=(heatmap_top + 0.005, heatmap_top + band),
            column_tree_y=(1.0 - top_tree, 1.0),
        )


def shows_row_labels(rows: int, opts: Mapping[str, Any]) -> bool:
    """Row labels as asked, or (auto) only when there are few enough to read."""
    asked = opts.get("row_labels") or "auto"
    return asked == "shown" or (asked == "auto" and rows <= ROW_LABELS_UP_TO)


def main_trace(
    values: np.ndarray,
    columns: list[str],
    row_labels: list[str],
    computed: Mapping[str, Any],
    opts: Mapping[str, Any],
) -> dict[str, Any]:
    """The heatmap of values, rows top to bottom in table order."""
    trace: dict[str, Any] = {
        "type": "heatmap",
        "x": columns,
        "y": row_labels,
        "z": np.round(values, 4).tolist(),
        "xaxis": "x",
        "yaxis": "y",
        "colorbar": {
            "title": {"text": str(computed.get("value_label") or "")},
            "len": 0.6,
            "x": 1.0,
            "xanchor": "left",
        },
        "hovertemplate": "%{y}<br>%{x}<br>%{z}<extra></extra>",
    }
    return {**trace, **colour_scale(values, computed, opts, row_labels == columns)}


def colour_scale(
    values: np.ndarray, computed: Mapping[str, Any], opts: Mapping[str, Any], square: bool
) -> dict[str, Any]:
    """Diverging scales are centred on 0 and cut at ``color_limit`` (the 99th percentile of
    the absolute values by default, so a few extremes do not wash out the rest)."""
    if computed.get("colour_scale") == "sequential":
        return {"colorscale": SEQUENTIAL, **(off_diagonal_limits(values) if square else {})}
    limit = opts.get("color_limit") or float(np.quantile(np.abs(values), 0.99)) or 1.0
    return {"colorscale": DIVERGING, "zmin": -limit, "zmax": limit, "zmid": 0}


def off_diagonal_limits(values: np.ndarray) -> dict[str, float]:
    """For a sample-by-sample matrix the diagonal is left out of the colour range: each
    sample's correlation of 1 with itself would otherwise wash out the rest."""
    if values.shape[0] < 2:
        return {}
    between = values[~np.eye(values.shape[0], dtype=bool)]
    return {"zmin": float(between.min()), "zmax": float(between.max())}


def dendrogram_traces(frame: Frame, computed: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The row tree on the left and the column tree on top, as line traces."""
    traces = []
    if frame.column_tree:
        xs, ys = tree_lines(frame.column_tree)
        traces.append(line_trace(xs, ys, "x3", "y2"))
    if frame.row_tree:
        ys, xs = tree_lines(frame.row_tree)
        traces.append(line_trace(xs, ys, "x2", "y4"))
    return traces


def line_trace(xs: list[float | None], ys: list[float | None], x: str, y: str) -> dict[str, Any]:
    """Tree branches as one line trace (segments separated by gaps)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "x": xs,
        "y": ys,
        "xaxis": x,
        "yaxis": y,
        "line": TREE_LINE,
        "hoverinfo": "skip",
        "showlegend": False,
    }


def tree_lines(gaps: Sequence[float]) -> tuple[list[float | None], list[float | None]]:
    """The branches of the tree whose leaves sit at 0, 1, ..., len(gaps) and whose
    neighbouring leaves i and i+1 join at height ``gaps[i]``: for each merge, the leaf-axis
    positions and heights of its three segments, ended by None (a gap in the line).

    The tree is rebuilt as a max-Cartesian tree: reading left to right, a new gap first
    closes the merges of lower (or equal) gaps to its left, so each merge joins two whole
    subtrees and is drawn once, from the tops of its children to its height."""
    drawing = TreeDrawing([(0.0, 0.0)], [], [], [])
    for leaf, gap in enumerate(gaps, start=1):
        while drawing.open_gaps and drawing.open_gaps[-1] <= gap:
            drawing.merge_last()
        drawing.open_gaps.append(float(gap))
        drawing.subtrees.append((float(leaf), 0.0))
    while drawing.open_gaps:
        drawing.merge_last()
    return drawing.positions, drawing.heights


@dataclass
class TreeDrawing:
    """A tree being rebuilt from its gaps: the open subtrees (position, height) with the gaps
    between them, and the segments drawn so far."""

    subtrees: list[tuple[float, float]]
    open_gaps: list[float]
    positions: list[float | None]
    heights: list[float | None]

    def merge_last(self) -> None:
        """Join the two rightmost open subtrees at the gap between them."""
        (right_x, right_h), (left_x, left_h) = self.subtrees.pop(), self.subtrees.pop()
        height = self.open_gaps.pop()
        self.positions += [left_x, left_x, right_x, right_x, None]
        self.heights += [left_h, height, height, right_h, None]
        self.subtrees.append(((left_x + right_x) / 2, height))


def annotation_tracks(computed: Mapping[str, Any]) -> list[Track]:
    """The tracks the analysis stored."""
    return [Track(str(a["column"]), a["values"]) for a in computed.get("annotations") or []]


def track_colours(track: Track, offset: int) -> dict[str | None, str]:
    """A colour per value: palette colours for categories, a light-to-dark ramp for a
    numeric column of many values; grey where a sample has no value."""
    present = list(dict.fromkeys(v for v in track.values.values() if v is not None))
    numbers = as_numbers(present)
    colours: dict[str | None, str] = {None: MISSING_COLOUR}
    if numbers is not None and len(present) > MOST_CATEGORIES:
        low, high = min(numbers), max(numbers)
        for value, number in zip(present, numbers, strict=True):
            colours[value] = ramp((number - low) / (high - low) if high > low else 0.0)
        return colours
    ordered = sorted(present, key=lambda v: (numbers[present.index(v)], v)) if numbers else present
    for index, value in enumerate(ordered):
        colours[value] = PALETTE[(offset + index) % len(PALETTE)]
    return colours


def as_numbers(values: list[str]) -> list[float] | None:
    """The values as numbers, or None when one is not a number."""
    try:
        return [float(v) for v in values]
    except ValueError:
        return None


def ramp(fraction: float) -> str:
    """A colour between light grey (0) and Pluto blue (1)."""
    channels = [low + (high - low) * fraction for low, high in zip(*RAMP, strict=True)]
    return "#" + "".join(f"{round(c * 255):02x}" for c in channels)


def track_traces(tracks: list[Track], columns: list[str]) -> list[dict[str, Any]]:
    """The annotation tracks as one heatmap of colour codes, and a legend entry per value
    (heatmaps have no legend of their own, so each entry is an invisible point)."""
    if not tracks:
        return []
    codes: list[list[int]] = []
    texts: list[list[str]] = []
    palette: list[str] = []
    legend: list[dict[str, Any]] = []
    offset = 0
    for track in tracks:
        colours = track_colours(track, offset)
        offset += len(colours) - 1
        code_of = {value: len(palette) + i for i, value in enumerate(colours)}
        palette += list(colours.values())
        row = [track.values.get(c) for c in columns]
        codes.append([code_of.get(v, code_of[None]) for v in row])
        texts.append([v if v is not None else "Not set" for v in row])
        legend += legend_entries(track, colours, row)
    return [discrete_heatmap(codes, texts, palette, tracks, columns), *legend]


def legend_entries(
    track: Track, colours: dict[str | None, str], shown: list[str | None]
) -> list[dict[str, Any]]:
    """One legend entry per value shown (only the ends of a numeric ramp)."""
    values = [v for v in colours if v in shown]
    numeric = (
        len(colours) - 1 > MOST_CATEGORIES and as_numbers([v for v in values if v]) is not None
    )
    if numeric:
        present = [v for v in values if v is not None]
        keyed = sorted(present, key=float)
        values = [keyed[0], keyed[-1], *([None] if None in shown else [])]
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "x": [None],
            "y": [None],
            "xaxis": "x",
            "yaxis": "y3",
            "name": f"{track.column}: {value if value is not None else 'Not set'}",
            "legendgroup": track.column,
            "marker": {"color": colours[value], "size": 10, "symbol": "square"},
            "hoverinfo": "skip",
        }
        for value in values
    ]


def discrete_heatmap(
    codes: list[list[int]],
    texts: list[list[str]],
    palette: list[str],
    tracks: list[Track],
    columns: list[str],
) -> dict[str, Any]:
    """A heatmap whose integer codes each show one palette colour."""
    count = len(palette)
    scale = []
    for index, colour in enumerate(palette):
        scale += [[index / count, colour], [(index + 1) / count, colour]]
    return {
        "type": "heatmap",
        "x": columns,
        "y": [t.column for t in tracks],
        "z": codes,
        "text": texts,
        "zmin": -0.5,
        "zmax": count - 0.5,
        "colorscale": scale,
        "showscale": False,
        "xaxis": "x",
        "yaxis": "y3",
        "xgap": 1,
        "ygap": 1,
        "hovertemplate": "%{x}<br>%{y}: %{text}<extra></extra>",
    }


# Characters of sample labels that fit side by side under a heatmap on a plot page.
COLUMN_LABEL_CHARACTERS = 60


def column_label_angle(columns: list[str]) -> int:
    """Upright labels when they fit side by side, else turned so none overlap."""
    longest = max((len(column) for column in columns), default=0)
    return -90 if longest * len(columns) > COLUMN_LABEL_CHARACTERS else 0


def heatmap_layout(
    title: str, frame: Frame, columns: list[str], row_labels: list[str], opts: Mapping[str, Any]
) -> dict[str, Any]:
    """Axes for the heatmap, the trees and the tracks, all aligned on the same cells."""
    column_range = [-0.5, frame.columns - 0.5]
    row_range = [frame.rows - 0.5, -0.5]
    hidden = {"showticklabels": False, "showgrid": False, "zeroline": False, "ticks": ""}
    return {
        "title": {"text": title},
        "template": "plotly_white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 60, "r": 80, "t": 60, "b": 120},
        "xaxis": {
            "type": "category",
            "domain": list(frame.heatmap_x),
            "range": column_range,
            "anchor": "y",
            "tickangle": column_label_angle(columns),
            "title": {"text": opts.get("x_label") or ""},
            "showgrid": False,
        },
        "yaxis": {
            "type": "category",
            "domain": list(frame.heatmap_y),
            "range": row_range,
            "anchor": "x",
            "side": "right",
            "showticklabels": frame.row_labels,
            "dtick": 1,
            "tickfont": {"size": max(6, min(11, 700 // max(frame.rows, 1)))},
            "title": {"text": opts.get("y_label") or ""},
            "showgrid": False,
        },
        "xaxis2": {
            "domain": [0.0, max(frame.heatmap_x[0] - 0.005, 0.0)],
            "anchor": "y4",
            "autorange": "reversed",
            **hidden,
        },
        "yaxis2": {"domain": list(frame.column_tree_y), "anchor": "x3", **hidden},
        "xaxis3": {
            "domain": list(frame.heatmap_x),
            "range": column_range,
            "anchor": "y2",
            **hidden,
        },
        "yaxis3": {
            "type": "category",
            "domain": list(frame.tracks_y),
            "anchor": "x",
            "autorange": "reversed",
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis4": {"domain": list(frame.heatmap_y), "range": row_range, "anchor": "x2", **hidden},
    }


HEATMAP = Display("heatmap", HeatmapOptions, heatmap_figure, defaults=HEATMAP_DEFAULTS)
