"""Check Pluto's survival analysis against R's survival package (survfit, survdiff, coxph).

Runs both on (1) the survival demo cohort grouped by stage with a Cox model ~ stage + age,
(2) the same cohort split by MKI67 expression at the median (R computes the split itself
from the counts) with ~ MKI67 + stage + age, (3) split at the 0.3 quantile, (4) one curve
of all of it, (5) a generated cohort of 240 samples in three arms with follow-up in whole
weeks (heavy ties), about 40% censored, and a numeric and a categorical covariate, and (6)
two small groups whose curves reach 0 and stay exactly at 0.5 for a while. Pluto reads the
sample table; R is given the times, events, groups and covariates of the samples Pluto
analysed.

Prints, per data set, the largest relative difference of the curves (survival and its 95%
limits at every observation time; numbers at risk, of events and censored must be equal),
of the medians and their limits, of the log-rank chi-square and p-value, and of the Cox
coefficients, standard errors, hazard ratios, their limits and p-values, and of the
likelihood-ratio, Wald and score tests. Exits 1 when any exceeds 1e-6.

Usage: python scripts/validate_survival.py   (needs Rscript with survival: scripts/install-r)
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pluto.server.analyses.compute import survival
from pluto.server.analyses.compute.inputs import column_as_text
from pluto.server.analyses.compute.parameters import validated
from pluto.server.analyses.compute.survival_cohort import Cohort, natural_order, prepare
from pluto.server.analyses.compute.survival_parameters import SurvivalParameters
from pluto.server.analyses.kinds.survival_demo import generate_survival_cohort

REFERENCE_SCRIPT = Path(__file__).with_name("survival_reference.R")
TARGET = 1e-6


@dataclass(frozen=True)
class DataSet:
    """A sample table, counts, and the survival analysis to run on them."""

    name: str
    samples: pd.DataFrame
    counts: pd.DataFrame | None
    params: SurvivalParameters


@dataclass(frozen=True)
class Figures:
    """The largest relative differences between Pluto and R, by what they are of."""

    differences: dict[str, float]
    counts_equal: bool
    python_seconds: float
    r_seconds: float

    def passes(self) -> bool:
        """Whether every difference is within the target."""
        return self.counts_equal and all(d <= TARGET for d in self.differences.values())


def demo_data_sets() -> list[DataSet]:
    """The survival demo cohort, by stage, by MKI67 and as one curve."""
    cohort = generate_survival_cohort()
    common = {"time_column": "os_months", "event_column": "os_event"}
    by_stage = {
        "time_column": "os_months",
        "event_column": "vital_status",
        "event_values": ["dead"],
        "censored_values": ["alive"],
        "group_column": "stage",
        "covariates": ["age"],
    }
    by_gene = {**common, "gene": cohort.risk_gene, "covariates": ["stage", "age"]}
    return [
        DataSet("demo cohort by stage, Cox ~ stage + age", cohort.samples, None, params(by_stage)),
        DataSet(
            f"demo cohort by {cohort.risk_gene} high/low (median), Cox ~ gene + stage + age",
            cohort.samples,
            cohort.counts,
            params(by_gene),
        ),
        DataSet(
            f"demo cohort by {cohort.risk_gene} at its 0.3 quantile",
            cohort.samples,
            cohort.counts,
            params({**common, "gene": cohort.risk_gene, "expression_quantile": 0.3}),
        ),
        DataSet("demo cohort, one curve", cohort.samples, None, params(common)),
    ]


def edge_data_set() -> DataSet:
    """Two small groups whose curves end at 0 (intervals undefined) and stay exactly at 0.5
    for a while (the median is the midpoint of that stretch), with tied events and
    censoring at event times."""
    times = [1, 2, 3, 4, 5, 7, 8, 8, 9, 10, 1, 1, 3, 3, 5, 5, 6, 9, 9, 12]
    events = [1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1]
    samples = pd.DataFrame(
        {"time": times, "event": [bool(e) for e in events], "arm": ["A"] * 10 + ["B"] * 10},
        index=pd.Index([f"E{i:02d}" for i in range(1, 21)], name="sample_id"),
    )
    raw = {"time_column": "time", "event_column": "event", "group_column": "arm"}
    return DataSet("small groups ending at 0, flat at 0.5", samples, None, params(raw))


def params(raw: dict[str, Any]) -> SurvivalParameters:
    """Validated parameters."""
    return validated(SurvivalParameters, raw)


def tied_data_set(seed: int = 20240918, size: int = 240) -> DataSet:
    """Three arms, follow-up in whole weeks (many ties), uniform censoring, a dose (number)
    and a site (category) that both change the hazard."""
    rng = np.random.default_rng(seed)
    arm = rng.choice(np.array(["control", "low dose", "high dose"]), size)
    site = rng.choice(np.array(["north", "south", "west"]), size)
    dose = np.round(rng.uniform(0.5, 3.0, size), 2)
    log_hazard = (
        np.select([arm == "low dose", arm == "high dose"], [-0.3, -0.7], 0.0)
        + 0.25 * (dose - 1.75)
        + np.where(site == "south", 0.4, 0.0)
    )
    event_time = rng.exponential(12.0 / np.exp(log_hazard))
    censoring = rng.uniform(2.0, 30.0, size)
    weeks = np.ceil(np.minimum(event_time, censoring))
    samples = pd.DataFrame(
        {
            "weeks": weeks,
            "relapse": np.where(event_time <= censoring, "yes", "no"),
            "arm": arm,
            "dose": dose,
            "site": site,
        },
        index=pd.Index([f"S{i:03d}" for i in range(1, size + 1)], name="sample_id"),
    )
    raw = {
        "time_column": "weeks",
        "event_column": "relapse",
        "event_values": ["yes"],
        "censored_values": ["no"],
        "group_column": "arm",
        "group_values": ["control", "low dose", "high dose"],
        "covariates": ["dose", "site"],
    }
    return DataSet(
        f"generated {size} samples in 3 arms, weekly ties, Cox ~ arm + dose + site",
        samples,
        None,
        params(raw),
    )


def r_inputs(data: DataSet, cohort: Cohort, folder: Path) -> list[str]:
    """Write the analysed samples for R; the arguments after the script's name."""
    kept = data.samples.loc[list(cohort.sample_ids)]
    frame = pd.DataFrame(
        {
            "sample": cohort.sample_ids,
            "time": cohort.time,
            "event": cohort.event.astype(int),
            "group": [cohort.groups[g] for g in cohort.group],
        }
    )
    levels = [("group", g) for g in cohort.groups]
    for column in data.params.covariates:
        texts = column_as_text(kept, column)
        frame[column] = texts.to_numpy()
        if not all(is_number(t) for t in texts):
            levels += [(column, level) for level in natural_order(set(texts))]
    frame.to_csv(folder / "data.csv", index=False)
    pd.DataFrame(levels, columns=["variable", "level"]).to_csv(folder / "levels.csv", index=False)
    arguments = [str(folder / "data.csv"), str(folder / "levels.csv"), str(folder)]
    if data.params.gene is not None and data.counts is not None:
        data.counts.rename_axis("gene").to_csv(folder / "counts.csv")
        arguments += [
            str(folder / "counts.csv"),
            data.params.gene,
            repr(data.params.expression_quantile),
        ]
    return arguments


def is_number(text: str) -> bool:
    """Whether a cell's text is a number (the rule Pluto uses for covariates)."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def run_r(arguments: list[str], folder: Path) -> tuple[dict[str, pd.DataFrame], float]:
    """R's tables, read back, and the seconds R took."""
    started = time.perf_counter()
    finished = subprocess.run(
        ["Rscript", str(REFERENCE_SCRIPT), *arguments], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"R survival failed:\n{finished.stderr}")
    tables = {path.stem: pd.read_csv(path) for path in folder.glob("*.csv")}
    return tables, seconds


def relative(ours: Iterable[float | None], theirs: Iterable[float | None]) -> float:
    """The largest relative difference; a missing value must be missing on both sides."""
    largest = 0.0
    for first, second in zip(ours, theirs, strict=True):
        a = math.nan if first is None else float(first)
        b = math.nan if second is None else float(second)
        if math.isnan(a) or math.isnan(b):
            largest = max(largest, 0.0 if math.isnan(a) and math.isnan(b) else math.inf)
            continue
        scale = max(abs(a), abs(b))
        largest = max(largest, abs(a - b) / scale if scale > 0 else 0.0)
    return largest


def curve_differences(table: pd.DataFrame, km: pd.DataFrame) -> tuple[float, bool]:
    """Survival and limits compared row by row; whether times and counts are identical.
    Where survival is 0 Pluto reports limits of 0 and R NA."""
    same_rows = len(table) == len(km)
    if not same_rows:
        return math.inf, False
    counts_equal = (
        (table["Group"].to_numpy() == km["group"].to_numpy()).all()
        and np.array_equal(table["Time"].to_numpy(), km["time"].to_numpy())
        and np.array_equal(table["At_Risk"].to_numpy(), km["n_risk"].to_numpy())
        and np.array_equal(table["Events"].to_numpy(), km["n_event"].to_numpy())
        and np.array_equal(table["Censored"].to_numpy(), km["n_censor"].to_numpy())
    )
    zero = table["Survival"].to_numpy() == 0
    differences = [relative(table["Survival"], km["surv"])]
    for ours, theirs in (("Lower_95", "lower"), ("Upper_95", "upper")):
        differences.append(relative(np.where(zero, np.nan, table[ours]), km[theirs]))
    return max(differences), bool(counts_equal)


def median_difference(summary: dict[str, Any], groups: pd.DataFrame) -> float:
    """Medians and their limits per group."""
    ours = summary["groups"]
    pairs = [("median_survival", "median"), ("median_lower_95", "median_lower")]
    pairs.append(("median_upper_95", "median_upper"))
    return max(relative([g[key] for g in ours], groups[column].tolist()) for key, column in pairs)


def log_rank_difference(summary: dict[str, Any], tables: dict[str, pd.DataFrame]) -> float:
    """The log-rank chi-square and p-value, observed and expected events."""
    if summary["log_rank"] is None:
        return 0.0 if "logrank" not in tables else math.inf
    test, reference = summary["log_rank"], tables["logrank"].iloc[0]
    expected = relative([g["expected"] for g in summary["groups"]], tables["groups"]["expected"])
    return max(
        relative([test["chi_square"], test["p_value"]], [reference["chisq"], reference["p"]]),
        expected,
        0.0 if test["df"] == reference["df"] else math.inf,
    )


def cox_differences(summary: dict[str, Any], tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Per-term estimates and the model's tests."""
    if summary["cox"] is None:
        return {}
    terms, reference = summary["cox"]["terms"], tables["cox_terms"]
    keys = [
        ("coefficient", "coef"),
        ("standard_error", "se"),
        ("hazard_ratio", "hr"),
        ("lower_95", "lower"),
        ("upper_95", "upper"),
        ("p_value", "p"),
    ]
    tests = tables["cox_tests"].set_index("test")
    cox = summary["cox"]
    ours = [
        cox[name][part]
        for name in ("likelihood_ratio", "wald", "score")
        for part in ("chi_square", "p_value")
    ]
    theirs = [
        tests.loc[name, part]
        for name in ("likelihood_ratio", "wald", "score")
        for part in ("statistic", "p")
    ]
    ours += cox["log_likelihood"]
    theirs += [
        tests.loc["log_likelihood_null", "statistic"],
        tests.loc["log_likelihood", "statistic"],
    ]
    return {
        "cox hazard ratios": max(relative([t[k] for t in terms], reference[c]) for k, c in keys),
        "cox tests": relative(ours, theirs),
    }


def validate(data: DataSet, folder: Path) -> Figures:
    """Run both on one data set and compare."""
    started = time.perf_counter()
    cohort = prepare(data.params, data.samples, data.counts, "raw_counts")
    result = survival.run(data.params, data.samples, data.counts, "raw_counts")
    python_seconds = time.perf_counter() - started
    tables, r_seconds = run_r(r_inputs(data, cohort, folder), folder)
    curves, counts_equal = curve_differences(result.table, tables["km"])
    if "split" in tables:
        ours = [cohort.groups[g] for g in cohort.group]
        counts_equal &= ours == tables["split"]["group"].tolist()
    differences = {
        "curves": curves,
        "medians": median_difference(result.summary, tables["groups"]),
        "log-rank": log_rank_difference(result.summary, tables),
        **cox_differences(result.summary, tables),
    }
    return Figures(differences, counts_equal, python_seconds, r_seconds)


def report(data: DataSet, figures: Figures, summary: dict[str, Any]) -> None:
    """Print one data set's figures."""
    mark = "ok" if figures.passes() else "MISSED"
    print(f"{data.name}: {summary['samples']} samples, {summary['events']} events [{mark}]")
    print(
        "  times, numbers at risk, events and censored "
        + ("identical" if figures.counts_equal else "DIFFER")
    )
    for name, difference in figures.differences.items():
        print(f"  {name:<18} max relative difference {difference:.2e}  (target <= {TARGET:g})")
    if summary["log_rank"] is not None:
        test = summary["log_rank"]
        print(
            f"  log-rank chi-square {test['chi_square']:.4f} on {test['df']} df,"
            f" p = {test['p_value']:.4g}"
        )
    medians = ", ".join(f"{g['group']} {g['median_survival']}" for g in summary["groups"])
    print(f"  median survival: {medians}")
    for term in (summary["cox"] or {}).get("terms", []):
        print(
            f"  HR {term['variable']} {term['comparison']}: {term['hazard_ratio']:.4f} "
            f"({term['lower_95']:.4f}-{term['upper_95']:.4f}), p = {term['p_value']:.4g}"
        )
    print(
        f"  runtime: Pluto {figures.python_seconds:.3f} s;"
        f" R {figures.r_seconds:.1f} s with start-up"
    )


def main() -> int:
    """Validate on every data set; 0 when every figure meets its target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    passed = True
    for data in [*demo_data_sets(), tied_data_set(), edge_data_set()]:
        with tempfile.TemporaryDirectory(prefix="pluto-validate-") as folder:
            figures = validate(data, Path(folder))
        summary = survival.run(data.params, data.samples, data.counts, "raw_counts").summary
        report(data, figures, summary)
        passed &= figures.passes()
    print(
        "Survival validation " + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
