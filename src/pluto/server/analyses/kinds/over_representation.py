"""Over-representation: which gene sets are enriched among the significant genes of a
differential expression (hypergeometric test), shown as a dot plot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import numpy as np
import pandas as pd
from pydantic import Field, StrictBool, ValidationInfo, field_validator

from pluto.server.analyses import figures
from pluto.server.analyses.compute import over_representation as compute
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.compute.parameters import (
    AnalysisId,
    Number,
    Text,
    WholeNumber,
    choices,
    problem,
)
from pluto.server.analyses.displays import Label, Options, PValue
from pluto.server.analyses.kind import Display, FigureContext, Inputs, Kind, Parameters

SOURCE, COLLECTION = "differential_expression_id", "gene_set_collection"
DE_DEFAULT_ALPHA = 0.05
DOT_DEFAULTS: dict[str, Any] = {"top_n": 20, "p_value_threshold": compute.SIGNIFICANT_FDR}
LARGEST_DOT = 28
SMALLEST_DOT = 6


class OverRepresentationParameters(Parameters):
    """Which differential expression and genes, which collection, which set sizes."""

    differential_expression_id: AnalysisId = Field(
        description="The completed differential expression whose significant genes are tested.",
        json_schema_extra=choices("analyses", analysis_type="differential_expression"),
    )
    gene_set_collection: Text = Field(
        description="The gene set collection to test (its short name).",
        json_schema_extra=choices("gene_set_collections"),
    )
    direction: compute.Direction = Field(
        default="all", description="Test the genes raised (up), lowered (down) or both (all)."
    )
    p_value_threshold: Number | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Genes below this (adjusted) p-value are significant; by default the "
        "alpha the differential expression ran with.",
    )
    use_adjusted_p_value: StrictBool = Field(
        default=True, description="Compare adjusted p-values (false: raw p-values)."
    )
    fold_change_threshold: Number = Field(
        default=0.0,
        ge=0,
        le=100,
        description="Significant genes must also change by at least this absolute log2 fold "
        "change (0: any change, as differential expression calls genes).",
    )
    min_size: WholeNumber = Field(
        default=10, ge=1, le=100_000, description="Skip gene sets with fewer tested genes."
    )
    max_size: WholeNumber = Field(
        default=500, ge=1, le=100_000, description="Skip gene sets with more tested genes."
    )

    @field_validator("max_size")
    @classmethod
    def not_below_min_size(cls, value: int, info: ValidationInfo) -> int:
        """The size bounds must leave room for a gene set."""
        low = info.data.get("min_size")
        if low is not None and value < low:
            raise problem(f"the largest set size, max_size = {value}, is below min_size = {low}")
        return value


def thresholds(params: OverRepresentationParameters, inputs: Inputs) -> compute.Thresholds:
    """The thresholds given, the p-value one by default the differential expression's alpha."""
    p_value = params.p_value_threshold
    if p_value is None:
        p_value = source_alpha(inputs.parameters_of(params.differential_expression_id, SOURCE))
    return compute.Thresholds(
        params.direction, p_value, params.use_adjusted_p_value, params.fold_change_threshold
    )


def source_alpha(source_parameters: Mapping[str, Any]) -> float:
    """The alpha a differential expression ran with (its default when it was not given)."""
    alpha = source_parameters.get("alpha")
    if isinstance(alpha, int | float) and not isinstance(alpha, bool) and 0 < alpha < 1:
        return float(alpha)
    return DE_DEFAULT_ALPHA


def bounds(params: OverRepresentationParameters) -> compute.SizeBounds:
    """The set sizes to test."""
    return compute.SizeBounds(params.min_size, params.max_size)


def analysis_inputs(
    params: OverRepresentationParameters, inputs: Inputs
) -> tuple[pd.DataFrame, GeneSetCollection, compute.Thresholds]:
    """The differential expression's results, the collection and the thresholds."""
    de_table = inputs.results(params.differential_expression_id, SOURCE)
    collection = inputs.gene_sets(params.gene_set_collection, COLLECTION)
    return de_table, collection, thresholds(params, inputs)


def check(params: OverRepresentationParameters, inputs: Inputs) -> None:
    """Some gene is significant in the chosen direction and some set has a testable size."""
    de_table, collection, chosen = analysis_inputs(params, inputs)
    selection = compute.select_genes(de_table, chosen)
    compute.tested_sets(collection, selection.universe, bounds(params))


def run(params: OverRepresentationParameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """The hypergeometric test of every gene set within the size bounds."""
    progress(0.05, "Loading differential expression results and gene sets")
    de_table, collection, chosen = analysis_inputs(params, inputs)
    progress(0.3, "Testing gene sets")
    names = (params.differential_expression_id, params.gene_set_collection)
    return compute.analyse(de_table, collection, chosen, bounds(params), names)


class DotPlotOptions(Options):
    """``dot_plot``: how many gene sets, below which adjusted p-value."""

    top_n: Annotated[int, Field(ge=1, le=1000)] | None = None
    p_value_threshold: PValue | None = None
    x_label: Label | None = None
    y_label: Label | None = None


def dot_figure(
    table: pd.DataFrame, title: str, options: Mapping[str, Any], context: FigureContext
) -> dict[str, Any]:
    """Fold enrichment of the most significant gene sets: one dot per set, its area the
    overlap, its colour the adjusted p-value."""
    opts = figures.merged_options({**DOT_DEFAULTS, **context.computed}, dict(options))
    threshold = float(opts["p_value_threshold"])
    shown = shown_sets(table, int(opts["top_n"]), threshold)
    figure_layout = figures.layout(
        title, opts.get("x_label") or "Fold enrichment", opts.get("y_label") or ""
    )
    figure_layout["margin"]["l"] = 260
    figure_layout["yaxis"]["automargin"] = True
    if shown.empty:
        figure_layout["annotations"] = [nothing_shown_note(threshold)]
        return {"data": [], "layout": figure_layout}
    return {"data": [dot_trace(shown)], "layout": figure_layout}


def shown_sets(table: pd.DataFrame, top_n: int, threshold: float) -> pd.DataFrame:
    """The ``top_n`` most significant sets below the threshold, largest enrichment on top
    (plotly draws the first category at the bottom)."""
    passing = table[table["Adj_P_Value"] < threshold]
    top = passing.sort_values(["Adj_P_Value", "P_Value"], kind="mergesort").head(top_n)
    return top.sort_values("Fold_Enrichment", kind="mergesort")


def set_labels(shown: pd.DataFrame) -> list[str]:
    """Each set's name, with its short name added where two shown sets share a name."""
    names = shown["Gene_Set_Name"].astype(str)
    repeated = names.duplicated(keep=False)
    return [
        f"{name} ({short})" if twice else name
        for name, short, twice in zip(names, shown["Gene_Set_Shortname"], repeated, strict=True)
    ]


def dot_trace(shown: pd.DataFrame) -> dict[str, Any]:
    """The dots: x fold enrichment, area overlap, colour adjusted p (darker is smaller)."""
    overlap = shown["Overlap"].to_numpy(dtype=float)
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "Gene sets",
        "x": shown["Fold_Enrichment"].round(4).tolist(),
        "y": set_labels(shown),
        "customdata": np.column_stack(
            [shown["Overlap"], shown["Set_Size"], shown["Adj_P_Value"]]
        ).tolist(),
        "hovertemplate": "%{y}<br>fold enrichment %{x}<br>%{customdata[0]} of "
        "%{customdata[1]} genes<br>adj. p %{customdata[2]:.3g}<extra></extra>",
        "marker": {
            "size": overlap.tolist(),
            "sizemode": "area",
            "sizeref": 2.0 * float(overlap.max()) / LARGEST_DOT**2,
            "sizemin": SMALLEST_DOT,
            "color": shown["Adj_P_Value"].tolist(),
            "colorscale": "Reds",
            "reversescale": True,
            "colorbar": {"title": {"text": "adj. p"}},
            "line": {"width": 0.5, "color": "#444"},
        },
        "showlegend": False,
    }


def nothing_shown_note(threshold: float) -> dict[str, Any]:
    """What the empty plot says."""
    return {
        "text": f"No gene set has an adjusted p-value below {threshold:g}; raise "
        "p_value_threshold to show more.",
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "showarrow": False,
    }


KIND = Kind(
    analysis_type="over_representation",
    title="Over-representation",
    summary=(
        "Which gene sets are enriched among the significant genes of a differential "
        "expression (hypergeometric test), as a dot plot."
    ),
    parameters=OverRepresentationParameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    search_columns=("Gene_Set_Shortname", "Gene_Set_Name"),
    displays=(Display("dot_plot", DotPlotOptions, dot_figure, defaults=DOT_DEFAULTS),),
    aliases=("ora", "over-representation"),
    needs_counts=False,
)
