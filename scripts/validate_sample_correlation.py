"""Check Pluto's sample correlations against R's cor(), and their order against hclust's.

Runs the sample correlation kind on (1) the demo experiment, with its 500 most variable
genes (the default) and with every gene that varies, and (2) a generated experiment of
shallow counts, whose log2 CPM values have many ties (which Spearman's correlation must
rank as R does, by their average rank). For each data set, method (Pearson, Spearman) and
linkage (average, complete), R computes ``cor(x, method)`` of the same log2 CPM matrix and
``hclust(as.dist(1 - r), linkage)``. Prints the largest difference of the correlation
matrices, the largest difference of the merge heights and whether the sample order is the
same. Exits 1 when a figure misses its target: correlations and heights within 1e-12, the
same order.

Usage: python scripts/validate_sample_correlation.py   (needs Rscript: scripts/install-r)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pluto.server.analyses.compute.inputs import no_progress
from pluto.server.analyses.compute.principal_components import log_expression
from pluto.server.analyses.kind import FrameInputs
from pluto.server.analyses.kinds import sample_correlation as kind

REFERENCE_SCRIPT = Path(__file__).with_name("sample_correlation_reference.R")
CASES: tuple[tuple[kind.Method, str], ...] = (
    ("pearson", "average"),
    ("pearson", "complete"),
    ("spearman", "average"),
    ("spearman", "complete"),
)
TARGET = 1e-12
ALL_GENES = 100_000


@dataclass(frozen=True)
class DataSet:
    """A sample table, a genes x samples count matrix and how many genes to correlate."""

    name: str
    samples: pd.DataFrame
    counts: pd.DataFrame
    top_genes: int


@dataclass(frozen=True)
class Agreement:
    """How one of Pluto's sample correlation results compares with R's."""

    correlation_difference: float
    height_difference: float
    same_order: bool

    def passes(self) -> bool:
        """Whether every figure meets its target."""
        return (
            self.correlation_difference <= TARGET
            and self.height_difference <= TARGET
            and self.same_order
        )


def demo_data_sets() -> list[DataSet]:
    """The demo experiment PLX140206 (12 samples, 32,544 genes)."""
    from pluto.server.lab.demo_data import generate_demo_tables

    tables = generate_demo_tables()
    samples = tables.samples.to_pandas().set_index("sample_id")
    counts = tables.counts.to_pandas().set_index("gene_symbol")
    return [
        DataSet("demo PLX140206, top 500 genes", samples, counts, 500),
        DataSet("demo PLX140206, every gene that varies", samples, counts, ALL_GENES),
    ]


def generated_data_set(seed: int = 7, genes: int = 2_000) -> DataSet:
    """16 shallow samples in two groups: counts of a few reads, so many values tie."""
    rng = np.random.default_rng(seed)
    group = np.repeat([0, 1], 8)
    base = np.exp(rng.normal(0.5, 1.0, genes))
    change = np.where(rng.random(genes) < 0.2, rng.normal(0, 1.5, genes), 0.0)
    mean = base[:, None] * np.exp2(change[:, None] * group[None, :])
    counts = rng.poisson(mean)
    sample_ids = [f"S{i + 1:02d}" for i in range(16)]
    samples = pd.DataFrame({"group": group}, index=pd.Index(sample_ids, name="sample_id"))
    frame = pd.DataFrame(counts, index=[f"G{i + 1:05d}" for i in range(genes)], columns=sample_ids)
    return DataSet(
        "generated, 16 shallow samples (many ties), all genes", samples, frame, ALL_GENES
    )


def pluto_result(
    data: DataSet, method: kind.Method, linkage: str
) -> tuple[pd.DataFrame, list[float]]:
    """The kind's results table (as the API stores it) and its merge heights."""
    params = kind.SampleCorrelationParameters.model_validate(
        {"method": method, "linkage": linkage, "top_genes": data.top_genes}
    )
    result = kind.KIND.run(params, FrameInputs(data.samples, data.counts), no_progress)
    matrix = result.table.set_index(kind.SAMPLE_ID).to_numpy(dtype=float)
    tree = kind.sample_tree(matrix, params.linkage)
    return result.table, sorted(tree.heights.tolist())


def r_results(data: DataSet, folder: Path) -> dict[str, Any]:
    """R's correlations (read back exactly), orders and heights for every case."""
    sample_ids = [str(s) for s in data.samples.index]
    values = log_expression(data.counts, sample_ids, "raw_counts", data.top_genes).values
    values.to_numpy(dtype="<f8").tofile(folder / "values.bin")
    jobs = [
        {
            "name": f"{method}/{linkage}",
            "matrix": str(folder / "values.bin"),
            "rows": values.shape[0],
            "columns": values.shape[1],
            "method": method,
            "linkage": linkage,
            "output": str(folder / f"{method}-{linkage}.bin"),
        }
        for method, linkage in CASES
    ]
    (folder / "jobs.json").write_text(json.dumps(jobs))
    command = ["Rscript", str(REFERENCE_SCRIPT), str(folder / "jobs.json"), str(folder / "r.json")]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"R failed:\n{finished.stderr}")
    results: dict[str, Any] = json.loads((folder / "r.json").read_text())
    for job in jobs:
        size = values.shape[1]
        matrix = np.fromfile(job["output"], dtype="<f8").reshape(size, size)
        results[job["name"]]["correlation"] = matrix
    results["genes"] = values.shape[0]
    return results


def compare(
    table: pd.DataFrame, heights: list[float], reference: dict[str, Any], sample_ids: list[str]
) -> Agreement:
    """Pluto's table (in clustered order) against R's matrix (in sample order)."""
    ours = table.set_index(kind.SAMPLE_ID).loc[sample_ids, sample_ids].to_numpy(dtype=float)
    r_order = [sample_ids[i - 1] for i in reference["order"]]
    return Agreement(
        correlation_difference=float(np.abs(ours - reference["correlation"]).max()),
        height_difference=float(np.abs(np.array(heights) - np.sort(reference["height"])).max()),
        same_order=table[kind.SAMPLE_ID].tolist() == r_order,
    )


def validate(data: DataSet) -> bool:
    """Both implementations on one data set, figures printed; True when all pass."""
    sample_ids = [str(s) for s in data.samples.index]
    with tempfile.TemporaryDirectory(prefix="pluto-validate-") as folder:
        reference = r_results(data, Path(folder))
    print(f"{data.name}: {reference['genes']:,} genes x {len(sample_ids)} samples")
    passed = True
    for method, linkage in CASES:
        table, heights = pluto_result(data, method, linkage)
        agreement = compare(table, heights, reference[f"{method}/{linkage}"], sample_ids)
        mark = "ok" if agreement.passes() else "MISSED"
        print(
            f"  {method:<8} {linkage:<8} correlations within {agreement.correlation_difference:.1e}"
            f"  heights within {agreement.height_difference:.1e} (target {TARGET:g})"
            f"  order {'same' if agreement.same_order else 'DIFFERENT'} [{mark}]"
        )
        passed &= agreement.passes()
    return passed


def main() -> int:
    """Validate on every data set; 0 when every figure meets its target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    passed = True
    for data in (*demo_data_sets(), generated_data_set()):
        passed &= validate(data)
    print(
        "Sample correlation validation "
        + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
