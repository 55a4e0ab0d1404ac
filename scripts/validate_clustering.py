"""Check Pluto's clustering heatmaps against R's hclust, and its VST against DESeq2's.

Runs on (1) the demo experiment (the 1,000 most variable genes of z-scored log2 CPM, and
the 500 most variable of z-scored VST) and (2) a generated experiment of 24 samples in four
groups with five modules of co-regulated genes. For each data set, every distance and
linkage Pluto offers clusters the rows (genes) and the columns (samples) of the same
matrix in Pluto and in R (``hclust`` on ``dist(x)`` or ``as.dist(1 - cor(t(x)))``, method
average, complete or ward.D2), and the row tree is cut with ``cutree``. Prints, per case:
the largest difference of merge heights, the cophenetic correlation of the two trees, and
whether the merge matrix, the leaf order and the clusters are the same. Also prints how
closely PyDESeq2's blind VST matches R's ``varianceStabilizingTransformation`` on the demo.
Exits 1 when a figure misses its target: heights within 1e-9 (relative), cophenetic
correlation above 0.999, identical merges, leaf orders and clusters, and VST values within
0.02 (log2 units) with a correlation above 0.9999. The VST cannot match to the last digit:
PyDESeq2's gene-wise dispersions differ slightly from R's, which moves the fitted trend's two
coefficients by under 1% (on the demo: 0.06658 and 2.357 against R's 0.06647 and 2.372).

Usage: python scripts/validate_clustering.py   (needs Rscript with DESeq2: scripts/install-r)
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import cophenet

from pluto.server.analyses.compute import hierarchy
from pluto.server.analyses.compute import row_selection as select
from pluto.server.analyses.compute.expression_values import scaled_rows, transformed
from pluto.server.analyses.kinds import clustering

REFERENCE_SCRIPT = Path(__file__).with_name("clustering_reference.R")
CASES: tuple[tuple[hierarchy.Distance, hierarchy.Linkage], ...] = (
    ("euclidean", "average"),
    ("euclidean", "complete"),
    ("euclidean", "ward"),
    ("correlation", "average"),
    ("correlation", "complete"),
)
CLUSTERS = 5
TARGET_HEIGHTS = 1e-9
TARGET_COPHENETIC = 0.999
TARGET_VST_DIFFERENCE = 0.02
TARGET_VST_CORRELATION = 0.9999


@dataclass(frozen=True)
class DataSet:
    """A sample table, a genes x samples count matrix and the heatmap to make of them."""

    name: str
    samples: pd.DataFrame
    counts: pd.DataFrame
    params: clustering.ClusteringParameters


@dataclass(frozen=True)
class Agreement:
    """How one of Pluto's trees compares with R's."""

    items: int
    height_difference: float
    cophenetic_correlation: float
    tied_heights: int
    same_merge: bool
    same_order: bool
    same_clusters: bool

    def passes(self) -> bool:
        """Whether every figure meets its target."""
        return (
            self.height_difference <= TARGET_HEIGHTS
            and self.cophenetic_correlation > TARGET_COPHENETIC
            and self.same_merge
            and self.same_order
            and self.same_clusters
        )


def demo_data_sets() -> list[DataSet]:
    """The demo experiment PLX140206 (12 samples, 32,544 genes), as log2 CPM and as VST."""
    from pluto.server.lab.demo_data import generate_demo_tables

    tables = generate_demo_tables()
    samples = tables.samples.to_pandas().set_index("sample_id")
    counts = tables.counts.to_pandas().set_index("gene_symbol")
    return [
        DataSet("demo PLX140206, top 1,000 genes, z-scored log2 CPM", samples, counts,
                parameters(top_n=1000)),
        DataSet("demo PLX140206, top 500 genes, z-scored VST", samples, counts,
                parameters(top_n=500, values="vst")),
    ]  # fmt: skip


def generated_data_set(seed: int = 20240611, genes: int = 3_000) -> DataSet:
    """24 samples in four groups; five modules of 60 genes each follow their own pattern
    over the groups, the other genes only noise."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(4), 6)
    base = np.exp(rng.normal(4.5, 1.5, genes))
    effects = np.zeros((genes, 4))
    for module in range(5):
        effects[module * 60 : (module + 1) * 60] = rng.normal(0.0, 1.2, 4)
    mean = base[:, None] * np.exp2(effects[:, group]) * np.exp(rng.normal(0, 0.2, 24))[None, :]
    dispersion = 0.05 + 1.0 / base
    counts = rng.negative_binomial(1 / dispersion[:, None], 1 / (1 + mean * dispersion[:, None]))
    sample_ids = [f"S{i + 1:02d}" for i in range(24)]
    samples = pd.DataFrame({"group": group}, index=pd.Index(sample_ids, name="sample_id"))
    frame = pd.DataFrame(
        counts, index=[f"GENE{i + 1:05d}" for i in range(genes)], columns=sample_ids
    )
    return DataSet("generated, 24 samples in 4 groups, top 600 genes", samples, frame,
                   parameters(top_n=600))  # fmt: skip


def parameters(**raw: Any) -> clustering.ClusteringParameters:
    """The clustering parameters, validated as a request's would be."""
    return clustering.ClusteringParameters.model_validate({"clusters": CLUSTERS, **raw})


def heatmap_matrix(data: DataSet) -> pd.DataFrame:
    """The rows and values Pluto clusters: the kind's own selection and scaling."""
    sample_ids = [str(s) for s in data.samples.index]
    values = transformed(data.counts, sample_ids, "raw_counts", data.params.values)
    selection = select.top_variable(values.frame, data.params.top_n)
    return scaled_rows(selection.frame, data.params.row_scaling)


def case_params(
    data: DataSet, distance: hierarchy.Distance, method: hierarchy.Linkage
) -> clustering.ClusteringParameters:
    """The data set's parameters with this distance and linkage."""
    return parameters(**{**data.params.model_dump(), "distance": distance, "linkage": method})


def jobs_for(data: DataSet, matrix: pd.DataFrame, folder: Path) -> list[dict[str, Any]]:
    """R's jobs: every case on the rows and on the columns of the matrix."""
    values = matrix.to_numpy(dtype="<f8")
    paths = {"rows": folder / "rows.bin", "columns": folder / "columns.bin"}
    values.tofile(paths["rows"])
    np.ascontiguousarray(values.T).tofile(paths["columns"])
    shapes = {"rows": values.shape, "columns": values.shape[::-1]}
    return [
        {
            "name": f"{side}/{distance}/{method}",
            "matrix": str(paths[side]),
            "rows": shapes[side][0],
            "columns": shapes[side][1],
            "distance": distance,
            "method": hierarchy.R_METHODS[method],
            "k": CLUSTERS,
        }
        for side in ("rows", "columns")
        for distance, method in CASES
    ]


def run_r(
    jobs: list[dict[str, Any]], folder: Path, vst_counts: pd.DataFrame | None
) -> dict[str, Any]:
    """R's results per job (and its VST when counts are given), with its timings."""
    (folder / "jobs.json").write_text(json.dumps(jobs))
    command = ["Rscript", str(REFERENCE_SCRIPT), str(folder / "jobs.json"), str(folder / "r.json")]
    if vst_counts is not None:
        vst_counts.rename_axis("gene").to_csv(folder / "counts.csv")
        command += [str(folder / "counts.csv"), str(folder / "vst.bin")]
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"R failed:\n{finished.stderr}")
    results: dict[str, Any] = json.loads((folder / "r.json").read_text())
    results["timings"] = dict(line.split("=") for line in finished.stdout.split())
    return results


def scipy_linkage(merge: np.ndarray, heights: np.ndarray, size: int) -> np.ndarray:
    """R's merge and heights as a scipy linkage matrix (for cophenetic distances)."""
    sizes = [1] * size
    rows = []
    for (left, right), height in zip(merge, heights, strict=True):
        a, b = (hierarchy.node_index(int(code), size) for code in (left, right))
        sizes.append(sizes[a] + sizes[b])
        rows.append([a, b, height, sizes[-1]])
    return np.array(rows, dtype=float)


def same_partition(first: np.ndarray, second: np.ndarray) -> bool:
    """Whether two labellings put the items in the same groups."""
    pairs = set(zip(first.tolist(), second.tolist(), strict=True))
    return len(pairs) == len(set(first.tolist())) == len(set(second.tolist()))


def compare(tree: hierarchy.Tree, reference: dict[str, Any]) -> Agreement:
    """Pluto's tree against R's hclust of the same items."""
    merge = np.array(reference["merge"], dtype=np.int64).T
    heights = np.array(reference["height"], dtype=float)
    ours = cophenet(scipy_linkage(tree.merge, tree.heights, tree.size))
    theirs = cophenet(scipy_linkage(merge, heights, tree.size))
    scale = max(float(heights.max()), 1e-300)
    return Agreement(
        items=tree.size,
        height_difference=float(np.abs(np.sort(tree.heights) - np.sort(heights)).max()) / scale,
        cophenetic_correlation=float(np.corrcoef(ours, theirs)[0, 1]),
        tied_heights=int((np.diff(np.sort(heights)) == 0).sum()),
        same_merge=bool(np.array_equal(tree.merge, merge)),
        same_order=bool(np.array_equal(tree.order + 1, np.array(reference["order"]))),
        same_clusters=same_partition(hierarchy.cut(tree, CLUSTERS), np.array(reference["cut"])),
    )


def pluto_trees(data: DataSet, matrix: pd.DataFrame) -> tuple[dict[str, hierarchy.Tree], float]:
    """Pluto's trees of every case (the kind's own clustering step), and the seconds taken."""
    trees: dict[str, hierarchy.Tree] = {}
    started = time.perf_counter()
    for distance, method in CASES:
        plotted = clustering.clustered(case_params(data, distance, method), matrix)
        trees[f"rows/{distance}/{method}"] = plotted.row_tree
        assert plotted.column_tree is not None
        trees[f"columns/{distance}/{method}"] = plotted.column_tree
    return trees, time.perf_counter() - started


def vst_agreement(data: DataSet, folder: Path) -> tuple[float, float, float]:
    """PyDESeq2's blind VST against R's on the demo's genes with reads: the largest
    difference, the correlation and Pluto's seconds."""
    sample_ids = [str(s) for s in data.samples.index]
    started = time.perf_counter()
    ours = transformed(data.counts, sample_ids, "raw_counts", "vst").frame
    seconds = time.perf_counter() - started
    theirs = np.fromfile(folder / "vst.bin", dtype="<f8").reshape(ours.shape)
    difference = float(np.abs(ours.to_numpy() - theirs).max())
    correlation = float(np.corrcoef(ours.to_numpy().ravel(), theirs.ravel())[0, 1])
    return difference, correlation, seconds


def report_case(name: str, agreement: Agreement) -> None:
    """One line per tree."""
    mark = "ok" if agreement.passes() else "MISSED"
    print(
        f"  {name:<28} {agreement.items:>5} items  heights within {agreement.height_difference:.1e}"
        f"  cophenetic r {agreement.cophenetic_correlation:.9f}"
        f"  merge {'same' if agreement.same_merge else 'DIFFERENT'}"
        f"  order {'same' if agreement.same_order else 'DIFFERENT'}"
        f"  clusters {'same' if agreement.same_clusters else 'DIFFERENT'}"
        f"  ({agreement.tied_heights} tied heights) [{mark}]"
    )


def validate(data: DataSet, with_vst: bool) -> bool:
    """Cluster one data set in Pluto and R, print the figures, True when all pass."""
    matrix = heatmap_matrix(data)
    print(f"{data.name}: {matrix.shape[0]:,} genes x {matrix.shape[1]} samples")
    with tempfile.TemporaryDirectory(prefix="pluto-validate-") as name:
        folder = Path(name)
        trees, seconds = pluto_trees(data, matrix)
        nonzero = data.counts.loc[data.counts.sum(axis=1) > 0] if with_vst else None
        reference = run_r(jobs_for(data, matrix, folder), folder, nonzero)
        passed = True
        for job_name, tree in trees.items():
            agreement = compare(tree, reference[job_name])
            report_case(job_name, agreement)
            passed &= agreement.passes()
        timings = reference["timings"]
        print(f"  runtime: Pluto {seconds:.2f} s, R hclust {float(timings['seconds']):.2f} s")
        if with_vst:
            passed &= report_vst(data, folder, float(timings["vst_seconds"]))
    return passed


def report_vst(data: DataSet, folder: Path, r_seconds: float) -> bool:
    """Print the VST figures; True when they meet their targets."""
    difference, correlation, seconds = vst_agreement(data, folder)
    passed = difference <= TARGET_VST_DIFFERENCE and correlation > TARGET_VST_CORRELATION
    print(
        f"  VST (all genes with reads): largest difference {difference:.2e}"
        f" (target <= {TARGET_VST_DIFFERENCE}), correlation {correlation:.9f}"
        f" (target > {TARGET_VST_CORRELATION}); PyDESeq2 {seconds:.1f} s,"
        f" R DESeq2 {r_seconds:.1f} s [{'ok' if passed else 'MISSED'}]"
    )
    return passed


def main() -> int:
    """Validate on every data set; 0 when every figure meets its target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    demo_cpm, demo_vst = demo_data_sets()
    passed = validate(demo_cpm, with_vst=True)
    passed &= validate(demo_vst, with_vst=False)
    passed &= validate(generated_data_set(), with_vst=False)
    print(
        "Clustering validation "
        + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
