"""Differential binding: DESeq2 on the read counts of peaks (ATAC-seq, ChIP-seq, CUT&RUN,
CUT&Tag), experimental over control.

Everything statistical is differential expression's (:mod:`.differential_expression`: the
same groups, covariates, feature filter, PyDESeq2 fit, tests and adjustment), run on peaks
instead of genes. What is added is each peak's nearest gene, which travels in the peak id:
an assay table holds only ``peak_id`` and one count column per sample, so a peak names its
gene after a ``|``, as in ``chr1:1000-2000|MYC`` or ``Interval_12|MYC`` (the gene from the
peak annotation, e.g. HOMER annotatePeaks' ``Gene Name`` or ChIPseeker's ``SYMBOL``). A peak
whose id has no ``|`` has no gene: its ``Gene_Symbol`` is empty. Pluto ships no genome
annotation, so it does not look nearest genes up from coordinates.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.errors import AnalysisInputError
from pluto.server.analyses.compute.inputs import (
    AnalysisResult,
    Progress,
    clean_table,
    no_progress,
    plural,
)

COLUMNS = (
    "peak_id",
    "Gene_Symbol",
    "Average_Expression",
    "Log2_Fold_Change",
    "P_Value",
    "Adj_P_Value",
)
PEAKS = de.Features("peak", "Differential binding")
GENE_SEPARATOR = "|"
GENE_ASSAY_ID = "gene_symbol"


def nearest_gene(peak_id: str) -> str:
    """The gene a peak id names after its last ``|`` (empty when it names none)."""
    _, separator, gene = str(peak_id).rpartition(GENE_SEPARATOR)
    return gene.strip() if separator else ""


def require_peak_assay(counts: pd.DataFrame) -> None:
    """Refuse an assay of genes: differential binding compares peaks."""
    if counts.index.name == GENE_ASSAY_ID:
        raise AnalysisInputError(
            "This experiment's assay data is counts per gene (gene_symbol), not per peak; "
            "use differential_expression for genes, or upload peak counts (peak_id) to an "
            "ATAC-seq, ChIP-seq, CUT&RUN or CUT&Tag experiment.",
            "counts",
        )


def run(
    params: de.DifferentialExpressionParameters,
    samples: pd.DataFrame,
    counts: pd.DataFrame,
    units: str,
    progress: Progress = no_progress,
) -> AnalysisResult:
    """Differential binding, experimental over control: one results row per peak that passes
    the feature filter, with untestable peaks reported at P_Value = Adj_P_Value = 1."""
    progress(0.02, "Checking samples and peak counts")
    require_peak_assay(counts)
    prepared = de.prepare(params, samples, counts, units, PEAKS)
    fit = de.fit_with_progress(params, prepared, progress)
    table = results_table(fit.results)
    summary = summarise(params, prepared, fit, table)
    methods = de.methods_text(params, prepared, fit, summary, units)
    return AnalysisResult(
        table=table,
        methods=f"{methods} {genes_sentence(summary)}",
        display=de.display_settings(params),
        summary=summary,
    )


def results_table(results: pd.DataFrame) -> pd.DataFrame:
    """The API's columns: the peak, its nearest gene and DESeq2's numbers, most significant
    peaks first."""
    peak_ids = results.index.astype(str)
    table = pd.DataFrame(
        {
            "peak_id": peak_ids,
            "Gene_Symbol": [nearest_gene(peak) for peak in peak_ids],
            **de.deseq_columns(results),
        }
    )
    table = table.sort_values(["Adj_P_Value", "P_Value", "peak_id"], kind="mergesort")
    return clean_table(table, COLUMNS)


def summarise(
    params: de.DifferentialExpressionParameters,
    prepared: de.PreparedData,
    fit: de.DeseqFit,
    table: pd.DataFrame,
) -> dict[str, Any]:
    """Differential expression's numbers, counted in peaks, and how many peaks name a gene."""
    with_gene = table["Gene_Symbol"] != ""
    return {
        **de.summarise(params, prepared, fit),
        "peaks_with_gene": int(with_gene.sum()),
        "genes_near_tested_peaks": int(table.loc[with_gene, "Gene_Symbol"].nunique()),
    }


def genes_sentence(summary: dict[str, Any]) -> str:
    """Where Gene_Symbol comes from, and for how many peaks."""
    tested = summary[PEAKS.key("tested")]
    return (
        "Gene_Symbol is the nearest gene named in the peak id after its last '|' (from the "
        f"peak annotation uploaded with the counts); {summary['peaks_with_gene']:,} of "
        f"{plural(tested, 'tested peak')} named one ("
        f"{plural(summary['genes_near_tested_peaks'], 'distinct gene')}), the others have an "
        "empty Gene_Symbol."
    )
