"""Static renderings of ``heatmap`` figures (see heatmap.py) with matplotlib: the matrix, its
dendrograms and annotation tracks on aligned axes, from the same figure dict the page draws."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap

# plotly's RdBu runs from blue (low) to red (high), matplotlib's the other way.
COLOUR_MAPS = {"RdBu": "RdBu_r", "Viridis": "viridis"}


def is_heatmap(figure: dict[str, Any]) -> bool:
    """Whether the figure is a heatmap figure (its first trace is the matrix)."""
    data = figure.get("data") or []
    return bool(data) and data[0].get("type") == "heatmap"


def traces_on(figure: dict[str, Any], kind: str, x: str, y: str) -> list[dict[str, Any]]:
    """The figure's traces of one type on one pair of axes."""
    return [
        t
        for t in figure["data"]
        if t.get("type") == kind and t.get("xaxis") == x and t.get("yaxis") == y
    ]


def as_floats(values: list[Any]) -> np.ndarray:
    """Line coordinates with plotly's gaps (None) as NaN, which matplotlib leaves undrawn."""
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def draw_matrix(ax: Axes, trace: dict[str, Any], row_labels: bool) -> Any:
    """The matrix with its colour scale, rows top to bottom, and its axis labels."""
    z = np.array(trace["z"], dtype=float)
    image = ax.imshow(
        z,
        aspect="auto",
        interpolation="nearest",
        cmap=COLOUR_MAPS.get(str(trace.get("colorscale")), "viridis"),
        vmin=trace.get("zmin"),
        vmax=trace.get("zmax"),
    )
    ax.set_xticks(range(len(trace["x"])), trace["x"], rotation=90, fontsize=7)
    ax.yaxis.tick_right()
    if row_labels:
        ax.set_yticks(range(len(trace["y"])), trace["y"], fontsize=max(4, min(8, 400 // len(z))))
    else:
        ax.set_yticks([])
    return image


def draw_tracks(ax: Axes, trace: dict[str, Any]) -> None:
    """Annotation tracks: each code drawn in its colour of the trace's discrete scale."""
    scale = trace["colorscale"]
    colours = ListedColormap([scale[i][1] for i in range(0, len(scale), 2)])
    ax.imshow(
        np.array(trace["z"]),
        aspect="auto",
        interpolation="nearest",
        cmap=colours,
        vmin=trace["zmin"],
        vmax=trace["zmax"],
    )
    ax.set_xticks([])
    ax.set_yticks(range(len(trace["y"])), trace["y"], fontsize=7)


def draw_lines(ax: Axes, traces: list[dict[str, Any]]) -> None:
    """Dendrogram branches, without axes."""
    for trace in traces:
        ax.plot(as_floats(trace["x"]), as_floats(trace["y"]), color="#444", linewidth=0.6)
    ax.axis("off")


def render_heatmap(figure: dict[str, Any], image_format: str) -> bytes:
    """A heatmap figure as PNG or SVG bytes."""
    layout = figure.get("layout", {})
    labelled = bool(layout.get("yaxis", {}).get("showticklabels"))
    tracks = traces_on(figure, "heatmap", "x", "y3")
    top, left = traces_on(figure, "scatter", "x3", "y2"), traces_on(figure, "scatter", "x2", "y4")
    heights = [1.2 if top else 0.01, 0.25 * len(tracks[0]["y"]) if tracks else 0.01, 6.0]
    widths = [1.2 if left else 0.01, 7.0, 1.0 if labelled else 0.1, 0.25]
    fig, axes = plt.subplots(
        3, 4, figsize=(9, 8), dpi=120,
        gridspec_kw={"height_ratios": heights, "width_ratios": widths, "hspace": 0.04,
                     "wspace": 0.02},
    )  # fmt: skip
    try:
        for ax in axes.ravel():
            ax.axis("off")
        draw_parts(fig, axes, figure, tracks, (top, left), labelled)
        fig.suptitle(layout.get("title", {}).get("text", ""))
        buffer = io.BytesIO()
        fig.savefig(buffer, format=image_format, bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(fig)


def draw_parts(
    fig: Any,
    axes: np.ndarray,
    figure: dict[str, Any],
    tracks: list[dict[str, Any]],
    trees: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    labelled: bool,
) -> None:
    """The matrix and its colour bar, the trees beside it, the tracks above it."""
    main = figure["data"][0]
    axes[2, 1].axis("on")
    image = draw_matrix(axes[2, 1], main, labelled)
    axes[2, 3].axis("on")
    fig.colorbar(image, cax=axes[2, 3]).set_label(main["colorbar"]["title"]["text"])
    top, left = trees
    draw_lines(axes[0, 1], top)
    axes[0, 1].set_xlim(-0.5, len(main["x"]) - 0.5)
    draw_lines(axes[2, 0], left)
    axes[2, 0].set_ylim(len(main["y"]) - 0.5, -0.5)
    axes[2, 0].invert_xaxis()
    if tracks:
        axes[1, 1].axis("on")
        draw_tracks(axes[1, 1], tracks[0])
