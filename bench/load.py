"""Issue 12: throughput and fixed cost of the hot read paths under 1, 10 and 50 connections.

A ``pluto serve --no-worker`` as shipped (its default web processes) runs on the shared
benchmark server's data directory, and Debian's ``wrk`` loads one path at a time with 1, 10
and 50 keep-alive connections. The rate limits stay on (counting is part of a request's
cost) at a rate no run reaches. For each path: requests per second and p50/p95/p99, the
50-to-1 throughput ratio, and p99 at 50 connections against its p50. The fixed cost is the
median request at one connection, beside ``GET /health/`` (Django and Pluto's middleware
with no database and no authentication) measured in the same run.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from bench.harness import Context, Row, Target, benchmark
from bench.rows import info_row, ms, slower_row, time_row
from bench.server import (
    PLUTO,
    RunningServer,
    free_port,
    server_environment,
    stop,
    wait_until_serving,
)
from bench.tables import DEMO_EXPERIMENT
from bench.wrk import LoadResult, run_wrk

CONNECTIONS = (1, 10, 50)
BASELINE = "health/"
HOT_PATHS = (
    "lab/me/",
    "lab/experiments/",
    f"lab/experiments/{DEMO_EXPERIMENT}/assay-data/?limit=1",
    f"lab/experiments/{DEMO_EXPERIMENT}/sample-data/?limit=1",
)
# A quick run is a smoke run: a second a load shows that every path answers under load.
SECONDS, QUICK_SECONDS, WARM_SECONDS = 10, 1, 2
WARM_TRIES, WARM_P99_SECONDS = 10, 1.0
SCALES = Target(1.8, "x", at_most=False)
NO_STARVING = Target(3, "x")
SINGLE_DIGIT_MS = Target(10, " ms")
NO_ERRORS = Target(0, "")


@dataclass(frozen=True)
class PathLoad:
    """One path's runs, by number of connections."""

    path: str
    runs: dict[int, LoadResult]


@contextmanager
def load_server(context: Context, *options: str) -> Iterator[str]:
    """``pluto serve --no-worker`` on the benchmark data, with its default web processes and
    threads unless ``options`` say otherwise."""
    env = server_environment(context.server.data_dir)
    port, log = free_port(), context.workdir / "load-serve.log"
    args = ["serve", "--no-worker", "--no-migrate", "--port", str(port), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(PLUTO), *args], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_serving(url, context.server.token, process, log)
        yield url
    finally:
        stop(process)


def warm(url: str, context: Context, token: str | None = None) -> None:
    """Load ``url`` (with ``token``, the benchmark server's by default) until every web
    process answers it quickly: a process's first request loads what the path needs, which
    is no part of the steady cost."""
    for _ in range(WARM_TRIES):
        seconds = QUICK_SECONDS if context.quick else WARM_SECONDS
        run = run_wrk(url, token or context.server.token, 8, seconds, context.workdir)
        if run.requests and run.p99 < WARM_P99_SECONDS:
            return
    raise RuntimeError(f"{url} still answers slowly after {WARM_TRIES} warm-up runs.")


def load_path(context: Context, url: str, path: str) -> PathLoad:
    """Warm every web process on ``path``, then load it with each number of connections."""
    server: RunningServer = context.server
    seconds = QUICK_SECONDS if context.quick else SECONDS
    warm(f"{url}/{path}", context)
    runs = {
        connections: run_wrk(f"{url}/{path}", server.token, connections, seconds, context.workdir)
        for connections in CONNECTIONS
    }
    return PathLoad(path, runs)


def run_rows(load: PathLoad) -> list[Row]:
    """Requests per second and latency percentiles of each run."""
    return [
        info_row(
            f"GET {load.path}, {run.connections} conn.",
            f"{run.per_second:,.0f} req/s",
            f"p50 {ms(run.p50)}, p95 {ms(run.p95)}, p99 {ms(run.p99)}",
        )
        for run in load.runs.values()
    ]


def scaling_rows(load: PathLoad) -> list[Row]:
    """The 50-to-1 throughput ratio and p99 against p50 at 50 connections."""
    one, most = load.runs[CONNECTIONS[0]], load.runs[CONNECTIONS[-1]]
    ratio = most.per_second / max(one.per_second, 1e-9)
    return [
        Row(
            f"GET {load.path}: throughput at {most.connections} conn.",
            f"{most.per_second:,.0f} req/s",
            f"1 conn.: {one.per_second:,.0f} req/s",
            f"{ratio:.2f}x",
            SCALES,
            ratio,
        ),
        slower_row(
            f"GET {load.path}: p99 at {most.connections} conn.",
            most.p99,
            "its p50",
            max(most.p50, 1e-6),  # wrk reports whole microseconds, 0 when nothing answered
            NO_STARVING,
        ),
    ]


def fixed_cost_row(load: PathLoad, baseline: PathLoad) -> Row:
    """The median request at one connection, beside the bare health view's (the median, as
    a shared machine's stalls land in the tail)."""
    own, bare = load.runs[1].p50, baseline.runs[1].p50
    figure = f"GET {load.path}: p50 at 1 conn. (fixed cost)"
    return time_row(figure, own, "GET /health/", bare, SINGLE_DIGIT_MS)


def error_row(loads: list[PathLoad]) -> Row:
    """Socket errors, timeouts and non-2xx answers over every run."""
    runs = [run for load in loads for run in load.runs.values()]
    failures = sum(run.failures for run in runs)
    total = sum(run.requests for run in runs)
    return Row(
        "errors, timeouts and non-2xx answers",
        str(failures),
        f"of {total:,} requests",
        "",
        NO_ERRORS,
        failures,
    )


@benchmark("load", "hot read paths under 1, 10 and 50 connections, and their fixed cost")
def load(context: Context) -> list[Row]:
    """Load the health view and each hot path with wrk against the shipped server model."""
    with load_server(context) as url:
        loads = [load_path(context, url, path) for path in (BASELINE, *HOT_PATHS)]
    baseline, hot = loads[0], loads[1:]
    rows = [row for item in loads for row in run_rows(item)]
    rows += [row for item in loads for row in scaling_rows(item)]
    rows += [fixed_cost_row(item, baseline) for item in hot]
    return [*rows, error_row(loads)]
