"""The New analysis form for the heatmap kinds: made from their models, with the sample
table's columns as choices, and a pasted gene list saved as a list."""

from __future__ import annotations

from pluto.server.analyses.models import Analysis
from pluto.server.lab.models import Experiment
from tests.conftest import Caller
from tests.web.conftest import html, signed_in


def analysis_tab(experiment: Experiment, query: str = "") -> str:
    return f"/experiments/{experiment.pluto_id}/?tab=analysis{query}"


def test_the_clustering_form_offers_sample_columns_and_a_gene_box(
    ada: Caller, with_data: Experiment
) -> None:
    page = html(signed_in(ada.user).get(analysis_tab(with_data, "&type=clustering")))

    assert 'name="annotation_columns" value="condition"' in page
    assert 'name="genes"' in page and 'name="linkage"' in page
    assert 'value="ward"' in page and 'value="correlation"' in page


def test_a_clustering_submitted_from_the_form_keeps_the_pasted_genes(
    ada: Caller, with_data: Experiment
) -> None:
    form = {
        "action": "run_analysis",
        "analysis_type": "clustering",
        "feature_selection": "gene_list",
        "genes": "GENE1, GENE2\nGENE3",
        "clusters": "2",
        "annotation_columns": ["condition"],
    }

    response = signed_in(ada.user).post(analysis_tab(with_data), form)

    analysis = Analysis.objects.get()
    assert response.status_code == 302, html(response)[:2000]
    assert analysis.analysis_type == "clustering"
    assert analysis.parameters["genes"] == ["GENE1", "GENE2", "GENE3"]
    assert analysis.parameters["annotation_columns"] == ["condition"]
    assert analysis.parameters["clusters"] == 2


def test_a_ward_correlation_clustering_from_the_form_is_shown_next_to_linkage(
    ada: Caller, with_data: Experiment
) -> None:
    form = {
        "action": "run_analysis",
        "analysis_type": "clustering",
        "distance": "correlation",
        "linkage": "ward",
    }

    response = signed_in(ada.user).post(analysis_tab(with_data), form)

    page = html(response)
    assert response.status_code == 400
    assert "euclidean distance" in page.split('id="linkage-error"')[1].split("</p>")[0]
    assert not Analysis.objects.exists()
