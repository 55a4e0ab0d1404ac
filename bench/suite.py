"""Which modules hold benchmarks; importing one registers its benchmarks, in this order."""

from __future__ import annotations

import importlib

from bench.harness import REGISTRY, Benchmark

# A new benchmark is a module with a function decorated by ``bench.harness.benchmark``,
# added here.
MODULES = (
    "bench.data_reads",
    "bench.whole_table",
    "bench.big_matrix",
    "bench.sdk_reads",
    "bench.page_render",
    "bench.differential_expression",
    "bench.analysis_kinds",
    "bench.latency_under_load",
    "bench.bad_uploads",
    "bench.load",
    "bench.serve_threads",
    "bench.cluster_load",
    "bench.pipeline_speed",
    "bench.peaks_speed",
)


def all_benchmarks() -> dict[str, Benchmark]:
    """Every registered benchmark by name, in the order of :data:`MODULES`."""
    for module in MODULES:
        importlib.import_module(module)
    return dict(REGISTRY)
