"""Differential binding run end to end: an ATAC-seq experiment of the demo's generated peaks
uploaded over HTTP, the analysis run as a worker runs it, its column-major results, volcano
figure, methods and refusals."""

from __future__ import annotations

from typing import Any

import pytest

from pluto.server.analyses.compute.differential_binding import COLUMNS
from pluto.server.lab.demo_peaks import PeaksExperiment, generate_peaks_experiment
from pluto.server.lab.models import Experiment
from tests.analyses.conftest import (
    DE_PARAMETERS,
    csv_bytes,
    exp_path,
    get,
    post_analysis,
    put_csv,
    start_and_run,
)
from tests.conftest import Caller, make_experiment, make_project

DB_REQUEST = {
    "analysis_type": "differential_binding",
    "name": "Treated vs control peaks",
    "parameters": DE_PARAMETERS,
}


@pytest.fixture(scope="module")
def peaks() -> PeaksExperiment:
    return generate_peaks_experiment()


def upload_peaks(caller: Caller, experiment: Experiment, peaks: PeaksExperiment) -> None:
    """The peaks experiment's sample table and peak counts, uploaded as CSV files."""
    put_csv(caller, experiment, "sample", csv_bytes(peaks.samples.reset_index()))
    put_csv(caller, experiment, "assay", csv_bytes(peaks.counts.reset_index()))


@pytest.fixture
def atac(ada: Caller, peaks: PeaksExperiment) -> Experiment:
    """ada's ATAC-seq experiment holding the generated peaks."""
    created = make_experiment(ada.user, make_project(ada.user), "ATAC-seq", type="atacseq")
    upload_peaks(ada, created, peaks)
    return created


@pytest.fixture
def binding(ada: Caller, atac: Experiment) -> dict[str, Any]:
    """A completed differential binding of the ATAC-seq experiment."""
    analysis = start_and_run(ada, atac, DB_REQUEST)
    assert analysis["status"] == "complete", analysis["message"]
    return analysis


def plot_path(experiment: Experiment, analysis: dict[str, Any], rest: str = "") -> str:
    return exp_path(experiment, f"plots/{analysis['plot']['uuid']}/{rest}")


def columns_of(caller: Caller, experiment: Experiment, analysis: dict[str, Any]) -> Any:
    """The whole results table as the column-major JSON page gives it."""
    page = get(caller, plot_path(experiment, analysis, "data/")).data
    assert page["headers"] == list(COLUMNS)
    return dict(zip(page["headers"], page["items"], strict=True))


def test_results_are_column_major_with_each_peak_s_gene(
    ada: Caller, atac: Experiment, peaks: PeaksExperiment, binding: dict[str, Any]
) -> None:
    columns = columns_of(ada, atac, binding)

    assert sorted(columns["peak_id"]) == sorted(peaks.counts.index)
    assert all(value is not None for column in columns.values() for value in column)
    genes = dict(zip(columns["peak_id"], columns["Gene_Symbol"], strict=True))
    assert all(gene == (peak.split("|")[1] if "|" in peak else "") for peak, gene in genes.items())
    assert "" in genes.values()


def test_the_changed_peaks_are_called(
    ada: Caller, atac: Experiment, peaks: PeaksExperiment, binding: dict[str, Any]
) -> None:
    columns = columns_of(ada, atac, binding)
    adjusted = dict(zip(columns["peak_id"], columns["Adj_P_Value"], strict=True))

    called = {peak for peak, p in adjusted.items() if p < 0.05}
    assert len(called & set(peaks.changed_peaks)) >= 0.9 * len(peaks.changed_peaks)
    assert binding["summary"]["peaks_significant"] == len(called)


def test_methods_describe_differential_binding_of_peaks(binding: dict[str, Any]) -> None:
    methods = binding["methods"]

    assert methods.startswith("Differential binding was tested with PyDESeq2")
    assert "3,000 of 3,000 peaks were kept" in methods and "after its last '|'" in methods


def test_the_volcano_names_peaks_by_gene_or_by_peak_id(
    ada: Caller, atac: Experiment, binding: dict[str, Any]
) -> None:
    columns = columns_of(ada, atac, binding)
    pairs = zip(columns["peak_id"], columns["Gene_Symbol"], strict=True)
    intergenic = next(peak for peak, gene in pairs if not gene)
    display = ada.call("GET", plot_path(atac, binding, "displays/")).data["items"][0]

    before = ada.call("GET", plot_path(atac, binding, "figure/")).data
    edited = ada.call(
        "PUT",
        plot_path(atac, binding, f"displays/{display['uuid']}/"),
        {"options": {"label_genes": [intergenic, columns["Gene_Symbol"][0]]}},
    )
    after = ada.call("GET", plot_path(atac, binding, "figure/")).data
    png = get(ada, plot_path(atac, binding, "image.png/"))

    assert display["display_type"] == "volcano_plot_v2"
    assert before["layout"]["annotations"][0]["text"] == columns["Gene_Symbol"][0]
    assert sum(len(trace["text"]) for trace in before["data"]) == len(columns["peak_id"])
    assert edited.status_code == 200, edited.data
    assert {note["text"] for note in after["layout"]["annotations"]} == {
        intergenic,
        columns["Gene_Symbol"][0],
    }
    assert png.status == 200 and png.body.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"group_column": "genotype"}, "parameters.group_column"),
        ({"experimental_values": ["knockout"]}, "parameters.experimental_values"),
        ({"alpha": 2}, "parameters.alpha"),
        ({"covariates": ["condition"]}, "parameters.covariates"),
        ({"peaks": "all"}, "parameters.peaks"),
    ],
)
def test_bad_parameters_are_400_naming_them(
    ada: Caller, atac: Experiment, changes: dict[str, Any], field: str
) -> None:
    body = {**DB_REQUEST, "parameters": {**DE_PARAMETERS, **changes}}

    refused = post_analysis(ada, atac, body)

    assert refused.status_code == 400, refused.data
    assert refused.data["details"]["field"] == field


def test_a_gene_assay_is_refused_at_creation_saying_to_use_differential_expression(
    ada: Caller, experiment: Experiment
) -> None:
    refused = post_analysis(ada, experiment, DB_REQUEST)

    assert refused.status_code == 400
    assert refused.data["details"]["field"] == "analysis_type"
    assert "run differential expression instead" in refused.data["message"]
