"""Which features a clustering heatmap shows: the most variable ones, the significant genes
of a differential expression analysis, or a list of genes someone pasted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.expression_values import most_variable, varying
from pluto.server.analyses.compute.inputs import plural

DE_FIELD = "differential_expression_id"
DE_COLUMNS = ("Log2_Fold_Change", "Adj_P_Value")
FEATURE_COLUMNS = ("Gene_Symbol", "peak_id")
SHOWN_GENES = 20
GENE_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass(frozen=True)
class Selection:
    """The chosen rows (features x samples, in the order chosen), a sentence saying how
    they were chosen, and what was left out on the way."""

    frame: pd.DataFrame
    sentence: str
    without_variation: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    summary: dict[str, int] = field(default_factory=dict)


def split_genes(value: object) -> object:
    """Pasted gene lists as a list: one text is split at commas, semicolons and spaces."""
    if isinstance(value, str):
        return [gene for gene in GENE_SEPARATORS.split(value) if gene]
    return value


def top_variable(values: pd.DataFrame, top: int) -> Selection:
    """The ``top`` features of highest variance."""
    chosen = most_variable(values, top)
    if chosen.empty:
        raise AnalysisInputError("No feature's values differ between the samples.", "counts")
    varying_count = int((values.var(axis=1, ddof=1) > 0).sum())
    return Selection(
        chosen,
        f"The {plural(len(chosen), 'feature')} with the highest variance of these values "
        f"across the samples were shown (top_n = {top}, out of {varying_count:,} features "
        f"that vary among {len(values):,}).",
        summary={"features_varying": varying_count},
    )


@dataclass(frozen=True)
class Significance:
    """The thresholds a differentially expressed gene must pass."""

    adj_p_value: float
    fold_change: float

    def words(self) -> str:
        """The thresholds as a methods text states them."""
        return (
            f"an adjusted p-value below {self.adj_p_value:g} and an absolute log2 fold change "
            f"of at least {self.fold_change:g}"
        )


def significant_genes(de_table: pd.DataFrame, thresholds: Significance) -> list[str]:
    """The genes of a differential expression results table that pass the thresholds, most
    significant first."""
    id_column = next((c for c in FEATURE_COLUMNS if c in de_table.columns), None)
    missing = [c for c in DE_COLUMNS if c not in de_table.columns]
    if id_column is None or missing:
        raise AnalysisInputError(
            "That analysis's results lack the columns of a differential expression "
            f"({', '.join(['Gene_Symbol', *DE_COLUMNS])}); choose a differential expression "
            "analysis.",
            DE_FIELD,
        )
    passing = de_table[
        (de_table["Adj_P_Value"] < thresholds.adj_p_value)
        & (de_table["Log2_Fold_Change"].abs() >= thresholds.fold_change)
    ]
    ordered = passing.sort_values("Adj_P_Value", kind="mergesort")
    return [str(gene) for gene in ordered[id_column]]


def require_significant(genes: Sequence[str], thresholds: Significance, most: int) -> None:
    """Refuse a selection with fewer than 2 or more than ``most`` genes."""
    if len(genes) < 2:
        raise AnalysisInputError(
            f"{plural(len(genes), 'gene')} of that differential expression {verb(len(genes))} "
            f"{thresholds.words()}; a heatmap needs at least 2: raise adj_p_value_threshold "
            "or lower fold_change_threshold.",
            "adj_p_value_threshold",
        )
    if len(genes) > most:
        raise AnalysisInputError(
            f"{len(genes):,} genes of that differential expression have {thresholds.words()}; "
            f"a heatmap shows at most {most:,} rows: lower adj_p_value_threshold or raise "
            "fold_change_threshold.",
            "adj_p_value_threshold",
        )


def verb(count: int) -> str:
    """``has`` or ``have``."""
    return "has" if count == 1 else "have"


def from_differential_expression(
    values: pd.DataFrame, genes: Sequence[str], thresholds: Significance, source: str
) -> Selection:
    """The significant genes of the differential expression, in order of significance."""
    present = [gene for gene in genes if gene in values.index]
    chosen = values.loc[present]
    shown = varying(chosen)
    absent = len(genes) - len(present)
    not_in_matrix = (
        f" {plural(absent, 'gene')} without reads in these values {verb(absent)} no row."
        if absent
        else ""
    )
    return Selection(
        shown,
        f"The {plural(len(genes), 'gene')} with {thresholds.words()} in {source} were "
        f"shown.{not_in_matrix}",
        without_variation=tuple(str(g) for g in chosen.index.difference(shown.index, sort=False)),
        summary={"genes_significant": len(genes), "genes_not_in_values": absent},
    )


def unknown_genes(genes: Sequence[str], features: pd.Index) -> list[str]:
    """The genes the assay data has no row for."""
    known = set(features.astype(str))
    return [gene for gene in genes if gene not in known]


def refuse_unknown(unknown: Sequence[str], features: pd.Index) -> None:
    """Refuse genes the assay data does not have, suggesting the spelling it uses."""
    by_case = {str(f).upper(): str(f) for f in features}
    hints = [f"{g} (did you mean {by_case[g.upper()]}?)" for g in unknown if g.upper() in by_case]
    listed = ", ".join(unknown[:SHOWN_GENES]) + (" ..." if len(unknown) > SHOWN_GENES else "")
    advice = f" Close matches: {', '.join(hints[:SHOWN_GENES])}." if hints else ""
    raise AnalysisInputError(
        f"The assay data has no row for {plural(len(unknown), 'gene')}: {listed}.{advice} "
        "Correct or remove them, or set ignore_unknown_genes to leave them out.",
        "genes",
    )


def from_gene_list(values: pd.DataFrame, genes: Sequence[str], unknown: Sequence[str]) -> Selection:
    """The given genes the assay data has, in the order given (genes without any variation,
    or without reads where the values leave those out, have no row)."""
    left_out = set(unknown)
    known = [gene for gene in genes if gene not in left_out]
    shown = varying(values.loc[[gene for gene in known if gene in values.index]])
    return Selection(
        shown,
        f"The {plural(len(known), 'gene')} of the list given were shown."
        + unknown_sentence(unknown),
        without_variation=tuple(gene for gene in known if gene not in shown.index),
        unknown=tuple(unknown),
        summary={"genes_given": len(genes), "genes_unknown": len(unknown)},
    )


def unknown_sentence(unknown: Sequence[str]) -> str:
    """Which genes of the list were left out because the assay data does not have them."""
    if not unknown:
        return ""
    listed = ", ".join(unknown[:SHOWN_GENES]) + (" ..." if len(unknown) > SHOWN_GENES else "")
    was = "was" if len(unknown) == 1 else "were"
    return f" {plural(len(unknown), 'gene')} not in the assay data {was} left out ({listed})."
