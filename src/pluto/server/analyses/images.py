"""Static PNG and SVG renderings of a plotly figure dict, drawn with matplotlib.

The server renders them itself (no browser process), from the same figure the page shows.
"""

from __future__ import annotations

import io
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from pluto.server.analyses.heatmap_image import is_heatmap, render_heatmap

CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def draw_trace(ax: Axes, trace: dict[str, Any]) -> None:
    """One plotly trace on matplotlib axes (scatter, scattergl and horizontal bar)."""
    marker = trace.get("marker", {})
    if trace.get("type") == "bar":
        ax.barh(trace["y"], trace["x"], color=marker.get("color"))
        return
    size = float(marker.get("size", 6)) ** 2 / 2
    ax.scatter(
        trace["x"],
        trace["y"],
        s=size,
        c=marker.get("color"),
        alpha=marker.get("opacity", 0.9),
        label=trace.get("name"),
        linewidths=0,
    )


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
    fig, ax = plt.subplots(figsize=(width, height), dpi=120)
    try:
        for trace in figure.get("data", []):
            draw_trace(ax, trace)
        draw_layout(ax, figure.get("layout", {}))
        if any(t.get("type") != "bar" for t in figure.get("data", [])):
            ax.legend(loc="best", fontsize=8, frameon=False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=image_format)
        return buffer.getvalue()
    finally:
        plt.close(fig)
