"""Small generated experiments for the analysis tests: negative binomial counts with a
known set of changed genes, seeded so every run sees the same numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Experiment:
    """A sample table indexed by ``sample_id`` and a genes x samples count matrix."""

    samples: pd.DataFrame
    counts: pd.DataFrame
    changed_genes: tuple[str, ...]


def experiment(
    genes: int = 300, per_group: int = 4, seed: int = 0, changed: int = 30
) -> Experiment:
    """``per_group`` treated and control samples, alternating sex, two batches; the first
    ``changed`` genes are changed fourfold up or down by the treatment."""
    rng = np.random.default_rng(seed)
    condition = np.repeat(["control", "treated"], per_group)
    sample_ids = [f"{c}_{i % per_group + 1}" for i, c in enumerate(condition)]
    sex = np.tile(["female", "male"], per_group)
    batch = np.tile(np.repeat(["b1", "b2"], (per_group + 1) // 2)[:per_group], 2)
    base = np.exp(rng.normal(4.5, 1.5, genes))
    lfc = np.zeros(genes)
    lfc[:changed] = np.where(np.arange(changed) % 2 == 0, 2.0, -2.0)
    mean = base[:, None] * np.exp2(lfc[:, None] * (condition == "treated")[None, :])
    mean *= np.exp(rng.normal(0, 0.2, len(condition)))[None, :]
    dispersion = 0.05 + 1.0 / base
    counts = rng.negative_binomial(1 / dispersion[:, None], 1 / (1 + mean * dispersion[:, None]))
    symbols = [f"GENE{i + 1}" for i in range(genes)]
    samples = pd.DataFrame(
        {
            "condition": condition,
            "sex": sex,
            "batch": batch,
            "replicate": np.arange(len(condition)) % per_group + 1,
        },
        index=pd.Index(sample_ids, name="sample_id"),
    )
    frame = pd.DataFrame(
        counts.astype(np.int64), index=pd.Index(symbols, name="gene_symbol"), columns=sample_ids
    )
    return Experiment(samples, frame, tuple(symbols[:changed]))
