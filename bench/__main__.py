"""``python -m bench [NAME ...] [--quick] [--check]``: run benchmarks and print their figures.

Every figure is printed beside the comparison it is measured against, both measured in
this run. The exit status is non-zero when a benchmark fails to run, and, with
``--check``, when a target is clearly missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

import pyarrow

from bench.harness import Benchmark, Context, Row
from bench.report import failure, section
from bench.server import RunningServer, running_server
from bench.suite import all_benchmarks

Outcome = list[Row] | None  # None: the benchmark raised
DESCRIPTION = (
    "Run Pluto's benchmarks against a real server and print each figure beside the "
    "comparison it is measured against. Exits non-zero when a benchmark fails to run and, "
    "with --check, when a target is clearly missed."
)


def parse_arguments(argv: Sequence[str] | None, names: list[str]) -> argparse.Namespace:
    """The command line: benchmark names (default all), ``--quick`` and ``--check``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(names)}")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a target is clearly missed"
    )
    arguments = parser.parse_args(argv)
    unknown = [name for name in arguments.names if name not in names]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(names)}")
    return arguments


def run_one(item: Benchmark, context: Context) -> Outcome:
    """Run one benchmark and print its table (or why it failed)."""
    started = time.monotonic()
    try:
        rows = item.run(context)
    except Exception as error:
        traceback.print_exc()
        print(failure(item, error), flush=True)
        return None
    print(section(item, rows, time.monotonic() - started), flush=True)
    return rows


def preamble(server: RunningServer, quick: bool) -> str:
    """What the figures depend on: sizes, cores, versions and the measured process."""
    sizes = "quick (small) sizes" if quick else "full sizes"
    return (
        f"Pluto benchmarks, {sizes}: {os.cpu_count()} cores, Python "
        f"{sys.version.split()[0]}, pyarrow {pyarrow.__version__}; "
        f"server pid {server.pid} at {server.url}\n"
    )


def exit_status(outcomes: list[Outcome], check: bool) -> int:
    """1 when a benchmark failed, or (with ``check``) when a target is clearly missed."""
    rows = [row for outcome in outcomes if outcome for row in outcome]
    judged = [row for row in rows if row.status()]
    missed = [row for row in judged if row.status() == "missed"]
    clear = [row for row in missed if row.clearly_missed()]
    print(f"targets: {len(judged) - len(missed)} met, {len(missed)} missed ({len(clear)} clearly)")
    if any(outcome is None for outcome in outcomes):
        return 1
    return 1 if check and clear else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen benchmarks against one shared server; the exit status."""
    benchmarks = all_benchmarks()
    arguments = parse_arguments(argv, list(benchmarks))
    chosen = [benchmarks[name] for name in arguments.names or benchmarks]
    with running_server() as server, tempfile.TemporaryDirectory(prefix="pluto-bench-") as work:
        print(preamble(server, arguments.quick), flush=True)
        context = Context(server, arguments.quick, Path(work))
        outcomes = [run_one(item, context) for item in chosen]
    return exit_status(outcomes, arguments.check)


if __name__ == "__main__":
    raise SystemExit(main())
