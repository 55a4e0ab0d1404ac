"""Check Pluto's differential binding (PyDESeq2 on peak counts) against R DESeq2.

Differential binding runs differential expression's DESeq2 on peaks, so this reuses
scripts/validate_deseq2.py (the same R reference, comparison and targets: correlations of
log2 fold changes and -log10 p-values above 0.999, the same calls at adjusted p < 0.05 for
at least 99% of peaks) on (1) the demo's generated peaks experiment, 6 treated vs 6
control samples on 3,000 peaks, and (2) the same design drawn with another seed and
modelled with a batch covariate. Exits 1 when a figure misses its target.

Usage: python scripts/validate_differential_binding.py
(needs Rscript with DESeq2: scripts/install-r)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import validate_deseq2 as deseq2

from pluto.server.analyses.compute import differential_expression as de
from pluto.server.analyses.compute.parameters import validated
from pluto.server.lab.demo_peaks import generate_peaks_experiment

COMPARISON = {
    "group_column": "condition",
    "experimental_values": ["treated"],
    "control_values": ["control"],
}


def peaks_data_set(name: str, seed: int | None, covariates: list[str]) -> deseq2.DataSet:
    """A generated peaks experiment (the demo's when ``seed`` is None), treated vs control."""
    peaks = generate_peaks_experiment() if seed is None else generate_peaks_experiment(seed)
    params = validated(
        de.DifferentialExpressionParameters, {**COMPARISON, "covariates": covariates}
    )
    return deseq2.DataSet(name, peaks.samples, peaks.counts, params)


def main() -> int:
    """Validate on both peak data sets; 0 when every figure meets its target."""
    if shutil.which("Rscript") is None:
        print("Rscript is not installed; run scripts/install-r first.", file=sys.stderr)
        return 2
    import pydeseq2.dds  # noqa: F401  (imported before timing, as a worker would have it)

    passed = True
    for data in (
        peaks_data_set("demo peaks (6 treated vs 6 control, 3,000 peaks)", None, []),
        peaks_data_set("generated peaks (seed 2, ~ batch + condition)", 2, ["batch"]),
    ):
        with tempfile.TemporaryDirectory(prefix="pluto-validate-binding-") as folder:
            figures = deseq2.validate(data, Path(folder))
        deseq2.report(data.name, figures, "peaks")
        passed &= figures.agreement.passes()
    print(
        "Differential binding validation "
        + ("passed." if passed else "FAILED: see the figures marked MISSED.")
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
