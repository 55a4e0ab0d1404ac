"""Static renderings of ``kaplan_meier_curve`` figures (see survival_figure.py) with
matplotlib: step curves, shaded bands, censoring ticks and the log-rank p-value, and the
number-at-risk table on its own axes under them, from the same figure dict the page draws."""

from __future__ import annotations

import io
import re
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

MARKER = "kaplan_meier_curve"
RGBA = re.compile(r"rgba\((\d+),(\d+),(\d+),([\d.]+)\)")


def is_kaplan_meier(figure: dict[str, Any]) -> bool:
    """Whether the figure is a Kaplan-Meier figure (its layout says so in ``meta``)."""
    meta = figure.get("layout", {}).get("meta")
    return isinstance(meta, dict) and meta.get("display") == MARKER


def colour(value: str) -> Any:
    """A plotly colour as matplotlib takes it (``rgba(r,g,b,a)`` as a tuple)."""
    found = RGBA.fullmatch(value.replace(" ", ""))
    if found is None:
        return value
    red, green, blue, alpha = found.groups()
    return (int(red) / 255, int(green) / 255, int(blue) / 255, float(alpha))


def draw_curves(ax: Axes, traces: list[dict[str, Any]]) -> None:
    """Bands (an upper end, then a lower end filled up to it), curves and censoring ticks."""
    upper: dict[str, Any] | None = None
    for trace in traces:
        line = trace.get("line", {})
        if trace["mode"] == "markers":
            ax.plot(
                trace["x"],
                trace["y"],
                linestyle="none",
                marker="|",
                markersize=8,
                color=trace["marker"]["color"],
            )
        elif trace.get("fill") == "tonexty" and upper is not None:
            ax.fill_between(
                trace["x"],
                upper["y"],
                trace["y"],
                step="post",
                linewidth=0,
                color=colour(trace["fillcolor"]),
            )
        elif trace.get("showlegend") is False:
            upper = trace
        else:
            ax.step(
                trace["x"],
                trace["y"],
                where="post",
                color=line.get("color"),
                linewidth=line.get("width", 2),
                label=trace.get("name"),
            )


def draw_main_layout(ax: Axes, layout: dict[str, Any]) -> None:
    """Title, axis titles and ranges, the p-value note and the legend."""
    ax.set_title(layout.get("title", {}).get("text", ""))
    ax.set_xlabel(layout["xaxis"].get("title", {}).get("text", ""))
    ax.set_ylabel(layout["yaxis"].get("title", {}).get("text", ""))
    ax.set_ylim(*layout["yaxis"].get("range", [0, 1.02]))
    if "range" in layout["xaxis"]:
        ax.set_xlim(*layout["xaxis"]["range"])
    if "tickvals" in layout["xaxis"]:
        ax.set_xticks(layout["xaxis"]["tickvals"])
    for note in layout.get("annotations", []):
        if note.get("xref") == "x domain":
            ax.text(note["x"], note["y"], note["text"], transform=ax.transAxes, fontsize=9)
    ax.grid(alpha=0.25)
    ax.legend(loc="upper right", fontsize=8, frameon=False)


def draw_risk_table(ax: Axes, traces: list[dict[str, Any]], layout: dict[str, Any]) -> None:
    """The numbers at risk: one row per group, the first on top, at the table's times."""
    rows = list(layout["yaxis2"]["categoryarray"])
    for trace in traces:
        place = rows.index(trace["y"][0])
        for x, text in zip(trace["x"], trace["text"], strict=True):
            ax.text(
                x,
                place,
                text,
                ha="center",
                va="center",
                fontsize=8,
                color=trace["textfont"]["color"],
            )
    ax.set_ylim(-0.5, len(rows) - 0.5)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.tick_params(axis="x", labelbottom=False, length=0)
    ax.set_title("Number at risk", loc="left", fontsize=9)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)


def render_kaplan_meier(figure: dict[str, Any], image_format: str) -> bytes:
    """The figure as PNG or SVG bytes (SVG text kept as text)."""
    layout = figure["layout"]
    table = [t for t in figure["data"] if t.get("yaxis") == "y2"]
    curves = [t for t in figure["data"] if t.get("yaxis") != "y2"]
    with plt.rc_context({"svg.fonttype": "none"}):
        rows = 2 if table else 1
        ratios = [3.2, 0.5 + 0.25 * len(table)] if table else [1]
        fig, axes = plt.subplots(
            rows,
            1,
            figsize=(8, 6),
            dpi=120,
            sharex=True,
            squeeze=False,
            gridspec_kw={"height_ratios": ratios},
        )
        try:
            draw_curves(axes[0][0], curves)
            draw_main_layout(axes[0][0], layout)
            axes[0][0].tick_params(axis="x", labelbottom=True)
            if table:
                draw_risk_table(axes[1][0], table, layout)
            fig.tight_layout()
            buffer = io.BytesIO()
            fig.savefig(buffer, format=image_format)
            return buffer.getvalue()
        finally:
            plt.close(fig)
