"""Check Pluto's differential expression (PyDESeq2) against R DESeq2 on the same genes.

Runs both on (1) the demo experiment, treated vs control, and (2) a generated experiment
of 8 vs 8 samples with a batch covariate. Pluto's feature filter is applied once, in
Python, and the filtered counts go to both, so both see identical genes. Prints, per data
set: the correlation of log2 fold changes, the correlation of -log10 p-values (genes where
both give a p-value), the fraction of genes with the same call at adjusted p < 0.05 (no
adjusted p-value counts as not called), and both runtimes. Exits 1 when a figure misses
its target (correlations above 0.999, same calls for at least 99% of genes).

Usage: python scripts/validate_deseq2.py   (needs Rscript with DESeq2: scripts/install-r)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.parameters import validated

REFERENCE_SCRIPT = Path(__file__).with_name("deseq2_reference.R")
TARGET_CORRELATION = 0.999
TARGET_SAME_CALLS = 0.99
CALL_THRESHOLD = 0.05
P_VALUE_FLOOR = 1e-300


@dataclass(frozen=True)
class DataSet:
    """A sample table, a genes x samples count matrix and what to compare."""

    name: str
    samples: pd.DataFrame
    counts: pd.DataFrame
    params: de.DifferentialExpressionParameters


@dataclass(frozen=True)
class Agreement:
    """How closely the two implementations agree on one data set."""

    genes: int
    genes_with_both_p_values: int
    fold_change_correlation: float
    p_value_correlation: float
    same_calls: float
    called_python: int
    called_r: int

    def passes(self) -> bool:
        """Whether every figure meets its target."""
        return (
            self.fold_change_correlation > TARGET_CORRELATION
            and self.p_value_correlation > TARGET_CORRELATION
            and self.same_calls >= TARGET_SAME_CALLS
        )


@dataclass(frozen=True)
class Figures:
    """The agreement, the number of samples compared, and how long each side took."""

    agreement: Agreement
    samples: int
    python_seconds: float
    r_fit_seconds: float
    r_total_seconds: float


def demo_data_set() -> DataSet:
    """The demo experiment PLX140206: 6 treated vs 6 control samples, 32,544 genes."""
    from pluto.server.lab.demo_data import generate_demo_tables

    tables = generate_demo_tables()
    samples = tables.samples.to_pandas().set_index("sample_id")
    counts = tables.counts.to_pandas().set_index("gene_symbol")
    params = validated(
        de.DifferentialExpressionParameters,
        {
            "group_column": "condition",
            "experimental_values": "treated",
            "control_values": "control",
        },
    )
    return DataSet("demo PLX140206 (treated vs control)", samples, counts, params)


def generated_data_set(seed: int = 20240611, genes: int = 8_000) -> DataSet:
    """8 vs 8 samples in two batches: negative binomial counts with a batch effect,
    library sizes that differ, and 10% of genes changed."""
    rng = np.random.default_rng(seed)
    condition = np.repeat(["untreated", "knockdown"], 8)
    batch = np.tile(np.repeat(["A", "B"], 4), 2)
    base = np.exp(rng.normal(4.0, 2.0, genes))
    dispersion = 0.03 + 1.5 / base
    change = np.where(rng.random(genes) < 0.1, rng.normal(0.0, 1.5, genes), 0.0)
    batch_effect = rng.normal(0.0, 0.3, genes)
    size = np.exp(rng.normal(0.0, 0.3, len(condition)))
    log_mean = np.log(base)[:, None] + np.log(size)[None, :]
    log_mean += np.log(2) * change[:, None] * (condition == "knockdown")[None, :]
    log_mean += batch_effect[:, None] * (batch == "B")[None, :]
    mean = np.exp(log_mean)
    counts = rng.negative_binomial(1 / dispersion[:, None], 1 / (1 + mean * dispersion[:, None]))
    sample_ids = [f"S{i + 1:02d}" for i in range(len(condition))]
    samples = pd.DataFrame(
        {"condition": condition, "batch": batch}, index=pd.Index(sample_ids, name="sample_id")
    )
    frame = pd.DataFrame(
        counts, index=[f"GENE{i + 1:05d}" for i in range(genes)], columns=sample_ids
    )
    params = validated(
        de.DifferentialExpressionParameters,
        {
            "group_column": "condition",
            "experimental_values": ["knockdown"],
            "control_values": ["untreated"],
            "covariates": ["batch"],
        },
    )
    return DataSet(
        "generated (8 knockdown vs 8 untreated, ~ batch + condition)", samples, frame, params
    )


def python_results(data: DataSet) -> tuple[de.PreparedData, pd.DataFrame, float]:
    """Pluto's filtered input, PyDESeq2's results and the seconds the fit took."""
    prepared = de.prepare(data.params, data.samples, data.counts, "raw_counts")
    started = time.perf_counter()
    fit = de.fit_deseq2(prepared, data.params.alpha)
    return prepared, fit.results, time.perf_counter() - started


def r_results(
    prepared: de.PreparedData, alpha: float, folder: Path
) -> tuple[pd.DataFrame, float, float]:
    """R DESeq2's results on the same filtered counts, its fit seconds and its total seconds."""
    counts_path, samples_path, results_path = (
        folder / n for n in ("counts.csv", "samples.csv", "results.csv")
    )
    prepared.counts.rename_axis("gene").to_csv(counts_path)
    prepared.metadata.to_csv(samples_path)
    continuous = [
        f"covariate_{i}"
        for i, c in enumerate(prepared.metadata.columns[:-1], start=1)
        if pd.api.types.is_float_dtype(prepared.metadata[c])
    ]
    command = [
        "Rscript",
        str(REFERENCE_SCRIPT),
        str(counts_path),
        str(samples_path),
        str(results_path),
        str(alpha),
        ",".join(continuous),
    ]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    total = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"R DESeq2 failed:\n{finished.stderr}")
    fit_seconds = float(finished.stdout.strip().rsplit("fit_seconds=", 1)[1])
    results = pd.read_csv(results_path, index_col="gene", keep_default_na=False, na_values=[""])
    return results, fit_seconds, total


def compare(python: pd.DataFrame, r: pd.DataFrame, alpha: float) -> Agreement:
    """Correlations and same-call fraction over the genes both report."""
    r = r.loc[python.index]
    both_lfc = python["log2FoldChange"].notna() & r["log2FoldChange"].notna()
    both_p = python["pvalue"].notna() & r["pvalue"].notna()
    called_python = python["padj"].fillna(1.0) < alpha
    called_r = r["padj"].fillna(1.0) < alpha
    return Agreement(
        genes=len(python),
        genes_with_both_p_values=int(both_p.sum()),
        fold_change_correlation=correlation(
            python["log2FoldChange"][both_lfc], r["log2FoldChange"][both_lfc]
        ),
        p_value_correlation=correlation(
            minus_log10(python["pvalue"][both_p]), minus_log10(r["pvalue"][both_p])
        ),
        same_calls=float((called_python == called_r).mean()),
        called_python=int(called_python.sum()),
        called_r=int(called_r.sum()),
    )


def minus_log10(p_values: pd.Series) -> np.ndarray:
    """-log10 p, with p = 0 floored so it stays finite."""
    return np.asarray(-np.log10(np.clip(p_values.to_numpy(dtype=float), P_VALUE_FLOOR, 1.0)))


def correlation(a: pd.Series | np.ndarray, b: pd.Series | np.ndarray) -> float:
    """Pearson correlation."""
    return float(np.corrcoef(np.asarray(a, dtype=float), np.asarray(b, dtype=float))[0, 1])


def validate(data: DataSet, folder: Path) -> Figures:
    """Run both implementations on one data set and compare them."""
    prepared, python, python_seconds = python_results(data)
    r, r_fit_seconds, r_total_seconds = r_results(prepared, data.params.alpha, folder)
    return Figures(
        agreement=compare(python, r, CALL_THRESHOLD),
        samples=len(prepared.comparison.samples),
        python_seconds=python_seconds,
        r_fit_seconds=r_fit_seconds,
        r_total_seconds=r_total_seconds,
    )


def report(name: str, figures: Figures, features: str = "genes") -> None:
    """Print the figures of one data set (whose rows are ``features``: genes or peaks)."""
    agreement = figures.agreement
    mark = "ok" if agreement.passes() else "MISSED"
    print(
        f"{name}: {agreement.genes:,} {features} after Pluto's filter,"
        f" {figures.samples} samples [{mark}]"
    )
    print(
        f"  log2 fold change correlation    {agreement.fold_change_correlation:.6f}"
        f"  (target > {TARGET_CORRELATION})"
    )
    print(
        f"  -log10 p-value correlation      {agreement.p_value_correlation:.6f}"
        f"  (target > {TARGET_CORRELATION}; {agreement.genes_with_both_p_values:,} {features}"
        " with both)"
    )
    print(
        f"  same call at adjusted p < {CALL_THRESHOLD}  {agreement.same_calls:.4%}"
        f"  (target >= {TARGET_SAME_CALLS:.0%}; called by PyDESeq2 {agreement.called_python:,},"
        f" by R {agreement.called_r:,})"
    )
    print(
        f"  runtime: PyDESeq2 {figures.python_seconds:.1f} s;"
        f" R DESeq2 {figures.r_fit_seconds:.1f} s (DESeq + results;"
        f" {figures.r_total_seconds:.1f} s with R start-up and file reading)"
    )


def main() -> int:
    """Validate on both data sets; 0 when every figure meets its target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    import pydeseq2.dds  # noqa: F401  (imported before timing, as a worker would have it)

    passed = True
    for data in (demo_data_set(), generated_data_set()):
        with tempfile.TemporaryDirectory(prefix="pluto-validate-") as folder:
            figures = validate(data, Path(folder))
        report(data.name, figures)
        passed &= figures.agreement.passes()
    print(
        "DESeq2 validation " + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
