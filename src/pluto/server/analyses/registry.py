"""The built-in analysis types: their compute module, display type and default name."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from pluto.server.analyses.compute import (
    differential_expression,
    gene_set_enrichment,
    principal_components,
    umap_embedding,
)
from pluto.server.errors import InvalidInput


@dataclass(frozen=True)
class AnalysisKind:
    """What the server needs to know about one analysis type."""

    analysis_type: str
    module: ModuleType
    display_type: str
    default_name: str
    needs_counts: bool = True


KINDS = {
    kind.analysis_type: kind
    for kind in (
        AnalysisKind(
            "differential_expression",
            differential_expression,
            "volcano_plot_v2",
            "Differential expression",
        ),
        AnalysisKind(
            "principal_components",
            principal_components,
            "sample_scatter_plot",
            "Principal components",
        ),
        AnalysisKind("umap", umap_embedding, "sample_scatter_plot", "UMAP"),
        AnalysisKind(
            "gene_set_enrichment",
            gene_set_enrichment,
            "score_bar_plot",
            "Gene set enrichment",
            needs_counts=False,
        ),
    )
}


def kind_of(analysis_type: object) -> AnalysisKind:
    """The registered analysis type, or an error listing the ones there are."""
    kind = KINDS.get(analysis_type) if isinstance(analysis_type, str) else None
    if kind is None:
        raise InvalidInput(
            f"'analysis_type' must be one of {', '.join(KINDS)} (got {analysis_type!r}).",
            details={"field": "analysis_type", "allowed": list(KINDS)},
        )
    return kind
