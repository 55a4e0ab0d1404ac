"""The survival kind at the compute level: its results table, summary and methods, how it
reads times, events, groups and covariates, and every refusal naming its parameter."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from pluto.server.analyses.compute import AnalysisInputError
from pluto.server.analyses.compute.inputs import AnalysisResult, no_progress
from pluto.server.analyses.compute.parameters import ParameterProblems, validated
from pluto.server.analyses.compute.survival import COLUMNS
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.compute.versions import package_version
from pluto.server.analyses.kind import FrameInputs
from pluto.server.analyses.kinds.survival import KIND
from pluto.server.analyses.kinds.survival_demo import SurvivalCohort, generate_survival_cohort

FOLLOW_UP = {"time_column": "os_months", "event_column": "os_event"}


@pytest.fixture(scope="module")
def cohort() -> SurvivalCohort:
    return generate_survival_cohort()


def inputs_of(samples: pd.DataFrame, counts: pd.DataFrame | None = None) -> FrameInputs:
    empty = pd.DataFrame(index=pd.Index([], name="gene_symbol"), columns=samples.index)
    return FrameInputs(samples=samples, counts=empty if counts is None else counts)


def run(cohort: SurvivalCohort, samples: pd.DataFrame | None = None, **raw: Any) -> AnalysisResult:
    params = validated(SurvivalParameters, {**FOLLOW_UP, **raw})
    inputs = inputs_of(cohort.samples if samples is None else samples, cohort.counts)
    KIND.check(params, inputs)
    return KIND.run(params, inputs, no_progress)


def refusal(
    cohort: SurvivalCohort, samples: pd.DataFrame | None = None, **raw: Any
) -> AnalysisInputError:
    params = validated(SurvivalParameters, {**FOLLOW_UP, **raw})
    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(params, inputs_of(cohort.samples if samples is None else samples, cohort.counts))
    return caught.value


def edited(cohort: SurvivalCohort, column: str, values: dict[str, Any]) -> pd.DataFrame:
    samples = cohort.samples.copy().astype({column: object})
    for sample, value in values.items():
        samples.loc[sample, column] = value
    return samples


def test_the_table_is_the_curves_one_row_per_group_and_time(cohort: SurvivalCohort) -> None:
    table = run(cohort, group_column="stage").table
    assert tuple(table.columns) == COLUMNS
    assert not table.isna().any().any()
    assert list(dict.fromkeys(table["Group"])) == ["I", "II", "III", "IV"]
    for stage, rows in table.groupby("Group"):
        members = cohort.samples[cohort.samples["stage"] == stage]
        assert rows["Time"].tolist() == sorted(members["os_months"].unique())
        assert rows["At_Risk"].iloc[0] == len(members)
        assert rows["Events"].sum() == members["os_event"].sum()
        assert rows["Events"].sum() + rows["Censored"].sum() == len(members)
        assert (np.diff(rows["Survival"]) <= 0).all()
        assert (
            (rows["Lower_95"] <= rows["Survival"]) & (rows["Survival"] <= rows["Upper_95"])
        ).all()


def test_summary_has_the_log_rank_test_and_hazard_ratios(cohort: SurvivalCohort) -> None:
    summary = run(cohort, group_column="stage", covariates=["age"]).summary
    assert summary["samples"] == 60 and summary["events"] == cohort.samples["os_event"].sum()
    log_rank = summary["log_rank"]
    assert log_rank["df"] == 3 and 0 < log_rank["p_value"] < 1 and log_rank["chi_square"] > 0
    terms = summary["cox"]["terms"]
    assert [(t["variable"], t["comparison"]) for t in terms] == [
        ("stage", "II vs I"),
        ("stage", "III vs I"),
        ("stage", "IV vs I"),
        ("age", "per unit increase"),
    ]
    for term in terms:
        assert term["lower_95"] < term["hazard_ratio"] < term["upper_95"]
        assert term["hazard_ratio"] == pytest.approx(np.exp(term["coefficient"]))
    assert summary["cox"]["ties"] == "efron"
    assert [g["group"] for g in summary["groups"]] == ["I", "II", "III", "IV"]
    assert sum(g["observed"] for g in summary["groups"]) == summary["events"]


def test_group_values_choose_the_groups_and_the_reference(cohort: SurvivalCohort) -> None:
    result = run(cohort, group_column="stage", group_values=["III", "I"])
    assert list(dict.fromkeys(result.table["Group"])) == ["III", "I"]
    assert result.summary["cox"]["terms"][0]["comparison"] == "I vs III"
    in_other_groups = int(cohort.samples["stage"].isin(["II", "IV"]).sum())
    assert result.summary["samples_in_other_groups"] == in_other_groups
    assert result.summary["samples"] == 60 - in_other_groups


def test_the_risk_gene_splits_high_above_the_median(cohort: SurvivalCohort) -> None:
    result = run(cohort, gene=cohort.risk_gene)
    split = result.summary["expression_split"]
    assert split["gene"] == cohort.risk_gene and split["quantile"] == 0.5
    sizes = {g["group"]: g["samples"] for g in result.summary["groups"]}
    assert sizes == {f"{cohort.risk_gene} low": 30, f"{cohort.risk_gene} high": 30}
    term = result.summary["cox"]["terms"][0]
    assert term["comparison"] == "high vs low"
    assert term["hazard_ratio"] > 1.5 and term["p_value"] < 0.01
    assert "log2(counts per million + 1)" in result.methods


def test_a_chosen_quantile_moves_the_split(cohort: SurvivalCohort) -> None:
    result = run(cohort, gene=cohort.risk_gene, expression_quantile=0.25)
    sizes = [g["samples"] for g in result.summary["groups"]]
    assert sizes == [15, 45]


def test_covariates_are_numbers_or_categories(cohort: SurvivalCohort) -> None:
    terms = run(cohort, gene=cohort.risk_gene, covariates=["stage", "age"]).summary["cox"]["terms"]
    assert [t["variable"] for t in terms] == ["MKI67", "stage", "stage", "stage", "age"]
    assert terms[-1]["comparison"] == "per unit increase"


def test_one_curve_without_groups_has_no_tests(cohort: SurvivalCohort) -> None:
    result = run(cohort)
    assert set(result.table["Group"]) == {"All samples"}
    assert result.summary["log_rank"] is None and result.summary["cox"] is None
    assert result.summary["groups"][0]["median_survival"] is not None


def test_named_event_values_read_like_ones_and_zeros(cohort: SurvivalCohort) -> None:
    named = run(
        cohort,
        event_column="vital_status",
        event_values=["dead"],
        censored_values=["alive"],
        group_column="stage",
    )
    coded = run(cohort, group_column="stage")
    pd.testing.assert_frame_equal(named.table, coded.table)
    assert "dead meaning the event and alive censoring" in named.methods


def test_true_false_events_in_any_case_are_read(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["os_event"] = np.where(samples["os_event"] == 1, "TRUE", "false")
    booleans = cohort.samples.copy()
    booleans["os_event"] = booleans["os_event"] == 1
    expected = run(cohort).table
    pd.testing.assert_frame_equal(run(cohort, samples).table, expected)
    pd.testing.assert_frame_equal(run(cohort, booleans).table, expected)


def test_samples_with_empty_values_are_left_out_and_counted(cohort: SurvivalCohort) -> None:
    samples = edited(cohort, "os_months", {"patient_001": None, "patient_002": np.nan})
    samples = samples.astype({"stage": object})
    samples.loc["patient_003", "stage"] = None
    result = run(cohort, samples, group_column="stage")
    assert result.summary["samples"] == 57 and result.summary["samples_left_out"] == 3
    assert "3 samples without a value in a column used were left out" in result.methods


def test_no_sample_with_every_value_is_refused(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["os_months"] = np.nan
    error = refusal(cohort, samples)
    assert error.field == "time_column" and "No sample has a time" in error.message


def test_methods_name_the_software_and_the_figures(cohort: SurvivalCohort) -> None:
    result = run(cohort, group_column="stage", covariates=["age"])
    assert f"numpy {package_version('numpy')}" in result.methods
    assert f"scipy {package_version('scipy')}" in result.methods
    assert "60 samples with" in result.methods and "Efron" in result.methods
    assert 'conf.type = "log"' in result.methods and "log-rank" in result.methods
    assert "stage II vs I: HR" in result.methods
    assert result.display["groups"] == ["I", "II", "III", "IV"]
    assert result.display["log_rank_p_value"] == result.summary["log_rank"]["p_value"]


@pytest.mark.parametrize("value", ["soon", "-3", "inf"])
def test_a_time_that_is_not_a_number_of_at_least_zero_is_refused(
    cohort: SurvivalCohort, value: str
) -> None:
    error = refusal(cohort, edited(cohort, "os_months", {"patient_007": value}))
    assert error.field == "time_column"
    assert "patient_007" in error.message and repr(value) in error.message


@pytest.mark.parametrize("value", ["2", "maybe", "0.5"])
def test_an_event_that_is_not_one_zero_true_or_false_is_refused(
    cohort: SurvivalCohort, value: str
) -> None:
    error = refusal(cohort, edited(cohort, "os_event", {"patient_004": value}))
    assert error.field == "event_column"
    assert "patient_004" in error.message and "event_values" in error.message


def test_events_coded_one_and_two_are_refused_as_ambiguous(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["os_event"] = samples["os_event"] + 1
    error = refusal(cohort, samples)
    assert error.field == "event_column" and "1 = censored and 2 = event" in error.message
    spelled_out = run(cohort, samples, event_values=["2"], censored_values=["1"])
    pd.testing.assert_frame_equal(spelled_out.table, run(cohort).table)


def test_a_value_in_neither_list_is_refused_naming_the_sample(cohort: SurvivalCohort) -> None:
    samples = edited(cohort, "vital_status", {"patient_010": "unknown"})
    error = refusal(
        cohort,
        samples,
        event_column="vital_status",
        event_values=["dead"],
        censored_values=["alive"],
    )
    assert error.field == "event_values"
    assert "patient_010" in error.message and "'unknown'" in error.message


def test_an_event_value_no_sample_has_is_refused(cohort: SurvivalCohort) -> None:
    error = refusal(
        cohort, event_column="vital_status", event_values=["Dead"], censored_values=["alive"]
    )
    assert error.field == "event_values" and "alive, dead" in error.message


def test_too_few_events_are_refused(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["os_event"] = 0
    samples.loc["patient_001", "os_event"] = 1
    error = refusal(cohort, samples)
    assert error.field == "event_column" and "at least 2 events" in error.message


def test_a_group_with_no_samples_is_refused(cohort: SurvivalCohort) -> None:
    error = refusal(cohort, group_column="stage", group_values=["I", "V"])
    assert error.field == "group_values"
    assert "'V' has no samples" in error.message and "I, II, III, IV" in error.message


def test_a_group_without_events_is_refused(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples.loc[samples["stage"] == "IV", "os_event"] = 0
    error = refusal(cohort, samples, group_column="stage")
    assert (
        error.field == "group_column" and "'IV'" in error.message and "no events" in error.message
    )


def test_a_group_column_with_one_value_is_refused(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["site"] = "Boston"
    error = refusal(cohort, samples, group_column="site")
    assert error.field == "group_column" and "nothing to compare" in error.message


def test_a_gene_not_in_the_assay_is_refused_with_a_suggestion(cohort: SurvivalCohort) -> None:
    error = refusal(cohort, gene="mki67")
    assert error.field == "gene" and "Did you mean 'MKI67'?" in error.message
    assert refusal(cohort, gene="NOSUCHGENE").field == "gene"


def test_a_gene_without_a_high_group_is_refused(cohort: SurvivalCohort) -> None:
    counts = cohort.counts.copy()
    counts.loc[cohort.risk_gene] = 0
    params = validated(SurvivalParameters, {**FOLLOW_UP, "gene": cohort.risk_gene})
    with pytest.raises(AnalysisInputError) as caught:
        KIND.check(params, inputs_of(cohort.samples, counts))
    assert caught.value.field == "expression_quantile"


def test_unknown_columns_are_refused_naming_the_parameter(cohort: SurvivalCohort) -> None:
    assert refusal(cohort, time_column="months").field == "time_column"
    assert refusal(cohort, event_column="status").field == "event_column"
    assert refusal(cohort, group_column="arm").field == "group_column"
    assert refusal(cohort, covariates=["weight"]).field == "covariates"


def test_covariates_that_cannot_be_adjusted_for_are_refused(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["centre"] = "A"
    samples["batch"] = np.where(samples["os_event"] == 1, "events", "none")
    samples.loc[samples.index[samples["os_event"] == 0][0], "batch"] = "events"
    constant = refusal(cohort, samples, covariates=["centre"])
    assert constant.field == "covariates" and "every sample" in constant.message
    no_events = refusal(cohort, samples, covariates=["batch"])
    assert no_events.field == "covariates" and "'none' had the event" in no_events.message


def test_more_cox_terms_than_events_are_refused(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.iloc[:8].copy()
    samples["os_event"] = [1, 1, 1, 0, 0, 0, 0, 0]
    samples["ward"] = ["a", "b", "c", "a", "b", "c", "a", "b"]
    samples["score"] = np.arange(8.0)
    error = refusal(cohort, samples, covariates=["ward", "score"])
    assert error.field == "covariates" and "more events than terms" in error.message


def test_a_hazard_ratio_running_to_infinity_is_refused_at_run(cohort: SurvivalCohort) -> None:
    samples = cohort.samples.copy()
    samples["os_months"] = np.arange(1.0, 61.0)
    samples["os_event"] = 1
    samples["marker"] = -samples["os_months"]  # whoever has the highest marker fails next
    params = validated(SurvivalParameters, {**FOLLOW_UP, "covariates": ["marker"]})
    with pytest.raises(AnalysisInputError) as caught:
        KIND.run(params, inputs_of(samples), no_progress)
    assert caught.value.field == "covariates" and "infinity" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"group_column": "stage", "gene": "MKI67"}, "gene"),
        ({"group_values": ["I", "II"]}, "group_values"),
        ({"group_column": "stage", "group_values": ["I"]}, "group_values"),
        ({"event_values": ["dead"]}, "censored_values"),
        ({"censored_values": ["alive"]}, "censored_values"),
        ({"event_values": ["x"], "censored_values": ["x"]}, "censored_values"),
        ({"expression_quantile": 0.3}, "expression_quantile"),
        ({"gene": "MKI67", "expression_quantile": 1}, "expression_quantile"),
        ({"gene": "MKI67", "expression_quantile": "0.3"}, "expression_quantile"),
        ({"covariates": ["os_months"]}, "covariates"),
        ({"time_column": ""}, "time_column"),
        ({"strata": "stage"}, "strata"),
        ({"gene": ["MKI67", "TP53"]}, "gene"),
    ],
)
def test_parameters_that_do_not_fit_together_are_refused(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(ParameterProblems) as caught:
        validated(SurvivalParameters, {**FOLLOW_UP, **raw})
    assert caught.value.field == field
    assert (
        caught.value.message[0] in "'ABCDEFGHIJKLMNOPQRSTUVWXYZ" and caught.value.message[-1] == "."
    )


def test_time_and_event_columns_are_required() -> None:
    with pytest.raises(ParameterProblems) as caught:
        validated(SurvivalParameters, {})
    assert {p["field"] for p in caught.value.problems} == {"time_column", "event_column"}


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"group_column": "stage", "group_values": ["II", "I"], "covariates": ["age"]},
        {"gene": "MKI67", "expression_quantile": 0.25},
        {"event_values": ["dead"], "censored_values": ["alive"]},
    ],
)
def test_stored_parameters_read_back_the_same(raw: dict[str, Any]) -> None:
    params = validated(SurvivalParameters, {**FOLLOW_UP, **raw})
    stored = params.model_dump(mode="json")
    assert validated(SurvivalParameters, stored) == params


def test_a_gene_box_of_one_gene_is_that_gene() -> None:
    assert validated(SurvivalParameters, {**FOLLOW_UP, "gene": ["MKI67"]}).gene == "MKI67"


def test_null_parameters_take_their_defaults() -> None:
    params = validated(SurvivalParameters, {**FOLLOW_UP, "gene": None, "covariates": None})
    assert params.gene is None and params.covariates == ()
    assert validated(SurvivalParameters, {**FOLLOW_UP, "covariates": "age"}).covariates == ("age",)


def test_the_kind_declares_its_columns_display_and_choices() -> None:
    assert KIND.analysis_type == "survival" and KIND.columns == COLUMNS
    assert KIND.display.display_type == "kaplan_meier_curve"
    assert not KIND.needs_counts
    schema = KIND.parameters.model_json_schema()["properties"]
    assert schema["time_column"]["choices"] == "sample_columns"
    assert schema["event_values"] == {
        **schema["event_values"],
        "choices": "sample_values",
        "of": "event_column",
    }
    assert schema["gene"]["choices"] == "genes"
