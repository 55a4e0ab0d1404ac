"""Gene set enrichment: which gene sets move together in a differential expression result."""

from __future__ import annotations

import pandas as pd

from pluto.server.analyses.compute import gene_set_enrichment as compute
from pluto.server.analyses.compute.inputs import AnalysisResult, Progress
from pluto.server.analyses.displays import SCORE_BAR
from pluto.server.analyses.kind import Inputs, Kind

Parameters = compute.GeneSetEnrichmentParameters
SOURCE, COLLECTION = "differential_expression_id", "gene_set_collection"


def check(params: Parameters, inputs: Inputs) -> None:
    """The differential expression can be ranked and some gene set has room to be tested."""
    compute.check_inputs(params, de_table(params, inputs), collection(params, inputs))


def run(params: Parameters, inputs: Inputs, progress: Progress) -> AnalysisResult:
    """Preranked GSEA of the differential expression's genes."""
    progress(0.05, "Loading differential expression results and gene sets.")
    return compute.run(params, de_table(params, inputs), collection(params, inputs), progress)


def de_table(params: Parameters, inputs: Inputs) -> pd.DataFrame:
    """The results of the differential expression this enrichment builds on."""
    return inputs.results(params.differential_expression_id, SOURCE)


def collection(params: Parameters, inputs: Inputs) -> compute.GeneSetCollection:
    """The gene set collection to test."""
    return inputs.gene_sets(params.gene_set_collection, COLLECTION)


KIND = Kind(
    analysis_type="gene_set_enrichment",
    title="Gene set enrichment",
    summary="Which gene sets move together in a differential expression result (preranked GSEA).",
    parameters=Parameters,
    check=check,
    run=run,
    columns=compute.COLUMNS,
    search_columns=("Gene_Set_Shortname", "Gene_Set_Name"),
    displays=(SCORE_BAR,),
    aliases=("gsea", "gene-set-enrichment"),
    needs_counts=False,
    libraries=("gseapy.gsea",),
)
