"""Plotly figures (as JSON-ready dicts) built from results tables and display options.

Built by hand rather than through ``plotly.graph_objects`` so a figure of 20,000 points is a
few list conversions, not a validation pass over every attribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from pluto.server.analyses.kind import FigureContext

UP, DOWN, FLAT = "#c0362c", "#3d4fd6", "#a7adba"
PALETTE = ["#3d4fd6", "#e07a1f", "#1f9e6e", "#c0362c", "#8a4fd6", "#2aa7c9", "#b8860b", "#d6458a"]
VOLCANO_DEFAULTS: dict[str, Any] = {
    "fold_change_threshold": 1.0,
    "p_value_threshold": 0.05,
    "use_adjusted_p_value": True,
    "label_top": 10,
    "label_genes": [],
}
SCATTER_DEFAULTS: dict[str, Any] = {"color_by": None}
BAR_DEFAULTS: dict[str, Any] = {"top_n": 20, "p_value_threshold": 0.25}


def merged_options(defaults: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Display options over their defaults (unknown keys are kept for the page)."""
    return {**defaults, **{k: v for k, v in options.items() if v is not None}}


def layout(title: str, x_title: str, y_title: str) -> dict[str, Any]:
    """The common layout: title, axis titles, a clean template."""
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": x_title}, "zeroline": False},
        "yaxis": {"title": {"text": y_title}, "zeroline": False},
        "template": "plotly_white",
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.15},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
    }


def volcano_classes(table: pd.DataFrame, opts: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Per gene: -log10 p (the plotted value) and 'up'/'down'/'ns'."""
    p_column = "Adj_P_Value" if opts["use_adjusted_p_value"] else "P_Value"
    p = table[p_column].to_numpy(dtype=float)
    lfc = table["Log2_Fold_Change"].to_numpy(dtype=float)
    significant = (p < float(opts["p_value_threshold"])) & (
        np.abs(lfc) >= float(opts["fold_change_threshold"])
    )
    classes = np.where(significant & (lfc > 0), "up", np.where(significant, "down", "ns"))
    y = -np.log10(np.clip(table["P_Value"].to_numpy(dtype=float), 1e-300, 1.0))
    return y, classes


def point_names(table: pd.DataFrame) -> np.ndarray:
    """What names each point: its gene symbol; for peaks (a ``peak_id`` column), the nearest
    gene, or the peak id when the peak has no gene."""
    genes = table["Gene_Symbol"].astype(str).to_numpy()
    if "peak_id" not in table.columns:
        return genes
    return np.where(genes != "", genes, table["peak_id"].astype(str).to_numpy())


def hover_names(table: pd.DataFrame) -> np.ndarray:
    """What a point's hover text starts with: the gene symbol, or the whole peak id (which
    carries its gene) so that peaks near the same gene stay apart."""
    column = "peak_id" if "peak_id" in table.columns else "Gene_Symbol"
    return table[column].astype(str).to_numpy()


def volcano_labels(table: pd.DataFrame, opts: dict[str, Any]) -> pd.DataFrame:
    """The genes to label: those asked for (by gene symbol, or for peaks also by peak id),
    else the most significant few."""
    wanted = [str(g) for g in opts.get("label_genes") or []]
    if wanted:
        chosen = table["Gene_Symbol"].isin(wanted)
        if "peak_id" in table.columns:
            chosen |= table["peak_id"].isin(wanted)
        return table[chosen]
    top = int(opts.get("label_top") or 0)
    return table.nsmallest(top, "P_Value") if top > 0 else table.iloc[0:0]


def volcano_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Volcano plot: log2 fold change against -log10 p, thresholds and labelled genes."""
    opts = merged_options(VOLCANO_DEFAULTS, options)
    y, classes = volcano_classes(table, opts)
    names = hover_names(table)
    traces = []
    for name, colour, label in (
        ("up", UP, "Up"),
        ("down", DOWN, "Down"),
        ("ns", FLAT, "Not significant"),
    ):
        mask = classes == name
        traces.append(
            {
                "type": "scattergl",
                "mode": "markers",
                "name": f"{label} ({int(mask.sum())})",
                "x": table["Log2_Fold_Change"].to_numpy()[mask].round(4).tolist(),
                "y": y[mask].round(4).tolist(),
                "text": names[mask].tolist(),
                "hovertemplate": "%{text}<br>log2FC %{x}<br>-log10 p %{y}<extra></extra>",
                "marker": {"color": colour, "size": 5, "opacity": 0.75},
            }
        )
    figure_layout = layout(
        title, opts.get("x_label") or "log2 fold change", opts.get("y_label") or "-log10 p-value"
    )
    figure_layout["annotations"] = label_annotations(table, opts)
    figure_layout["shapes"] = threshold_shapes(float(opts["fold_change_threshold"]))
    return {"data": traces, "layout": figure_layout}


def label_annotations(table: pd.DataFrame, opts: dict[str, Any]) -> list[dict[str, Any]]:
    """Arrows naming the labelled genes (or peaks)."""
    labelled = volcano_labels(table, opts)
    y = -np.log10(np.clip(labelled["P_Value"].to_numpy(dtype=float), 1e-300, 1.0))
    names = point_names(labelled)
    return [
        {
            "x": float(x),
            "y": float(v),
            "text": str(g),
            "showarrow": True,
            "arrowhead": 0,
            "ax": 20,
            "ay": -20,
            "font": {"size": 11},
        }
        for g, x, v in zip(names, labelled["Log2_Fold_Change"], y, strict=True)
    ]


def threshold_shapes(fold_change: float) -> list[dict[str, Any]]:
    """Dashed vertical lines at ± the fold-change threshold."""
    return [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x,
            "x1": x,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dash", "color": "#888", "width": 1},
        }
        for x in (-fold_change, fold_change)
    ]


def scatter_axes(table: pd.DataFrame, display: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """The two plotted columns (the two after ``Sample_ID``) and their axis titles (with
    variance explained for principal components)."""
    if "PC1" in table.columns:
        explained = display.get("variance_explained") or []
        titles = [
            f"PC{i + 1}" + (f" ({explained[i] * 100:.1f}%)" if i < len(explained) else "")
            for i in range(2)
        ]
        return "PC1", "PC2", titles[0], titles[1]
    x_col, y_col = str(table.columns[1]), str(table.columns[2])
    return x_col, y_col, x_col, y_col


def scatter_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Samples in two dimensions, one colour per group (or per value of ``color_by``)."""
    opts = merged_options(SCATTER_DEFAULTS, options)
    x_col, y_col, x_title, y_title = scatter_axes(table, context.computed)
    groups = colour_groups(table, opts.get("color_by"), context.samples)
    traces = []
    for index, (name, rows) in enumerate(table.groupby(groups, sort=False)):
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": str(name),
                "x": rows[x_col].round(5).tolist(),
                "y": rows[y_col].round(5).tolist(),
                "text": rows["Sample_ID"].tolist(),
                "hovertemplate": "%{text}<extra>" + str(name) + "</extra>",
                "marker": {
                    "size": 11,
                    "color": PALETTE[index % len(PALETTE)],
                    "line": {"width": 1, "color": "#fff"},
                },
            }
        )
    return {
        "data": traces,
        "layout": layout(title, opts.get("x_label") or x_title, opts.get("y_label") or y_title),
    }


def colour_groups(
    table: pd.DataFrame, color_by: str | None, samples: pd.DataFrame | None
) -> pd.Series:
    """The group of each sample: a sample-table column when asked, else the analysis's group."""
    if color_by and samples is not None and color_by in samples.columns:
        values = samples[color_by].astype(str)
        return table["Sample_ID"].map(values).fillna("unknown")
    return table["group_name"].astype(str)


def bar_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Normalised enrichment scores of the most significant gene sets."""
    opts = merged_options(BAR_DEFAULTS, options)
    top = table.nsmallest(int(opts["top_n"]), "Adj_P_Value").sort_values("NES")
    colours = [UP if v > 0 else DOWN for v in top["NES"]]
    trace = {
        "type": "bar",
        "orientation": "h",
        "x": top["NES"].round(4).tolist(),
        "y": top["Gene_Set_Name"].astype(str).tolist(),
        "marker": {"color": colours},
        "customdata": top["Adj_P_Value"].tolist(),
        "hovertemplate": "%{y}<br>NES %{x}<br>adj. p %{customdata:.3g}<extra></extra>",
    }
    figure_layout = layout(
        title, opts.get("x_label") or "Normalised enrichment score", opts.get("y_label") or ""
    )
    figure_layout["margin"]["l"] = 220
    return {"data": [trace], "layout": figure_layout}
