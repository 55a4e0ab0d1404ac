"""Check Pluto's assay summary against the same figures computed in base R.

Runs the ``assay_summary`` kind and scripts/assay_summary_reference.R (colSums,
colSums(x > 0), the top 1% share, quantile(type = 7) of log2(CPM + 1) and Tukey whiskers) on
the same values: (1) the demo experiment's counts, as log2(CPM + 1) over detected features
(the defaults), (2) the same counts as log2(count + 1) over all features, (3) generated
counts of 1,234 features (the top 1% is 13 of them) with very different depths, ties and a
sample without a single count, and (4) generated TPM values (fractional, already
normalised). Prints, per data set and figure, the largest relative difference
|pluto - R| / max(|pluto|, |R|), and exits 1 when one exceeds 1e-12.

Usage: python scripts/validate_assay_summary.py   (needs Rscript: scripts/install-r)
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

from pluto.server.analyses.compute.inputs import no_progress
from pluto.server.analyses.kind import FrameInputs
from pluto.server.analyses.kinds import assay_summary

REFERENCE_SCRIPT = Path(__file__).with_name("assay_summary_reference.R")
TARGET = 1e-12
FIGURES = (
    "Library_Size",
    "Detected_Features",
    "Top_Share",
    "Q25",
    "Median",
    "Q75",
    "Lower_Whisker",
    "Upper_Whisker",
)


@dataclass(frozen=True)
class DataSet:
    """Values (features x samples), their units and the parameters to summarise them with."""

    name: str
    values: pd.DataFrame
    units: str
    params: assay_summary.AssaySummaryParameters


def demo_counts() -> pd.DataFrame:
    """The demo experiment PLX140206: 32,544 genes x 12 samples of raw counts."""
    from pluto.server.lab.demo_data import generate_demo_tables

    return generate_demo_tables().counts.to_pandas().set_index("gene_symbol")


def generated_counts(seed: int = 20240612, features: int = 1_234) -> pd.DataFrame:
    """Negative binomial counts of 9 samples whose depths differ up to 50-fold, with many
    zeros and tied values; the last sample has no counts at all."""
    rng = np.random.default_rng(seed)
    depth = np.exp(rng.uniform(np.log(0.1), np.log(5.0), 9))
    base = np.exp(rng.normal(2.0, 2.5, features))
    mean = base[:, None] * depth[None, :]
    counts = rng.negative_binomial(5, 5 / (5 + mean)).astype(float)
    counts[:, -1] = 0
    return frame_of(counts, "FEATURE", "S")


def generated_tpm(seed: int = 20240613, features: int = 5_000) -> pd.DataFrame:
    """Fractional TPM values of 7 samples: each column sums to one million."""
    rng = np.random.default_rng(seed)
    raw = np.exp(rng.normal(1.0, 2.0, (features, 7))) * (rng.random((features, 7)) > 0.3)
    return frame_of(raw / raw.sum(axis=0) * 1e6, "TX", "T")


def frame_of(values: np.ndarray, feature: str, sample: str) -> pd.DataFrame:
    """A features x samples frame with generated names."""
    return pd.DataFrame(
        values,
        index=[f"{feature}{i + 1:05d}" for i in range(values.shape[0])],
        columns=[f"{sample}{j + 1}" for j in range(values.shape[1])],
    )


def data_sets() -> list[DataSet]:
    """The four comparisons the module docstring lists."""
    parameters = assay_summary.AssaySummaryParameters
    demo = demo_counts()
    return [
        DataSet(
            "demo PLX140206, log2(CPM + 1), detected features", demo, "raw_counts", parameters()
        ),
        DataSet(
            "demo PLX140206, log2(count + 1), all features",
            demo,
            "raw_counts",
            parameters(normalization="none", detected_only=False),
        ),
        DataSet(
            "generated counts (1,234 features, an empty sample), log2(CPM + 1)",
            generated_counts(),
            "raw_counts",
            parameters(normalization="cpm"),
        ),
        DataSet(
            "generated TPM, log2(TPM + 1), all features",
            generated_tpm(),
            "tpm",
            parameters(detected_only=False),
        ),
    ]


def pluto_figures(data: DataSet) -> pd.DataFrame:
    """Pluto's results table with the whiskers from its display settings, by sample."""
    samples = pd.DataFrame(index=pd.Index(data.values.columns, name="sample_id"))
    inputs = FrameInputs(samples=samples, counts=data.values, units=data.units)
    result = assay_summary.KIND.run(data.params, inputs, no_progress)
    table = result.table.set_index("Sample_ID")
    whiskers = result.display["whiskers"]
    table["Lower_Whisker"] = [whiskers[s][0] for s in table.index]
    table["Upper_Whisker"] = [whiskers[s][1] for s in table.index]
    return table


def r_figures(data: DataSet, folder: Path) -> pd.DataFrame:
    """The same figures from the R reference."""
    values_path, results_path = folder / "values.csv", folder / "results.csv"
    data.values.rename_axis("feature").to_csv(values_path, float_format="%.17g")
    normalization = assay_summary.scale_of(data.params, data.units).normalization
    command = [
        "Rscript",
        str(REFERENCE_SCRIPT),
        str(values_path),
        str(results_path),
        normalization,
        str(data.params.detected_only).lower(),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"the R reference failed:\n{finished.stderr}")
    return pd.read_csv(results_path, index_col="sample", keep_default_na=False)


def relative_difference(a: pd.Series, b: pd.Series) -> float:
    """The largest |a - b| / max(|a|, |b|) (0 where both are 0)."""
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    scale = np.maximum(np.abs(x), np.abs(y))
    differences = np.divide(np.abs(x - y), scale, out=np.zeros_like(x), where=scale > 0)
    return float(differences.max())


def compare(data: DataSet, folder: Path) -> dict[str, float]:
    """The largest relative difference of each figure between Pluto and R."""
    python = pluto_figures(data)
    r = r_figures(data, folder).loc[python.index]
    return {figure: relative_difference(python[figure], r[figure]) for figure in FIGURES}


def report(data: DataSet, differences: dict[str, float], seconds: float) -> bool:
    """Print one data set's figures; whether all meet the target."""
    passed = all(value <= TARGET for value in differences.values())
    features, samples = data.values.shape
    print(
        f"{data.name}: {features:,} features, {samples} samples"
        f" [{'ok' if passed else 'MISSED'}] ({seconds:.1f} s with R)"
    )
    for figure, value in differences.items():
        mark = "" if value <= TARGET else "  MISSED"
        print(f"  {figure:<18} max relative difference {value:.3e}{mark}")
    return passed


def main() -> int:
    """Validate every data set; 0 when every figure is within the target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    passed = True
    for data in data_sets():
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="pluto-validate-") as folder:
            differences = compare(data, Path(folder))
        passed &= report(data, differences, time.perf_counter() - started)
    print(
        f"Assay summary validation (target: relative differences <= {TARGET:g}) "
        + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
