"""Over-representation of a gene set collection among the significant genes of a
differential expression (the one-sided hypergeometric test, Fisher's exact test for
enrichment).

The universe is every gene the differential expression tested (its results' genes with a
p-value). The selected genes are those of the universe that pass the significance
thresholds in the chosen direction (up, down or all). Each gene set is cut down to the
universe, and every set whose size there (``Set_Size``) is within ``min_size`` to
``max_size`` is tested, those sharing no gene with the selection included (their p-value is
1). With N universe genes, n selected, K in the set and k in both, the p-value is
P(X >= k) for X hypergeometric, R's ``phyper(k - 1, K, N - K, n, lower.tail = FALSE)``;
p-values are adjusted over all tested sets by Benjamini-Hochberg (R's ``p.adjust(method =
"BH")``). ``scripts/validate_over_representation.py`` checks both against R.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, hypergeom

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.gene_set_enrichment import readable_name
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.compute.inputs import AnalysisResult, clean_table, plural
from pluto.server.analyses.compute.versions import cited

COLUMNS = (
    "Gene_Set_Shortname",
    "Gene_Set_Name",
    "Overlap",
    "Set_Size",
    "Expected",
    "Fold_Enrichment",
    "P_Value",
    "Adj_P_Value",
    "Genes",
)
DE_COLUMNS = ("Gene_Symbol", "Log2_Fold_Change", "P_Value", "Adj_P_Value")
GENE_SEPARATOR = ";"
SIGNIFICANT_FDR = 0.05
Direction = Literal["up", "down", "all"]
DIRECTION_WORDS = {"up": "raised", "down": "lowered", "all": "raised or lowered"}


@dataclass(frozen=True)
class Thresholds:
    """What makes a gene of the differential expression significant."""

    direction: Direction
    p_value: float
    use_adjusted_p_value: bool
    fold_change: float

    def describe(self) -> str:
        """``an adjusted p-value below 0.05 and an absolute log2 fold change of at least 1``."""
        p_name = "an adjusted p-value" if self.use_adjusted_p_value else "a p-value"
        change = (
            f" and an absolute log2 fold change of at least {self.fold_change:g}"
            if self.fold_change > 0
            else ""
        )
        return f"{p_name} below {self.p_value:g}{change}"


@dataclass(frozen=True)
class SizeBounds:
    """Which gene sets are tested: those with ``low`` to ``high`` genes in the universe."""

    low: int
    high: int


@dataclass(frozen=True)
class Selection:
    """The universe (genes tested, in order of significance) and the selected genes."""

    universe: pd.Index
    selected: pd.Index
    counts: dict[str, int]  # significant genes in each direction, for messages


@dataclass(frozen=True)
class TestedSets:
    """Per tested gene set: its universe genes, and how many the collection holds."""

    members: dict[str, list[str]]
    collection_size: int


def universe_table(de_table: pd.DataFrame) -> pd.DataFrame:
    """The differential expression's tested genes (rows with a p-value), most significant
    first; refuses a table without the columns, or with a gene on two rows."""
    missing = [column for column in DE_COLUMNS if column not in de_table.columns]
    if missing:
        raise AnalysisInputError(
            f"The differential expression results lack the column(s) {', '.join(missing)}.",
            "differential_expression_id",
        )
    tested = de_table.loc[de_table["P_Value"].notna(), list(DE_COLUMNS)].copy()
    tested["Gene_Symbol"] = tested["Gene_Symbol"].astype(str)
    repeated = tested["Gene_Symbol"][tested["Gene_Symbol"].duplicated()]
    if len(repeated):
        raise AnalysisInputError(
            f"Gene {repeated.iloc[0]!r} appears twice in the differential expression results.",
            "differential_expression_id",
        )
    return tested.sort_values(["Adj_P_Value", "P_Value", "Gene_Symbol"], kind="mergesort")


def significant(tested: pd.DataFrame, thresholds: Thresholds) -> dict[str, pd.Series]:
    """Per direction, which tested genes pass the thresholds."""
    column = "Adj_P_Value" if thresholds.use_adjusted_p_value else "P_Value"
    lfc = tested["Log2_Fold_Change"].fillna(0.0)
    passing = (tested[column].fillna(1.0) < thresholds.p_value) & (
        lfc.abs() >= thresholds.fold_change
    )
    return {"up": passing & (lfc > 0), "down": passing & (lfc < 0), "all": passing}


def select_genes(de_table: pd.DataFrame, thresholds: Thresholds) -> Selection:
    """The universe and the significant genes in the chosen direction; refuses a selection
    of no gene, naming ``direction`` when the other direction has some."""
    tested = universe_table(de_table)
    passing = significant(tested, thresholds)
    counts = {direction: int(mask.sum()) for direction, mask in passing.items()}
    selected = tested["Gene_Symbol"][passing[thresholds.direction]]
    if selected.empty:
        raise no_selection_error(thresholds, counts, len(tested))
    return Selection(pd.Index(tested["Gene_Symbol"]), pd.Index(selected), counts)


def no_selection_error(
    thresholds: Thresholds, counts: dict[str, int], universe: int
) -> AnalysisInputError:
    """Why no gene was selected, and which parameter to change."""
    which = {"up": "raised", "down": "lowered", "all": "changed"}[thresholds.direction]
    message = (
        f"No gene of the differential expression is significantly {which} "
        f"(with {thresholds.describe()}) among its {universe:,} tested genes"
    )
    if counts["all"]:
        return AnalysisInputError(
            f"{message}; {counts['up']:,} are raised and {counts['down']:,} lowered, so choose "
            "another direction.",
            "direction",
        )
    return AnalysisInputError(
        f"{message}; raise p_value_threshold (or lower fold_change_threshold).",
        "p_value_threshold",
    )


def tested_sets(
    collection: GeneSetCollection, universe: pd.Index, bounds: SizeBounds
) -> TestedSets:
    """Each gene set cut down to the universe, kept when its size there is within bounds."""
    in_universe = set(universe)
    restricted = {
        name: [gene for gene in gene_set.genes if gene in in_universe]
        for name, gene_set in collection.gene_sets.items()
    }
    kept = {
        name: genes for name, genes in restricted.items() if bounds.low <= len(genes) <= bounds.high
    }
    if not kept:
        raise AnalysisInputError(no_sets_message(restricted, len(universe), bounds), "min_size")
    return TestedSets(kept, len(collection))


def no_sets_message(restricted: dict[str, list[str]], universe: int, bounds: SizeBounds) -> str:
    """Why no gene set can be tested, with the sizes that were found."""
    largest = max((len(genes) for genes in restricted.values()), default=0)
    hint = (
        " No gene of the collection is among them: check that both use the same kind of gene "
        "symbols (and the same letter case)."
        if largest == 0
        else ""
    )
    return (
        f"No gene set has between {bounds.low} and {bounds.high} of the {universe:,} tested "
        f"genes (the largest has {largest}); adjust min_size or max_size.{hint}"
    )


def hypergeometric_p_values(
    overlap: np.ndarray, set_size: np.ndarray, selected: int, universe: int
) -> np.ndarray:
    """P(X >= overlap) for X hypergeometric: ``selected`` draws from ``universe`` genes of
    which ``set_size`` are in the set (R's phyper(overlap - 1, ..., lower.tail = FALSE))."""
    return np.asarray(hypergeom.sf(overlap - 1, universe, set_size, selected), dtype=float)


def results_table(
    selection: Selection, sets: TestedSets, collection: GeneSetCollection
) -> pd.DataFrame:
    """One row per tested gene set: counts, enrichment and p-values, most significant first."""
    chosen = set(selection.selected)
    names = list(sets.members)
    overlaps = [[g for g in sets.members[name] if g in chosen] for name in names]
    overlap = np.array([len(genes) for genes in overlaps], dtype=np.int64)
    set_size = np.array([len(sets.members[name]) for name in names], dtype=np.int64)
    expected = len(selection.selected) * set_size / len(selection.universe)
    p_values = hypergeometric_p_values(
        overlap, set_size, len(selection.selected), len(selection.universe)
    )
    table = pd.DataFrame(
        {
            "Gene_Set_Shortname": names,
            "Gene_Set_Name": [readable_name(n, collection.gene_sets[n].description) for n in names],
            "Overlap": overlap,
            "Set_Size": set_size,
            "Expected": expected,
            "Fold_Enrichment": overlap / expected,
            "P_Value": p_values,
            "Adj_P_Value": false_discovery_control(p_values, method="bh"),
            "Genes": [GENE_SEPARATOR.join(ordered(genes, selection)) for genes in overlaps],
        }
    )
    table = table.sort_values(
        ["P_Value", "Fold_Enrichment", "Gene_Set_Shortname"],
        ascending=[True, False, True],
        kind="mergesort",
    )
    return clean_table(table, COLUMNS)


def ordered(genes: Sequence[str], selection: Selection) -> list[str]:
    """Overlapping genes, most significant in the differential expression first."""
    rank = selection.selected.get_indexer(genes)
    return [genes[i] for i in np.argsort(rank, kind="stable")]


def analyse(
    de_table: pd.DataFrame,
    collection: GeneSetCollection,
    thresholds: Thresholds,
    bounds: SizeBounds,
    names: tuple[str, str],
) -> AnalysisResult:
    """The test of every gene set of the collection within the size bounds: results table,
    methods (``names``: the differential expression analysis and the collection, as the
    methods cite them), display settings and summary."""
    selection = select_genes(de_table, thresholds)
    sets = tested_sets(collection, selection.universe, bounds)
    table = results_table(selection, sets, collection)
    summary = summarise(table, selection, sets, thresholds)
    return AnalysisResult(
        table=table,
        methods=methods_text(summary, thresholds, bounds, names),
        display={"p_value_threshold": SIGNIFICANT_FDR, "top_n": 20},
        summary=summary,
    )


def summarise(
    table: pd.DataFrame, selection: Selection, sets: TestedSets, thresholds: Thresholds
) -> dict[str, Any]:
    """Numbers of genes and gene sets, for the methods text and the analysis page."""
    return {
        "genes_in_universe": len(selection.universe),
        "genes_selected": len(selection.selected),
        "genes_significant_up": selection.counts["up"],
        "genes_significant_down": selection.counts["down"],
        "direction": thresholds.direction,
        "p_value_threshold": thresholds.p_value,
        "use_adjusted_p_value": thresholds.use_adjusted_p_value,
        "fold_change_threshold": thresholds.fold_change,
        "gene_sets_in_collection": sets.collection_size,
        "gene_sets_tested": len(table),
        "gene_sets_with_overlap": int((table["Overlap"] > 0).sum()),
        "gene_sets_significant": int((table["Adj_P_Value"] < SIGNIFICANT_FDR).sum()),
    }


def methods_text(
    summary: dict[str, Any], thresholds: Thresholds, bounds: SizeBounds, names: tuple[str, str]
) -> str:
    """One paragraph saying exactly what ran."""
    source, collection = names
    return (
        "Over-representation was tested with the one-sided hypergeometric test "
        f"({cited('scipy', 'numpy', 'pandas')}). The universe was the "
        f"{summary['genes_in_universe']:,} genes tested by differential expression analysis "
        f"{source}; the {plural(summary['genes_selected'], 'gene')} "
        f"{DIRECTION_WORDS[thresholds.direction]} with {thresholds.describe()} were "
        f"selected (direction = {thresholds.direction}; {summary['genes_significant_up']:,} "
        f"raised and {summary['genes_significant_down']:,} lowered genes pass the thresholds). "
        f"Gene sets of the collection {collection!r} were restricted to the universe, and the "
        f"{summary['gene_sets_tested']:,} of {summary['gene_sets_in_collection']:,} sets with "
        f"{bounds.low} to {bounds.high} universe genes (Set_Size) were tested, including sets "
        "with no selected gene. P_Value is P(X >= Overlap) for X hypergeometric (R's "
        "phyper(Overlap - 1, Set_Size, universe - Set_Size, selected, lower.tail = FALSE)); "
        "Expected is selected x Set_Size / universe and Fold_Enrichment is Overlap / Expected. "
        "Adj_P_Value is the Benjamini-Hochberg adjustment over all tested sets; "
        f"{summary['gene_sets_significant']:,} sets had an adjusted p-value below "
        f"{SIGNIFICANT_FDR:g}. Genes lists the overlapping genes, most significant first, "
        f"separated by '{GENE_SEPARATOR}'."
    )
