"""Static PNG and SVG renderings of a plotly figure dict, drawn with matplotlib.

The server renders them itself (no browser process), from the same figure the page shows.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from pluto.server.analyses.heatmap_image import is_heatmap, render_heatmap
from pluto.server.analyses.survival_image import is_kaplan_meier, render_kaplan_meier
from pluto.server.errors import NotFound

CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


Positions = dict[str, int]


def draw_points(ax: Axes, trace: dict[str, Any], positions: Positions) -> None:
    """A scatter or scattergl trace (sizes and colours per point, with a colour bar)."""
    marker = trace.get("marker", {})
    points = ax.scatter(
        trace["x"],
        trace["y"],
        s=marker_areas(marker),
        c=marker.get("color"),
        cmap=colour_map(marker),
        alpha=marker.get("opacity", 0.9),
        label=trace.get("name"),
        linewidths=0,
    )
    colour_bar = marker.get("colorbar")
    if colour_bar is not None and isinstance(marker.get("color"), list):
        bar = ax.figure.colorbar(points, ax=ax)
        bar.set_label(colour_bar.get("title", {}).get("text", ""))


def marker_areas(marker: dict[str, Any]) -> Any:
    """Matplotlib marker areas for plotly sizes: one size for all points, or one per point
    (with ``sizemode: area`` the size is an area scaled by ``sizeref``, as plotly draws it)."""
    sizes = np.asarray(marker.get("size", 6), dtype=float)
    reference = float(marker.get("sizeref", 1.0))
    if marker.get("sizemode") == "area":
        diameters = np.sqrt(sizes / reference)
    else:
        diameters = sizes / reference
    diameters = np.maximum(diameters, float(marker.get("sizemin", 0)))
    return diameters**2 / 2


def colour_map(marker: dict[str, Any]) -> str | None:
    """The matplotlib colour map of a plotly colour scale named like one (``Reds``)."""
    scale = marker.get("colorscale")
    if not isinstance(scale, str) or scale not in matplotlib.colormaps:
        return None
    return f"{scale}_r" if marker.get("reversescale") else scale


def draw_bars(ax: Axes, trace: dict[str, Any], positions: Positions) -> None:
    """A bar trace: horizontal ones along y, vertical ones at their category's place."""
    colour = trace.get("marker", {}).get("color")
    if trace.get("orientation") == "h":
        ax.barh(trace["y"], trace["x"], color=colour)
        return
    places = [positions[str(x)] for x in trace["x"]]
    ax.bar(places, trace["y"], color=colour, label=trace.get("name"))


def draw_boxes(ax: Axes, trace: dict[str, Any], positions: Positions) -> None:
    """A box trace given by its quartiles and fences (plotly's q1, median, q3, lowerfence,
    upperfence), one box per category of x."""
    colour = trace.get("marker", {}).get("color")
    keys = ("q1", "median", "q3", "lowerfence", "upperfence")
    stats = [
        {"q1": q1, "med": median, "q3": q3, "whislo": low, "whishi": high}
        for q1, median, q3, low, high in zip(*(trace[key] for key in keys), strict=True)
    ]
    ax.bxp(
        stats,
        positions=[positions[str(x)] for x in trace["x"]],
        showfliers=False,
        patch_artist=True,
        boxprops={"facecolor": colour, "alpha": 0.45, "edgecolor": colour},
        medianprops={"color": colour},
        whiskerprops={"color": colour},
        capprops={"color": colour},
    )
    # bxp draws no legend entry of its own.
    ax.plot([], [], color=colour, linewidth=6, alpha=0.45, label=trace.get("name"))


DRAWERS = {
    "scatter": draw_points,
    "scattergl": draw_points,
    "bar": draw_bars,
    "box": draw_boxes,
}


def draw_trace(ax: Axes, trace: dict[str, Any], positions: Positions) -> None:
    """One plotly trace on matplotlib axes; a type without a drawing is a clear 404."""
    drawer = DRAWERS.get(str(trace.get("type", "scatter")))
    if drawer is None:
        raise NotFound(
            f"This plot has no static image ({trace.get('type')} traces are not drawn); "
            "GET its figure/ for the interactive figure."
        )
    drawer(ax, trace, positions)


def categories(figure: dict[str, Any]) -> Positions:
    """The place of each category of a categorical x axis (boxes, vertical bars): in the
    layout's order when it gives one, else in order of appearance."""
    axis = figure.get("layout", {}).get("xaxis", {})
    if axis.get("type") != "category":
        return {}
    ordered = [str(x) for x in axis.get("categoryarray") or []]
    for trace in figure.get("data", []):
        ordered += [str(x) for x in trace.get("x", [])]
    return {name: place for place, name in enumerate(dict.fromkeys(ordered))}


def draw_categories(ax: Axes, positions: Positions) -> None:
    """Category names under their places, turned upright when side by side they would
    overlap."""
    if positions:
        crowded = sum(len(name) + 2 for name in positions) > 64
        ax.set_xticks(list(positions.values()), list(positions), rotation=90 if crowded else 0)


def draw_layout(ax: Axes, layout: dict[str, Any]) -> None:
    """Titles, threshold lines and gene labels."""
    ax.set_title(layout.get("title", {}).get("text", ""))
    ax.set_xlabel(layout.get("xaxis", {}).get("title", {}).get("text", ""))
    ax.set_ylabel(layout.get("yaxis", {}).get("title", {}).get("text", ""))
    for shape in layout.get("shapes", []):
        ax.axvline(shape["x0"], linestyle="--", color="#888", linewidth=0.8)
    for note in layout.get("annotations", []):
        ax.annotate(
            note["text"],
            (note["x"], note["y"]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
        )
    ax.grid(alpha=0.25)


def render(figure: dict[str, Any], image_format: str, width: float = 8, height: float = 6) -> bytes:
    """The figure as PNG or SVG bytes."""
    if is_heatmap(figure):
        return render_heatmap(figure, image_format)
    if is_kaplan_meier(figure):
        return render_kaplan_meier(figure, image_format)
    fig, ax = plt.subplots(figsize=(width, height), dpi=120)
    try:
        positions = categories(figure)
        for trace in figure.get("data", []):
            draw_trace(ax, trace, positions)
        draw_layout(ax, figure.get("layout", {}))
        draw_categories(ax, positions)
        if any(t.get("name") for t in figure.get("data", [])):
            ax.legend(loc="best", fontsize=8, frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=image_format)
        return buffer.getvalue()
    finally:
        plt.close(fig)
