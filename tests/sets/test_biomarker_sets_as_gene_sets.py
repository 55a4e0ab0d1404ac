"""A gene biomarker set named ``biomarker_set:<uuid>`` serves as a gene set in
over-representation, gene set enrichment and clustering heatmaps."""

from __future__ import annotations

from typing import Any

from pluto.server.lab.models import Experiment
from tests.analyses.conftest import CountData, exp_path, post_analysis, start_and_run
from tests.conftest import Caller


def gene_set(caller: Caller, genes: list[str], target_type: str = "gene") -> str:
    """A biomarker set of these genes; its name as an analysis parameter."""
    body = {"name": "Treatment up", "target_type": target_type, "description": "raised"}
    created = caller.call("POST", "/lab/biomarker-sets/", body).data
    text = "name\n" + "\n".join(genes) + "\n"
    caller.client.post(
        f"/lab/biomarker-sets/{created['uuid']}/upload-csv/",
        data=text,
        content_type="text/csv",
        HTTP_AUTHORIZATION=f"Token {caller.key}",
    )
    name: str = created["gene_set_name"]
    assert name == f"biomarker_set:{created['uuid']}"
    return name


def rows_of(caller: Caller, experiment: Experiment, analysis: dict[str, Any]) -> Any:
    path = exp_path(experiment, f"plots/{analysis['plot']['uuid']}/data/")
    return caller.call("GET", path).data["items"]


def test_over_representation_tests_a_biomarker_set(
    ada: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> None:
    name = gene_set(ada, data.up)
    parameters = {"differential_expression_id": completed_de["uuid"], "gene_set_collection": name}
    body = {"analysis_type": "over_representation", "parameters": parameters}
    analysis = start_and_run(ada, experiment, body)
    assert analysis["status"] == "complete", analysis["message"]
    [row] = rows_of(ada, experiment, analysis)
    assert row["Gene_Set_Shortname"] == "Treatment up"
    assert row["Set_Size"] == len(data.up)
    assert row["Adj_P_Value"] < 1e-6


def test_gene_set_enrichment_ranks_a_biomarker_set(
    ada: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> None:
    name = gene_set(ada, data.up)
    parameters = {"differential_expression_id": completed_de["uuid"], "gene_set_collection": name}
    body = {"analysis_type": "gene_set_enrichment", "parameters": parameters}
    analysis = start_and_run(ada, experiment, body)
    assert analysis["status"] == "complete", analysis["message"]
    [row] = rows_of(ada, experiment, analysis)
    assert row["Gene_Set_Shortname"] == "Treatment up"
    assert row["NES"] > 0


def test_a_heatmap_shows_the_genes_of_a_biomarker_set(
    ada: Caller, experiment: Experiment, data: CountData
) -> None:
    name = gene_set(ada, data.up[:5])
    parameters = {"feature_selection": "gene_list", "genes": name, "clusters": 2}
    analysis = start_and_run(
        ada, experiment, {"analysis_type": "clustering", "parameters": parameters}
    )
    assert analysis["status"] == "complete", analysis["message"]
    assert analysis["parameters"]["genes"] == data.up[:5]
    assert sorted(r["Gene_Symbol"] for r in rows_of(ada, experiment, analysis)) == sorted(
        data.up[:5]
    )


def test_a_set_the_caller_cannot_use_is_400_naming_the_parameter(
    ada: Caller, bob: Caller, experiment: Experiment, data: CountData, completed_de: dict[str, Any]
) -> None:
    refusals = {
        gene_set(bob, data.up): "No biomarker set",
        gene_set(ada, data.up, target_type="protein"): "only gene sets can be used",
        "biomarker_set:nope": "No biomarker set",
    }
    for name, reason in refusals.items():
        parameters = {
            "differential_expression_id": completed_de["uuid"],
            "gene_set_collection": name,
        }
        body = {"analysis_type": "over_representation", "parameters": parameters}
        response = post_analysis(ada, experiment, body)
        assert response.status_code == 400, response.data
        assert response.data["details"]["field"] == "parameters.gene_set_collection"
        assert reason in response.data["message"]
