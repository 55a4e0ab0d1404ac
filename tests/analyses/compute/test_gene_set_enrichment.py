"""Gene set enrichment: ranking metrics, determinism, table shape and refusals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute import gene_set_enrichment as gsea
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.versions import package_version

BASE = {
    "differential_expression_id": "0f6c5a7e-1111-4222-8333-944445555666",
    "gene_set_collection": "test sets",
}


def de_table(genes: int = 400, seed: int = 1) -> pd.DataFrame:
    """A differential expression table whose first 30 genes are strongly up."""
    rng = np.random.default_rng(seed)
    lfc = rng.normal(0, 0.5, genes)
    lfc[:30] += 3
    p = np.clip(np.exp(-np.abs(lfc) * 4) * rng.uniform(0.2, 1, genes), 0, 1)
    return pd.DataFrame(
        {
            "Gene_Symbol": [f"G{i}" for i in range(genes)],
            "Average_Expression": rng.uniform(10, 1000, genes),
            "Log2_Fold_Change": lfc,
            "P_Value": p,
            "Adj_P_Value": np.minimum(p * genes, 1),
        }
    )


def collection(genes: int = 400, seed: int = 2) -> GeneSetCollection:
    """Random sets of 20 to 60 genes, one set holding the up genes, and one tiny set."""
    rng = np.random.default_rng(seed)
    names = [f"G{i}" for i in range(genes)]
    sets: dict[str, tuple[str, list[str]]] = {
        f"RANDOM_{j}": ("", list(rng.choice(names, int(rng.integers(20, 60)), replace=False)))
        for j in range(12)
    }
    sets["UP_SET"] = ("Genes up with the treatment", [*names[:30], "NOT_MEASURED"])
    sets["TINY"] = ("too small", names[:3])
    return GeneSetCollection.from_mapping(sets)


def run(**raw: Any) -> gsea.AnalysisResult:
    return gsea.run(
        validated(gsea.GeneSetEnrichmentParameters, {**BASE, **raw}), de_table(), collection()
    )


@pytest.fixture(scope="module")
def result() -> gsea.AnalysisResult:
    return run()


def test_table_has_the_api_columns_and_no_nulls(result: gsea.AnalysisResult) -> None:
    assert list(result.table.columns) == list(gsea.COLUMNS)
    assert not result.table.isna().any().any()
    assert "TINY" not in set(result.table["Gene_Set_Shortname"])
    assert len(result.table) == 13


def test_the_up_set_is_found_with_its_leading_edge(result: gsea.AnalysisResult) -> None:
    row = result.table.set_index("Gene_Set_Shortname").loc["UP_SET"]
    assert row["NES"] > 1.5 and row["P_Value"] < 0.01
    assert row["Size"] == 30
    assert row["Gene_Set_Name"] == "Genes up with the treatment"
    assert set(row["Leading_Edge"].split(";")) <= {f"G{i}" for i in range(30)}
    assert result.table.iloc[0]["Gene_Set_Shortname"] == "UP_SET"


def test_same_inputs_give_the_same_results(result: gsea.AnalysisResult) -> None:
    pd.testing.assert_frame_equal(result.table, run().table)


def test_methods_text_names_version_metric_and_numbers(result: gsea.AnalysisResult) -> None:
    assert f"GSEApy {package_version('gseapy')}" in result.methods
    assert "400 genes" in result.methods
    assert "13 of 14 sets with 15 to 500 ranked genes" in result.methods
    assert "1,000 gene set permutations with seed 0" in result.methods


@pytest.mark.parametrize(
    ("rank_by", "expected"),
    [
        ("fold_change", [2.0, -1.0, 0.5]),
        ("p_value", [3.0, 1.0, 300.0]),
        ("sign_p_value", [3.0, -1.0, 300.0]),
        ("fold_change_p_value", [6.0, -1.0, 150.0]),
    ],
)
def test_rank_metrics(rank_by: str, expected: list[float]) -> None:
    table = pd.DataFrame(
        {
            "Gene_Symbol": ["A", "B", "C"],
            "Log2_Fold_Change": [2.0, -1.0, 0.5],
            "P_Value": [1e-3, 0.1, 0.0],
        }
    )
    ranking = gsea.rank_genes(table, rank_by)
    assert ranking.reindex(["A", "B", "C"]).tolist() == pytest.approx(expected)
    assert ranking.is_monotonic_decreasing


def test_ties_are_broken_by_fold_change_then_p_value_then_name() -> None:
    table = pd.DataFrame(
        {
            "Gene_Symbol": ["D", "C", "B", "A"],
            "Log2_Fold_Change": [1.0, -3.0, 1.0, 1.0],
            "P_Value": [0.5, 0.5, 0.5, 0.1],
        }
    )
    assert list(gsea.rank_genes(table, "sign_p_value").index) == ["A", "B", "D", "C"]


def test_no_testable_set_is_refused_with_sizes() -> None:
    with pytest.raises(AnalysisInputError) as caught:
        gsea.check_inputs(
            validated(gsea.GeneSetEnrichmentParameters, {**BASE, "min_size": 100, "max_size": 200}),
            de_table(),
            collection(),
        )
    assert caught.value.field == "min_size"
    assert "between 100 and 200 genes" in caught.value.message
    assert "the largest has" in caught.value.message


def test_no_overlap_hints_at_symbol_case() -> None:
    lower = GeneSetCollection.from_mapping({"S": ("", [f"g{i}" for i in range(30)])})
    with pytest.raises(AnalysisInputError) as caught:
        gsea.check_inputs(validated(gsea.GeneSetEnrichmentParameters, BASE), de_table(), lower)
    assert "letter case" in caught.value.message


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (de_table().drop(columns=["P_Value"]), "lack the column(s) P_Value"),
        (de_table().assign(P_Value=np.nan), "missing values"),
        (pd.concat([de_table(), de_table().iloc[:1]]), "appears twice"),
    ],
)
def test_unusable_de_tables_are_refused(table: pd.DataFrame, words: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        gsea.check_inputs(validated(gsea.GeneSetEnrichmentParameters, BASE), table, collection())
    assert caught.value.field == "de_table"
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"rank_by": "t_statistic"}, "rank_by"),
        ({"min_size": 0}, "min_size"),
        ({"min_size": 50, "max_size": 20}, "max_size"),
        ({"differential_expression_id": None}, "differential_expression_id"),
        ({"gene_set_collection": ""}, "gene_set_collection"),
        ({"permutations": 10}, "permutations"),
    ],
)
def test_the_parameters_model_refuses_with_the_field_named(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        validated(gsea.GeneSetEnrichmentParameters, {**BASE, **raw})
    assert caught.value.field == field
