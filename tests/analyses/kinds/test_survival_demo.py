"""The survival demo cohort: seeded, small, with follow-up ties and censoring, and a risk
gene the survival analysis finds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pluto.server.analyses.compute.inputs import no_progress
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.kind import FrameInputs
from pluto.server.analyses.kinds.survival import KIND
from pluto.server.analyses.kinds.survival_demo import PATIENTS, generate_survival_cohort


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another() -> None:
    first, second = generate_survival_cohort(), generate_survival_cohort()
    pd.testing.assert_frame_equal(first.samples, second.samples)
    pd.testing.assert_frame_equal(first.counts, second.counts)
    other = generate_survival_cohort(seed=7)
    assert not other.samples["os_months"].equals(first.samples["os_months"])


def test_the_cohort_has_tied_censored_follow_up_and_counts_for_every_patient() -> None:
    cohort = generate_survival_cohort()
    samples, counts = cohort.samples, cohort.counts
    assert len(samples) == PATIENTS and list(samples.columns) == [
        "os_months",
        "os_event",
        "vital_status",
        "stage",
        "age",
    ]
    assert samples["os_months"].min() >= 1 and samples["os_months"].duplicated().any()
    assert 0.2 < 1 - samples["os_event"].mean() < 0.6
    assert set(samples["stage"]) == {"I", "II", "III", "IV"}
    assert (samples["vital_status"] == "dead").tolist() == (samples["os_event"] == 1).tolist()
    assert list(counts.columns) == list(samples.index) and cohort.risk_gene in counts.index
    assert counts.shape == (2_000, PATIENTS) and (counts.to_numpy() >= 0).all()
    assert counts.index.is_unique and np.issubdtype(counts.to_numpy().dtype, np.integer)


def test_the_risk_gene_is_found_to_raise_the_hazard() -> None:
    cohort = generate_survival_cohort()
    params = validated(
        SurvivalParameters,
        {
            "time_column": "os_months",
            "event_column": "os_event",
            "gene": cohort.risk_gene,
            "covariates": ["stage", "age"],
        },
    )
    summary = KIND.run(params, FrameInputs(cohort.samples, cohort.counts), no_progress).summary
    gene_term = summary["cox"]["terms"][0]
    assert gene_term["variable"] == cohort.risk_gene
    assert gene_term["lower_95"] > 1 and gene_term["p_value"] < 0.001
    assert summary["log_rank"]["p_value"] < 0.001
