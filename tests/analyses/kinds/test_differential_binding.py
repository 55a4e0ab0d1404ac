"""Differential binding: DESeq2 on peak counts with each peak's nearest gene, its volcano
plot's labels, its refusals, and the demo's generated peaks experiment."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute import differential_binding as db
from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.versions import package_version
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds.differential_binding import KIND
from pluto.server.lab.demo_data import generate_demo_tables, load_gene_symbols
from pluto.server.lab.demo_peaks import (
    CHANGED_PEAK_COUNT,
    PEAK_COUNT,
    PeaksExperiment,
    generate_peaks_experiment,
)
from tests.analyses.compute.synthetic import experiment

BASE = {
    "group_column": "condition",
    "experimental_values": ["treated"],
    "control_values": ["control"],
}


@pytest.fixture(scope="module")
def peaks() -> PeaksExperiment:
    return generate_peaks_experiment()


@pytest.fixture(scope="module")
def result(peaks: PeaksExperiment) -> AnalysisResult:
    return KIND.run(params(), FrameInputs(peaks.samples, peaks.counts), no_progress)


def params(**changes: Any) -> Any:
    return validated(KIND.parameters, {**BASE, **changes})


def test_results_have_exactly_the_columns_and_no_nulls(result: AnalysisResult) -> None:
    assert list(result.table.columns) == list(KIND.columns) == list(db.COLUMNS)
    assert not result.table.isna().any().any()
    assert result.table["P_Value"].between(0, 1).all()


def test_each_peak_carries_the_gene_its_id_names(
    peaks: PeaksExperiment, result: AnalysisResult
) -> None:
    table = result.table.set_index("peak_id")
    assert set(table.index) == set(peaks.counts.index)
    for peak, gene in table["Gene_Symbol"].items():
        assert gene == (peak.split("|")[1] if "|" in peak else "")
    assert result.summary["peaks_with_gene"] == sum("|" in p for p in peaks.counts.index)


@pytest.mark.parametrize(
    ("peak_id", "gene"),
    [
        ("chr1:1000-2000|MYC", "MYC"),
        ("Interval_12|HLA-DRB1", "HLA-DRB1"),
        ("chr1:1000-2000", ""),
        ("peak|with|bars|TP53 ", "TP53"),
        ("chr2:5-10|", ""),
    ],
)
def test_the_nearest_gene_follows_the_last_bar_of_the_peak_id(peak_id: str, gene: str) -> None:
    assert db.nearest_gene(peak_id) == gene


def test_changed_peaks_are_found_with_the_right_sign(
    peaks: PeaksExperiment, result: AnalysisResult
) -> None:
    table = result.table.set_index("peak_id")
    called = set(table.index[table["Adj_P_Value"] < 0.05])
    changed = dict(zip(peaks.changed_peaks, peaks.changed_log2_fold_changes, strict=True))
    assert len(called & set(changed)) >= 0.9 * CHANGED_PEAK_COUNT
    assert len(called - set(changed)) <= 0.05 * len(called)
    found = sorted(called & set(changed))
    assert (
        np.sign(table.loc[found, "Log2_Fold_Change"]) == np.sign([changed[p] for p in found])
    ).all()


def test_the_numbers_are_those_of_differential_expression_on_the_same_counts() -> None:
    data = experiment(genes=200, per_group=4, seed=5)
    genes = data.counts.rename_axis("peak_id")
    peak_counts = genes.rename(index=lambda gene: f"chr1:{gene[4:]}00-{gene[4:]}50|{gene}")
    peak_result = KIND.run(params(), FrameInputs(data.samples, peak_counts), no_progress)
    gene_result = de.run(
        validated(de.DifferentialExpressionParameters, BASE),
        data.samples,
        data.counts,
        "raw_counts",
    )
    by_gene = peak_result.table.set_index("Gene_Symbol")
    expected = gene_result.table.set_index("Gene_Symbol")
    numbers = ["Average_Expression", "Log2_Fold_Change", "P_Value", "Adj_P_Value"]
    pd.testing.assert_frame_equal(by_gene.loc[expected.index, numbers], expected[numbers])


def test_methods_text_speaks_of_peaks_and_their_genes(result: AnalysisResult) -> None:
    methods = result.methods
    assert methods.startswith(
        f"Differential binding was tested with PyDESeq2 {package_version('pydeseq2')}"
    )
    assert "Peaks were kept if they had at least 3 reads" in methods
    assert f"{PEAK_COUNT:,} of {PEAK_COUNT:,} peaks were kept" in methods
    assert "nearest gene named in the peak id after its last '|'" in methods
    assert f"{result.summary['peaks_with_gene']:,} of {PEAK_COUNT:,} tested peaks" in methods
    assert result.summary["peaks_significant"] == int((result.table["Adj_P_Value"] < 0.05).sum())


def test_a_gene_assay_is_refused_pointing_to_differential_expression() -> None:
    data = experiment(genes=50, per_group=3)
    with pytest.raises(AnalysisInputError) as caught:
        KIND.run(params(), FrameInputs(data.samples, data.counts), no_progress)
    assert caught.value.field == "counts"
    assert "use differential_expression" in caught.value.message


def test_no_peak_passing_the_filter_is_refused_naming_min_count(peaks: PeaksExperiment) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        KIND.run(params(min_count=1_000_000), FrameInputs(peaks.samples, peaks.counts), no_progress)
    assert caught.value.field == "min_count"
    assert caught.value.message.startswith("No peak has at least 1000000 reads")


@pytest.mark.parametrize(
    ("changes", "units", "field"),
    [
        ({"group_column": "genotype"}, "raw_counts", "group_column"),
        ({"control_values": ["placebo"]}, "raw_counts", "control_values"),
        ({"covariates": ["arm"]}, "raw_counts", "covariates"),
        ({}, "cpm", "units"),
    ],
)
def test_the_creation_check_names_the_parameter_to_fix(
    peaks: PeaksExperiment, changes: dict[str, Any], units: str, field: str
) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        samples = peaks.samples.assign(arm=peaks.samples["condition"].str.upper())
        KIND.check(params(**changes), FrameInputs(samples, peaks.counts, units=units))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"alpha": 1.5}, "alpha", "'alpha' must be less than 1"),
        ({"fdr": 0.1}, "fdr", "'fdr' is not a parameter of this analysis"),
        ({"control_values": ["treated"]}, "control_values", "is both an experimental and a"),
        ({"min_count": "3"}, "min_count", "'min_count' must be a whole number"),
    ],
)
def test_bad_parameters_are_refused_by_the_model_naming_them(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        params(**changes)
    assert caught.value.field == field and message in caught.value.message


def test_the_form_describes_the_filter_in_peaks() -> None:
    schema = KIND.parameters.model_json_schema()["properties"]
    assert "peaks" in schema["min_count"]["description"]
    assert schema["group_column"]["choices"] == "sample_columns"


def volcano(result: AnalysisResult, **options: Any) -> dict[str, Any]:
    context = FigureContext(computed=result.display, samples=None)
    return KIND.display.figure(result.table, "Peaks", options, context)


def test_volcano_labels_name_peaks_by_gene_or_by_id_without_one(result: AnalysisResult) -> None:
    assert KIND.display.display_type == "volcano_plot_v2" and KIND.display.column_major
    top = result.table.nsmallest(10, "P_Value")
    labels = [a["text"] for a in volcano(result)["layout"]["annotations"]]
    assert labels == [gene or peak for gene, peak in zip(top.Gene_Symbol, top.peak_id, strict=True)]
    intergenic = result.table[result.table["Gene_Symbol"] == ""]["peak_id"].iloc[0]
    gene_peak = result.table[result.table["Gene_Symbol"] != ""].iloc[0]
    chosen = volcano(result, label_genes=[intergenic, gene_peak.Gene_Symbol])
    texts = {a["text"] for a in chosen["layout"]["annotations"]}
    assert texts == {intergenic, gene_peak.Gene_Symbol}


def test_volcano_hover_text_is_the_whole_peak_id(result: AnalysisResult) -> None:
    hovered = [text for trace in volcano(result)["data"] for text in trace["text"]]
    assert sorted(hovered) == sorted(result.table["peak_id"])


def test_the_generated_peaks_experiment_is_the_same_every_time(peaks: PeaksExperiment) -> None:
    again = generate_peaks_experiment()
    pd.testing.assert_frame_equal(again.counts, peaks.counts)
    pd.testing.assert_frame_equal(again.samples, peaks.samples)
    assert again.changed_peaks == peaks.changed_peaks
    assert not generate_peaks_experiment(seed=1).counts.equals(peaks.counts)


def test_the_generated_peaks_are_sorted_unique_counts_near_demo_genes(
    peaks: PeaksExperiment,
) -> None:
    counts = peaks.counts
    assert counts.shape == (PEAK_COUNT, 12) and counts.index.is_unique
    assert counts.index.name == "peak_id" and (counts.dtypes == np.int64).all()
    assert list(counts.columns) == list(peaks.samples.index)
    assert peaks.samples["condition"].value_counts().to_dict() == {"control": 6, "treated": 6}
    genes = {db.nearest_gene(p) for p in counts.index} - {""}
    assert genes <= set(load_gene_symbols()[0])
    intergenic = sum("|" not in p for p in counts.index)
    assert 0.05 * PEAK_COUNT < intergenic < 0.2 * PEAK_COUNT
    first = [p.split("|")[0] for p in counts.index[:5]]
    assert first == sorted(first, key=lambda p: int(p.split(":")[1].split("-")[0]))


def test_generated_changed_peaks_follow_the_demo_genes_the_treatment_changes(
    peaks: PeaksExperiment,
) -> None:
    demo = generate_demo_tables()
    demo_change = dict(zip(demo.changed_genes, demo.changed_log2_fold_changes, strict=True))
    assert len(peaks.changed_peaks) == CHANGED_PEAK_COUNT
    for peak, lfc in zip(peaks.changed_peaks, peaks.changed_log2_fold_changes, strict=True):
        assert 1.0 <= abs(lfc) <= 2.5
        assert np.sign(lfc) == np.sign(demo_change[db.nearest_gene(peak)])
