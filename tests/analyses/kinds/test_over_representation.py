"""Over-representation: hypergeometric p-values, the universe, thresholds, the dot plot and
every refusal, computed on in-memory inputs."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute import over_representation as ora
from pluto.server.analyses.compute.gene_sets import GeneSetCollection
from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.versions import package_version
from pluto.server.analyses.kind import FigureContext, FrameInputs
from pluto.server.analyses.kinds.over_representation import KIND

DE_ID = "0f6c5a7e-1111-4222-8333-944445555666"
BASE = {"differential_expression_id": DE_ID, "gene_set_collection": "test_sets"}
GENES = [f"G{i}" for i in range(1000)]
UP, DOWN = GENES[:40], GENES[40:70]


def de_table() -> pd.DataFrame:
    """1,000 tested genes: G0-G39 up and G40-G69 down at adjusted p from 1e-6 to 0.04, the
    rest not significant (adjusted p 0.2 and above)."""
    rng = np.random.default_rng(3)
    adjusted = np.r_[np.linspace(1e-6, 0.04, 70), rng.uniform(0.2, 1.0, 930)]
    lfc = np.r_[np.linspace(3.0, 0.5, 40), -np.linspace(3.0, 0.5, 30), rng.normal(0, 0.3, 930)]
    return pd.DataFrame(
        {
            "Gene_Symbol": GENES,
            "Average_Expression": rng.uniform(10, 1000, 1000),
            "Log2_Fold_Change": lfc,
            "P_Value": adjusted / 50,
            "Adj_P_Value": adjusted,
        }
    ).sample(frac=1.0, random_state=1)


def collection() -> GeneSetCollection:
    """A set rich in up genes, one rich in down genes, random sets, a set of genes the
    differential expression did not test, and sets too small or too large."""
    rng = np.random.default_rng(4)
    sets: dict[str, tuple[str, list[str]]] = {
        "UP_SET": ("Raised by the treatment", [*UP[:20], *GENES[500:520], "NOT_TESTED"]),
        "DOWN_SET": ("", [*DOWN[:15], *GENES[600:615]]),
        "UNTESTED": ("only genes outside the universe", [f"X{i}" for i in range(30)]),
        "TINY": ("too small", GENES[100:105]),
        "HUGE": ("too large", GENES[:700]),
    }
    for j in range(20):
        sets[f"RANDOM_{j:02d}"] = ("https://example.org", list(rng.choice(GENES, 40, False)))
    return GeneSetCollection.from_mapping(sets)


def inputs(de_parameters: dict[str, Any] | None = None, table: pd.DataFrame | None = None) -> Any:
    """In-memory inputs holding the differential expression and the collection."""
    parameters = {"alpha": 0.05} if de_parameters is None else de_parameters
    return FrameInputs(
        samples=pd.DataFrame(),
        counts=pd.DataFrame(),
        analyses={DE_ID: (parameters, de_table() if table is None else table)},
        collections={"test_sets": collection()},
    )


def params(**changes: Any) -> Any:
    return validated(KIND.parameters, {**BASE, **changes})


def run(frame_inputs: Any = None, **changes: Any) -> AnalysisResult:
    return KIND.run(params(**changes), frame_inputs or inputs(), no_progress)


def refusal(frame_inputs: Any = None, **changes: Any) -> AnalysisInputError:
    """The error the creation check raises for these parameters."""
    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(params(**changes), frame_inputs or inputs())
    return caught.value


def exact_tail(overlap: int, set_size: int, selected: int, universe: int) -> float:
    """P(X >= overlap) for X hypergeometric, in exact rational arithmetic."""
    total = sum(
        math.comb(set_size, i) * math.comb(universe - set_size, selected - i)
        for i in range(overlap, min(set_size, selected) + 1)
    )
    return float(Fraction(total, math.comb(universe, selected)))


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return run()


def row(table: pd.DataFrame, name: str) -> pd.Series:
    return table.set_index("Gene_Set_Shortname").loc[name]


def test_results_have_exactly_the_columns_and_no_nulls(result: AnalysisResult) -> None:
    assert list(result.table.columns) == list(KIND.columns) == list(ora.COLUMNS)
    assert not result.table.isna().any().any()
    assert result.table["Overlap"].dtype == np.int64 and result.table["Set_Size"].dtype == np.int64


def test_a_set_rich_in_significant_genes_comes_first(result: AnalysisResult) -> None:
    assert list(result.table["Gene_Set_Shortname"][:2]) == ["UP_SET", "DOWN_SET"]
    assert row(result.table, "UP_SET")["Gene_Set_Name"] == "Raised by the treatment"
    assert row(result.table, "RANDOM_00")["Gene_Set_Name"] == "RANDOM_00"


def test_p_values_are_the_exact_hypergeometric_upper_tail(result: AnalysisResult) -> None:
    selected, universe = 70, 1000
    for _, tested in result.table.iterrows():
        expected = exact_tail(int(tested.Overlap), int(tested.Set_Size), selected, universe)
        assert tested.P_Value == pytest.approx(expected, rel=1e-12, abs=0)


def test_adjusted_p_values_are_benjamini_hochberg_over_all_tested_sets(
    result: AnalysisResult,
) -> None:
    p = result.table["P_Value"].to_numpy()
    order = np.argsort(p)
    scaled = p[order] * len(p) / np.arange(1, len(p) + 1)
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(1, np.minimum.accumulate(scaled[::-1])[::-1])
    np.testing.assert_allclose(result.table["Adj_P_Value"], adjusted, rtol=1e-12)


def test_set_size_counts_only_tested_genes_and_sizes_are_filtered(result: AnalysisResult) -> None:
    up = row(result.table, "UP_SET")
    assert (up.Set_Size, up.Overlap) == (40, 20)
    assert {"UNTESTED", "TINY", "HUGE"}.isdisjoint(result.table["Gene_Set_Shortname"])
    assert len(result.table) == 22
    assert result.summary["gene_sets_in_collection"] == 25


def test_sets_without_a_selected_gene_are_reported_with_p_value_one() -> None:
    table = run(direction="up").table
    down = row(table, "DOWN_SET")
    assert (down.Overlap, down.P_Value, down.Fold_Enrichment, down.Genes) == (0, 1.0, 0.0, "")


def test_expected_and_fold_enrichment_follow_from_the_counts(result: AnalysisResult) -> None:
    up = row(result.table, "UP_SET")
    assert up.Expected == pytest.approx(70 * 40 / 1000)
    assert up.Fold_Enrichment == pytest.approx(20 / (70 * 40 / 1000))


def test_genes_are_the_overlap_most_significant_first(result: AnalysisResult) -> None:
    assert row(result.table, "UP_SET").Genes == ";".join(UP[:20])
    assert row(result.table, "DOWN_SET").Genes.split(";") == DOWN[:15]


def test_direction_selects_raised_or_lowered_genes() -> None:
    up, down = run(direction="up"), run(direction="down")
    assert up.summary["genes_selected"] == 40 and down.summary["genes_selected"] == 30
    assert up.table["Gene_Set_Shortname"].iloc[0] == "UP_SET"
    assert down.table["Gene_Set_Shortname"].iloc[0] == "DOWN_SET"
    assert row(up.table, "UP_SET").Expected == pytest.approx(40 * 40 / 1000)


def test_the_p_value_threshold_defaults_to_the_alpha_of_the_differential_expression() -> None:
    strict = run(inputs({"alpha": 0.01, "group_column": "condition"}))
    assert strict.summary["p_value_threshold"] == 0.01
    assert strict.summary["genes_selected"] == int((de_table()["Adj_P_Value"] < 0.01).sum())
    given = run(inputs({"alpha": 0.01}), p_value_threshold=0.3)
    assert given.summary["p_value_threshold"] == 0.3 and given.summary["genes_selected"] > 70
    assert run(inputs({})).summary["p_value_threshold"] == 0.05


def test_raw_p_values_and_a_fold_change_threshold_can_select_instead() -> None:
    raw = run(use_adjusted_p_value=False, p_value_threshold=0.001)
    assert raw.summary["genes_selected"] == int((de_table()["P_Value"] < 0.001).sum())
    strong = run(fold_change_threshold=2.0)
    lfc = de_table().set_index("Gene_Symbol")["Log2_Fold_Change"]
    assert strong.summary["genes_selected"] == int((lfc[UP + DOWN].abs() >= 2.0).sum())
    assert "absolute log2 fold change of at least 2" in strong.methods


def test_methods_text_names_the_software_thresholds_and_numbers(result: AnalysisResult) -> None:
    methods = result.methods
    assert f"scipy {package_version('scipy')}" in methods
    assert "1,000 genes tested by differential expression analysis " + DE_ID in methods
    assert "the 70 genes raised or lowered with an adjusted p-value below 0.05" in methods
    assert "the 22 of 25 sets with 10 to 500 universe genes" in methods
    assert "Benjamini-Hochberg" in methods and "separated by ';'" in methods


def test_no_significant_gene_in_the_direction_names_the_direction() -> None:
    table = de_table()
    table.loc[table["Log2_Fold_Change"] < 0, "Adj_P_Value"] = 0.9
    error = refusal(inputs(table=table), direction="down")
    assert error.field == "direction"
    assert "No gene of the differential expression is significantly lowered" in error.message
    assert "40 are raised and 0 lowered" in error.message


def test_no_significant_gene_at_all_names_the_threshold() -> None:
    error = refusal(p_value_threshold=1e-9)
    assert error.field == "p_value_threshold"
    assert "among its 1,000 tested genes; raise p_value_threshold" in error.message


def test_no_set_within_the_size_bounds_names_min_size() -> None:
    error = refusal(min_size=300, max_size=400)
    assert error.field == "min_size"
    assert "No gene set has between 300 and 400 of the 1,000 tested genes" in error.message


def test_a_collection_sharing_no_gene_says_to_check_the_symbols() -> None:
    frame_inputs = inputs()
    foreign = GeneSetCollection.from_mapping({"S": ("", [f"g{i}" for i in range(50)])})
    frame_inputs = FrameInputs(
        frame_inputs.samples,
        frame_inputs.counts,
        analyses=frame_inputs.analyses,
        collections={"test_sets": foreign},
    )
    error = refusal(frame_inputs)
    assert error.field == "min_size" and "same kind of gene symbols" in error.message


def test_unknown_collection_and_analysis_are_refused_naming_the_parameter() -> None:
    assert refusal(gene_set_collection="nope").field == "gene_set_collection"
    assert refusal(differential_expression_id="other").field == "differential_expression_id"


def test_differential_expression_results_without_adjusted_p_values_are_refused() -> None:
    error = refusal(inputs(table=de_table().drop(columns="Adj_P_Value")))
    assert error.field == "differential_expression_id" and "Adj_P_Value" in error.message


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"direction": "sideways"}, "direction", "'direction' must be one of 'up', 'down'"),
        ({"p_value_threshold": 0}, "p_value_threshold", "must be more than 0"),
        ({"min_size": 50, "max_size": 20}, "max_size", "The largest set size, max_size = 20, is"),
        ({"use_adjusted_p_value": "yes"}, "use_adjusted_p_value", "valid boolean"),
        ({"min_size": 2.5}, "min_size", "'min_size' must be a whole number"),
        ({"colour": "red"}, "colour", "'colour' is not a parameter of this analysis"),
    ],
)
def test_bad_parameters_are_refused_by_the_model_naming_them(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(AnalysisInputError) as caught:
        params(**changes)
    assert caught.value.field == field and message in caught.value.message


def test_a_numeric_analysis_id_and_a_null_threshold_are_taken() -> None:
    chosen = params(differential_expression_id=12, p_value_threshold=None)
    assert chosen.differential_expression_id == "12" and chosen.p_value_threshold is None


def figure(result: AnalysisResult, **options: Any) -> dict[str, Any]:
    context = FigureContext(computed=result.display, samples=None)
    return KIND.display.figure(result.table, "Enrichment", options, context)


def test_dot_plot_shows_significant_sets_sized_by_overlap_coloured_by_adjusted_p(
    result: AnalysisResult,
) -> None:
    assert KIND.display.display_type == "dot_plot"
    trace = figure(result)["data"][0]
    significant = result.table[result.table["Adj_P_Value"] < 0.05]
    assert len(trace["y"]) == len(significant) >= 2
    assert trace["y"][-1] == "Raised by the treatment"  # the largest enrichment on top
    shown = significant.set_index("Gene_Set_Name").loc[trace["y"]]
    assert trace["marker"]["size"] == shown["Overlap"].astype(float).tolist()
    assert trace["marker"]["color"] == shown["Adj_P_Value"].tolist()
    assert trace["x"] == shown["Fold_Enrichment"].round(4).tolist()


def test_dot_plot_options_choose_how_many_and_below_which_p_value(
    result: AnalysisResult,
) -> None:
    assert len(figure(result, p_value_threshold=1.0)["data"][0]["y"]) == 20
    assert len(figure(result, p_value_threshold=1.0, top_n=5)["data"][0]["y"]) == 5
    empty = figure(result, p_value_threshold=1e-300)
    assert empty["data"] == []
    assert "raise p_value_threshold" in empty["layout"]["annotations"][0]["text"]


def test_dot_plot_options_refuse_unknown_options() -> None:
    with pytest.raises(ValidationError):
        KIND.display.options.model_validate({"top_n": 0})
    with pytest.raises(ValidationError):
        KIND.display.options.model_validate({"size_by": "Overlap"})
