"""Check Pluto's over-representation test against R's phyper and p.adjust.

Runs both on (1) a generated differential expression table over the demo's human gene
symbols, with five Gene Ontology terms made strongly enriched, against the Gene Ontology
Biological Process collection Pluto ships, and (2) a generated table and a generated GMT
file, testing the lowered genes selected by raw p-value and fold change. R reads the same
files and does the selection, the universe, the set sizes, phyper(k - 1, K, N - K, n,
lower.tail = FALSE) and p.adjust(method = "BH") itself (scripts/over_representation_reference.R).
Prints, per data set, the sets tested by each, whether the overlaps and set sizes are the
same, the largest relative difference of the p-values and of the adjusted p-values, the
smallest p-value, and both runtimes. Exits 1 when a figure misses its target (the same
sets, overlaps and sizes; p-values identical to 1e-12 relative).

Usage: python scripts/validate_over_representation.py   (needs Rscript: scripts/install-r)
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
from scipy.stats import false_discovery_control

from pluto.server.analyses.compute import over_representation as ora
from pluto.server.analyses.compute.gene_sets import (
    GeneSetCollection,
    bundled_collections,
    format_gmt,
    parse_gmt,
)

REFERENCE_SCRIPT = Path(__file__).with_name("over_representation_reference.R")
TARGET_RELATIVE_DIFFERENCE = 1e-12
GO = "GO_Biological_Process_2023"


@dataclass(frozen=True)
class DataSet:
    """A differential expression table, a GMT file and the test's settings."""

    name: str
    de_table: pd.DataFrame
    gmt: Path
    thresholds: ora.Thresholds
    bounds: ora.SizeBounds


@dataclass(frozen=True)
class Figures:
    """How closely the two agree on one data set, and how long each took."""

    sets_python: int
    sets_r: int
    same_sets: bool
    same_counts: bool
    p_difference: float
    adjusted_difference: float
    smallest_p: float
    selected: int
    universe: int
    python_seconds: float
    r_seconds: float

    def passes(self) -> bool:
        """Whether every figure meets its target."""
        return (
            self.same_sets
            and self.same_counts
            and self.p_difference <= TARGET_RELATIVE_DIFFERENCE
            and self.adjusted_difference <= TARGET_RELATIVE_DIFFERENCE
        )


def de_frame(genes: list[str], rng: np.random.Generator, changed: set[str]) -> pd.DataFrame:
    """A differential expression table: genes in ``changed`` mostly significant (both
    directions), a few others significant by chance, p-values down to about 1e-40."""
    count = len(genes)
    chance = rng.random(count) < 0.02
    significant = (np.isin(genes, list(changed)) & (rng.random(count) < 0.8)) | chance
    p = np.where(significant, 10.0 ** -rng.uniform(3, 40, count), rng.uniform(0.01, 1, count))
    change = rng.choice([-1.0, 1.0], count) * rng.uniform(0.5, 4, count)
    return pd.DataFrame(
        {
            "Gene_Symbol": genes,
            "Average_Expression": rng.uniform(5, 5000, count),
            "Log2_Fold_Change": np.where(significant, change, rng.normal(0, 0.3, count)),
            "P_Value": p,
            "Adj_P_Value": false_discovery_control(p, method="bh"),
        }
    )


def go_data_set(folder: Path, seed: int = 7) -> DataSet:
    """15,000 of the demo's protein-coding and other genes against Gene Ontology, all
    significant genes (adjusted p < 0.05), sets of 10 to 500 tested genes."""
    from pluto.server.lab.demo_data import load_gene_symbols

    rng = np.random.default_rng(seed)
    gmt = bundled_collections()[GO]
    collection = parse_gmt(gmt)
    symbols, _ = load_gene_symbols()
    in_go = collection.all_genes()
    annotated = [s for s in symbols if s in in_go]
    genes = sorted(rng.choice(annotated, 13_000, replace=False)) + sorted(
        rng.choice([s for s in symbols if s not in in_go], 2_000, replace=False)
    )
    sized = [n for n, s in collection.gene_sets.items() if 30 <= len(s.genes) <= 200]
    enriched = rng.choice(sized, 5, replace=False)
    changed = {g for name in enriched for g in collection.gene_sets[name].genes}
    thresholds = ora.Thresholds("all", 0.05, True, 0.0)
    return DataSet(
        f"generated table on the demo's genes vs {GO} (all significant genes)",
        de_frame(genes, rng, changed),
        gmt,
        thresholds,
        ora.SizeBounds(10, 500),
    )


def generated_data_set(folder: Path, seed: int = 8) -> DataSet:
    """5,000 generated genes and 400 generated sets (some rich in changed genes), the
    lowered genes with raw p < 0.001 and |log2 fold change| >= 1, sets of 5 to 200."""
    rng = np.random.default_rng(seed)
    genes = [f"GENE{i:05d}" for i in range(5_000)]
    sets: dict[str, tuple[str, list[str]]] = {}
    changed: set[str] = set()
    for index in range(400):
        members = list(rng.choice(genes, int(rng.integers(3, 250)), replace=False))
        if index < 20:
            changed |= set(members[: len(members) // 2])
        sets[f"SET_{index:03d}"] = (f"Generated set {index}", [*members, f"ABSENT_{index}"])
    gmt = folder / "generated.gmt"
    gmt.write_text(format_gmt(GeneSetCollection.from_mapping(sets)), encoding="utf-8")
    thresholds = ora.Thresholds("down", 0.001, False, 1.0)
    return DataSet(
        "generated table vs a generated GMT (lowered genes, raw p < 0.001, |log2FC| >= 1)",
        de_frame(genes, rng, changed),
        gmt,
        thresholds,
        ora.SizeBounds(5, 200),
    )


def python_results(data: DataSet) -> tuple[pd.DataFrame, dict[str, int], float]:
    """Pluto's results table, its universe and selection sizes, and its seconds."""
    started = time.perf_counter()
    result = ora.analyse(
        data.de_table, parse_gmt(data.gmt), data.thresholds, data.bounds, ("generated", "sets")
    )
    seconds = time.perf_counter() - started
    sizes = {
        "universe": result.summary["genes_in_universe"],
        "selected": result.summary["genes_selected"],
    }
    return result.table, sizes, seconds


def r_results(data: DataSet, folder: Path) -> tuple[pd.DataFrame, float]:
    """R's results on the same files, and its seconds (with R's start-up)."""
    de_path, results_path = folder / "de.csv", folder / "results.csv"
    data.de_table.to_csv(de_path, index=False, float_format="%.17g")
    command = [
        "Rscript",
        str(REFERENCE_SCRIPT),
        str(de_path),
        str(data.gmt),
        str(results_path),
        data.thresholds.direction,
        repr(data.thresholds.p_value),
        "TRUE" if data.thresholds.use_adjusted_p_value else "FALSE",
        repr(data.thresholds.fold_change),
        str(data.bounds.low),
        str(data.bounds.high),
    ]
    started = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"the R reference failed:\n{finished.stderr}")
    table = pd.read_csv(
        results_path,
        keep_default_na=False,
        dtype={"Gene_Set_Shortname": str},
        float_precision="round_trip",
    )
    return table, seconds


def relative_difference(a: pd.Series, b: pd.Series) -> float:
    """The largest |a - b| / |b| (0 where both are 0)."""
    x, y = a.to_numpy(dtype=float), b.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = np.where(x == y, 0.0, np.abs(x - y) / np.abs(y))
    return float(difference.max(initial=0.0))


def validate(data: DataSet, folder: Path) -> Figures:
    """Run both on one data set and compare them set by set."""
    python, sizes, python_seconds = python_results(data)
    r, r_seconds = r_results(data, folder)
    same_sets = set(python["Gene_Set_Shortname"]) == set(r["Gene_Set_Shortname"])
    joined = python.merge(r, on="Gene_Set_Shortname", suffixes=("", "_r"))
    same_counts = bool(
        (joined["Overlap"] == joined["Overlap_r"]).all()
        and (joined["Set_Size"] == joined["Set_Size_r"]).all()
    )
    return Figures(
        sets_python=len(python),
        sets_r=len(r),
        same_sets=same_sets and len(joined) == len(python),
        same_counts=same_counts,
        p_difference=relative_difference(joined["P_Value"], joined["P_Value_r"]),
        adjusted_difference=relative_difference(joined["Adj_P_Value"], joined["Adj_P_Value_r"]),
        smallest_p=float(python["P_Value"][python["P_Value"] > 0].min()),
        selected=sizes["selected"],
        universe=sizes["universe"],
        python_seconds=python_seconds,
        r_seconds=r_seconds,
    )


def report(name: str, figures: Figures) -> None:
    """Print the figures of one data set."""
    mark = "ok" if figures.passes() else "MISSED"
    print(f"{name} [{mark}]")
    print(
        f"  {figures.selected:,} selected of {figures.universe:,} universe genes;"
        f" sets tested: Pluto {figures.sets_python:,}, R {figures.sets_r:,}"
        f" (same sets: {figures.same_sets}; same overlaps and sizes: {figures.same_counts})"
    )
    print(
        f"  largest relative difference of P_Value      {figures.p_difference:.2e}"
        f"  (target <= {TARGET_RELATIVE_DIFFERENCE:g}; smallest p {figures.smallest_p:.3g})"
    )
    print(
        f"  largest relative difference of Adj_P_Value  {figures.adjusted_difference:.2e}"
        f"  (target <= {TARGET_RELATIVE_DIFFERENCE:g})"
    )
    print(
        f"  runtime: Pluto {figures.python_seconds:.2f} s (with GMT parsing);"
        f" R {figures.r_seconds:.2f} s (with R start-up and file reading)"
    )


def main() -> int:
    """Validate on both data sets; 0 when every figure meets its target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    passed = True
    with tempfile.TemporaryDirectory(prefix="pluto-validate-ora-") as name:
        folder = Path(name)
        for make in (go_data_set, generated_data_set):
            data = make(folder)
            figures = validate(data, folder)
            report(data.name, figures)
            passed &= figures.passes()
    print(
        "Over-representation validation "
        + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
