"""A small survival cohort to show the survival analysis on: 60 patients with follow-up in
whole months (so times tie), censoring at the end of the study or on loss to follow-up,
stage and age, and RNA-seq counts of 2,000 genes where one gene, MKI67, drives the risk.

One seeded ``numpy.random.Generator`` makes everything, so every call gives the same
tables. The hazard is exponential in a linear predictor of the risk gene's log2
expression, the stage and the age; the counts are negative binomial around the demo
experiment's gene means (:mod:`pluto.server.lab.demo_data`), the risk gene's mean
following the patient's drawn expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pluto.server.lab.demo_data import (
    FloatArray,
    draw_base_means,
    draw_counts,
    draw_dispersions,
    load_gene_symbols,
)

SURVIVAL_DEMO_SEED = 20240917
PATIENTS = 60
GENES = 2_000
RISK_GENE = "MKI67"
RISK_GENE_LOG2_MEAN = 7.0
RISK_GENE_LOG2_SD = 1.2
RISK_GENE_DISPERSION = 0.05
LOG_HAZARD_PER_LOG2_EXPRESSION = 0.8
STAGES = ("I", "II", "III", "IV")
STAGE_SHARES = (0.3, 0.3, 0.25, 0.15)
STAGE_LOG_HAZARDS = (0.0, 0.3, 0.7, 1.2)
AGE_MEAN, AGE_SD = 62.0, 9.0
LOG_HAZARD_PER_YEAR = 0.02
BASE_MONTHLY_HAZARD = 0.015
STUDY_MONTHS = (24.0, 72.0)  # when each patient's follow-up ends, uniformly in between
LOSS_TO_FOLLOW_UP_MONTHLY = 0.004


@dataclass(frozen=True)
class SurvivalCohort:
    """The cohort's sample table (indexed by ``sample_id``: ``os_months``, ``os_event``
    1/0, ``vital_status`` dead/alive, ``stage``, ``age``), its genes x samples raw counts,
    and what was put into them."""

    samples: pd.DataFrame
    counts: pd.DataFrame
    risk_gene: str
    log_hazard_per_log2_expression: float


def generate_survival_cohort(
    seed: int = SURVIVAL_DEMO_SEED, patients: int = PATIENTS, genes: int = GENES
) -> SurvivalCohort:
    """Build the cohort; the same arguments always give the same tables."""
    rng = np.random.default_rng(seed)
    sample_ids = [f"patient_{n:03d}" for n in range(1, patients + 1)]
    stage = rng.choice(np.array(STAGES), patients, p=STAGE_SHARES)
    age = np.clip(np.round(rng.normal(AGE_MEAN, AGE_SD, patients)), 30, 90).astype(np.int64)
    risk_log2 = rng.normal(RISK_GENE_LOG2_MEAN, RISK_GENE_LOG2_SD, patients)
    months, event = follow_up(rng, log_hazards(stage, age, risk_log2))
    samples = pd.DataFrame(
        {
            "os_months": months,
            "os_event": event.astype(np.int64),
            "vital_status": np.where(event, "dead", "alive"),
            "stage": stage,
            "age": age,
        },
        index=pd.Index(sample_ids, name="sample_id"),
    )
    return SurvivalCohort(
        samples=samples,
        counts=count_matrix(rng, sample_ids, risk_log2, genes),
        risk_gene=RISK_GENE,
        log_hazard_per_log2_expression=LOG_HAZARD_PER_LOG2_EXPRESSION,
    )


def log_hazards(stage: np.ndarray, age: np.ndarray, risk_log2: FloatArray) -> FloatArray:
    """Each patient's log hazard relative to a stage I patient of mean age and expression."""
    stage_effect = np.asarray([STAGE_LOG_HAZARDS[STAGES.index(s)] for s in stage])
    return np.asarray(
        stage_effect
        + LOG_HAZARD_PER_YEAR * (age - AGE_MEAN)
        + LOG_HAZARD_PER_LOG2_EXPRESSION * (risk_log2 - RISK_GENE_LOG2_MEAN),
        dtype=float,
    )


def follow_up(rng: np.random.Generator, log_hazard: FloatArray) -> tuple[FloatArray, np.ndarray]:
    """Months of follow-up (whole months, at least 1) and whether the event ended it."""
    count = len(log_hazard)
    event_time = rng.exponential(1.0 / (BASE_MONTHLY_HAZARD * np.exp(log_hazard)))
    study_end = rng.uniform(*STUDY_MONTHS, count)
    lost = rng.exponential(1.0 / LOSS_TO_FOLLOW_UP_MONTHLY, count)
    censoring = np.minimum(study_end, lost)
    event = event_time <= censoring
    months = np.maximum(np.ceil(np.minimum(event_time, censoring)), 1.0)
    return months, event


def count_matrix(
    rng: np.random.Generator, sample_ids: list[str], risk_log2: FloatArray, genes: int
) -> pd.DataFrame:
    """Raw counts: protein-coding genes of the demo's gene model, the risk gene's mean
    following each patient's expression, library sizes varying twofold."""
    symbols, gene_types = load_gene_symbols()
    coding = [s for s, t in zip(symbols, gene_types, strict=True) if t == "protein-coding"]
    others = [s for s in coding if s != RISK_GENE]
    chosen = sorted([RISK_GENE, *rng.choice(others, genes - 1, replace=False).tolist()])
    base_means = draw_base_means(rng, np.full(genes, "protein-coding"))
    size_factors = 2.0 ** rng.uniform(-0.5, 0.5, len(sample_ids))
    means = np.outer(base_means, size_factors)
    row = chosen.index(RISK_GENE)
    means[row] = 2.0**risk_log2 * size_factors
    dispersions = draw_dispersions(rng, base_means)
    dispersions[row] = RISK_GENE_DISPERSION
    counts = draw_counts(rng, means, dispersions)
    return pd.DataFrame(counts, index=pd.Index(chosen, name="gene_symbol"), columns=sample_ids)
