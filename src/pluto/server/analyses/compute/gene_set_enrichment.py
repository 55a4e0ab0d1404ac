"""Preranked gene set enrichment (GSEApy) on the results of a differential expression.

Genes are ranked by a metric of their fold change and p-value (highest first) and every
gene set of the collection with ``min_size`` to ``max_size`` ranked genes is scored with
the weighted Kolmogorov-Smirnov enrichment score of GSEA; significance comes from gene
set permutations with a fixed seed, so the same inputs always give the same results.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationInfo, field_validator

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    clean_table,
    no_progress,
    plural,
)
from pluto.server.analyses.compute.parameters import (
    AnalysisId,
    Parameters,
    Text,
    WholeNumber,
    choices,
    problem,
)
from pluto.server.analyses.compute.versions import cited, package_version

COLUMNS = (
    "Gene_Set_Shortname",
    "Gene_Set_Name",
    "NES",
    "P_Value",
    "Adj_P_Value",
    "Size",
    "Leading_Edge",
)
DE_COLUMNS = ("Gene_Symbol", "Log2_Fold_Change", "P_Value")
RANK_METRICS = {
    "fold_change": "log2 fold change",
    "p_value": "-log10(p-value)",
    "sign_p_value": "sign(log2 fold change) * -log10(p-value)",
    "fold_change_p_value": "log2 fold change * -log10(p-value)",
}
RankBy = Literal["fold_change", "p_value", "sign_p_value", "fold_change_p_value"]
# p-values are floored here before -log10 so that p = 0 ranks first instead of being infinite.
P_VALUE_FLOOR = 1e-300
PERMUTATIONS = 1000
SEED = 0
SIGNIFICANT_FDR = 0.25


class GeneSetEnrichmentParameters(Parameters):
    """Which differential expression and collection, how to rank, which set sizes."""

    differential_expression_id: AnalysisId = Field(
        title="Differential expression result",
        description="The completed differential expression analysis whose genes are ranked.",
        json_schema_extra=choices("analyses", analysis_type="differential_expression"),
    )
    gene_set_collection: Text = Field(
        title="Gene set collection",
        description="The gene set collection to test (its short name).",
        json_schema_extra=choices("gene_set_collections"),
    )
    rank_by: RankBy = Field(
        title="Rank genes by", default="fold_change", description="How genes are ranked."
    )
    min_size: WholeNumber = Field(
        title="Smallest gene set",
        default=15,
        ge=1,
        le=10_000,
        description="Skip gene sets with fewer ranked genes.",
    )
    max_size: WholeNumber = Field(
        title="Largest gene set",
        default=500,
        ge=1,
        le=100_000,
        description="Skip gene sets with more ranked genes.",
    )

    @field_validator("max_size")
    @classmethod
    def not_below_min_size(cls, value: int, info: ValidationInfo) -> int:
        """The size bounds must leave room for a gene set."""
        low = info.data.get("min_size")
        if low is not None and value < low:
            raise problem(f"max_size ({value}) must be at least min_size ({low})")
        return value


@dataclass(frozen=True)
class PreparedSets:
    """The ranking (gene symbol → metric, highest first) and the gene sets restricted to
    ranked genes that are within the size bounds."""

    ranking: pd.Series
    gene_sets: dict[str, list[str]]
    collection_size: int


def check_inputs(
    params: GeneSetEnrichmentParameters, de_table: pd.DataFrame, collection: GeneSetCollection
) -> None:
    """Refuse a differential expression table that cannot be ranked, or a collection with
    no gene set of ``min_size`` to ``max_size`` ranked genes."""
    prepare(params, de_table, collection)


def prepare(
    params: GeneSetEnrichmentParameters, de_table: pd.DataFrame, collection: GeneSetCollection
) -> PreparedSets:
    """The ranking and the gene sets that can be tested."""
    ranking = rank_genes(de_table, params.rank_by)
    gene_sets = testable_sets(collection, ranking.index, params.min_size, params.max_size)
    return PreparedSets(ranking, gene_sets, len(collection))


def rank_genes(de_table: pd.DataFrame, rank_by: str) -> pd.Series:
    """Gene symbol → ranking metric, highest first. Ties are broken by larger absolute
    log2 fold change, then smaller p-value, then gene symbol, so the order is always the same."""
    check_de_table(de_table)
    lfc = de_table["Log2_Fold_Change"].to_numpy(dtype=float)
    p = np.clip(de_table["P_Value"].to_numpy(dtype=float), P_VALUE_FLOOR, 1.0)
    order = pd.DataFrame(
        {
            "gene": de_table["Gene_Symbol"].astype(str).to_numpy(),
            "metric": rank_metric(lfc, -np.log10(p), rank_by),
            "abs_lfc": np.abs(lfc),
            "p": p,
        }
    ).sort_values(
        ["metric", "abs_lfc", "p", "gene"], ascending=[False, False, True, True], kind="mergesort"
    )
    return pd.Series(order["metric"].to_numpy(), index=pd.Index(order["gene"], name="gene"))


def rank_metric(lfc: np.ndarray, minus_log_p: np.ndarray, rank_by: str) -> np.ndarray:
    """The ranking metric per gene, as RANK_METRICS defines it."""
    metrics = {
        "fold_change": lfc,
        "p_value": minus_log_p,
        "sign_p_value": np.sign(lfc) * minus_log_p,
        "fold_change_p_value": lfc * minus_log_p,
    }
    return metrics[rank_by] + 0.0  # + 0.0 turns -0.0 into 0.0 so zeros tie as one value


def check_de_table(de_table: pd.DataFrame) -> None:
    """Refuse a table without the differential expression columns, with gaps, or with a
    gene on two rows."""
    missing = [column for column in DE_COLUMNS if column not in de_table.columns]
    if missing:
        raise AnalysisInputError(
            f"The differential expression results lack the column(s) {', '.join(missing)}.",
            "de_table",
        )
    values = de_table.loc[:, list(DE_COLUMNS)]
    if values.isna().any().any() or not np.isfinite(values.iloc[:, 1:].to_numpy(dtype=float)).all():
        raise AnalysisInputError(
            "The differential expression results have missing values.", "de_table"
        )
    if len(de_table) < 2:
        raise AnalysisInputError(
            "The differential expression results have fewer than 2 genes.", "de_table"
        )
    duplicated = de_table["Gene_Symbol"][de_table["Gene_Symbol"].duplicated()]
    if len(duplicated):
        raise AnalysisInputError(
            f"Gene {duplicated.iloc[0]!r} appears twice in the differential expression results.",
            "de_table",
        )


def testable_sets(
    collection: GeneSetCollection, ranked: pd.Index, min_size: int, max_size: int
) -> dict[str, list[str]]:
    """Each gene set cut down to ranked genes, kept when its size is within the bounds
    (and smaller than the whole ranking, which GSEA needs)."""
    ranked_genes = set(ranked)
    restricted = {
        name: [gene for gene in gene_set.genes if gene in ranked_genes]
        for name, gene_set in collection.gene_sets.items()
    }
    kept = {
        name: genes
        for name, genes in restricted.items()
        if min_size <= len(genes) <= max_size and len(genes) < len(ranked)
    }
    if not kept:
        raise AnalysisInputError(
            no_sets_message(restricted, len(ranked), min_size, max_size), "min_size"
        )
    return kept


def no_sets_message(
    restricted: dict[str, list[str]], ranked: int, min_size: int, max_size: int
) -> str:
    """Why no gene set can be tested, with the sizes that were found."""
    sizes = [len(genes) for genes in restricted.values()]
    largest = max(sizes, default=0)
    hint = (
        " No gene of the collection is among the ranked genes: check that both use the same "
        "kind of gene symbols (and the same letter case)."
        if largest == 0
        else ""
    )
    return (
        f"No gene set has between {min_size} and {max_size} genes among the {ranked:,} ranked "
        f"genes (the largest has {largest}); adjust min_size or max_size.{hint}"
    )


def run_prerank(prepared: PreparedSets) -> pd.DataFrame:
    """GSEApy's preranked GSEA, on opaque gene tokens so that its own handling of letter
    case and duplicate names never changes which genes match."""
    tokens = pd.Index([f"G{i:07d}" for i in range(len(prepared.ranking))])
    token_of = dict(zip(prepared.ranking.index, tokens, strict=True))
    gene_of = dict(zip(tokens, prepared.ranking.index, strict=True))
    prerank = quiet_prerank(
        pd.Series(prepared.ranking.to_numpy(), index=tokens),
        {name: [token_of[g] for g in genes] for name, genes in prepared.gene_sets.items()},
    )
    prerank.run()
    frame = prerank.res2d.copy()
    frame["Lead_genes"] = [
        ";".join(gene_of[t] for t in str(lead).split(";") if t) for lead in frame["Lead_genes"]
    ]
    return frame


def quiet_prerank(ranking: pd.Series, gene_sets: dict[str, list[str]]) -> Any:
    """A GSEApy Prerank in the given order (ascending=None keeps it), with its log
    limited to errors (ties are already broken here, so its warning about them is noise),
    on every core this process may use (results do not depend on the thread count)."""
    from gseapy.gsea import Prerank

    prerank = Prerank(
        rnk=ranking,
        gene_sets=gene_sets,
        min_size=1,
        max_size=len(ranking),
        permutation_num=PERMUTATIONS,
        weight=1.0,
        ascending=None,
        threads=1,
        seed=SEED,
        outdir=None,
        no_plot=True,
        verbose=False,
    )
    prerank._logger.setLevel(logging.ERROR)
    prerank._threads = len(os.sched_getaffinity(0))
    return prerank


def run(
    params: GeneSetEnrichmentParameters,
    de_table: pd.DataFrame,
    collection: GeneSetCollection,
    progress: Progress = no_progress,
) -> AnalysisResult:
    """Preranked GSEA: one row per tested gene set, most significant first."""
    progress(0.05, "Ranking genes")
    prepared = prepare(params, de_table, collection)
    progress(
        0.15,
        f"Testing {plural(len(prepared.gene_sets), 'gene set')} with {PERMUTATIONS:,} permutations",
    )
    raw = run_prerank(prepared)
    progress(0.95, "Writing results")
    table = results_table(raw, prepared, collection)
    summary = summarise(prepared, table)
    return AnalysisResult(
        table=table,
        methods=methods_text(params, prepared, summary),
        display={
            "score_column": "NES",
            "label_column": "Gene_Set_Name",
            "p_value_threshold": SIGNIFICANT_FDR,
        },
        summary=summary,
    )


def results_table(
    raw: pd.DataFrame, prepared: PreparedSets, collection: GeneSetCollection
) -> pd.DataFrame:
    """The API's columns; undefined scores as NES 0 and p-values of 1."""
    names = raw["Term"].astype(str)
    table = pd.DataFrame(
        {
            "Gene_Set_Shortname": names,
            "Gene_Set_Name": [
                readable_name(name, collection.gene_sets[name].description) for name in names
            ],
            "NES": finite(raw["NES"], 0.0),
            "P_Value": finite(raw["NOM p-val"], 1.0).clip(0.0, 1.0),
            "Adj_P_Value": finite(raw["FDR q-val"], 1.0).clip(0.0, 1.0),
            "Size": [len(prepared.gene_sets[name]) for name in names],
            "Leading_Edge": raw["Lead_genes"].astype(str),
        }
    )
    table["Size"] = table["Size"].astype(np.int64)
    table["_abs_nes"] = -table["NES"].abs()
    table = table.sort_values(
        ["Adj_P_Value", "P_Value", "_abs_nes", "Gene_Set_Shortname"], kind="mergesort"
    )
    return clean_table(table, COLUMNS)


def finite(values: pd.Series, fill: float) -> pd.Series:
    """Numbers with NaN and infinities replaced by ``fill``."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.where(np.isfinite(numbers), fill)


def readable_name(name: str, description: str) -> str:
    """The set's description when it is a name (not empty, not a link), else its name."""
    is_link = description.lower().startswith(("http://", "https://"))
    if description and not is_link and description.upper() != "NA":
        return description
    return name


def summarise(prepared: PreparedSets, table: pd.DataFrame) -> dict[str, Any]:
    """Numbers of genes and gene sets, for the methods text and the analysis page."""
    return {
        "genes_ranked": len(prepared.ranking),
        "gene_sets_in_collection": prepared.collection_size,
        "gene_sets_tested": len(table),
        "gene_sets_significant": int((table["Adj_P_Value"] < SIGNIFICANT_FDR).sum()),
        "gene_sets_positive": int((table["NES"] > 0).sum()),
        "gene_sets_negative": int((table["NES"] < 0).sum()),
        "permutations": PERMUTATIONS,
        "seed": SEED,
    }


def methods_text(
    params: GeneSetEnrichmentParameters, prepared: PreparedSets, summary: dict[str, Any]
) -> str:
    """One paragraph saying exactly what ran."""
    return (
        f"Gene set enrichment was tested by preranked GSEA with GSEApy "
        f"{package_version('gseapy')} ({cited('numpy', 'pandas')}) on the "
        f"{summary['genes_ranked']:,} genes of differential expression analysis "
        f"{params.differential_expression_id}, ranked from highest to lowest "
        f"{RANK_METRICS[params.rank_by]} (rank_by = {params.rank_by}; p-values below "
        f"{P_VALUE_FLOOR:g} were set to {P_VALUE_FLOOR:g}; ties broken by larger absolute log2 "
        "fold change, then smaller p-value, then gene symbol). Gene sets of the collection "
        f"{params.gene_set_collection!r} were restricted to ranked genes, and the "
        f"{summary['gene_sets_tested']:,} of {summary['gene_sets_in_collection']:,} sets with "
        f"{params.min_size} to {params.max_size} ranked genes were tested (Size is that number). "
        "Enrichment scores are weighted Kolmogorov-Smirnov running sums (weight 1); "
        f"significance comes from {PERMUTATIONS:,} gene set permutations with seed {SEED}, "
        "normalised enrichment scores (NES) divide each score by the mean of permuted scores "
        "of the same sign, P_Value is the nominal permutation p-value (0 means none of the "
        f"permutations reached the observed score, p < 1/{PERMUTATIONS:,}) and Adj_P_Value is "
        f"GSEA's false discovery rate q-value; {summary['gene_sets_significant']:,} sets had "
        f"q < {SIGNIFICANT_FDR:g}. Leading_Edge lists the leading-edge genes. Sets whose score "
        "could not be normalised would be reported with NES 0 and p-values of 1."
    )
